"""The link check against a local web server that answers as real sites do: a PDF, a redirect to a sign-in
page, a sign-in form, 404, a slow server, a huge file, an empty one, HEAD refused; and what it must never
fetch: file:, the loopback, private and metadata addresses, directly or by a redirect, or by a name that
resolves to one."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.test_live import free_port
from workflow.publishing.linkcheck import check

PDF = b"%PDF-1.4\n% report\n" + b"0" * 2000


class Site(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    heads: list[str] = []
    #: paths whose body the client stopped reading (the checker's cap)
    cut_short: list[str] = []

    def log_message(self, *args) -> None:
        """Quiet: what the checker saw is asserted, not printed."""

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        Site.heads.append(self.path)
        if self.path in ("/no-head.pdf", "/huge-no-head.bin"):
            self._send(405)
            return
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path
        if path == "/report.pdf" or path == "/no-head.pdf":
            self._send(200, PDF, "application/pdf")
        elif path == "/page":
            self._send(200, "<html><body><h1>มาตรการ</h1></body></html>".encode())
        elif path == "/moved":
            self._send(302, Location="/login?next=/report.pdf")
        elif path == "/hop":
            self._send(301, Location="/report.pdf")
        elif path == "/login-form":
            self._send(200, b'<form><input name="u"><input type="password" name="p"></form>')
        elif path == "/slow":
            time.sleep(2)
            self._send(200, PDF, "application/pdf")
        elif path == "/empty.pdf":
            self._send(200, b"", "application/pdf")
        elif path in ("/huge.bin", "/huge-no-head.bin"):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(5 * 2**30))  # says 5 GB; sends what is read
            self.end_headers()
            if self.command == "GET":
                try:
                    for _ in range(4096):
                        self.wfile.write(b"x" * 65536)
                except (BrokenPipeError, ConnectionResetError):
                    Site.cut_short.append(path)  # the checker hung up after its cap
        elif path == "/to-metadata":
            self._send(302, Location="http://169.254.169.254/latest/meta-data/")
        elif path == "/to-private":
            self._send(302, Location="http://10.1.2.3/internal")
        else:
            self._send(404, b"not found")


@pytest.fixture(scope="module")
def site():
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_a_published_pdf_opens(site):
    result = check(f"http://{site}/report.pdf", allowed_hosts=[site], expect="application/pdf")
    assert result.ok and result.status == 200 and result.content_type == "application/pdf" and result.size == len(PDF)


def test_head_refused_falls_back_to_get_and_a_redirect_is_followed(site):
    assert check(f"http://{site}/no-head.pdf", allowed_hosts=[site]).ok
    hop = check(f"http://{site}/hop", allowed_hosts=[site])
    assert hop.ok and hop.final_url.endswith("/report.pdf")


@pytest.mark.parametrize("path, says", [
    ("/moved", "หน้าเข้าสู่ระบบ"),
    ("/login-form", "หน้าเข้าสู่ระบบ"),
    ("/missing.pdf", "รหัส 404"),
    ("/empty.pdf", "ไฟล์ว่าง"),
    ("/page", "ควรเป็น application/pdf"),
])
def test_what_would_score_zero_is_said(site, path, says):
    result = check(f"http://{site}{path}", allowed_hosts=[site], expect="application/pdf" if path == "/page" else None)
    assert not result.ok and says in result.reason_th, result


def test_a_slow_server_times_out(site):
    result = check(f"http://{site}/slow", allowed_hosts=[site], timeout=0.5)
    assert not result.ok and "ช้าเกิน" in result.reason_th and result.seconds < 1.9


def test_a_huge_file_is_never_downloaded(site):
    """HEAD says 5 GB of a file: that is enough (nothing is downloaded); a server that refuses HEAD is read up to
    the cap, and said so."""
    started = time.monotonic()
    told = check(f"http://{site}/huge.bin", allowed_hosts=[site], max_bytes=2**20)
    assert told.ok and told.size == 5 * 2**30 and not told.capped
    read = check(f"http://{site}/huge-no-head.bin", allowed_hosts=[site], max_bytes=2**20)
    assert read.ok and read.capped and "1 MB" in read.reason_th and time.monotonic() - started < 10
    deadline = time.monotonic() + 5  # the server notices the hang-up when its next write fails
    while "/huge-no-head.bin" not in Site.cut_short and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/huge-no-head.bin" in Site.cut_short  # 256 MB offered, the rest never read


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://example.go.th/x.pdf", "gopher://127.0.0.1/", "http:///nohost",
    "http://127.0.0.1:1/", "http://localhost/", "http://[::1]/", "http://10.0.0.5/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
    "http://100.64.0.1/", "http://[fd00::1]/", "http://[fe80::1]/", "http://224.0.0.1/",
])
def test_private_and_non_web_addresses_are_refused(url):
    result = check(url, timeout=1)
    assert not result.ok and result.status is None, result


def test_a_name_that_resolves_inside_is_refused():
    """DNS pointing a public-looking name at the loopback (rebinding) is refused: every address is checked."""
    result = check("http://evil.example/", resolver=lambda host, port: ["8.8.8.8", "127.0.0.1"], timeout=1)
    assert not result.ok and "ภายในเครือข่าย" in result.reason_th


def test_a_redirect_into_the_network_is_refused(site):
    name = "agency.example"
    port = site.split(":")[1]
    for path in ("/to-metadata", "/to-private"):
        result = check(f"http://{name}:{port}{path}", resolver=lambda host, p: ["127.0.0.1"] if host == name
                       else [host], allowed_hosts=[f"{name}:{port}"], timeout=2)
        assert not result.ok and "ภายในเครือข่าย" in result.reason_th, (path, result)
