"""gunicorn settings for production and `make bench`: `gunicorn -c gunicorn.conf.py app:app`.

Command-line flags (--workers, --bind) still win over this file.
"""
import ctypes
import ctypes.util
import gc

# Recycling a worker now and then returns whatever memory it kept; the jitter keeps the workers
# from restarting at once. Not too often: a new worker imports the app (1-2 s of CPU), which on a
# small server shows as a latency spike for everybody (every 1,000 requests did, in `make bench`).
# Big documents already hand their memory back after the request (post_request below).
max_requests = 10000
max_requests_jitter = 1000

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


def post_worker_init(worker):
    # The app, once loaded, is some 150,000 objects that live as long as the worker. Left to the
    # collector, each full collection walks them all (76 ms in a worker, a stall for whoever
    # waits); frozen, collections only look at what requests leave behind.
    gc.collect()
    gc.freeze()
