"""itaflow import: the seed memo reads back as the hand-written definitions, and variants still read."""

from pathlib import Path

import pytest

from workflow.engine.definitions import parse_definitions
from workflow.errors import ValidationError
from workflow.onboarding.demo import seed_document
from workflow.onboarding.importer import import_memo_text, to_yaml

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_b1586e3a4194c3d8.txt"
if not SEED.exists():  # a clone outside the workplace: the memo ships with the tests too
    SEED = Path(__file__).resolve().parent / "data" / "seed_memo.txt"


def imported(text: str) -> dict:
    report = import_memo_text(text)
    return parse_definitions(to_yaml(report, "memo.txt"), "memo.yaml")


def comparable(doc: dict) -> list:
    """What must match, with group and person keys replaced by names (keys are the importer's choice)."""
    group = {k: g["name"] for k, g in doc["groups"].items()}
    person = {k: p["name"] for k, p in doc["people"].items()}
    out = []
    for m in doc["measures"]:
        out.append({
            "code": m["code"], "title": m["title"], "items": [(i["raw"], i["code"]) for i in m["items"]],
            "weakness": m["weakness"], "improvement": m["improvement"], "owners_text": m["owners"]["text"],
            "owner_groups": [group[g] for g in m["owners"]["groups"]],
            "owner_people": [(person[p], group.get(doc["people"][p]["group"])) for p in m["owners"]["people"]],
            "steps": [(s["number"], s["title"], s["kind"], group.get(s["reviewer"]), s["reviews"], s["repeat"],
                       s["parallel"]) for s in m["steps"]],
            "every_days": m["monitoring"]["every_days"], "rounds": m["monitoring"]["rounds"],
            "deadlines": [d["date"] for d in m["monitoring"]["deadlines"]],
            "period": (m["period"]["start"], m["period"]["end"]), "constraints": m["constraints"],
        })
    return out


def test_seed_memo_imports_to_the_hand_written_definitions():
    doc = imported(SEED.read_text(encoding="utf-8"))
    expected = seed_document()
    assert doc["agency"] == expected["agency"] and doc["fiscal_year"] == expected["fiscal_year"] == 2567
    assert doc["memo"]["signer"]["name"] == "นายอัมพร ภาระพันธ์"
    assert doc["memo"]["author"]["position"] == "นักทรัพยากรบุคคลชำนาญการพิเศษ"
    got, want = comparable(doc), comparable(expected)
    assert len(got) == len(want) == 7
    for g, w in zip(got, want, strict=True):
        assert g == w, g["code"]


def test_variants_arabic_digits_dashes_and_whitespace():
    from workflow.thaidate import to_arabic_digits

    text = SEED.read_text(encoding="utf-8")
    variant = to_arabic_digits(text).replace("–", "—").replace("\t", "\t  ").replace("\n", "\n\n")
    doc = imported(variant)
    assert [len(m["steps"]) for m in doc["measures"]] == [5, 4, 2, 4, 4, 4, 2]
    assert doc["measures"][0]["monitoring"]["rounds"][1].isoformat() == "2024-06-15"
    assert doc["measures"][3]["monitoring"]["deadlines"][0]["date"].isoformat() == "2024-06-10"
    assert [i["code"] for i in doc["measures"][6]["items"]] == ["E10", "E15"]


def _three_measures(text: str) -> str:
    cut = text.index("ประเด็นที่ ๑.๔")
    return text[:cut]


def test_memo_with_three_measures_and_a_30_day_cycle():
    text = _three_measures(SEED.read_text(encoding="utf-8")).replace("ทุก ๑๕ วัน", "ทุก ๓๐ วัน")
    doc = imported(text)
    assert [m["code"] for m in doc["measures"]] == ["1.1", "1.2", "1.3"]
    assert {m["monitoring"]["every_days"] for m in doc["measures"]} == {30}


