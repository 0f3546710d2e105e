"""Property-based fuzzing (Hypothesis): every route of ``app.url_map``, every URL part and every form or query
value the routes read, filled with hostile input, as every role: the answer is never a server error.

Routes, form fields and raw ``request.form/args`` names are discovered, not listed, so a route or field added
later is fuzzed too; a route this file does not know how to fuzz (a new converter or method) fails the test.
"""
from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
import traceback
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import got_request_exception
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter
from wtforms import Form as WTForm
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField

import app as app_package
from app.domain import eligibility, periods, scoring, workflow
from app.domain.catalog import FIELDS, INVALID_REASONS, RETURN_REASONS, ROLES, STATUSES, UNIT_KINDS
from app.extensions import db
from app.models import Award, AwardLevel, Feature, PairwiseRound, ReviewTemplate, Status, User

from . import factories
from .conftest import login

APP_DIR = Path(app_package.__file__).resolve().parent
EXAMPLES_PER_ROUTE = 5
ROLES_FUZZED = ("anonymous", "member_a1", "helper_a1", "reviewer_a", "organizer_p", "admin")
KNOWN_IDS = [str(i) for i in range(1, 13)]
PROBE_IDS = ["1", "2", "5", "7"]  # a draft, a submitted and a valid initiative, a shortlisted one
ORDER_LAST = ("auth.logout",)  # ends the session the other routes are fuzzed with

HOSTILE_TEXT = [
    "", " ", "\x00", "a\x00b", "x" * 10_000, "9" * 400, "-" + "9" * 400, "2147483648", "-2147483649",
    "9223372036854775808", "99999999999999999999", "-1", "0", "1e9", "nan", "²", "١٢٣", "１２", "0x1f",
    "Tie\u0302\u0301ng Vie\u0323\u0302t", "🚀" * 50, "\ufeff", "\u202e", "<script>alert(1)</script>",
    "' OR 1=1 --", "../../etc/passwd", "%00", "2022-02-30", "9999-12-31", "0001-01-01", "=HYPERLINK(\"x\")",
]
# A NUL (refused by PostgreSQL in text), and a number beyond any integer column that is also longer than any
# varchar column.
KILLERS = ["a\x00b", "9" * 4000]
HOSTILE_INTS = ["0", "2147483647", "2147483648", "4294967296", "9223372036854775808", "9" * 40]
# No real browser sends lone surrogates (they are not UTF-8); everything else is fair.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def _plausible(world) -> dict[str, list[str]]:
    """Believable values, so hostile ones reach past the first checks."""
    return {
        "title": ["Cải tiến quy trình tiếp đón bệnh nhân"], "field": list(FIELDS), "current_situation": ["Chờ lâu."],
        "solution": ["Phát số thứ tự qua Zalo."], "application_scope": ["Khoa Khám bệnh"],
        "effectiveness": ["Giảm 30% thời gian chờ."], "applied_since": ["2022-03-01"],
        "estimated_value": ["15.000.000"], "author_share": ["100"], "confirm_original": ["y"],
        "action": ["draft", "submit", "add_author", "search"], "decision": ["valid", "invalid", "return"],
        "reason": list(INVALID_REASONS) + list(RETURN_REASONS), "reason_code": list(RETURN_REASONS),
        "invalid_reason": list(INVALID_REASONS), "return_reason": list(RETURN_REASONS),
        "message": ["Cần bổ sung số liệu."], "version": ["1", "2", "3"], "decision_date": ["2022-05-20"],
        "decision_number": ["123/QĐ-LĐLĐ"], "recipients": ["a1", "a2", f"c{world.team_a1}"],
        "name": ["Vòng chung khảo"], "issuer": ["LĐLĐ tỉnh"], "quota": ["5", ""], "story": ["Một sáng kiến hay."],
        "note": ["Đề cử"], "step": ["preview", "commit"], "outcome": ["confirm", "reopen"],
        "body": ["Vui lòng bổ sung minh chứng."], "identifier": [world.member_a1_phone],
        "password": [factories.PASSWORD], "confirm": [factories.PASSWORD], "full_name": ["Nguyễn Văn A"],
        "phone": ["0912345678"], "unit_query": ["Sìn Hồ"], "slug": ["cao-diem"], "start_date": ["2022-04-22"],
        "end_date": ["2022-05-31"], "goal": ["100"], "code": ["X1"],
        # A unit's, a period's, a report's and a rule's kind.
        "kind": list(UNIT_KINDS) + list(periods.KINDS) + ["range"] + list(eligibility.KINDS),
        "measure": list(periods.MEASURES), "label": ["Có xác nhận của thủ trưởng đơn vị"],
        "explanation": ["Ảnh chụp hoặc PDF."], "date_from": ["2021-07-01", ""], "date_to": ["2022-05-31", ""],
        "position": ["1", ""], "programme_id": ["1", ""], "evidence": ["2", "3", ""],
        "member_count": ["30"], "role": list(ROLES), "unit_code": ["A1"], "scope_code": ["A"],
        "email": ["a@b.vn"], "comment": ["Tốt"], "status": list(STATUSES), "q": ["Lò"], "week": ["2022-05-02"],
        "format": ["csv", "xlsx", "pdf"], "day": ["2022-05-02"], "start": ["2022-05-01"], "end": ["2022-05-20"],
        "period": ["1"], "lang": ["en", "vi"], "next": ["/", "//evil.example"], "sector": ["health"],
        "submit_key": ["k" * 32], "remember": ["y"], "confirm_exceed": ["y"], "only_note": ["1"], "unpublish": ["1"],
        **{f"c_{code}": ["10"] for code, _label, _points in scoring.DEFAULT_RUBRIC},
    }


