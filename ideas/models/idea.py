"""Ideas and what citizens do with them: supports (votes) and comments."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.models.base import Base, utcnow
from ideas.models.enums import (
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    Channel,
    CommentStatus,
    IdeaStatus,
    NetiquetteReason,
    enum_column,
)

# Further action fields of an idea beyond its primary one (set by moderators).
idea_action_field = Table(
    "idea_action_field",
    Base.metadata,
    Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True),
    Column("action_field_id", ForeignKey("action_field.id", ondelete="CASCADE"), primary_key=True),
)

# Authors of ideas merged into this one, named beside the original author.
idea_coauthor = Table(
    "idea_coauthor",
    Base.metadata,
    Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Idea(Base):
    __tablename__ = "idea"
    # Every sort of the feed, within a process or an action field, can read its first page
    # straight off an index instead of sorting all ideas; (scope, status) counts the list.
    __table_args__ = (
        Index("ix_idea_status_created", "status", "created_at"),
        Index("ix_idea_process_status", "process_id", "status"),
        # The moderation queue: pending ideas oldest first; the "to evaluate" count without the rows.
        Index("ix_idea_process_status_created", "process_id", "status", "created_at"),
        Index("ix_idea_process_status_answer", "process_id", "status", "answer_published_at"),
        Index("ix_idea_field_status", "action_field_id", "status"),
        # The public ranking of online dot voting reads its pages straight off this index.
        Index("ix_idea_process_dot_points", "process_id", "dot_points"),
        # Each sort within a scope, with the id that breaks ties and the status the list filters on:
        # a deep page's OFFSET then skips index entries instead of reading every skipped idea.
        *(
            Index(f"ix_idea_{scope}_{column}", f"{scope}_id" if scope == "process" else "action_field_id", column,
                  "id", "status")
            for scope in ("process", "field")
            for column in ("created_at", "support_count", "comment_count", "hot_score")
        ),
        # The same across all processes (the API without ?process=): PostgreSQL cannot read a status
        # IN (...) list off (status, sort) in order, so it sorted every public idea (34 ms at 100,000).
        *(Index(f"ix_idea_all_{column}", column, "id", "status")
          for column in ("created_at", "support_count", "comment_count", "hot_score")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"))
    title: Mapped[str] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text)  # what the author typed, for editing
    body_html: Mapped[str] = mapped_column(Text)    # produced by sanitize.render_markdown only
    search_text: Mapped[str] = mapped_column(Text, default="")  # stems, see search.py
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.online)
    suggested_field_id: Mapped[int | None] = mapped_column(ForeignKey("action_field.id"))
    action_field_id: Mapped[int | None] = mapped_column(ForeignKey("action_field.id"))
    district: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[IdeaStatus] = mapped_column(enum_column(IdeaStatus), default=IdeaStatus.pending)
    # The public answer, and the next one being prepared with the decision it announces;
    # releasing turns the prepared answer into the public one, so an old answer stays until then.
    answer_source: Mapped[str | None] = mapped_column(Text)
    answer_html: Mapped[str | None] = mapped_column(Text)
    answer_published_at: Mapped[datetime | None]
    prepared_answer: Mapped[str | None] = mapped_column(Text)
    planned_status: Mapped[IdeaStatus | None] = mapped_column(enum_column(IdeaStatus))
    # The last netiquette decision (decline or hide), shown to the author with its reason.
    moderation_reason: Mapped[NetiquetteReason | None] = mapped_column(enum_column(NetiquetteReason))
    moderation_note: Mapped[str | None] = mapped_column(Text)
    first_moderated_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"), index=True)
    # Analog ideas, written down by staff: when, where and by whom.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    analog_date: Mapped[datetime | None]
    analog_place: Mapped[str | None] = mapped_column(String(120))
    analog_note: Mapped[str | None] = mapped_column(String(500))
    # Counter caches, changed in SQL in the same transaction as the rows they count.
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    hot_score: Mapped[float] = mapped_column(default=0.0)
    workshop_dots: Mapped[int] = mapped_column(default=0)  # sum over WorkshopDots
    dot_points: Mapped[int] = mapped_column(default=0)  # sum over online DotVote points
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    process: Mapped["Process"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    entered_by: Mapped["User | None"] = relationship(foreign_keys=[entered_by_id])  # noqa: F821
    suggested_field: Mapped["ActionField | None"] = relationship(  # noqa: F821
        foreign_keys=[suggested_field_id]
    )
    action_field: Mapped["ActionField | None"] = relationship(  # noqa: F821
        foreign_keys=[action_field_id]
    )
    further_fields: Mapped[list["ActionField"]] = relationship(  # noqa: F821
        secondary=idea_action_field
    )
    coauthors: Mapped[list["User"]] = relationship(secondary=idea_coauthor)  # noqa: F821
    merged_into: Mapped["Idea | None"] = relationship(remote_side=[id])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def visible_to(self, user) -> bool:
        """Public ideas for everybody; the rest for the author and staff."""
        if self.is_public or self.status == IdeaStatus.merged:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return user.is_staff or (self.author_id is not None and user.id == self.author_id)

    def __repr__(self) -> str:
        return f"<Idea {self.reference or self.id} {self.status.value}>"


class Vote(Base):
    """One support by one person for one idea; the constraint makes that a fact."""

    __tablename__ = "vote"
    # (idea, created_at): the idea page's latest supporters without sorting all of them.
    __table_args__ = (UniqueConstraint("user_id", "idea_id"), Index("ix_vote_idea_created", "idea_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_idea_created", "idea_id", "created_at"),
        # The idea page's keyset over top-level comments (parent_id IS NULL, id > cursor).
        Index("ix_comment_idea_thread", "idea_id", "parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    body: Mapped[str] = mapped_column(Text)  # plain text from sanitize.clean_text
    status: Mapped[CommentStatus] = mapped_column(
        enum_column(CommentStatus), default=CommentStatus.visible
    )
    moderation_reason: Mapped[NetiquetteReason | None] = mapped_column(enum_column(NetiquetteReason))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    idea: Mapped[Idea] = relationship()
    author: Mapped["User | None"] = relationship()  # noqa: F821
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.visible and not self.is_deleted
