"""Forms of the moderation area shared by several of its pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ideas.forms import _text


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), filters=[_text], validators=[
        DataRequired(_l("Please write a note.")),
        Length(max=2000, message=_l("A note can have at most %(max)d characters.", max=2000)),
    ], description=_l("Only staff can see this note."))
    submit = SubmitField(_l("Save note"))