# --- what the routes read -------------------------------------------------------------------------------------

RAW_READ = re.compile(r"""request\.(?:form|args|values|files)(?:\.get(?:list)?\(\s*|\[)(f?)["']([^"']+)["']""")


def raw_names() -> set[str]:
    """Names read straight from the request in the source; f-string names get each id and decision word."""
    names = set()
    for path in APP_DIR.rglob("*.py"):
        for is_f, name in RAW_READ.findall(path.read_text(encoding="utf-8")):
            if is_f and "{" in name:
                names.update(re.sub(r"\{[^}]*\}", part, name) for part in KNOWN_IDS[:8] + ["valid", "invalid",
                                                                                            "return"])
            else:
                names.add(name)
    return names


def _form_field_names(form_class: type, prefix: str = "") -> set[str]:
    names = set()
    for klass in reversed(form_class.__mro__):
        for name, value in vars(klass).items():
            if not isinstance(value, UnboundField):
                continue
            if value.field_class is FieldList:
                inner = value.args[0] if value.args else value.kwargs["unbound_field"]
                for index in range(3):
                    if inner.field_class is FormField:
                        names |= _form_field_names(inner.args[0], f"{prefix}{name}-{index}-")
                    else:
                        names.add(f"{prefix}{name}-{index}")
            elif value.field_class is FormField:
                names |= _form_field_names(value.args[0], f"{prefix}{name}-")
            else:
                names.add(prefix + name)
    return names


def form_classes() -> list[type]:
    found = []
    for module_info in pkgutil.walk_packages([str(APP_DIR)], "app."):
        if module_info.name.endswith(".forms"):
            module = importlib.import_module(module_info.name)
            found += [c for _n, c in inspect.getmembers(module, inspect.isclass)
                      if issubclass(c, WTForm) and c.__module__ == module.__name__]
    return found


def field_names() -> set[str]:
    names = {f"c_{code}" for code, _label, _points in scoring.DEFAULT_RUBRIC}  # score_form builds its class
    for form_class in form_classes():
        names |= _form_field_names(form_class)
    return names


def fuzzable_rules(app) -> list[tuple]:
    """(rule, method) pairs, the session-ending ones last; a rule that cannot be fuzzed fails here."""
    pairs = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods <= {"GET", "POST"}, f"{rule.rule}: teach tests/test_fuzz.py the methods {methods}"
        for name, converter in rule._converters.items():
            assert type(converter) in CONVERTER_VALUES or isinstance(converter, IntegerConverter), \
                f"{rule.rule}: teach tests/test_fuzz.py to fuzz <{type(converter).__name__}:{name}>"
        pairs += [(rule, method) for method in sorted(methods)]
    return sorted(pairs, key=lambda pair: pair[0].endpoint in ORDER_LAST)


def _text_part(safe: str):
    return st.one_of(st.sampled_from(["thu", "campaign", "app.css"] + HOSTILE_TEXT), ANY_TEXT).map(
        lambda value: quote(value, safe=safe) or "x")


