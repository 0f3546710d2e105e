"""Command line: ``flask seed-demo``, ``demo-clock``, ``create-user``, ``import-units``, ``rebuild-tallies``."""
from __future__ import annotations

import csv
import getpass
from datetime import date

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from . import clock
from .demo import seed
from .domain import accounts, tallies
from .domain.text import fold
from .domain.units import create_unit
from .extensions import db
from .models import AppSetting, Campaign, Role, Unit, UnitKind


def init_app(app: Flask) -> None:
    from .demo import bench, bench_http, bench_report
    bench.init_app(app)
    app.cli.add_command(bench_http.bench_http)
    app.cli.add_command(bench_report.bench_report)
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_clock)
    app.cli.add_command(create_user)
    app.cli.add_command(import_units)
    app.cli.add_command(rebuild_tallies)
    app.cli.add_command(weekly_digest)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only load into a database with no units and no users.")
def seed_demo(if_empty: bool) -> None:
    """Load the Lai Châu demo (units, users of every role, the 40-day campaign, ~1,000 initiatives)."""
    if seed.is_loaded():
        click.echo("The Lai Châu demo is already loaded; nothing to do.")
        return
    if if_empty and not seed.database_is_empty():
        click.echo("The database already holds data; the demo was not loaded.")
        return
    result = seed.load()
    db.session.commit()
    seed.tell_today()  # the scheduled jobs at the demo's today: reminders, the digest, alerts
    click.echo(f"Loaded {result['units']} units, {result['initiatives']} initiatives, "
               f"{result['attachments']} attachments, campaign “{result['campaign'].name}”.")
    click.echo(f"Demo clock: today is {result['demo_date']:%d/%m/%Y} for the app (flask demo-clock --off for real "
               "time).")
    click.echo(f"Demo accounts (password for all: {seed.DEMO_PASSWORD}):")
    for user in result["accounts"]:
        click.echo(f"  {user.role:<10} {user.phone}  {user.email:<36} {user.full_name}")


DEMO_DATE_KEY = "demo_date"


@click.command("demo-clock")
@with_appcontext
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Make this day today for the app (the demo clock).")
@click.option("--off", is_flag=True, help="Back to real time.")
def demo_clock(day: str | None, off: bool) -> None:
    """Show, set or turn off the demo clock. It is kept in the database and read when the app starts: restart
    the app after changing it. While it is on, every page carries a banner with the day."""
    if day and off:
        raise click.UsageError("give --date or --off, not both")
    setting = db.session.get(AppSetting, DEMO_DATE_KEY)
    if off:
        if setting is not None:
            db.session.delete(setting)
            db.session.commit()
        clock.set_demo_date(None)
        click.echo("Demo clock off: the app shows real time (restart it).")
        return
    if day:
        try:
            chosen = date.fromisoformat(day.strip())
        except ValueError:
            raise click.UsageError(f"not a date (YYYY-MM-DD): {day!r}") from None
        db.session.merge(AppSetting(key=DEMO_DATE_KEY, value=chosen.isoformat()))
        db.session.commit()
        clock.set_demo_date(chosen)
        click.echo(f"Demo clock on: today is {chosen:%d/%m/%Y} for the app (restart it).")
        return
    if setting is None:
        click.echo("Demo clock off: the app shows real time.")
    else:
        click.echo(f"Demo clock on: today is {date.fromisoformat(setting.value):%d/%m/%Y} for the app.")


