"""A memo published as a PDF (saved from Word/LibreOffice, or a scan) or a photo, read into ``MemoText``.

The same lines a .docx gives (see ``workflow.onboarding.memotext``): a paragraph per line, a table row per line with its
cells joined by tabs and the paragraphs of a cell joined by ``CELL_BREAK``.

- **A PDF with a text layer** is read with pypdfium2 (PDFium): its characters with their boxes in the order they
  were drawn, and the page's ruling lines (thin path objects) for the tables. (pdfminer, under pdfplumber,
  reads LibreOffice's Thai glyphs wrongly: ``ุ`` comes out as ``่``; PDFium reads them as typed.)
- **A page without text but with an image** (a scan) and a JPEG/PNG photo are read with OCR: the page rendered
  at 300 dpi, straightened, cleaned (a 3x3 median, binarised a little above Otsu's threshold so thin tone marks
  stay), its ruled lines found (tables) and painted out; then each table cell and each strip of text between
  tables is read alone as a block by Debian's ``tesseract`` (``-l tha+eng --psm 6``, all the page's parts in one
  run from a list of images). Tesseract's TSV cuts Thai into letters; its plain text keeps the spaces as read,
  so each text line is laid over its letters to give every token its box and confidence. Lines whose confidence
  is under ``DOUBTFUL_BELOW`` are listed in ``MemoText.doubtful``; ``OcrMemoText.confidences`` has each line's
  confidence (0-100).

Layout (both kinds): ruling lines that cross make a grid; each band between two horizontal rules is a row; its
cells are between the vertical rules that cross the band (a cell merged across columns is written once; a cell
whose top rule is missing continues the cell above and is written again in its row, as memodocx writes a merged
cell). A table that ends a page and one that starts the next with the same columns is one table: its header
rows repeated at the top are dropped, and a first row whose text is only in the columns whose cell was cut at
the foot of the page before (the rest fitted) is the rest of that row, split by the page break. Outside tables,
lines become paragraphs by the gap above them (more than the smallest line pitch), indent, a numbered start
("1. ", "๑) ") or a line before them that stopped short though the next word would have fitted (Thai words found
by ICU's line breaking, through ctypes, as LibreOffice breaks lines). Page numbers ("- ๒ -", "หน้า 2") at the
page's top or bottom edge and lines repeated at the same edge on most pages (running headers and footers) are
not content. Thai is given as typed: NFC, ``ำ`` (not ``ํ`` + ``า``), each mark on the letter it is drawn over
(LibreOffice draws some out of order), tone marks after upper/lower vowels, the PDF's own spaces (PDFium's
guessed ones only over a real gap), and a Thai line break inside a paragraph adds no space (Latin words keep
theirs). A space typed between two Thai words exactly where the line wrapped is not in a LibreOffice PDF: the
words are joined.

Bounds (bad input is refused with a Thai and English ``ValidationError``, nothing is written anywhere):

- files over ``MAX_BYTES`` (40 MB); PDFs of more than ``MAX_PAGES`` (50) pages; an encrypted PDF (a password);
  a PDF whose pages have neither text nor an image;
- images over ``MAX_IMAGE_PIXELS`` (60 megapixels, checked from the header before decoding); PDF pages over
  ``MAX_PAGE_POINTS`` (a page larger than A0 is not a memo); more than ``MAX_CHARS_PER_PAGE`` characters or
  ``MAX_PATHS_PER_PAGE`` drawings on a page;
- everything that parses the file runs in a child process (``python -m workflow.onboarding.pdfmemo``) with its
  address space limited to ``CHILD_MEMORY`` (1.5 GB) and a deadline of ``OPEN_SECONDS`` (20 s) to open the file, then
  ``PAGE_SECONDS`` (20 s) per text page and ``OCR_PAGE_SECONDS`` (120 s) per OCR page; a child that loops,
  crashes or runs out of memory is killed and the file refused. The file is passed on stdin and the pages come
  back on stdout, one JSON line each (``progress`` is told after each page).
"""

from __future__ import annotations

import functools
import io
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from workflow.errors import ValidationError
from workflow.onboarding.memotext import CELL_BREAK, MemoText

MAX_BYTES = 40 * 2**20
MAX_PAGES = 50
MAX_IMAGE_PIXELS = 60_000_000
MAX_PAGE_POINTS = 2384 * 3370  # A0
MAX_CHARS_PER_PAGE = 40_000
MAX_PATHS_PER_PAGE = 20_000
CHILD_MEMORY = 1536 * 2**20
OPEN_SECONDS = 20.0
PAGE_SECONDS = 20.0
OCR_PAGE_SECONDS = 120.0
OCR_DPI = 300
#: a line read by OCR with a mean word confidence under this is listed in ``doubtful`` (a table row: its least
#: sure cell). Calibrated on scans of three memos (200 dpi, 50 lines): 8 of the 10 lines under 90 had 3% or more
#: of their characters wrong, 9 of the 40 above (misread Thai digits come with a high confidence)
DOUBTFUL_BELOW = 90.0
#: tesseract's models: Thai, and English for the Latin words memos carry (ITA, O12, Google Form)
OCR_LANGUAGES = "tha+eng"
_OCR_KNOBS: dict = {"median": 1, "binarize": 1, "lift": 20}  # measured: bench/pdfmemo.py

_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"

#: a list's bullet drawn from a symbol font (private-use code points): written "-" as memodocx writes a bullet
_BULLETS = {ord(c): "-" for c in "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8\uf06e\uf0a9"}
# Thai: marks drawn above or below a consonant (they follow it in typed order)
_MARKS = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")
_LIST_START = re.compile(r"^\(?([0-9๐-๙]{1,3}|[a-zA-Zก-ฮ])[.)]\s|^[-•●○▪◦–]\s")
#: the confidence field of a space PDFium guessed (none was drawn there)
_GUESSED = -2.0
_NUMBER_LABEL = re.compile(r"\(?[0-9๐-๙]{1,3}(\.[0-9๐-๙]{1,2})*[.)]")
_INLINE_NUMBER = re.compile(r"\S\s+\(?[0-9๐-๙]{1,2}[.)]\s")
_ROW_NUMBER = re.compile(r"^\(?[0-9๐-๙]{1,3}[.)]?(\s|$)")
_PAGE_NUMBER = re.compile(r"^[-–—(\s]*(หน้า|page)?\s*[0-9๐-๙]{1,3}(\s*(/|จาก|of)\s*[0-9๐-๙]{1,3})?[-–—)\s]*$", re.I)


@dataclass
class OcrMemoText(MemoText):
    """A memo read by OCR: each line's confidence (0-100, tesseract's mean word confidence) as well."""

    confidences: list[float] = field(default_factory=list)


def _refuse(th: str, en: str) -> ValidationError:
    return ValidationError(th, en)


# --------------------------------------------------------------------------------------------------- Thai text


def thai_as_typed(text: str) -> str:
    """Thai text from a PDF or OCR as it was typed: NFC, ``ำ`` whole, tone marks after upper/lower vowels."""
    text = unicodedata.normalize("NFC", text).translate(_BULLETS)
    text = re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)  # ํ (tone) า -> (tone) ำ
    text = re.sub("\u0e33\u0e32", "\u0e33", text)  # ำ drawn as ำ + า
    text = re.sub("\u0e33([\u0e48-\u0e4b])", "\\1\u0e33", text)  # tone mark before ำ
    text = re.sub("([\u0e48-\u0e4c])([\u0e31\u0e34-\u0e3a\u0e47])", "\\2\\1", text)  # tone before a vowel mark
    return text


