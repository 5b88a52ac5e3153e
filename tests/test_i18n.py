"""Thai first, English available: the catalogue is complete and compiled, and a person's choice of language
changes every page, date and digit, is kept on their account and is audited."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.conftest import user
from tests.test_web import login, token
from workflow.db import db
from workflow.models import AuditEvent

TRANSLATIONS = Path(__file__).resolve().parent.parent / "web" / "translations"


def test_every_text_has_english_and_the_compiled_catalogue_is_current():
    # keyed by (context, text): "บันทึก" is "Save" on a button and "Note" on a step's note (pgettext)
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        wanted = {(m.context, m.id) for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "rb") as f:
        po = {(m.context, m.id): m.string for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        mo = {(m.context, m.id): m.string for m in read_mo(f) if m.id}
    assert wanted - set(po) == set(), "run scripts/i18n and translate the new texts"
    assert [k for k, v in po.items() if not v] == []
    assert mo == po, "the .mo is older than the .po: run scripts/i18n"
    for (_context, thai), english in po.items():  # placeholders survive translation
        assert sorted(re.findall(r"%\(\w+\)s", thai)) == sorted(re.findall(r"%\(\w+\)s", english)), thai


def test_templates_leave_no_thai_untranslated():
    """Every Thai text in the pages' and the emails' templates goes through the catalogue (the public page, for
    the agency's Thai website, is Thai only)."""
    root = TRANSLATIONS.parent / "templates"
    emails = TRANSLATIONS.parent.parent / "workflow" / "templates" / "email"
    assert sorted(p.name for p in emails.iterdir()) == ["alert.html", "alert.txt", "invitation.html", "invitation.txt",
                                                        "rollup.html", "rollup.txt",
                                                        "round_report.html", "round_report.txt",
                                                        "security.html", "security.txt"]  # one per kind
    for path in [*root.glob("*.html"), *emails.iterdir()]:
        if path.name.startswith("public"):
            continue
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", path.read_text(), flags=re.S)
        text = re.sub(r'lang="th"[^>]*>[^<]*<', "", text)  # a language's own name, in that language
        assert not re.search("[\u0e00-\u0e7f]", text), f"{path.name}: Thai outside _()"


def test_a_person_switches_to_english_and_back(demo):
    client = login(demo, "staff")
    thai = client.get("/").get_data(as_text=True)
    assert "งานของฉัน" in thai and 'lang="th"' in thai
    response = client.post("/language", data={"lang": "en", "next": "/measures", "csrf_token": token(client)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/measures")
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "My steps" in page and "งานของฉัน" not in page
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} 25\d\d BE", page), "dates in English, Buddhist Era years"
    # numbers the system writes use Arabic digits (the memo's own text stays as written)
    assert re.search(r'class="badge">\d+<', page) and not re.search(r'class="badge">[๐-๙]', page)
    assert not re.search(r"Due [^<]*[๐-๙]", page)
    assert user("hr-staff").language == "en"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "language_changed")).scalar_one()
    assert (event.from_state, event.to_state) == ("th", "en")
    # one measure is "Measure 1.1", the list of them "Measures"; a note on a step is a "Note", not "Save"
    assert re.search(r"Measure 1\.\d", page) and not re.search(r"Measures 1\.\d", page)
    from workflow.engine import queries

    mine = queries.my_open_steps(user("hr-staff"))[0]
    step_page = client.get(f"/steps/{mine.id}").get_data(as_text=True)
    assert re.search(r"<label>Note <textarea", step_page) and ">Measures<" in step_page
    # the choice is the person's: another browser of theirs opens in English too
    assert "My steps" in login(demo, "staff").get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "th", "csrf_token": token(client)})
    assert "งานของฉัน" in client.get("/").get_data(as_text=True)


def test_service_errors_follow_the_language(demo):
    client = login(demo, "staff")
    client.post("/language", data={"lang": "en", "csrf_token": token(client)})
    response = client.post("/password", data={"csrf_token": token(client), "current": "wrong-password-1",
                                              "new": "another-long-pass", "again": "another-long-pass"})
    assert "the current password is wrong" in response.get_data(as_text=True)


def test_anonymous_visitors_choose_too_and_bad_choices_change_nothing(demo):
    client = demo.test_client()
    client.get("/login")
    assert client.post("/language", data={"lang": "fr", "csrf_token": token(client)}).status_code == 303
    assert "เข้าสู่ระบบ" in client.get("/login").get_data(as_text=True)
    assert client.post("/language", data={"lang": "en", "next": "//evil.example/", "csrf_token": token(client)}
                       ).headers["Location"] in ("/", "http://localhost/")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    assert client.post("/language", data={"lang": "en"}).status_code == 400  # no CSRF token
