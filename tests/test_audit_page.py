"""Page 03's section 统计审计 (cells tagged ``qstrong_section: audit``): stored clean, rendered with its
summary, three charts and two tables (the report fixture of conftest.py, built once per session)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PAGE = "03_敏感性分析"


def test_section_cells_are_tagged_and_stored_clean():
    nb = nbformat.read(ROOT / "notebooks" / f"{PAGE}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("qstrong_section") == "audit"]
    assert cells and cells[0].cell_type == "markdown" and cells[0].source.startswith("## 统计审计")
    assert all(not c.outputs and c.execution_count is None for c in cells if c.cell_type == "code")
    assert "audit(bench)" in "".join(c.source for c in cells)


def test_section_rendered(report):
    text = (report / f"{PAGE}.html").read_text(encoding="utf-8")
    section = text[re.search(r"<h2[^>]*>统计审计", text).start():]
    assert section.count('src="data:image/png;base64,') >= 3          # heat map, importance, α
    body = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", section)))
    assert "对排名影响最大的指标" in body and "功效系数法指标原始数值" in body
    for head in ("层级", "指标组", "克朗巴哈α", "县（市、区）", "方向"):      # both tables, Chinese headers
        assert head in body, head
    assert section.count("<table") >= 2
