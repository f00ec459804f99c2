"""The leader's Word brief (``qstrong brief``): read back with python-docx — headline total and rank
against the engine, the first actions of the cheapest path with their departments, the two charts,
East Asian font names, A4 and the GB/T 9704 margins, the data notice — and, with LibreOffice, two pages."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import cli, refused
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from qstrong.analysis.path import cheapest_path
from qstrong.benchmark import benchmark
from qstrong.cli import main
from qstrong.errors import InputError
from qstrong.reports.brief import brief_date, write_brief
from qstrong.scoring import score_panel
from qstrong.writers.docx import Para, Title, write_docx

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT / "data" / "sample" / "zibo_panel.csv"
INTAKE = ROOT / "data" / "sample" / "submissions"
COUNTY = "临淄区"
TARGET = 90.0                       # far enough for the cheapest path to need more than five actions


@pytest.fixture(scope="module")
def bench():
    return benchmark(str(PANEL), COUNTY, 2022, "shandong", None, "shandong")


@pytest.fixture(scope="module")
def brief(bench, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "简报.docx"
    content = write_brief(bench, out, target=TARGET, date="2026-11-27", draws=300)
    return out, Document(str(out)), content


def _text(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _actions_table(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "序号")


def test_headline_total_and_rank_are_the_engines(brief, bench):
    _, doc, _ = brief
    scores = score_panel(bench.panel, 2022)            # the engine, not the benchmark's cached total
    totals = scores.totals
    own = scores.county(COUNTY).total
    head = next(p.text for p in doc.paragraphs if p.text.startswith("总分与排名"))
    assert re.search(r"自评总分(\d+\.\d\d)分", head).group(1) == f"{own:.2f}"
    rank = int((totals > own + 1e-9).sum()) + 1          # ties share the best rank
    assert f"第{rank}名/共{len(totals)}个" in head
    assert bench.rank_text() in head
    assert "一票否决事项未触发" in _text(doc)
    assert bench.describe() in _text(doc)
    assert "2026年11月27日" in _text(doc)


def test_five_actions_of_the_cheapest_path_that_gain_most_with_departments(brief, bench):
    _, doc, _ = brief
    plan = cheapest_path(bench, target=TARGET).to_frame()
    assert len(plan) > 5
    rows = _actions_table(doc).rows[1:]
    assert len(rows) == 5
    steps = sorted(plan.to_dict("records"), key=lambda r: (-r["gain"], r["effort"], r["indicator"]))[:5]
    assert [r["indicator"] for r in steps] != list(plan["indicator"][:5])        # the case matters
    lead = next(p.text for p in doc.paragraphs if "优先推进以下5项" in p.text)
    assert "按增分从高到低" in lead and "HTML" not in lead and "qstrong tasks" in lead
    for row, step in zip(rows, steps, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[1] == str(step["indicator"])
        assert cells[2] == step["action"]
        assert cells[3] == step["departments"] and cells[3]
        assert cells[4] == f"+{step['gain']:.2f}"
    assert f"共需{len(plan)}项措施" in _text(doc)


def test_two_charts_inline_as_png(brief):
    _, doc, _ = brief
    shapes = list(doc.inline_shapes)
    assert len(shapes) >= 2
    blobs = {r.target_part.blob[:8] for r in doc.part.rels.values() if "image" in r.reltype}
    assert blobs == {b"\x89PNG\r\n\x1a\n"}
    for s in shapes:                                     # two side by side within the text width
        assert s.width <= Mm(78)


def test_east_asian_font_names_on_every_run_and_the_normal_style(brief):
    _, doc, _ = brief
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.get(qn("w:eastAsiaTheme")) is None
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312" and defaults.get(qn("w:eastAsiaTheme")) is None
    sec = doc.sections[0]
    runs = doc.element.body.iter(qn("w:r"))
    footers = [r for f in (sec.footer, sec.even_page_footer) for r in f._element.iter(qn("w:r"))]
    seen = set()
    for run in [*runs, *footers]:
        fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.xml[:200]
        seen.add(fonts.get(qn("w:eastAsia")))
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"} <= seen
    title = doc.paragraphs[0]
    assert title.text == f"{COUNTY}质量强县评价自评简报" == doc.core_properties.title
    assert doc.core_properties.author == "qstrong"
    assert title.runs[0].font.size.pt == 22


def test_a4_and_gbt9704_margins_and_page_numbers(brief):
    _, doc, _ = brief
    sec = doc.sections[0]
    for got, mm in ((sec.page_width, 210), (sec.page_height, 297), (sec.top_margin, 37), (sec.bottom_margin, 35),
                    (sec.left_margin, 28), (sec.right_margin, 26)):
        assert abs(got.mm - mm) < 0.1
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")


def test_data_notice_when_synthetic_values_are_used(brief, bench):
    _, doc, content = brief
    assert bench.synthetic_share > 0
    text = _text(doc)
    notice = next(p.text for p in doc.paragraphs if p.text.startswith("示例数据："))
    assert f"{int(bench.provenance['synthetic'].sum()):,}个为合成数据" in notice
    assert f"{content.own_invented}个数值为示例（虚构）数据" in notice and content.own_invented > 0
    assert "（2022年度（示例数据）" in text


def test_no_notice_when_every_value_is_real(tmp_path):
    data = pd.read_csv(PANEL).drop(columns=["source"])   # no source column: nothing marked synthetic
    real = tmp_path / "real.csv"
    data.to_csv(real, index=False)
    bench = benchmark(str(real), COUNTY, 2022)
    out = tmp_path / "b.docx"
    write_brief(bench, out, draws=50)
    doc = Document(str(out))
    text = _text(doc)
    assert not [p for p in doc.paragraphs if p.text.startswith("示例数据：")]
    assert "（示例数据）" not in text and "个为合成数据" not in text and "合成数据占比" not in text
    assert "所用数据均未标注为示例或合成数据" in text


def test_writer_makes_control_characters_visible(tmp_path):
    out = write_docx([Title("标题\x07"), Para("=1+1 正文\x1b[31m")], tmp_path / "c.docx")
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "标题\\x07"
    assert doc.paragraphs[1].text == "=1+1 正文\\x1b[31m"


@pytest.mark.parametrize("text, want", [("2026-11-27", "2026年11月27日"), ("2026年1月5日", "2026年1月5日"),
                                        ("2026/03/09", "2026年3月9日"), ("２０２６－１１－２７", "2026年11月27日")])
def test_dates(text, want):
    assert brief_date(text) == want


@pytest.mark.parametrize("text", ["٢٠٢٦-١١-٢٧", "2026-02-30", "明天", "2026-11"])
def test_bad_dates(text):
    with pytest.raises(InputError, match="--date（简报日期）：“.*”不是(有效的)?日期"):
        brief_date(text)


def test_bad_options_exit_2_in_chinese(capsys, tmp_path):
    err = refused(capsys, "brief", str(PANEL), "--county", COUNTY, "--date", "2026-02-30", "--out",
                  str(tmp_path / "none" / "b.pdf"))
    assert "扩展名应为 .docx" in err and "不存在" in err and "不是有效的日期" in err
    err = refused(capsys, "brief", str(PANEL), "--county", COUNTY, "--target", "120", "--out", str(tmp_path / "b.docx"))
    assert "--target" in err
    err = refused(capsys, "brief", str(PANEL), "--county", COUNTY)
    assert "--out" in err
    assert not list(tmp_path.iterdir())


def test_an_input_as_out_is_refused(capsys, tmp_path):
    panel = tmp_path / "面板.docx"                        # a panel CSV under a .docx name
    shutil.copy(PANEL, panel)
    before = hashlib.sha256(panel.read_bytes()).hexdigest()
    err = refused(capsys, "brief", str(panel), "--county", COUNTY, "--out", str(panel))
    assert "输入文件" in err and "不能覆盖" in err
    assert hashlib.sha256(panel.read_bytes()).hexdigest() == before
    err = refused(capsys, "brief", str(PANEL), "--county", COUNTY, "--intake", str(INTAKE), "--out",
                  str(INTAKE / "简报.docx"))
    assert "正在读取的目录" in err and not (INTAKE / "简报.docx").exists()


def _pages(docx: Path, tmp: Path) -> int:
    """LibreOffice's PDF of `docx` (a profile in `tmp`: it needs a writable HOME), its page count."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx)], check=True,
                   env={"HOME": str(tmp), "PATH": "/usr/bin:/bin:/usr/local/bin"}, capture_output=True, timeout=300)
    return len(PdfReader(str(tmp / f"{docx.stem}.pdf")).pages)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_at_most_two_a4_pages(capsys, brief, tmp_path):
    code, out, err = cli(capsys, "brief", str(PANEL), "--county", COUNTY, "--intake", str(INTAKE), "--peer-panel",
                         "shandong", "--year", "2022", "--draws", "200", "--out", str(tmp_path / "简报.docx"))
    assert code == 0, err
    assert "简报已写入" in out
    pdf_dir = tmp_path / "pdf"
    pdf_dir.mkdir()
    assert _pages(tmp_path / "简报.docx", pdf_dir) <= 2
    assert _pages(brief[0], pdf_dir) <= 2                 # five actions (target 90)


