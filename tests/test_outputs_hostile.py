"""The program's other outputs under hostile text: the intake report (xlsx and HTML), the offline HTML
report's "no external reference" check (real references found, escaped text never), and the report
builder's output directory (never over its notebooks or inside a folder being read)."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from qstrong.errors import InputError
from qstrong.intake.collect import IntakeResult
from qstrong.intake.report import write_report
from qstrong.paths import forget_inputs, register_folder
from qstrong.reports.build import NOTEBOOKS, _prepare_output, build_report, external_references

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
PASTED = ['<a href="https://example.com/doc">文件</a>', '<img src="http://x/a.png">', "<link href=https://x/s.css>",
          '<div style="background:url(//x/b.png)">', "<script src=//x/j.js></script>", "@import url(http://x)"]


@pytest.fixture(autouse=True)
def fresh_registry():
    forget_inputs()
    yield
    forget_inputs()


def page(body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>body{{margin:0}}</style></head><body>"
            f'<nav><a href="index.html">首页</a><a href="01_差距分析.html#top">差距</a></nav>{body}</body></html>')


# -- external references: parsed, not grepped -----------------------------------------------------

@pytest.mark.parametrize("escape", [html.escape, lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
                                    .replace(">", "&gt;")])        # html.escape, and pandas' to_html (quotes kept)
def test_escaped_pasted_html_is_text_not_a_reference(escape):
    text = "".join(f"<td>{escape(p)}</td>" for p in PASTED)
    img = '<img src="data:image/png;base64,iVBORw0KGgo=" alt="图">'
    assert external_references(page(f"<table><tr>{text}</tr></table>{img}<p>见 https://x 和 //x</p>")) == []


@pytest.mark.parametrize("markup", [
    '<img src="http://x">', '<div style="background:url(//x)">', "<link href=https://x>",
    '<link rel="stylesheet" href="style.css">', '<script src="app.js"></script>', '<iframe src="https://x"></iframe>',
    '<object data="//x/o.swf"></object>', '<embed src="http://x/e">', '<img srcset="a.png 1x, https://x/b.png 2x">',
    '<meta http-equiv="refresh" content="0; url=https://x">', '<style>@import "print.css";</style>',
    "<style>body{background:url('https://x/bg.png')}</style>", '<svg><image xlink:href="https://x/i.svg"/></svg>',
    '<a href="https://x">外链</a>', '<img src="&#104;ttp://x">', '<img src=" ht\ntp://x/a">', '<form action="//x">',
    '<video poster="http://x/p.jpg"></video>', '<base href="https://x/">', '<img src="\\\\x\\share\\a.png">',
    '<div style="background:u\\72 l(//x)">', '<img src="file:///etc/passwd">', '<a href="javascript:alert(1)">x</a>',
    '<iframe srcdoc="&lt;img src=http://x&gt;"></iframe>', '<a ping="https://x/track" href="#top">x</a>',
    "<style>div{background-image:image-set('https://x/a.png' 1x)}</style>",
])
def test_real_references_are_found(markup):
    found = external_references(page(markup))
    assert len(found) == 1, (markup, found)


def test_links_between_the_reports_own_pages_are_fine():
    nav = "".join(f'<a href="{s}.html">{s}</a>' for s in NOTEBOOKS)
    assert external_references(page(nav + '<a href="#sec">节</a><a href="index.html#x">首页</a>')) == []


# -- the intake report ----------------------------------------------------------------------------

def hostile_result(folder: Path) -> IntakeResult:
    """An intake with no workbooks whose recorded decisions carry hostile text."""
    return IntakeResult(folder=str(folder), books=[], issues=[],
                        panel=pd.DataFrame(columns=["county", "year", "measure", "value"]),
                        resolutions=['=HYPERLINK("http://x","y")', "-2+3+cmd", "响铃\x07", "长" * 40_000])


def test_intake_report_xlsx_is_formula_free_and_visible(tmp_path):
    notes: list[str] = []
    out = write_report(hostile_result(tmp_path / "报送"), tmp_path / "r.xlsx", notes)
    ws = openpyxl.load_workbook(out)["裁定记录"]
    cells = [ws.cell(r, 1) for r in range(2, 6)]
    assert [c.data_type for c in cells] == ["s"] * 4
    assert [c.value for c in cells[:3]] == ['\'=HYPERLINK("http://x","y")', "'-2+3+cmd", "响铃\\x07"]
    assert cells[3].value.endswith("…［已截断，原文共40000字］") and len(cells[3].value) == 32_767
    assert len(notes) == 1 and "裁定记录" in notes[0] and "A5" in notes[0] and "已截断" in notes[0]


def test_intake_report_html_escapes_and_shows_control_characters(tmp_path):
    res = hostile_result(tmp_path / "报送")
    res.resolutions = ['<a href="https://x">链接</a>', "响铃\x07"]
    text = write_report(res, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "&lt;a href=" in text and '<a href="https://x">' not in text and "响铃\\x07" in text
    assert "\x07" not in text
    assert external_references(text) == []


@pytest.mark.parametrize("name", ["r.csv", "r", "r.xls"])
def test_intake_report_refuses_an_unknown_extension(tmp_path, name):
    with pytest.raises(InputError) as exc:
        write_report(hostile_result(tmp_path), tmp_path / name)
    assert "扩展名应为 .xlsx 或 .html" in str(exc.value) and name in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_intake_report_never_inside_the_folder_read(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    (folder / "区统计局.xlsx").write_bytes(b"PK original")
    register_folder(folder)
    for name in ("区统计局.xlsx", "r.html"):
        with pytest.raises(InputError) as exc:
            write_report(hostile_result(folder), folder / name)
        assert "位于正在读取的目录" in str(exc.value)
    assert sorted(p.name for p in folder.iterdir()) == ["区统计局.xlsx"]
    assert (folder / "区统计局.xlsx").read_bytes() == b"PK original"


# -- the report builder's directory ---------------------------------------------------------------

def test_report_directory_problems_all_at_once(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    register_folder(folder)
    with pytest.raises(InputError) as exc:
        _prepare_output(folder / "reports")
    assert "位于正在读取的目录" in str(exc.value) and not (folder / "reports").exists()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        _prepare_output(tmp_path / "afile")
    assert "报告输出目录" in str(exc.value) and "不是目录" in str(exc.value)
    out = tmp_path / "out"
    (out / "index.html").mkdir(parents=True)
    (out / f"{next(iter(NOTEBOOKS))}.html").mkdir()
    with pytest.raises(InputError) as exc:
        _prepare_output(out)
    assert str(exc.value).count("是一个目录") == 2


def test_report_never_overwrites_its_own_notebooks(tmp_path):
    """--out pointing at the repository root would have run the notebooks over themselves."""
    src = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", src)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    with pytest.raises(InputError) as exc:
        build_report("临淄区", panel=str(SAMPLE), peer_panel=None, out=tmp_path, notebooks=src, progress=False)
    assert "不能覆盖" in str(exc.value) and ".ipynb" in str(exc.value)
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


def test_cli_tells_when_a_text_was_cut(tmp_path, capsys):
    """A full cell (Excel's 32,767 characters) that starts like a formula no longer fits once quoted."""
    from qstrong.cli import main
    from qstrong.intake import layout as L

    folder = tmp_path / "报送"
    shutil.copytree(ROOT / "data" / "sample" / "submissions", folder)
    tech = folder / "区科技局.xlsx"
    wb = openpyxl.load_workbook(tech)
    ws = wb[L.SHEET_DATA]
    cell = ws.cell(L.FIRST_ROW, L.COL_INDEX[L.EVIDENCE])
    cell.value = "-" + "佐" * 32_766
    cell.data_type = "s"
    wb.save(tech)
    out = tmp_path / "r.xlsx"
    assert main(["intake", str(folder), "--year", "2022", "--report", str(out)]) == 0
    err = capsys.readouterr().err
    assert "提醒：工作表“逐格记录”" in err and "（“佐证材料”列）的文字共32768字" in err and "已截断" in err
    ws = openpyxl.load_workbook(out)["逐格记录"]
    cut = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "已截断" in c.value]
    assert len(cut) == 1 and len(cut[0]) == 32_767 and cut[0].startswith("'-佐佐")
    assert cut[0].endswith("…［已截断，原文共32768字］")
