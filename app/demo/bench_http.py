"""HTTP benchmark: the app under gunicorn with several workers, driven by a load generator over loopback.

``flask bench-http`` (after ``flask bench-seed``) starts gunicorn on 127.0.0.1, then measures, in one run so
the ratios hold:

- reads with ``wrk`` when it is installed (else a bounded thread-pool client of our own): ``/healthz``, a static
  file of the same size as the campaign page, the anonymous campaign page and ranking partial, an unchanged
  poll (204), and signed-in pages (the new-initiative form, the review queue);
- writes with a client of our own (each request needs its session's CSRF token): reviewer decisions at the
  start and at the end of the queue, and submissions, with several clients, for each worker count asked for;
- then checks that the tallies still equal a recount from the initiatives (``tallies.recount``).

Every loop is bounded in time and count and only talks to 127.0.0.1. Results go to docs/bench-http-<db>.json,
which ``flask bench-report`` adds to docs/BENCHMARKS.md.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..domain import accounts, tallies
from ..extensions import db
from ..models import Campaign, Initiative, Role, Status, Unit, UnitKind, User
from .bench import BENCH_SLUG, DOCS

ROOT = Path(__file__).resolve().parents[2]
STATIC_COPY = ROOT / "static" / "bench" / "same-size.html"  # ignored by git; made for each run
HOST = "127.0.0.1"
PASSWORD = "bench-password"
# The meta tag of signed-in pages, or a form's hidden field (anonymous pages carry no token but their forms').
CSRF_META = re.compile(r'name="csrf[-_]token"[^>]*?(?:content|value)="([^"]+)"')
POLL_VERSION = re.compile(r'name="v" value="([0-9a-f]+)"')
MAX_REQUESTS_PER_CLIENT = 200_000  # a hard bound besides the duration


# --- a tiny keep-alive HTTP client (cookies by hand: every request goes to our own loopback server) ----------

class Client:
    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):  # a worker may close an idle keep-alive connection: reconnect once
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def csrf(self, path: str = "/login") -> str:
        _, _, body = self.request("GET", path)
        found = CSRF_META.search(body.decode())
        if not found:
            raise click.ClickException(f"no CSRF token on {path}")
        return found.group(1)

    def login(self, phone: str) -> str:
        token = self.csrf()
        status, headers, _ = self.request("POST", "/login", {"identifier": phone, "password": PASSWORD,
                                                            "csrf_token": token})
        if status != 302 or "/login" in headers.get("location", ""):
            raise click.ClickException(f"login of {phone} failed ({status})")
        return self.csrf("/")


# --- load generators --------------------------------------------------------------------------------------

@dataclass
class Load:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        ordered = sorted(self.latencies_ms) or [0.0]
        return {"requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "requests": self.requests, "errors": self.errors,
                "p50_ms": round(statistics.median(ordered), 2),
                "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 2)}


def _wrk(port: int, path: str, connections: int, seconds: int, cookies: str | None) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
               "-H", "Accept-Encoding: br, gzip"]
    if cookies:
        command += ["-H", f"Cookie: {cookies}"]
    output = subprocess.run([*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True,
                            timeout=seconds + 30).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)

    def latency(label: str) -> float:
        found = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output)
        if not found:
            return 0.0
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    return {"requests_per_s": float(rate.group(1)) if rate else 0.0,
            "requests": int(total.group(1)) if total else 0,
            "errors": (int(errors.group(1)) if errors else 0) + (sum(map(int, failed.groups())) if failed else 0),
            "p50_ms": latency("50"), "p99_ms": latency("99"), "tool": "wrk"}


def _threads(port: int, path: str, connections: int, seconds: int, cookies: dict | None,
             headers: dict | None = None, expect=(200, 204, 304)) -> dict:
    load, lock = Load(), threading.Lock()
    deadline = time.perf_counter() + seconds

    def run() -> None:
        client = Client(port)
        client.cookies = dict(cookies or {})
        local = Load()
        while time.perf_counter() < deadline and local.requests < MAX_REQUESTS_PER_CLIENT:
            began = time.perf_counter()
            status, _, _ = client.request("GET", path, headers=headers)
            local.latencies_ms.append((time.perf_counter() - began) * 1000)
            local.requests += 1
            local.errors += status not in expect
        with lock:
            load.requests += local.requests
            load.errors += local.errors
            load.latencies_ms += local.latencies_ms

    began = time.perf_counter()
    workers = [threading.Thread(target=run) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    load.seconds = time.perf_counter() - began
    return {**load.summary(), "tool": "python threads"}


def _read(port: int, path: str, connections: int, seconds: int, cookies: dict | None = None,
          headers: dict | None = None) -> dict:
    if shutil.which("wrk") and not headers:
        cookie_header = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items()) or None
        return _wrk(port, path, connections, seconds, cookie_header)
    return _threads(port, path, connections, seconds, cookies, headers)


def _writes(clients: list[Client], jobs: list, send, seconds: int) -> dict:
    """Each client works through its own list of jobs with ``send(client, job) -> ok`` until the time is up."""
    load, lock = Load(), threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(client: Client, own: list) -> None:
        local = Load()
        for job in own:
            if time.perf_counter() >= deadline:
                break
            began = time.perf_counter()
            ok = send(client, job)
            local.latencies_ms.append((time.perf_counter() - began) * 1000)
            local.requests += ok
            local.errors += not ok
        with lock:
            load.requests += local.requests
            load.errors += local.errors
            load.latencies_ms += local.latencies_ms

    began = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c, j)) for c, j in zip(clients, jobs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load.summary()


# --- the server -------------------------------------------------------------------------------------------

def _start_server(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SANGKIEN_DEVELOPMENT": "1", "LOGIN_RATE_LIMIT": "10000 per minute",
           "LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute", "FLASK_DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning",
         "--timeout", "120", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if Client(port).request("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    _stop(server)
    raise click.ClickException("gunicorn did not start")


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


# --- accounts and data for the write benchmark --------------------------------------------------------------

def _bench_accounts(campaign: Campaign, count: int) -> tuple[list[str], list[str]]:
    """``count`` reviewers of the whole campaign and ``count`` members of distinct grassroots unions (a login
    rotates the account's session, so every client needs its own account)."""
    reviewers: list[str] = []
    members: list[str] = []
    unions = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.GRASSROOTS).order_by(Unit.id)
                                .limit(count)).all()
    for n in range(count):
        for phone, role, unit, scope, bucket in (
                (f"09888{n:05d}", Role.REVIEWER, None, campaign.unit, reviewers),
                (f"09777{n:05d}", Role.MEMBER, unions[n % len(unions)], None, members)):
            if db.session.scalar(select(User.id).where(User.phone == phone)) is None:
                accounts.create_user(full_name=f"Thử tải {role} {n + 1}", role=role, unit=unit, scope_unit=scope,
                                     password=PASSWORD, phone=phone)
            bucket.append(phone)
    db.session.commit()
    return reviewers, members