def test_measure_without_steps_is_a_warning_and_the_rest_is_written():
    text = SEED.read_text(encoding="utf-8")
    broken = text.replace("๑. สำรวจช่องทางการใช้บริการ", "สำรวจช่องทางการใช้บริการ").replace(
        " ๒. ออกแบบ และจัดทำ", " ออกแบบ และจัดทำ").replace(" ๓. ประสานกลุ่มงาน", " ประสานกลุ่มงาน").replace(
        " ๔. เผยแพร่บนเว็บไซต์ ศธจ.ร้อยเอ็ด\tกลุ่มบริหารงานบุคคล ฝ่ายเลขานุการ กำกับติดตามการดำเนินงานทุก ๑๕ วัน โดยแบบติดตามผ่านกลุ่มไลน์ ITA ศธจ.ร้อยเอ็ด และประชุมติดตาม ดังนี้ ครั้งที่ ๑ ๓๐ พ.ค. ๒๕๖๗ ครั้งที่ ๒ ๑๕ มิ.ย. ๒๕๖๗ ครั้งที่ ๓ ๓๐ มิ.ย. ๒๕๖๗ ครั้งที่ ๔ ๑๕ ก.ค. ๒๕๖๗\nระยะเวลาดำเนินการ พฤษภาคม ๒๕๖๗ – ๑๕ กรกฎาคม ๒๕๖๗ ข้อจำกัดของหน่วยงาน – ไม่มี –",  # noqa: E501
        " เผยแพร่บนเว็บไซต์ ศธจ.ร้อยเอ็ด\tกลุ่มบริหารงานบุคคล ฝ่ายเลขานุการ กำกับติดตามการดำเนินงานทุก ๑๕ วัน โดยแบบติดตามผ่านกลุ่มไลน์ ITA ศธจ.ร้อยเอ็ด และประชุมติดตาม ดังนี้ ครั้งที่ ๑ ๓๐ พ.ค. ๒๕๖๗ ครั้งที่ ๒ ๑๕ มิ.ย. ๒๕๖๗ ครั้งที่ ๓ ๓๐ มิ.ย. ๒๕๖๗ ครั้งที่ ๔ ๑๕ ก.ค. ๒๕๖๗\nระยะเวลาดำเนินการ พฤษภาคม ๒๕๖๗ – ๑๕ กรกฎาคม ๒๕๖๗ ข้อจำกัดของหน่วยงาน – ไม่มี –")  # noqa: E501
    report = import_memo_text(broken)
    messages = [m for _line, m in report.warnings]
    assert any("มาตรการ 1.2" in m and "ไม่พบขั้นตอน" in m for m in messages), messages
    assert all(line is not None for line, m in report.warnings if "1.2" in m)
    steps = {m["code"]: len(m["steps"]) for m in report.document["measures"]}
    assert steps["1.2"] == 0 and steps["1.1"] == 5 and steps["1.7"] == 2


def test_truncated_file_reads_what_is_there():
    text = SEED.read_text(encoding="utf-8")
    truncated = text[: text.index("ประเด็นที่ ๑.๓") + 200]
    report = import_memo_text(truncated)
    assert [m["code"] for m in report.document["measures"]] == ["1.1", "1.2", "1.3"]
    assert any("1.3" in m for _line, m in report.warnings)


@pytest.mark.parametrize("content", ["", "   \n\n", "บันทึกข้อความ\nไม่มีมาตรการ\n", "\x00\x01PK\x03\x04binary"])
def test_empty_binary_or_no_measures_is_an_error(content):
    with pytest.raises(ValidationError):
        import_memo_text(content)


