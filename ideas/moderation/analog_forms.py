"""Forms for ideas collected offline: one at a time, or a whole sheet at once."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ideas.analog_import import ANALOG_CHANNELS, NOTE_MAX, PLACE_MAX, date_problem
from ideas.forms import BODY_MAX, BODY_MIN, TITLE_MAX, TITLE_MIN, _line, _text
from ideas.labels import CHANNEL

NO_FIELD = 0


class CollectedOnField(DateField):
    """A date input that also takes 14.03.2026, for browsers that show a plain text box."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please enter the date as DD.MM.YYYY, for example 14.03.2026.")) from None


def process_choices(processes) -> list[SelectChoice]:
    return [SelectChoice(p.id, p.title) for p in processes]


class AnalogIdeaForm(FlaskForm):
    process_id = SelectField(_l("Process"), coerce=int, validators=[InputRequired(_l("Please choose a process."))])
    title = StringField(_l("Title"), filters=[_line], validators=[
        DataRequired(_l("Please give the idea a title.")),
        Length(min=TITLE_MIN, max=TITLE_MAX,
               message=_l("The title must be between %(min)d and %(max)d characters long.",
                          min=TITLE_MIN, max=TITLE_MAX)),
    ], description=_l("A short sentence that says what the idea is about."))
    body = TextAreaField(_l("Description"), filters=[_text], validators=[
        DataRequired(_l("Please write down the idea.")),
        Length(min=BODY_MIN, max=BODY_MAX,
               message=_l("The description must be between %(min)d and %(max)d characters long.",
                          min=BODY_MIN, max=BODY_MAX)),
    ], description=_l("As the person wrote or said it. Please leave out names, addresses and "
                      "phone numbers."))
    channel = SelectField(_l("Where was the idea collected?"),
                          choices=[SelectChoice(c.value, CHANNEL[c]) for c in ANALOG_CHANNELS],
                          validators=[InputRequired(_l("Please choose where the idea was collected."))])
    collected_on = CollectedOnField(_l("Date it was collected"), validators=[
        InputRequired(_l("Please enter the date the idea was collected."))])
    place = StringField(_l("Place (optional)"), filters=[_line], validators=[
        Optional(), Length(max=PLACE_MAX, message=_l("The place can have at most %(max)d characters.",
                                                     max=PLACE_MAX)),
    ], description=_l("For example: pin board in the town hall."))
    action_field = SelectField(_l("Suggested action field"), coerce=int, default=NO_FIELD)
    note = TextAreaField(_l("Note for the team (optional)"), filters=[_text], validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("The note can have at most %(max)d characters.",
                                                    max=NOTE_MAX)),
    ], description=_l("Who wrote it down, and in what context. Staff see this note on the idea page."))
    submit = SubmitField(_l("Save idea"))
    submit_another = SubmitField(_l("Save and enter another"))

    def set_processes(self, processes) -> None:
        """Processes to choose from, and their action fields grouped under each process."""
        self.process_id.choices = process_choices(processes)
        self.field_process = {f.id: p.id for p in processes for f in p.action_fields}
        self.action_field.choices = [SelectChoice(NO_FIELD, _l("Not decided yet"))] + [
            SelectChoice(f.id, f.name, optgroup=p.title) for p in processes for f in p.action_fields
        ]

    def validate_action_field(self, field):
        # The list shows the fields of every process; only those of the chosen one fit.
        if field.data != NO_FIELD and self.field_process.get(field.data) != self.process_id.data:
            raise ValidationError(_l("This action field belongs to another process. Please choose "
                                     "an action field of the process you selected, or “Not decided yet”."))

    def validate_collected_on(self, field):
        problem = field.data and date_problem(field.data)
        if problem:
            raise ValidationError(problem)


class ImportUploadForm(FlaskForm):
    process_id = SelectField(_l("Process"), coerce=int, validators=[InputRequired(_l("Please choose a process."))])
    sheet = FileField(_l("File with the ideas"),
                      description=_l("A CSV file (UTF-8, separated by semicolons or commas) or an "
                                     "Excel file (.xlsx), at most 2 MB and 1,000 rows."))
    check = SubmitField(_l("Check file"))

    def validate_sheet(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Please choose a file."))


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired(_l("Please upload the file again."))])
    confirm = SubmitField(_l("Import ideas"))
