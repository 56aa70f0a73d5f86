"""Strategy documents at city scale: the same figures from cheaper queries, DOCX written as text, light workers."""
import io
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

from docx import Document
from flask_babel import force_locale
from lxml import etree
from sqlalchemy import select

from ideas import discussion, draft_documents, drafts, voting
from ideas.database import writing
from ideas.extensions import db
from ideas.models import (
    PUBLIC_STATUSES,
    Channel,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    Process,
    StrategyDraft,
    Vote,
)
from tests.conftest import make_idea, make_process, make_user
from tests.test_queries import count_queries

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _demo_draft() -> StrategyDraft:
    """The Musterstadt demo with a draft from its accepted ideas, and people at the edges of "took part"."""
    from ideas import demo

    with writing():
        demo.seed(echo=lambda *_: None)
    process = db.session.scalar(select(Process).order_by(Process.id))
    other = make_process()
    only_elsewhere = make_user()  # supports only in another process: not one of this process's people
    voting.add_support(only_elsewhere, make_idea(process=other))
    commenter = make_user()  # only a comment on someone else's idea
    published = db.session.scalars(select(Idea).where(Idea.process_id == process.id,
                                                      Idea.status == IdeaStatus.published)).first()
    discussion.add_comment(commenter, published, "Sehe ich genauso.")
    make_idea(process=process, status=IdeaStatus.withdrawn)  # an author whose only idea is withdrawn
    draft = drafts.create(process, "Digitalstrategie Musterstadt 2030")
    db.session.commit()
    return draft


def _expected_summary(process_id: int) -> dict:
    """Participation counted the plain way: every row in Python, no counter cache, no clever SQL."""
    ideas = db.session.scalars(select(Idea).where(Idea.process_id == process_id)).all()
    public = [i for i in ideas if i.status in PUBLIC_STATUSES]
    public_ids = {i.id for i in public}
    all_ids = {i.id for i in ideas}
    votes = db.session.scalars(select(Vote)).all()
    comments = db.session.scalars(select(Comment)).all()
    people = {i.author_id for i in ideas} | {v.user_id for v in votes if v.idea_id in all_ids} | \
        {c.author_id for c in comments if c.idea_id in all_ids}
    people.discard(None)
    channels = Counter(i.channel for i in public)
    return {
        "ideas": len(public),
        "accepted": sum(i.status in (IdeaStatus.accepted, IdeaStatus.implemented) for i in public),
        "supports": sum(v.idea_id in public_ids for v in votes),
        "comments": sum(c.idea_id in public_ids and c.status == CommentStatus.visible and c.deleted_at is None
                        for c in comments),
        "participants": len(people),
        "channels": {c.value: channels[c] for c in Channel if c == Channel.online or channels[c]},
    }


def test_demo_draft_snapshot_matches_a_straightforward_count(app):
    draft = _demo_draft()
    db.session.expire_all()
    snap = draft_documents.snapshot(db.session.get(StrategyDraft, draft.id))
    summary = {k: v for k, v in snap["summary"].items() if k != "workshops"}
    assert summary == _expected_summary(draft.process_id)
    assert summary["participants"] > 20 and summary["supports"] > 100  # the demo is not trivially small

    draft = db.session.get(StrategyDraft, draft.id)
    measures = {m.id: m for m in draft.measures}
    listed = [m for section in snap["sections"] for m in section["measures"]]
    assert len(listed) == len(measures) > 5
    for m in listed:
        ideas = sorted(measures[m["id"]].ideas, key=lambda i: i.id)
        votes = db.session.scalars(select(Vote.idea_id).where(Vote.idea_id.in_([i.id for i in ideas]))).all()
        assert m["supports"] == len(votes)
        assert sorted(i["id"] for i in m["ideas"]) == [i.id for i in ideas]
        assert all(i["title"] and i["reference"] for i in m["ideas"])


def test_participants_are_counted_with_a_constant_number_of_queries(app):
    process = make_process()
    for n in range(2):
        idea = make_idea(process=process)
        for _ in range(3 + 5 * n):
            voting.add_support(make_user(), idea)
        with count_queries() as statements:
            draft_documents._summary(process.id)
        assert len(statements) == 3


def _package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        return {name: package.read(name) for name in package.namelist()}


def test_docx_body_is_written_into_the_package(app):
    draft = _demo_draft()
    with app.test_request_context():
        snap = draft_documents.snapshot(draft)
        data = draft_documents.to_docx(snap)
    parts = _package(data)
    assert next(iter(parts)) == "[Content_Types].xml"
    assert b"ideenfenster-body" not in parts["word/document.xml"] and b"customXml" not in parts["word/document.xml"]
    body = etree.fromstring(parts["word/document.xml"]).find(f"{W}body")
    assert body[-1].tag == f"{W}sectPr"  # the page setup stays the body's last child
    doc = Document(io.BytesIO(data))
    assert round(doc.sections[0].page_width.cm, 1) == 21.0 and round(doc.sections[0].left_margin.cm, 1) == 2.0
    measures = [m for section in snap["sections"] for m in section["measures"]]
    titles = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    assert titles == [f"{m['number']} {m['title']}" for m in measures]
    assert len(doc.tables) == 2 + sum(1 for s in snap["sections"] if s["measures"])
    assert doc.paragraphs[-1].text.startswith("Gesamtpriorität: 1 Unterstützung")


def test_one_lookup_per_message_translates_like_flask_babel(app):
    measure = {"status": "in_progress", "rank": 3, "combined": 12, "reference": "M-7"}
    idea = {"support_count": 1, "reference": "2026-00001", "title": "WLAN", "channel": "pinboard"}
    def texts():
        return (draft_documents.measure_facts(measure), draft_documents.idea_line(idea),
                draft_documents.idea_line({**idea, "support_count": 2}), draft_documents.measure_columns())

    found = {}
    with app.test_request_context():
        for locale in ("de", "en"):
            with force_locale(locale):
                plain = texts()
                with draft_documents.one_lookup_per_message():
                    assert texts() == plain
                found[locale] = plain
    assert found["de"] != found["en"]  # the catalogue was really used


def test_the_app_loads_without_the_document_libraries():
    """Each worker carries only what every request needs; DOCX, XLSX and QR code libraries come on demand."""
    heavy = ["openpyxl", "docx", "qrcode", "lxml"]
    code = f"import sys, app; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,  # noqa: S603  # nosec B603
                           check=True)
    assert found.stdout.strip() == "[]"
