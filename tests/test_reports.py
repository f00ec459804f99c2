"""Reports: notebooks stored clean, executed and rendered offline; department text escaped; a real
headless-Chromium check with the network cut off."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import SUBMISSIONS  # the report fixture is in conftest.py

from qstrong.reports.browser import check_page, chromium
from qstrong.reports.build import NOTEBOOKS, external_references

ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = {"county", "year", "panel", "intake", "peer_panel", "peers", "panel_counties_as_peers", "scenarios", "target",
              "draws", "seed", "config"}


def test_notebooks_are_stored_without_outputs_and_begin_with_parameters():
    for stem in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), stem
        params = code[0]
        assert "parameters" in params.metadata.get("tags", []), stem
        names = set(re.findall(r"^(\w+)\s*=", params.source, flags=re.M))
        assert names == PARAMETERS, stem
        # no scoring logic in notebooks: they call the API (no catalog arithmetic, no loops over indicators' rules)
        body = "\n".join(c.source for c in code[1:])
        assert "coefficient(" not in body and "evaluate(" not in body


def test_pages_are_written_and_self_contained(report):
    pages = sorted(p.name for p in report.glob("*.html"))
    assert pages == sorted([f"{s}.html" for s in NOTEBOOKS] + ["index.html"])
    for page in report.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert external_references(text) == [], page.name
        for word in ("require.js", "mathjax", "cdn.", "googleapis"):
            assert word not in text.lower(), (page.name, word)
        assert "<script" not in text.lower().replace("&lt;script", ""), page.name   # no script at all
    gap = (report / "01_差距分析.html").read_text(encoding="utf-8")
    assert gap.count('src="data:image/png;base64,') >= 4 and gap.count("<table") >= 4
    assert "差距分析" in gap and "按责任部门" in gap and "示例数据提示" in gap
    # how much of the benchmark is real: the line and the coverage table per efficacy measure
    assert "真实数据占比" in gap and "真实数据覆盖" in gap and "有真实数据的县数" in gap


def test_index_has_provenance_and_synthetic_notice(report):
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "示例数据提示" in index and "qstrong" in index and "生成时间" in index
    assert index.count("<code>") == len(list(SUBMISSIONS.glob("*.xlsx"))) + 1   # each workbook + the peer panel
    assert all(f'href="{s}.html"' in index for s in NOTEBOOKS)


def test_department_text_is_escaped(report):
    page = (report / "04_部门任务清单.html").read_text(encoding="utf-8")
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "区科技局&lt;b&gt;粗体&lt;i&gt;.xlsx" in index and "<b>粗体" not in index


def test_notebook_runs_logged_no_warning(report):
    # stderr output in an executed notebook would carry any warning, "Glyph … missing" included
    for stem in NOTEBOOKS:
        nb = nbformat.read(report / "notebooks" / f"{stem}.ipynb", as_version=4)
        errs = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "stream" and o.name == "stderr"]
        assert errs == [], (stem, errs[:2])
        assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.skipif(chromium() is None, reason="Chromium not installed (.ci/run installs it)")
def test_pages_open_offline_in_headless_chromium(report, tmp_path):
    from PIL import Image

    for page in sorted(report.glob("*.html")):
        shot = tmp_path / f"{page.stem}.png"
        check = check_page(page, shot)
        assert check.requests == [], (page.name, check.requests)
        assert check.console == [], (page.name, check.console)
        img = np.asarray(Image.open(shot).convert("L"), dtype=float)
        assert img.std() > 10 and (img < 128).mean() > 0.005, page.name   # not blank: text and charts drawn


def test_a_config_reaches_every_page_through_load_inputs(tmp_path):
    # the reading chosen with --config is the benchmark of every page (the notebooks call load_inputs
    # with it) and a listed input of the index page
    from qstrong.reports.inputs import load_inputs

    cfg = tmp_path / "解读.json"
    cfg.write_text('{"variants": {"15": "group_cap"}, "vetoed_peers": "keep"}', encoding="utf-8")
    inp = load_inputs("临淄区", str(ROOT / "data" / "sample" / "zibo_panel.csv"), None, "shandong", 2022, "shandong",
                      config=str(cfg))
    assert inp.benchmark.reading == "自定义解读（指标15：“最高2分”限三项技术组织合计；一票否决的同行照常参与对标）"
    assert inp.benchmark.n == 136 and any(f["role"] == "计分配置" for f in inp.files)
    for stem in NOTEBOOKS:
        source = (ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert "panel_counties_as_peers, config=config)" in source, stem