def test_cli_import_writes_a_file_to_review(app, tmp_path):
    from web.cli import main

    out = tmp_path / "memo.yaml"
    result = app.test_cli_runner().invoke(main, ["import", str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "7 มาตรการ, 25 ขั้นตอน" in result.output
    assert out.read_text(encoding="utf-8").startswith("# นำเข้าจาก")
    binary = tmp_path / "memo.bin"
    binary.write_bytes(b"\x89\x00\xff\xfe\x00")
    bad = app.test_cli_runner().invoke(main, ["import", str(binary)])
    assert bad.exit_code == 1 and "UTF-8" in bad.output
    damaged = tmp_path / "memo.docx"
    damaged.write_bytes(b"PK\x03\x04\x00\xff\xfe")
    broken = app.test_cli_runner().invoke(main, ["import", str(damaged)])
    assert broken.exit_code == 1 and ".docx" in broken.output


def seed_as_docx(text: str) -> bytes:
    """The seed memo made into a Word file with python-docx: paragraphs, and each run of tab-separated lines as a
    real table (the period row as one merged cell)."""
    import io

    from docx import Document

    document = Document()
    rows: list[list[str]] = []

    def flush():
        if rows:
            table = document.add_table(rows=len(rows), cols=5)
            for r, cells in enumerate(rows):
                filled = [c for c in cells if c.strip()]
                if len(filled) == 1 and len(cells) > 1:  # the period/constraints row spans the table
                    merged = table.cell(r, 0).merge(table.cell(r, 4))
                    merged.text = filled[0]
                    continue
                for c, value in enumerate(cells[:5]):
                    table.cell(r, c).text = value
            rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
        else:
            flush()
            document.add_paragraph(line)
    flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_made_from_the_seed_imports_the_same(app, tmp_path):
    from web.cli import main
    from workflow.onboarding.importer import docx_to_text

    data = seed_as_docx(SEED.read_text(encoding="utf-8"))
    text, origins = docx_to_text(data)
    assert any(o.startswith("ตารางที่") for o in origins)
    doc = parse_definitions(to_yaml(import_memo_text(text), "memo.docx", origins), "memo.yaml")
    assert comparable(doc) == comparable(seed_document())
    path = tmp_path / "memo.docx"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(main, ["import", str(path), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 0 and "7 มาตรการ, 25 ขั้นตอน" in result.output


def test_docx_warnings_name_the_table_and_row():
    from workflow.onboarding.importer import docx_to_text

    text = SEED.read_text(encoding="utf-8").replace("ทุก ๑๕ วัน โดยแบบติดตาม", "ทุก ๑๕ วัน โดยแบบติดตาม", 1)
    broken = text.replace("ครั้งที่ ๑ ๓๐ พ.ค. ๒๕๖๗", "ครั้งที่ ๑ ๓๐ พฤกษ ๒๕๖๗", 1)
    text_docx, origins = docx_to_text(seed_as_docx(broken))
    report = import_memo_text(text_docx)
    yaml_text = to_yaml(report, "memo.docx", origins)
    assert "ตารางที่" in yaml_text and "แถวที่" in yaml_text, yaml_text[:800]


def test_wrong_looking_code_and_odd_columns_are_kept_with_warnings():
    report = import_memo_text(SEED.read_text(encoding="utf-8"))
    by_code = {m["code"]: m for m in report.document["measures"]}
    wrong = [i for i in by_code["1.5"]["items"] if "note" in i]
    assert [(i["code"], "O19" in i["note"]) for i in wrong] == [("O14", True)]  # kept as written, with a note
    assert all("note" not in i for code, m in by_code.items() if code != "1.5" for i in m["items"])
    messages = [m for _line, m in report.warnings]
    assert any("1.5" in m and "O19" in m for m in messages)
    assert any("1.2" in m and "สลับ" in m for m in messages)  # the seed's 1.2 has its cells in odd order
    assert by_code["1.2"]["weakness"] == "๐๑๖ ข้อมูลเชิงสถิติการให้บริการ"  # still as written


def test_a_docx_that_inflates_beyond_a_memo_is_refused_before_it_is_read():
    import io
    import zipfile

    from workflow.onboarding.importer import MAX_DOCX_INFLATED, docx_to_text

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (MAX_DOCX_INFLATED + 1))
    assert len(bomb.getvalue()) < MAX_DOCX_INFLATED // 100
    with pytest.raises(ValidationError) as refused:
        docx_to_text(bomb.getvalue())
    assert "ใหญ่เกิน" in refused.value.message_th


def _arabic(text: str) -> str:
    from workflow.thaidate import to_arabic_digits

    return to_arabic_digits(text)


def _steps_written(text: str, style: str) -> str:
    """The seed with its steps numbered another way: '(1)', '(๑)' or '๑)' in the table rows."""
    import re

    def renumber(line: str) -> str:
        if "\t" not in line:
            return line
        return re.sub(r"(?<=\s)([๑-๙])\.(?![๐-๙0-9])", {"paren": r"(\1)", "close": r"\1)"}[style], " " + line)[1:]

    return "\n".join(renumber(line) for line in text.split("\n"))


@pytest.mark.parametrize("name, change", [
    ("steps (๑)", lambda t: _steps_written(t, "paren")),
    ("steps ๑)", lambda t: _steps_written(t, "close")),
    ("steps (1)", lambda t: _arabic(_steps_written(t, "paren"))),
    ("headings มาตรการที่", lambda t: t.replace("ประเด็นที่ ๑.", "มาตรการที่ ๑.")),
    ("ที่ and วันที่ on one line", lambda t: t.replace("ที่ ศธ ๐๒๑๐๒/\n\nวันที่", "ที่ ศธ ๐๒๑๐๒/   วันที่")),
])
def test_layouts_memos_are_written_in_read_as_the_seed(name, change):
    seed = SEED.read_text(encoding="utf-8")
    variant = change(seed)
    assert variant != seed, name
    report = import_memo_text(variant)
    doc = parse_definitions(to_yaml(report, "memo.txt"), "memo.yaml")
    want = imported(_arabic(seed) if "(1)" in name else seed)  # Arabic digits: compared with the seed's own
    assert comparable(doc) == comparable(want), name
    assert doc["memo"].get("date") == want["memo"].get("date"), name


def test_a_memo_in_tis_620_reads_as_in_utf_8():
    from workflow.onboarding.importer import read_memo

    text = SEED.read_text(encoding="utf-8")
    report, _origins = read_memo(text.encode("cp874", errors="replace"))
    assert comparable(parse_definitions(to_yaml(report, "memo.txt"), "m.yaml")) == comparable(imported(text))


def test_the_fiscal_year_is_inferred_when_the_memo_does_not_say_it_and_the_report_says_so():
    import re

    text = re.sub(r"(ประจำ)?ปีงบประมาณ\s*(พ\.ศ\.)?\s*[๐-๙0-9]{4}", "", SEED.read_text(encoding="utf-8"))
    report = import_memo_text(text)
    assert report.document["fiscal_year"] == 2567  # periods end May-July 2567: fiscal year 2567
    assert any("อนุมาน" in message for _line, message in report.warnings)


@pytest.mark.parametrize("written, start, end", [
    ("พฤษภาคม – ๑๕ กรกฎาคม ๒๕๖๗", "2024-05-01", "2024-07-15"),
    ("มิถุนายน - สิงหาคม ๒๕๖๗", "2024-06-01", "2024-08-31"),
    ("ตุลาคม ๒๕๖๗ – กันยายน ๒๕๖๘", "2024-10-01", "2025-09-30"),
    ("ตุลาคม – มีนาคม ๒๕๖๘", "2024-10-01", "2025-03-31"),
    ("๑ มิ.ย. – ๓๑ ส.ค. ๒๕๖๗", "2024-06-01", "2024-08-31"),
    ("1 มิ.ย. 2567 ถึง 31 ส.ค. 2567", "2024-06-01", "2024-08-31"),
    ("ภายในวันที่ ๓๑ สิงหาคม ๒๕๖๗", "2024-06-07", "2024-08-31"),  # from the memo's date
    ("ตลอดปีงบประมาณ พ.ศ. ๒๕๖๗", "2023-10-01", "2024-09-30"),
    ("ก.พ. – เม.ย. 2024", "2024-02-01", "2024-04-30"),  # CE, abbreviated
])
def test_periods_as_memos_write_them(written, start, end):
    from datetime import date

    from workflow.onboarding.importer import read_period

    got = read_period(written, date(2024, 6, 7))
    assert (got[0].isoformat(), got[1].isoformat()) == (start, end)


def test_a_period_written_another_way_in_the_memo_is_read():
    text = SEED.read_text(encoding="utf-8")
    variant = text.replace("ระยะเวลาดำเนินการ พฤษภาคม ๒๕๖๗ – ๑๕ กรกฎาคม ๒๕๖๗",
                           "ระยะเวลาดำเนินการ พฤษภาคม - สิงหาคม ๒๕๖๗", 1)
    assert variant != text
    changed = [m for m in imported(variant)["measures"] if m["period"]["end"].isoformat() == "2024-08-31"]
    assert len(changed) == 1 and changed[0]["period"]["start"].isoformat() == "2024-05-01"


def _monitoring_written(text: str, plan: str) -> str:
    import re

    text = re.sub(r"ครั้งที่ [๐-๙]+ [๐-๙]{1,2} \S+ [๐-๙]{4}", "", text)  # no dated rounds
    return text.replace("ทุก ๑๕ วัน", plan)


@pytest.mark.parametrize("plan, every_days, rounds", [
    ("ทุกเดือน", None, ["2024-05-31", "2024-06-30"]),  # May to 15 July: the month ends inside
    ("เดือนละ ๑ ครั้ง", None, ["2024-05-31", "2024-06-30"]),
    ("รายไตรมาส", None, ["2024-06-30"]),  # the fiscal year's third quarter ends inside
    ("ปีละ ๒ ครั้ง", None, ["2024-07-15"]),  # no half-year's end inside: the period's end
    ("ทุก ๒ สัปดาห์", 14, []),
])
def test_monitoring_plans_without_dates_become_rounds(plan, every_days, rounds):
    report = import_memo_text(_monitoring_written(SEED.read_text(encoding="utf-8"), plan))
    doc = parse_definitions(to_yaml(report, "memo.txt"), "memo.yaml")
    first = doc["measures"][0]["monitoring"]
    assert first["every_days"] == every_days, plan
    assert [d.isoformat() for d in first["rounds"]] == rounds, plan


def test_monitoring_with_neither_dates_nor_a_frequency_is_reported():
    report = import_memo_text(_monitoring_written(SEED.read_text(encoding="utf-8"), "ตามความเหมาะสม"))
    assert any("ไม่พบวันติดตามหรือความถี่" in message for _line, message in report.warnings)


def _cells_on_lines(text: str) -> str:
    """The seed as a table saved to text whose cells hold paragraphs: each step, and each dated round, on a
    line of its own, breaking the row over several lines."""
    import re

    out = []
    for line in text.split("\n"):
        if line.count("\t") >= 4:
            line = re.sub(r" (?=[๒-๙]\. )", "\n", line)  # steps ๒. ๓. ... start their own lines
            line = re.sub(r" (?=ครั้งที่ [๒-๙] )", "\n", line)  # and so do rounds 2, 3, 4
        out.append(line)
    return "\n".join(out)


def test_cells_of_several_paragraphs_read_as_one_row():
    seed = SEED.read_text(encoding="utf-8")
    variant = _cells_on_lines(seed)
    assert variant.count("\n") > seed.count("\n") + 30
    report = import_memo_text(variant)
    doc = parse_definitions(to_yaml(report, "memo.txt"), "memo.yaml")
    assert comparable(doc) == comparable(imported(seed))
    assert sum(len(m["steps"]) for m in doc["measures"]) == 25


def test_a_docx_carrying_an_external_entity_does_not_read_the_file_it_names(tmp_path):
    """XXE: a document.xml declaring an entity that points at a file on the server is read without it."""
    import io
    import zipfile

    from workflow.onboarding.importer import docx_to_text

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = seed_as_docx(SEED.read_text(encoding="utf-8"))
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "word/document.xml":
                head, rest = body.split(b"?>", 1)
                body = (head + b"?>" + f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>'.encode()
                        + rest.replace(b"</w:t>", b"&x;</w:t>", 1))
            target.writestr(info, body)
    try:
        text, _origins = docx_to_text(out.getvalue())
    except ValidationError:
        return  # refused outright: also fine
    assert "TOP-SECRET-VALUE" not in text


def test_steps_without_dates_get_dates_spread_across_the_period_to_check():
    report = import_memo_text(SEED.read_text(encoding="utf-8"))
    doc = parse_definitions(to_yaml(report, "memo.txt"), "memo.yaml")
    for m in doc["measures"]:
        dues = [s["due"] for s in m["steps"] if not s["repeat"]]
        assert all(d is not None for d in dues), m["code"]
        assert dues == sorted(dues) and dues[-1] == m["period"]["end"], m["code"]  # spread, the last at the end
        assert all(m["period"]["start"] < d <= m["period"]["end"] for d in dues), m["code"]
        assert len(set(dues)) > 1 or len(dues) == 1, m["code"]
    assert any("เสนอวันกระจาย" in message for _line, message in report.warnings)


@pytest.mark.parametrize("written, people, groups", [
    ("กองคลัง ฝ่ายบริหารทั่วไป และงานพัสดุ", [], ["กองคลัง", "ฝ่ายบริหารทั่วไป", "งานพัสดุ"]),
    ("สำนักปลัด ร่วมกับกองช่าง", [], ["สำนักปลัด", "กองช่าง"]),
    ("กลุ่มสาระการเรียนรู้คณิตศาสตร์และกลุ่มบริหารงานวิชาการ", [],
     ["กลุ่มสาระการเรียนรู้คณิตศาสตร์", "กลุ่มบริหารงานวิชาการ"]),
    ("ว่าที่ร้อยตรีสมชาย ใจดี (งานธุรการ)", [("ว่าที่ร้อยตรีสมชาย ใจดี", "งานธุรการ")], []),
    ("ดร.สมหญิง รักเรียน (กลุ่มบริหารงานบุคคล)", [("ดร.สมหญิง รักเรียน", "กลุ่มบริหารงานบุคคล")], []),
    ("กลุ่มบริหารงานบุคคล และกลุ่มงานที่เกี่ยวข้อง", [], ["กลุ่มบริหารงานบุคคล"]),  # the seed's: not a group
    ("การดำเนินงานของหน่วยงาน", [], []),  # "งาน" inside a word is not a unit
])
def test_owners_as_agencies_name_them(written, people, groups):
    from workflow.onboarding.importer import ImportReport, _owners

    known_groups: dict[str, str] = {}
    known_people: dict[str, dict] = {}
    found = _owners(written, known_groups, known_people, ImportReport(document={}), 1, "มาตรการ 1.1")
    names = {key: name for name, key in known_groups.items()}
    assert [(known_people[p]["name"], names.get(known_people[p]["group"])) for p in found["people"]] == people
    assert [names[g] for g in found["groups"]] == groups
