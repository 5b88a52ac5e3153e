"""Queue alert emails in the outbox, in the caller's transaction.

Rows are delivered later by ``workflow.channels.mailer`` (run by a Celery task after the commit). A unique dedupe
key per (event, cause, recipient), written with INSERT ... ON CONFLICT DO NOTHING, means the same alert is
never queued twice, and a rolled-back change queues nothing. People who chose a daily digest get their
alerts held and sent as one email a day.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Protocol

from flask import current_app
from jinja2 import Environment
from sqlalchemy import and_, bindparam, func, or_, select

from workflow import acting
from workflow.channels import alerts, wording
from workflow.db import db
from workflow.models import Group, OutboxMessage, Step, User
from workflow.steprows import StepRow
from workflow.templating import environment
from workflow.thaidate import bangkok_today, format_be
from workflow.vocabulary import month_words

SUBJECT_PREFIX = "[ITA] "
#: events that a digest user receives in the daily digest instead of one by one
DIGESTIBLE = {"links_broken", "step_opened", "review_waiting", "approved", "reminder", "due_today", "overdue",
              "special_deadline", "period_end", "round_items"}

@functools.cache
def _templates(lang: str) -> Environment:
    """The email templates with the catalogue of a language (one environment per language, each keeping its
    compiled templates)."""
    env = environment("email", keep_trailing_newline=True, i18n=True)
    env.install_gettext_translations(wording.catalogue(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda value: wording.number(value, lang)
    return env


def render(name: str, lang: str, **context) -> tuple[str, str]:
    """(plain text, HTML) of an email template pair, in a language."""
    env = _templates(lang if lang == "en" else "th")
    return (env.get_template(f"{name}.txt").render(lang=lang, **context),
            env.get_template(f"{name}.html").render(lang=lang, **context))


def _settings():
    return current_app.config["ITAFLOW"]


class Recipient(Protocol):
    """What queueing an email reads of a person: a User, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def notify_mode(self) -> str: ...
    @property
    def language(self) -> str: ...


_user = db.metadata.tables["app_user"]
_group = db.metadata.tables["work_group"]
_away = db.metadata.tables["absence"].alias("away")
#: a person with, while they are away on the day, who acts for them (an outer join: one statement still)
_WITH_AWAY = _user.outerjoin(_away, and_(_away.c.user_id == _user.c.id, _away.c.starts_on <= bindparam("day"),
                                         _away.c.ends_on >= bindparam("day"), _away.c.cancelled_at.is_(None)))
_COLUMNS = (_user.c.id, _user.c.name, _user.c.email, _user.c.active, _user.c.notify_mode, _user.c.language,
            _user.c.agency_id, _away.c.acting_user_id.label("acting_id"))
_DIRECTOR = (select(*_COLUMNS)
             .select_from(_WITH_AWAY.join(_group, _user.c.id == func.coalesce(_group.c.acting_director_id,
                                                                               _group.c.director_id)))
             .where(_group.c.id == bindparam("id")))
_PERSON = select(*_COLUMNS).select_from(_WITH_AWAY).where(_user.c.id == bindparam("id"))
_co_owner = db.metadata.tables["step_co_owner"]
#: the members of a step's owner group and of the groups that own it beside it, in one statement
_MEMBERS = select(*_COLUMNS).select_from(_WITH_AWAY).where(or_(
    _user.c.group_id == bindparam("id"),
    _user.c.group_id.in_(select(_co_owner.c.group_id).where(_co_owner.c.step_id == bindparam("step"))),
)).order_by(_user.c.id)


def recipient_rows(step: Step | StepRow, day: date) -> Sequence[Recipient]:
    """``step_recipients`` in one statement, from the step's ids alone (for a step read as a row); someone
    away on the day with a person acting for them is replaced by that person (``workflow.engine.absences``)."""
    if step.kind == "review":
        statement, key = _DIRECTOR, step.reviewer_group_id
    elif step.owner_user_id is not None:
        statement, key = _PERSON, step.owner_user_id
    else:
        statement, key = _MEMBERS, step.owner_group_id
    if key is None:
        return []
    params = {"id": key, "day": day, "step": step.id} if statement is _MEMBERS else {"id": key, "day": day}
    rows = [row for row in db.session.connection().execute(statement, params) if row.active]
    if any(row.acting_id is not None for row in rows):  # rare: someone is away and named who acts
        return [p for p in acting.resolve_all(rows, day) if p.active]
    return rows


