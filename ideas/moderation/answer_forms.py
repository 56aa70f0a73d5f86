"""Forms for answering, tagging and merging ideas, and for answer templates."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ideas.forms import _line, _text
from ideas.labels import STATUS

ANSWER_MIN, ANSWER_MAX = 20, 3000
TEMPLATE_TITLE_MIN, TEMPLATE_TITLE_MAX = 3, 120
NOTE_MAX = 500
MAX_MERGE_SOURCES = 20


def int_or_none(value):
    """Coerce a submitted id; anything that is not a plain number becomes None (never a 500)."""
    if value is None or isinstance(value, int):
        return value
    value = str(value).strip()
    if value.isdigit() and len(value) < 12:
        return int(value)
    return None


ANSWER_HINT = _l("Between %(min)d and %(max)d characters. You can use **bold**, *italic*, lists with - "
                 "and links.", min=ANSWER_MIN, max=ANSWER_MAX)


class AnswerForm(FlaskForm):
    """The public answer and the decision it announces."""

    decision = SelectField(_l("Decision"), validate_choice=False)
    template = SelectField(_l("Insert answer template"), coerce=int_or_none, validate_choice=False,
                           validators=[Optional()],
                           description=_l("Replaces the answer text below with the chosen template."))
    use_template = SubmitField(_l("Use template"))
    answer = TextAreaField(_l("Public answer"), filters=[_text], validators=[
        DataRequired(_l("Please write an answer.")),
        Length(min=ANSWER_MIN, max=ANSWER_MAX,
               message=_l("The answer must be between %(min)d and %(max)d characters long.",
                          min=ANSWER_MIN, max=ANSWER_MAX)),
    ], description=ANSWER_HINT)
    expected = HiddenField()
    save = SubmitField(_l("Save as prepared (not public yet)"))
    publish = SubmitField(_l("Publish answer now"))

    def set_choices(self, statuses, templates) -> None:
        self.decision.choices = [SelectChoice(s.value, STATUS[s]) for s in statuses]
        self.template.choices = [SelectChoice("", _l("Choose a template"))] + [
            SelectChoice(str(t.id), t.title) for t in templates
        ]

    def validate_decision(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Please choose a decision that is possible for this idea."))


class TemplateForm(FlaskForm):
    title = StringField(_l("Name of the template"), filters=[_line], validators=[
        DataRequired(_l("Please give the template a name.")),
        Length(min=TEMPLATE_TITLE_MIN, max=TEMPLATE_TITLE_MAX,
               message=_l("The name must be between %(min)d and %(max)d characters long.",
                          min=TEMPLATE_TITLE_MIN, max=TEMPLATE_TITLE_MAX)),
    ], description=_l("Only staff see the name, for example: Thank you, we will check it."))
    body = TextAreaField(_l("Text of the answer"), filters=[_text], validators=[
        DataRequired(_l("Please write the text of the template.")),
        Length(min=ANSWER_MIN, max=ANSWER_MAX,
               message=_l("The text must be between %(min)d and %(max)d characters long.",
                          min=ANSWER_MIN, max=ANSWER_MAX)),
    ], description=_l("These placeholders are filled in for each idea: {title} the title of the idea, "
                      "{reference} its number, {field} its action field. You can use **bold**, "
                      "*italic*, lists with - and links."))
    submit = SubmitField(_l("Save template"))


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; the template puts them in a fieldset with a legend."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TagForm(FlaskForm):
    primary = SelectField(_l("Primary action field"), coerce=int_or_none, validate_choice=False,
                          description=_l("The idea is listed under this action field."))
    further = CheckboxesField(_l("Further action fields"), coerce=int_or_none, validate_choice=False,
                              description=_l("The idea also concerns these action fields."))
    submit = SubmitField(_l("Save action fields"))

    def set_fields(self, fields) -> None:
        self.primary.choices = [SelectChoice(f.id, f.name) for f in fields]
        self.further.choices = [SelectChoice(f.id, f.name) for f in fields]


class MergeForm(FlaskForm):
    """On the page of a duplicate: the number of the idea it should be merged into."""

    reference = StringField(_l("Number of the idea to merge into"), filters=[_line], validators=[
        DataRequired(_l("Please enter the number of the idea, for example 2026-00042.")),
        Length(max=30, message=_l("Please enter the number of the idea, for example 2026-00042.")),
    ], description=_l("For example 2026-00042. You find the number next to the title of every idea."))
    note = TextAreaField(_l("Note for the history (optional)"), filters=[_text], validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("A note can have at most %(max)d characters.", max=NOTE_MAX)),
    ])
    submit = SubmitField(_l("Check the number and continue"))


class MergeSimilarForm(FlaskForm):
    """On the page of the idea that stays: similar ideas to merge into it."""

    sources = CheckboxesField(_l("Merge into this idea"), coerce=int_or_none, validate_choice=False)
    note = TextAreaField(_l("Note for the history (optional)"), filters=[_text], validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("A note can have at most %(max)d characters.", max=NOTE_MAX)),
    ])
    submit = SubmitField(_l("Check the ticked ideas and continue"))
