"""Printing the reports: page 01 (gap analysis) printed to A4 PDF by headless Chromium with the network
cut off fits in at most six pages, keeps the headline, starts sections on a new page and leaves the
long appendix table to the screen version (it says so in print)."""

import re

import pytest
from pypdf import PdfReader

from qstrong.reports.browser import chromium, pdf_pages, print_pdf

MAX_PAGES = 6
GAP_PAGE = "01_差距分析.html"


@pytest.fixture(scope="module")
def gap_pdf(report, tmp_path_factory):
    pdf = tmp_path_factory.mktemp("print") / "01.pdf"
    return print_pdf(report / GAP_PAGE, pdf)


def _texts(pdf) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(str(pdf)).pages]


def test_print_choices_are_notebook_cell_tags(report):
    page = (report / GAP_PAGE).read_text(encoding="utf-8")
    hidden = page[page.index("celltag_screen-only"):]
    assert "目标阶梯（全部）" in hidden                 # the full ladder is on screen, in a screen-only cell
    assert "celltag_print-only" in page and "打印版从略" in page
    assert "@page{size:A4" in page and "thead{display:table-header-group}" in page


@pytest.mark.skipif(chromium() is None, reason="Chromium not installed (.ci/run installs it)")
def test_gap_page_prints_in_at_most_six_a4_pages(gap_pdf):
    n = pdf_pages(gap_pdf)
    assert 1 <= n <= MAX_PAGES, n
    reader = PdfReader(str(gap_pdf))
    assert all(abs(float(p.mediabox.width) - 595.3) < 1 and abs(float(p.mediabox.height) - 841.9) < 1
               for p in reader.pages)
    text = "".join(_texts(gap_pdf))
    assert "临淄区" in text and "总分" in text
    assert "首页" not in text[:40]                       # the navigation bar is not printed


@pytest.mark.skipif(chromium() is None, reason="Chromium not installed (.ci/run installs it)")
def test_sections_start_pages_and_the_appendix_stays_on_screen(gap_pdf):
    pages = _texts(gap_pdf)
    assert pages[0].startswith("差距分析")
    assert any(p.startswith("按责任部门") for p in pages[1:])      # a section (h2) begins a new page
    text = "".join(pages)
    assert "打印版从略" in text and "目标阶梯（全部）" not in text
    assert "主要目标（每个分项一行）" in text
