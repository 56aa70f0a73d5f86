"""Translations: the German catalog is complete, up to date with the code, and the site is German.

The catalog tests read the .po files only: they need neither the app nor a database nor
compiled .mo files. The page tests at the end need the .mo files, which are not committed
(`make test` builds them first); this module compiles them itself when they are missing or
older than their .po, so `pytest tests/test_i18n.py` works on a fresh checkout.

When a test here fails because of a new or changed UI string:
    make update-translations   # extract, then merge into ideas/translations/*/messages.po
then translate the new entries in ideas/translations/de/LC_MESSAGES/messages.po.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g

# The app (ideas.*, tests.conftest) is imported only inside the page tests, so the catalog
# tests still run when the application code cannot be imported.

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "ideas" / "translations"
LANGUAGES = ("de", "en")
DE_PO = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"

# What `make extract-messages` runs after `pybabel extract`, used when the Makefile cannot be read.
DEFAULT_EXTRACT_ARGS = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                        "-o", "ideas/translations/messages.pot", "--no-location", "--sort-output", "."]


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load_po(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def compile_catalogs() -> bool:
    """Write each messages.mo that is missing or older than its .po; True if any was written.

    Mirrors `pybabel compile -d ideas/translations` (without fuzzy entries). Each file is
    written to a temporary name and renamed, so a parallel test run never reads half a file.
    """
    written = False
    for lang in LANGUAGES:
        po = po_path(lang)
        mo = po.with_suffix(".mo")
        if not po.exists() or (mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime):
            continue
        catalog = load_po(po)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written = True
    return written


# Compile while pytest collects this module, i.e. before any test of the session runs:
# Flask-Babel caches a language's translations for the whole process, so a test elsewhere
# that rendered a page before the .mo existed would otherwise pin the English fallback.
# A broken .po is not reported here but by the catalog tests below.
try:
    compile_catalogs()
except Exception:  # noqa: BLE001
    pass


def label(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def forms(message) -> list[str]:
    """All msgstr forms of a message (one, or one per plural form)."""
    if isinstance(message.string, (tuple, list)):
        return list(message.string)
    return [message.string]


def msgids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


@pytest.fixture(scope="module")
def de_catalog():
    assert DE_PO.exists(), f"{DE_PO.relative_to(ROOT)} is missing (pybabel init -l de)"
    return load_po(DE_PO)


# --- (a) every German entry is translated -------------------------------------------------

def test_german_catalog_header(de_catalog):
    assert str(de_catalog.locale) == "de"
    assert de_catalog.num_plurals == 2
    assert de_catalog.plural_expr.replace(" ", "") in ("(n!=1)", "n!=1")
    assert not de_catalog.fuzzy, "the header of the German catalog is marked fuzzy"


def test_every_german_entry_is_translated_and_not_fuzzy(de_catalog):
    untranslated, fuzzy, wrong_forms = [], [], []
    for message in de_catalog:
        if not message.id:  # the header
            continue
        if message.fuzzy:
            fuzzy.append(label(message))
        strings = forms(message)
        if message.pluralizable and len(strings) != de_catalog.num_plurals:
            wrong_forms.append(label(message))
        if not all(s and s.strip() for s in strings):
            untranslated.append(label(message))
    report = [
        f"{title}:\n  " + "\n  ".join(items)
        for title, items in [
            ("Not translated into German", untranslated),
            ("Marked fuzzy (check the translation, then remove the flag)", fuzzy),
            (f"Not {de_catalog.num_plurals} plural forms", wrong_forms),
        ] if items
    ]
    assert not report, "\n".join(report)
    assert len(de_catalog) > 100  # the whole UI, not an empty template


# --- (b) every string in the code is in the German catalog --------------------------------

def extract_args(output: Path) -> list[str]:
    """The options of `make extract-messages`, read from the Makefile, writing to `output`."""
    args = DEFAULT_EXTRACT_ARGS
    try:
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        recipe = re.search(r"^extract-messages:.*\n\t(?P<cmd>[^\n]*)", makefile, re.M)
        if recipe:
            words = shlex.split(recipe.group("cmd"))
            args = words[words.index("extract") + 1:]
    except (OSError, ValueError):
        pass
    args = list(args)
    for flag in ("-o", "--output", "--output-file"):
        if flag in args:
            args[args.index(flag) + 1] = str(output)
            break
    else:
        args = ["-o", str(output)] + args
    return args


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):
    """Extract the messages from the code as it is now, exactly as `make extract-messages` does."""
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", *extract_args(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stdout}\n{result.stderr}"
    return load_po(output)


def test_extraction_finds_lazy_and_plural_strings(fresh_template):
    """The keywords catch _l (lazy_gettext) in Python and ngettext in templates."""
    assert "Please log in to continue." in fresh_template  # _l in ideas/__init__.py
    assert "Waiting for review" in fresh_template  # _l in ideas/labels.py
    plural = fresh_template.get("%(num)d support")
    assert plural is not None and plural.pluralizable
    assert len(fresh_template) > 100


def test_every_extracted_string_is_in_the_german_catalog(fresh_template, de_catalog):
    missing, plural_mismatch = [], []
    for message in fresh_template:
        if not message.id:
            continue
        translated = de_catalog.get(message.id, context=message.context)
        if translated is None:
            missing.append(label(message))
        elif message.pluralizable != translated.pluralizable or msgids(message) != msgids(translated):
            plural_mismatch.append(label(message))
    assert not missing, (
        "UI strings without a German translation (run `make update-translations` and translate "
        "them in ideas/translations/de/LC_MESSAGES/messages.po):\n  " + "\n  ".join(missing))
    assert not plural_mismatch, (
        "Singular/plural differs between code and German catalog (`make update-translations`):\n  "
        + "\n  ".join(plural_mismatch))


# --- (c) placeholders survive translation -------------------------------------------------

# A %-directive: %(name)d, %(name)s, %s, %d, %% ... The conversion character is captured so a
# lone "%" (which breaks Jinja's newstyle gettext, as it always applies %) shows up as "%?".
DIRECTIVE = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\d+)?(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%]?)")


def directives(text: str) -> set[str]:
    found = set()
    for match in DIRECTIVE.finditer(text):
        name, kind = match.group("name"), match.group("type") or "?"
        found.add(f"%({name}){kind}" if name is not None else f"%{kind}")
    return found


def test_directive_parser():
    assert directives("%(num)d supports for %(name)s, 5 %% more") == {"%(num)d", "%(name)s", "%%"}
    assert directives("100 %") == {"%?"}
    assert directives("50% mehr") == {"%?"}


def test_placeholders_match(de_catalog):
    problems = []
    for message in de_catalog:
        if not message.id:
            continue
        expected = set().union(*(directives(i) for i in msgids(message)))
        for index, string in enumerate(forms(message)):
            if not string:
                continue  # reported by the completeness test
            got = directives(string)
            if got != expected:
                problems.append(f"{label(message)!r} [form {index}]: expected {sorted(expected)}, "
                                f"German has {sorted(got)}")
    assert not problems, "Placeholders differ between English and German:\n  " + "\n  ".join(problems)


def test_babel_catalog_checks(de_catalog):
    """Babel's own checkers (python-format types and counts, plural forms)."""
    errors = [f"{label(message)!r}: {'; '.join(map(str, errs))}" for message, errs in de_catalog.check()]
    assert not errors, "\n".join(errors)