CONVERTER_VALUES = {
    UnicodeConverter: _text_part(""),
    PathConverter: _text_part("/"),
}
INT_PART = st.sampled_from(KNOWN_IDS + HOSTILE_INTS)


def url_strategy(rule):
    parts = {}
    for name, converter in rule._converters.items():
        parts[name] = INT_PART if isinstance(converter, IntegerConverter) else CONVERTER_VALUES[type(converter)]

    def build(values: dict) -> str:
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule)
    return st.fixed_dictionaries(parts).map(build)


def plausible_strategy(names: list[str], plausible: dict[str, list[str]]):
    return st.fixed_dictionaries({}, optional={
        name: st.sampled_from(plausible.get(name, KNOWN_IDS[:3] + ["y"])) for name in names})


def hostile_strategy(names: list[str]):
    return st.dictionaries(st.sampled_from(names), st.one_of(st.sampled_from(HOSTILE_TEXT), ANY_TEXT),
                           min_size=1, max_size=4)


def recording_request_class(base: type, read: set[str]) -> type:
    """The app's request class, noting every name a route looks up in args, form or files."""

    class Recording(base.parameter_storage_class):
        def __getitem__(self, key):
            read.add(key)
            return super().__getitem__(key)

        def __contains__(self, key):
            read.add(key)
            return super().__contains__(key)

        def getlist(self, key, type=None):
            read.add(key)
            return super().getlist(key, type)

    return type("RecordingRequest", (base,), {"parameter_storage_class": Recording})


# --- the world the routes are fuzzed in ----------------------------------------------------------------------

def _populate(world) -> None:
    """Initiatives in every status, a template, award levels, an award, a judging round, a featured item, peak
    periods; the campaign inside a programme (a window and an evidence rule) with an evidence rule of its own."""
    factories.programme(world.campaign)
    factories.campaign_rule(world.campaign, "evidence", "Có biên bản nghiệm thu", position=1)
    member = db.session.get(User, world.member_a1)
    other = db.session.get(User, world.member_b1)
    admin = db.session.get(User, world.admin)
    items = {}
    for author, status in ((member, Status.DRAFT), (member, Status.SUBMITTED), (other, Status.SUBMITTED),
                           (member, Status.RETURNED), (member, Status.VALID), (other, Status.INVALID),
                           (member, Status.SHORTLISTED), (other, Status.SHORTLISTED)):
        item = factories.initiative(world.campaign, author, title=f"Cải tiến số {len(items) + 1}")
        if status != Status.DRAFT:
            workflow.transition(item, Status.SUBMITTED, author)
        if status == Status.RETURNED:
            workflow.transition(item, Status.RETURNED, admin, reason_code="other", message="Bổ sung")
        if status in (Status.VALID, Status.SHORTLISTED):
            workflow.transition(item, Status.VALID, admin)
        if status == Status.INVALID:
            workflow.transition(item, Status.INVALID, admin, reason_code="other", message="Sai")
        if status == Status.SHORTLISTED:
            workflow.transition(item, Status.SHORTLISTED, admin)
        items.setdefault(status, []).append(item)
    shortlisted = items[Status.SHORTLISTED]
    db.session.add(ReviewTemplate(reason_code="other", body="Vui lòng bổ sung.", created_by_id=admin.id))
    level = AwardLevel(campaign_id=world.campaign, name="Bằng khen", issuer="LĐLĐ tỉnh", quota=5)
    db.session.add(level)
    db.session.flush()
    db.session.add(Award(level_id=level.id, initiative_id=shortlisted[0].id, recipient_kind="individual",
                         recipient_name=member.full_name, recipient_user_id=member.id, unit_name="A1",
                         decision_number="1/QĐ", decision_date=date(2022, 6, 1), created_by_id=admin.id))
    db.session.add(Feature(initiative_id=items[Status.VALID][0].id, story="Hay", created_by_id=admin.id))
    db.session.add(PairwiseRound(campaign_id=world.campaign, unit_id=world.province, name="Vòng 1",
                                 initiative_ids=[i.id for i in shortlisted], created_by_id=admin.id))
    # Peak periods (ids 1–3, as the probes use): the province's month, district A's week, and a closed week.
    factories.period(world.campaign, world.province, date(2022, 5, 1), date(2022, 5, 31), kind="month")
    factories.period(world.campaign, world.district_a, date(2022, 5, 9), date(2022, 5, 15))
    periods.close(factories.period(world.campaign, world.district_b, date(2022, 5, 9), date(2022, 5, 15)))
    db.session.commit()


