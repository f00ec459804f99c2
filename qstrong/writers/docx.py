"""The one Word (.docx) writer: a document given as blocks (title, headings, paragraphs, tables,
figures), laid out after GB/T 9704 (党政机关公文格式) with python-docx.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号 centred; body
仿宋_GB2312 三号 at a fixed 28 pt line; headings 黑体 (一、) and 楷体_GB2312 (（一）); page numbers
“— 1 —” in 宋体 四号, odd pages right and even pages left. Every font is named explicitly in all four
``w:rFonts`` slots (East Asian included) on every run, on the Normal style and on the document defaults,
so no theme font decides. Every text is made visible (:func:`.cells.visible_text`: control characters as
``\\x07``; a .docx has no formulas); the file is put on disk by :func:`.files.write_atomic`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .cells import visible_text
from .files import write_atomic

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
PAGE_NUMBER_FONT, LATIN_FONT = "宋体", "Times New Roman"
TITLE_PT, BODY_PT, TABLE_PT, PAGE_NUMBER_PT = 22.0, 16.0, 12.0, 14.0     # 二号, 三号, 小四, 四号
LINE_PT = 28.0
PROPERTY_LIMIT = 255            # characters python-docx allows in a core property (title, subject…)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Subtitle:
    """A centred line under the title (楷体, body size)."""

    text: str


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1                  # 1: 黑体 (一、…), 2: 楷体 (（一）…)


@dataclass(frozen=True)
class Para:
    """A body paragraph; `lead` is set in 黑体 before the text; `size` (pt) and `line` (pt) shrink it."""

    text: str
    lead: str = ""
    size: float = BODY_PT
    line: float = LINE_PT
    indent: bool = True
    red: bool = False
    keep_with_next: bool = False    # on the same page as the next block (a table's lead-in)


@dataclass(frozen=True)
class Table:
    """A ruled table (header row bold) in a smaller size; widths in mm (they should sum to the text width)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...]
    size: float = TABLE_PT
    right: tuple[int, ...] = ()     # columns aligned right (numbers)
    together: bool = True           # kept on one page (a short table)


@dataclass(frozen=True)
class Figures:
    """PNG images side by side in one row, each with its caption underneath."""

    images: tuple[tuple[bytes, str], ...]
    width_mm: float
    caption_size: float = TABLE_PT


Block = Title | Subtitle | Heading | Para | Table | Figures


def set_font(rpr_parent, east_asia: str, latin: str = LATIN_FONT, size: float | None = None) -> None:
    """Name the font in every slot of ``w:rFonts`` (ascii, hAnsi, eastAsia, cs; theme fonts removed) of a
    run, style or rPrDefault element's ``w:rPr``; set the size when given."""
    rpr = rpr_parent.get_or_add_rPr() if hasattr(rpr_parent, "get_or_add_rPr") else rpr_parent
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), name)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(round(size * 2)))


def _run(par, text: str, font: str, size: float, bold: bool = False, red: bool = False):
    run = par.add_run(visible_text(text))
    set_font(run._element, font, size=size)
    run.font.size = Pt(size)
    if bold:
        run.bold = True
    if red:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    return run


def _spacing(par, line: float | None, indent_pt: float = 0.0, align=None) -> None:
    fmt = par.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = Pt(line)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.first_line_indent = Pt(indent_pt) if indent_pt else None
    if align is not None:
        par.alignment = align


