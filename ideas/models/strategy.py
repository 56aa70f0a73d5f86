"""From ideas to strategy: drafts with goals and measures, frozen versions, workshops and dots."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.models.base import Base, utcnow
from ideas.models.enums import enum_column


class Priority(str, enum.Enum):
    high = "high"
    medium = "medium"
    low = "low"


class MeasureStatus(str, enum.Enum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"


class DraftStatus(str, enum.Enum):
    draft = "draft"
    published = "published"  # shown to citizens: ideas say which measure took them up


# Which ideas a measure comes from: one measure bundles several ideas, an idea feeds several measures.
measure_idea = Table(
    "measure_idea",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class StrategyDraft(Base):
    """A strategy draft of a process: vision, principles and, per action field, goals and measures."""

    __tablename__ = "strategy_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    vision: Mapped[str] = mapped_column(Text, default="")
    principles: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[DraftStatus] = mapped_column(enum_column(DraftStatus), default=DraftStatus.draft)
    # How online support and workshop dots weigh in the combined priority (shown with it).
    support_weight: Mapped[int] = mapped_column(default=1)
    dot_weight: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]

    sections: Mapped[list["DraftSection"]] = relationship(
        back_populates="draft", order_by="DraftSection.position", cascade="all, delete-orphan")
    measures: Mapped[list["Measure"]] = relationship(
        back_populates="draft", order_by="Measure.position", cascade="all, delete-orphan")


class DraftSection(Base):
    """One action field within a draft: its place in the draft's order and its goals there."""

    __tablename__ = "draft_section"
    __table_args__ = (UniqueConstraint("draft_id", "action_field_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("strategy_draft.id", ondelete="CASCADE"))
    action_field_id: Mapped[int] = mapped_column(ForeignKey("action_field.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    goals: Mapped[list] = mapped_column(JSON, default=list)

    draft: Mapped[StrategyDraft] = relationship(back_populates="sections")
    action_field: Mapped["ActionField"] = relationship()  # noqa: F821


class Measure(Base):
    """A measure written by the team, traced to the ideas it comes from."""

    __tablename__ = "measure"
    __table_args__ = (Index("ix_measure_draft_field_position", "draft_id", "action_field_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("strategy_draft.id", ondelete="CASCADE"))
    action_field_id: Mapped[int | None] = mapped_column(ForeignKey("action_field.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.medium)
    rank: Mapped[int | None]
    time_frame: Mapped[str | None] = mapped_column(String(80))
    responsible_office: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[MeasureStatus] = mapped_column(enum_column(MeasureStatus), default=MeasureStatus.planned)
    workshop_dots: Mapped[int] = mapped_column(default=0)  # counter cache of WorkshopDots
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    draft: Mapped[StrategyDraft] = relationship(back_populates="measures")
    action_field: Mapped["ActionField | None"] = relationship()  # noqa: F821
    ideas: Mapped[list["Idea"]] = relationship(secondary=measure_idea, order_by="Idea.id")  # noqa: F821

    @property
    def reference(self) -> str:
        """A stable number to write on posters and type into the dot entry (positions change)."""
        return f"M-{self.id}"


class DraftVersion(Base):
    """A frozen, read-only copy of a draft (e.g. the version the council adopted)."""

    __tablename__ = "draft_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("strategy_draft.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(160))
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Workshop(Base):
    """An on-site workshop (Digital-Werkstatt) and what its participants prioritised."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    held_on: Mapped[date | None]
    place: Mapped[str | None] = mapped_column(String(160))
    participants: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopDots(Base):
    """The dots one idea or measure got in one workshop."""

    __tablename__ = "workshop_dots"
    __table_args__ = (
        Index("uq_workshop_dots_idea", "workshop_id", "idea_id", unique=True,
              sqlite_where=text("idea_id IS NOT NULL"), postgresql_where=text("idea_id IS NOT NULL")),
        Index("uq_workshop_dots_measure", "workshop_id", "measure_id", unique=True,
              sqlite_where=text("measure_id IS NOT NULL"), postgresql_where=text("measure_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    dots: Mapped[int] = mapped_column(default=0)


class DotVote(Base):
    """Online dot voting: points a person gives an idea, mirroring the workshop."""

    __tablename__ = "dot_vote"
    __table_args__ = (UniqueConstraint("user_id", "idea_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    points: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
