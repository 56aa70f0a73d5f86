"""Remove one protection at a time and check that its tests notice (`make trust-mutations`).

For each mutation: copy of the repository (made once, in a temporary directory), an exact string
replacement that takes the protection out, the mapped tests on SQLite, the original put back.
"killed" means the tests failed, as they must; "SURVIVED" means the protection is untested.
Every search string must be found exactly once, so a mutation breaks loudly when code moves.
Not collected by pytest (no test_ prefix).

    .venv/bin/python tests/mutations/run_mutations.py            # all, table at the end
    .venv/bin/python tests/mutations/run_mutations.py M03 M07    # some
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
SKIP = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", "instance", "build", ".ruff_cache",
                              "results", "*.sqlite", "*.sqlite-*")


@dataclass
class Mutation:
    id: str
    item: str  # checklist ID(s)
    what: str  # the protection that is removed
    path: str
    edits: list[tuple[str, str]]
    tests: list[str]


MUTATIONS = [
    Mutation("M01", "H1", "Content-Security-Policy header", "ideas/headers.py",
             [('h.setdefault("Content-Security-Policy", CSP)', 'h.setdefault("X-Not-CSP", CSP)')],
             ["tests/test_security.py::test_security_headers_on_every_response"]),
    Mutation("M02", "C1", "CSRF protection (CSRFProtect)", "ideas/__init__.py",
             [("    csrf.init_app(app)\n", "")],
             ["tests/test_security.py::test_every_post_route_needs_a_token",
              "tests/test_security.py::test_a_token_from_another_session_is_refused"]),
    Mutation("M03", "X1", "bleach allow-list on rendered Markdown", "ideas/sanitize.py",
             [("cleaned = _cleaner.clean(rendered)", "cleaned = rendered")],
             ["tests/test_sanitize.py"]),
    Mutation("M04", "X2", "hx-disable on the idea body", "templates/participation/idea.html",
             [('<div class="idea-body user-content" hx-disable>', '<div class="idea-body user-content">')],
             ["tests/test_security.py::test_containers_of_user_html_carry_hx_disable"]),
    Mutation("M05", "S3", "session version check in the user loader", "ideas/auth.py",
             [(" or not secrets.compare_digest(user.session_token, token)", "")],
             ["tests/test_auth.py::test_after_logout_the_copied_cookie_no_longer_works"]),
    Mutation("M06", "S3", "logout ends the session on the server", "ideas/auth.py",
             [("        current_user.end_all_sessions()\n        db.session.commit()\n        session.clear()",
               "        session.clear()")],
             ["tests/test_auth.py::test_after_logout_the_copied_cookie_no_longer_works",
              "tests/test_auth.py::test_after_logout_a_copied_remember_me_cookie_no_longer_works"]),
    Mutation("M07", "A3", "argon2id replaced by werkzeug's default hash", "ideas/passwords.py",
             [("    return _hasher().hash(password)",
               "    from werkzeug.security import generate_password_hash\n"
               "    return generate_password_hash(password)"),
              ("        return _hasher().verify(password_hash, password)",
               "        from werkzeug.security import check_password_hash\n"
               "        return check_password_hash(password_hash, password)")],
             ["tests/test_trust_gaps.py::test_registering_on_the_website_stores_an_argon2id_hash",
              "tests/test_cli.py::test_users_create_asks_for_the_password_twice"]),
    Mutation("M08", "A2", "common-password check", "ideas/passwords.py",
             [("if folded in common or folded.strip() in common or _DRESSING.sub(\"\", folded) in common:",
               "if False:")],
             ["tests/test_auth.py::test_common_passwords_are_refused"]),
    Mutation("M09", "A1", "minimum password length (form and rules share it)", "ideas/passwords.py",
             [("MIN_LENGTH = 8\n", "MIN_LENGTH = 1\n")],
             ["tests/test_auth.py::test_a_password_under_eight_characters_is_refused"]),
    Mutation("M10", "A4", "login throttle (per account and per IP)", "ideas/auth.py",
             [("        wait = sessions.login_wait(form.email.data)\n", "        wait = None\n")],
             ["tests/test_sessions.py::test_six_wrong_passwords_lock_the_account_even_from_changing_addresses",
              "tests/test_sessions.py::test_one_address_trying_many_accounts_is_stopped"]),
    Mutation("M11", "D1", "ON CONFLICT DO NOTHING on the support insert", "ideas/voting.py",
             [('        .on_conflict_do_nothing(index_elements=["user_id", "idea_id"])\n', "")],
             ["tests/test_trust_gaps.py::test_the_database_refuses_a_second_support_and_the_insert_skips_it",
              "tests/test_concurrency.py::test_one_person_double_clicking_gets_one_support"]),
    Mutation("M12", "D1", "unique constraint on (user, idea) supports", "ideas/models/idea.py",
             [('UniqueConstraint("user_id", "idea_id")', 'Index("ix_vote_not_unique", "user_id", "idea_id")')],
             ["tests/test_trust_gaps.py::test_the_database_refuses_a_second_support_and_the_insert_skips_it"]),
    Mutation("M13", "Z2", "object-level check: only the author edits or withdraws", "ideas/participation.py",
             [("    if check_author and (not current_user.is_authenticated or idea.author_id != current_user.id):",
               "    if False:")],
             ["tests/test_security.py::test_nobody_changes_what_someone_else_wrote",
              "tests/test_participation.py::test_nobody_edits_the_idea_of_someone_else"]),
    Mutation("M14", "H1", "Cache-Control: no-store on personal pages", "ideas/headers.py",
             [('            h["Cache-Control"] = "no-store"', "            pass")],
             ["tests/test_security.py::test_personal_pages_are_not_stored_by_browsers_or_proxies"]),
    Mutation("M15", "X5", "formula neutralisation in exports", "ideas/exports.py",
             [("""    return "'" + text if text.startswith(_FORMULA_START) else text""", "    return text")],
             ["tests/test_trust_gaps.py::test_every_export_neutralises_formulas_and_holds_no_email_address",
              "tests/test_exports.py::test_csv_export_neutralises_formulas"]),
    Mutation("M16", "L1", "security log as escaped JSON (no forged lines)", "ideas/securitylog.py",
             [("    logger.info(json.dumps(record, ensure_ascii=True, sort_keys=False))",
               '    logger.info(" ".join(f"{k}={v}" for k, v in record.items()))')],
             ["tests/test_securitylog.py::test_newlines_in_user_input_cannot_forge_a_line"]),
    Mutation("M17", "R1", "honeypot field", "ideas/antispam.py",
             [('        if (self.website.data or "").strip():\n            return "honeypot"\n', "")],
             ["tests/test_antispam.py::test_a_filled_honeypot_is_refused_neutrally_and_logged"]),
    Mutation("M18", "R1", "minimum fill time", "ideas/antispam.py",
             [("        if age < minimum:\n            return \"too_fast\"\n", "")],
             ["tests/test_antispam.py::test_a_form_sent_too_fast_or_without_a_stamp_is_refused"]),
    Mutation("M19", "D2", "BEGIN IMMEDIATE for SQLite write transactions", "ideas/database.py",
             [('connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")',
               'connection.exec_driver_sql("BEGIN")')],
             ["tests/test_trust_gaps.py::test_sqlite_runs_with_wal_foreign_keys_busy_timeout_and_begin_immediate"]),
    Mutation("M20", "D2", "SQLite foreign keys on", "ideas/database.py",
             [('        cursor.execute("PRAGMA foreign_keys = ON")\n', "")],
             ["tests/test_trust_gaps.py::test_sqlite_runs_with_wal_foreign_keys_busy_timeout_and_begin_immediate"]),
    Mutation("M21", "A5", "reset links expire after one hour", "ideas/tokens.py",
             [("RESET_MAX_AGE = 3600", "RESET_MAX_AGE = 30 * 24 * 3600")],
             ["tests/test_trust_gaps.py::test_a_reset_link_lasts_one_hour_and_no_longer"]),
    Mutation("M22", "A5", "reset links are single-use (bound to the password hash)", "ideas/tokens.py",
             [('    if user is None or data.get("pw") != _fingerprint(user.password_hash):', "    if user is None:")],
             ["tests/test_auth.py::test_a_reset_link_works_only_once"]),
    Mutation("M23", "S1", "Secure cookies in production", "config.py",
             [('    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)\n',
               '    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)\n')],
             ["tests/test_auth.py::test_cookies_are_secure_httponly_and_lax_in_production"]),
    Mutation("M24", "S2", "a fresh session at login (no fixation)", "ideas/sessions.py",
             [("    session.clear()\n    remember = bool(remember) and not user.is_staff",
               "    remember = bool(remember) and not user.is_staff")],
             ["tests/test_sessions.py::test_nothing_of_the_session_before_the_login_survives_it"]),
    Mutation("M25", "H2", "htmx allowEval off", "ideas/templating.py",
             [('    "allowEval": False,', '    "allowEval": True,')],
             ["tests/test_trust_gaps.py::test_htmx_is_configured_safely_in_every_page"]),
    Mutation("M26", "L2", "generic 500 page (no exception details)", "ideas/errors.py",
             [("        return render_error(500)\n", "        return render_error(500, repr(exc))\n")],
             ["tests/test_trust_gaps.py::test_production_hides_errors_and_internal_files"]),
    Mutation("M27", "H1", "HSTS in production", "ideas/headers.py",
             [('h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")',
               'h.setdefault("X-No-HSTS", "1")')],
             ["tests/test_trust_gaps.py::test_production_sends_hsts_and_development_does_not"]),
    Mutation("M28", "Z1", "staff-area guard (moderation, strategy, exports, admin)", "ideas/guards.py",
             [("abort(403)", "pass")],
             ["tests/test_permissions.py::test_citizens_are_refused"]),
    Mutation("M29", "P6", "IP retention: old security-log lines are purged", "ideas/retention.py",
             [("                if when is None or when < cutoff:", "                if when is None:")],
             ["tests/test_trust_gaps.py::test_purge_ips_removes_log_lines_older_than_the_retention"]),
    Mutation("M30", "P2", "re-consent when the legal texts change", "ideas/consent.py",
             [("    if session.get(sessions.TODO) or not outdated(current_user):",
               "    if True:")],
             ["tests/test_trust_gaps.py::test_a_changed_privacy_version_asks_for_consent_again"]),
    Mutation("M31", "P7", "every export is logged", "ideas/exports.py",
             [('    log_event("export", dataset=dataset, format=fmt, process=process.slug if process else None)\n',
               "")],
             ["tests/test_trust_gaps.py::test_every_team_export_is_logged_with_who_and_what"]),
    Mutation("M32", "S4", "password change ends the other sessions", "ideas/auth.py",
             [("        user.password_hash = hash_password(form.password.data)\n        user.end_all_sessions()\n"
               "        send_mail(user.email, _l(\"Your password has been changed\"), \"password_changed\", locale",
               "        user.password_hash = hash_password(form.password.data)\n"
               "        send_mail(user.email, _l(\"Your password has been changed\"), \"password_changed\", locale")],
             ["tests/test_auth.py::test_changing_the_password_logs_out_the_other_browsers_and_tells_the_person"]),
    Mutation("M33", "S6", "changing the password needs the current one", "ideas/auth.py",
             [("    if form.validate_on_submit() and current_password_ok(form):\n        user = current_user",
               "    if form.validate_on_submit():\n        user = current_user")],
             ["tests/test_auth.py::test_changing_the_password_needs_the_current_one"]),
]


def copy_repo() -> Path:
    target = Path(tempfile.mkdtemp(prefix="ideenfenster-mutations-")) / "repo"
    shutil.copytree(ROOT, target, ignore=SKIP)
    return target


def run_tests(repo: Path, tests: list[str]) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TEST_DATABASE_URL", "REQUIRE_POSTGRES", "BROWSER_TESTS", "REQUIRE_BROWSER")}
    env.update(PYTHONDONTWRITEBYTECODE="1", INSTANCE_PATH=str(repo / "instance"))
    command = [str(PYTHON), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    result = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=900)  # noqa: S603
    return result.returncode, result.stdout[-3000:] + result.stderr[-2000:]


def apply(repo: Path, mutation: Mutation) -> str:
    """Write the mutated file and return the original text."""
    path = repo / mutation.path
    original = path.read_text(encoding="utf-8")
    _check_found(repo, mutation)
    mutated = original
    for search, replace in mutation.edits:
        mutated = mutated.replace(search, replace)
    path.write_text(mutated, encoding="utf-8")
    return original


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not argv or m.id in argv]
    repo = copy_repo()
    print(f"copy of the repository: {repo}", flush=True)
    try:
        check = subprocess.run([str(PYTHON), "-c", "import ideas; print(ideas.__file__)"],  # noqa: S603
                               cwd=repo, capture_output=True, text=True)
        assert str(repo) in check.stdout, f"the copy's package must be imported, got {check.stdout}{check.stderr}"
        # All searches first: a moved line must fail before anything long runs.
        for m in chosen:
            _check_found(repo, m)
        baseline = sorted({t for m in chosen for t in m.tests})
        code, out = run_tests(repo, baseline)
        if code != 0:
            print(out)
            print("The unmutated tests fail: fix them before judging mutations.")
            return 2
        print(f"baseline: {len(baseline)} test selections pass unmutated", flush=True)
        rows = []
        for m in chosen:
            original = apply(repo, m)
            started = time.monotonic()
            try:
                code, out = run_tests(repo, m.tests)
            finally:
                (repo / m.path).write_text(original, encoding="utf-8")
            verdict = "killed" if code == 1 else ("SURVIVED" if code == 0 else f"ERROR (pytest exit {code})")
            rows.append((m, verdict))
            print(f"{m.id} {m.item:4} {verdict:8} {time.monotonic() - started:5.1f}s  {m.what}", flush=True)
            if verdict != "killed":
                print(out)
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)
    print("\n| mutation | item | protection removed (file) | tests run | result |\n|---|---|---|---|---|")
    for m, verdict in rows:
        tests = "<br>".join(f"`{t.replace('tests/', '')}`" for t in m.tests)
        print(f"| {m.id} | {m.item} | {m.what} (`{m.path}`) | {tests} | {verdict} |")
    bad = [m.id for m, verdict in rows if verdict != "killed"]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} mutations killed" + (f"; not killed: {bad}" if bad else ""))
    return 1 if bad else 0


def _check_found(repo: Path, mutation: Mutation) -> None:
    text = (repo / mutation.path).read_text(encoding="utf-8")
    for search, _replace in mutation.edits:
        found = text.count(search)
        if found != 1:
            raise SystemExit(f"{mutation.id}: expected the search string once in {mutation.path}, found {found}:\n"
                             f"{search}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
