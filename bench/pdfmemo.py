"""Benchmark of the PDF and scan readers (issue 24): each memo of the corpus made a PDF (LibreOffice) and a scan
(200 dpi, 0.4° skew, blur, noise, JPEG 60), read back, and compared with the text of its .docx.

    .venv/bin/python -m bench.pdfmemo [--scan-pages N]

Memos: tests/data/memos/corpus/*.docx, else tests/data/memos/*.txt and the seed, each made a .docx as
tests/test_importer.py's seed_as_docx does. Prints a markdown table: character error rate of the PDF and of
the scan against the .docx (whitespace squashed; a space between two Thai letters is not counted, as a PDF's
line end cannot tell it), seconds per page and the reading child's peak RSS (MB; tesseract's process is not counted).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_importer import seed_as_docx  # noqa: E402
from tests.test_pdfmemo import cer, comparable, docx_lines, scan_of, to_pdf  # noqa: E402
from workflow.pdfmemo import _run_child, layout, read_any  # noqa: E402


def corpus() -> list[tuple[str, bytes]]:
    found = sorted((ROOT / "tests/data/memos/corpus").glob("*.docx"))
    if found:
        return [(path.name, path.read_bytes()) for path in found]
    texts = sorted((ROOT / "tests/data/memos").glob("*.txt"))
    seed = ROOT.parent / "shared/seed/000_b1586e3a4194c3d8.txt"
    if seed.exists():
        texts.append(seed)
    return [(path.stem + ".docx", seed_as_docx(path.read_text(encoding="utf-8"))) for path in texts]


def measured(data: bytes) -> tuple[list[str], float, float, int]:
    """Lines, seconds, the reading child's peak RSS (MB; tesseract's own process not counted) and pages."""
    start = time.perf_counter()
    pages = _run_child(data, None)
    read = layout(pages)
    seconds = time.perf_counter() - start
    peak = max(page.get("peak_kb", 0) for page in pages) / 1024
    return read.lines, seconds, peak, len(pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scan-pages", type=int, default=2, help="pages of each memo scanned (OCR is slow)")
    args = parser.parse_args()
    print("| memo | pages | CER PDF | s/page PDF | CER scan | s/page scan | peak MB (child) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, docx in corpus():
        with tempfile.TemporaryDirectory() as tmp:
            pdf = to_pdf(docx, Path(tmp))
        reference = " ".join(comparable(docx_lines(docx), " "))
        lines, seconds, peak_pdf, pages = measured(pdf)
        pdf_cer = cer(reference, " ".join(comparable(lines, " ")))
        scan = scan_of(pdf, pages=args.scan_pages)
        scan_lines, scan_seconds, peak_scan, scan_pages = measured(scan)
        # the scan covers the first pages only: compared with the typed PDF's same pages
        typed = read_any(pdf)
        first = {f"หน้า {n}" for n in range(1, scan_pages + 1)}
        part = [line for line, origin in zip(typed.lines, typed.origins or [], strict=True)
                if " ".join(origin.split(" ")[:2]) in first]
        scan_cer = cer(" ".join(comparable(part, " ")), " ".join(comparable(scan_lines, " ")))
        print(f"| {name} | {pages} | {pdf_cer:.2%} | {seconds / pages:.2f} | {scan_cer:.2%} "
              f"| {scan_seconds / scan_pages:.1f} | {max(peak_pdf, peak_scan):.0f} |", flush=True)


if __name__ == "__main__":
    main()