def _pending_ids(campaign: Campaign, newest: bool, count: int) -> list[tuple[int, int]]:
    """(id, version) of pending initiatives from the start (oldest) or the end (newest) of the queue."""
    order = (Initiative.submitted_at.desc(), Initiative.id.desc()) if newest else (Initiative.submitted_at,
                                                                                   Initiative.id)
    return list(db.session.execute(select(Initiative.id, Initiative.version)
                                   .where(Initiative.campaign_id == campaign.id,
                                          Initiative.status == Status.SUBMITTED)
                                   .order_by(*order).limit(count)).tuples())


def _submission_form(n: int) -> dict:
    text = f"Cải tiến quy trình số {n} để tiết kiệm thời gian và vật tư cho đơn vị"
    return {"title": text, "field": "production", "current_situation": "Trước đây mỗi hồ sơ mất hai ngày.",
            "solution": "Chuẩn hoá biểu mẫu và chia sẻ trên nhóm để mọi người dùng chung. " * 2,
            "application_scope": "Toàn đơn vị", "applied_since": "2022-01-10",
            "effectiveness": "Giảm một nửa thời gian xử lý hồ sơ.", "author_share": "100",
            "confirm_original": "y", "action": "submit", "submit_key": secrets.token_urlsafe(24)}


def _check_tallies(campaign: Campaign) -> dict:
    db.session.expire_all()
    # The bench's statuses were written in bulk, without audit rows: its daily series cannot be replayed, so the
    # counters and the cohort series are what is compared.
    return {"units_checked": len(tallies.stored(campaign.id)),
            "mismatches": tallies.mismatches(campaign.id, with_daily=False)}


