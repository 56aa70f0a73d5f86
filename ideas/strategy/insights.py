"""Insights for the project team: who takes part, through which channel, when, and on what.

Every chart is built from one grouped query, so the page costs the same for 30 or 100,000 ideas.
"""
from collections import Counter
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select, union

from ideas.charts import COLOURS, Series, bar_chart
from ideas.extensions import db
from ideas.forms import AGE_GROUPS
from ideas.labels import CHANNEL
from ideas.models import PUBLIC_STATUSES, AgeGroup, Channel, Comment, Idea, User, Vote
from ideas.strategy import bp
from ideas.strategy.processes import get_process

# Shares of the town's population in percent, used when POPULATION_SHARES is not configured:
# a plausible small German town.
DEFAULT_POPULATION_SHARES = {
    "under_18": 17, "18_29": 12, "30_44": 18, "45_59": 22, "60_74": 20, "75_plus": 11,
}
# A group counts as "reached least" when its share of participants lies this many points below.
GAP_POINTS = 5
MAX_WEEKS = 260


def per_field(process) -> list[dict]:
    rows = db.session.execute(
        select(Idea.action_field_id, func.count(Idea.id), func.coalesce(func.sum(Idea.support_count), 0))
        .where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES))
        .group_by(Idea.action_field_id)
    ).all()
    found = {field_id: (ideas, int(supports)) for field_id, ideas, supports in rows}
    result = [{"label": field.name, "ideas": found.get(field.id, (0, 0))[0],
               "supports": found.get(field.id, (0, 0))[1]} for field in process.action_fields]
    if None in found:
        result.append({"label": _("No action field"), "ideas": found[None][0], "supports": found[None][1]})
    return result


def per_channel(process) -> list[dict]:
    rows = db.session.execute(
        select(Idea.channel, func.count(Idea.id))
        .where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES))
        .group_by(Idea.channel)
    ).all()
    found = {Channel(channel): number for channel, number in rows}
    channels = [c for c in Channel if c == Channel.online or c in (process.channels or []) or found.get(c)]
    return [{"label": str(CHANNEL[c]), "ideas": found.get(c, 0)} for c in channels]


def per_week(process) -> list[dict]:
    """Public ideas per ISO week, from the first to the last week with an idea, gaps included."""
    created = db.session.scalars(
        select(Idea.created_at).where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES))
    ).all()
    weeks = Counter()
    for moment in created:
        day = moment.date()
        weeks[day - timedelta(days=day.weekday())] += 1
    if not weeks:
        return []
    monday, last = min(weeks), max(weeks)
    monday = max(monday, last - timedelta(weeks=MAX_WEEKS - 1))
    result = []
    while monday <= last:
        year, week, _day = monday.isocalendar()
        result.append({"label": _("Week %(week)d/%(year)d", week=week, year=year),
                       "start": monday, "ideas": weeks.get(monday, 0)})
        monday += timedelta(weeks=1)
    return result


def per_age_group(process) -> tuple[list[dict], int]:
    """Distinct people who submitted, supported or commented, by age group, against the town."""
    in_process = select(Idea.id).where(Idea.process_id == process.id)
    people = union(
        select(Idea.author_id.label("user_id")).where(Idea.process_id == process.id, Idea.author_id.is_not(None)),
        select(Vote.user_id).where(Vote.idea_id.in_(in_process)),
        select(Comment.author_id).where(Comment.idea_id.in_(in_process), Comment.author_id.is_not(None)),
    ).subquery()
    rows = db.session.execute(
        select(User.age_group, func.count(User.id)).where(User.id.in_(select(people.c.user_id)))
        .group_by(User.age_group)
    ).all()
    found = {(AgeGroup(group).value if group else ""): number for group, number in rows}
    population = current_app.config.get("POPULATION_SHARES", DEFAULT_POPULATION_SHARES)
    answered = sum(number for key, number in found.items() if key)
    result = []
    for choice in AGE_GROUPS:
        key, label = choice.value, choice.label
        count = found.get(key, 0)
        if not key:
            result.append({"label": str(label), "participants": count, "share": None, "population": None,
                           "difference": None, "no_answer": True})
            continue
        share = round(100 * count / answered, 1) if answered else 0.0
        pop = float(population.get(key, 0))
        result.append({"label": str(label), "participants": count, "share": share, "population": pop,
                       "difference": round(share - pop, 1), "no_answer": False})
    return result, answered


@bp.route("/processes/<int:process_id>/insights")
def insights(process_id: int):
    """Four charts, each with a table holding the same numbers."""
    process = get_process(process_id)
    fields, channels, weeks = per_field(process), per_channel(process), per_week(process)
    ages, answered = per_age_group(process)
    compared = [row for row in ages if not row["no_answer"]]
    least = [row["label"] for row in compared if answered and row["difference"] <= -GAP_POINTS]

    top_field = max(fields, key=lambda r: r["ideas"], default=None)
    charts = {
        "fields": bar_chart(
            "chart-fields", _("Ideas and supports per action field"),
            _("Most public ideas are in the action field %(field)s.", field=top_field["label"])
            if top_field and top_field["ideas"] else _("There are no public ideas yet."),
            [r["label"] for r in fields],
            [Series(_("Ideas"), [r["ideas"] for r in fields], COLOURS[0]),
             Series(_("Supports"), [r["supports"] for r in fields], COLOURS[1])],
        ),
        "channels": bar_chart(
            "chart-channels", _("Ideas per channel"),
            _("%(online)d of %(total)d public ideas were submitted online.",
              online=channels[0]["ideas"], total=sum(r["ideas"] for r in channels)),
            [r["label"] for r in channels], [Series(_("Ideas"), [r["ideas"] for r in channels])],
        ),
        "weeks": bar_chart(
            "chart-weeks", _("Ideas per week"),
            _("The most ideas came in during %(week)s.", week=max(weeks, key=lambda r: r["ideas"])["label"])
            if weeks else _("There are no public ideas yet."),
            [r["label"] for r in weeks], [Series(_("Ideas"), [r["ideas"] for r in weeks])],
        ),
        "ages": bar_chart(
            "chart-ages", _("Participants by age group compared with the population"),
            (_("Least reached compared with the population: %(groups)s.", groups=", ".join(least))
             if least else _("No age group is clearly under-represented.")),
            [r["label"] for r in compared],
            [Series(_("Share of participants"), [r["share"] for r in compared], COLOURS[0]),
             Series(_("Share of population"), [r["population"] for r in compared], COLOURS[1])],
            unit=" %",
        ),
    }
    return render_template("strategy/insights.html", process=process, charts=charts, fields=fields,
                           channels=channels, weeks=weeks, ages=ages, answered=answered, least=least,
                           gap=GAP_POINTS)
