"""What moderators work with: reports from citizens and the history of every decision."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.models.base import Base, utcnow
from ideas.models.enums import IdeaStatus, ReportReason, enum_column


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
