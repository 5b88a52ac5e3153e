"""The held-out memo benchmark: the corpus benchmark's comparison (``bench.corpus``: ``actions``, ``dropped``,
``table``) run on the memos of ``tests/data/memos/holdout/`` (written by ``make_holdout.py``, layouts the
importer's authors have not seen), or on any folder of ``<name>.docx|.txt`` + ``<name>.expected.yaml``. Usage:

    .venv/bin/python -m bench.holdout [--verbose] [--dir FOLDER] [--corpus-pieces] [NAME ...]

Prints the same markdown table as ``bench.corpus``: memo | layout | measures | steps | actions | dropped chars.

The memo's text is read by ``memo_pieces`` below, not ``bench.corpus.memo_pieces``: that one skips a table cell
already seen by ``id(cell._tc)``, and lxml hands out a new proxy object for an element whose old proxy was
garbage-collected, so an id can be reused by a *different* cell of a later row; cells are then skipped and
their text is never counted as dropped. Here a cell is skipped only when it is the same element (merged cells,
which python-docx returns once per grid column or row they span). ``--corpus-pieces`` uses the corpus's
reader instead, to compare with ``bench.corpus`` numbers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import OFFICE_MORNING, corpus, pin_clock
from bench.corpus import ROOT, actions, dropped, expected_of, import_memo, table

HOLDOUT = ROOT / "tests" / "data" / "memos" / "holdout"


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
            seen: list = []  # the <w:tc> elements themselves: kept alive, compared by identity
            for row in Table(child, document).rows:
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):
                        continue
                    seen.append(cell._tc)
                    pieces += [p.text for p in cell.paragraphs]
    return pieces


def memo_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".docx", ".txt")
                  and (p.parent / f"{p.stem}.expected.yaml").exists())


def evaluate(path: Path, pieces_of=memo_pieces) -> dict:
    """One memo's row, as ``bench.corpus.evaluate`` makes it."""
    expected = expected_of(path)
    report, error = import_memo(path)
    document = getattr(report, "document", None) or {}
    diffs = actions(document, expected)
    if error:
        diffs.insert(0, f"นำเข้าไม่ได้: {error}")
    pieces = pieces_of(path)
    lost_count, lost = dropped(pieces, report) if report is not None else (
        sum(len(t) for p in pieces for t in p.split() if not corpus._MARK.match(t)), ["(ทั้งฉบับ)"])
    got_steps = sum(len(m.get("steps") or []) for m in document.get("measures") or [])
    return {
        "memo": path.name, "layout": expected["layout"].split(":")[0],
        "measures": (len(expected["measures"]), len(document.get("measures") or [])),
        "steps": (sum(len(m["steps"]) for m in expected["measures"]), got_steps),
        "actions": len(diffs) - (1 if error else 0), "differences": diffs, "error": error,
        "dropped": lost_count, "lost": lost,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these memos (a part of the file name)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list each memo's differences and dropped text")
    parser.add_argument("--dir", type=Path, default=HOLDOUT, help="the folder of memos (default: the holdout set)")
    parser.add_argument("--corpus-pieces", action="store_true",
                        help="read the memo's text with bench.corpus.memo_pieces (skips some cells; see above)")
    args = parser.parse_args(argv)
    pin_clock(OFFICE_MORNING)  # this run's "now", in this process and every one it starts
    sys.path.insert(0, str(ROOT))
    pieces_of = corpus.memo_pieces if args.corpus_pieces else memo_pieces
    paths = [p for p in memo_paths(args.dir) if not args.names or any(n in p.name for n in args.names)]
    rows = [evaluate(p, pieces_of) for p in paths]
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
