"""Deliver the outbox over SMTP (the standard library's smtplib): one connection per batch, each row settled
as soon as the server took its message.

Unlike the other services this one commits, because an SMTP handover cannot join a database transaction:
the claims are committed before the first message leaves, and each row is settled and committed as soon
as the server took its message (a kill repeats at most that one message, with the same Message-ID).

A row is claimed with a lease (``status = 'sending'``, ``lease_until``) so a worker killed mid-batch
leaves nothing stranded: the lease expires and the row is sent by the next run. Failures are retried
with exponential backoff up to a cap, then the row is marked failed. The Message-ID is fixed in the row,
so a retried message is the same message to the receiving side.

An attempt is counted for the message in the sender's hands, not for the batch: the count is committed as
the message is handed to the relay (in the transaction that settles the message before it), before it is
rendered or its recipient named. A sender killed mid-batch therefore costs a try only to the one message it
was on; the rows that waited behind it in the batch are claimed again as they were. A message that kills its
sender every time still runs out of tries and is failed (``fail_abandoned``).

Messages are written by ``message_bytes``: the one shape itaflow sends (plain text and HTML, both base64,
the subject in RFC 2047 words). The standard library's ``EmailMessage`` with ``policy.SMTP`` writes the
same in about 1.7 ms a message here, more than the SMTP exchange itself; this takes about 0.1 ms. A message
is rendered while the server answers its MAIL command, so rendering costs the batch almost nothing.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import re
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, formataddr, parseaddr
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import DBAPIError

from config import Settings
from workflow.channels.notify import render_message
from workflow.db import db
from workflow.models import OutboxMessage
from workflow.thaidate import BANGKOK

log = logging.getLogger(__name__)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
#: errors after which the connection is gone: the rest of the batch waits for the next run
CONNECTION_LOST = (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError)


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


def _settings() -> Settings:
    return current_app.config["ITAFLOW"]


def _due(now: datetime, channel: str = "email"):
    """Pending rows of a channel whose time has come, and rows whose sender died (lease expired)."""
    return and_(OutboxMessage.channel == channel,
                or_(and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                    and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)))


def fail_abandoned(now: datetime, channel: str = "email") -> int:
    """Rows whose sender died holding them as many times as a row may be tried (a message that kills its
    worker every time): marked failed, shown on the outbox page, never claimed again."""
    settings = _settings()
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.channel == channel, OutboxMessage.status == "sending",
                                    OutboxMessage.lease_until < now,
                                    OutboxMessage.attempts >= settings.mail_max_attempts)
        .values(status="failed", lease_until=None,
                last_error=f"its sender stopped {settings.mail_max_attempts} times while sending it"))
    db.session.commit()
    return max(result.rowcount, 0)  # type: ignore[attr-defined]


def claim(now: datetime, limit: int, channel: str = "email") -> list[int]:
    """Lease up to ``limit`` due rows to this sender (committed). No attempt is counted here: a row's try is
    counted when it is handed over (``count_attempt``, and the e-mail sender's own settle-and-count)."""
    lease = timedelta(seconds=_settings().mail_lease_seconds)
    due = select(OutboxMessage.id).where(_due(now, channel)).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status="sending", lease_until=now + lease)
        .returning(OutboxMessage.id)
    ).scalars().all()
    db.session.commit()
    return sorted(ids)


def count_attempt(row_id: int) -> None:
    """One try of a claimed row, committed before it is handed over (the LINE sender's; e-mail counts in
    ``_Settle.handing``, with the previous message's settlement)."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                       .values(attempts=OutboxMessage.attempts + 1))
    db.session.commit()


def open_smtp(settings: Settings) -> smtplib.SMTP:
    """A connection to the relay, with a timeout (a server that never answers cannot hang a worker)."""
    smtp_class = smtplib.SMTP_SSL if settings.mail_use_ssl else smtplib.SMTP
    smtp = smtp_class(settings.mail_server, settings.mail_port, timeout=settings.mail_timeout)
    if settings.mail_use_tls:
        smtp.starttls()
    if settings.mail_username and settings.mail_password:
        smtp.login(settings.mail_username, settings.mail_password)
    smtp.ehlo_or_helo_if_needed()
    return smtp


def _nothing() -> None:
    return None


class Unrenderable(Exception):
    """The message of a row cannot be written (see the log); the relay was told to forget it (RSET)."""


def _dot_stuffed(message: bytes) -> bytes:
    """SMTP's own escaping (CRLF line ends, a leading dot doubled), for a message not already in that form."""
    message = re.sub(rb"\r\n|\r|\n", b"\r\n", message)
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", message)


