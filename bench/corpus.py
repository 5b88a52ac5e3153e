"""The memo corpus benchmark: import each memo of ``tests/data/memos/corpus/`` and count what an officer would
still have to correct by hand, against what a careful officer types from the memo (``<name>.expected.yaml``,
written by ``make_corpus.py``). Usage:

    .venv/bin/python -m bench.corpus [--verbose] [NAME ...]

Prints a markdown table: memo | layout | measures | steps | actions | dropped chars.

- **actions**: 1 per wrong, missing or extra field of a measure (code, title, weakness, improvement, each item
  code, each owner group or person missing or extra or a person's group wrong, each step missing, extra, with a
  wrong title (whitespace squashed), a wrong kind or repeat or due date (when the memo gives one), period start,
  period end, the monitoring plan), 1 for a wrong agency, 1 for a wrong fiscal year, 1 per measure missing or
  extra (a missing measure's fields are not counted again).
- **dropped chars**: the non-blank characters of the memo's text (its paragraphs and cells; numbering marks
  and bullets, the memo form's printed labels and the month names of dates read into fields as dates aside)
  found neither in any string of the imported document, nor in its layout's mapping (header and label text),
  nor in what the importer lists as not placed (``report.unplaced``: (place, text) or (line, place, text); the
  text of ``report.warnings`` for an importer without that list). Counted per whitespace-separated run.

``actions(document, expected)`` and ``dropped(memo_pieces, report)`` are importable; tests/test_corpus.py uses them.
"""

from __future__ import annotations

import argparse
import calendar
import dataclasses
import difflib
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "memos" / "corpus"
CELL_BREAK = "\ue000"
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


# --------------------------------------------------------------------------------------------- normalising


def squash(text: Any) -> str:
    """Text with its whitespace (and cell breaks) squashed to single spaces."""
    if text is None:
        return ""
    return " ".join(str(text).replace(CELL_BREAK, " ").split())


