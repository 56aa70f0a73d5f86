"""The form behind the queue's bulk actions: which ideas, which action, which action field."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired

from ideas.participation import MAX_ID

# What a moderator can do with many ideas at once, and the statuses each action starts from.
BULK_ACTIONS = {
    "publish": _l("Publish"),
    "review": _l("Start evaluation"),
    "tag": _l("Set action field"),
}
MAX_SELECTED = 100  # more than a page of the queue; a bound on the work one request does


def _ids(values):
    """Ids from checkboxes: positive integers that can be row ids, each once; anything else is dropped."""
    out = []
    for value in values or []:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
            number = int(value)
            if 0 < number <= MAX_ID and number not in out:
                out.append(number)
    return out[:MAX_SELECTED]


class IdListField(SelectMultipleField):
    """The checked ideas; the ids are checked again when the ideas are loaded."""

    def process_formdata(self, valuelist):
        self.data = _ids(valuelist)

    def pre_validate(self, form):
        pass


class BulkForm(FlaskForm):
    ids = IdListField()
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice(key, label) for key, label in BULK_ACTIONS.items()],
        validators=[InputRequired(_l("Please choose an action."))],
    )
    tag_field = SelectField(
        _l("Action field"), validate_choice=False,
        description=_l("Only needed for “Set action field”."),
    )
    submit = SubmitField(_l("Apply to selected ideas"))

    def set_choices(self, actions: list[str], fields) -> None:
        """Offer the actions that fit the tab and the action fields of the process."""
        self.action.choices = [SelectChoice(key, BULK_ACTIONS[key]) for key in actions]
        self.tag_field.choices = [SelectChoice("", _l("Please choose"))] + [
            SelectChoice(str(f.id), f.name) for f in fields
        ]
