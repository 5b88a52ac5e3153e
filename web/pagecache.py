"""Rendered pages kept in memory while the data behind them has not changed.

Every state change writes the audit log in the same transaction (an invariant of the engine), so the audit
head's last sequence number is one version of everything a page shows. A page is kept under the viewer, their
session's CSRF secret (the page embeds a token of that session), the path, the viewer's language and digits,
the Bangkok day (overdue and due-soon marks change at midnight) and that version; any change anywhere makes
every kept page stale. A hit skips the ORM and Jinja: one small query checks the session and reads the
version. Pages that showed a flash message or changed the session are never kept.

This suits the office's load: people reload and move between the same few pages all day, while changes are a
few an hour. Each gunicorn worker keeps its own copy (an LRU of ``ITAFLOW_PAGE_CACHE`` pages, 512 by default;
0 turns it off). A change made behind the application's back (SQL typed into the database) writes no audit
event, so kept pages show it only after the next audited change, midnight or a restart."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Flask, Response, g, request, session

MAX_PAGES = 512
#: GET pages any signed-in person may open (no role check beyond login), read on every visit
CACHEABLE = frozenset({"tasks.my_steps", "approvals.queue", "measures.measures", "measures.measure",
                       "measures.rounds"})


@dataclass(frozen=True)
class Page:
    body: bytes
    mimetype: str


class PageCache:
    """cachetools' LRU behind a lock (gunicorn's threads share it), counting hits and misses."""

    def __init__(self, size: int = MAX_PAGES):
        self.size = size
        self._pages: LRUCache[tuple, Page] = LRUCache(maxsize=max(size, 1))
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
            else:
                self.hits += 1
            return page

    def put(self, key: tuple, page: Page) -> None:
        with self._lock:
            self._pages[key] = page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_key() -> tuple | None:
    """The key of this request's page, or None when it may not be kept or served from memory."""
    if request.method != "GET" or request.endpoint not in CACHEABLE or "_flashes" in session:
        return None
    state = g.get("session_state")
    secret = session.get("csrf_token")
    if state is None or not secret:
        return None
    return (state.user_id, secret, request.full_path, state.language, state.digit_style, state.today,
            state.version)


def init_page_cache(app: Flask) -> PageCache:
    cache = PageCache(app.config["ITAFLOW"].page_cache)
    app.extensions["itaflow_pages"] = cache

    @app.after_request
    def keep(response: Response) -> Response:
        key = g.pop("page_key", None)
        if key is not None and response.status_code == 200 and not session.modified \
                and not response.direct_passthrough:
            cache.put(key, Page(response.get_data(), response.mimetype or "text/html"))
        return response

    return cache


def serve_from_cache(cache: PageCache) -> Response | None:
    """Called once the session is checked: the kept page, or None (and remember the key to keep it)."""
    if cache.size <= 0:
        return None
    key = page_key()
    if key is None:
        return None
    page = cache.get(key)
    if page is None:
        g.page_key = key
        return None
    g.page_hit = True
    return Response(page.body, mimetype=page.mimetype)