#: the memo form's words (its headings, labels and months): a word OCR read without its tone marks
#: (``มาตรการที 1``, ``ขันตอน``) is one of these when all else matches; a heading read right is what the importer
#: finds a memo's measures by
_FORM_WORDS = (
    "มาตรการที่", "ที่", "เรื่อง", "ขั้นตอน", "ขั้นตอนการดำเนินงาน", "ขั้นตอนการดำเนินการ", "ผู้รับผิดชอบ",
    "ระยะเวลา", "ระยะเวลาดำเนินการ", "ข้อบกพร่อง", "แนวทางแก้ไข", "ลำดับ", "หมายเหตุ", "ผู้อำนวยการ", "หัวหน้า",
    "เจ้าหน้าที่", "ส่วนราชการ", "วันที่", "ประเด็นที่", "ข้อที่", "พฤศจิกายน", "ธันวาคม", "กุมภาพันธ์",
    "มิถุนายน", "สิงหาคม", "ทุกไตรมาส", "ไตรมาสที่", "ครั้งที่", "ติดตามผลทุก", "ผู้ใต้บังคับบัญชา", "เว็บไซต์",
    "ความถูกต้อง", "ข้อมูล", "จัดซื้อจัดจ้าง", "เผยแพร่", "ดำเนินงาน", "ดำเนินการ", "ผู้ปฏิบัติ", "ผู้บริหาร",
)
_TONES = re.compile("[\u0e48-\u0e4c]")
_BY_SKELETON = {_TONES.sub("", w): w for w in _FORM_WORDS}


def _restore_marks(text: str) -> str:
    """Tone marks OCR dropped from the memo form's words put back: where a token, or the start of one (five
    letters or more: ``ประเด็นทีต้อง``), is one of ``_FORM_WORDS`` but for marks, and OCR read fewer than it has."""
    words = text.split(" ")
    for i, word in enumerate(words):
        for size in range(len(word), 1, -1):  # the longest form word the token starts with
            head = word[:size]
            found = _BY_SKELETON.get(_TONES.sub("", head))
            if found and found != head and len(_TONES.findall(head)) < len(_TONES.findall(found)) and (
                    size == len(word) or (size >= 5 and not "\u0e31" <= word[size] <= "\u0e4e")):
                words[i] = found + word[size:]
                break
    return " ".join(words)


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _thai_letter(ch: str) -> bool:
    """A Thai letter or mark (not a Thai digit): a line break between two of them is inside a word."""
    return _is_thai(ch) and not "\u0e50" <= ch <= "\u0e59"


_ICU: list = []  # [the ubrk functions] once looked up; [None] when ICU is not on this machine


def _icu():
    """ICU's break iterator (libicuuc, which LibreOffice breaks Thai lines with) through ctypes, or None."""
    if _ICU:
        return _ICU[0]
    found = None
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("icuuc")
        lib = ctypes.CDLL(name) if name else None
        version = next((v for v in range(50, 120) if lib is not None and hasattr(lib, f"ubrk_open_{v}")), None)
        if lib is not None:
            suffix = f"_{version}" if version else ""
            opener = getattr(lib, f"ubrk_open{suffix}")
            opener.restype = ctypes.c_void_p
            opener.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int32,
                               ctypes.POINTER(ctypes.c_int)]
            step = getattr(lib, f"ubrk_next{suffix}")
            step.argtypes, step.restype = [ctypes.c_void_p], ctypes.c_int32
            closer = getattr(lib, f"ubrk_close{suffix}")
            closer.argtypes = [ctypes.c_void_p]
            found = (ctypes, opener, step, closer)
    except (OSError, AttributeError):
        found = None
    _ICU.append(found)
    return found


@functools.lru_cache(maxsize=4096)
def _breaks(text: str) -> tuple[int, ...] | None:
    icu = _icu()
    if icu is None or not text or any(ord(ch) > 0xFFFF for ch in text):
        return None
    ctypes, opener, step, closer = icu
    data = ctypes.create_string_buffer(text.encode("utf-16-le"))
    status = ctypes.c_int(0)
    iterator = opener(2, b"th", data, len(text), ctypes.byref(status))  # UBRK_LINE
    if not iterator or status.value > 0:
        return None
    out = []
    try:
        while (at := step(iterator)) != -1:
            out.append(at)
    finally:
        closer(iterator)
    return tuple(out)


def _inside_word(before: str, after: str) -> bool:
    """Whether ICU finds no line break allowed between the end of ``before`` and the start of ``after``
    (``ธุรกิ`` | ``จ)``): a line broken there was broken inside a word, only for want of room."""
    if not before or not after or before[-1].isspace() or not (_is_thai(before[-1]) or _is_thai(after[0])):
        return False
    tail, head = before[-12:], after[:12]
    breaks = _breaks(tail + head)
    return breaks is not None and len(tail) not in breaks


def thai_line_breaks(text: str) -> tuple[int, ...] | None:
    """Where a line of ``text`` may be broken (offsets after each break), as ICU's Thai line breaking finds it
    (its dictionary splits a Thai run into words), or None when ICU is not on this machine."""
    return _breaks(text)


# --------------------------------------------------------------------------------------------------- the child


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on Linux
        pass


