"""National-scale benchmark: ``flask bench-seed`` builds the data set, ``flask bench-run`` measures pages.

The data set: one national root, 63 provinces, about 11 districts each, grassroots unions under them
(100,000 units in all by default) and 1,000,000 initiatives with realistic statuses, their tallies, daily
series for the federations, and MinHash band rows for duplicate look-up (random hashes: the index, not the
hash function, is what is measured). Timings are in-process requests through the Flask test client,
reported as a ratio to an empty route measured in the same run, so machines of different speed compare.

Unlike the demo (app/demo/seed.py), the generator writes rows in bulk, statuses included, without the workflow:
a million transitions would take hours, and what is measured is reading at national size, not writing. The
counters are then recounted from those rows by ``tallies.rebuild`` (the domain's own recount) and the daily
series derived from their dates.
"""
from __future__ import annotations

import json
import platform
import random
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, text

from ..domain import accounts, campaigns, duplicates, tallies
from ..domain.text import fold
from ..extensions import db
from ..models import (
    Campaign,
    DailyTally,
    Initiative,
    InitiativeBand,
    Period,
    Role,
    Status,
    Target,
    Unit,
    UnitKind,
    User,
    path_ids,
)
from ..submissions.service import similar  # the typing hint is what one row measures

BENCH_SLUG = "bench-national"
ROOT_CODE = "VN"
DOCS = Path(__file__).resolve().parents[2] / "docs"
STATUS_MIX = [(Status.VALID, 31), (Status.INVALID, 27), (Status.SUBMITTED, 36), (Status.RETURNED, 6)]
WORDS = ["cai", "tien", "quy", "trinh", "ung", "dung", "phan", "mem", "quan", "ly", "ho", "so", "tiet", "kiem",
         "dien", "nang", "day", "chuyen", "san", "xuat", "giao", "duc", "day", "hoc", "y", "te", "tiep", "don",
         "benh", "nhan", "so", "hoa", "nong", "nghiep", "an", "toan", "lao", "dong", "ma", "qr", "zalo", "ban",
         "tru", "vung", "cao"]


def init_app(app: Flask) -> None:
    app.cli.add_command(bench_seed)
    app.cli.add_command(bench_run)


def _batched_insert(model, rows: list[dict], size: int = 20000) -> None:
    for start in range(0, len(rows), size):
        db.session.execute(insert(model), rows[start:start + size])


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


