"""Deliver the outbox over SMTP (the standard library's smtplib): one connection per batch, each row settled
as soon as the server took its message.

Unlike the other services this one commits, because an SMTP handover cannot join a database transaction:
the claims are committed before the first message leaves, and each row is settled and committed as soon
as the server took its message (a kill repeats at most that one message, with the same Message-ID).

A row is claimed with a lease (``status = 'sending'``, ``lease_until``) so a worker killed mid-batch
leaves nothing stranded: the lease expires and the row is sent by the next run. Failures are retried
with exponential backoff up to a cap, then the row is marked failed. The Message-ID is fixed in the row,
so a retried message is the same message to the receiving side.

Messages are written by ``message_bytes``: the one shape itaflow sends (plain text and HTML, both base64,
the subject in RFC 2047 words). The standard library's ``EmailMessage`` with ``policy.SMTP`` writes the
same in about 1.7 ms a message here, more than the SMTP exchange itself; this takes about 0.1 ms. While
the server takes one message, the next is rendered, so rendering costs the batch almost nothing.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
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
from workflow.db import db
from workflow.models import OutboxMessage
from workflow.notify import render_message
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
    lease = timedelta(seconds=_settings().mail_lease_seconds)
    due = select(OutboxMessage.id).where(_due(now, channel)).order_by(OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status="sending", lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
    ).scalars().all()
    db.session.commit()
    return sorted(ids)


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


def send(smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes, *,
         after_mail: Callable[[], None] = _nothing, while_waiting: Callable[[], None] = _nothing) -> None:
    """smtplib's ``sendmail`` for one recipient and a message already in wire form. Ours are: CRLF lines,
    and none can begin with a dot (headers, base64 and boundaries), so the message is not scanned again to
    escape dots and fix line ends; anything else goes through ``sendmail`` itself.

    Work is done while the server thinks: ``after_mail`` once the MAIL command is written (settling the
    message before, which the server has taken), ``while_waiting`` once the data is written (rendering
    the next)."""
    plain = sender.isascii() and recipient.isascii() and message.endswith(b"\r\n")
    if not plain or b"\n." in message or message.startswith(b"."):
        after_mail()
        smtp.sendmail(sender, [recipient], message)
        while_waiting()
        return
    smtp.putcmd("mail", f"FROM:{smtplib.quoteaddr(sender)}")
    after_mail()
    code, reply = smtp.getreply()
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
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
    while_waiting()
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
    """Mark rows sent or failed on a raw database connection of its own, one short transaction a row:
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

    def sent(self, row_id: int) -> None:
        try:
            cursor = self.raw.cursor()
            try:
                cursor.execute(self.sent_sql, (self.now, row_id))
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
    """Once the database is back: mark sent what the server took, give back what was claimed and not tried
    (pending again, the claim's attempt returned), so nothing waits out a lease. True if it got through."""
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
                                       .values(status="pending", lease_until=None,
                                               attempts=table.c.attempts - 1))
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


class _Messages:
    """The batch's messages, each rendered once: the next one while the server digests the current one
    (between sending a message's data and reading the server's answer), so rendering adds almost nothing
    to the batch. A row whose message cannot be rendered gets None (retried, then marked failed)."""

    def __init__(self, rows: list[SimpleNamespace], now: datetime, sender: str):
        self.rows, self.now, self.sender = rows, now, sender
        self.ready: dict[int, bytes | None] = {}

    def take(self, index: int) -> bytes | None:
        if index not in self.ready:
            self.prepare(index)
        return self.ready.pop(index)

    def prepare(self, index: int) -> None:
        if index >= len(self.rows) or index in self.ready:
            return
        row = self.rows[index]
        try:
            self.ready[index] = message_bytes(row, self.now, self.sender)
        except Exception:
            log.exception("outbox row %s cannot be rendered", row.id)
            self.ready[index] = None


def deliver_pending(now: datetime, limit: int = 200) -> DeliveryResult:
    """Send one batch of due rows over one SMTP connection. Returns what happened.

    Each row is settled and committed as soon as the server took its message (while the server answers
    the next message's MAIL command), so a worker killed mid-batch repeats at most one message."""
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
    try:
        with db.engine.connect() as connection:
            settle = _Settle(connection, now)
            lease = _Lease(connection, now, settings.mail_lease_seconds, begun)
            messages = _Messages(rows, now, sender)
            lost = False

            def settle_accepted() -> None:
                while accepted:
                    settle.sent(accepted[-1])
                    accepted.pop()  # only once it is settled: a lost database leaves it for _recover

            try:
                with open_smtp(settings) as smtp:
                    for index, row in enumerate(rows):
                        message = messages.take(index)
                        if message is None:
                            settle_accepted()
                            _settle_failure(row.id, row.attempts, now, "cannot be rendered; see the log", result)
                        else:
                            try:
                                send(smtp, envelope_from, row.to_email, message, after_mail=settle_accepted,
                                     while_waiting=functools.partial(messages.prepare, index + 1))
                            except CONNECTION_LOST:
                                raise  # the rest of the batch is retried below
                            except (smtplib.SMTPException, OSError, UnicodeError) as exc:
                                settle_accepted()
                                _settle_failure(row.id, row.attempts, now, f"{exc.__class__.__name__}: {exc}",
                                                result)
                            else:
                                accepted.append(row.id)
                                result.sent += 1
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
        for row in rows[done:]:
            _settle_failure(row.id, row.attempts, now, f"{exc.__class__.__name__}: {exc}", result)
    return result


def _settle_failure(row_id: int, attempts: int, now: datetime, error: str, result: DeliveryResult) -> None:
    """Back to pending with a backoff, or failed after the last attempt; committed at once."""
    values: dict[str, Any] = {"last_error": error[:1000], "lease_until": None}
    if attempts >= _settings().mail_max_attempts:
        values["status"] = "failed"
        result.failed += 1
    else:
        values.update(status="pending", next_attempt_at=now + backoff(attempts))
        result.retried += 1
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    db.session.commit()


def has_due_mail(now: datetime, channel: str = "email") -> bool:
    return db.session.execute(select(OutboxMessage.id).where(_due(now, channel)).limit(1)).first() is not None