@pytest.fixture(scope="module")
def degenerate(tmp_path_factory):
    """临淄区 with a third of its 2022 measures left empty and every veto item triggered."""
    tmp = tmp_path_factory.mktemp("degenerate")
    d = pd.read_csv(PANEL)
    own = (d["county"] == COUNTY) & (d["year"] == 2022)
    empty = set(d.loc[own, "measure"].tolist()[5::3])
    d = d[~(own & d["measure"].isin(empty))]
    d.loc[own & d["measure"].str.startswith("veto."), "value"] = "是"
    d.to_csv(tmp / "panel.csv", index=False)
    bench = benchmark(str(tmp / "panel.csv"), COUNTY, 2022, "shandong", None, "shandong")
    content = write_brief(bench, tmp / "简报.docx", draws=50)
    return tmp / "简报.docx", content, len(empty)


def test_missing_data_veto_and_a_plan_that_cannot_apply_are_said(degenerate):
    out, content, empty = degenerate
    text = _text(Document(str(out)))
    assert re.search(r"一票否决事项已触发（[^、）]+、[^、）]+等5项）", text)
    assert f"有{empty}项数据未填报" in text
    assert content.views is None and "“规划目标2025”无法计算" in text and "没有基础值" in text
    assert len(Document(str(out)).inline_shapes) >= 2


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_degenerate_brief_still_two_pages(degenerate, tmp_path):
    assert _pages(degenerate[0], tmp_path) <= 2


