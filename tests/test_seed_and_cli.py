"""``flask seed-demo`` and the other commands, run through the real CLI."""
from __future__ import annotations

from sqlalchemy import func, select

from app.demo import seed
from app.domain import tallies
from app.extensions import db
from app.models import Campaign, Initiative, Status, StatusEvent, Target, Unit, User

from .conftest import login


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Unit, User, Initiative, Target)}


def test_seed_demo_echoes_the_letter_and_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert seed.DEMO_PASSWORD in result.output and "0900000001" in result.output
    with app.app_context():
        first = _counts()
        campaign = db.session.scalar(select(Campaign))
        assert (campaign.start_date.isoformat(), campaign.end_date.isoformat(), campaign.goal) == \
            ("2022-04-22", "2022-05-31", 1200)
        root = tallies.for_unit(campaign.id, campaign.unit_id)
        assert root.submitted == 1032
        assert root.pending + root.returned + root.invalid == 715
        # Tallies equal a recount from the initiatives themselves.
        assert tallies.recount(campaign.id)[campaign.unit_id]["valid"] == root.valid
        # Every status came through the workflow: the counters of every unit, the last valid decision (the
        # ranking's tie-break) and the daily series are the transitions' own, equal to a recount, and each
        # initiative's status is the one its last audit row reached.
        stored = {uid: {**{name: getattr(row, name) for name in tallies.COUNTERS}, "last_valid_at": row.last_valid_at}
                  for uid, row in tallies.stored(campaign.id).items()}
        assert stored == tallies.recount(campaign.id)
        assert tallies.stored_daily(campaign.id) == tallies.recount_daily(campaign.id)
        assert tallies.mismatches(campaign.id) == 0
        last_event = (select(StatusEvent.to_status).where(StatusEvent.initiative_id == Initiative.id)
                      .order_by(StatusEvent.id.desc()).limit(1).scalar_subquery())
        assert db.session.scalar(select(func.count()).select_from(Initiative).where(
            Initiative.status != Status.DRAFT, Initiative.status != last_event)) == 0
        # Top-level targets add up to the goal; each unit's children add up to it as well.
        top = select(Unit.id).where(Unit.parent_id == campaign.unit_id)
        assert db.session.scalar(select(func.sum(Target.count)).where(Target.unit_id.in_(top))) == 1200
        districts = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.parent_id == campaign.unit_id))}
        assert {"LC-TP", "LC-TD", "LC-PT", "LC-SH", "LC-MT", "LC-TU", "LC-TNU", "LC-NN", "LC-GD", "LC-YT",
                "LC-VC"} <= set(districts)
        assert db.session.scalar(select(func.count()).where(Initiative.status == Status.DRAFT)) > 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    with app.app_context():
        assert _counts() == first


def test_seed_if_empty_leaves_a_used_database_alone(app, world):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0


def test_every_demo_role_can_log_in(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    for account in seed.DEMO_ACCOUNTS:
        client = app.test_client()
        login(client, account.email, seed.DEMO_PASSWORD)
        assert account.name in client.get("/").get_data(as_text=True)


def test_create_user_command(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--name", "Người Mới", "--role", "organizer", "--phone",
                                 "0977000111", "--unit", "A1", "--scope", "A", "--password", "mot-mat-khau"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "0977000111"))
        assert person.role == "organizer" and person.scope_unit.code == "A"
    duplicate = runner.invoke(args=["create-user", "--name", "X", "--phone", "0977000111", "--password", "12345678"])
    assert duplicate.exit_code != 0


def test_import_units_from_csv(app, world, tmp_path):
    csv_file = tmp_path / "units.csv"
    # A child listed before its parent, and an update of an existing unit.
    csv_file.write_text(
        "code,name,kind,parent_code,member_count\n"
        "C1,CĐCS Trường Mầm non Hoa Ban,grassroots,C,35\n"
        "C,LĐLĐ huyện Xê,district,P,\n"
        "A1,CĐCS Trường Tiểu học Sìn Hồ số 1,grassroots,A,45\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-units", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "created: 2, updated: 1" in result.output
    with app.app_context():
        child = db.session.scalar(select(Unit).where(Unit.code == "C1"))
        parent = db.session.scalar(select(Unit).where(Unit.code == "C"))
        assert child.parent_id == parent.id and child.path.startswith(parent.path)
        assert child.name_folded == "cdcs truong mam non hoa ban"
        assert db.session.scalar(select(Unit).where(Unit.code == "A1")).member_count == 45


def test_import_units_rejects_unknown_kind(app, world, tmp_path):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text("code,name,kind,parent_code\nZ,Z,planet,P\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-units", str(csv_file)])
    assert result.exit_code != 0 and "unknown kind" in result.output