def ce(value: Any) -> str | None:
    """A date (a ``date`` or an ISO string, Buddhist Era years moved to the Common Era) as CE ISO."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    m = re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", str(value).translate(_TO_ARABIC))
    if not m:
        return str(value)
    year = int(m[1])
    if year > 2400:
        year -= 543
    try:
        return date(year, int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return str(value)


def _code(value: Any) -> str:
    return squash(value).translate(_TO_ARABIC).strip(" .")


def _item_code(item: Any) -> str | None:
    if isinstance(item, dict):
        item = item.get("code") or item.get("raw")
    if not item:
        return None
    text = str(item).translate(_TO_ARABIC).strip()
    m = re.match(r"^[O๐oE]?(\d{1,3})$", text)
    if m and text[:1] in "Oo๐":
        return f"O{int(m[1])}"
    return text


def _name_of(ref: Any, table: dict) -> tuple[str, Any]:
    """An owner reference (a key into the document's groups/people, a name, or a dict) as (name, entry)."""
    if isinstance(ref, dict):
        return squash(ref.get("name")), ref
    entry = table.get(ref) if isinstance(table, dict) else None
    if isinstance(entry, dict):
        return squash(entry.get("name")), entry
    return squash(ref), None


def _measure_view(m: dict, document: dict) -> dict:
    """A document measure as the officer compares it: names instead of keys, CE dates."""
    groups_table = document.get("groups") or {}
    people_table = document.get("people") or {}
    owners = m.get("owners") or {}
    groups = {_name_of(g, groups_table)[0] for g in owners.get("groups") or []}
    people = {}
    for p in owners.get("people") or []:
        name, entry = _name_of(p, people_table)
        group = (entry or {}).get("group") if isinstance(entry, dict) else None
        if group is not None:
            group = _name_of(group, groups_table)[0]
        people[name] = group or None
    steps = []
    for s in m.get("steps") or []:
        if isinstance(s, dict):
            steps.append({"title": squash(s.get("title")), "kind": "review" if s.get("kind") == "review" else "task",
                          "repeat": s.get("repeat") or None, "due": ce(s.get("due"))})
        else:
            steps.append({"title": squash(s), "kind": "task", "repeat": None, "due": None})
    period = m.get("period") or {}
    return {
        "code": _code(m.get("code")), "title": squash(m.get("title")), "weakness": squash(m.get("weakness")),
        "improvement": squash(m.get("improvement")),
        "items": {c for c in (_item_code(i) for i in m.get("items") or []) if c},
        "groups": groups - {""}, "people": people, "steps": steps,
        "period": (ce(period.get("start")), ce(period.get("end"))) if isinstance(period, dict) else (None, None),
        "monitoring": m.get("monitoring") or {},
    }


def _expected_view(m: dict) -> dict:
    owners = m.get("owners") or {}
    return {
        "code": _code(m.get("code")), "title": squash(m.get("title")), "weakness": squash(m.get("weakness")),
        "improvement": squash(m.get("improvement")), "items": set(m.get("items") or []),
        "groups": {squash(g) for g in owners.get("groups") or []},
        "people": {squash(p["name"]): (squash(p["group"]) if p.get("group") else None)
                   for p in owners.get("people") or []},
        "steps": [{"title": squash(s["title"]), "kind": s.get("kind", "task"), "repeat": s.get("repeat"),
                   "due": s.get("due")} for s in m.get("steps") or []],
        "period": (m["period"]["start"], m["period"]["end"]),
        "monitoring": m.get("monitoring") or {},
    }


# --------------------------------------------------------------------------------------------- monitoring

_EVERY = {"monthly": range(28, 32), "quarterly": range(89, 93), "half-yearly": range(180, 185)}
_MONTHS = {"monthly": set(range(1, 13)), "quarterly": {12, 3, 6, 9}, "half-yearly": {3, 9}}


def _canonical_rounds(frequency: str, period: tuple[str, str]) -> list[date]:
    """A frequency's rounds over a period: the month ends (all, fiscal quarters', fiscal half-years') within it,
    or its end when none falls inside."""
    start, end = date.fromisoformat(period[0]), date.fromisoformat(period[1])
    days, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        last = date(year, month, calendar.monthrange(year, month)[1])
        if month in _MONTHS[frequency] and start <= last <= end:
            days.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days or [end]


def _same_days(got: list[date], want: list[date], slack: int = 3) -> bool:
    """The same dates, each allowed to move a few days (off a weekend or a holiday)."""
    return len(got) == len(want) and all(abs((g - w).days) <= slack for g, w in zip(sorted(got), sorted(want),
                                                                                     strict=True))


def _dates(values) -> list[date]:
    out = []
    for v in values or []:
        if isinstance(v, dict):
            v = v.get("date")
        iso = ce(v)
        try:
            out.append(date.fromisoformat(iso))
        except (TypeError, ValueError):
            continue
    return out


def monitoring_matches(got: dict, want: dict, period: tuple[str, str]) -> bool:
    """Whether the imported monitoring plan is the one the officer means: the same dated rounds (report
    deadlines count as rounds), the same every-N-days, or the same frequency (as a frequency, an interval of
    that length, or its month-end rounds over the measure's period)."""
    rounds = _dates(got.get("rounds")) + _dates(got.get("deadlines"))
    if "rounds" in want:
        return _same_days(rounds, _dates(want["rounds"]))
    if "every_days" in want:
        return got.get("every_days") == want["every_days"] and not got.get("rounds")
    frequency = want.get("frequency")
    if frequency:
        if got.get("frequency") == frequency:
            return True
        if got.get("every_days") in _EVERY[frequency]:
            return True
        return bool(rounds) and _same_days(rounds, _canonical_rounds(frequency, period))
    return not (rounds or got.get("every_days") or got.get("frequency"))


# --------------------------------------------------------------------------------------------- comparing


def _similarity(a: dict, b: dict) -> float:
    def key(m):
        return re.sub(r"\s+", "", " ".join([m["title"], m["weakness"], m["improvement"]]
                                           + [s["title"] for s in m["steps"]]))[:600]
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return 0.0
    whole = difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio()
    ta, tb = re.sub(r"\s+", "", a["title"]), re.sub(r"\s+", "", b["title"])
    title = difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio() if ta and tb else 0.0
    return max(whole, 0.9 * title)  # a measure read with its title but little else is still that measure


def _align(want: list[dict], got: list[dict], floor: float = 0.3) -> list[tuple[int | None, int | None]]:
    """Expected and imported measures paired in order (the best total similarity; a pair needs ``floor``)."""
    n, k = len(want), len(got)
    sim = [[_similarity(w, g) for g in got] for w in want]
    best = [[0.0] * (k + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(k - 1, -1, -1):
            pair = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= floor else -1.0
            best[i][j] = max(pair, best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < k:
        if sim[i][j] >= floor and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(i2, None) for i2 in range(i, n)] + [(None, j2) for j2 in range(j, k)]
    return pairs


def _short(text: Any, width: int = 50) -> str:
    text = squash(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _step_actions(where: str, want: list[dict], got: list[dict]) -> list[str]:
    out = []

    def details(n: int, w: dict, g: dict) -> None:
        if w["kind"] != g["kind"]:
            out.append(f"{where} ขั้นตอน {n}: kind {g['kind']} ควรเป็น {w['kind']}")
        if (w.get("repeat") or None) != (g.get("repeat") or None):
            out.append(f"{where} ขั้นตอน {n}: repeat {g.get('repeat')} ควรเป็น {w.get('repeat')}")
        if w.get("due") and ce(g.get("due")) != w["due"]:
            out.append(f"{where} ขั้นตอน {n}: due {g.get('due')} ควรเป็น {w['due']}")

    matcher = difflib.SequenceMatcher(None, [s["title"] for s in want], [s["title"] for s in got], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for a, b in zip(range(i1, i2), range(j1, j2), strict=True):
                details(a + 1, want[a], got[b])
            continue
        paired = min(i2 - i1, j2 - j1)
        for t in range(paired):
            a, b = i1 + t, j1 + t
            out.append(f"{where} ขั้นตอน {a + 1}: ชื่อ '{_short(got[b]['title'])}' ควรเป็น '{_short(want[a]['title'])}'")
            details(a + 1, want[a], got[b])
        for a in range(i1 + paired, i2):
            out.append(f"{where} ขั้นตอน {a + 1} หายไป: '{_short(want[a]['title'])}'")
        for b in range(j1 + paired, j2):
            out.append(f"{where} ขั้นตอนเกิน: '{_short(got[b]['title'])}'")
    return out


def _measure_actions(where: str, w: dict, g: dict) -> list[str]:
    out = []
    if w["code"] != g["code"]:
        out.append(f"{where}: code '{g['code']}' ควรเป็น '{w['code']}'")
    for key in ("title", "weakness", "improvement"):
        if w[key] != g[key]:
            out.append(f"{where}: {key} '{_short(g[key])}' ควรเป็น '{_short(w[key])}'")
    for code in sorted(w["items"] - g["items"]):
        out.append(f"{where}: ตัวชี้วัด {code} หายไป")
    for code in sorted(g["items"] - w["items"]):
        out.append(f"{where}: ตัวชี้วัดเกิน {code}")
    for name in sorted(w["groups"] - g["groups"]):
        out.append(f"{where}: กลุ่มผู้รับผิดชอบ '{name}' หายไป")
    for name in sorted(g["groups"] - w["groups"]):
        out.append(f"{where}: กลุ่มผู้รับผิดชอบเกิน '{_short(name)}'")
    for name, group in w["people"].items():
        if name not in g["people"]:
            out.append(f"{where}: ผู้รับผิดชอบ '{name}' หายไป")
        elif (g["people"][name] or None) != group:
            out.append(f"{where}: กลุ่มของ '{name}' เป็น '{g['people'][name]}' ควรเป็น '{group}'")
    for name in g["people"]:
        if name not in w["people"]:
            out.append(f"{where}: ผู้รับผิดชอบเกิน '{_short(name)}'")
    out += _step_actions(where, w["steps"], g["steps"])
    if g["period"][0] != w["period"][0]:
        out.append(f"{where}: วันเริ่ม {g['period'][0]} ควรเป็น {w['period'][0]}")
    if g["period"][1] != w["period"][1]:
        out.append(f"{where}: วันสิ้นสุด {g['period'][1]} ควรเป็น {w['period'][1]}")
    if not monitoring_matches(g["monitoring"], w["monitoring"], w["period"]):
        shown = {k: v for k, v in g["monitoring"].items() if k in ("rounds", "every_days", "frequency", "deadlines")}
        out.append(f"{where}: การติดตาม {shown} ควรเป็น {w['monitoring']}")
    return out


def actions(document: dict, expected: dict) -> list[str]:
    """What an officer changes by hand to turn the imported document into the expected one, one line each."""
    document = document or {}
    out = []
    if squash(document.get("agency")) != squash(expected["agency"]):
        out.append(f"agency '{_short(document.get('agency'))}' ควรเป็น '{expected['agency']}'")
    if document.get("fiscal_year") != expected["fiscal_year"]:
        out.append(f"fiscal_year {document.get('fiscal_year')} ควรเป็น {expected['fiscal_year']}")
    want = [_expected_view(m) for m in expected["measures"]]
    got = [_measure_view(m, document) for m in document.get("measures") or []]
    for i, j in _align(want, got):
        if j is None:
            out.append(f"มาตรการ {want[i]['code']} หายไป: '{_short(want[i]['title'])}'")
        elif i is None:
            out.append(f"มาตรการเกิน: '{_short(got[j]['title'] or got[j]['weakness'])}'")
        else:
            out += _measure_actions(f"มาตรการ {want[i]['code']}", want[i], got[j])
    return out


# --------------------------------------------------------------------------------------------- dropped text


def memo_pieces(path: Path) -> list[str]:
    """The memo's text as its writer sees it: each paragraph, and each table cell's paragraphs once (a merged
    cell once), in document order; a .txt file's lines."""
    data = path.read_bytes()
    if not data.startswith(b"PK\x03\x04"):
        return data.decode("utf-8-sig").splitlines()
    import io

    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(data))
    pieces: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            pieces.append(Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            # the <w:tc> elements themselves, kept alive and compared by identity: an lxml proxy's id() is
            # reused once the proxy is freed, so a later row's different cell could be taken for one seen
            seen: list = []
            for row in Table(child, document).rows:
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):
                        continue
                    seen.append(cell._tc)
                    pieces += [p.text for p in cell.paragraphs]
    return pieces


#: the printed labels of the official memo form (บันทึกข้อความ): the form's, not the writer's text
FORM_LABELS = {"บันทึกข้อความ", "ส่วนราชการ", "ส่วนงาน", "ที่", "วันที่", "เรื่อง", "เรียน"}
_MONTH_NAMES = {name: n for n, names in enumerate(
    [("มกราคม", "ม.ค."), ("กุมภาพันธ์", "ก.พ."), ("มีนาคม", "มี.ค."), ("เมษายน", "เม.ย."), ("พฤษภาคม", "พ.ค."),
     ("มิถุนายน", "มิ.ย."), ("กรกฎาคม", "ก.ค."), ("สิงหาคม", "ส.ค."), ("กันยายน", "ก.ย."), ("ตุลาคม", "ต.ค."),
     ("พฤศจิกายน", "พ.ย."), ("ธันวาคม", "ธ.ค.")], start=1) for name in names}


def _dates_in(value: Any) -> list[date]:
    if isinstance(value, date):
        return [value]
    if isinstance(value, dict):
        return [d for v in value.values() for d in _dates_in(v)]
    if isinstance(value, (list, tuple)):
        return [d for v in value for d in _dates_in(v)]
    return []


#: a token that is only a number mark, a bullet or punctuation (what a step list's numbering is made of)
_MARK = re.compile(r"^[\W\d๐-๙_]*$")


def _strings(value: Any, keys: bool = False) -> list[str]:
    """The strings in a value; with ``keys``, a dict's keys and a dataclass's fields too (a layout's mapping is
    keyed by the header or label text it maps), leaving out sampled cell text and private fields."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in ([k] if keys and isinstance(k, str) else []) + _strings(v, keys)]
    if isinstance(value, (list, tuple, set)):
        return [s for v in value for s in _strings(v, keys)]
    if keys and dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) if not f.name.startswith("_") and f.name != "samples"
                for s in _strings(getattr(value, f.name), keys)]
    return []


def placed_text(report: Any) -> str:
    """Every string the import kept: the document's, its mapping's (if it has one) and what it listed as not
    placed (``report.unplaced``; the warnings' text when the importer has no such list)."""
    strings = _strings(getattr(report, "document", None) or {})
    strings += [str(line) for line in getattr(report, "heading_lines", None) or []]  # the memo's number, date
    for attr in ("mapping", "layout"):
        strings += _strings(getattr(report, attr, None), keys=True)
    unplaced = getattr(report, "unplaced", None)
    if unplaced is None:
        strings += [str(message) for _line, message in getattr(report, "warnings", [])]
    else:
        strings += _strings(list(unplaced))  # (place, text) pairs, or (line, place, text)
    return "".join(strings)


def dropped(pieces: list[str], report: Any) -> tuple[int, list[str]]:
    """The non-blank characters of the memo found nowhere in what the import kept, and those pieces of text
    (whitespace-separated runs; numbering marks and bullets are not counted)."""
    placed = placed_text(report)
    haystack = re.sub(r"\s+", "", placed.replace(CELL_BREAK, " "))
    haystack += "\n" + haystack.translate(_TO_ARABIC)
    months = {int(m) for m in re.findall(r"\b\d{4}-(\d{2})-\d{2}\b", placed.translate(_TO_ARABIC))}
    months |= {int(v.month) for v in _dates_in(getattr(report, "document", None))}
    count, lost = 0, []
    for piece in pieces:
        for token in piece.replace(CELL_BREAK, " ").split():
            if _MARK.match(token) or token in FORM_LABELS:
                continue
            month = _MONTH_NAMES.get(token.rstrip(","))
            if month and month in months:  # a date read into a field as a date
                continue
            if token in haystack or token.translate(_TO_ARABIC) in haystack:
                continue
            core = token.strip("()[]:;,.-–“”\"'")
            if core and (core in haystack or core.translate(_TO_ARABIC) in haystack):
                continue
            count += len(token)
            lost.append(token)
    return count, lost


# --------------------------------------------------------------------------------------------- running


def memo_paths() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".docx", ".txt"))


def expected_of(path: Path) -> dict:
    return yaml.safe_load((path.parent / f"{path.stem}.expected.yaml").read_text(encoding="utf-8"))


def import_memo(path: Path) -> tuple[Any, str | None]:
    """The importer's report on a memo, or (None, the error) when it refused the file."""
    from workflow.onboarding.importer import read_memo

    try:
        result = read_memo(path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - a refusal is a result here, with its message
        return None, f"{type(exc).__name__}: {exc}"
    report = result[0] if isinstance(result, tuple) else result
    return report, None


def evaluate(path: Path) -> dict:
    """One memo's row: its counts, the officer's actions and the text dropped."""
    expected = expected_of(path)
    report, error = import_memo(path)
    document = getattr(report, "document", None) or {}
    diffs = actions(document, expected)
    if error:
        diffs.insert(0, f"นำเข้าไม่ได้: {error}")
    pieces = memo_pieces(path)
    lost_count, lost = dropped(pieces, report) if report is not None else (
        sum(len(t) for p in pieces for t in p.split() if not _MARK.match(t)), ["(ทั้งฉบับ)"])
    got_steps = sum(len(m.get("steps") or []) for m in document.get("measures") or [])
    return {
        "memo": path.name, "layout": expected["layout"].split(":")[0],
        "measures": (len(expected["measures"]), len(document.get("measures") or [])),
        "steps": (sum(len(m["steps"]) for m in expected["measures"]), got_steps),
        "actions": len(diffs) - (1 if error else 0), "differences": diffs, "error": error,
        "dropped": lost_count, "lost": lost,
    }


def table(rows: list[dict]) -> str:
    lines = ["| memo | layout | measures | steps | actions | dropped chars |",
             "| --- | --- | --- | --- | ---: | ---: |"]
    for r in rows:
        note = " (refused)" if r["error"] else ""
        lines.append(f"| {r['memo']}{note} | {r['layout']} | {r['measures'][1]}/{r['measures'][0]} | "
                     f"{r['steps'][1]}/{r['steps'][0]} | {r['actions']} | {r['dropped']} |")
    lines.append(f"| **total** | {len(rows)} memos | {sum(r['measures'][1] for r in rows)}/"
                 f"{sum(r['measures'][0] for r in rows)} | {sum(r['steps'][1] for r in rows)}/"
                 f"{sum(r['steps'][0] for r in rows)} | {sum(r['actions'] for r in rows)} | "
                 f"{sum(r['dropped'] for r in rows)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these memos (a part of the file name)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list each memo's differences and dropped text")
    args = parser.parse_args(argv)
    from bench import OFFICE_MORNING, pin_clock

    pin_clock(OFFICE_MORNING)  # this run's "now", in this process and every one it starts
    sys.path.insert(0, str(ROOT))
    paths = [p for p in memo_paths() if not args.names or any(n in p.name for n in args.names)]
    rows = [evaluate(p) for p in paths]
    print("measures and steps: imported/expected\n")
    print(table(rows))
    if args.verbose:
        for r in rows:
            print(f"\n## {r['memo']}")
            for d in r["differences"]:
                print(f"- {d}")
            if r["lost"]:
                print(f"- dropped: {' '.join(r['lost'])[:1500]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
