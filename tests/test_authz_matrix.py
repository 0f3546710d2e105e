"""Who may use which route: one table, checked for every route of ``app.url_map`` and every kind of actor.

Read MATRIX below like a timetable. A row is one request (method, URL with named objects, and an optional
label after " · " when the same URL is tried with another object or form); a column is one actor:

    anon       not logged in
    member     member of union A1 (district A)
    helper     support team of union A1
    reviewer   reviewer whose home unit is union A2 and whose scope is district A
    organizer  organizer whose home unit is union A2 and whose scope is district A
    province   organizer whose home unit is union B1 (district B) and whose scope is the province
    admin      admin whose home unit is union A1
    noscope    reviewer with neither home unit nor scope: sees nothing

Objects ending in _B belong to district B (another district for everyone but the province organizer and
the admin); _A1 and _A2 are in district A (tests/factories.py build_objects). Outcomes:

    OK     200, or a redirect that is not to the login page (the request got past authorization)
    DONE   OK, and the change the form asks for was written
    DENY   403               HIDE   404 (out of scope: the id reveals nothing)
    NO     403 or 404        LOGIN  302 to /login?next=...
    KEEP   answered (200 or a redirect), with a message and nothing written

No GET may change the database; nor may a request whose outcome is a refusal (DENY, HIDE, NO, LOGIN,
KEEP). POST rows carry a valid CSRF token and data that *would* change something if it were accepted.
A route missing from MATRIX fails test_every_route_has_a_row: a new route states who may use it.

TODAY lists what the application still gets wrong (issue 9). Each is a strict xfail: when a fix lands the
case passes, the xfail turns into a failure (XPASS), and its line in TODAY must be removed.
"""
from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text

from app import create_app
from app.extensions import db
from app.models import Initiative, Notification

from . import factories
from .conftest import Client, _empty_all_tables, login, make_config

OK, DONE, DENY, HIDE, NO, LOGIN, KEEP = "OK", "DONE", "DENY", "HIDE", "NO", "LOGIN", "KEEP"
ACTORS = ("anon", "member", "helper", "reviewer", "organizer", "province", "admin", "noscope")
REFUSALS = (DENY, HIDE, NO, LOGIN, KEEP)

