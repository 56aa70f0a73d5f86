"""Command-line tasks: create users, load demo data."""
import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from ideas.database import writing
from ideas.extensions import db
from ideas.models import Role, User, utcnow
from ideas.passwords import hash_password, problem

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.citizen.value)
@click.password_option("--password", prompt="Password", confirmation_prompt="Repeat password")
def create_user(email: str, display_name: str, role: str, password: str):
    """Create an account (verified) with the given role; the password is asked twice."""
    from ideas.auth import find_user_by_email

    email = email.strip().lower()
    # The same rules as on the website: staff need longer passwords, common ones are refused.
    refused = problem(password, is_staff=Role(role) != Role.citizen, email=email, name=display_name)
    if refused:
        raise click.ClickException(str(refused))
    with writing():
        if find_user_by_email(email):
            raise click.ClickException(f"An account for {email} exists already.")
        now = utcnow()
        user = User(email=email, display_name=display_name.strip(), role=Role(role),
                    password_hash=hash_password(password), email_verified_at=now)
        db.session.add(user)
        db.session.commit()
    click.echo(f"Created {role} {email} (id {user.id}).")


@users.command("list")
def list_users():
    """List staff accounts."""
    for user in db.session.scalars(select(User).where(User.role != Role.citizen).order_by(User.id)):
        click.echo(f"{user.id}\t{user.role.value}\t{user.email}\t{user.display_name}")


@click.command("seed-demo")
@click.option("--ideas", "n_ideas", type=int, default=None, help="Scale: number of ideas.")
@click.option("--users", "n_users", type=int, default=None, help="Scale: number of citizens.")
@click.option("--votes", "n_votes", type=int, default=None, help="Scale: number of supports.")
@click.option("--comments", "n_comments", type=int, default=None, help="Scale: number of comments.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has a process already.")
def seed_demo(n_ideas, n_users, n_votes, n_comments, if_empty):
    """Load the Musterstadt demo, or a large deterministic data set for benchmarks."""
    from ideas import demo

    with writing():
        if if_empty and demo.has_data():
            click.echo("The database has data already; no demo data loaded.")
            return
        try:
            summary = demo.seed(ideas=n_ideas, users=n_users, votes=n_votes, comments=n_comments,
                                echo=click.echo)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    click.echo(summary)


@click.command("send-mail")
@click.option("--digest", is_flag=True, help="First put each person's held mails into one daily digest.")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True,
              help="Send at most this many mails in this run.")
@click.option("--retry-failed", is_flag=True, help="Queue the mails that were given up again first.")
def send_mail_command(digest: bool, limit: int, retry_failed: bool):
    """Send queued mails that are due (every minute); with --digest, the daily digests (once a day).

    Failed mails stay queued and are tried again later, so the exit code is 0 even then.
    """
    from ideas import digest as digests
    from ideas import mail

    if retry_failed:
        click.echo(f"queued again {mail.retry_failed()}")
    if digest:
        click.echo(f"digests {digests.build_digests()}")
    failures: list[str] = []
    sent, failed = mail.deliver_due(limit=limit, failures=failures)
    for line in failures:
        click.echo(line, err=True)
    click.echo(f"sent {sent}, failed {failed}")


@click.command("export")
@click.argument("dataset", type=click.Choice(["ideas", "comments", "measures"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--process", "slug", default="", help="Slug of the process; all processes if left out.")
@click.option("--output", type=click.File("wb"), default="-", help="File to write; standard output if left out.")
def export_command(dataset: str, fmt: str, slug: str, output):
    """Export a dataset for the project team with the same rows as the web download."""
    from ideas import exports
    from ideas.models import Process
    from ideas.securitylog import log_event

    process = None
    if slug:
        process = db.session.scalar(select(Process).where(Process.slug == slug))
        if process is None:
            raise click.ClickException(f"There is no process with the slug {slug!r}.")
    output.write(exports.render(dataset, fmt, process))
    log_event("export", dataset=dataset, format=fmt, process=slug or None, user="cli")


def init_app(app: Flask) -> None:
    from ideas.retention import purge_ips_command

    app.cli.add_command(users)
    app.cli.add_command(purge_ips_command)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(export_command)
