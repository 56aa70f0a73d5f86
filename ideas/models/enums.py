"""The fixed vocabularies of the platform, stored as their string values."""
import enum

from sqlalchemy import Enum


class Role(str, enum.Enum):
    citizen = "citizen"
    moderator = "moderator"
    team = "team"
    admin = "admin"


class ModerationMode(str, enum.Enum):
    pre = "pre"    # new ideas wait for a moderator before anyone else sees them
    post = "post"  # new ideas appear at once; moderators act on reports


class Channel(str, enum.Enum):
    online = "online"
    pinboard = "pinboard"
    office_hours = "office_hours"
    workshop = "workshop"
    school = "school"
    letter_phone = "letter_phone"
    event = "event"


class IdeaStatus(str, enum.Enum):
    draft = "draft"
    pending = "pending"
    declined = "declined"
    published = "published"
    under_review = "under_review"
    accepted = "accepted"
    rejected = "rejected"
    implemented = "implemented"
    merged = "merged"
    hidden = "hidden"
    withdrawn = "withdrawn"


# Everybody may see ideas in these states; the rest only their author and staff.
PUBLIC_STATUSES = (
    IdeaStatus.published,
    IdeaStatus.under_review,
    IdeaStatus.accepted,
    IdeaStatus.rejected,
    IdeaStatus.implemented,
)
# Supports and comments are possible only while the idea is still open for discussion.
OPEN_STATUSES = (IdeaStatus.published, IdeaStatus.under_review)


class CommentStatus(str, enum.Enum):
    visible = "visible"
    hidden = "hidden"


class ReportReason(str, enum.Enum):
    spam = "spam"
    offensive = "offensive"
    off_topic = "off_topic"
    personal_data = "personal_data"


class NetiquetteReason(str, enum.Enum):
    """Why a moderator held back or hid a contribution; shown to its author."""

    personal_attack = "personal_attack"
    personal_data = "personal_data"
    advertising = "advertising"
    off_topic = "off_topic"
    duplicate = "duplicate"
    reported = "reported"  # hidden automatically after several reports
    other = "other"


class MailStatus(str, enum.Enum):
    queued = "queued"
    sent = "sent"
    failed = "failed"  # gave up after several attempts; kept for the record


class AgeGroup(str, enum.Enum):
    under_18 = "under_18"
    age_18_29 = "18_29"
    age_30_44 = "30_44"
    age_45_59 = "45_59"
    age_60_74 = "60_74"
    age_75_plus = "75_plus"


def enum_column(enum_cls, length: int = 20) -> Enum:
    """A VARCHAR holding the enum's value; no CHECK, so new values need no table rebuild."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