@click.command("bench-seed")
@click.option("--initiatives", default=1_000_000, show_default=True)
@click.option("--units", default=100_000, show_default=True)
@with_appcontext
def bench_seed(initiatives: int, units: int) -> None:
    """Generate the national-size data set (once; a second run finishes an interrupted one or skips)."""
    existing = db.session.scalar(select(Campaign).where(Campaign.slug == BENCH_SLUG))
    if existing is not None:
        if tallies.for_unit(existing.id, existing.unit_id) is None:
            _finish(existing, time.perf_counter())
        else:
            _ensure_periods(existing)
            click.echo("Benchmark data already present.")
        return
    rng = random.Random(1_000_000)
    started = time.perf_counter()
    provinces, districts_per_province = 63, 11
    grassroots_total = max(1, units - 1 - provinces - provinces * districts_per_province)

    # Units: ids assigned here so paths can be written in one pass.
    unit_rows, next_unit = [], _next_id(Unit)
    root_id = next_unit
    unit_rows.append(dict(id=root_id, parent_id=None, code=ROOT_CODE, name="Tổng Liên đoàn Lao động Việt Nam",
                          name_folded="tong lien doan lao dong viet nam", kind=UnitKind.PROVINCE,
                          path=f"/{root_id}/", depth=0, created_at=datetime(2022, 1, 1)))
    next_unit += 1
    district_ids, grassroots, paths = [], [], {root_id: f"/{root_id}/"}
    for p in range(provinces):
        pid = next_unit
        next_unit += 1
        paths[pid] = f"{paths[root_id]}{pid}/"
        unit_rows.append(dict(id=pid, parent_id=root_id, code=f"P{p:02d}", name=f"LĐLĐ tỉnh số {p + 1}",
                              name_folded=fold(f"LĐLĐ tỉnh số {p + 1}"), kind=UnitKind.PROVINCE, path=paths[pid],
                              depth=1, created_at=datetime(2022, 1, 1)))
        for d in range(districts_per_province):
            did = next_unit
            next_unit += 1
            paths[did] = f"{paths[pid]}{did}/"
            district_ids.append(did)
            unit_rows.append(dict(id=did, parent_id=pid, code=f"P{p:02d}D{d:02d}", name=f"LĐLĐ huyện {p + 1}.{d + 1}",
                                  name_folded=fold(f"LĐLĐ huyện {p + 1}.{d + 1}"), kind=UnitKind.DISTRICT,
                                  path=paths[did],
                                  depth=2, created_at=datetime(2022, 1, 1)))
    for g in range(grassroots_total):
        did = district_ids[g % len(district_ids)]
        gid = next_unit
        next_unit += 1
        paths[gid] = f"{paths[did]}{gid}/"
        grassroots.append(gid)
        unit_rows.append(dict(id=gid, parent_id=did, code=f"G{g:06d}", name=f"CĐCS số {g + 1}",
                              name_folded=f"cdcs so {g + 1}", kind=UnitKind.GRASSROOTS, path=paths[gid], depth=3,
                              member_count=rng.randint(10, 400), created_at=datetime(2022, 1, 1)))
    _batched_insert(Unit, unit_rows)
    _advance_sequences()  # the accounts and the campaign below get their ids from the sequences
    db.session.commit()
    click.echo(f"units: {len(unit_rows):,} ({time.perf_counter() - started:.0f} s)")

    author = accounts.create_user(full_name="Tác giả thử tải", role=Role.MEMBER,
                                  unit=db.session.get(Unit, grassroots[0]))
    campaign = Campaign(slug=BENCH_SLUG, name="Chương trình 01 triệu sáng kiến (thử tải)", unit_id=root_id,
                        start_date=date(2022, 4, 22), end_date=date(2022, 5, 31), goal=initiatives)
    db.session.add(campaign)
    db.session.flush()
    campaigns.add_defaults(campaign)
    _batched_insert(Target, [dict(campaign_id=campaign.id, unit_id=uid, count=max(1, initiatives // provinces))
                             for uid in range(root_id + 1, root_id + 1 + provinces)])

    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    first_id = _next_id(Initiative)
    start = datetime(2022, 1, 10)
    # Bulk rows, statuses written directly (see the module's docstring): the workflow is not what is measured.
    rows: list[dict] = []
    bands: list[dict] = []
    for n in range(initiatives):
        words = rng.sample(WORDS, 8)
        title = " ".join(words).capitalize()
        status = rng.choice(statuses)
        when = start + timedelta(minutes=rng.randint(0, 140 * 24 * 60))
        decided = status not in (Status.SUBMITTED,)
        rows.append(dict(id=first_id + n, campaign_id=campaign.id, unit_id=rng.choice(grassroots), title=title,
                         title_folded=fold(title), text_folded=fold(title), field="other", status=status,
                         author_id=author.id, entered_by_id=author.id, version=2, created_at=when, updated_at=when,
                         submitted_at=when, first_submitted_at=when,
                         decided_at=when + timedelta(days=2) if decided else None,
                         current_situation="", solution="", application_scope="", effectiveness=""))
        bands.extend(dict(initiative_id=first_id + n, band=b, band_hash=rng.getrandbits(62))
                     for b in range(duplicates.BANDS))
        if len(rows) >= 50_000:
            _batched_insert(Initiative, rows)
            _batched_insert(InitiativeBand, bands, 50_000)
            db.session.commit()  # one batch per transaction: no million-row transaction to hold or to lose
            rows, bands = [], []
            click.echo(f"initiatives: {n + 1:,} ({time.perf_counter() - started:.0f} s)")
    _batched_insert(Initiative, rows)
    _batched_insert(InitiativeBand, bands, 50_000)
    db.session.commit()
    _finish(campaign, started)


def _advance_sequences() -> None:
    """Rows written with explicit ids leave PostgreSQL's sequences behind: move each to its table's largest id, so
    that the next row the application writes (a real submission on the seeded database) gets a free one."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite takes the next rowid from the table itself
    for model in (Unit, Initiative):
        table = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"GREATEST((SELECT MAX(id) FROM {table}), 1))"))


def _finish(campaign: Campaign, started: float) -> None:
    """Counters, daily series and planner statistics for the generated data (after an interrupted run too: the
    initiatives committed so far)."""
    _advance_sequences()
    count = tallies.rebuild(campaign.id)  # counters for all 100,000 units from the initiatives
    _daily_for_federations(campaign)
    _ensure_periods(campaign)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"done: {count:,} tally rows in {time.perf_counter() - started:.0f} s")


def _ensure_periods(campaign: Campaign) -> tuple[Period, Period]:
    """The peak periods bench-run measures (added once): a month over the whole campaign's unit, and one
    district's week; their figures are the cohort rows ``tallies.rebuild`` wrote."""
    found = list(db.session.scalars(select(Period).where(Period.campaign_id == campaign.id).order_by(Period.id)))
    if len(found) >= 2:
        return found[0], found[1]
    province = db.session.scalar(select(Unit.id).where(Unit.parent_id == campaign.unit_id).order_by(Unit.id).limit(1))
    district = db.session.scalar(select(Unit.id).where(Unit.parent_id == province).order_by(Unit.id).limit(1))
    if district is None:
        raise click.UsageError("the benchmark data is incomplete: run flask bench-seed again")
    month = Period(campaign_id=campaign.id, unit_id=campaign.unit_id, name="Tháng cao điểm (thử tải)", kind="month",
                   start_date=date(2022, 5, 1), end_date=date(2022, 5, 31), goal=max(1, campaign.goal // 5))
    week = Period(campaign_id=campaign.id, unit_id=district, name="Tuần cao điểm huyện (thử tải)", kind="week",
                  start_date=date(2022, 5, 9), end_date=date(2022, 5, 15), goal=100)
    db.session.add_all([month, week])
    db.session.commit()
    return month, week


def _daily_for_federations(campaign: Campaign) -> None:
    """Daily valid series for the root, provinces and districts (what the charts read)."""
    by_unit_day: dict[tuple[int, date], list[int]] = {}
    rows = db.session.execute(select(Unit.path, Initiative.decided_at, Initiative.submitted_at, Initiative.status)
                              .join(Unit, Unit.id == Initiative.unit_id)
                              .where(Initiative.campaign_id == campaign.id))
    for path, decided_at, submitted_at, status in rows:
        ancestors = path_ids(path)[:-1]
        changes = [(tallies.local_day(submitted_at), 0)]
        if status == Status.VALID:
            changes.append((tallies.local_day(decided_at), 1))
        for day, column in changes:
            for ancestor in ancestors:
                by_unit_day.setdefault((ancestor, day), [0, 0])[column] += 1
    _batched_insert(DailyTally, [dict(campaign_id=campaign.id, unit_id=u, day=d, submitted=s, valid=v)
                                 for (u, d), (s, v) in by_unit_day.items()])


def _time(call, repeat: int) -> list[float]:
    call()  # warm caches and the connection pool
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


@click.command("bench-run")
@click.option("--repeat", default=40, show_default=True)
@with_appcontext
def bench_run(repeat: int) -> None:
    """Measure the dashboard, ranking, queue and duplicate look-up; write docs/bench-<database>.json."""
    from flask import current_app
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == BENCH_SLUG))
    if campaign is None:
        raise click.UsageError("run flask bench-seed first")
    province = db.session.scalar(select(Unit).where(Unit.parent_id == campaign.unit_id).limit(1))
    district = db.session.scalar(select(Unit).where(Unit.parent_id == province.id).limit(1)) if province else None
    if province is None or district is None:
        raise click.UsageError("the benchmark data is incomplete: run flask bench-seed again")
    reviewer = db.session.scalar(select(User).where(User.phone == "0999999999"))
    if reviewer is None:
        reviewer = accounts.create_user(full_name="Người thẩm định thử tải", role=Role.REVIEWER, unit=None,
                                        password="bench-password", phone="0999999999", scope_unit=province)
        db.session.commit()
    initiatives = db.session.scalar(select(func.count()).select_from(Initiative)
                                    .where(Initiative.campaign_id == campaign.id))
    units = db.session.scalar(select(func.count()).select_from(Unit))
    client = current_app.test_client()
    reviewer_client = current_app.test_client()
    token_page = reviewer_client.get("/login").get_data(as_text=True)
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    reviewer_client.post("/login", data={"identifier": "0999999999", "password": "bench-password",
                                         "csrf_token": token})
    # An organizer of the whole programme reads the giao ban and the sơ kết (admin pages).
    if db.session.scalar(select(User).where(User.phone == "0999999998")) is None:
        accounts.create_user(full_name="Cán bộ tổ chức thử tải", role=Role.ORGANIZER, unit=None,
                             password="bench-password", phone="0999999998", scope_unit=campaign.unit)
        db.session.commit()
    organizer_client = current_app.test_client()
    with current_app.app_context():  # its own request globals (CSRF token, user), as each request below
        page = organizer_client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1]
        organizer_client.post("/login", data={"identifier": "0999999998", "password": "bench-password",
                                              "csrf_token": token.split('"')[0]})
    version = client.get(f"/campaigns/{BENCH_SLUG}").get_data(as_text=True).split('name="v" value="')[1][:16]
    month, week = _ensure_periods(campaign)
    htmx = {"HX-Request": "true"}
    probe_text = fold(" ".join(random.Random(5).sample(WORDS, 10)))

    def get(c, url, **kw):
        def call():
            # A fresh app context per request, as a server gives: each client is its own session, not the user
            # (or CSRF token) the last request left in the run's context.
            with current_app.app_context():
                response = c.get(url, **kw)
            assert response.status_code in (200, 204), (url, response.status_code)
        return call

    cases = {
        "empty route (/healthz)": get(client, "/healthz"),
        "campaign page, national root": get(client, f"/campaigns/{BENCH_SLUG}"),
        "campaign page, one province": get(client, f"/campaigns/{BENCH_SLUG}/units/{province.id}"),
        "counters partial (changed)": get(client, f"/campaigns/{BENCH_SLUG}/counters", headers=htmx),
        "counters poll, unchanged (204)": get(client, f"/campaigns/{BENCH_SLUG}/counters?v={version}", headers=htmx),
        "ranking partial, 63 provinces": get(client, f"/campaigns/{BENCH_SLUG}/ranking", headers=htmx),
        "ranking partial, ~145 grassroots": get(client, f"/campaigns/{BENCH_SLUG}/ranking?unit={district.id}",
                                                headers=htmx),
        "period page, month over the root": get(client, f"/campaigns/{BENCH_SLUG}/periods/{month.id}"),
        "period page, one district's week": get(client, f"/campaigns/{BENCH_SLUG}/periods/{week.id}"),
        "review queue, province reviewer": get(reviewer_client, "/review/"),
        "giao ban month, 63 provinces": get(organizer_client,
                                            f"/admin/campaigns/{campaign.id}/report?kind=month&day=2022-05-01"),
        "sơ kết page, one province": get(organizer_client,
                                         f"/admin/campaigns/{campaign.id}/summary?unit={province.id}"),
        "duplicate candidates look-up": lambda: duplicates.candidates_for_text(probe_text, campaign.id),
        "similar-title hint while typing": lambda: similar("cai tien quy trinh", reviewer, campaign.id),
    }
    results = {}
    for name, call in cases.items():
        samples = _time(call, repeat)
        results[name] = {"median_ms": round(statistics.median(samples), 2),
                         "p95_ms": round(sorted(samples)[int(0.95 * (len(samples) - 1))], 2)}
        click.echo(f"{name:<36} median {results[name]['median_ms']:8.2f} ms  p95 {results[name]['p95_ms']:8.2f} ms")
    base = results["empty route (/healthz)"]["median_ms"] or 1
    for values in results.values():
        values["ratio_to_empty"] = round(values["median_ms"] / base, 1)
    dialect = db.engine.dialect.name
    DOCS.mkdir(exist_ok=True)
    (DOCS / f"bench-{dialect}.json").write_text(json.dumps({
        "database": dialect, "initiatives": initiatives, "units": units, "repeat": repeat,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "measured": datetime.now().strftime("%Y-%m-%d %H:%M"), "results": results}, ensure_ascii=False, indent=2))
    click.echo(f"written docs/bench-{dialect}.json")
