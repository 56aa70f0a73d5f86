"""gunicorn settings for production and `make bench`: `gunicorn -c gunicorn.conf.py app:app`.

Command-line flags (--workers, --bind) still win over this file.
"""
import ctypes
import ctypes.util
import gc

# A worker that built a large document keeps its peak memory; recycling after a while returns it
# to the system. The jitter keeps the workers from restarting all at once.
max_requests = 1000
max_requests_jitter = 100

# Big exports (DOCX, XLSX, the print view) leave cyclic garbage from the document trees: collect it
# right after such a response and give freed heap back, instead of waiting for the next recycle.
_HEAVY = ("/export.", "/export/", "/print", ".xlsx", ".docx")
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
_trim = getattr(_libc, "malloc_trim", None)  # glibc only


def post_request(worker, req, environ, resp):
    if any(part in req.path for part in _HEAVY):
        gc.collect()
        if _trim is not None:
            _trim(0)