def _defaults(doc) -> None:
    """A4 and the margins; Normal style and document defaults in 仿宋 三号 with every font slot named."""
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(15), Mm(21)
    normal = doc.styles["Normal"]
    set_font(normal.element, BODY_FONT, size=BODY_PT)
    normal.font.size = Pt(BODY_PT)
    rpr_default = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    for rpr in (normal.element.get_or_add_rPr(), rpr_default):
        if rpr is None:
            continue
        if rpr is rpr_default:
            set_font(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")      # CJK punctuation and line breaking as Chinese


def _field(par, code: str, font: str, size: float) -> None:
    """A field (PAGE) as begin / instruction / separate / placeholder / end runs."""
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
        run = _run(par, "", font, size)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._element.append(el)
        elif text.strip() == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._element.append(el)
        else:
            run.text = text


def _page_numbers(doc) -> None:
    """“— 1 —” in 宋体 四号: odd pages right, even pages left, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        par = footer.paragraphs[0]
        _spacing(par, None, align=align)
        gap = Pt(PAGE_NUMBER_PT)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            par.paragraph_format.right_indent = gap
        else:
            par.paragraph_format.left_indent = gap
        _run(par, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        _field(par, "PAGE", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        _run(par, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


def _cell_text(cell, text: str, font: str, size: float, bold: bool = False, align=None) -> None:
    par = cell.paragraphs[0]
    _spacing(par, size + 4, align=align)
    _run(par, text, font, size, bold=bold)


def _table(doc, block: Table) -> None:
    t = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for k, w in enumerate(block.widths_mm):
        t.columns[k].width = Mm(w)
    for r, row in enumerate((block.header, *block.rows)):
        for k, text in enumerate(row):
            cell = t.cell(r, k)
            cell.width = Mm(block.widths_mm[k])
            align = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else (WD_ALIGN_PARAGRAPH.RIGHT if k in block.right else None)
            _cell_text(cell, str(text), HEADING_FONT if r == 0 else BODY_FONT, block.size, bold=r == 0, align=align)
    for r, row in enumerate(t.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))          # a row never split across pages
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))      # the header repeats if the table crosses a page
        if block.together and r < len(t.rows) - 1:        # the table kept on one page
            for cell in row.cells:
                for par in cell.paragraphs:
                    par.paragraph_format.keep_with_next = True


def _figures(doc, block: Figures) -> None:
    n = len(block.images)
    t = doc.add_table(rows=2, cols=n)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    width = TEXT_WIDTH_MM / n
    for k, (png, caption) in enumerate(block.images):
        for r in (0, 1):
            t.cell(r, k).width = Mm(width)
        par = t.cell(0, k).paragraphs[0]
        _spacing(par, None, align=WD_ALIGN_PARAGRAPH.CENTER)
        _run(par, "", BODY_FONT, block.caption_size).add_picture(io.BytesIO(png), width=Mm(block.width_mm))
        _cell_text(t.cell(1, k), caption, BODY_FONT, block.caption_size, align=WD_ALIGN_PARAGRAPH.CENTER)


def fit_property(text: str, limit: int = PROPERTY_LIMIT) -> str:
    """`text` cut to `limit` characters for a core property, the cut shown by a closing "…"."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _properties(doc, blocks: list[Block]) -> None:
    """File properties: the title, qstrong as author, now as the time (not the template's)."""
    from .. import __version__

    props = doc.core_properties
    props.title = fit_property(visible_text(next((b.text for b in blocks if isinstance(b, Title)), "")))
    props.author = props.last_modified_by = "qstrong"
    props.comments = fit_property(f"qstrong {__version__}")
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.revision = 1


def build(blocks: Iterable[Block], page_numbers: bool = True):
    """The python-docx Document for `blocks` (not yet saved)."""
    blocks = list(blocks)
    doc = Document()
    _defaults(doc)
    _properties(doc, blocks)
    if page_numbers:
        _page_numbers(doc)
    body = doc.paragraphs[0] if doc.paragraphs else None     # the template's empty first paragraph
    if body is not None:
        body._element.getparent().remove(body._element)
    for b in blocks:
        if isinstance(b, Title):
            par = doc.add_paragraph()
            _spacing(par, TITLE_PT * 1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
            _run(par, b.text, TITLE_FONT, TITLE_PT)
        elif isinstance(b, Subtitle):
            par = doc.add_paragraph()
            _spacing(par, LINE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
            _run(par, b.text, SUBHEADING_FONT, BODY_PT)
        elif isinstance(b, Heading):
            par = doc.add_paragraph()
            _spacing(par, LINE_PT, indent_pt=2 * BODY_PT)
            par.paragraph_format.keep_with_next = True
            _run(par, b.text, HEADING_FONT if b.level == 1 else SUBHEADING_FONT, BODY_PT)
        elif isinstance(b, Para):
            par = doc.add_paragraph()
            _spacing(par, b.line, indent_pt=2 * b.size if b.indent else 0.0, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            par.paragraph_format.keep_with_next = b.keep_with_next or None
            if b.lead:
                _run(par, b.lead, HEADING_FONT, b.size, red=b.red)
            _run(par, b.text, BODY_FONT, b.size, red=b.red)
        elif isinstance(b, Table):
            _table(doc, b)
        elif isinstance(b, Figures):
            _figures(doc, b)
        else:
            raise TypeError(f"unknown block {type(b).__name__}")
    return doc


def write_docx(blocks: Iterable[Block], path: str | Path, what: str = "Word输出文件",
               page_numbers: bool = True) -> Path:
    """`blocks` as a .docx at `path`, written atomically (never over an input)."""
    doc = build(blocks, page_numbers)
    return write_atomic(path, lambda tmp: doc.save(str(tmp)), what)
