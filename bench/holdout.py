"""The held-out memo benchmark: the corpus benchmark's comparison (``bench.corpus``: ``actions``, ``dropped``,
``table``) run on the memos of ``tests/data/memos/holdout/`` (written by ``make_holdout.py``, layouts the
importer's authors have not seen), or on any folder of ``<name>.docx|.txt`` + ``<name>.expected.yaml``. Usage:

    .venv/bin/python -m bench.holdout [--verbose] [--dir FOLDER] [NAME ...]

Prints the same markdown table as ``bench.corpus``, each memo evaluated by ``bench.corpus.evaluate``: memo |
layout | measures | steps | actions | dropped chars.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import OFFICE_MORNING, pin_clock
from bench.corpus import ROOT, evaluate, table

HOLDOUT = ROOT / "tests" / "data" / "memos" / "holdout"


def memo_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".docx", ".txt")
                  and (p.parent / f"{p.stem}.expected.yaml").exists())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these memos (a part of the file name)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list each memo's differences and dropped text")
    parser.add_argument("--dir", type=Path, default=HOLDOUT, help="the folder of memos (default: the holdout set)")
    args = parser.parse_args(argv)
    pin_clock(OFFICE_MORNING)  # this run's "now", in this process and every one it starts
    sys.path.insert(0, str(ROOT))
    paths = [p for p in memo_paths(args.dir) if not args.names or any(n in p.name for n in args.names)]
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
