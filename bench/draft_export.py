"""Benchmark of the strategy documents: a draft with 2,000 measures as snapshot, DOCX, Markdown and print view.

Usage: python bench/draft_export.py [--ideas 2000] [--measures 2000] [--repeat 3]
Seeds its own SQLite file in /tmp (or DATABASE_URL, which must point at an empty database),
then prints the median time of each step. Run from the project root.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import g  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from config import database_url  # noqa: E402
from ideas import create_app, draft_documents  # noqa: E402
from ideas.extensions import db  # noqa: E402
from ideas.models import (  # noqa: E402
    ActionField,
    Channel,
    DraftSection,
    Idea,
    IdeaStatus,
    Measure,
    Process,
    Role,
    StrategyDraft,
    User,
    measure_idea,
    utcnow,
)

SQLITE_FILE = Path(tempfile.gettempdir()) / "ideenfenster-bench-draft-documents.sqlite"
FIELDS = ["Digitale Infrastruktur", "Bildung und Jugend", "Kommunale Verwaltung", "Tourismus",
          "Alltagsleben", "Mobilität", "Wirtschaft", "Gesundheit"]


def _seed(n_ideas: int, n_measures: int) -> tuple[int, str]:
    rng, now = random.Random(42), utcnow()  # noqa: S311 - reproducible benchmark data
    team = User(email="team@bench.example", display_name="Team", role=Role.team, email_verified_at=now,
                password_hash="!")  # noqa: S106 - not a hash: nobody can log in with a password
    process = Process(title="Digitalstrategie Benchstadt", slug="benchstadt")
    process.action_fields = [ActionField(name=name, slug=f"f{i}", colour="blue", position=i,
                                         goals=[f"Ziel {i}.{g}" for g in range(1, 4)]) for i, name in enumerate(FIELDS)]
    db.session.add_all([team, process])
    db.session.commit()
    field_ids = [f.id for f in process.action_fields]
    channels = list(Channel)
    db.session.execute(insert(Idea), [{
        "reference": f"2026-{i:05d}", "process_id": process.id, "title": f"Idee Nummer {i} für Benchstadt",
        "body_source": "Text", "body_html": "<p>Text</p>", "search_text": "", "channel": rng.choice(channels),
        "action_field_id": field_ids[i % len(field_ids)], "status": IdeaStatus.accepted,
        "support_count": rng.randint(0, 80), "workshop_dots": rng.randint(0, 6), "dot_points": rng.randint(0, 4),
        "created_at": now, "updated_at": now, "published_at": now,
    } for i in range(1, n_ideas + 1)])
    idea_ids = db.session.scalars(select(Idea.id).where(Idea.process_id == process.id).order_by(Idea.id)).all()
    draft = StrategyDraft(process_id=process.id, title="Digitalstrategie 2030", vision="Benchstadt ist digital.",
                          principles="Offen\nBarrierefrei\nSicher")
    draft.sections = [DraftSection(action_field_id=fid, position=i, goals=[f"Ziel {i}"])
                      for i, fid in enumerate(field_ids)]
    db.session.add(draft)
    db.session.commit()
    db.session.execute(insert(Measure), [{
        "draft_id": draft.id, "action_field_id": field_ids[m % len(field_ids)], "position": m,
        "title": f"Maßnahme {m}: digitale Angebote ausbauen", "description": "Beschreibung der Maßnahme " * 8,
        "priority": rng.choice(["high", "medium", "low"]), "time_frame": "2027–2028",
        "responsible_office": "Amt für Digitalisierung", "status": "planned", "workshop_dots": rng.randint(0, 3),
        "created_at": now, "updated_at": now,
    } for m in range(n_measures)])
    measure_ids = db.session.scalars(select(Measure.id).where(Measure.draft_id == draft.id)).all()
    links = {(mid, idea_ids[(k * 7 + j) % len(idea_ids)]) for k, mid in enumerate(measure_ids) for j in range(2)}
    db.session.execute(insert(measure_idea), [{"measure_id": m, "idea_id": i} for m, i in links])
    db.session.commit()
    return draft.id, team.get_id()


def _time(fn, repeat: int, label: str = "") -> tuple[float, float, object]:
    """Median wall-clock and CPU milliseconds; CPU time is what counts on a busy machine."""
    print(f"  {label} …", file=sys.stderr, flush=True)
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        db.session.expire_all()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--measures", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        url = database_url(os.environ["DATABASE_URL"])
    else:
        SQLITE_FILE.unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_FILE}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, config_name="testing")
    with app.app_context():
        db.create_all()
        if db.session.scalar(select(func.count(Idea.id))):
            sys.exit("The database is not empty; point DATABASE_URL at an empty database.")
        start = time.perf_counter()
        draft_id, team_id = _seed(args.ideas, args.measures)
        seeded = (time.perf_counter() - start) * 1000
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = team_id, True

        def get(url):
            # Requests reuse this app context: forget the user Flask-Login cached in g (anonymous so far).
            g.pop("_login_user", None)
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url}: {response.status_code} {response.headers.get('Location', '')}")
            return response.data

        def snapshot():
            return draft_documents.snapshot(db.session.get(StrategyDraft, draft_id))

        wall, cpu, snap = _time(snapshot, args.repeat, "snapshot")
        rows = [("seed (bulk insert)", seeded, None, ""), ("snapshot()", wall, cpu, f"{args.measures} measures")]
        with app.test_request_context():
            for label, writer in [("to_markdown()", draft_documents.to_markdown),
                                  ("to_docx()", draft_documents.to_docx)]:
                wall, cpu, body = _time(lambda writer=writer: writer(snap), args.repeat, label)
                body = body.encode() if isinstance(body, str) else body
                rows.append((label, wall, cpu, f"{len(body) // 1024} KiB"))
        for label, path in [("GET print view", f"/strategy/drafts/{draft_id}/print"),
                            ("GET export.md", f"/strategy/drafts/{draft_id}/export.md"),
                            ("GET export.docx", f"/strategy/drafts/{draft_id}/export.docx")]:
            wall, cpu, body = _time(lambda path=path: get(path), args.repeat, label)
            rows.append((label, wall, cpu, f"{len(body) // 1024} KiB"))
    backend = url.split(":")[0].split("+")[0]
    print(f"Draft documents, {args.ideas} ideas, {args.measures} measures, {backend}, median of {args.repeat}")
    print("| step | wall ms | CPU ms | size |\n|---|---:|---:|---|")
    for label, wall, cpu, size in rows:
        print(f"| {label} | {wall:.0f} | {'' if cpu is None else f'{cpu:.0f}'} | {size} |")


if __name__ == "__main__":
    main()