@click.command("bench-http")
@click.option("--workers", default="1,4", show_default=True, help="gunicorn worker counts, comma-separated")
@click.option("--connections", default=8, show_default=True)
@click.option("--seconds", default=10, show_default=True, help="duration of each measurement")
@click.option("--port", default=5099, show_default=True)
@with_appcontext
def bench_http(workers: str, connections: int, seconds: int, port: int) -> None:
    """Requests per second under gunicorn: reads, decisions and submissions (see the module docstring)."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == BENCH_SLUG))
    if campaign is None:
        raise click.UsageError("run flask bench-seed first")
    worker_counts = [int(w) for w in workers.split(",") if w.strip()]
    reviewers, members = _bench_accounts(campaign, connections)
    static_path = _static_copy()
    results: dict = {"reads": {}, "writes": {}}
    for count in worker_counts:
        server = _start_server(port, count)
        try:
            if count == max(worker_counts):
                results["reads"] = _read_cases(port, connections, seconds, reviewers[0], members[0], static_path)
            results["writes"][str(count)] = _write_cases(campaign, port, connections, seconds, reviewers, members)
        finally:
            _stop(server)
    results["tallies_after_writes"] = _check_tallies(campaign)
    dialect = db.engine.dialect.name
    record = {"database": dialect, "connections": connections, "seconds": seconds, "workers": worker_counts,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "load_tool": "wrk" if shutil.which("wrk") else "python threads",
              "measured": time.strftime("%Y-%m-%d %H:%M"), **results}
    DOCS.mkdir(exist_ok=True)
    (DOCS / f"bench-http-{dialect}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    if results["tallies_after_writes"]["mismatches"]:
        raise click.ClickException("tallies differ from a recount after the write benchmark")


def _static_copy() -> str:
    """A static file as large as the anonymous campaign page, written before the server starts (static files are
    fingerprinted at start); returns its URL."""
    from flask import current_app
    page = current_app.test_client().get(f"/campaigns/{BENCH_SLUG}").get_data()
    STATIC_COPY.parent.mkdir(exist_ok=True)
    STATIC_COPY.write_bytes(page)
    fingerprint = hashlib.sha256(page).hexdigest()[:12]  # as app/web.py fingerprints static files
    return f"/s/{fingerprint}/{STATIC_COPY.relative_to(STATIC_COPY.parents[1]).as_posix()}"


def _read_cases(port: int, connections: int, seconds: int, reviewer: str, member: str, static_path: str) -> dict:
    status, _, page = Client(port).request("GET", f"/campaigns/{BENCH_SLUG}")
    if status != 200:
        raise click.ClickException(f"campaign page answered {status}")
    version = POLL_VERSION.search(page.decode())
    reviewer_client, member_client = Client(port), Client(port)
    reviewer_client.login(reviewer)
    member_client.login(member)
    htmx = {"HX-Request": "true"}
    cases = {
        "/healthz": ("/healthz", None, None),
        "static file, same size as the campaign page": (static_path, None, None),
        "campaign page, anonymous": (f"/campaigns/{BENCH_SLUG}", None, None),
        "ranking partial, anonymous": (f"/campaigns/{BENCH_SLUG}/ranking", None, htmx),
        "counters poll, unchanged (204)": (f"/campaigns/{BENCH_SLUG}/counters?v={version.group(1) if version else ''}",
                                           None, htmx),
        "new-initiative form, member": ("/initiatives/new", member_client.cookies, None),
        "review queue, national reviewer": ("/review/", reviewer_client.cookies, None),
    }
    measured = {}
    for name, (path, cookies, headers) in cases.items():
        measured[name] = _read(port, path, connections, seconds, cookies, headers)
        click.echo(f"{name:<46} {measured[name]['requests_per_s']:>9} req/s  p50 {measured[name]['p50_ms']} ms")
    static = measured["static file, same size as the campaign page"]["requests_per_s"] or 1
    healthz = measured["/healthz"]["requests_per_s"] or 1
    for values in measured.values():
        values["ratio_to_static"] = round(values["requests_per_s"] / static, 3)
        values["ratio_to_healthz"] = round(values["requests_per_s"] / healthz, 3)
    return measured


def _write_cases(campaign: Campaign, port: int, connections: int, seconds: int, reviewers: list[str],
                 members: list[str]) -> dict:
    def decide(client: Client, job: tuple[int, int, str]) -> bool:
        initiative_id, version, token = job
        status, headers, _ = client.request("POST", f"/review/{initiative_id}/decide",
                                            {"csrf_token": token, "decision": "valid", "version": str(version)})
        return status == 302 and "/login" not in headers.get("location", "")

    def submit(client: Client, job: tuple[int, str]) -> bool:
        n, token = job
        status, headers, _ = client.request("POST", "/initiatives/new", {**_submission_form(n), "csrf_token": token})
        return status == 302 and "/initiatives/" in headers.get("location", "")

    measured: dict[str, dict] = {}
    review_clients = [Client(port) for _ in reviewers]
    tokens = [c.login(phone) for c, phone in zip(review_clients, reviewers, strict=True)]
    per_client = 40 * seconds  # more than a client can do in the time: the clock ends the loop
    for label, newest in (("decisions, start of the queue", False), ("decisions, end of the queue", True)):
        items = _pending_ids(campaign, newest, per_client * len(review_clients))
        jobs = [[(i, v, tokens[k]) for i, v in items[k::len(review_clients)]] for k in range(len(review_clients))]
        measured[label] = _writes(review_clients, jobs, decide, seconds)
        click.echo(f"{label:<46} {measured[label]['requests_per_s']:>9} /s  p50 {measured[label]['p50_ms']} ms")
    member_clients = [Client(port) for _ in members]
    tokens = [c.login(phone) for c, phone in zip(member_clients, members, strict=True)]
    submissions = [[(k * per_client + n, tokens[k]) for n in range(per_client)] for k in range(len(member_clients))]
    measured["submissions"] = _writes(member_clients, submissions, submit, seconds)
    click.echo(f"{'submissions':<46} {measured['submissions']['requests_per_s']:>9} /s  "
               f"p50 {measured['submissions']['p50_ms']} ms")
    return measured


def report_lines() -> list[str]:
    """The HTTP section of docs/BENCHMARKS.md, from docs/bench-http-*.json (written by ``flask bench-report``)."""
    lines: list[str] = []
    for path in sorted(DOCS.glob("bench-http-*.json")):
        run = json.loads(path.read_text())
        lines += [f"## HTTP, {run['database']}: gunicorn, {run['connections']} connections, {run['seconds']} s each",
                  "", f"Measured {run['measured']} on {run['machine']}; load generator: {run['load_tool']}. "
                  "Targets (issue 13): anonymous pages ≥ 1/3 of the static file, signed-in pages ≥ 1/10, "
                  "an unchanged poll ≥ 1/2 of `/healthz`.", "",
                  "| read | req/s | p50 ms | p99 ms | × static file | × /healthz |", "|---|---:|---:|---:|---:|---:|"]
        for name, values in run["reads"].items():
            lines.append(f"| {name} | {values['requests_per_s']} | {values['p50_ms']} | {values['p99_ms']} | "
                         f"{values['ratio_to_static']} | {values['ratio_to_healthz']} |")
        lines += ["", "| write, per gunicorn workers | workers | per s | p50 ms | p99 ms | failed |",
                  "|---|---:|---:|---:|---:|---:|"]
        for workers, cases in run["writes"].items():
            for name, values in cases.items():
                lines.append(f"| {name} | {workers} | {values['requests_per_s']} | {values['p50_ms']} | "
                             f"{values['p99_ms']} | {values['errors']} |")
        check = run["tallies_after_writes"]
        lines += ["", f"After the writes the tallies of {check['units_checked']:,} units were compared with a "
                  f"recount from the initiatives: {check['mismatches']} mismatches.", ""]
    return lines
