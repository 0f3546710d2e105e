"""Who is told what happens to an initiative (DESIGN §11, issue 14): the event hooks.

Each function is called where its event happens, inside the event's transaction (``notices.notify`` adds the rows;
the caller commits once, with the event), so a rolled-back or refused event tells nobody. The people told about an
initiative are its author and its co-authors who have an account, each once, never the person who acted.
Params hold plain values only (titles, names, reason codes); the text is rendered when read (``notices.render``).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import Initiative, Notification, Role, Status, User
from . import notices

# The status a transition reaches → the kind of notification it sends, when it comes from this status. Other
# transitions tell nobody: a submission, a withdrawal and its undoing, taking an initiative off the shortlist
# (back to valid), a reopening after the second check; "awarded" is told by the award itself (``awarded``), which
# may come without a status change (a second recipient, another level).
KIND_OF_TRANSITION: dict[tuple[str, str], str] = {
    (Status.SUBMITTED, Status.RETURNED): "returned",
    (Status.SUBMITTED, Status.VALID): "valid",
    (Status.SUBMITTED, Status.INVALID): "invalid",
    (Status.VALID, Status.SHORTLISTED): "shortlisted",
}


def path(endpoint: str, **values) -> str:
    """The path of a page of the platform (``/initiatives/7``), inside or outside a request (CLI, jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def people_of(initiative: Initiative, *, besides: User | None = None) -> list[User]:
    """The author, then the co-authors who have an account, each once, without ``besides`` (who acted)."""
    ids = [initiative.author_id] + [a.user_id for a in initiative.authors if a.user_id is not None]
    unique = [i for n, i in enumerate(ids) if i not in ids[:n] and (besides is None or i != besides.id)]
    if not unique:
        return []
    found = {person.id: person for person in db.session.scalars(select(User).where(User.id.in_(unique)))}
    return [found[i] for i in unique if i in found]


def status_changed(initiative: Initiative, from_status: str, to_status: str, actor: User, *,
                   reason_code: str | None = None, message: str | None = None,
                   now: datetime | None = None) -> list[Notification]:
    """Tell the initiative's people about a reviewer's decision or the shortlist (``KIND_OF_TRANSITION``)."""
    kind = KIND_OF_TRANSITION.get((from_status, to_status))
    if kind is None:
        return []
    params: dict[str, str] = {"title": initiative.title}
    if kind in ("returned", "invalid"):
        params.update(reason=reason_code or "", message=message or "")
    detail = path("submissions.detail", initiative_id=initiative.id)
    # A shortlist taken back and given again is told once.
    dedupe = f"shortlisted:{initiative.id}" if kind == "shortlisted" else None
    made = []
    for person in people_of(initiative, besides=actor):
        link = detail
        if kind == "returned" and person.id == initiative.author_id:  # the author edits and sends it again
            link = path("submissions.edit", initiative_id=initiative.id)
        one = notices.notify(person, kind, params=params, link=link, initiative_id=initiative.id,
                             dedupe_key=f"{dedupe}:u{person.id}" if dedupe else None, now=now)
        if one is not None:
            made.append(one)
    return made


def awarded(initiative: Initiative, level_name: str, level_id: int, actor: User) -> list[Notification]:
    """Tell the initiative's people it was commended at a level (once per level, however many recipients)."""
    return notices.notify_all(people_of(initiative, besides=actor), "awarded",
                              params={"title": initiative.title, "award": level_name},
                              link=path("submissions.detail", initiative_id=initiative.id),
                              initiative_id=initiative.id, dedupe_key=f"awarded:{initiative.id}:l{level_id}")


def coauthors_added(initiative: Initiative, people: list[User], actor: User) -> list[Notification]:
    """Tell people with an account that ``actor`` named them co-authors (once per initiative and person)."""
    return notices.notify_all([p for p in people if p.id != actor.id], "coauthor_added",
                              params={"title": initiative.title, "by": actor.full_name},
                              link=path("submissions.detail", initiative_id=initiative.id),
                              initiative_id=initiative.id, dedupe_key=f"coauthor:{initiative.id}")


def entered_on_behalf(initiative: Initiative, actor: User, *, first: bool) -> Notification | None:
    """A support team member submitted an initiative whose author is another member: tell the author once, at the
    ``first`` submission (a resubmission after a return tells nothing new)."""
    if not first or actor.role != Role.HELPER or actor.id == initiative.author_id:
        return None
    author = db.session.get(User, initiative.author_id)
    if author is None:
        return None
    return notices.notify(author, "entered_on_behalf", params={"title": initiative.title, "by": actor.full_name},
                          link=path("submissions.detail", initiative_id=initiative.id), initiative_id=initiative.id,
                          dedupe_key=f"on_behalf:{initiative.id}:u{author.id}")
