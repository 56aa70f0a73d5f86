"""What moderators work with: reports from citizens and the history of every decision."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.models.base import Base, utcnow
from ideas.models.enums import IdeaStatus, MailStatus, ReportReason, enum_column


class Report(Base):
    """A citizen's report of an idea or a comment: who, when, why, and who resolved it."""

    __tablename__ = "report"
    __table_args__ = (
        # One report per person and item; partial indexes because comment_id may be NULL.
        Index(
            "uq_report_reporter_idea", "reporter_id", "idea_id", unique=True,
            sqlite_where=text("comment_id IS NULL"), postgresql_where=text("comment_id IS NULL"),
        ),
        Index("uq_report_reporter_comment", "reporter_id", "comment_id", unique=True),
        Index("ix_report_open", "resolved_at", "idea_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))

    idea: Mapped["Idea"] = relationship()  # noqa: F821
    comment: Mapped["Comment | None"] = relationship()  # noqa: F821
    reporter: Mapped["User | None"] = relationship(foreign_keys=[reporter_id])  # noqa: F821


class ModerationEvent(Base):
    """One status change of an idea (or a comment's visibility): who, when, from, to, why."""

    __tablename__ = "moderation_event"
    __table_args__ = (Index("ix_moderation_event_idea_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    from_status: Mapped[IdeaStatus | None] = mapped_column(enum_column(IdeaStatus))
    to_status: Mapped[IdeaStatus | None] = mapped_column(enum_column(IdeaStatus))
    reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped["Idea"] = relationship()  # noqa: F821
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class InternalNote(Base):
    """A note among staff about an idea; citizens never see it."""

    __tablename__ = "internal_note"
    __table_args__ = (Index("ix_internal_note_idea_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped["User | None"] = relationship()  # noqa: F821


class AnswerTemplate(Base):
    """A reusable answer text; {title}, {reference} and {field} are filled in."""

    __tablename__ = "answer_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxMail(Base):
    """A mail waiting to be sent, written in the same transaction as the change it reports."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))  # which notification, for digests and tests
    optional: Mapped[bool] = mapped_column(default=False)  # may be unsubscribed and digested
    digest: Mapped[bool] = mapped_column(default=False)  # held for the recipient's daily digest
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