def step_recipients(step: Step, day: date) -> list[User]:
    """The people who act on a step on a day: its named officer, else its group's active members; for a review,
    the reviewer group's acting director, else its director; each replaced, while away, by who acts for them.
    (``recipient_rows`` says the same in SQL.)"""
    if step.kind == "review":
        return reviewers(step.reviewer_group, day)
    if step.owner_user is not None:
        people = [step.owner_user] if step.owner_user.active else []
    elif step.owner_group is not None:
        groups = [step.owner_group, *step.co_owner_groups]
        people = sorted({u.id: u for g in groups for u in g.members if u.active}.values(), key=lambda u: u.id)
    else:
        return []
    return acting.resolve_all(people, day)


def reviewers(group: Group | None, day: date) -> list[User]:
    """Who decides a group's reviews on a day: its acting director, else its director, or who acts for them
    while they are away."""
    if group is None:
        return []
    person = group.acting_director if group.acting_director_id else group.director
    return acting.resolve_all([person], day) if person is not None and person.active else []


def directors_of(step: Step, day: date) -> list[User]:
    """Who hears when a step stays overdue: the director of the owner's group (of each group that owns it), or
    who acts for them while they are away."""
    group = step.owner_group or (step.owner_user.group if step.owner_user else None)
    found = {u.id: u for g in [group, *step.co_owner_groups] for u in reviewers(g, day)}
    return sorted(found.values(), key=lambda u: u.id)


#: a link in a queued message is stored as ``site:/path`` and made absolute from ``ITAFLOW_BASE_URL`` when
#: the message is rendered to be sent: a message queued before the base URL was set (or changed) still
#: points to where the site is served when it leaves
SITE = "site:"


def site_link(path: str) -> str:
    """A link to a page of this site, as a queued message keeps it (see ``SITE``)."""
    return SITE + path


def absolute(value: Any, base_url: str) -> Any:
    """``value`` with each ``site:/path`` inside it (in lists and dicts too) made ``<base_url>/path``."""
    if isinstance(value, str):
        return base_url.rstrip("/") + value[len(SITE):] if value.startswith(SITE) else value
    if isinstance(value, list):
        return [absolute(v, base_url) for v in value]
    if isinstance(value, dict):
        return {k: absolute(v, base_url) for k, v in value.items()}
    return value


def absolute_lines(text: str, base_url: str) -> str:
    """A LINE message's text with each line that is a ``site:/path`` link made absolute."""
    return "\n".join(absolute(line, base_url) for line in text.split("\n"))


def owners_of(step: Step) -> list[User]:
    """The step's own people, as named (not who acts for them): for the escalation's "ผู้รับผิดชอบ"."""
    if step.owner_user is not None:
        return [step.owner_user]
    groups = [step.owner_group, *step.co_owner_groups] if step.owner_group else []
    return sorted({u.id: u for g in groups for u in g.members if u.active}.values(), key=lambda u: u.id)


def step_params(step: Step | StepRow) -> dict:
    """What a step's alert subject names: its measure, its number and, for a monthly step, its month."""
    params: dict = {"code": step.measure.code, "number": step.number}
    month = getattr(step, "month", None)
    if month is not None:
        params["month"] = month
    return params


def step_link(step: Step | StepRow) -> str:
    return site_link(f"/steps/{step.id}")


def step_item(step: Step | StepRow, *, note: str | None = None, overdue_days: int | None = None,
              reason: str | None = None, overdue: bool = False) -> dict:
    """One step as an email lists it (the same data in every language; the templates word it)."""
    digit_style = _settings().digits
    month = getattr(step, "month", None)
    return {
        "measure_code": step.measure.code, "measure_title": step.measure.title,
        "step_number": step.number, "step_title": step.title,
        # a monthly step's month, in either language (the template says the recipient's)
        "month": month_words(month, "th", digit_style) or None, "month_en": month_words(month, "en") or None,
        "due": format_be(step.due_on, digit_style=digit_style) if step.due_on else None,
        "due_en": format_be(step.due_on, digit_style="arabic", lang="en") if step.due_on else None,
        "overdue_days": overdue_days, "note": note, "reason": reason, "overdue": overdue, "link": step_link(step),
        "agency": step.measure.cycle.agency,
    }


