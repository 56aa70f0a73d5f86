"""Forms: every field validates on the server and says what is wrong in plain words."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ideas.antispam import AntiSpamMixin
from ideas.labels import REPORT_REASON
from ideas.models import AgeGroup
from ideas.passwords import MAX_LENGTH, MIN_LENGTH, min_length, problem
from ideas.sanitize import clean_text


def _line(value):
    return clean_text(value) if isinstance(value, str) else value


def _text(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for buttons that post."""


AGE_GROUPS = [
    SelectChoice("", _l("No answer")),
    SelectChoice(AgeGroup.under_18.value, _l("under 18")),
    SelectChoice(AgeGroup.age_18_29.value, _l("18 to 29")),
    SelectChoice(AgeGroup.age_30_44.value, _l("30 to 44")),
    SelectChoice(AgeGroup.age_45_59.value, _l("45 to 59")),
    SelectChoice(AgeGroup.age_60_74.value, _l("60 to 74")),
    SelectChoice(AgeGroup.age_75_plus.value, _l("75 and older")),
]

REPORT_REASONS = [SelectChoice(reason.value, label) for reason, label in REPORT_REASON.items()]


def password_field(label):
    return PasswordField(label, validators=[
        DataRequired(_l("Please enter a password.")),
        Length(min=MIN_LENGTH, max=MAX_LENGTH,
               message=_l("The password must be between %(min)d and %(max)d characters long.",
                          min=MIN_LENGTH, max=MAX_LENGTH)),
    ], description=_l("At least %(min)d characters. A sentence you can remember works well.",
                      min=MIN_LENGTH))


class NewPasswordRules:
    """Checks the field `password` against ideas/passwords.py: common passwords, own data, staff length.

    Whose password it is comes from `set_account(user)` or, at registration, from the form's own fields.
    """

    account = None

    def set_account(self, user):
        self.account = user
        self.password.description = _l("At least %(min)d characters. A sentence you can remember works well.",
                                       min=min_length(user.is_staff))
        return self

    def validate_password(self, field):
        if field.errors or not field.data:
            return
        own = self.account
        email = own.email if own else getattr(getattr(self, "email", None), "data", None)
        name = own.display_name if own else getattr(getattr(self, "display_name", None), "data", None)
        reason = problem(field.data, is_staff=bool(own and own.is_staff), email=email, name=name)
        if reason:
            raise ValidationError(reason)


class RegisterForm(AntiSpamMixin, NewPasswordRules, FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[_line, _lower], validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Length(max=254, message=_l("This e-mail address is too long.")),
        Email(_l("Please enter a valid e-mail address, for example name@example.org."),
              check_deliverability=False),
    ])
    display_name = StringField(_l("Display name"), filters=[_line], validators=[
        DataRequired(_l("Please enter a name.")),
        Length(min=2, max=60, message=_l("The name must be between 2 and 60 characters long.")),
    ], description=_l("Shown next to your ideas and comments. It does not have to be your real name."))
    password = password_field(_l("Password"))
    password2 = PasswordField(_l("Repeat password"), validators=[
        DataRequired(_l("Please enter the password again.")),
        EqualTo("password", _l("The two passwords are not the same.")),
    ])
    age_group = SelectField(_l("Age group (optional)"), choices=AGE_GROUPS, validators=[Optional()],
                            description=_l("Only used for statistics, so we can see whom we have reached."))
    district = StringField(_l("District or village (optional)"), filters=[_line],
                           validators=[Optional(), Length(max=80)])
    accept_terms = BooleanField(_l("I accept the terms of use and have read the privacy notice."),
                                validators=[DataRequired(_l("Please accept the terms of use to register."))])
    submit = SubmitField(_l("Register"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[_line, _lower],
                       validators=[DataRequired(_l("Please enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))])
    remember = BooleanField(_l("Stay logged in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[_line, _lower], validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Email(_l("Please enter a valid e-mail address."), check_deliverability=False),
    ])
    submit = SubmitField(_l("Send link"))


class ResetPasswordForm(NewPasswordRules, FlaskForm):
    password = password_field(_l("New password"))
    password2 = PasswordField(_l("Repeat new password"), validators=[
        DataRequired(_l("Please enter the password again.")),
        EqualTo("password", _l("The two passwords are not the same.")),
    ])
    submit = SubmitField(_l("Save new password"))


def current_password_field():
    return PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")),
        Length(max=MAX_LENGTH, message=_l("This is not your current password."))])


class ChangePasswordForm(ResetPasswordForm):
    """Re-authentication: the current password first (checked in the view, ideas/auth.py)."""

    current_password = current_password_field()


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New e-mail address"), filters=[_line, _lower], validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Length(max=254, message=_l("This e-mail address is too long.")),
        Email(_l("Please enter a valid e-mail address, for example name@example.org."),
              check_deliverability=False),
    ], description=_l("We send a link to the new address. It replaces the old one only after you click it."))
    current_password = current_password_field()
    submit = SubmitField(_l("Send confirmation link"))


TITLE_MIN, TITLE_MAX = 10, 120
BODY_MIN, BODY_MAX = 20, 3000


class IdeaForm(AntiSpamMixin, FlaskForm):
    title = StringField(_l("Title of your idea"), filters=[_line], validators=[
        DataRequired(_l("Please give your idea a title.")),
        Length(min=TITLE_MIN, max=TITLE_MAX,
               message=_l("The title must be between %(min)d and %(max)d characters long.",
                          min=TITLE_MIN, max=TITLE_MAX)),
    ], description=_l("A short sentence, for example: Free Wi-Fi in the town library."))
    body = TextAreaField(_l("Description"), filters=[_text], validators=[
        DataRequired(_l("Please describe your idea.")),
        Length(min=BODY_MIN, max=BODY_MAX,
               message=_l("The description must be between %(min)d and %(max)d characters long.",
                          min=BODY_MIN, max=BODY_MAX)),
    ], description=_l("What should change, and why? You can use **bold**, *italic*, lists "
                      "with - and links."))
    action_field = SelectField(_l("Topic (action field)"), coerce=int, validators=[
        InputRequired(_l("Please choose a topic."))])
    district = StringField(_l("District or place (optional)"), filters=[_line],
                           validators=[Optional(), Length(max=80)])
    check = SubmitField(_l("Check for similar ideas"))
    submit = SubmitField(_l("Submit idea"))
    # Netiquette check (ideas/netiquette.py): shown only after hints, lets the author send the text as it is.
    send_anyway = BooleanField(_l("Send it anyway"))

    def set_fields(self, fields):
        self.action_field.choices = [SelectChoice(-1, _l("Please choose"))] + [
            SelectChoice(f.id, f.name) for f in fields
        ]

    def validate_action_field(self, field):
        if field.data not in {choice.value for choice in field.choices if choice.value != -1}:
            raise ValidationError(_l("Please choose a topic."))


class CommentForm(AntiSpamMixin, FlaskForm):
    body = TextAreaField(_l("Your comment"), filters=[_text], validators=[
        DataRequired(_l("Please write a comment.")),
        Length(min=1, max=1000, message=_l("A comment can have at most %(max)d characters.", max=1000)),
    ])
    parent_id = HiddenField()
    submit = SubmitField(_l("Send comment"))


class ReportForm(AntiSpamMixin, FlaskForm):
    reason = SelectField(_l("Why are you reporting this?"), choices=REPORT_REASONS,
                         validators=[DataRequired(_l("Please choose a reason."))])
    note = TextAreaField(_l("Note for the moderators (optional)"), filters=[_text],
                         validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Send report"))
