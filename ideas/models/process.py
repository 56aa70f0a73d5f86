"""Participation processes and their action fields (Handlungsfelder)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.models.base import Base, utcnow
from ideas.models.enums import ModerationMode, enum_column

# Colours come from a fixed palette whose CSS classes are checked for contrast.
COLOURS = ("blue", "green", "teal", "purple", "orange", "red", "brown", "grey")


def _within(now: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or start <= now) and (end is None or now < end)


class Process(Base):
    __tablename__ = "process"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    ideas_from: Mapped[datetime | None]
    ideas_until: Mapped[datetime | None]
    support_from: Mapped[datetime | None]
    support_until: Mapped[datetime | None]
    moderation_mode: Mapped[ModerationMode] = mapped_column(
        enum_column(ModerationMode), default=ModerationMode.post
    )
    support_quota: Mapped[int | None]
    # Reports by this many different people hide an item until a moderator decides.
    report_threshold: Mapped[int] = mapped_column(default=3)
    # Channels this process offers (Channel values); empty means all of them.
    channels: Mapped[list] = mapped_column(JSON, default=list)
    # Online dot voting: points per person, and at most this many on one idea (None: off).
    dot_points: Mapped[int | None]
    dot_max_per_idea: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action_fields: Mapped[list["ActionField"]] = relationship(
        back_populates="process", order_by="ActionField.position", cascade="all, delete-orphan"
    )

    def accepts_ideas(self, now: datetime | None = None) -> bool:
        return _within(now or utcnow(), self.ideas_from, self.ideas_until)

    def accepts_support(self, now: datetime | None = None) -> bool:
        return _within(now or utcnow(), self.support_from, self.support_until)

    def __repr__(self) -> str:
        return f"<Process {self.slug}>"


class ActionField(Base):
    __tablename__ = "action_field"
    __table_args__ = (UniqueConstraint("process_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(20), default="blue")
    position: Mapped[int] = mapped_column(default=0)
    goals: Mapped[list] = mapped_column(JSON, default=list)  # a short list of sentences
    responsible_office: Mapped[str | None] = mapped_column(String(160))

    process: Mapped[Process] = relationship(back_populates="action_fields")

    def __repr__(self) -> str:
        return f"<ActionField {self.slug}>"