def test_same_total_and_rank_as_the_html_front_page(brief):
    """The brief and the report's front page render one Summary: same total, rank and veto."""
    from qstrong.reports.front import front_section

    _, doc, content = brief
    s = content.summary
    page, text = front_section(s), _text(doc)
    for fact in (f"{s.total:.2f}", s.rank_text, s.veto_text):
        assert fact in page and fact in text


def test_a_very_long_county_name_is_cut_in_the_file_properties_not_refused(capsys, tmp_path):
    long_name = "临" * 300 + "区"
    panel = tmp_path / "panel.csv"
    panel.write_text(PANEL.read_text(encoding="utf-8").replace(COUNTY, long_name), encoding="utf-8")
    out = tmp_path / "简报.docx"
    code, said, err = cli(capsys, "brief", str(panel), "--county", long_name, "--draws", "20", "--out", str(out))
    assert code in (0, 1) and "exceeded" not in err + said, err
    doc = Document(str(out))
    title = doc.core_properties.title
    assert len(title) == 255 and title.endswith("…") and title[:-1] == f"{long_name}质量强县评价自评简报"[:254]
    assert doc.paragraphs[0].text == f"{long_name}质量强县评价自评简报"        # the page keeps the whole name


def test_an_unreachable_target_writes_the_brief_and_exits_1_as_path_and_tasks(capsys, tmp_path):
    args = [str(PANEL), "--county", "沂源县", "--year", "2022", "--peer-panel", "shandong", "--target", "100"]
    out = tmp_path / "简报.docx"
    code, said, err = cli(capsys, "brief", *args, "--draws", "20", "--out", str(out))
    path_code, _, _ = cli(capsys, "path", *args)
    assert code == path_code == 1
    assert "提醒：" in err and "无法达到" in err and "简报已写入" in said
    assert "无法达到" in _text(Document(str(out)))
    with pytest.raises(SystemExit):
        main(["brief", "--help"])
    said = capsys.readouterr().out
    assert "退出码" in said and "1 简报已写出，但目标总分无法达到" in said
