"""The link check: every address an agency gives the ITAS answer sheet is fetched as the consultants will
(anonymously, no cookie) and judged: status 200, not a login page or a redirect to one, the content type
expected, not empty.

It fetches what officers typed, so it must not become a way into the server's network (server-side request
forgery): only http and https; every address a name resolves to is checked and the connection goes to the
address checked (no second lookup for DNS rebinding to change); loopback, private, link-local (the cloud
metadata address), reserved and multicast addresses are refused unless the deployment allows that host (its
own site, on a LAN); every redirect is checked the same way (at most 5); a timeout on the connection and on
each read; at most ``max_bytes`` read (a 5 GB file is capped, not downloaded). HEAD first; GET when the
server refuses HEAD or the answer needs a look at the content (a page that may be a sign-in form, a file whose
size HEAD does not say).
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

USER_AGENT = "itaflow-linkcheck/1 (+ITA answer sheet check)"
MAX_REDIRECTS = 5
_LOGIN_PATH = re.compile(r"/(?:login|signin|sign-in|log-in|auth|account/login|wp-login\.php)\b", re.I)
_LOGIN_PAGE = re.compile(rb"<input[^>]+type=[\"']?password", re.I)


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    status: int | None
    reason_th: str
    reason_en: str
    content_type: str | None = None
    size: int | None = None
    final_url: str | None = None
    capped: bool = False
    seconds: float = 0.0


Resolver = Callable[[str, int], Iterable[str]]


def resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # not global: private, loopback, link-local, shared (100.64/10), reserved, documentation, unspecified...
    return not ip.is_global or ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _fail(url: str, th: str, en: str, status: int | None = None, started: float = 0.0, **more) -> LinkResult:
    return LinkResult(url, False, status, th, en, seconds=time.monotonic() - started if started else 0.0, **more)


def check(url: str, *, timeout: float = 10.0, max_bytes: int = 5 * 2**20, expect: str | None = None,
          allowed_hosts: Iterable[str] = (), resolver: Resolver = resolve) -> LinkResult:
    """Fetch ``url`` as an anonymous visitor and judge it. ``expect``: the start of the content type wanted
    ("application/pdf", "text/html"); ``allowed_hosts``: ``host:port`` names that may be private (the
    deployment's own site)."""
    started = time.monotonic()
    allowed = {h.lower() for h in allowed_hosts}
    current = url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https"):
            return _fail(url, f"ใช้ได้เฉพาะลิงก์ http หรือ https ('{parts.scheme or '-'}:' ตรวจไม่ได้)",
                         f"only http and https links ('{parts.scheme or '-'}:' cannot be checked)", started=started)
        host = (parts.hostname or "").lower()
        if not host:
            return _fail(url, "ลิงก์ไม่มีชื่อเว็บไซต์", "the link names no host", started=started)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return _fail(url, "หมายเลขพอร์ตในลิงก์ไม่ถูกต้อง", "the link's port is not valid", started=started)
        try:
            addresses = list(resolver(host, port))
        except (OSError, UnicodeError):
            return _fail(url, f"ไม่พบเว็บไซต์ {host}", f"{host} does not resolve", started=started)
        if not addresses:
            return _fail(url, f"ไม่พบเว็บไซต์ {host}", f"{host} does not resolve", started=started)
        if f"{host}:{port}" not in allowed and any(_forbidden(a) for a in addresses):
            return _fail(url, f"ลิงก์ชี้ไปยังที่อยู่ภายในเครือข่าย ({host}) ซึ่งผู้ประเมินเปิดไม่ได้ และระบบไม่เปิดให้",
                         f"the link points into a private network ({host}): consultants cannot open it and "
                         "itaflow will not fetch it", started=started)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_class = _PinnedTLS if parts.scheme == "https" else _Pinned
        try:
            status, headers, body, capped = _fetch(connection_class, host, port, addresses[0], path, timeout,
                                                   max_bytes, "HEAD")
            known = (headers.get("content-length") or "").isdigit() and int(headers["content-length"]) > 0
            enough = status == 200 and known and not (headers.get("content-type") or "").startswith("text/html")
            if status not in (301, 302, 303, 307, 308) and not enough:
                status, headers, body, capped = _fetch(connection_class, host, port, addresses[0], path, timeout,
                                                       max_bytes, "GET")
        except TimeoutError:
            return _fail(url, f"เว็บไซต์ตอบช้าเกิน {timeout:g} วินาที", f"no answer within {timeout:g} seconds",
                         started=started)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            return _fail(url, f"เชื่อมต่อไม่ได้ ({exc.__class__.__name__})", f"cannot connect ({exc})",
                         started=started)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            following = urljoin(current, headers["location"])
            if _LOGIN_PATH.search(urlsplit(following).path):
                return _fail(url, "ลิงก์พาไปหน้าเข้าสู่ระบบ ผู้ประเมินต้องเปิดได้โดยไม่ต้องเข้าสู่ระบบ",
                             "the link redirects to a sign-in page: consultants must open it without signing in",
                             status, started, final_url=following)
            current = following
            continue
        content_type = (headers.get("content-type") or "").split(";")[0].strip().lower() or None
        size = int(headers["content-length"]) if (headers.get("content-length") or "").isdigit() else len(body)
        if status != 200:
            return _fail(url, f"เปิดไม่ได้ (รหัส {status})", f"cannot be opened (status {status})", status, started,
                         content_type=content_type, final_url=current)
        if _LOGIN_PATH.search(urlsplit(current).path) or (content_type == "text/html" and _LOGIN_PAGE.search(body)):
            return _fail(url, "เป็นหน้าเข้าสู่ระบบ ผู้ประเมินต้องเปิดได้โดยไม่ต้องเข้าสู่ระบบ",
                         "a sign-in page: consultants must open it without signing in", status, started,
                         content_type=content_type, final_url=current)
        if size == 0 and not capped:
            return _fail(url, "ไฟล์ว่าง ไม่มีเนื้อหา", "the file is empty", status, started,
                         content_type=content_type, final_url=current)
        if expect and not (content_type or "").startswith(expect):
            return _fail(url, f"ได้ {content_type or 'ไม่ระบุชนิด'} แต่ควรเป็น {expect}",
                         f"got {content_type or 'no type'}, expected {expect}", status, started,
                         content_type=content_type, size=size, final_url=current)
        note_th = f" (อ่านเพียง {max_bytes // 2**20} MB แรก)" if capped else ""
        note_en = f" (only the first {max_bytes // 2**20} MB read)" if capped else ""
        return LinkResult(url, True, status, "เปิดได้" + note_th, "opens" + note_en, content_type, size,
                          current, capped, time.monotonic() - started)
    return _fail(url, f"เปลี่ยนทางเกิน {MAX_REDIRECTS} ครั้ง", f"more than {MAX_REDIRECTS} redirects", started=started)


def _fetch(connection_class, host: str, port: int, address: str, path: str, timeout: float,
           max_bytes: int, method: str) -> tuple[int, dict[str, str], bytes, bool]:
    """One request; of a GET's body, at most ``max_bytes`` are read."""
    connection = connection_class(host, port, address, timeout)
    try:
        connection.request(method, path, headers={"User-Agent": USER_AGENT, "Accept": "*/*",
                                                 "Host": host if port in (80, 443) else f"{host}:{port}"})
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        body = b""
        if method == "GET" and response.status == 200:
            body = response.read(max_bytes + 1)
        capped = len(body) > max_bytes
        return response.status, headers, body[:max_bytes], capped
    finally:
        connection.close()
