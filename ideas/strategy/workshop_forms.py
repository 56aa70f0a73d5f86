"""Forms for workshop results: the workshop itself, the fast dot entry and the sheet upload."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ideas.forms import _line, _text

ENTRY_ROWS = 10


class WorkshopForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_line], validators=[
        DataRequired(_l("Please give the workshop a name.")), Length(2, 160)],
        description=_l("For example: Digital-Werkstatt in the town hall."))
    held_on = DateField(_l("Date"), validators=[Optional()])
    place = StringField(_l("Place"), filters=[_line], validators=[Optional(), Length(max=160)])
    participants = IntegerField(_l("Number of participants"), validators=[
        Optional(), NumberRange(0, 100000, _l("Please enter a number from 0 to 100,000."))])
    note = TextAreaField(_l("Note"), filters=[_text], validators=[Optional(), Length(max=3000)],
                         description=_l("For the team only, plain text."))
    submit = SubmitField(_l("Save workshop"))

    def fill(self, workshop) -> None:
        workshop.name, workshop.held_on = self.name.data, self.held_on.data
        workshop.place = self.place.data or None
        workshop.participants = self.participants.data
        workshop.note = self.note.data or None

    def load(self, workshop) -> None:
        self.name.data, self.held_on.data, self.place.data = workshop.name, workshop.held_on, workshop.place
        self.participants.data, self.note.data = workshop.participants, workshop.note


class DotRow(Form):
    """One line of the entry form; checked against the process by ideas.workshops, not here."""

    reference = StringField(_l("Reference"), filters=[lambda v: v.strip()[:60] if isinstance(v, str) else v])
    dots = StringField(_l("Dots"), filters=[lambda v: v.strip()[:20] if isinstance(v, str) else v])


class DotEntryForm(FlaskForm):
    rows = FieldList(FormField(DotRow), min_entries=ENTRY_ROWS, max_entries=ENTRY_ROWS)
    save = SubmitField(_l("Save dots"))


class DotUploadForm(FlaskForm):
    sheet = FileField(_l("Filled-in sheet"),
                      description=_l("A CSV file (separated by semicolons or commas) or an Excel file "
                                     "(.xlsx) with the columns reference and dots; at most 2 MB and "
                                     "2,000 rows with dots."))
    check = SubmitField(_l("Check file"))

    def validate_sheet(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Please choose a file."))


class DotConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired(_l("Please upload the file again."))])
    confirm = SubmitField(_l("Save dots from the file"))
