"""`make bench`: seed, serve with gunicorn (4 workers), load with wrk, write a Markdown report.

Environment: BENCH_SIZES (default "1000,100000"), BENCH_DBS ("sqlite,postgresql"), BENCH_SECONDS (10),
BENCH_CONNECTIONS (8), BENCH_PG (postgresql://postgres@127.0.0.1), BENCH_PG_PREFIX (ideenfenster_bench),
BENCH_DIR (/tmp/ideenfenster-bench), BENCH_LABEL (the host name), BENCH_ONLY (comma-separated parts of
row labels, to measure a few rows while working on them; the yardstick always runs). `--fresh` seeds
again from scratch.
"""
import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, report  # noqa: E402
from bench.browser import Browser  # noqa: E402

PYTHON = sys.executable
DEMO_PASSWORD = "ideenfenster-demo"
SLUG = "digitalstrategie-musterstadt"
PROBE_TIMEOUT = 60


def settings() -> dict:
    env = os.environ.get
    return {
        "sizes": [int(s) for s in env("BENCH_SIZES", "1000,100000").split(",") if s.strip()],
        "dbs": [d.strip() for d in env("BENCH_DBS", "sqlite,postgresql").split(",") if d.strip()],
        "seconds": float(env("BENCH_SECONDS", "10")),
        "connections": int(env("BENCH_CONNECTIONS", "8")),
        "pg": env("BENCH_PG", "postgresql://postgres@127.0.0.1").rstrip("/"),
        "pg_prefix": env("BENCH_PG_PREFIX", "ideenfenster_bench"),
        "dir": Path(env("BENCH_DIR", "/tmp/ideenfenster-bench")),
        "label": env("BENCH_LABEL", socket.gethostname()),
        "only": [o.strip().lower() for o in env("BENCH_ONLY", "").split(",") if o.strip()],
    }