def _emit(obj: dict) -> None:
    if "page" in obj:
        try:
            import resource

            obj["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # for bench/pdfmemo.py
        except ImportError:  # pragma: no cover - not on Linux
            pass
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _child_main() -> int:
    """``python -m workflow.onboarding.pdfmemo``: the file on stdin; one JSON line per page on stdout."""
    _limit_memory()
    data = sys.stdin.buffer.read()
    mode = sys.argv[1] if len(sys.argv) > 1 else "read"
    try:
        if data.startswith(_PDF):
            _child_pdf(data, mode)
        else:
            _child_image(data, mode)
    except ValidationError as exc:
        _emit({"error": [exc.message_th, exc.message_en]})
    except MemoryError:
        _emit({"error": ["ไฟล์นี้ใช้หน่วยความจำเกินกำหนด", "the file needs more memory than allowed"]})
    return 0


def _child_pdf(data: bytes, mode: str = "read") -> None:
    """``mode``: "read"; "check" (the bounds and which pages need OCR, none read); "images:DIR:WIDTH"
    (each page saved as DIR/page-N.png, WIDTH pixels wide)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _refuse("ไฟล์ PDF นี้เข้ารหัสไว้ (ต้องใช้รหัสผ่าน) บันทึกใหม่โดยไม่ตั้งรหัสผ่านแล้วส่งอีกครั้ง",
                          "this PDF is encrypted (it asks for a password); save it without one and try again") from None
        raise _refuse("อ่านไฟล์ PDF ไม่ได้ (ไฟล์เสียหรือไม่ใช่ PDF)", f"cannot read the PDF (damaged?): {exc}") from None
    pages = len(document)
    if pages > MAX_PAGES:
        raise _refuse(f"ไฟล์ PDF นี้มี {pages} หน้า รับได้ไม่เกิน {MAX_PAGES} หน้า แยกเฉพาะส่วนที่เป็นมาตรการแล้วส่งอีกครั้ง",
                      f"this PDF has {pages} pages; at most {MAX_PAGES} are read: send the measures' pages only")
    if pages == 0:
        raise _refuse("ไฟล์ PDF นี้ไม่มีหน้าใดเลย", "this PDF has no pages")
    _emit({"pages": pages})
    for number in range(pages):
        page = document[number]
        width, height = page.get_size()
        if width * height > MAX_PAGE_POINTS:
            raise _refuse(f"หน้า {number + 1} ของไฟล์ใหญ่เกินกระดาษ A0", f"page {number + 1} is larger than A0")
        if mode.startswith("images:"):
            _, folder, pixels = mode.split(":", 2)
            scale = min(4.0, int(pixels) / width)
            page.render(scale=scale, grayscale=True).to_pil().save(
                os.path.join(folder, f"page-{number + 1}.png"), optimize=True)
            _emit({"page": number + 1})
            page.close()
            continue
        textpage = page.get_textpage()
        count = textpage.count_chars()
        if count > MAX_CHARS_PER_PAGE:
            raise _refuse(f"หน้า {number + 1} มีตัวอักษรเกิน {MAX_CHARS_PER_PAGE:,} ตัว",
                          f"page {number + 1} has more than {MAX_CHARS_PER_PAGE:,} characters")
        atoms: list[list] = []
        marks = []  # (mark, its box, the atom drawn before it)
        unit: int | None = None  # the last letter drawn (a space run may be drawn in between)
        for i in range(count):
            ch = textpage.get_text_range(i, 1)
            if not ch or ch in "\r\n\x00\ufffe\uffff":
                continue
            if raw.FPDFText_IsGenerated(textpage.raw, i):
                if ch == " " and atoms:  # PDFium's guess of a space no character was drawn for (kept as a hint)
                    left, bottom, right, top = textpage.get_charbox(i, loose=True)
                    atoms.append([" ", left, height - top, right, height - top, atoms[-1][5], _GUESSED])
                continue
            if ch in _MARKS and unit is not None:
                left, bottom, right, top = textpage.get_charbox(i, loose=False)
                marks.append((ch, left, height - top, right, height - bottom, unit))
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            size = raw.FPDFText_GetFontSize(textpage.raw, i) or 10.0
            if ch.isspace():
                ch = " "
            atom = [ch, left, height - top, right, height - bottom, size, -1.0]
            atoms.append(atom)
            if ch != " ":
                unit = len(atoms) - 1
        _attach_marks(atoms, marks)
        segments, images = [], 0
        paths = 0
        for obj in page.get_objects():
            if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                images += 1
            elif obj.type in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_SHADING):
                paths += 1
                if paths > MAX_PATHS_PER_PAGE:
                    raise _refuse(f"หน้า {number + 1} มีเส้นและรูปวาดมากเกินไป",
                                  f"page {number + 1} has more than {MAX_PATHS_PER_PAGE:,} drawings")
                left, bottom, right, top = obj.get_bounds()
                segments.extend(_rules_of(left, height - top, right, height - bottom))
        result: dict = {"page": number + 1, "w": width, "h": height, "atoms": atoms, "rules": segments}
        if mode == "check":
            textless = not any(a[0].strip() for a in atoms)
            result = {"page": number + 1, "w": width, "h": height, "ocr": textless and bool(images),
                      "empty": textless and not images}
        elif not any(a[0].strip() for a in atoms) and images:
            _emit({"ocr_page": number + 1})  # the parent waits an OCR page's time from here
            scale = OCR_DPI / 72
            if width * height * scale * scale > MAX_IMAGE_PIXELS:
                scale = (MAX_IMAGE_PIXELS / (width * height)) ** 0.5
            image = page.render(scale=scale, grayscale=True).to_pil()
            result.update(_ocr_page(image, scale))
        elif not any(a[0].strip() for a in atoms):
            result["empty"] = True
        _emit(result)
        textpage.close()
        page.close()


def _attach_marks(atoms: list, marks: list) -> None:
    """Each Thai mark (an upper or lower vowel, a tone mark) added to the letter it is drawn over: the one its
    box overlaps most among the letters drawn near it, else the letter drawn before it. LibreOffice draws a
    cluster's marks out of order at times (``รุ่ง``'s ``ุ`` after the word, named as the other mark), so the
    order drawn is not trusted; ``thai_as_typed`` then puts the marks in typed order."""
    for ch, x0, top, x1, bottom, drawn_after in marks:
        middle = (top + bottom) / 2
        before = atoms[drawn_after]
        best, best_overlap = drawn_after, max(0.0, min(x1, before[3]) - max(x0, before[1])) + 0.5
        for j in range(max(0, drawn_after - 16), min(len(atoms), drawn_after + 17)):
            base = atoms[j]
            if base[0] == " " or base[0][0] in _MARKS:
                continue
            reach = 0.7 * (base[5] or 10.0)  # a mark sits just above or below its letter (stacked: two marks)
            if not base[2] - reach <= middle <= base[4] + reach or abs(
                    (base[2] + base[4]) / 2 - (before[2] + before[4]) / 2) > 0.5 * reach:
                continue  # on another line than the letter drawn before it (a mark is drawn in its own line)
            overlap = min(x1, base[3]) - max(x0, base[1])
            if overlap > best_overlap + 0.01:
                best, best_overlap = j, overlap
        atoms[best][0] += ch


def _rules_of(x0: float, top: float, x1: float, bottom: float) -> list[list[float]]:
    """A drawing's box as ruling lines: a thin one is a line; a larger one drawn as a frame gives its four edges
    only when it is a cell or table frame (handled by the caller's grid), so only thin boxes are kept."""
    w, h = x1 - x0, bottom - top
    if h <= 3 and w >= 6:
        return [[x0, (top + bottom) / 2, x1, (top + bottom) / 2]]
    if w <= 3 and h >= 6:
        return [[(x0 + x1) / 2, top, (x0 + x1) / 2, bottom]]
    return []


def _child_image(data: bytes, mode: str = "read") -> None:
    from PIL import Image, ImageOps

    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _refuse(f"ภาพใหญ่เกิน {MAX_IMAGE_PIXELS // 1_000_000} ล้านพิกเซล ลดขนาดแล้วส่งอีกครั้ง",
                      f"the image is larger than {MAX_IMAGE_PIXELS // 1_000_000} megapixels") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        raise _refuse("อ่านไฟล์ภาพไม่ได้ (ไฟล์เสียหรือไม่ใช่ JPEG/PNG)", f"cannot read the image: {exc}") from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _refuse(f"ภาพใหญ่เกิน {MAX_IMAGE_PIXELS // 1_000_000} ล้านพิกเซล ({width}x{height}) ลดขนาดแล้วส่งอีกครั้ง",
                      f"the image is larger than {MAX_IMAGE_PIXELS // 1_000_000} megapixels ({width}x{height})")
    if image.format not in ("PNG", "JPEG"):
        raise _refuse("รับเฉพาะภาพ JPEG หรือ PNG", "only JPEG or PNG images are read")
    _emit({"pages": 1})
    dpi = image.info.get("dpi", (OCR_DPI, OCR_DPI))[0] or OCR_DPI
    gray = ImageOps.exif_transpose(image).convert("L")
    if mode == "check":
        _emit({"page": 1, "w": width, "h": height, "ocr": True})
        return
    if mode.startswith("images:"):
        _, folder, pixels = mode.split(":", 2)
        gray.thumbnail((int(pixels), int(pixels) * 3))
        gray.save(os.path.join(folder, "page-1.png"), optimize=True)
        _emit({"page": 1})
        return
    scale = float(dpi) / 72 if 100 <= float(dpi) <= 1200 else OCR_DPI / 72
    w, h = gray.size
    result = {"page": 1, "w": w / scale, "h": h / scale, "atoms": [], "rules": []}
    result.update(_ocr_page(gray, scale))
    _emit(result)


# --------------------------------------------------------------------------------------------------- OCR


def _deskew_angle(image) -> float:
    """The small rotation (degrees) that makes the text rows horizontal: the angle whose rows' ink is most
    unevenly spread (text rows and gaps sharp), tried from -2° to 2° on a reduced image."""
    from PIL import Image

    small = image.copy()
    small.thumbnail((800, 800))
    small = small.point(lambda v: 255 if v < 160 else 0)  # ink white
    best, best_score = 0.0, -1.0
    for tenth in range(-20, 21):
        angle = tenth / 10
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).getdata())
        score = statistics.pvariance(rows)
        if score > best_score:
            best, best_score = angle, score
    return best


def _otsu(image) -> int:
    histogram = image.histogram()[:256]
    total = sum(histogram)
    sum_all = sum(i * n for i, n in enumerate(histogram))
    weight = sum_below = 0.0
    best, threshold = 0.0, 128
    for i, n in enumerate(histogram):
        weight += n
        if weight == 0 or weight == total:
            continue
        sum_below += i * n
        mean_below = sum_below / weight
        mean_above = (sum_all - sum_below) / (total - weight)
        between = weight * (total - weight) * (mean_below - mean_above) ** 2
        if between > best:
            best, threshold = between, i
    return threshold


