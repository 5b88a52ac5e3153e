"""The few calls of the LINE Messaging API itaflow makes, over plain HTTPS (the standard library): the bot's
own id, a push to a group or a person, a reply to a webhook event; and the webhook's signature.

Plain HTTP rather than line-bot-sdk: four calls whose contract is small and documented, against the SDK's
pydantic, aiohttp and generated client; the same contract is served by the tests' local server
(tests/lineserver.py). The base URL is a setting (``ITAFLOW_LINE_API``).

What an answer means for the outbox (https://developers.line.biz/en/reference/messaging-api/):
200 sent; 409 with a retry key: LINE already took that request (sent); 429 and 5xx, a timeout or no
connection: try again later; 400, 401, 403, 404: a request that will never succeed (401/403: the token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

#: a webhook event older than this is not acted on (LINE redelivers within hours, not days); the ids of those
#: received are kept twice as long, to refuse a replay
MAX_EVENT_AGE = timedelta(days=1)
#: LINE's limits: 5 messages a request, 5,000 characters a text message
MAX_MESSAGES = 5
MAX_TEXT = 5000


class LineError(Exception):
    """A call that did not succeed: ``retry`` says whether trying later may help; ``auth`` that the token is
    refused. The message never holds the token."""

    def __init__(self, status: int | None, detail: str, *, retry: bool):
        super().__init__(f"LINE {status or 'no answer'}: {detail}"[:500])
        self.status, self.detail, self.retry = status, detail, retry

    @property
    def auth(self) -> bool:
        return self.status in (401, 403)


@dataclass(frozen=True)
class Sent:
    status: int
    #: LINE's x-line-request-id (or x-line-accepted-request-id for a request it had taken before)
    request_id: str | None
    duplicate: bool = False


def signature(secret: str, body: bytes) -> str:
    """``x-line-signature``: base64 of HMAC-SHA256 of the raw body with the channel secret."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def signature_ok(secret: str, body: bytes, given: str | None) -> bool:
    """Constant-time comparison of the header with the body's signature."""
    if not given or not secret:
        return False
    return hmac.compare_digest(signature(secret, body).encode("ascii"), given.strip().encode("ascii", "replace"))


def text_message(text: str) -> dict:
    text = text.strip() or "-"
    return {"type": "text", "text": text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"}


def _call(base_url: str, token: str, method: str, path: str, body: dict | None, timeout: float,
          retry_key: str | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    request = urllib.request.Request(base_url.rstrip("/") + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    if retry_key:
        request.add_header("X-Line-Retry-Key", retry_key)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            raw = response.read(65536)
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, _json(raw), headers
    except urllib.error.HTTPError as exc:
        raw = exc.read(65536) if exc.fp is not None else b""
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        return exc.code, _json(raw), headers
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LineError(None, f"{type(reason).__name__}: {reason}", retry=True) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's signature
        return None  # the API never redirects: an answer that does is an error, not a place to send the token


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _error(status: int, payload: dict) -> LineError:
    detail = str(payload.get("message") or "")[:300] or "error"
    return LineError(status, detail, retry=status == 429 or status >= 500)


def bot_info(base_url: str, token: str, timeout: float) -> dict:
    """GET /v2/bot/info: the bot's ``userId`` (the webhook's ``destination``) and ``displayName``."""
    status, payload, _headers = _call(base_url, token, "GET", "/v2/bot/info", None, timeout)
    if status != 200 or not isinstance(payload.get("userId"), str):
        raise _error(status, payload)
    return payload


def push(base_url: str, token: str, to: str, messages: list[dict], retry_key: str, timeout: float) -> Sent:
    """POST /v2/bot/message/push with a retry key: sent once whatever happens to the answer (a retry after a
    crash or a timeout with the same key is answered 409, which is success)."""
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise ValueError(f"1 to {MAX_MESSAGES} messages a request")
    status, payload, headers = _call(base_url, token, "POST", "/v2/bot/message/push",
                                     {"to": to, "messages": messages}, timeout, retry_key=retry_key)
    if status == 200:
        return Sent(status, headers.get("x-line-request-id"))
    if status == 409 and "x-line-accepted-request-id" in headers:
        return Sent(status, headers["x-line-accepted-request-id"], duplicate=True)
    raise _error(status, payload)


def reply(base_url: str, token: str, reply_token: str, messages: list[dict], timeout: float) -> None:
    """POST /v2/bot/message/reply (free of charge; the reply token lives about a minute)."""
    status, payload, _headers = _call(base_url, token, "POST", "/v2/bot/message/reply",
                                      {"replyToken": reply_token, "messages": messages}, timeout)
    if status != 200:
        raise _error(status, payload)
