"""Forms of the strategy area: a process with its phases, and an action field."""
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ideas.labels import CHANNEL, MODERATION_MODE
from ideas.models import COLOURS, Channel, ModerationMode
from ideas.sanitize import clean_text
from ideas.strategy import presets

BERLIN = ZoneInfo("Europe/Berlin")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})

COLOUR_NAMES = {
    "blue": _l("Blue"), "green": _l("Green"), "teal": _l("Teal"), "purple": _l("Purple"),
    "orange": _l("Orange"), "red": _l("Red"), "brown": _l("Brown"), "grey": _l("Grey"),
}


def slugify(text: str, max_length: int = 80) -> str:
    """Lowercase ASCII words joined by hyphens; German umlauts become ae, oe, ue, ss."""
    text = unicodedata.normalize("NFC", text or "").translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:max_length].strip("-")


def start_of_day(day: date | None) -> datetime | None:
    """The first moment of a day in Berlin, in UTC."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=BERLIN).astimezone(UTC)


def end_of_day(day: date | None) -> datetime | None:
    """The end of a day in Berlin (the next midnight, exclusive), in UTC."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=BERLIN).astimezone(UTC)


def day_of_start(moment: datetime | None) -> date | None:
    return moment.astimezone(BERLIN).date() if moment else None


def day_of_end(moment: datetime | None) -> date | None:
    return (moment.astimezone(BERLIN) - timedelta(microseconds=1)).date() if moment else None


def _line(value):
    return clean_text(value) if isinstance(value, str) else value


def _text(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def _slug(value):
    return value.strip().lower() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; the template puts them in a fieldset with a legend."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _after(start_name: str):
    def check(form, field):
        start = form[start_name].data
        if field.data and start and field.data < start:
            raise ValidationError(_l("The end date must not be before the start date."))
    return check


SLUG_HINT = _l("Part of the web address: lowercase letters, digits and hyphens. Left empty, it is made from the title.")


def _slug_format(form, field):
    if field.data and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", field.data):
        raise ValidationError(_l("Please use only lowercase letters, digits and single hyphens."))


def _dots_per_idea(form, field):
    if field.data is None:
        return
    if form.dot_points.data is None:
        raise ValidationError(_l("Please enter the points per person first, or leave this empty."))
    if not 1 <= field.data <= form.dot_points.data:
        raise ValidationError(_l("Please enter a number from 1 to %(num)d (the points per person).",
                                 num=form.dot_points.data))


class ProcessForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_line], validators=[DataRequired(), Length(5, 160)])
    slug = StringField(_l("Short name for the address"), filters=[_slug], description=SLUG_HINT,
                       validators=[Optional(), Length(max=80), _slug_format])
    description = TextAreaField(_l("Description"), filters=[_text], validators=[Optional(), Length(max=5000)])
    ideas_from = DateField(_l("Ideas from"), validators=[Optional()])
    ideas_until = DateField(_l("Ideas until"), validators=[Optional(), _after("ideas_from")])
    support_from = DateField(_l("Support from"), validators=[Optional()])
    support_until = DateField(_l("Support until"), validators=[Optional(), _after("support_from")])
    moderation_mode = SelectField(_l("Moderation"),
                                  choices=[SelectChoice(m.value, label) for m, label in MODERATION_MODE.items()],
                                  default=ModerationMode.post.value)
    support_quota = IntegerField(_l("Supports per person"), validators=[Optional(), NumberRange(1, 1000)],
                                 description=_l("Optional: how many ideas each person can support in this "
                                                "process. Leave it empty for no limit."))
    dot_points = IntegerField(_l("Points per person for online dot voting"),
                              validators=[Optional(), NumberRange(1, 100)],
                              description=_l("Optional: each person spreads this many points over the ideas. "
                                             "Leave it empty for no dot voting."))
    dot_max_per_idea = IntegerField(_l("At most this many points on one idea"), validators=[Optional(), _dots_per_idea],
                                    description=_l("Optional: leave it empty to allow all points on one idea."))
    report_threshold = IntegerField(_l("Reports before an item is hidden"), default=3,
                                    validators=[InputRequired(), NumberRange(1, 50)])
    channels = CheckboxesField(_l("Channels offered"),
                               choices=[SelectChoice(c.value, label) for c, label in CHANNEL.items()],
                               description=_l("None selected means all channels."))
    preset = SelectField(_l("Action fields to start with"),
                         choices=[SelectChoice(key, label) for key, label in presets.CHOICES], default="none")
    submit = SubmitField(_l("Save process"))

    def fill_process(self, process) -> None:
        process.title = self.title.data
        process.slug = self.slug.data or slugify(self.title.data)
        process.description = self.description.data or ""
        process.ideas_from = start_of_day(self.ideas_from.data)
        process.ideas_until = end_of_day(self.ideas_until.data)
        process.support_from = start_of_day(self.support_from.data)
        process.support_until = end_of_day(self.support_until.data)
        process.moderation_mode = ModerationMode(self.moderation_mode.data)
        process.support_quota = self.support_quota.data
        process.report_threshold = self.report_threshold.data
        process.dot_points, process.dot_max_per_idea = self.dot_points.data, self.dot_max_per_idea.data
        process.channels = [c.value for c in Channel if c.value in (self.channels.data or [])]

    def load_process(self, process) -> None:
        self.title.data, self.slug.data, self.description.data = process.title, process.slug, process.description
        self.ideas_from.data, self.ideas_until.data = day_of_start(process.ideas_from), day_of_end(process.ideas_until)
        self.support_from.data = day_of_start(process.support_from)
        self.support_until.data = day_of_end(process.support_until)
        self.moderation_mode.data = process.moderation_mode.value
        self.support_quota.data, self.report_threshold.data = process.support_quota, process.report_threshold
        self.dot_points.data, self.dot_max_per_idea.data = process.dot_points, process.dot_max_per_idea
        self.channels.data = list(process.channels or [])


def _goals(value):
    if not isinstance(value, str):
        return value
    return "\n".join(line for line in (clean_text(v) for v in value.splitlines()) if line)


class FieldForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_line], validators=[DataRequired(), Length(2, 120)])
    slug = StringField(_l("Short name for the address"), filters=[_slug], description=SLUG_HINT,
                       validators=[Optional(), Length(max=80), _slug_format])
    description = TextAreaField(_l("Description"), filters=[_text], validators=[Optional(), Length(max=3000)])
    goals = TextAreaField(_l("Goals"), filters=[_goals], description=_l("One goal per line."),
                          validators=[Optional(), Length(max=3000)])
    colour = SelectField(_l("Colour"), choices=[SelectChoice(c, COLOUR_NAMES[c]) for c in COLOURS], default=COLOURS[0])
    responsible_office = StringField(_l("Responsible office"), filters=[_line],
                                     validators=[Optional(), Length(max=160)])
    submit = SubmitField(_l("Save action field"))

    def fill_field(self, field) -> None:
        field.name = self.name.data
        field.slug = self.slug.data or slugify(self.name.data)
        field.description = self.description.data or ""
        field.goals = [g for g in (self.goals.data or "").splitlines() if g]
        field.colour = self.colour.data
        field.responsible_office = self.responsible_office.data or None

    def load_field(self, field) -> None:
        self.name.data, self.slug.data, self.description.data = field.name, field.slug, field.description
        self.goals.data = "\n".join(field.goals or [])
        self.colour.data, self.responsible_office.data = field.colour, field.responsible_office
