"""Benchmark of the PDF and scan readers (issue 24): each memo of the corpus made a PDF by LibreOffice (as an
office saves one from Word) and a scan of every page (``--dpi`` 200: turned 0.4°, blurred, speckled, JPEG
quality 60, wrapped as a PDF of images), each read back and imported, and compared with its .docx:

    .venv/bin/python -m bench.pdfmemo [--dpi 200] [NAME ...]

Prints a markdown table:

- **CER**: character error rate of the text read (the PDF's, the scan's) against the .docx's lines (whitespace
  squashed; a space between two Thai letters not counted: a PDF's line end cannot tell whether one was typed);
- **lines =**: the PDF's lines equal to the .docx's, character for character (of the .docx's non-empty lines);
- **fields**: the draft imported from the PDF (from the scan) against the draft imported from the .docx, field
  by field (tests/test_pdfmemo.py's ``draft_differences``: code, title, weakness, improvement, items, owners,
  steps, period, monitoring of each measure; agency, fiscal year): differing / compared; "refused" when the
  importer found no measure in the scan's text;
- **s/page** and the reading child's **peak MB** (RSS; tesseract's own process is not counted).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import OFFICE_MORNING, pin_clock  # noqa: E402
from tests.test_pdfmemo import cer, comparable, docx_lines, draft_differences, scan_of, to_pdf  # noqa: E402
from workflow.errors import ItaflowError  # noqa: E402
from workflow.onboarding.pdfmemo import _READ, _run_child, layout  # noqa: E402


def measured(data: bytes) -> tuple[list[str], float, float, int]:
    """Lines, seconds, the reading child's peak RSS (MB) and pages."""
    start = time.perf_counter()
    pages = _run_child(data, None)
    read = layout(pages)
    seconds = time.perf_counter() - start
    _READ[hashlib.sha256(data).hexdigest()] = read  # the import that follows reads it from here
    peak = max(page.get("peak_kb", 0) for page in pages) / 1024
    return read.lines, seconds, peak, len(pages)


def fields_against(reference: dict, data: bytes) -> str:
    from workflow.onboarding.importer import read_memo

    try:
        document = read_memo(data)[0].document
    except ItaflowError:
        return "refused"
    compared, differ = draft_differences(reference, document)
    return f"{len(differ)}/{compared}"


def main() -> None:
    from workflow.onboarding.importer import read_memo

    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", help="only these memos (a part of the file name)")
    parser.add_argument("--dpi", type=int, default=200, help="the scans' resolution")
    args = parser.parse_args()
    pin_clock(OFFICE_MORNING)  # this run's "now", in this process and every one it starts
    paths = [p for p in sorted((ROOT / "tests/data/memos/corpus").glob("*.docx"))
             if not args.names or any(n in p.name for n in args.names)]
    print(f"| memo | pages | PDF CER | PDF lines = | PDF fields ≠ | PDF s/page | scan ({args.dpi} dpi) CER "
          "| scan fields ≠ | scan s/page | peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals = {"pages": 0, "pdf_err": 0.0, "scan_err": 0.0, "chars": 0, "pdf_s": 0.0, "scan_s": 0.0, "peak": 0.0,
              "same": 0, "lines": 0}
    for path in paths:
        docx = path.read_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            pdf = to_pdf(docx, Path(tmp))
        theirs = docx_lines(docx)
        reference = " ".join(comparable(theirs, " "))
        chars = len(" ".join(reference.split()))
        lines, seconds, peak_pdf, pages = measured(pdf)
        pdf_cer = cer(reference, " ".join(comparable(lines, " ")))
        wanted = [line for line in theirs if line.strip("\t")]
        got = {line for line in lines if line.strip("\t")}
        same = sum(1 for line in wanted if line in got)
        docx_document = read_memo(docx)[0].document
        pdf_fields = fields_against(docx_document, pdf)
        scan = scan_of(pdf, pages=pages, dpi=args.dpi)
        scan_lines, scan_seconds, peak_scan, _ = measured(scan)
        scan_cer = cer(reference, " ".join(comparable(scan_lines, " ")))
        scan_fields = fields_against(docx_document, scan)
        peak = max(peak_pdf, peak_scan)
        print(f"| {path.stem} | {pages} | {pdf_cer:.2%} | {same}/{len(wanted)} | {pdf_fields} | {seconds / pages:.2f} "
              f"| {scan_cer:.2%} | {scan_fields} | {scan_seconds / pages:.1f} | {peak:.0f} |", flush=True)
        for key, value in (("pages", pages), ("pdf_err", pdf_cer * chars), ("scan_err", scan_cer * chars),
                           ("chars", chars), ("pdf_s", seconds), ("scan_s", scan_seconds), ("same", same),
                           ("lines", len(wanted))):
            totals[key] += value
        totals["peak"] = max(totals["peak"], peak)
    if len(paths) > 1:
        t = totals
        print(f"| **all** | {t['pages']} | {t['pdf_err'] / t['chars']:.2%} | {t['same']}/{t['lines']} | "
              f"| {t['pdf_s'] / t['pages']:.2f} | {t['scan_err'] / t['chars']:.2%} | | "
              f"{t['scan_s'] / t['pages']:.1f} | {t['peak']:.0f} |")


if __name__ == "__main__":
    main()