@pytest.fixture
def fuzz_app(app_factory):
    # Server errors come back as responses (and are recorded below) instead of being raised into the test.
    return app_factory(PROPAGATE_EXCEPTIONS=False, LOGIN_RATE_LIMIT="10000 per minute")


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/app/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    message = (str(exc).splitlines() or [""])[0][:160]
    return f"{type(exc).__name__}: {message} at {Path(frame.filename).name}:{frame.lineno} {frame.line}"


def _short(data: dict) -> dict:
    return {k: (v[:40] + f"…({len(v)})" if isinstance(v, str) and len(v) > 40 else v) for k, v in data.items()}


@pytest.mark.parametrize("role", ROLES_FUZZED)
def test_no_server_error_on_any_route_with_any_input(fuzz_app, role):
    app = fuzz_app
    with app.app_context():
        world = factories.build_world()
        _populate(world)
    client = app.test_client()
    if role != "anonymous":
        login(client, getattr(world, f"{role}_phone"))
    csrf = client.csrf_token()
    plausible = _plausible(world)
    names = sorted(raw_names() | field_names())
    failures: list[str] = []
    errors: list[BaseException] = []
    got_request_exception.connect(lambda sender, exception, **extra: errors.append(exception), app, weak=False)
    read: set[str] = set()
    app.request_class = recording_request_class(app.request_class, read)

    believable = {name: values[0] for name, values in plausible.items()}
    sent = []

    def send(method: str, url: str, params: dict, htmx: bool = False, upload: bytes | None = None):
        errors.clear()
        sent.append(url)
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "GET":
            response = client.get(url, query_string=params, headers=headers)
        else:
            data = {**params, "csrf_token": csrf}
            if upload is not None:
                data["file"] = (io.BytesIO(upload), "chi-tieu.csv")
            response = client.post(url, data=data, headers=headers)
        if role == "anonymous":  # a fuzzed /login may have signed in: stay anonymous, keep the CSRF token
            client.delete_cookie("remember_token")
            with client.session_transaction() as session:
                session.pop("_user_id", None)
        where = _where(errors[0]) if errors else ""
        hostile = _short({k: v for k, v in params.items() if believable.get(k) != v})
        assert response.status_code < 500, f"{method} {url} {hostile} → {response.status_code} {where}"

    def attempt(*args) -> None:
        try:
            send(*args)
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])

    for rule, method in fuzzable_rules(app):
        # Probe with believable input on a few real objects, to learn which names this route reads.
        read_by_url = {}
        for object_id in PROBE_IDS:
            read.clear()
            url = re.sub(r"<[^>]+>", "thu", re.sub(r"<int:[^>]+>", object_id, rule.rule))
            attempt(method, url, believable)
            read_by_url[url] = read - {"csrf_token"}
            if "<int:" not in rule.rule:
                break
        probe_url, route_read = max(read_by_url.items(), key=lambda item: len(item[1]))
        route_names = sorted(set().union(*read_by_url.values())) or names
        # Every name the route reads gets each value that broke something once, the rest believable.
        for name in sorted(route_read):
            for value in KILLERS:
                attempt(method, probe_url, {**believable, name: value})

        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
                  phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
        @given(url=url_strategy(rule), base=plausible_strategy(names, plausible),
               hostile=hostile_strategy(route_names), htmx=st.booleans(),
               upload=st.sampled_from([None, b"unit_code,target\nA1,99999999999999999999\n", b"\x00\xff" * 50]))
        def fuzz(url, base, hostile, htmx, upload):
            send(method, url, {**base, **hostile}, htmx, upload)  # noqa: B023 (called at once, below)

        try:
            fuzz()
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
    if role == "anonymous":
        assert "Đăng xuất" not in client.get("/").get_data(as_text=True), "the anonymous run signed in"
    print(f"fuzz as {role}: {len(sent)} requests")  # shown with -s: the counts quoted in reports
    assert not failures, f"{len(failures)} requests answered 5xx as {role}:\n" + "\n".join(failures)