MATRIX: dict[str, tuple[str, ...]] = {
    # request                                                  anon   member helper review organi provin admin  noscope
    # --- public pages -------------------------------------------------------------------------------------------
    "GET /":                                                   (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /healthz":                                            (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /s/{asset}":                                          (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /sw.js":                                              (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /manifest.webmanifest":                               (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /campaign":                                           (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /campaigns/{slug}":                                   (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /campaigns/{slug}/units/{district_B}":                (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /campaigns/{slug}/counters":                          (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /campaigns/{slug}/ranking":                           (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /campaigns/{slug}/periods/{period_B}":                (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /archive":                                            (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /gallery":                                            (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /gallery/{feature_B}":                                (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /gallery/{feature_B}/image.jpg":                      (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /login":                                              (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /login":                                             (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /register":                                           (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /register":                                          (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /units/search?unit_query=Bê":                         (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /lang":                                              (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /logout":                                            (LOGIN, DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    "GET /account/password":                                  (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /account/password":                                 (LOGIN, KEEP,  KEEP,  KEEP,  KEEP,  KEEP,  KEEP,  KEEP),
    "GET /account/claim-codes":                               (LOGIN, DENY,  OK,    DENY,  DENY,  DENY,  OK,    DENY),
    "POST /account/claim-codes/{unclaimed_A1}":               (LOGIN, DENY,  DONE,  DENY,  DENY,  DENY,  HIDE,  DENY),
    "POST /account/claim-codes/{unclaimed_B}":                (LOGIN, DENY,  HIDE,  DENY,  DENY,  DENY,  HIDE,  DENY),
    # --- submissions: authors and their support team; staff read what is submitted in their scope ---------------
    "GET /initiatives/new":                                    (LOGIN, OK,    OK,    DENY,  DENY,  DENY,  OK,    DENY),
    "POST /initiatives/new":                                   (LOGIN, OK,    OK,    DENY,  DENY,  DENY,  OK,    DENY),
    "POST /initiatives/autosave":                              (LOGIN, OK,    OK,    DENY,  DENY,  DENY,  OK,    DENY),
    "GET /initiatives/{submitted_B}":                          (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "GET /initiatives/{submitted_A1}":                         (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    HIDE),
    "GET /initiatives/{draft_B}/edit":                         (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "GET /initiatives/{draft_A1}/edit":                        (LOGIN, OK,    OK,    HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /initiatives/{draft_B}/edit":                        (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /initiatives/{draft_A1}/edit":                       (LOGIN, DONE,  DONE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /initiatives/{draft_B}/autosave":                    (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /initiatives/{draft_B}/submit":                      (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /initiatives/{submitted_B}/withdraw":                (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  DENY,  DENY,  HIDE),
    "POST /initiatives/{submitted_A1}/withdraw":               (LOGIN, DONE,  DONE,  DENY,  DENY,  DENY,  DENY,  HIDE),
    "GET /initiatives/{submitted_B}/withdraw":                 (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  DENY,  DENY,  HIDE),
    "GET /initiatives/{submitted_A1}/withdraw":                (LOGIN, OK,    OK,    DENY,  DENY,  DENY,  DENY,  HIDE),
    "POST /initiatives/{withdrawn_B}/undo-withdraw":           (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  DENY,  DENY,  HIDE),
    "POST /initiatives/{withdrawn_A1}/undo-withdraw":          (LOGIN, DONE,  DONE,  DENY,  DENY,  DENY,  DENY,  HIDE),
    "GET /initiatives/mine":                                   (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /initiatives/union":                                  (LOGIN, DENY,  OK,    DENY,  DENY,  DENY,  OK,    DENY),
    "GET /initiatives/similar?title=cải tiến quy trình":       (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /initiatives/attachments/{attachment_B}":             (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "GET /initiatives/attachments/{attachment_B}/thumb":       (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    # --- notifications: each person's own; the outbox of e-mail and SMS is the admin's ---------------------------
    "GET /notifications/":                                     (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /notifications/?page=99999999999999999999":           (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /notifications/{notice_A1}/read":                    (LOGIN, DONE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /notifications/{notice_B}/read":                     (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /notifications/{notice_A1}/open":                    (LOGIN, DONE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /notifications/{notice_B}/open":                     (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE,  HIDE),
    "POST /notifications/read-all":                            (LOGIN, DONE,  OK,    OK,    OK,    OK,    OK,    OK),
    "GET /notifications/settings":                             (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "POST /notifications/settings":                            (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /notifications/outbox":                               (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  OK,    DENY),
    # --- review: reviewers of the scope, never their own union (conflict of interest: 403) ----------------------
    "GET /review/":                                            (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  OK,    OK),
    "GET /review/start":                                       (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  OK,    OK),
    "GET /review/{submitted_B}":                               (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  OK,    HIDE),
    "GET /review/{submitted_A1}":                              (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  DENY,  HIDE),
    "GET /review/{submitted_A2}":                              (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  OK,    HIDE),
    "POST /review/{submitted_B}/decide":                       (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  DONE,  HIDE),
    "POST /review/{submitted_A1}/decide":                      (LOGIN, DENY,  DENY,  DONE,  DENY,  DENY,  DENY,  HIDE),
    "POST /review/{submitted_A2}/decide":                      (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DONE,  HIDE),
    # A forged decision on an item decided already: the same clear message as a lost race, nothing written.
    "POST /review/{valid_A1}/decide · already decided":        (LOGIN, DENY,  DENY,  KEEP,  DENY,  DENY,  DENY,  HIDE),
    "GET /review/{submitted_B}/cluster":                       (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  OK,    HIDE),
    "POST /review/{submitted_B}/cluster":                      (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  OK,    HIDE),
    "GET /review/{valid_B}/score":                             (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  OK,    HIDE),
    "GET /review/{valid_A1}/score":                            (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  DENY,  HIDE),
    "POST /review/{valid_B}/score":                            (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  DONE,  HIDE),
    "GET /review/scoring":                                     (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  OK,    OK),
    "GET /review/stats":                                       (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  OK,    OK),
    "GET /review/second-check":                                (LOGIN, DENY,  DENY,  OK,    DENY,  DENY,  OK,    OK),
    "POST /review/second-check":                               (LOGIN, DENY,  DENY,  HIDE,  DENY,  DENY,  DONE,  HIDE),
    "GET /review/templates":                                   (LOGIN, DENY,  DENY,  OK,    OK,    OK,    OK,    OK),
    "POST /review/templates · delete a province reviewer's":   (LOGIN, DENY,  DENY,  NO,    NO,    DONE,  DONE,  NO),
    "POST /review/templates · delete the district reviewer's": (LOGIN, DENY,  DENY,  DONE,  DONE,  DONE,  DONE,  NO),
    # --- organizers: campaigns, targets, units, users, reports of their subtree ---------------------------------
    "GET /admin/":                                             (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/campaigns/new":                                (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /admin/campaigns/new":                               (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/campaigns/{campaign_B}/edit":                  (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /admin/campaigns/{campaign_B}/edit":                 (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "POST /admin/campaigns/{campaign_B}/freeze":               (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "GET /admin/campaigns/{campaign}/targets?unit={district_B}": (LOGIN, DENY, DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "GET /admin/campaigns/{campaign}/targets?unit={district_A}": (LOGIN, DENY, DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /admin/campaigns/{campaign}/targets?unit={district_B}": (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),  # noqa: E501
    "POST /admin/campaigns/{campaign}/targets/import":         (LOGIN, DENY,  DENY,  DENY,  KEEP,  DONE,  DONE,  DENY),
    "GET /admin/campaigns/{campaign}/digest.txt?unit={district_B}": (LOGIN, DENY, DENY, DENY, HIDE, OK,    OK,    DENY),
    "GET /admin/campaigns/{campaign}/report?unit={district_B}": (LOGIN, DENY, DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    # Peak periods: organizers of the subtree of the unit running the period (a unit chosen outside it: 403).
    "GET /admin/campaigns/{campaign}/periods":                 (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/campaigns/{campaign}/periods/new":             (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /admin/campaigns/{campaign}/periods/new":            (LOGIN, DENY,  DENY,  DENY,  DENY,  DONE,  DONE,  DENY),
    "GET /admin/periods/{period_B}/edit":                      (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "GET /admin/periods/{period_A}/edit":                      (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /admin/periods/{period_B}/edit":                     (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "POST /admin/periods/{period_A}/edit · move it to district B": (LOGIN, DENY, DENY, DENY, DENY,  DONE,  DONE,  DENY),
    "POST /admin/periods/{period_B}/close":                    (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "POST /admin/periods/{period_A}/close":                    (LOGIN, DENY,  DENY,  DENY,  DONE,  DONE,  DONE,  DENY),
    "GET /admin/campaigns/{campaign}/report?unit={district_B}&kind=month&day=2022-05-01": (LOGIN, DENY, DENY, DENY, HIDE, OK, OK, DENY),  # noqa: E501
    "GET /admin/campaigns/{campaign}/report?unit={district_A}&start=2022-05-01&end=2022-05-20&format=xlsx": (LOGIN, DENY, DENY, DENY, OK, OK, OK, DENY),  # noqa: E501
    # The sơ kết (summary): page, XLSX and PDF, for a unit of the organizer's subtree.
    "GET /admin/campaigns/{campaign}/summary?unit={district_B}": (LOGIN, DENY, DENY, DENY, HIDE,  OK,    OK,    DENY),
    "GET /admin/campaigns/{campaign}/summary?unit={district_A}&format=pdf": (LOGIN, DENY, DENY, DENY, OK, OK, OK, DENY),  # noqa: E501
    "GET /admin/units?parent={district_B}":                    (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "GET /admin/units?parent={district_A}":                    (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /admin/units?parent={district_B}":                   (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "GET /admin/units/{union_B1}/edit":                        (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /admin/units/{union_B1}/edit":                       (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "GET /admin/users":                                        (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /admin/users":                                       (LOGIN, DENY,  DENY,  DENY,  KEEP,  DONE,  DONE,  DENY),
    "GET /admin/users/{member_A2}/edit":                       (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/users/{member_B1}/edit":                       (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /admin/users/{member_B1}/edit":                      (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "POST /admin/users/{member_B1}/active":                    (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    # reviewer_P2's home unit is in district A but their scope is the province: not district A's to manage.
    "GET /admin/users/{reviewer_P2}/edit":                     (LOGIN, DENY,  DENY,  DENY,  NO,    OK,    OK,    DENY),
    "POST /admin/users/{reviewer_P2}/edit":                    (LOGIN, DENY,  DENY,  DENY,  NO,    DONE,  DONE,  DENY),
    "POST /admin/users/{reviewer_P2}/active":                  (LOGIN, DENY,  DENY,  DENY,  NO,    DONE,  DONE,  DENY),
    # --- eligibility: programmes are the admin's (organizers read them); a campaign's own rules are its unit's ------
    "GET /admin/programmes":                                   (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/programmes/new":                               (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  OK,    DENY),
    "POST /admin/programmes/new":                              (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DONE,  DENY),
    "GET /admin/programmes/{programme}":                       (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/programmes/{programme}/edit":                  (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  OK,    DENY),
    "POST /admin/programmes/{programme}/edit":                 (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DONE,  DENY),
    "GET /admin/programmes/{programme}/rules/new":             (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  OK,    DENY),
    "POST /admin/programmes/{programme}/rules/new":            (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DONE,  DENY),
    "GET /admin/rules/{rule_programme}/edit":                  (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  OK,    DENY),
    "POST /admin/rules/{rule_programme}/edit":                 (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DONE,  DENY),
    "POST /admin/rules/{rule_programme}/delete":               (LOGIN, DENY,  DENY,  DENY,  DENY,  DENY,  DONE,  DENY),
    # The province campaign: read by district A's organizer, kept by the province's.
    "GET /admin/campaigns/{campaign}/rules":                   (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /admin/campaigns/{campaign}/rules/new":               (LOGIN, DENY,  DENY,  DENY,  DENY,  OK,    OK,    DENY),
    "POST /admin/campaigns/{campaign}/rules/new":              (LOGIN, DENY,  DENY,  DENY,  DENY,  DONE,  DONE,  DENY),
    "GET /admin/rules/{rule_campaign}/edit":                   (LOGIN, DENY,  DENY,  DENY,  DENY,  OK,    OK,    DENY),
    "POST /admin/rules/{rule_campaign}/edit":                  (LOGIN, DENY,  DENY,  DENY,  DENY,  DONE,  DONE,  DENY),
    "POST /admin/rules/{rule_campaign}/delete":                (LOGIN, DENY,  DENY,  DENY,  DENY,  DONE,  DONE,  DENY),
    # District B's campaign: out of district A's sight.
    "GET /admin/campaigns/{campaign_B}/rules":                 (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /admin/campaigns/{campaign_B}/rules/new":            (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "GET /admin/rules/{rule_campaign_B}/edit":                 (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /admin/rules/{rule_campaign_B}/delete":              (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    # --- commendation: organizers of the subtree; judges (reviewers too) in rounds of their scope ---------------
    "GET /awards/":                                            (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "POST /awards/{valid_B}/shortlist":                        (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "POST /awards/{valid_A1}/shortlist":                       (LOGIN, DENY,  DENY,  DENY,  DONE,  DONE,  DONE,  DENY),
    "GET /awards/{valid_B}/award":                             (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /awards/{valid_B}/award":                            (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "GET /awards/{valid_B}/feature":                           (LOGIN, DENY,  DENY,  DENY,  HIDE,  OK,    OK,    DENY),
    "POST /awards/{valid_B}/feature":                          (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    "GET /awards/certificates/{award_B}":                      (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "GET /awards/certificates/{award_B}.pdf":                  (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "POST /awards/grants/{award_B}/revoke":                    (LOGIN, DENY,  DENY,  DENY,  HIDE,  DONE,  DONE,  DENY),
    # Award levels belong to the campaign's organizing unit (the province): district organizers only read.
    "GET /awards/levels":                                      (LOGIN, DENY,  DENY,  DENY,  DENY,  OK,    OK,    DENY),
    "POST /awards/levels":                                     (LOGIN, DENY,  DENY,  DENY,  DENY,  DONE,  DONE,  DENY),
    "GET /awards/list":                                        (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /awards/rounds":                                      (LOGIN, DENY,  DENY,  OK,    OK,    OK,    OK,    OK),
    "POST /awards/rounds":                                     (LOGIN, DENY,  DENY,  DENY,  OK,    OK,    OK,    DENY),
    "GET /awards/rounds/{round_B}":                            (LOGIN, DENY,  DENY,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "POST /awards/rounds/{round_B}/vote":                      (LOGIN, DENY,  DENY,  HIDE,  HIDE,  DONE,  DONE,  HIDE),
    # --- support: obstacles between a grassroots union and the unit above; the FAQ; the gap-closing list --------
    "GET /support/":                                           (LOGIN, DENY,  OK,    OK,    OK,    OK,    OK,    OK),
    "GET /support/obstacles/new":                              (LOGIN, DENY,  OK,    DENY,  DENY,  DENY,  OK,    DENY),
    "POST /support/obstacles/new":                             (LOGIN, DENY,  DONE,  DENY,  DENY,  DENY,  DONE,  DENY),
    "GET /support/obstacles/{obstacle_A1}":                    (LOGIN, HIDE,  OK,    OK,    OK,    OK,    OK,    HIDE),
    "GET /support/obstacles/{obstacle_B}":                     (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "POST /support/obstacles/{obstacle_A1}/answer":            (LOGIN, HIDE,  DENY,  DONE,  DONE,  DONE,  DONE,  HIDE),
    "POST /support/obstacles/{obstacle_B}/answer":             (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  DONE,  DONE,  HIDE),
    "POST /support/obstacles/{obstacle_A1}/followup":          (LOGIN, HIDE,  DONE,  DENY,  DENY,  DENY,  DENY,  HIDE),
    "POST /support/obstacles/{obstacle_B}/followup":           (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  DENY,  DENY,  HIDE),
    "POST /support/obstacles/{obstacle_A1}/resolve":           (LOGIN, HIDE,  DONE,  DENY,  DENY,  DENY,  DENY,  HIDE),
    "POST /support/obstacles/{obstacle_A1}/assign":            (LOGIN, HIDE,  DENY,  DONE,  DONE,  DONE,  DONE,  HIDE),
    "POST /support/obstacles/{obstacle_B}/assign":             (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  DONE,  DONE,  HIDE),
    "GET /support/faq":                                        (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "GET /support/units/{union_A1}/gap":                       (LOGIN, HIDE,  OK,    OK,    OK,    OK,    OK,    HIDE),
    "GET /support/units/{union_B1}/gap":                       (LOGIN, HIDE,  HIDE,  HIDE,  HIDE,  OK,    OK,    HIDE),
    "GET /support/units/{union_A1}/gap.txt":                   (LOGIN, HIDE,  OK,    OK,    OK,    OK,    OK,    HIDE),
}

# Form data for POST rows (placeholders in names and values are filled like the URL). Each would change the
# database if the request were accepted, so "nothing written" means something when it is refused.
FORMS: dict[str, dict] = {
    "POST /login": {"identifier": "0911999999", "password": "not-the-password"},
    "POST /register": {"action": "search", "unit_query": "Bê"},
    "POST /lang": {"lang": "vi", "next": "/"},
    "POST /logout": {},
    "POST /account/password": {"current": "not-the-password", "password": "mot-mat-khau-dai-moi",
                               "confirm": "mot-mat-khau-dai-moi"},
    "POST /account/claim-codes/{unclaimed_A1}": {},
    "POST /account/claim-codes/{unclaimed_B}": {},
    "POST /initiatives/new": {"submit_key": "matrix-new-draft", "action": "draft", "title": "Thử phân quyền"},
    "POST /initiatives/autosave": {"submit_key": "matrix-autosave", "title": "Thử phân quyền"},
    "POST /initiatives/{draft_B}/edit": {"action": "draft", "title": "Sửa trộm"},
    "POST /initiatives/{draft_A1}/edit": {"action": "draft", "title": "Sửa tên"},
    "POST /initiatives/{draft_B}/autosave": {"title": "Sửa trộm"},
    "POST /initiatives/{draft_B}/submit": {"confirm_original": "y"},
    "POST /initiatives/{submitted_B}/withdraw": {"version": "{v_submitted_B}"},
    "POST /initiatives/{submitted_A1}/withdraw": {"version": "{v_submitted_A1}"},
    "POST /initiatives/{withdrawn_B}/undo-withdraw": {"version": "{v_withdrawn_B}"},
    "POST /initiatives/{withdrawn_A1}/undo-withdraw": {"version": "{v_withdrawn_A1}"},
    "POST /notifications/{notice_A1}/read": {},
    "POST /notifications/{notice_B}/read": {},
    "POST /notifications/{notice_A1}/open": {},
    "POST /notifications/{notice_B}/open": {},
    "POST /notifications/read-all": {},
    "POST /notifications/settings": {"notify_email": "", "notify_sms": "y"},
    "POST /review/{submitted_B}/decide": {"decision": "valid", "version": "{v_submitted_B}"},
    "POST /review/{submitted_A1}/decide": {"decision": "valid", "version": "{v_submitted_A1}"},
    "POST /review/{submitted_A2}/decide": {"decision": "valid", "version": "{v_submitted_A2}"},
    "POST /review/{valid_A1}/decide · already decided": {"decision": "invalid", "invalid_reason": "other",
                                                          "message": "Giả mạo", "version": "{v_valid_A1}"},
    "POST /review/{submitted_B}/cluster": {"step": "preview", "ids": "{submitted_A1}"},
    "POST /review/{valid_B}/score": {"c_novelty": "20", "c_effectiveness": "30", "c_applicability": "20"},
    "POST /review/second-check": {"initiative_id": "{invalid_B}", "outcome": "confirm",
                                  "version": "{v_invalid_B}"},
    "POST /review/templates · delete a province reviewer's": {"delete": "{template_other}"},
    "POST /review/templates · delete the district reviewer's": {"delete": "{template_A}"},
    "POST /admin/campaigns/new": {"name": ""},
    "POST /admin/campaigns/{campaign_B}/edit": {
        "name": "Chiến dịch cũ (sửa)", "slug": "cu-huyen-be", "start_date": "2021-03-01",
        "end_date": "2021-04-30", "goal": "11", "unit_id": "{district_B}"},
    "POST /admin/campaigns/{campaign_B}/freeze": {},
    "POST /admin/campaigns/{campaign}/targets?unit={district_B}": {"t{union_B1}": "39"},
    "POST /admin/campaigns/{campaign}/targets/import": {"file": b"unit_code,target\nB1,39\n"},
    "POST /admin/campaigns/{campaign}/periods/new": {
        "name": "Tuần thử phân quyền", "kind": "week", "unit_id": "{district_B}", "start_date": "2022-05-09",
        "end_date": "2022-05-15", "goal": "9", "measure": "valid"},
    "POST /admin/periods/{period_B}/edit": {
        "name": "Tuần huyện Bê (sửa)", "kind": "week", "unit_id": "{district_B}", "start_date": "2022-05-09",
        "end_date": "2022-05-15", "goal": "9", "measure": "valid"},
    "POST /admin/periods/{period_A}/edit · move it to district B": {
        "name": "Tuần huyện Ả", "kind": "week", "unit_id": "{district_B}", "start_date": "2022-05-09",
        "end_date": "2022-05-15", "goal": "9", "measure": "valid"},
    "POST /admin/periods/{period_B}/close": {},
    "POST /admin/periods/{period_A}/close": {},
    "POST /admin/units?parent={district_B}": {"name": "CĐCS Thử", "code": "MATRIX-1", "kind": "grassroots"},
    "POST /admin/units/{union_B1}/edit": {"name": "Đổi tên thử", "member_count": "81"},
    "POST /admin/users": {"full_name": "Người Thử", "phone": "0911999001", "role": "member", "unit_code": "B1",
                          "password": "matrix-pass-9"},
    "POST /admin/users/{member_B1}/edit": {"full_name": "Giàng A Năm", "phone": "0911000005", "role": "helper",
                                           "unit_code": "B1", "password": "matrix-pass-9"},
    "POST /admin/users/{member_B1}/active": {},
    "POST /admin/users/{reviewer_P2}/edit": {"full_name": "Trần Thẩm Định", "phone": "0911000008",
                                             "role": "member", "unit_code": "A2", "password": "matrix-pass-9"},
    "POST /admin/users/{reviewer_P2}/active": {},
    "POST /admin/programmes/new": {"name": "Chương trình mới", "slug": "chuong-trinh-moi", "start_date": "2021-07-01",
                                   "end_date": "2023-12-31"},
    "POST /admin/programmes/{programme}/edit": {"name": "Chương trình thử (sửa)", "slug": "chuong-trinh-thu",
                                                "start_date": "2021-07-01", "end_date": "2024-06-30"},
    "POST /admin/programmes/{programme}/rules/new": {"kind": "evidence", "label": "Có ảnh chụp nơi áp dụng"},
    "POST /admin/rules/{rule_programme}/edit": {"kind": "applied_window", "label": "Áp dụng từ 2022",
                                                "date_from": "2022-01-01"},
    "POST /admin/rules/{rule_programme}/delete": {},
    "POST /admin/campaigns/{campaign}/rules/new": {"kind": "evidence", "label": "Có biên bản họp tổ"},
    "POST /admin/rules/{rule_campaign}/edit": {"kind": "evidence", "label": "Có biên bản nghiệm thu (sửa)"},
    "POST /admin/rules/{rule_campaign}/delete": {},
    "POST /admin/campaigns/{campaign_B}/rules/new": {"kind": "evidence", "label": "Có xác nhận của xã"},
    "POST /admin/rules/{rule_campaign_B}/delete": {},
    "POST /awards/{valid_B}/shortlist": {"note": "Đề cử"},
    "POST /awards/{valid_A1}/shortlist": {"note": "Đề cử"},
    "POST /awards/{valid_B}/award": {"decision_number": "1/QĐ", "decision_date": "2022-06-01"},
    "POST /awards/{valid_B}/feature": {"story": "Câu chuyện mới."},
    "POST /awards/grants/{award_B}/revoke": {},
    "POST /awards/levels": {"name": "Bằng khen thử", "issuer": "LĐLĐ tỉnh", "quota": "3"},
    "POST /awards/rounds": {"name": "Vòng thử"},
    "POST /awards/rounds/{round_B}/vote": {"first": "{valid_B}", "second": "{submitted_B}", "winner": "{valid_B}"},
    "POST /support/obstacles/new": {"title": "Thiếu máy tính để nhập sáng kiến", "body": "Công đoàn chỉ có một máy.",
                                    "campaign_id": "0"},
    "POST /support/obstacles/{obstacle_A1}/answer": {"body": "Huyện sẽ hướng dẫn trong tuần này."},
    "POST /support/obstacles/{obstacle_B}/answer": {"body": "Trả lời trộm."},
    "POST /support/obstacles/{obstacle_A1}/followup": {"body": "Xin hướng dẫn cụ thể hơn."},
    "POST /support/obstacles/{obstacle_B}/followup": {"body": "Hỏi trộm."},
    "POST /support/obstacles/{obstacle_A1}/resolve": {"body": "Đã rõ, cảm ơn."},
    "POST /support/obstacles/{obstacle_A1}/assign": {"take": "1"},
    "POST /support/obstacles/{obstacle_B}/assign": {"take": "1"},
}

# What fails today, (row, actor) → why. Remove a line when its case XPASSes.
TODAY: dict[tuple[str, str], str] = {}


def split(row: str) -> tuple[str, str]:
    """"POST /review/templates · label" → ("POST", "/review/templates")."""
    method, url = row.split(" · ")[0].split(" ", 1)
    return method, url


def cases():
    for row, expected in MATRIX.items():
        for actor, outcome in zip(ACTORS, expected):
            marks = [pytest.mark.xfail(strict=True, reason=TODAY[row, actor])] if (row, actor) in TODAY else []
            yield pytest.param(row, actor, outcome, marks=marks, id=f"{row}-{actor}")


# --- the world, built once for the module; a request that writes is undone by restoring a snapshot ----------

def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}


def restore(app, rows: dict[str, list[tuple]]) -> None:
    tables = db.metadata.sorted_tables
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        for table in reversed(tables):  # DELETE: much cheaper than TRUNCATE on PostgreSQL for a few rows
            conn.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                conn.execute(table.insert(), [dict(zip(table.columns.keys(), row)) for row in rows[table.name]])
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys=ON"))


def changes(before: dict, after: dict) -> list[str]:
    return [f"{name} ({len(before[name])} → {len(after[name])} rows)" for name in before
            if before[name] != after[name]]


@pytest.fixture(scope="module")
def matrix(_schema, database_url, tmp_path_factory):
    _empty_all_tables(_schema)
    # Logging every actor in (and POST /login per actor) would trip the login rate limit, not under test here.
    app = create_app(make_config(database_url, tmp_path_factory.mktemp("matrix"), LOGIN_RATE_LIMIT="1000/minute",
                                 LOGIN_ACCOUNT_RATE_LIMIT="1000/minute"))
    app.test_client_class = Client
    with app.app_context():
        world = factories.build_world()
        actors = factories.build_actors(world)
        names = factories.build_objects(world)
        names.update(factories.build_rules(world, names["campaign_B"]))
        names.update(factories.build_obstacles(world))
        names.update(slug="thu", campaign=world.campaign, district_A=world.district_a, district_B=world.district_b,
                     union_A1=world.union_a1, union_B1=world.union_b1, member_A2=world.member_a2,
                     member_B1=world.member_b1, reviewer_P2=world.reviewer_p2)
        # Two ended peak weeks (the campaign ran in 2022), one per district: closing them writes.
        week = (date(2022, 5, 9), date(2022, 5, 15))
        names.update(period_A=factories.period(world.campaign, world.district_a, *week).id,
                     period_B=factories.period(world.campaign, world.district_b, *week).id)
        db.session.commit()
        titles = dict(db.session.execute(select(Initiative.id, Initiative.title)).all())
        # What the world's decisions told their authors: one unread notification of the member, one of district B.
        names.update({name: db.session.scalar(select(Notification.id).where(Notification.user_id == user_id)
                                              .order_by(Notification.id))
                      for name, user_id in (("notice_A1", world.member_a1), ("notice_B", world.member_b1))})
    with app.test_request_context():
        names["asset"] = app.jinja_env.globals["asset"]("app.css").removeprefix("/s/")
    sessions = {}
    for actor, phone in actors.phones.items():
        client = app.test_client()
        login(client, phone)
        sessions[actor] = client.get_cookie("session").value
    yield SimpleNamespace(app=app, names=names, sessions=sessions, titles=titles, rows=snapshot(app))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def client_for(matrix, actor: str) -> Client:
    """A fresh browser holding the actor's session cookie (logged in once per module)."""
    client = matrix.app.test_client()
    if actor != "anon":
        client.set_cookie("session", matrix.sessions[actor])
    return client


def form_data(row: str, names: dict) -> dict:
    data = {}
    for key, value in FORMS.get(row, {}).items():
        if isinstance(value, bytes):  # a file upload
            data[key.format(**names)] = (io.BytesIO(value), "chi-tieu.csv")
        else:
            data[key.format(**names)] = value.format(**names)
    return data


def outcome_of(response) -> str:
    status = response.status_code
    if status in (301, 302, 303) and urlsplit(response.location).path == "/login":
        return LOGIN if "next=" in response.location else "302 to /login without next"
    return {403: DENY, 404: HIDE}.get(status, OK if 200 <= status < 400 else str(status))


def matches(expected: str, got: str) -> bool:
    if expected == NO:
        return got in (DENY, HIDE)
    if expected in (DONE, KEEP):
        return got == OK
    return got == expected


@pytest.mark.parametrize("row, actor, expected", list(cases()))
def test_authorization(matrix, row, actor, expected):
    method, url = split(row)
    url = url.format(**matrix.names)
    client = client_for(matrix, actor)
    data = None
    if method == "POST":
        data = {**form_data(row, matrix.names), "csrf_token": client.csrf_token()}
    try:
        response = client.get(url) if method == "GET" else client.form(url, data)
    finally:
        after = snapshot(matrix.app)
        if after != matrix.rows:  # every case starts from the same world
            restore(matrix.app, matrix.rows)
    got = outcome_of(response)
    written = changes(matrix.rows, after)
    assert matches(expected, got), f"{row} as {actor}: expected {expected}, got {got} ({response.status_code})"
    if method == "GET" or expected in REFUSALS:
        assert not written, f"{row} as {actor} ({got}) wrote to: {', '.join(written)}"
    if expected == DONE:
        assert written, f"{row} as {actor} answered {response.status_code} but wrote nothing"


def test_every_route_has_a_row(matrix):
    """A route without a row in MATRIX (or a row for no route) fails: who may use it must be stated."""
    app = matrix.app
    adapter = app.url_map.bind("localhost")
    covered = set()
    for row, expected in MATRIX.items():
        assert len(expected) == len(ACTORS), f"{row}: one outcome per actor {ACTORS}"
        method, url = split(row)
        rule, _ = adapter.match(urlsplit(url.format(**matrix.names)).path, method=method, return_rule=True)
        covered.add((method, rule.rule))
        assert method == "GET" or row in FORMS, f"{row}: POST rows need form data in FORMS"
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered)
    assert not missing, "routes without a row in MATRIX: " + ", ".join(f"{m} {r}" for m, r in missing)
    assert set(FORMS) <= set(MATRIX), f"FORMS rows not in MATRIX: {set(FORMS) - set(MATRIX)}"
    assert {row for row, _ in TODAY} <= set(MATRIX) and {actor for _, actor in TODAY} <= set(ACTORS)


def _queue_titles(matrix, actor: str) -> set[str]:
    page = client_for(matrix, actor).get("/review/").get_data(as_text=True)
    return {title for title in matrix.titles.values() if title in page}


def test_reviewer_without_unit_or_scope_sees_an_empty_queue(matrix):
    assert _queue_titles(matrix, "noscope") == set()


def test_admin_with_a_home_unit_sees_other_districts_in_the_queue(matrix):
    assert matrix.titles[matrix.names["submitted_B"]] in _queue_titles(matrix, "admin")


def test_district_reviewer_queue_holds_only_their_district_without_their_own_union(matrix):
    titles = _queue_titles(matrix, "reviewer")
    assert titles == {matrix.titles[matrix.names["submitted_A1"]]}