# --- the English catalog ------------------------------------------------------------------

def test_english_catalog_exists_and_compiles():
    """English is the source language: empty msgstr (gettext falls back to the msgid) or a copy."""
    path = po_path("en")
    assert path.exists(), f"{path.relative_to(ROOT)} is missing (pybabel init -l en)"
    catalog = load_po(path)
    assert str(catalog.locale) == "en"
    assert not catalog.fuzzy
    different = []
    for message in catalog:
        if not message.id:
            continue
        expected = set().union(*(directives(i) for i in msgids(message)))
        if any(string and directives(string) != expected for string in forms(message)):
            different.append(label(message))
    assert not different, "English entries with other placeholders than the msgid:\n  " + "\n  ".join(different)
    write_mo(BytesIO(), catalog)


# --- the running site: German by default, English on request ------------------------------

@pytest.fixture(scope="module")
def compiled_catalogs():
    """Make sure the .mo files are current, and drop translations Flask-Babel cached before."""
    if compile_catalogs():
        from ideas.extensions import babel
        babel.domain_instance.cache.clear()
    for lang in LANGUAGES:
        assert po_path(lang).with_suffix(".mo").exists()


def visit(client, url="/", method="GET", **kwargs):
    """One request as from a browser.

    The app fixture keeps one app context (and so one `g`) open for the whole test, and
    Flask-Babel remembers the chosen language in g._flask_babel. In production every request
    gets a fresh g, so forget it here too; otherwise the first language sticks.
    """
    g.pop("_flask_babel", None)
    try:
        return client.open(url, method=method, **kwargs)
    finally:
        g.pop("_flask_babel", None)


def test_site_is_german_by_default(compiled_catalogs, client):
    # The browser's language does not count: German unless the visitor switches.
    response = visit(client, "/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert "Idee einreichen" in html
    assert "Alle Ideen" in html
    assert "Zum Inhalt springen" in html
    assert "Submit an idea" not in html


def test_language_switch_to_english_and_back(compiled_catalogs, client):
    response = visit(client, "/language", "POST", data={"lang": "en", "next": "/"})
    assert response.status_code == 302
    set_cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("lang=en;") for c in set_cookies), set_cookies
    assert client.get_cookie("lang").value == "en"

    html = visit(client, "/").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Submit an idea" in html
    assert "Skip to content" in html
    assert "Idee einreichen" not in html

    visit(client, "/language", "POST", data={"lang": "de", "next": "/"})
    assert client.get_cookie("lang").value == "de"
    html = visit(client, "/").get_data(as_text=True)
    assert '<html lang="de"' in html
    assert "Idee einreichen" in html


def test_unknown_language_is_ignored(compiled_catalogs, client):
    response = visit(client, "/language", "POST", data={"lang": "fr", "next": "/"})
    assert response.status_code == 302
    assert not any(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))
    html = visit(client, "/").get_data(as_text=True)
    assert '<html lang="de"' in html


def test_account_remembers_the_language(compiled_catalogs, client, auth):
    from ideas.extensions import db

    user = auth.login_as("citizen")
    visit(client, "/language", "POST", data={"lang": "en", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "en"
    client.delete_cookie("lang")
    html = visit(client, "/").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "My account" in html


def test_german_plurals_and_lazy_labels_on_a_page(compiled_catalogs, client):
    from tests.conftest import make_idea

    idea = make_idea()
    html = visit(client, f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Nr. " + idea.reference in html
    assert "0 Kommentare" in html  # ngettext, plural form
    assert "Veröffentlicht" in html  # lazy status label from ideas/labels.py
    assert "Zum Unterstützen anmelden" in html