def seed_args(size: int) -> list[str]:
    """seed-demo's scale for a size: the issue's 100k/20k/1M/200k, proportionally smaller below."""
    return ["--ideas", str(size), "--users", str(size // 5), "--votes", str(size * 10),
            "--comments", str(size * 2)]


def database_url(cfg: dict, db: str, size: int) -> str:
    if db == "sqlite":
        return f"sqlite:///{cfg['dir'] / f'bench-{size}.sqlite'}"
    return f"{cfg['pg']}/{cfg['pg_prefix']}_{size}"


def _pg_admin_on(url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    from config import database_url as normalise
    engine = create_engine(normalise(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _pg_admin(cfg: dict, sql: str) -> None:
    _pg_admin_on(cfg["pg"] + "/postgres", sql)


def _pg_exists(cfg: dict, name: str) -> bool:
    from sqlalchemy import create_engine, text

    from config import database_url as normalise
    engine = create_engine(normalise(cfg["pg"] + "/postgres"))
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    engine.dispose()
    return bool(found)


def reset(cfg: dict, db: str, size: int, fresh: bool) -> None:
    """Make sure the database exists; with --fresh, empty it first."""
    if db == "sqlite":
        path = cfg["dir"] / f"bench-{size}.sqlite"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = f"{cfg['pg_prefix']}_{size}"
    if fresh:
        _pg_admin(cfg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if fresh or not _pg_exists(cfg, name):
        _pg_admin(cfg, f'CREATE DATABASE "{name}"')


def flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": os.environ.get("BENCH_DIR", "/tmp/ideenfenster-bench")}
    subprocess.run([PYTHON, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, check=True)


def app_for(url: str):
    from config import database_url as normalise
    from ideas import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": normalise(url)})


def prepare(url: str, size: int) -> dict:
    """Migrate, seed once per size, then add the busy idea and the big draft; returns the plan."""
    from bench import prepare as prep
    from ideas.database import writing
    from ideas.extensions import db

    flask(url, "db", "upgrade")
    app = app_for(url)
    with app.app_context():
        ideas = prep.counts()["ideas"]
        db.engine.dispose()
    if ideas == 0:
        print(f"  seeding {size:,} ideas …", flush=True)
        started = time.monotonic()
        flask(url, "seed-demo", *seed_args(size))
        if url.startswith("postgres"):
            # What autovacuum does soon after a bulk load: visibility map and statistics.
            _pg_admin_on(url, "VACUUM (ANALYZE)")
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
    elif not size <= ideas < size + 1000:
        raise SystemExit(f"{url} holds {ideas:,} ideas, not about {size:,}; run `make bench BENCH_ARGS=--fresh`.")
    with app.app_context(), writing():
        plan = prep.plan(SLUG)
        plan["login_queries"] = login_page_queries(app)
        db.engine.dispose()
    return plan


def login_page_queries(app) -> int:
    """How many SQL statements the yardstick page runs (it should be none)."""
    from sqlalchemy import event

    from ideas.extensions import db
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        app.test_client().get("/login")
        statements.clear()  # the first request may warm caches; the steady state counts
        app.test_client().get("/login")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(url: str, workdir: Path):
    """The production command (README) with 4 workers on loopback; rate limits off for the load."""
    port = _free_port()
    env = {**os.environ, "IDEENFENSTER_CONFIG": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": url, "RATELIMIT_ENABLED": "false", "SESSION_COOKIE_SECURE": "false",
           "MAIL_BACKEND": "file", "MAIL_SEND_INLINE": "false", "INSTANCE_PATH": str(workdir),
           "SECURITY_LOG_FILE": str(workdir / "security.log")}
    log = open(workdir / "gunicorn.log", "ab")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", "--timeout", "120", "app:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(base).get("/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {workdir / 'gunicorn.log'}")
            time.sleep(0.3)
        yield server, base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def endpoints(plan: dict) -> list[tuple[str, str, str]]:
    """(label, path, who) in report order; who is anonymous, team or the citizens (toggle)."""
    p = plan
    return [
        ("Login page (yardstick, no query)", "/login", "anonymous"),
        ("Landing page", "/", "anonymous"),
        ("Feed, page 1 (newest)", "/ideas", "anonymous"),
        ("Feed, page 50", "/ideas?page=50", "anonymous"),
        ("Feed, sort: supported", "/ideas?sort=supported", "anonymous"),
        ("Feed, sort: discussed", "/ideas?sort=discussed", "anonymous"),
        ("Feed, sort: trending", "/ideas?sort=trending", "anonymous"),
        (f"Feed, filter: field {p['field']}", f"/ideas?field={p['field']}", "anonymous"),
        (f"Feed, search “{p['search']}”", f"/ideas?q={p['search']}", "anonymous"),
        ("Idea page, 200 comments", f"/ideas/{p['busy_idea']}", "anonymous"),
        ("Support toggle (POST, htmx)", "/ideas/<id>/vote", "citizens"),
        ("Moderation queue", "/moderation/", "team"),
        ("API: ideas, page 1", f"/api/v1/ideas?process={p['process']}", "anonymous"),
        ("API: one idea", f"/api/v1/ideas/{p['api_idea']}", "anonymous"),
        ("Draft export .docx (2,000 measures)", f"/strategy/drafts/{p['draft']}/export.docx", "team"),
        ("Draft export .md (2,000 measures)", f"/strategy/drafts/{p['draft']}/export.md", "team"),
    ]


def wanted(cfg: dict, label: str, path: str) -> bool:
    return path == "/login" or not cfg["only"] or any(o in label.lower() for o in cfg["only"])


def measure(cfg: dict, db: str, size: int, fresh: bool) -> dict:
    url = database_url(cfg, db, size)
    print(f"\n== {db}, {size:,} ideas ({url})", flush=True)
    reset(cfg, db, size, fresh)
    plan = prepare(url, size)
    rows, seconds, conns = [], cfg["seconds"], cfg["connections"]
    with gunicorn(url, cfg["dir"]) as (server, base):
        team = Browser(base)
        team.login("team@example.org", DEMO_PASSWORD)
        citizens = []
        for email in plan["citizens"]:
            citizen = Browser(base)
            citizen.login(email, DEMO_PASSWORD)
            citizens.append(citizen)
        sampler = load.RssSampler(server.pid)
        sampler.start()
        for label, path, who in endpoints(plan):
            if not wanted(cfg, label, path):
                continue
            result = _one(base, path, who, team, citizens, plan, seconds, conns)
            rows.append((label, path, result))
            print(f"  {label:<42} {report.cell(result)}", flush=True)
        rss = sampler.stop()
    toggled = plan["toggle_ideas"]
    with app_for(url).app_context():
        from bench.prepare import counters_match
        from ideas.extensions import db as database
        cached, counted = counters_match(toggled)
        database.engine.dispose()
    return {"db": db, "size": size, "plan": plan, "rows": rows, "rss": rss,
            "counters": (cached, counted), "connections": conns}


def _one(base, path, who, team, citizens, plan, seconds, conns) -> load.Result:
    if who == "citizens":
        sessions = [(c.cookie_header(), c.csrf) for c in citizens]
        lua = load.toggle_script(sessions, plan["toggle_ideas"][:100], threads=2)
        load.wrk(base + "/", 1, conns, lua=lua)  # warm-up
        return load.wrk(base + "/", seconds, conns, lua=lua)
    headers = {"Cookie": team.cookie_header()} if who == "team" else {}
    started = time.perf_counter()
    try:
        first = (team if who == "team" else Browser(base)).get(path, follow=False, timeout=PROBE_TIMEOUT)
    except TimeoutError:
        return load.Result(note=f"no answer within {PROBE_TIMEOUT} s")
    took = time.perf_counter() - started
    if first.status != 200:
        return load.Result(note=f"n/a (HTTP {first.status})")
    if "/export." in path:
        # A download of seconds is measured one at a time, as a person would fetch it.
        if took > seconds / 3:
            return load.Result(requests=1, seconds=took, p50=took * 1000, p95=took * 1000,
                               note="one request")
        return load.wrk(base + path, seconds, 1, threads=1, headers=headers, timeout=60)
    load.wrk(base + path, 1, conns, headers=headers)  # warm-up: every worker has run it once
    return load.wrk(base + path, seconds, conns, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="drop the bench databases and seed again")
    args = parser.parse_args()
    cfg = settings()
    cfg["dir"].mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    runs = [measure(cfg, db, size, args.fresh) for db in cfg["dbs"] for size in sorted(cfg["sizes"])]
    text = report.markdown(runs, cfg, time.monotonic() - started)
    out = ROOT / "bench" / "results" / f"{time.strftime('%Y-%m-%d')}-{cfg['label']}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print("\n" + text)
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
