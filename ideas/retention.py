"""Keeping IP addresses only IP_RETENTION_DAYS days: `flask purge-ips` deletes older security-log lines.

No table stores IP addresses; the security log does (one JSON line per event, each with `ip`).
logrotate can drop old files (README, Operations), but a quiet log may not rotate for weeks, so
this command removes every line older than the retention time from the file itself. Run it daily.
"""
import json
import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from flask import current_app


def _time(line: str) -> datetime | None:
    try:
        stamp = json.loads(line).get("time")
        when = datetime.fromisoformat(stamp)
    except (ValueError, TypeError, AttributeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def purge_file(path: Path, days: int, now: datetime | None = None) -> tuple[int, int]:
    """Drop lines older than `days` from one security log; returns (lines removed, lines kept).

    Lines without a readable time are removed too: they cannot be shown to be recent, and a
    security log holds nothing else. Workers keep appending meanwhile, so whatever they wrote
    while we filtered is copied over before the new file replaces the old one (WatchedFileHandler
    then reopens it by itself).
    """
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    removed = kept = 0
    with path.open("r", encoding="utf-8", errors="replace") as source:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as target:
            for line in source:
                when = _time(line)
                if when is None or when < cutoff:
                    removed += 1
                    continue
                target.write(line if line.endswith("\n") else line + "\n")
                kept += 1
            target.write(source.read())  # appended while we were reading: recent by definition
    os.chmod(tmp_name, path.stat().st_mode & 0o777)
    os.replace(tmp_name, path)
    return removed, kept


@click.command("purge-ips")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Keep this many days; IP_RETENTION_DAYS (7) if left out.")
@click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A security log to clean (repeatable); SECURITY_LOG_FILE if left out.")
def purge_ips_command(days: int | None, files: tuple[Path, ...]):
    """Delete security-log lines (and so IP addresses) older than the retention time; run it daily."""
    days = current_app.config["IP_RETENTION_DAYS"] if days is None else days
    configured = current_app.config.get("SECURITY_LOG_FILE")
    targets = list(files) or ([Path(configured)] if configured else [])
    if not targets:
        click.echo("The security log goes to stderr (SECURITY_LOG_FILE is not set): nothing is stored here.")
        return
    for path in targets:
        if not path.exists():
            click.echo(f"{path}: no such file, nothing to do.")
            continue
        removed, kept = purge_file(path, days)
        click.echo(f"{path}: removed {removed} line(s) older than {days} day(s), kept {kept}.")