def _ruled_lines(ink, scale: float) -> list[list[float]]:
    """Horizontal and vertical ruled lines of a binarised page (ink = 255), in pixels: runs of ink at least
    ``~12 mm`` long, found by averaging ``~2 mm`` of a row (or column) into one value (text never fills it)."""
    from PIL import Image

    step = max(4, round(scale * 6))  # ~2 mm
    least = 7  # steps: ~14 mm
    found: list[list[float]] = []
    w, h = ink.size
    from PIL import ImageChops

    widened = ink  # a vertical rule left a pixel or two askew still fills a column: widened by 2 px each side
    for dx in (-2, -1, 1, 2):
        widened = ImageChops.lighter(widened, ImageChops.offset(ink, dx, 0))
    for horizontal in (True, False):
        box = ((w + step - 1) // step, h) if horizontal else (w, (h + step - 1) // step)
        reduced = (ink if horizontal else widened).resize(box, Image.Resampling.BOX)
        rw, rh = reduced.size
        values = reduced.tobytes()
        outer, inner = (rh, rw) if horizontal else (rw, rh)
        for a in range(outer):
            run = 0
            for b in range(inner + 1):
                full = b < inner and values[(a * rw + b) if horizontal else (b * rw + a)] >= 190
                if full:
                    run += 1
                    continue
                if run >= least:  # a block half-filled at either end still belongs to the line
                    start, end = max(0, (b - run - 1) * step), min((w if horizontal else h), (b + 1) * step)
                    found.append([start, a, end, a] if horizontal else [a, start, a, end])
                run = 0
    return found


def _ocr_regions(clean, lines: list[list[float]], scale: float) -> list[tuple[int, int, int, int]]:
    """The parts of a page read one by one: each table cell (a merged cell whole), and the text between
    tables in horizontal strips. Tesseract reads a cell alone far better than a ruled page."""
    w, h = clean.size
    tol = 2.5 * scale / (OCR_DPI / 72) * 3
    regions: list[tuple[int, int, int, int]] = []
    spans: list[tuple[float, float]] = []
    for table in _tables([list(r) for r in lines], tol=tol):
        _grid(table, tol=tol)
        boxes: dict[int, list[float]] = {}
        for band in _bands_of(table, 0):
            for cell in band.cells:
                root = cell.root()
                box = boxes.setdefault(id(root), [cell.x0, band.top, cell.x1, band.bottom])
                box[1], box[3] = min(box[1], band.top), max(box[3], band.bottom)
        for x0, top, x1, bottom in boxes.values():
            inset = max(2, round(scale * 1.0))
            if x1 - x0 > 4 * inset and bottom - top > 4 * inset:
                regions.append((round(x0) + inset, round(top) + inset, round(x1) - inset, round(bottom) - inset))
        spans.append((table.top, table.bottom))
    spans.sort()
    top = 0.0
    for start, end in spans + [(float(h), float(h))]:
        if start - top > 8 * scale:
            regions.append((0, round(top), w, round(start)))
        top = max(top, end)
    return regions


def _ocr_tokens(rows: list[str], texts: list[str], names: list[tuple[str, int, int]], scale: float) -> list[list]:
    """Tesseract's words as the memo's tokens. Its TSV cuts Thai into single letters; its plain text has the
    spaces as read. Each line of the text is laid over the same line's letters in the TSV (the same letters,
    in order) to give each space-separated token its box and confidence."""
    lines: dict[tuple[int, int, int, int], list[tuple[str, float, float, float, float, float]]] = {}
    for row in rows:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        page, block, par, line = (int(p) for p in parts[1:5])
        if not 1 <= page <= len(names):
            continue
        _name, dx, dy = names[page - 1]
        left, top, width, height, conf = (float(p) for p in parts[6:11])
        lines.setdefault((page, block, par, line), []).append(
            (parts[11].strip(), (left + dx) / scale, (top + dy) / scale, (left + width + dx) / scale,
             (top + height + dy) / scale, max(conf, 0.0)))
    by_page: dict[int, list[str]] = {}
    for number, text in enumerate(texts, start=1):
        by_page[number] = [line for line in text.splitlines() if line.strip()]
    atoms: list[list] = []
    seen: dict[int, int] = {}
    for key, words in lines.items():
        index = seen.get(key[0], 0)
        seen[key[0]] = index + 1
        page_lines = by_page.get(key[0], [])
        said = page_lines[index] if index < len(page_lines) else ""
        letters = "".join(w[0] for w in words)
        tag = ".".join(str(k) for k in key)
        if said.replace(" ", "") != letters.replace(" ", ""):
            said = letters  # not the same line after all: the letters as one token
        owner: list[int] = []  # for each letter of the line (spaces aside), the TSV word it is in
        for w, word in enumerate(words):
            owner.extend([w] * len(word[0].replace(" ", "")))
        at = 0
        for token in said.split():
            span = sorted(set(owner[at:at + len(token)])) or [len(words) - 1]
            at += len(token)
            boxes = [words[w] for w in span]
            confidence = sum(b[5] * len(b[0]) for b in boxes) / max(1, sum(len(b[0]) for b in boxes))
            atoms.append([token, min(b[1] for b in boxes), min(b[2] for b in boxes), max(b[3] for b in boxes),
                          max(b[4] for b in boxes), 0.0, confidence, tag])
    return atoms


def _ocr_page(image, scale: float) -> dict:
    """One page image read by tesseract: words (in points) with confidences and their line, and the ruled
    lines. The page is straightened, its ruled lines found and painted out; each table cell and each strip of
    text between tables is read as a block (``--psm 6``), all in one tesseract run (a list of images)."""
    import tempfile

    from PIL import Image, ImageDraw, ImageFilter

    image = image.convert("L")
    angle = _deskew_angle(image)
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    if _OCR_KNOBS.get("median"):
        image = image.filter(ImageFilter.MedianFilter(3))  # a scanner's speckles and JPEG's ringing
    threshold = _otsu(image)
    ink = image.point(lambda v: 255 if v < threshold else 0)
    lines = _ruled_lines(ink, scale)
    if _OCR_KNOBS.get("binarize"):
        cut = threshold + int(_OCR_KNOBS.get("lift", 0))  # thin marks (่ ้) blurred grey stay ink
        clean = image.point(lambda v: 0 if v < cut else 255)
    else:
        clean = image.copy()
    draw = ImageDraw.Draw(clean)
    pad = max(2, round(scale * 0.8))
    for x0, y0, x1, y1 in lines:
        draw.rectangle([x0 - pad, y0 - pad, x1 + pad, y1 + pad], fill=255)
    regions = _ocr_regions(clean, lines, scale)
    atoms: list[list] = []
    with tempfile.TemporaryDirectory(prefix="itaflow-ocr-") as folder:
        names = []
        for k, (x0, y0, x1, y1) in enumerate(regions):
            crop = clean.crop((x0, y0, x1, y1))
            if crop.getextrema()[0] > 128:  # nothing inked
                continue
            framed = Image.new("L", (crop.width + 40, crop.height + 40), 255)
            framed.paste(crop, (20, 20))
            name = os.path.join(folder, f"{k}.png")
            framed.save(name, dpi=(round(scale * 72), round(scale * 72)))
            names.append((name, x0 - 20, y0 - 20))
        if not names:
            return {"atoms": [], "rules": [], "ocr": True, "skew": angle, "lines": len(lines)}
        listing = os.path.join(folder, "pages.txt")
        with open(listing, "w", encoding="utf-8") as out:
            out.write("\n".join(name for name, _x, _y in names) + "\n")
        base = os.path.join(folder, "read")
        try:
            done = subprocess.run(["tesseract", listing, base, "-l", OCR_LANGUAGES, "--psm", "6",
                                   "--dpi", str(round(scale * 72)), "tsv", "txt"],
                                  capture_output=True, timeout=OCR_PAGE_SECONDS,
                                  env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=False)
        except FileNotFoundError:
            raise _refuse("เครื่องนี้ไม่มีโปรแกรมอ่านภาพ (tesseract-ocr, tesseract-ocr-tha)",
                          "tesseract (tesseract-ocr, tesseract-ocr-tha) is not installed here") from None
        except subprocess.TimeoutExpired:
            raise _refuse(f"อ่านภาพหน้านี้นานเกิน {OCR_PAGE_SECONDS:.0f} วินาที",
                          f"OCR of a page took more than {OCR_PAGE_SECONDS:.0f} s") from None
        if done.returncode != 0 or not os.path.exists(base + ".tsv"):
            raise _refuse("โปรแกรมอ่านภาพ (tesseract) ทำงานไม่สำเร็จ",
                          f"tesseract failed: {done.stderr.decode(errors='replace')[-300:]}")
        with open(base + ".tsv", encoding="utf-8", errors="replace") as tsv:
            table_rows = tsv.read().splitlines()[1:]
        with open(base + ".txt", encoding="utf-8", errors="replace") as txt:
            texts = txt.read().split("\f")
    atoms = _ocr_tokens(table_rows, texts, names, scale)
    rules = [[x0 / scale, y0 / scale, x1 / scale, y1 / scale] for x0, y0, x1, y1 in lines]
    return {"atoms": atoms, "rules": rules, "ocr": True, "skew": angle, "lines": len(lines)}


# --------------------------------------------------------------------------------------------------- the parent


def _run_child(data: bytes, progress: Callable[[int, int], None] | None, mode: str = "read") -> list[dict]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": os.pathsep.join(
        [os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)),
         os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-m", "workflow.onboarding.pdfmemo", mode], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    lines: queue.Queue[bytes | None] = queue.Queue()

    def feed() -> None:
        try:
            assert child.stdin is not None
            child.stdin.write(data)
            child.stdin.close()
        except OSError:
            pass

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=feed, daemon=True).start()
    threading.Thread(target=read, daemon=True).start()
    pages: list[dict] = []
    total = 0
    ocr = not data.startswith(_PDF) and mode == "read"
    try:
        while True:
            wait = OPEN_SECONDS if not total else (OCR_PAGE_SECONDS + 10 if ocr else PAGE_SECONDS)
            try:
                line = lines.get(timeout=wait)
            except queue.Empty:
                where = f"หน้า {len(pages) + 1}" if total else "การเปิดไฟล์"
                raise _refuse(f"อ่านไฟล์นี้ไม่สำเร็จ: {where} ใช้เวลาเกิน {wait:.0f} วินาที",
                              f"reading stopped: {f'page {len(pages) + 1}' if total else 'opening the file'}"
                              f" took more than {wait:.0f} s") from None
            if line is None:
                break
            message = json.loads(line)
            if "error" in message:
                raise _refuse(*message["error"])
            if "pages" in message:
                total = message["pages"]
                continue
            if "ocr_page" in message:
                ocr = True
                continue
            pages.append(message)
            ocr = mode == "read" and (ocr or bool(message.get("ocr")) or bool(message.get("empty")))
            if progress:
                progress(len(pages), total)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    if not total or len(pages) < total:
        raise _refuse("อ่านไฟล์นี้ไม่สำเร็จ (ไฟล์เสีย หรือใช้หน่วยความจำเกิน "
                      f"{CHILD_MEMORY // 2**20} MB)",
                      f"reading the file failed (damaged, or it needs more than {CHILD_MEMORY // 2**20} MB)")
    return pages


