"""A local HTTP server that follows the LINE Messaging API's documented contract, for the calls itaflow makes
(https://developers.line.biz/en/reference/messaging-api/): the bearer token, the JSON bodies and their limits,
the answers 200/400/401/409/429/500, and the retry-key rule (a request whose ``X-Line-Retry-Key`` was accepted
before is answered 409 with ``x-line-accepted-request-id``, and nothing is sent again).

What a test can make it do: refuse a token (revoked), answer the next pushes with 429 or 500, accept a push and
then hang up before answering (a timeout, a worker killed mid-push), hold a push until told, go down and
come back on the same port."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.test_live import free_port

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
BOT_USER_ID = "U" + "0" * 31 + "1"


@dataclass
class LineState:
    tokens: set[str] = field(default_factory=lambda: {"test-token"})
    #: every push LINE accepted (what the group saw): (to, text, retry key)
    pushes: list[tuple[str, str, str | None]] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)
    accepted_keys: dict[str, str] = field(default_factory=dict)
    #: statuses to answer the next pushes with, first first (429, 500...)
    fail_next: list[int] = field(default_factory=list)
    #: accept the next N pushes, then close the connection without an answer
    hang_up_after_accept: int = 0
    #: set to hold pushes until it is cleared (a worker killed while waiting for LINE)
    hold: threading.Event | None = None
    #: called with (to, retry key) as each well-formed push arrives, before it is answered (a test kills its
    #: sender there)
    on_push: Callable[[str, str | None], None] | None = None
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self) -> list[str]:
        return [text for _to, text, _key in self.pushes]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Quiet: the test reads what was asked from the state, not from stderr."""

    def _answer(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-line-request-id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.server.state.tokens:
            self._answer(401, {"message": "Authentication failed. Confirm that the access token in the "
                                          "authorization header is valid."})
            return False
        return True

    def do_GET(self):  # noqa: N802 - http.server's name
        state = self.server.state
        state.requests.append(("GET", self.path))
        if not self._authorised():
            return
        if self.path == "/v2/bot/info":
            self._answer(200, {"userId": BOT_USER_ID, "basicId": "@itaflow", "displayName": "ITA ศธจ.ร้อยเอ็ด",
                               "chatMode": "bot", "markAsReadMode": "auto"})
        else:
            self._answer(404, {"message": "Not found"})

    def _body(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            self._answer(400, {"message": "The request body has 1 error(s)", "details": [
                {"message": "must be application/json", "property": "Content-Type"}]})
            return None
        try:
            body = json.loads(raw)
        except ValueError:
            self._answer(400, {"message": "The request body has 1 error(s)"})
            return None
        return body if isinstance(body, dict) else None

    @staticmethod
    def _messages_ok(messages) -> bool:
        return (isinstance(messages, list) and 1 <= len(messages) <= 5
                and all(isinstance(m, dict) and m.get("type") == "text" and isinstance(m.get("text"), str)
                        and 0 < len(m["text"]) <= 5000 for m in messages))

    def do_POST(self):  # noqa: N802 - http.server's name
        state = self.server.state
        state.requests.append(("POST", self.path))
        if not self._authorised():
            return
        body = self._body()
        if body is None:
            return
        if self.path == "/v2/bot/message/reply":
            if not isinstance(body.get("replyToken"), str) or not self._messages_ok(body.get("messages")):
                self._answer(400, {"message": "The request body has 1 error(s)"})
                return
            with state.lock:
                state.replies += [(body["replyToken"], m["text"]) for m in body["messages"]]
            self._answer(200, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18]}]})
            return
        if self.path != "/v2/bot/message/push":
            self._answer(404, {"message": "Not found"})
            return
        key = self.headers.get("X-Line-Retry-Key")
        if key is not None and not UUID.match(key):
            self._answer(400, {"message": "The value for the 'X-Line-Retry-Key' header is invalid"})
            return
        if not isinstance(body.get("to"), str) or not body["to"] or not self._messages_ok(body.get("messages")):
            self._answer(400, {"message": "The request body has 1 error(s)"})
            return
        if state.on_push is not None:
            state.on_push(body["to"], key)
        with state.lock:
            if state.fail_next:
                status = state.fail_next.pop(0)
                self._answer(status, {"message": "The API rate limit has been exceeded. Try again later."
                                      if status == 429 else "An error occurred in the internal server."})
                return
            if key is not None and key in state.accepted_keys:
                self._answer(409, {"message": "The retry key is already accepted"},
                             {"x-line-accepted-request-id": state.accepted_keys[key]})
                return
            request_id = str(uuid.uuid4())
            if key is not None:
                state.accepted_keys[key] = request_id
            state.pushes += [(body["to"], m["text"], key) for m in body["messages"]]
            hang_up = state.hang_up_after_accept > 0
            if hang_up:
                state.hang_up_after_accept -= 1
        if state.hold is not None:
            state.hold.wait(30)
        if hang_up:
            self.close_connection = True
            self.connection.close()  # accepted, and no answer: the client times out or sees the connection drop
            return
        self._answer(200, {"sentMessages": [{"id": str(uuid.uuid4().int)[:18], "quoteToken": "q"}]},
                     {"x-line-request-id": request_id})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, state: LineState):
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = state


class LineApi:
    """The server, started on a free port; ``down()`` and ``up()`` stop and start it on the same port."""

    def __init__(self):
        self.state = LineState()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: _Server | None = None
        self.up()

    def up(self) -> None:
        self._server = _Server(self.port, self.state)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
