"""Pages every German town's site needs: privacy notice, imprint, accessibility statement, Leichte Sprache.

The texts are the town's: Markdown files `<name>.<lang>.md` in PAGES_DIR (default instance/pages).
Without such a file the shipped default from templates/pages/defaults/ is shown; it says plainly
what the town still has to fill in. The files are written by the town's staff, not by visitors,
but they go through the same sanitiser as everything else.
"""
import html
import re
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ideas.antispam import AntiSpamMixin, user_or_ip
from ideas.extensions import db, limiter
from ideas.mail import queue
from ideas.sanitize import clean_text, render_markdown

bp = Blueprint("pages", __name__)

PAGES = {
    "privacy": _l("Privacy notice"),
    "imprint": _l("Imprint"),
    "accessibility": _l("Accessibility statement"),
    "easy": _l("Easy language"),
}
MAX_FILE = 200 * 1024
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")


class FeedbackForm(AntiSpamMixin, FlaskForm):
    name = StringField(_l("Your name (optional)"), filters=[lambda v: clean_text(v) if v else v],
                       validators=[Optional(), Length(max=100)])
    email = EmailField(_l("Your e-mail address (optional)"), filters=[lambda v: clean_text(v) if v else v],
                       validators=[Optional(), Length(max=254),
                                   Email(_l("Please enter a valid e-mail address, for example name@example.org."),
                                         check_deliverability=False)],
                       description=_l("Only if you would like an answer."))
    message = TextAreaField(_l("What is difficult to use?"),
                            filters=[lambda v: clean_text(v, multiline=True) if v else v], validators=[
        DataRequired(_l("Please describe the problem.")),
        Length(max=3000, message=_l("The message can have at most %(max)d characters.", max=3000)),
    ], description=_l("Please tell us on which page it happened and what you tried to do."))
    submit = SubmitField(_l("Send feedback"))


def _source(name: str) -> str:
    """The town's text for this page in the current language, else in the default one, else ours."""
    cfg = current_app.config
    folder = Path(cfg.get("PAGES_DIR") or Path(current_app.instance_path) / "pages")
    defaults = Path(current_app.root_path, current_app.template_folder, "pages", "defaults")
    lang = str(get_locale())
    for path in (folder / f"{name}.{lang}.md", folder / f"{name}.{cfg['BABEL_DEFAULT_LOCALE']}.md",
                 defaults / f"{name}.{lang}.md", defaults / f"{name}.de.md"):
        if path.is_file():
            with path.open(encoding="utf-8", errors="replace") as f:
                return _fill(f.read(MAX_FILE))
    return ""


def _fill(text: str) -> str:
    cfg = current_app.config
    values = {
        "{town}": cfg["TOWN_NAME"], "{site}": cfg["SITE_NAME"], "{base_url}": cfg["BASE_URL"],
        "{accessibility_contact}": cfg["ACCESSIBILITY_CONTACT"],
        "{ip_retention_days}": str(cfg["IP_RETENTION_DAYS"]),
        "{privacy_version}": cfg["PRIVACY_VERSION"], "{terms_version}": cfg["TERMS_VERSION"],
    }
    for key, value in values.items():
        text = text.replace(key, str(value))
    return text


def render_page(source: str) -> Markup:
    """Markdown with headings: headings as escaped text, everything else through render_markdown."""
    parts, block = [], []

    def flush():
        if block:
            parts.append(render_markdown("\n".join(block)))
            block.clear()

    for line in source.splitlines():
        match = _HEADING.match(line)
        if match:
            flush()
            # The page's h1 is its title, so "#" and "##" both become h2.
            level = max(len(match.group(1)), 2)
            parts.append(f"<h{level}>{html.escape(clean_text(match.group(2)))}</h{level}>")
        else:
            block.append(line)
    flush()
    return Markup("\n".join(parts))  # noqa: S704 - render_markdown and escaped headings only  # nosec B704


def _page(name: str, **context):
    return render_template(f"pages/{'accessibility' if name == 'accessibility' else 'page'}.html",
                           name=name, title=PAGES[name], body=render_page(_source(name)), **context)


@bp.route("/datenschutz")
def privacy():
    """The privacy notice: what the platform stores, why, for how long, and people's rights."""
    return _page("privacy")


@bp.route("/impressum")
def imprint():
    """The imprint: who runs this site."""
    return _page("imprint")


@bp.route("/leichte-sprache")
def easy():
    """What Ideenfenster is and how to take part, in short and simple sentences."""
    return _page("easy")


@bp.route("/barrierefreiheit", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=user_or_ip)
def accessibility():
    """The accessibility statement, with a form to tell the town about barriers."""
    form = FeedbackForm()
    if form.validate_on_submit():
        cfg = current_app.config
        queue(cfg["ACCESSIBILITY_CONTACT"], _l("Feedback on accessibility"), "accessibility_feedback",
              locale=cfg["BABEL_DEFAULT_LOCALE"], kind="accessibility_feedback",
              name=form.name.data or "", email=form.email.data or "", message=form.message.data)
        db.session.commit()
        flash(_("Thank you. Your message has been sent to the person responsible for accessibility."),
              "success")
        return redirect(url_for("pages.accessibility", _anchor="feedback"))
    return _page("accessibility", form=form), 422 if form.errors else 200

