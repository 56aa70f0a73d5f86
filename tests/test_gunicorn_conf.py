"""gunicorn.conf.py's hooks: what a worker does after loading the app and after a big response."""
import gc
import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_a_worker_freezes_the_loaded_app_out_of_the_collectors_way():
    gc.unfreeze()
    try:
        gunicorn_conf().post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_big_documents_are_collected_right_after_the_response(monkeypatch):
    conf = gunicorn_conf()
    collected = []
    monkeypatch.setattr(conf.gc, "collect", lambda: collected.append(True))
    for path, expected in (("/strategy/drafts/1/export.docx", 1), ("/ideas", 0)):
        collected.clear()
        conf.post_request(None, SimpleNamespace(path=path), {}, None)
        assert len(collected) == expected, path
