"""Human words for the platform's vocabularies, in the reader's language."""
from flask_babel import lazy_gettext as _l

from ideas.models import Channel, IdeaStatus, ModerationMode, NetiquetteReason, ReportReason, Role

STATUS = {
    IdeaStatus.draft: _l("Draft"),
    IdeaStatus.pending: _l("Waiting for review"),
    IdeaStatus.declined: _l("Returned for revision"),
    IdeaStatus.published: _l("Published"),
    IdeaStatus.under_review: _l("Being evaluated"),
    IdeaStatus.accepted: _l("Accepted"),
    IdeaStatus.rejected: _l("Not taken up"),
    IdeaStatus.implemented: _l("Implemented"),
    IdeaStatus.merged: _l("Merged"),
    IdeaStatus.hidden: _l("Hidden"),
    IdeaStatus.withdrawn: _l("Withdrawn"),
}

CHANNEL = {
    Channel.online: _l("Online"),
    Channel.pinboard: _l("Pin board"),
    Channel.office_hours: _l("Office hours"),
    Channel.workshop: _l("Workshop"),
    Channel.school: _l("School or youth workshop"),
    Channel.letter_phone: _l("Letter or phone"),
    Channel.event: _l("Event"),
}

ROLE = {
    Role.citizen: _l("Citizen"),
    Role.moderator: _l("Moderator"),
    Role.team: _l("Project team"),
    Role.admin: _l("Administrator"),
}

MODERATION_MODE = {
    ModerationMode.pre: _l("Ideas are checked before they are published"),
    ModerationMode.post: _l("Ideas are published at once and checked afterwards"),
}

SORT = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "discussed": _l("Most discussed"),
    "trending": _l("Popular right now"),
}

NETIQUETTE = {
    NetiquetteReason.personal_attack: _l("Personal attacks or insults"),
    NetiquetteReason.personal_data: _l("Personal data of others"),
    NetiquetteReason.advertising: _l("Advertising"),
    NetiquetteReason.off_topic: _l("Not about this process"),
    NetiquetteReason.duplicate: _l("The same idea exists already"),
    NetiquetteReason.reported: _l("Reported by several people"),
    NetiquetteReason.other: _l("Other reason"),
}
NETIQUETTE_BY_VALUE = {reason.value: label for reason, label in NETIQUETTE.items()}

REPORT_REASON = {
    ReportReason.spam: _l("Spam or advertising"),
    ReportReason.offensive: _l("Offensive or hurtful"),
    ReportReason.off_topic: _l("Off topic"),
    ReportReason.personal_data: _l("Contains personal data"),
}

# Events in an idea's history that are not a change of status.
EVENT_REASON = {
    "tagged": _l("Action fields set"),
    "comment_hidden": _l("Comment hidden"),
    "comment_shown": _l("Comment shown again"),
    "reports_dismissed": _l("Reports dismissed"),
    "merged": _l("Merged"),
    "resubmitted": _l("Revised and sent again"),
    "answer_published": _l("Answer published"),
}