@click.command("create-user")
@with_appcontext
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(Role.ALL), default=Role.MEMBER, show_default=True)
@click.option("--phone", help="Login phone number.")
@click.option("--email", help="Login email.")
@click.option("--unit", "unit_code", help="Code of the grassroots union the person belongs to.")
@click.option("--scope", "scope_code", help="Code of the unit whose subtree a reviewer/organizer works on.")
@click.option("--password", help="Password (asked for when left out).")
def create_user(name, role, phone, email, unit_code, scope_code, password) -> None:
    """Create an account, e.g. the first admin of a new province (the same rules as the organizers' form)."""
    data = accounts.AccountData(full_name=name, role=role, phone=phone, email=email, unit_code=unit_code,
                                scope_code=scope_code, password=password)
    checked = accounts.check(data)
    if not checked.problems and not data.password:
        data.password = getpass.getpass("Password: ")
        checked = accounts.check(data, password_required=True)
    if checked.problems:
        raise click.UsageError("; ".join(f"{field}: {message}" for field, message in checked.problems.items()))
    user = accounts.create(checked)
    db.session.commit()
    click.echo(f"Created {user.role} #{user.id} {user.full_name} ({user.login_name}).")


@click.command("import-units")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_units(path: str) -> None:
    """Add or update units from a CSV with columns code,name,kind,parent_code[,member_count].

    Parents may come later in the file than their children; existing codes are updated in place
    (name and member count; a unit never moves to another parent by import).
    """
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"code", "name", "kind", "parent_code"} - set(rows[0].keys() if rows else [])
    if missing:
        raise click.UsageError(f"missing columns: {', '.join(sorted(missing))}")
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    created = updated = 0
    pending = rows
    while pending:
        waiting = []
        for row in pending:
            code, kind = row["code"].strip(), row["kind"].strip()
            if kind not in UnitKind.ALL:
                raise click.UsageError(f"{code}: unknown kind {kind!r} (one of {', '.join(UnitKind.ALL)})")
            members = int(row["member_count"]) if (row.get("member_count") or "").strip() else None
            parent_code = (row["parent_code"] or "").strip()
            if code in existing:
                unit = existing[code]
                unit.name = row["name"].strip()
                unit.name_folded = fold(unit.name)
                unit.member_count = members if members is not None else unit.member_count
                updated += 1
            elif not parent_code or parent_code in existing:
                existing[code] = create_unit(row["name"], code, kind, existing.get(parent_code), members)
                created += 1
            else:
                waiting.append(row)
        if len(waiting) == len(pending):
            codes = ", ".join(r["code"] for r in waiting[:10])
            raise click.UsageError(f"parents not found for: {codes}")
        pending = waiting
    db.session.commit()
    click.echo(f"Units created: {created}, updated: {updated}.")


@click.command("rebuild-tallies")
@with_appcontext
@click.option("--campaign", "campaign_slug", help="Only this campaign (slug).")
def rebuild_tallies(campaign_slug: str | None) -> None:
    """Recount every campaign's counters from the initiatives (after an import or a repair)."""
    stmt = select(Campaign)
    if campaign_slug:
        stmt = stmt.where(Campaign.slug == campaign_slug)
    for campaign in db.session.scalars(stmt).all():
        rows = tallies.rebuild(campaign.id)
        click.echo(f"{campaign.slug}: {rows} tally rows")
    db.session.commit()


@click.command("weekly-digest")
@click.option("--week", "week", help="Any day of the week to report (default: the current week).")
@click.option("--send", is_flag=True, help="Notify each reader (leaders in charge, advisers, organizers): the "
              "in-app inbox, and e-mail or SMS by the job-queue worker.")
@with_appcontext
def weekly_digest(week: str | None, send: bool) -> None:
    """The weekly digest of every unit with a leader in charge, an adviser or an organizer: printed, or written as
    notifications with --send (once per unit, week and person: running it twice tells nobody twice)."""
    from .domain import reminders
    from .domain.weeks import week_start
    try:
        day = date.fromisoformat(week.strip()) if week else clock.today()
    except ValueError:
        raise click.UsageError(f"not a date (YYYY-MM-DD): {week!r}") from None
    first = week_start(day)
    if send:
        made = reminders.send_digests(first, clamp=True)
        db.session.commit()
        click.echo(f"Queued {made} digests (the worker delivers them).")
        return
    from .domain import digest
    for item in reminders.digests(first, clamp=True):
        text = digest.compose(item.campaign, item.unit, item.week)
        for person in item.people:
            click.echo(f"== {person.full_name} <{person.email or person.phone}>\n{text}")
