"""Rendering a document: its Jinja template (templates/<type>.html) to HTML, the HTML to an A4 PDF with
WeasyPrint, and the same HTML to an editable DOCX with python-docx.

Fonts: the PDF embeds Noto Serif SC (思源宋体, SIL Open Font License) from the npm package
@expo-google-fonts/noto-serif-sc, loaded with @font-face from the package's path (package.json; `make run` and
`make test` install it). Nothing depends on a font being installed on the system: a fresh machine renders the
same document. The package ships whole TTF files; the split web-font packages (one file per range of
characters) are not usable here, as WeasyPrint merges faces of one family into one embedded font and prints
the wrong glyphs. WFS_DOCUMENT_FONT_DIR points at another copy of the fonts (an offline mirror).
"""
from __future__ import annotations

import atexit
import hashlib
import io
import logging
import shutil
import threading
import weakref
from collections import OrderedDict
from functools import cache, lru_cache
from html import escape
from pathlib import Path

import jinja2
from jinja2 import meta
import lxml.html
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from pypdf import PdfReader, PdfWriter

from ...core.services import setting
from .text import amount_both, amount_in_capitals, amount_in_figures, chinese_date, chinese_datetime

TEMPLATE_DIR = Path(__file__).parent / "templates"
FONT_PACKAGE = "@expo-google-fonts/noto-serif-sc"
FONT_FILES = {400: "400Regular/NotoSerifSC_400Regular.ttf", 700: "700Bold/NotoSerifSC_700Bold.ttf"}
FONT_FAMILY = "DocSerif"

log = logging.getLogger(__name__)


class FontsMissing(RuntimeError):
    pass


@lru_cache(maxsize=4)
def _jinja(template_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir), autoescape=True,
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(capitals=amount_in_capitals, figures=amount_in_figures, money=amount_both,
                       cdate=chinese_date, cdatetime=chinese_datetime)
    return env


@lru_cache(maxsize=128)
def template_names(template: str, template_dir: str | None = None) -> frozenset[str] | None:
    """The context names a template refers to, with those of the templates it extends, includes or imports (a
    document's context builds only what its template prints); None when a template is named at run time."""
    env = _jinja(template_dir or str(TEMPLATE_DIR))
    names, seen, todo = set(), set(), [template]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = env.parse(env.loader.get_source(env, name)[0])
        names |= meta.find_undeclared_variables(tree)
        referenced = list(meta.find_referenced_templates(tree))
        if None in referenced:
            return None
        todo.extend(referenced)
    return frozenset(names)


def render_html(template: str, context: dict, template_dir: str | None = None) -> str:
    return _jinja(template_dir or str(TEMPLATE_DIR)).get_template(template).render(**context)


def font_dir(assets_dir: str | None, override: str | None = None) -> Path:
    if override:
        return Path(override)
    return Path(assets_dir or "node_modules") / FONT_PACKAGE


@lru_cache(maxsize=8)
def font_face_css(directory: Path) -> str:
    # Kept per directory once the fonts were found: every freeze asks (the step refuses without them), and
    # resolving the paths costs a stat of each of their parts. A missing font is asked about again each time.
    missing = [str(directory / f) for f in FONT_FILES.values() if not (directory / f).is_file()]
    if missing:
        raise FontsMissing(f"document fonts not installed: {missing} (run `npm install`, see package.json)")
    return "\n".join(
        f"@font-face {{ font-family: {FONT_FAMILY}; font-weight: {weight}; font-style: normal; "
        f"src: url('{(directory / path).resolve().as_uri()}'); }}"
        for weight, path in FONT_FILES.items())


# WeasyPrint's font configuration loads the 2 x 15 MB fonts once (~90 ms) and keeps them for every later
# document; it is not shared between threads (the threaded development server), so each thread keeps its own.
_local = threading.local()

# A font configuration copies the fonts into a temporary folder (29 MB) and removes it when it is collected. Kept
# for the life of the process, it is collected while the interpreter shuts down, and where WeasyPrint's module has
# been torn down by then the removal fails ("Exception ignored in FontConfiguration.__del__"): a gunicorn worker,
# the scheduler, a `wfs` command or a test worker that had drawn a PDF could leave 29 MB in the temporary
# directory. The folders go at exit instead, before any module is torn down.
_font_configs: "weakref.WeakSet" = weakref.WeakSet()


def _remove_font_folders() -> None:
    for font_config in list(_font_configs):
        folder = getattr(font_config, "_folder", None)  # WeasyPrint's own (weasyprint/text/fonts.py)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            font_config._folder = None


@cache
def _remove_font_folders_at_exit() -> None:
    atexit.register(_remove_font_folders)


def _stylesheets(directory: Path):
    from weasyprint import CSS  # import here: WeasyPrint loads pango and fonts; only when a page is drawn
    from weasyprint.text.fonts import FontConfiguration  # import here: WeasyPrint loads pango and fonts; only when a page is drawn

    key = str(directory)
    cached = getattr(_local, "styles", None)
    if cached is None or cached[0] != key:
        font_config = FontConfiguration()
        _font_configs.add(font_config)
        _remove_font_folders_at_exit()
        css = CSS(string=font_face_css(directory), font_config=font_config)
        cached = (key, font_config, css)
        _local.styles = cached
    return cached[1], cached[2]


