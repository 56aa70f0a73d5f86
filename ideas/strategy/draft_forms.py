"""Forms of the draft editor: the draft's header and weights, goals, a measure, a frozen version."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ideas.models import MeasureStatus, Priority
from ideas.strategy.forms import _goals, _line, _text

# The same words as the documents use, so the editor and the printed draft agree.
PRIORITY = {Priority.high: _l("high"), Priority.medium: _l("medium"), Priority.low: _l("low")}
MEASURE_STATUS = {MeasureStatus.planned: _l("planned"), MeasureStatus.in_progress: _l("in progress"),
                  MeasureStatus.done: _l("done")}
WEIGHT_HINT = _l("Whole number from 0 to 100.")


def _weight(label):
    return IntegerField(label, default=1, description=WEIGHT_HINT, validators=[
        InputRequired(_l("Please enter a whole number from 0 to 100.")),
        NumberRange(0, 100, _l("Please enter a whole number from 0 to 100."))])


class DraftForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_line], validators=[
        DataRequired(_l("Please give the draft a title.")), Length(3, 200)])
    vision = TextAreaField(_l("Vision"), filters=[_text], validators=[Optional(), Length(max=5000)],
                           description=_l("Where the town wants to be in a few years, in a few sentences."))
    principles = TextAreaField(_l("Principles"), filters=[_text], validators=[Optional(), Length(max=5000)],
                               description=_l("What guides the measures, for example: open data, nobody left behind."))
    support_weight = _weight(_l("Points per online support"))
    dot_weight = _weight(_l("Points per workshop dot"))
    from_accepted = BooleanField(_l("Start from all accepted ideas: one measure per accepted or implemented idea"),
                                 default=True)
    submit = SubmitField(_l("Save draft"))

    def fill(self, draft) -> None:
        draft.title = self.title.data
        draft.vision, draft.principles = self.vision.data or "", self.principles.data or ""
        draft.support_weight, draft.dot_weight = self.support_weight.data, self.dot_weight.data

    def load(self, draft) -> None:
        self.title.data, self.vision.data, self.principles.data = draft.title, draft.vision, draft.principles
        self.support_weight.data, self.dot_weight.data = draft.support_weight, draft.dot_weight


class GoalsForm(FlaskForm):
    goals = TextAreaField(_l("Goals"), filters=[_goals], description=_l("One goal per line."),
                          validators=[Optional(), Length(max=3000)])
    submit = SubmitField(_l("Save goals"))


class MeasureForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_line], validators=[
        DataRequired(_l("Please give the measure a title.")), Length(2, 200)])
    description = TextAreaField(_l("Description"), filters=[_text], validators=[Optional(), Length(max=5000)])
    action_field = SelectField(_l("Action field"), validate_choice=True)
    priority = SelectField(_l("Priority"), choices=[SelectChoice(p.value, label) for p, label in PRIORITY.items()],
                           default=Priority.medium.value)
    rank = IntegerField(_l("Rank (optional)"), validators=[
        Optional(), NumberRange(1, 9999, _l("Please enter a whole number from 1 to 9999."))],
        description=_l("For example the order the council decided on."))
    time_frame = StringField(_l("Time frame"), filters=[_line], validators=[Optional(), Length(max=80)],
                             description=_l("For example: 2027, or short term."))
    responsible_office = StringField(_l("Responsible office"), filters=[_line],
                                     validators=[Optional(), Length(max=160)])
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, label) for s, label in MEASURE_STATUS.items()],
                         default=MeasureStatus.planned.value)
    ideas = StringField(_l("Source ideas"), filters=[_line], validators=[Optional(), Length(max=2000)],
                        description=_l("Numbers of the ideas this measure comes from, separated by commas, "
                                       "for example: 2026-00012, 2026-00031"))
    submit = SubmitField(_l("Save measure"))

    def set_fields(self, fields) -> None:
        self.action_field.choices = [SelectChoice("", _l("No action field"))] + [
            SelectChoice(str(f.id), f.name) for f in fields]

    def values(self) -> dict:
        return dict(title=self.title.data, description=self.description.data or "",
                    priority=Priority(self.priority.data), rank=self.rank.data,
                    time_frame=self.time_frame.data or None, responsible_office=self.responsible_office.data or None,
                    status=MeasureStatus(self.status.data))

    def load(self, measure) -> None:
        self.title.data, self.description.data = measure.title, measure.description
        self.action_field.data = str(measure.action_field_id or "")
        self.priority.data, self.rank.data = measure.priority.value, measure.rank
        self.time_frame.data, self.responsible_office.data = measure.time_frame, measure.responsible_office
        self.status.data = measure.status.value
        self.ideas.data = ", ".join(i.reference for i in measure.ideas if i.reference)


class VersionForm(FlaskForm):
    label = StringField(_l("Name of the version"), filters=[_line], validators=[
        DataRequired(_l("Please name the version, for example: Proposal for the town council.")),
        Length(2, 160)], description=_l("For example: Proposal for the town council."))
    submit = SubmitField(_l("Freeze this version"))