#: the last memos read (by their bytes' digest): a job reads a scan once with its progress shown, and the
#: importer's read_memo then finds it here instead of reading it again
_READ: dict[str, MemoText] = {}


def read_any(data: bytes, filename: str = "", progress: Callable[[int, int], None] | None = None) -> MemoText:
    """A PDF, PNG or JPEG memo (told by its first bytes, not its name) read into lines."""
    import hashlib

    key = hashlib.sha256(data).hexdigest()
    if key in _READ:
        return _READ[key]
    if data.startswith(_PDF) or data[:1024].find(_PDF) >= 0:
        read = read_pdf(data, progress)
    elif data.startswith(_PNG) or data.startswith(_JPEG):
        read = read_image(data, progress)
    else:
        raise _refuse("รับเฉพาะไฟล์ PDF, PNG หรือ JPEG", f"{filename or 'the file'} is not a PDF, PNG or JPEG file")
    while len(_READ) >= 2:
        _READ.pop(next(iter(_READ)))
    _READ[key] = read
    return read


@dataclass
class Checked:
    """What a file is before it is read: its pages, and how many of them are images to be read by OCR."""

    pages: int
    ocr_pages: int


def check(data: bytes, filename: str = "") -> Checked:
    """The file's bounds checked without reading it (an encrypted PDF, too many pages, an image bomb, no text
    and no image are refused, in a child process, in seconds): what the web import decides on before it keeps
    the file. Raises ValidationError."""
    _check_size(data)
    start = data.find(_PDF, 0, 1024)
    if start >= 0:
        data = data[start:]
    elif not (data.startswith(_PNG) or data.startswith(_JPEG)):
        raise _refuse("รับเฉพาะไฟล์ PDF, PNG หรือ JPEG", f"{filename or 'the file'} is not a PDF, PNG or JPEG file")
    pages = _run_child(data, None, mode="check")
    if all(page.get("empty") for page in pages):
        raise _refuse("ไฟล์ PDF นี้ไม่มีทั้งข้อความและภาพ (หน้าว่าง) จึงไม่มีอะไรให้อ่าน",
                      "this PDF has neither text nor images: nothing to read")
    return Checked(len(pages), sum(1 for page in pages if page.get("ocr")))


def page_images(data: bytes, folder: str, width: int = 1100) -> int:
    """Each page of the file saved as ``folder/page-N.png`` (``width`` pixels wide, grey), in the bounded child;
    the number of pages."""
    start = data.find(_PDF, 0, 1024)
    return len(_run_child(data[start:] if start >= 0 else data, None, mode=f"images:{folder}:{width}"))


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise _refuse(f"ไฟล์ใหญ่เกิน {MAX_BYTES // 2**20} MB", f"the file is larger than {MAX_BYTES // 2**20} MB")


def read_pdf(data: bytes, progress: Callable[[int, int], None] | None = None) -> MemoText:
    """A PDF memo as lines: its text layer (kind "pdf"), or OCR of its page images (kind "ocr")."""
    _check_size(data)
    start = data.find(_PDF, 0, 1024)
    if start < 0:
        raise _refuse("ไฟล์นี้ไม่ใช่ PDF", "this is not a PDF file")
    pages = _run_child(data[start:], progress)
    if all(page.get("empty") for page in pages):
        raise _refuse("ไฟล์ PDF นี้ไม่มีทั้งข้อความและภาพ (หน้าว่าง) จึงไม่มีอะไรให้อ่าน",
                      "this PDF has neither text nor images: nothing to read")
    return layout(pages)


def read_image(data: bytes, progress: Callable[[int, int], None] | None = None) -> MemoText:
    """A photo or scan of a memo (PNG or JPEG) read by OCR."""
    _check_size(data)
    if not (data.startswith(_PNG) or data.startswith(_JPEG)):
        raise _refuse("รับเฉพาะภาพ JPEG หรือ PNG", "only JPEG or PNG images are read")
    return layout(_run_child(data, progress))


# --------------------------------------------------------------------------------------------------- layout