def send(smtp: smtplib.SMTP, sender: str, recipient: str, render: Callable[[], bytes | None], *,
         handing: Callable[[], None] = _nothing) -> None:
    """smtplib's ``sendmail`` for one recipient, the message written by ``render`` (None: it cannot be).

    ``handing`` runs once the message is in the sender's hands, before it is rendered or its recipient named
    (it counts the try, and settles the message before, which the server has taken); both it and the
    rendering are done while the server answers the MAIL command. Ours are in wire form (CRLF lines, none
    beginning with a dot: headers, base64 and boundaries), so they are not scanned again; anything else is
    escaped here, and non-ASCII addresses go through ``sendmail`` itself."""
    if not (sender.isascii() and recipient.isascii()):
        handing()
        message = render()
        if message is None:
            raise Unrenderable
        smtp.sendmail(sender, [recipient], message)
        return
    smtp.putcmd("mail", f"FROM:{smtplib.quoteaddr(sender)}")
    handing()
    message = render()
    code, reply = smtp.getreply()
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    if message is None:
        smtp.rset()
        raise Unrenderable
    if not message.endswith(b"\r\n") or b"\n." in message or message.startswith(b"."):
        message = _dot_stuffed(message)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(message + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)


def encode_header_value(value: str) -> str:
    """RFC 2047 base64 encoded-words, split on character boundaries (45 UTF-8 bytes a word, so each line
    stays under 78 characters). Line breaks in the value become spaces: a header cannot be injected."""
    value = " ".join(value.split())
    if value.isascii():
        return value
    data = value.encode("utf-8")
    words, start = [], 0
    while start < len(data):
        end = min(start + 45, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a character
            end -= 1
        words.append(data[start:end])
        start = end
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def _address(address: str) -> str:
    """A header address: the display name encoded when it is not ASCII; no line breaks."""
    if address.isascii() and "<" not in address and "\n" not in address and "\r" not in address:
        return address  # a bare address, checked when the row was queued
    name, email = parseaddr(" ".join(address.split()))
    if not name or name.isascii():
        return formataddr((name, email))
    return f"{encode_header_value(name)} <{email}>"


@functools.lru_cache(maxsize=8)
def _sender_header(sender: str) -> str:
    return _address(sender)


def _body(content: str) -> str:
    """base64 in lines of 76 characters, as MIME asks."""
    encoded = base64.b64encode(content.encode("utf-8")).decode("ascii")
    return "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


def message_bytes(row: Any, now: datetime, sender: str) -> bytes:
    """The message of an outbox row (an OutboxMessage or a row of its columns), as sent on the wire."""
    text, html = render_message(row)
    boundary = f"=_itaflow_{uuid.uuid4().hex}"
    headers = [
        ("From", _sender_header(sender)),
        ("To", _address(row.to_email)),
        ("Subject", encode_header_value(row.subject or "")),
        ("Date", format_datetime(now.astimezone(BANGKOK))),  # the sweep's clock, not the system's
        ("Message-ID", row.message_id),  # the same on every retry
        ("MIME-Version", "1.0"),
        ("Auto-Submitted", "auto-generated"),
        ("X-Itaflow-Event", row.event),
        ("X-Itaflow-Outbox", str(row.id)),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    lines = [f"{name}: {value}" for name, value in headers]
    lines.append("")
    for subtype, content in (("plain", text), ("html", html)):
        # base64 bodies: a long Thai line (3 bytes a letter) would break SMTP's 998-byte line limit
        lines += [f"--{boundary}", f'Content-Type: text/{subtype}; charset="utf-8"',
                  "Content-Transfer-Encoding: base64", "", _body(content)]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines).encode("ascii") + b"\r\n"


class _Settle:
    """Count tries and mark rows sent on a raw database connection of its own, one short transaction a message:
    the statements are written once in the driver's placeholder style (no ORM, no compilation per row)."""

    def __init__(self, connection, now: datetime):
        dialect = db.engine.dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        table = OutboxMessage.__table__
        self.raw = connection.connection.driver_connection
        to_db = table.c.sent_at.type.bind_processor(dialect)
        self.now = to_db(now) if to_db else now
        self.sent_sql = (f"UPDATE outbox_message SET status = 'sent', sent_at = {mark}, lease_until = NULL, "
                         f"last_error = NULL WHERE id = {mark}")
        self.try_sql = f"UPDATE outbox_message SET attempts = attempts + 1 WHERE id = {mark}"

    def handing(self, sent: list[int], row_id: int | None) -> None:
        """In one transaction: the rows the server took marked sent, and a try counted for ``row_id``, the
        message about to be handed over (None: only settle)."""
        try:
            cursor = self.raw.cursor()
            try:
                for done in sent:
                    cursor.execute(self.sent_sql, (self.now, done))
                if row_id is not None:
                    cursor.execute(self.try_sql, (row_id,))
            finally:
                cursor.close()
            self.raw.commit()
        except db.engine.dialect.loaded_dbapi.Error as exc:
            raise DatabaseLost(str(exc)) from exc


class DatabaseLost(Exception):
    """The database went away in the middle of a batch (a restart, a network cut)."""


#: how long a sender that lost the database waits for it before leaving its rows to their leases
RECOVER_SECONDS = 30.0


def _recover(sent: list[int], unsent: list[int], now: datetime) -> bool:
    """Once the database is back: mark sent what the server took, give back what was claimed and not sent
    (pending again, due at once), so nothing waits out a lease. True if it got through."""
    table = db.metadata.tables["outbox_message"]
    deadline = time.monotonic() + RECOVER_SECONDS
    pause = 0.25
    while True:
        try:
            with db.engine.begin() as connection:
                if sent:
                    connection.execute(update(table).where(table.c.id.in_(sent), table.c.status == "sending")
                                       .values(status="sent", sent_at=now, lease_until=None, last_error=None))
                if unsent:
                    connection.execute(update(table).where(table.c.id.in_(unsent), table.c.status == "sending")
                                       .values(status="pending", lease_until=None))
            return True
        except DBAPIError as exc:
            if time.monotonic() + pause > deadline:
                log.error("database still away after %.0f s; %d row(s) wait for their lease: %s",
                          RECOVER_SECONDS, len(sent) + len(unsent), exc)
                return False
            time.sleep(pause)
            pause = min(pause * 2, 4.0)


class _Lease:
    """Keeps the batch's claim valid while its sender works, however slow the relay: every third of the lease
    the rows not sent yet get a new lease from now (the batch's start plus the time gone by on this process's
    monotonic clock), so no other sender claims a row this one is still on."""

    def __init__(self, connection, now: datetime, seconds: int, started: float):
        """``started``: the monotonic moment that corresponds to ``now`` (when the batch began, before its
        claim), so a renewal counts the time the claim and the connection took too."""
        self.connection, self.now, self.seconds = connection, now, seconds
        self.started = started
        self.renewed = time.monotonic()

    def keep(self, remaining: list[int]) -> None:
        moment = time.monotonic()
        if not remaining or moment - self.renewed < self.seconds / 3:
            return
        self.renewed = moment
        until = self.now + timedelta(seconds=moment - self.started + self.seconds)
        self.connection.execute(update(OutboxMessage).where(OutboxMessage.id.in_(remaining),
                                                            OutboxMessage.status == "sending")
                                .values(lease_until=until))
        self.connection.commit()


def _render(row: SimpleNamespace, now: datetime, sender: str) -> bytes | None:
    """The row's message, or None when it cannot be rendered (retried, then failed)."""
    try:
        return message_bytes(row, now, sender)
    except Exception:
        log.exception("outbox row %s cannot be rendered", row.id)
        return None


def deliver_pending(now: datetime, limit: int = 200) -> DeliveryResult:
    """Send one batch of due rows over one SMTP connection. Returns what happened.

    Each message is settled and committed as soon as the server took it (while the server answers the next
    message's MAIL command, together with the next message's try), so a worker killed mid-batch repeats at
    most one message, and counts a try for that one only."""
    begun = time.monotonic()  # ``now`` on this process's monotonic clock: the claim's leases count from here
    db.session.rollback()
    result = DeliveryResult()
    result.failed += fail_abandoned(now)
    ids = claim(now, limit)
    result.claimed = len(ids)
    if not ids:
        return result
    settings = _settings()
    sender = settings.mail_sender
    envelope_from = parseaddr(sender)[1] or sender
    # plain rows, not ORM objects: each per-row commit below would otherwise expire every loaded object
    table = OutboxMessage.__table__
    rows = [SimpleNamespace(**m) for m in db.session.execute(
        select(table).where(table.c.id.in_(ids)).order_by(table.c.id)).mappings()]
    db.session.commit()
    done = 0
    accepted: list[int] = []  # taken by the server, not settled yet: never more than one row
    in_hand: int | None = None  # the row whose try is counted and whose outcome is not settled yet
    try:
        with db.engine.connect() as connection:
            settle = _Settle(connection, now)
            lease = _Lease(connection, now, settings.mail_lease_seconds, begun)
            lost = False

            def hand_over(row_id: int) -> None:
                nonlocal in_hand
                settle.handing(accepted, row_id)
                accepted.clear()  # only once settled: a lost database leaves them for _recover
                in_hand = row_id

            def settle_accepted() -> None:
                if accepted:
                    settle.handing(accepted, None)
                    accepted.clear()

            try:
                with open_smtp(settings) as smtp:
                    for row in rows:
                        try:
                            send(smtp, envelope_from, row.to_email, functools.partial(_render, row, now, sender),
                                 handing=functools.partial(hand_over, row.id))
                        except CONNECTION_LOST:
                            raise  # the rest of the batch is retried below
                        except Unrenderable:
                            settle_accepted()
                            _settle_failure(row.id, row.attempts + 1, now, "cannot be rendered; see the log", result)
                        except (smtplib.SMTPException, OSError, UnicodeError) as exc:
                            settle_accepted()
                            tried = row.attempts + (in_hand == row.id)
                            _settle_failure(row.id, tried, now, f"{exc.__class__.__name__}: {exc}", result)
                        else:
                            accepted.append(row.id)
                            result.sent += 1
                        in_hand = None
                        done += 1
                        lease.keep([r.id for r in rows[done:]])
            except DatabaseLost:
                lost = True
                raise
            finally:
                if not lost:
                    settle_accepted()
    except (DatabaseLost, DBAPIError) as exc:
        log.warning("database lost mid-batch (%s); settling once it is back", exc)
        with contextlib.suppress(DBAPIError):
            db.session.rollback()
        sent = list(accepted)
        unsent = [r.id for r in rows[done:] if r.id not in sent]
        if not _recover(sent, unsent, now):
            raise
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("SMTP unavailable, %d message(s) will be retried: %s", len(rows) - done, exc)
        for row in rows[done:]:  # only the one in hand was tried; the others go back as they were
            counted = in_hand == row.id
            _settle_failure(row.id, row.attempts + counted, now, f"{exc.__class__.__name__}: {exc}", result,
                            counted=counted)
    return result


def _settle_failure(row_id: int, attempts: int, now: datetime, error: str, result: DeliveryResult, *,
                    counted: bool = True) -> None:
    """Back to pending with a backoff, or failed after the last attempt; committed at once. A row that was not
    tried (``counted`` False: the relay could not be reached before its turn) waits the first backoff only."""
    values: dict[str, Any] = {"last_error": error[:1000], "lease_until": None}
    if counted and attempts >= _settings().mail_max_attempts:
        values["status"] = "failed"
        result.failed += 1
    else:
        values.update(status="pending", next_attempt_at=now + backoff(attempts if counted else 1))
        result.retried += 1
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    db.session.commit()


def has_due_mail(now: datetime, channel: str = "email") -> bool:
    return db.session.execute(select(OutboxMessage.id).where(_due(now, channel)).limit(1)).first() is not None

