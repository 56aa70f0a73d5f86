"""The data model: one module per part of the path an idea takes."""
from ideas.models.base import Base, utcnow
from ideas.models.enums import (
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    AgeGroup,
    Channel,
    CommentStatus,
    IdeaStatus,
    MailStatus,
    ModerationMode,
    NetiquetteReason,
    ReportReason,
    Role,
)
from ideas.models.idea import Comment, Idea, Vote, idea_action_field, idea_coauthor
from ideas.models.moderation import AnswerTemplate, InternalNote, ModerationEvent, OutboxMail, Report
from ideas.models.process import COLOURS, ActionField, Process
from ideas.models.strategy import (
    DotVote,
    DraftSection,
    DraftStatus,
    DraftVersion,
    Measure,
    MeasureStatus,
    Priority,
    StrategyDraft,
    Workshop,
    WorkshopDots,
    measure_idea,
)
from ideas.models.user import STAFF_ROLES, User

__all__ = [
    "Base", "utcnow", "OPEN_STATUSES", "PUBLIC_STATUSES", "AgeGroup", "Channel", "CommentStatus",
    "IdeaStatus", "MailStatus", "ModerationMode", "NetiquetteReason", "AnswerTemplate", "InternalNote",
    "OutboxMail", "ReportReason", "Role", "Comment", "Idea", "Vote",
    "idea_action_field", "idea_coauthor", "ModerationEvent", "Report", "COLOURS", "ActionField",
    "Process", "STAFF_ROLES", "User", "DotVote", "DraftSection", "DraftStatus", "DraftVersion", "Measure",
    "MeasureStatus", "Priority", "StrategyDraft", "Workshop", "WorkshopDots", "measure_idea",
]