@dataclass
class _Line:
    atoms: list  # [text, x0, top, x1, bottom, size, conf]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 10.0
    ocr: bool = False
    #: the PDF writes its spaces as characters (LibreOffice, Word): a gap is then a space only when wide (a tab)
    spaced: bool = False
    #: the baseline (the median bottom of the line's letters; marks above and below do not move it)
    base: float = 0.0

    def finish(self) -> _Line:
        self.atoms.sort(key=lambda a: (a[1] + a[3]) / 2)
        visible = [a for a in self.atoms if a[0].strip()] or self.atoms
        self.x0 = min(a[1] for a in visible)
        self.x1 = max(a[3] for a in visible)
        self.top = min(a[2] for a in visible)
        self.bottom = max(a[4] for a in visible)
        self.base = statistics.median(a[4] for a in visible)
        sizes = [a[5] for a in visible if a[5] > 0]
        self.size = statistics.median(sizes) if sizes else max(self.bottom - self.top, 1.0) * 0.6
        return self

    @property
    def text(self) -> str:
        out: list[str] = []
        previous = None  # the last letter
        soft = False  # PDFium guessed a space since the letter before (none drawn): a space if the gap is real
        for atom in self.atoms:
            if atom[0] == " ":
                if atom[6] == _GUESSED:
                    soft = True
                elif out and out[-1] != " ":
                    out.append(" ")
                continue
            if previous is not None and out and out[-1] != " ":
                gap = atom[1] - previous[3]
                if self.ocr or (not self.spaced and gap > 0.2 * (atom[5] or self.size)):
                    out.append(" ")  # OCR: tesseract's words are the text's space-separated tokens
                elif self.spaced and (gap > 0.8 * self.size or (soft and gap > 0.27 * self.size) or (
                        gap > 0.05 * self.size and _NUMBER_LABEL.fullmatch("".join(out)))):
                    out.append(" ")  # a tab; a list's number and its text (Word's numbering: a tab after it)
            out.append(atom[0])
            previous, soft = atom, False
        text = thai_as_typed("".join(out).strip())
        return _restore_marks(text) if self.ocr else text

    def first_word_width(self) -> float:
        """The width of the line's first word, up to where the line could first be broken (Thai has no spaces
        between words: ICU's line breaking, as LibreOffice breaks, where ICU is found; else up to the first space,
        a Thai run counting at most 5 em): the room the line above would have needed to take it."""
        if self.ocr:
            return self.atoms[0][3] - self.x0
        visible = [a for a in self.atoms if a[0].strip() or a[6] != _GUESSED]
        while visible and not visible[0][0].strip():
            visible.pop(0)
        if not visible:
            return 0.0
        text = "".join(a[0] for a in visible)
        breaks = thai_line_breaks(text)
        if breaks is not None:
            stop = next((b for b in breaks if text[:b].strip()), len(text))
            offset, end = 0, visible[0][3]
            for atom in visible:
                if offset >= stop:
                    break
                if atom[0].strip():
                    end = atom[3]
                offset += len(atom[0])
            return end - self.x0
        end = self.x1
        for previous, atom in zip(self.atoms, self.atoms[1:], strict=False):
            if atom[0] == " " or atom[1] - previous[3] > 0.2 * self.size:
                end = previous[3]
                break
        width = end - self.x0
        return min(width, 5 * self.size) if _is_thai(self.atoms[0][0][:1] or "a") else width

    @property
    def ends_with_space(self) -> bool:
        drawn = [a for a in self.atoms if a[6] != _GUESSED]
        return bool(drawn) and drawn[-1][0] == " "

    @property
    def confidence(self) -> float | None:
        scored = [(a[6], len(a[0])) for a in self.atoms if a[6] >= 0 and a[0].strip()]
        if not scored:
            return None
        return sum(c * n for c, n in scored) / sum(n for _, n in scored)


def _lines_of(atoms: list, ocr: bool, spaced: bool = False) -> list[_Line]:
    """Atoms grouped into text lines: by the vertical middle of each, in reading order."""
    atoms = [a for a in atoms if a[0]]
    if not atoms:
        return []

    def middle(a):
        return (a[2] + a[4]) / 2

    if ocr and all(len(a) > 7 for a in atoms):  # tesseract's own lines; a word's size is its line's
        keyed: dict[str, list] = {}
        for a in atoms:
            keyed.setdefault(a[7], []).append(a)
        for group in keyed.values():
            size = statistics.median(a[4] - a[2] for a in group) * 0.6
            for a in group:
                a[5] = size
        result = [_Line(group, ocr=True).finish() for group in keyed.values()]
        result.sort(key=lambda line: (line.top, line.x0))
        return result
    if ocr:  # a word's height is its line's (Thai words carry marks above and below)
        for a in atoms:
            a[5] = (a[4] - a[2]) * 0.6
    ordered = sorted(atoms, key=middle)
    lines: list[list] = []
    for atom in ordered:
        size = atom[5] or 10.0
        if lines:
            current = lines[-1]
            mids = [middle(a) for a in current if a[0].strip()] or [middle(a) for a in current]
            if abs(middle(atom) - statistics.median(mids)) <= 0.45 * size:
                current.append(atom)
                continue
        lines.append([atom])
    result = [_Line(group, ocr=ocr, spaced=spaced).finish() for group in lines if any(a[0].strip() for a in group)]
    result.sort(key=lambda line: (line.top, line.x0))
    return result


def _join(lines: list[_Line]) -> str:
    """The lines of one paragraph as one string: a Thai line break adds nothing, any other a space."""
    text = ""
    for i, line in enumerate(lines):
        part = line.text
        if not part:
            continue
        if text:
            thai_break = _thai_letter(text[-1]) and _thai_letter(part[0]) and not lines[i - 1].ends_with_space
            joined = (text[-1] in "/-" and len(text) > 1 and not text[-2].isspace()) or (
                re.search("[A-Za-z][๐-๙]+$", text) and "๐" <= part[0] <= "๙") or (  # LibreOffice cuts "O๒|๑"
                part[0] in ".,:;)]!?%" and not lines[i - 1].ends_with_space)  # and before "." (ภ | .จว.)
            text += part if thai_break or joined else " " + part  # a break after "O1-" or "ข้อบกพร่อง/" adds nothing
        else:
            text = part
    return text


def _paragraphs(lines: list[_Line], pitch: Callable[[float], float]) -> list[list[_Line]]:
    """Lines of one region (the page's body or a cell) grouped into paragraphs."""
    if not lines:
        return []
    right = max(line.x1 for line in lines)
    # numbers typed inside a paragraph ("... ๑. ทำ ก ๒. ทำ ข"): one at a line's start may be such a number wrapped
    inline = any(_INLINE_NUMBER.search(line.text) for line in lines)
    groups: list[list[_Line]] = [[lines[0]]]
    for line in lines[1:]:
        group = groups[-1]
        last = group[-1]
        size = max(last.size, line.size)
        text = line.text
        new = False
        if line.base - last.base > (pitch(size) * 1.3 + 0.5 if line.ocr else pitch(size) + max(3.0, 0.2 * size)):
            new = True  # space above: a new paragraph
        elif _LIST_START.match(text) and not (re.match("[ก-ฮ]", text) and _inside_word(last.text, text)) and not (
                inline and not line.ocr and right - last.x1 < line.first_word_width() + 0.3 * size):
            new = True  # a numbered start ("จ)" after "ธุรกิ" is the end of ธุรกิจ, broken for want of room; in a
            # paragraph numbered inline, a number the line above had no room for is wrapped, not a new paragraph)
        elif len(group) == 1:
            if line.x0 > last.x0 + 0.8 * size and not _LIST_START.match(last.text):
                new = True  # indented under a one-line paragraph: a first-line indent
            elif line.x0 < last.x0 - 0.8 * size and not _first_line_indent(last, line):
                new = True
        elif abs(line.x0 - group[1].x0) > 0.8 * size:
            new = True
        if not new and right - last.x1 > line.first_word_width() + 1.0 * size:
            new = True  # the line before stopped short though the next word would have fit
        if new:
            groups.append([line])
        else:
            group.append(line)
    return groups


def _first_line_indent(first: _Line, second: _Line) -> bool:
    return first.x0 - second.x0 < 6 * first.size