# The same HTML gives the same PDF: a decision previewed on its approval task (its reserved number, today's date)
# and drawn after its issue is drawn once, as is a page of the case file's contents laid out twice to count its
# pages. Drawing costs ~0.2 s (layout and the fonts' subsets); the last PDFs drawn are kept by the hash of their
# HTML, per process, under a lock (the threaded development server).
_RENDERED_MAX_BYTES = 16 * 1024 * 1024
_rendered: OrderedDict[str, tuple[bytes, int]] = OrderedDict()
_rendered_lock = threading.Lock()


def html_to_pdf_pages(html: str, directory: Path) -> tuple[bytes, int]:
    """The PDF and its page count (from the layout, without reading the PDF back)."""
    from weasyprint import HTML  # import here: WeasyPrint loads pango and fonts; only when a page is drawn

    key = hashlib.sha256(f"{directory}\0{html}".encode()).hexdigest()
    with _rendered_lock:
        if key in _rendered:
            _rendered.move_to_end(key)
            return _rendered[key]
    font_config, css = _stylesheets(directory)
    document = HTML(string=html, base_url=str(TEMPLATE_DIR)).render(stylesheets=[css], font_config=font_config)
    result = (document.write_pdf(), len(document.pages))
    with _rendered_lock:
        _rendered[key] = result
        while sum(len(pdf) for pdf, _ in _rendered.values()) > _RENDERED_MAX_BYTES and len(_rendered) > 1:
            _rendered.popitem(last=False)
    return result


def html_to_pdf(html: str, directory: Path) -> bytes:
    return html_to_pdf_pages(html, directory)[0]


def void_stamped(pdf: bytes, reason: str) -> bytes:
    """A copy of a void document with 作废 and the reason laid over every page (the frozen bytes stay as issued)."""

    stamp_html = ("<html><head><meta charset='utf-8'><style>@page{size:A4;margin:0}body{margin:0;font-family:DocSerif}"
                  ".v{position:absolute;top:95mm;left:25mm;width:160mm;text-align:center;color:#c00;"
                  "border:2.5pt solid #c00;padding:4mm;transform:rotate(-18deg);opacity:.8}"
                  ".v b{font-size:48pt;letter-spacing:20pt}.v p{font-size:13pt;margin:2mm 0 0}</style></head>"
                  f"<body><div class='v'><b>作废</b><p>作废理由：{escape(reason)}</p></div></body></html>")
    stamp = PdfReader(io.BytesIO(html_to_pdf(stamp_html, environment_font_dir()))).pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# -- DOCX ----------------------------------------------------------------------------------------------------
# The templates use a small vocabulary (headings, paragraphs, tables, signature and seal blocks); each element
# becomes the matching Word paragraph or table. Official documents use 仿宋 for the text and 宋体 for titles
# (GB/T 9704); Word on the department's machines has them, so the DOCX names them rather than embedding fonts.
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"


def _set_font(run, name: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    if size_pt:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.bold = bold


def _text(element) -> str:
    parts = []
    if element.text:
        parts.append(element.text)
    for child in element:
        if child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_text(child))
        if child.tail:
            parts.append(child.tail)
    return "".join(parts)


def _clean(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _paragraph(doc, text: str, *, align=None, bold=False, size=14, font=BODY_FONT, indent=False):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _set_font(run, font, size, bold)
        if i < len(lines) - 1:
            run.add_break()
    return paragraph


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _emit(doc, element) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    classes = _classes(element)
    if "no-docx" in classes:
        return
    if tag in ("h1", "h2"):
        _paragraph(doc, _clean(_text(element)), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
                   size=22 if tag == "h2" else 18, font=TITLE_FONT)
    elif tag in ("h3", "h4"):
        _paragraph(doc, _clean(_text(element)), bold=True, size=14)
    elif tag == "p":
        align = (WD_ALIGN_PARAGRAPH.CENTER if "center" in classes or "number" in classes
                 else WD_ALIGN_PARAGRAPH.RIGHT if "right" in classes else None)
        _paragraph(doc, _clean(_text(element)), align=align, indent=align is None and "noindent" not in classes)
    elif tag == "table":
        rows = element.xpath(".//tr")
        if not rows:
            return
        width = max(sum(int(c.get("colspan") or 1) for c in r.xpath("./th|./td")) for r in rows)
        table = doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for r in rows:
            cells = table.add_row().cells
            col = 0
            for c in r.xpath("./th|./td"):
                span = int(c.get("colspan") or 1)
                cell = cells[col]
                if span > 1:
                    cell = cell.merge(cells[col + span - 1])
                cell.text = ""
                run = cell.paragraphs[0].add_run(_clean(_text(c)))
                _set_font(run, BODY_FONT, 12, c.tag == "th")
                col += span
    elif tag in ("ul", "ol"):
        for i, item in enumerate(element.xpath("./li"), start=1):
            prefix = f"{i}. " if tag == "ol" else ""
            _paragraph(doc, prefix + _clean(_text(item)), indent=True)
    else:
        for child in element:
            _emit(doc, child)


def html_to_docx(html: str) -> bytes:
    doc = Document()
    section = doc.sections[0]
    # A4 with the margins of GB/T 9704 (top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm).
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    root = lxml.html.document_fromstring(html)
    body = root.find("body")
    for child in (body if body is not None else root):
        _emit(doc, child)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def environment_font_dir() -> Path:
    """The font directory from the app's settings (inside an app context)."""
    return font_dir(setting("ASSETS_DIR"), setting("DOCUMENT_FONT_DIR") )
