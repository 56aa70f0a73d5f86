"""The filter of the workshop kit: which action field, and which ideas."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField

from ideas.models import IdeaStatus

# The workshop prioritises what the moderation accepted; "public" also brings the ideas still
# under discussion, but never rejected, hidden, withdrawn or merged ones.
SCOPES = {
    "accepted": (IdeaStatus.accepted,),
    "public": (IdeaStatus.published, IdeaStatus.under_review, IdeaStatus.accepted, IdeaStatus.implemented),
}
SCOPE_LABELS = {
    "accepted": _l("Accepted ideas only"),
    "public": _l("All public ideas (published, under review, accepted, implemented)"),
}


class KitFilterForm(FlaskForm):
    """A GET form: the chosen values travel in the links to the print views."""

    class Meta:
        csrf = False

    field = SelectField(_l("Action field"), default="")
    ideas = SelectField(_l("Which ideas"), default="accepted",
                        choices=[SelectChoice(key, label) for key, label in SCOPE_LABELS.items()])
    submit = SubmitField(_l("Show"))

    def __init__(self, process, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.choices = [SelectChoice("", _l("All action fields"))] + [
            SelectChoice(str(f.id), f.name) for f in process.action_fields
        ]