def _cluster(values: list[float], tolerance: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


@dataclass
class _Table:
    x0: float
    top: float
    x1: float
    bottom: float
    xs: list[float]
    ys: list[float]
    hs: list[list[float]]
    vs: list[list[float]]
    rows: list[list[tuple[float, float, tuple[int, int]]]] = field(default_factory=list)


def _tables(rules: list[list[float]], tol: float = 2.5) -> list[_Table]:
    """Ruling lines that cross, as grids."""
    hs = [r for r in rules if abs(r[3] - r[1]) <= abs(r[2] - r[0])]
    vs = [r for r in rules if abs(r[3] - r[1]) > abs(r[2] - r[0])]
    parent = list(range(len(rules)))
    all_rules = hs + vs

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if v[1] - tol <= h[1] <= v[3] + tol and h[0] - tol <= v[0] <= h[2] + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, list[int]] = {}
    for i in range(len(all_rules)):
        groups.setdefault(find(i), []).append(i)
    tables = []
    for members in groups.values():
        gh = [all_rules[i] for i in members if i < len(hs)]
        gv = [all_rules[i] for i in members if i >= len(hs)]
        ys = _cluster([h[1] for h in gh], tol)
        xs = _cluster([v[0] for v in gv], tol)
        if len(ys) < 2 or len(xs) < 2:
            continue
        tables.append(_Table(min(xs), min(ys), max(xs), max(ys), xs, ys, gh, gv))
    tables.sort(key=lambda t: t.top)
    return tables


def _grid(table: _Table, tol: float = 2.5) -> None:
    """Each band's cells as (x0, x1, owner) where owner is the (band, cell) whose text it holds."""

    def v_covers(x: float, y: float) -> bool:
        return any(abs(v[0] - x) <= tol and v[1] - tol <= y <= v[3] + tol for v in table.vs)

    def h_covers(y: float, x: float) -> bool:
        return any(abs(h[1] - y) <= tol and h[0] - tol <= x <= h[2] + tol for h in table.hs)

    for b in range(len(table.ys) - 1):
        upper, lower = (2 * table.ys[b] + table.ys[b + 1]) / 3, (table.ys[b] + 2 * table.ys[b + 1]) / 3
        edges = [x for i, x in enumerate(table.xs)
                 if i in (0, len(table.xs) - 1) or (v_covers(x, upper) and v_covers(x, lower))]
        cells = []
        for c in range(len(edges) - 1):
            x0, x1 = edges[c], edges[c + 1]
            owner = (b, c)
            if b > 0 and not h_covers(table.ys[b], (x0 + x1) / 2):
                for px0, px1, powner in table.rows[b - 1]:
                    if px0 - tol <= (x0 + x1) / 2 <= px1 + tol:
                        owner = powner
                        break
            cells.append((x0, x1, owner))
        table.rows.append(cells)


@dataclass(eq=False)
class _Cell:
    """One cell of a table's band: its own atoms, or the cell above it continues (merged down, or a row carried
    over a page break)."""

    x0: float
    x1: float
    atoms: list = field(default_factory=list)
    owner: _Cell | None = None
    #: a cell of the band below continues this one
    below: bool = False

    def root(self) -> _Cell:
        cell = self
        while cell.owner is not None:
            cell = cell.owner
        return cell

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(eq=False)
class _Band:
    cells: list[_Cell]
    top: float
    bottom: float
    page: int


@dataclass
class _Item:
    top: float
    kind: str  # "p" or "t"
    lines: list[_Line] = field(default_factory=list)
    table: _Table | None = None
    bands: list[_Band] = field(default_factory=list)


def _bands_of(table: _Table, page: int) -> list[_Band]:
    """A grid's bands as cells, a cell whose top rule is missing continuing the one above (merged down)."""
    bands: list[_Band] = []
    for b, row in enumerate(table.rows):
        cells = []
        for c, (x0, x1, owner) in enumerate(row):
            cell = _Cell(x0, x1)
            if owner != (b, c):
                above = bands[owner[0]].cells[owner[1]]
                cell.owner = above
                above.below = True
            cells.append(cell)
        bands.append(_Band(cells, table.ys[b], table.ys[b + 1], page))
    return bands


def _cell_at(band: _Band, x: float) -> _Cell | None:
    for cell in band.cells:
        if cell.x0 - 3 <= x <= cell.x1 + 3:
            return cell
    return None


def _has_text(atoms: list) -> bool:
    return any(a[0].strip() for a in atoms)


