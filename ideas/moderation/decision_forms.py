"""Forms of the netiquette gate: declining or hiding an idea, hiding a comment, each with a reason."""
from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ideas.forms import _text
from ideas.labels import NETIQUETTE
from ideas.models import IdeaStatus, NetiquetteReason

NOTE_MAX = 1000

# "reported" is what the system records when reports hide something; a person gives a real reason.
REASONS = [SelectChoice("", _l("Please choose"))] + [
    SelectChoice(reason.value, label) for reason, label in NETIQUETTE.items()
    if reason != NetiquetteReason.reported
]


def _reason_field(label, id_):
    return SelectField(label, id=id_, choices=REASONS, validators=[
        DataRequired(_l("Please choose a reason.")),
    ], description=_l("The author sees this reason."))


def _note_field(id_, description):
    return TextAreaField(_l("Note for the author (optional)"), id=id_, filters=[_text], validators=[
        Optional(),
        Length(max=NOTE_MAX, message=_l("A note can have at most %(max)d characters.", max=NOTE_MAX)),
    ], description=description)


class DeclineForm(FlaskForm):
    """Send a waiting idea back to its author."""

    reason = _reason_field(_l("Reason for returning it"), "decline-reason")
    note = _note_field("decline-note", _l("Explain in a friendly way what should change. "
                                          "The author receives it by e-mail."))
    submit = SubmitField(_l("Return to the author"), id="decline-submit")

    @property
    def chosen(self) -> NetiquetteReason:
        return NetiquetteReason(self.reason.data)


class HideForm(FlaskForm):
    """Take a published idea off the public pages."""

    reason = _reason_field(_l("Reason for hiding it"), "hide-reason")
    note = _note_field("hide-note", _l("Explain in a friendly way what is wrong. "
                                       "The author receives it by e-mail."))
    submit = SubmitField(_l("Hide idea"), id="hide-submit")

    @property
    def chosen(self) -> NetiquetteReason:
        return NetiquetteReason(self.reason.data)


class CommentHideForm(FlaskForm):
    """Hide one comment; rendered by hand per comment so that every control has its own id."""

    reason = SelectField(_l("Reason"), choices=REASONS, validators=[DataRequired(_l("Please choose a reason."))])

    @property
    def chosen(self) -> NetiquetteReason:
        return NetiquetteReason(self.reason.data)


def expected_status() -> IdeaStatus:
    """The status the moderator saw when deciding, from the hidden `expected` field; 400 if unusable."""
    try:
        return IdeaStatus(request.form.get("expected", ""))
    except ValueError:
        abort(400)