@functools.cache
def _insert_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per database kind."""
    table = db.metadata.tables["outbox_message"]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)


def _insert_rows(rows: list[dict]) -> int:
    """The one way an email is queued: INSERT ... ON CONFLICT (dedupe_key) DO NOTHING, so the same alert is
    never queued twice, whichever process, task or transaction tries; RETURNING counts what was new on both
    databases."""
    # on the session's connection: the ORM's pending changes need not be flushed for a row of their own
    connection = db.session.connection()
    statement = _insert_statement(connection.dialect.name)
    # the channels this transaction queued for: a request starts their delivery once it has committed
    db.session.info.setdefault("outbox_channels", set()).update(r.get("channel") or "email" for r in rows)
    return sum(len(connection.execute(statement, rows[start:start + 1000]).all())
               for start in range(0, len(rows), 1000))


def queue(event_name: str, cause: str, recipient: Recipient, items: list[dict], now: datetime, *,
          params: dict | None = None, wording_key: str | None = None, template: str = "alert",
          context: dict | None = None) -> bool:
    """Add one outbox row unless this (event, cause, recipient) is already queued. True if added. It leaves
    when alerts may go out (``alerts.send_moment``: queued outside office hours, it waits for the next one).

    Its subject and lead are worded in the recipient's language (``workflow.channels.wording``, by ``wording_key``,
    the event's name unless given, with ``params``); the rest is stored as data (template and context) and
    rendered in that language when it is sent."""
    return queue_each(event_name, cause, [recipient], items, now, params=params, wording_key=wording_key,
                      template=template, context=context) == 1


def queue_each(event_name: str, cause: str, recipients: Iterable[Recipient], items: list[dict], now: datetime, *,
               params: dict | None = None, wording_key: str | None = None, template: str = "alert",
               context: dict | None = None) -> int:
    """``queue`` for each of several people, written in one INSERT (the people of a step that opens). The
    number of rows added."""
    moment = alerts.send_moment(event_name, now)
    worded: dict[str, tuple[str, str]] = {}
    domain = _mail_domain()
    rows = []
    for recipient in recipients:
        if not recipient.email or not recipient.active:
            continue
        lang = wording.language_of(recipient)
        if lang not in worded:
            worded[lang] = wording.say(wording_key or event_name, lang, params or {})
        subject, lead = worded[lang]
        held = recipient.notify_mode == "digest" and event_name in DIGESTIBLE
        rows.append(dict(
            dedupe_key=f"{event_name}:{cause}:{recipient.id}", event=event_name, recipient_id=recipient.id,
            to_email=recipient.email, subject=SUBJECT_PREFIX + subject, status="held" if held else "pending",
            attempts=0, next_attempt_at=moment, message_id=f"<{uuid.uuid4().hex}@{domain}>", created_at=now,
            payload={"template": template, "recipient_name": recipient.name, "lead": lead, "items": items,
                     "context": context or {}, "lang": lang},
            lease_until=None, last_error=None, sent_at=None,
        ))
    collected = db.session.info.get("outbox_collect")
    if collected is not None:
        collected.extend(rows)
        return len(rows)
    return _insert_rows(rows) if rows else 0


@contextmanager
def collecting() -> Iterator[list[dict]]:
    """Within the block, queued emails are gathered and written together when it ends (the sweep queues
    thousands at a time), the same INSERT ... ON CONFLICT DO NOTHING. Nothing is written if the block
    raises."""
    rows: list[dict] = []
    db.session.info["outbox_collect"] = rows
    try:
        yield rows
    finally:
        db.session.info.pop("outbox_collect", None)
    if rows:
        _insert_rows(rows)


def _mail_domain() -> str:
    return _settings().base_url.split("//")[-1].split("/")[0].split(":")[0] or "itaflow.local"


def render_message(row: OutboxMessage) -> tuple[str, str]:
    """(plain text, HTML) of an outbox row, in the language it was queued in."""
    p = absolute(row.payload or {}, _settings().base_url)  # links from the base URL as it is now
    return render(p.get("template", "alert"), p.get("lang", "th"), recipient={"name": p.get("recipient_name", "")},
                  subject=row.subject, lead=p.get("lead", ""), items=p.get("items", []),
                  agency=next((i["agency"] for i in p.get("items", []) if i.get("agency")), ""), **p.get("context", {}))


def _code_number(step: Step | StepRow) -> dict:
    return step_params(step)


def step_opened(step: Step | StepRow, cause: str, now: datetime, *, loading: bool = False) -> int:
    """"Your turn" (or, for a review, "waiting for your review") to a step's people; none for a step opened by
    loading its cycle when its due day is past (``alerts.announce_opening``)."""
    if not alerts.announce_opening(step, now, loading=loading):
        return 0
    event = "review_waiting" if step.kind == "review" else "step_opened"
    return queue_each(event, cause, recipient_rows(step, bangkok_today(now)), [step_item(step)], now,
                      params=_code_number(step))


def due_moved(step: Step, before: date | None, reason: str, cause: str, now: datetime) -> int:
    return queue_each("due_moved", cause, step_recipients(step, bangkok_today(now)), [step_item(step, reason=reason)],
                      now, params={**_code_number(step), "day": step.due_on, "before": before or step.due_on,
                                   "reason": reason})


def who_decided(actor: User, acting: dict | None) -> str:
    """A decider as an e-mail names them: name and position, and whom they act for (รักษาราชการแทน)."""
    text = actor.name + (f" {actor.position}" if actor.position else "")
    if acting:
        text += f" รักษาราชการแทน {acting.get('position') or acting.get('name') or ''}".rstrip()
    return text


def who_decided_en(actor: User, acting: dict | None) -> str:
    text = actor.name + (f", {actor.position}" if actor.position else "")
    if acting:
        text += f", acting for {acting.get('position') or acting.get('name') or ''}".rstrip()
    return text


def sent_back_params(step: Step, reason: str, by: User | None = None, acting: dict | None = None) -> dict:
    """What a send-back's message says, on every channel (e-mail here, LINE in workflow.channels.lineout): the step, the
    reason, and who sent it back (name, position, and whom they acted for)."""
    return {**_code_number(step), "reason": reason,
            "by": who_decided(by, acting) if by is not None else "ผู้ตรวจสอบ"}


def sent_back(step: Step, reason: str, cause: str, now: datetime, *, by: User | None = None,
              acting: dict | None = None) -> int:
    """The e-mail of a send-back to the reopened step's people: who sent it back and why (its LINE message is
    ``lineout.step_event``'s: the channels below never call each other)."""
    people = step_recipients(step, bangkok_today(now))
    params = sent_back_params(step, reason, by, acting)
    items = [step_item(step, reason=reason)]
    english = [user for user in people if wording.language_of(user) == "en"]
    count = queue_each("sent_back", cause, [user for user in people if user not in english], items, now,
                       params=params)
    if english:
        words = {**params, "by": who_decided_en(by, acting) if by is not None else params["by"]}
        count += queue_each("sent_back", cause, english, items, now, params=words)
    return count


def approved(review: Step, reviewed: Step, cause: str, now: datetime) -> int:
    return queue_each("approved", cause, recipient_rows(reviewed, bangkok_today(now)), [step_item(reviewed)], now,
                      params=_code_number(reviewed))


def build_digests(now: datetime) -> int:
    """One email a day per digest user, at their hour, with everything held for them."""
    from workflow.thaidate import to_bangkok

    local = to_bangkok(now)
    today: date = bangkok_today(now)
    held = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.status == "held").order_by(OutboxMessage.id)
    ).scalars().all()
    by_user: dict[int, list[OutboxMessage]] = {}
    for row in held:
        if row.recipient_id is not None:
            by_user.setdefault(row.recipient_id, []).append(row)
    made = 0
    for user_id, rows in by_user.items():
        user = db.session.get(User, user_id)
        if user is None or local.hour < user.digest_hour:
            continue
        items = [item for row in rows for item in (row.payload or {}).get("items", [])]
        if queue("digest", today.isoformat(), user, items, now, params={"day": today, "count": len(rows)}):
            made += 1
        else:  # today's digest already went: the rest waits for tomorrow's
            continue
        for row in rows:
            row.status = "digested"
    return made