class _Reader:
    """Turns the pages' items into the memo's lines; tables are rendered once every page is read (a row split
    over a page break takes the next page's part into its cells)."""

    def __init__(self, ocr: bool, spaced: bool, pitches: dict[tuple[str, int], list[float]], heights: dict):
        self.ocr, self.spaced, self.pitches, self.heights = ocr, spaced, pitches, heights
        #: ("p", text, origin, confidence) or ("r", band, origin)
        self.entries: list[tuple] = []
        self.rendered: dict[int, tuple[str, float | None]] = {}

    def pitch(self, kind: str) -> Callable[[float], float]:
        def pitch(size: float) -> float:
            """The distance of two lines of one paragraph: the smallest seen in such regions (OCR: near enough)."""
            found = sorted(p for p in self.pitches.get((kind, round(size)), []) if 0.9 * size <= p <= 3 * size)
            if not found:
                return 1.3 * size
            return found[len(found) // 10] if self.ocr else found[0]
        return pitch

    def lines(self, atoms: list) -> list[_Line]:
        return _lines_of(atoms, self.ocr, self.spaced)

    def cell_text(self, cell: _Cell) -> tuple[str, float | None]:
        root = cell.root()
        if id(root) not in self.rendered:
            lines = self.lines(root.atoms)
            text = CELL_BREAK.join(_join(g) for g in _paragraphs(lines, self.pitch("t")))
            self.rendered[id(root)] = (text, _mean_conf(lines) if lines else None)
        return self.rendered[id(root)]

    def row_text(self, band: _Band) -> str:
        return "\t".join(self.cell_text(c)[0] for c in band.cells)

    def continues(self, last: _Band, first: _Band) -> bool:
        """Whether ``first`` (a table's first band on a page) is the rest of ``last`` (its last on the page
        before), a row split by the page break. Its text is only in columns whose cell was cut: the cell's last
        line at the foot of the page's part of the row (closer than a line's pitch: in a whole cell that ended
        there another line would have fitted), and either full (the text wrapped there) or followed by a new
        paragraph ("๔) ..."); and some cell of the row fitted whole (it has text above, none below), or else its
        first cell does not start with a number."""
        if last.bottom < 0.6 * self.heights.get(last.page, last.bottom * 2):
            return False
        written = [cell for cell in first.cells if _has_text(cell.atoms)]
        if not written:
            return False
        fitted, flowing = False, True
        for cell in first.cells:
            above = _cell_at(last, cell.middle)
            if cell not in written:
                fitted = fitted or (above is not None and bool(self.cell_text(above)[0]))
                continue
            if above is None:
                return False
            lines = self.lines(above.root().atoms)
            if not lines:
                return False
            end, size = lines[-1], lines[-1].size
            if last.bottom - end.bottom > 0.8 * self.pitch("t")(size):
                return False  # that cell's text ended before the foot: it was whole
            start = self.lines(cell.atoms)[0]
            padding = max(0.0, min(line.x0 for line in lines) - above.x0)
            full = (above.x1 - padding) - end.x1 < start.first_word_width() + 1.0 * size
            flowing = flowing and (full or bool(_LIST_START.match(start.text)))
        if fitted:
            return True
        # every cell cut (the row had only begun at the foot): each part on the next page going on from the
        # line above (it was full, or a numbered paragraph starts), and the first not starting as a row does
        return flowing and first.cells[0] in written and not _ROW_NUMBER.match(
            self.lines(first.cells[0].atoms)[0].text)

    def carry_over(self, last: _Band, first: _Band) -> None:
        """``first``'s cells merged into ``last``'s: each one's atoms moved below the text of the cell above
        (one line further down, so a paragraph carried over joins as one), its empty cells continuing theirs."""
        for cell in first.cells:
            above = _cell_at(last, cell.middle)
            if above is None:
                continue
            root = above.root()
            if _has_text(cell.atoms):
                upper, lower = self.lines(root.atoms), self.lines(cell.atoms)
                if upper and lower:
                    dy = upper[-1].base + self.pitch("t")(upper[-1].size) - lower[0].base
                    for atom in cell.atoms:
                        atom[2] += dy
                        atom[4] += dy
                root.atoms.extend(cell.atoms)
                cell.atoms = []
                self.rendered.pop(id(root), None)
            cell.owner = root

    def carry_merged(self, last: _Band, first: _Band) -> None:
        """A cell merged down over a page break: its text is drawn on the first page only, the next page's part
        is empty. An empty cell of ``first`` under a merged cell of ``last`` continues it when it spans down on its
        own page too, or when the row's first cell is empty as well (the row continues the measure above)."""
        lead_empty = not _has_text(first.cells[0].atoms) if first.cells else False
        for cell in first.cells:
            if _has_text(cell.atoms):
                continue
            above = _cell_at(last, cell.middle)
            if above is None or not self.cell_text(above)[0]:
                continue
            if cell.below or (above.owner is not None and lead_empty):
                cell.owner = above.root()

    def finish(self, ocr_kind: bool) -> MemoText:
        lines, origins, confidences = [], [], []
        for entry in self.entries:
            if entry[0] == "p":
                _, text, origin, conf = entry
                lines.append(text)
                confidences.append(conf)
            else:
                _, band, origin = entry
                texts, confs = [], []
                for cell in band.cells:
                    text, conf = self.cell_text(cell)
                    texts.append(text)
                    if conf is not None:
                        confs.append(conf)
                texts += [""] * (5 - len(texts))  # as memodocx writes a row
                lines.append("\t".join(texts))
                confidences.append(min(confs) if confs else 100.0)
            origins.append(origin)
        if not ocr_kind:
            return MemoText(lines, origins, kind="pdf")
        doubtful = [i for i, c in enumerate(confidences) if c < DOUBTFUL_BELOW]
        return OcrMemoText(lines, origins, kind="ocr", doubtful=doubtful, confidences=confidences)


def layout(pages: list[dict]) -> MemoText:
    """The pages' atoms and ruling lines (as the child gives them) as the memo's lines."""
    ocr = any(page.get("ocr") for page in pages)
    spaced = not ocr and any(a[0] == " " and a[6] != _GUESSED for page in pages for a in page.get("atoms", []))
    per_page: list[list[_Item]] = []
    pitches: dict[tuple[str, int], list[float]] = {}
    for number, page in enumerate(pages, start=1):
        atoms = [list(a) for a in page.get("atoms", [])]
        tables = _tables(page.get("rules", []))
        items: list[_Item] = []
        loose = []
        table_items = []
        for table in tables:
            _grid(table)
            table_items.append(_Item(table.top, "t", table=table, bands=_bands_of(table, number)))
        for atom in atoms:
            cx, cy = (atom[1] + atom[3]) / 2, (atom[2] + atom[4]) / 2
            for item in table_items:
                t = item.table
                assert t is not None
                if t.x0 <= cx <= t.x1 and t.top <= cy <= t.bottom:
                    for band in item.bands:
                        if band.top <= cy <= band.bottom:
                            cell = _cell_at(band, cx)
                            if cell is not None:
                                cell.root().atoms.append(atom)
                            break
                    break
            else:
                loose.append(atom)
        lines = _lines_of(loose, ocr, spaced)
        lines = _drop_page_marks(lines, page["h"])
        for line in lines:
            items.append(_Item(line.top, "p", lines=[line]))
        items.extend(table_items)
        items.sort(key=lambda it: it.top)
        per_page.append(items)
        regions = [("p", lines)]
        for item in table_items:
            regions += [("t", _lines_of(cell.atoms, ocr, spaced)) for band in item.bands for cell in band.cells
                        if cell.owner is None]
        for kind, region in regions:
            for upper, lower in zip(region, region[1:], strict=False):
                pitches.setdefault((kind, round(upper.size)), []).append(lower.base - upper.base)
    _drop_running(per_page, pages)

    reader = _Reader(ocr, spaced, pitches, {n: page["h"] for n, page in enumerate(pages, start=1)})
    tables_seen = 0
    # the table going on: its columns, its rows so far (bands), its first rows' text
    open_table: tuple[list[float], list[_Band], list[str]] | None = None
    for number, items in enumerate(per_page, start=1):
        body_lines = [line for item in items if item.kind == "p" for line in item.lines]
        line_no = {id(line): i for i, line in enumerate(body_lines, start=1)}
        i = 0
        first_item = True
        while i < len(items):
            item = items[i]
            if item.kind == "p":
                region = []
                while i < len(items) and items[i].kind == "p":
                    region.extend(items[i].lines)
                    i += 1
                for group in _paragraphs(region, reader.pitch("p")):
                    reader.entries.append(("p", _join(group), f"หน้า {number} บรรทัด {line_no[id(group[0])]}",
                                           _mean_conf(group)))
                open_table = None
                first_item = False
                continue
            assert item.table is not None
            columns = item.table.xs
            continued = (first_item and open_table is not None and len(open_table[0]) == len(columns)
                         and all(abs(a - b) <= 3 for a, b in zip(open_table[0], columns, strict=True)))
            if not continued or open_table is None:
                tables_seen += 1
                open_table = (columns, [], [])
            _, rows, heads = open_table
            bands = list(item.bands)
            if continued and rows:
                # the header rows repeated at the top of the page (Word's and LibreOffice's "repeat as header")
                skip = 0
                while (skip < min(len(bands), len(heads), 3) and heads[skip].strip("\t")
                       and reader.row_text(bands[skip]) == heads[skip]):
                    skip += 1
                bands = bands[skip:]
                if bands and reader.continues(rows[-1], bands[0]):
                    reader.carry_over(rows[-1], bands[0])
                    bands = bands[1:]
                elif bands:
                    reader.carry_merged(rows[-1], bands[0])
            for band in bands:
                rows.append(band)
                if len(heads) < 3:
                    heads.append(reader.row_text(band))
                reader.entries.append(("r", band, f"หน้า {number} ตารางที่ {tables_seen} แถวที่ {len(rows)}"))
            first_item = False
            i += 1
    return reader.finish(ocr)


def _mean_conf(lines: list[_Line]) -> float:
    values = [c for c in (line.confidence for line in lines) if c is not None]
    return sum(values) / len(values) if values else 100.0


def _drop_page_marks(lines: list[_Line], height: float) -> list[_Line]:
    """Page numbers at the top or bottom edge of a page are not content."""
    edge = 0.07 * height
    return [line for line in lines
            if not ((line.bottom < edge or line.top > height - edge) and _PAGE_NUMBER.match(line.text))]


def _drop_running(per_page: list[list[_Item]], pages: list[dict]) -> None:
    """Lines at a page's top or bottom edge that repeat (digits aside) on most pages: running headers."""
    if len(per_page) < 2:
        return
    seen: dict[str, int] = {}
    keyed: list[list[tuple[_Item, str]]] = []
    for items, page in zip(per_page, pages, strict=True):
        edge = 0.12 * page["h"]
        marks = []
        for item in items:
            if item.kind == "p" and (item.top < edge or item.lines[0].bottom > page["h"] - edge):
                key = re.sub(r"[0-9๐-๙]+", "#", item.lines[0].text)
                marks.append((item, key))
        for key in {k for _, k in marks}:
            seen[key] = seen.get(key, 0) + 1
        keyed.append(marks)
    for items, marks in zip(per_page, keyed, strict=True):
        for item, key in marks:
            if seen[key] >= max(2, (len(per_page) + 1) // 2):
                items.remove(item)


if __name__ == "__main__":
    sys.exit(_child_main())
