"""The bench's Markdown: one table per database and size, the growth table, targets, the machine."""
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time

from bench.load import WRK, Result

YARDSTICK = "Login page (yardstick, no query)"
GROWTH = ("Feed, page 1 (newest)", "Feed, search", "Idea page, 200 comments")
TOGGLE = "Support toggle (POST, htmx)"
TOGGLE_TARGET = {"postgresql": 300, "sqlite": 100}
RATIO_LIMIT, GROWTH_LIMIT, EXPORT_LIMIT_MS, RSS_LIMIT_MB = 3.0, 1.5, 5000, 150


def _ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def cell(result: Result) -> str:
    if result.p95 is None:
        return result.note or "n/a"
    return f"median {_ms(result.p50)} ms, p95 {_ms(result.p95)} ms, {result.rate:.0f} req/s, errors {result.errors}"


def _yardstick(run: dict) -> Result:
    return next(r for label, _, r in run["rows"] if label == YARDSTICK)


def _ratio(result: Result, trivial: Result) -> float | None:
    if result.p95 is None or not trivial.p95:
        return None
    return result.p95 / trivial.p95


def table(run: dict) -> str:
    trivial = _yardstick(run)
    plan = run["plan"]
    lines = [
        f"### {run['db']}, {run['size']:,} ideas",
        "",
        f"{plan['ideas']:,} ideas, {plan['users']:,} accounts, {plan['comments']:,} comments; "
        f"{run['connections']} connections (exports: 1), 4 gunicorn workers. "
        f"The login page ran {plan['login_queries']} SQL queries. "
        f"Largest worker RSS: {run['rss']:.0f} MB. "
        f"Support counters after the toggles: cache {run['counters'][0]:,}, rows {run['counters'][1]:,} "
        f"({'equal' if run['counters'][0] == run['counters'][1] else 'DIFFERENT'}).",
        "",
        "| endpoint | median ms | p95 ms | req/s | p95 ÷ login p95 | non-2xx/3xx + socket errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, _path, result in run["rows"]:
        if result.p95 is None:
            lines.append(f"| {label} | {result.note or 'n/a'} | | | | |")
            continue
        ratio = _ratio(result, trivial)
        lines.append(f"| {label} | {_ms(result.p50)} | {_ms(result.p95)} | {result.rate:.0f} | "
                     f"{'–' if ratio is None else f'{ratio:.1f}'} | {result.errors} |")
    return "\n".join(lines)


def _row(run: dict, prefix: str) -> Result | None:
    return next((r for label, _, r in run["rows"] if label.startswith(prefix)), None)


def growth(runs: list[dict]) -> tuple[str, list[tuple[str, bool]]]:
    """100k ÷ 1k for feed, search and idea page, per database (medians; p95 for reference)."""
    lines = ["| database | endpoint | median 1k ms | median 100k ms | median ratio | p95 ratio |",
             "|---|---|---:|---:|---:|---:|"]
    verdicts = []
    for db in dict.fromkeys(r["db"] for r in runs):
        sized = {r["size"]: r for r in runs if r["db"] == db}
        if len(sized) < 2:
            continue
        small, large = sized[min(sized)], sized[max(sized)]
        for prefix in GROWTH:
            a, b = _row(small, prefix), _row(large, prefix)
            if not a or not b or a.p50 is None or b.p50 is None:
                continue
            ratio, p95_ratio = b.p50 / a.p50, b.p95 / a.p95
            lines.append(f"| {db} | {prefix} | {_ms(a.p50)} | {_ms(b.p50)} | {ratio:.2f} | {p95_ratio:.2f} |")
            verdicts.append((f"{db}: {prefix} at {max(sized):,} ≤ {GROWTH_LIMIT} × {min(sized):,} "
                             f"(median {ratio:.2f}×)", ratio <= GROWTH_LIMIT))
    return "\n".join(lines), verdicts


def targets(runs: list[dict]) -> list[tuple[str, bool | None]]:
    verdicts: list[tuple[str, bool | None]] = []
    for run in runs:
        where = f"{run['db']}, {run['size']:,}"
        trivial = _yardstick(run)
        if run["size"] >= 100_000:
            slow = [(label, _ratio(r, trivial)) for label, _, r in run["rows"]
                    if label != YARDSTICK and "export" not in label and r.p95 is not None]
            worst = max(slow, key=lambda item: item[1] or 0, default=("–", 0))
            over = [f"{label} {ratio:.1f}×" for label, ratio in slow if ratio and ratio > RATIO_LIMIT]
            verdicts.append((f"{where}: every page p95 ≤ {RATIO_LIMIT:.0f} × login p95 "
                             f"(worst: {worst[0]}, {worst[1] or 0:.1f}×)"
                             + (f"; over: {', '.join(over)}" if over else ""), not over))
        for label, _, r in run["rows"]:
            if "export" in label:
                ok = None if r.p95 is None else r.p95 < EXPORT_LIMIT_MS
                verdicts.append((f"{where}: {label} under 5 s ({cell(r)})", ok))
        toggle = _row(run, TOGGLE)
        need = TOGGLE_TARGET.get(run["db"], 0)
        if toggle is not None:
            verdicts.append((f"{where}: ≥ {need} support toggles/s with zero errors "
                             f"({toggle.rate:.0f}/s, {toggle.errors} errors)",
                             toggle.rate >= need and toggle.errors == 0))
        verdicts.append((f"{where}: every worker under {RSS_LIMIT_MB} MB RSS (max {run['rss']:.0f} MB)",
                         run["rss"] < RSS_LIMIT_MB))
        verdicts.append((f"{where}: support counters equal rows after the toggles",
                         run["counters"][0] == run["counters"][1]))
    return verdicts


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine(runs: list[dict]) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor() or "?")
    mem = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo")
                if line.startswith("MemTotal")), 0)
    pg = "–"
    if any(r["db"] == "postgresql" for r in runs):
        pg = _command("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version")
    wrk = re.sub(r"\s+Copyright.*", "", (_command(WRK, "-v").splitlines() or ["wrk ?"])[0])
    gunicorn = _command(sys.executable, "-m", "gunicorn", "--version").replace("gunicorn (version ", "").rstrip(")")
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem:,} MB RAM, load average at the end "
            f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"PostgreSQL {pg}, {wrk}, gunicorn {gunicorn}.")


def markdown(runs: list[dict], cfg: dict, elapsed: float) -> str:
    growth_table, growth_verdicts = growth(runs)
    verdicts = targets(runs) + growth_verdicts
    mark = {True: "met", False: "**not met**", None: "n/a"}
    parts = [
        f"# Benchmark {time.strftime('%Y-%m-%d %H:%M')} ({cfg['label']})",
        "",
        f"Machine: {machine(runs)}",
        "",
        f"`make bench`: wrk for {cfg['seconds']:.0f} s per row after a 1 s warm-up, {cfg['connections']} "
        "connections, gunicorn with 4 sync workers and the production config on loopback (rate limits "
        "off). Medians and 95th percentiles from wrk's latency histogram. The support toggle flips "
        "8 citizens' supports on 100 ideas (each request a real insert or delete). Exports are "
        f"fetched one at a time. Whole run: {elapsed / 60:.1f} minutes.",
        "",
        *[part for run in runs for part in (table(run), "")],
        "### Growth with the data",
        "",
        growth_table if growth_verdicts else "Needs two sizes of the same database (BENCH_SIZES).",
        "",
        "### Targets",
        "",
        *[f"- {mark[ok]}: {text}" for text, ok in verdicts],
        "",
    ]
    return "\n".join(parts)
