"""A local SMTP sink (aiosmtpd) for the embedded mode and the tests: it keeps every message it accepts
in a Maildir under the instance folder, where the admin pages can read them."""

from __future__ import annotations

import asyncio
import mailbox
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class SinkHandler:
    """Accepts mail into a Maildir (and a list, for tests); can be told to refuse with a 4xx."""

    def __init__(self, maildir: Path | None = None):
        self.maildir = mailbox.Maildir(str(maildir), create=True) if maildir else None
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None  # e.g. "451 4.3.0 Try again later"
        self.delay = 0.0  # seconds before answering each message: a slow relay, for tests
        #: deliveries of a Message-ID already kept (an at-least-once sender's retry): counted, not stored
        self.duplicates = 0
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            message_id = str(message["Message-ID"] or "")
            if message_id and message_id in self._seen:
                self.duplicates += 1
                return "250 Duplicate Message-ID ignored"
            self._seen.add(message_id)
            self.messages.append(message)
            if self.maildir is not None:
                self.maildir.add(envelope.content)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]


def start_sink(host: str = "127.0.0.1", port: int = 8025, maildir: Path | None = None) -> tuple[Controller,
                                                                                              SinkHandler]:
    handler = SinkHandler(maildir)
    controller = Controller(handler, hostname=host, port=port, ready_timeout=10)
    controller.start()
    return controller, handler


def read_maildir(maildir: Path, limit: int = 200) -> list[EmailMessage]:
    """Newest first, for the admin page."""
    box = mailbox.Maildir(str(maildir), create=True, factory=None)
    items = []
    for key in box.iterkeys():
        with box.get_file(key) as fh:
            items.append(message_from_bytes(fh.read(), policy=policy.default))
    items.sort(key=lambda m: str(m["Date"] or ""), reverse=True)
    return items[:limit]
