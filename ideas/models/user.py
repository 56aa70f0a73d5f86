"""People: citizens and staff, with their consent records and session token."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from ideas.models.base import Base, utcnow
from ideas.models.enums import AgeGroup, Role, enum_column

STAFF_ROLES = (Role.moderator, Role.team, Role.admin)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (Index("uq_user_email_lower", func.lower(text("email")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.citizen)
    email_verified_at: Mapped[datetime | None]
    age_group: Mapped[AgeGroup | None] = mapped_column(enum_column(AgeGroup))
    district: Mapped[str | None] = mapped_column(String(80))
    terms_version: Mapped[str | None] = mapped_column(String(20))
    terms_accepted_at: Mapped[datetime | None]
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(5))
    # Part of the login cookie; replacing it ends every session of this person.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token, index=True)
    trusted: Mapped[bool] = mapped_column(default=False)  # later ideas skip pre-moderation
    # Optional mails: answers to ideas one supported or discussed; a daily digest instead.
    notify_answers: Mapped[bool] = mapped_column(default=True)
    mail_digest: Mapped[bool] = mapped_column(default=False)
    blocked_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Two-factor login (ideas/totp.py): the secret is stored when setup starts and counts once a code confirmed it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]  # the 30-second step of the last code used: each code works once
    totp_recovery: Mapped[list | None] = mapped_column(JSON)  # SHA-256 of the unused recovery codes

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.blocked_at is None and self.deleted_at is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def can_moderate(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def can_plan_strategy(self) -> bool:
        return self.role in (Role.team, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class SiteSetting(Base):
    """A switch administrators set on the web (ideas/admin.py), e.g. two-factor login required for staff.

    Kept beside User because its only settings so far are about accounts.
    """
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
