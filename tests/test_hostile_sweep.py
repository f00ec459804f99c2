"""Issue 10's acceptance, end to end through the command line as a careless or hostile user runs it:
for every case — exit code, no traceback, a Chinese message naming the place, inputs unchanged, and no
live formula or unescaped leading = + - @ in any file the program wrote; the intake's own output scores.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from exported import hashes, scan_tree

from qstrong.intake import layout as L

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
HOSTILE = ['=HYPERLINK("http://evil.example/","点击")', "@SUM(1)", "+cmd|' /C calc'!A0", "-2+3+cmd",
           " =1+1", "\t=2", "＝1+1", "=", "@", "-"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qstrong", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=600)


def refused(r: subprocess.CompletedProcess, *fragments: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    for f in fragments:
        assert f in r.stderr + r.stdout, (f, r.stderr[-2000:])


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the sample submissions whose texts (evidence, remarks, contact) are hostile."""
    d = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS, d)
    for k, p in enumerate(sorted(d.glob("*.xlsx"))):
        wb = openpyxl.load_workbook(p)
        ws = wb[L.SHEET_DATA]
        ec, rc, ic = (L.COL_INDEX[c] for c in (L.EVIDENCE, L.REMARK, L.MEASURE_ID))
        for r in range(L.FIRST_ROW, ws.max_row + 1):
            if ws.cell(r, ic).value:
                ws.cell(r, ec).value = HOSTILE[(k + r) % len(HOSTILE)] + " 统计年报"
                ws.cell(r, ec).data_type = "s"
                ws.cell(r, rc).value = HOSTILE[(k + r + 3) % len(HOSTILE)]
                ws.cell(r, rc).data_type = "s"
        guide = wb[L.SHEET_GUIDE]
        for r in range(1, guide.max_row + 1):
            if guide.cell(r, 1).value == "填报人":
                guide.cell(r, 2).value = HOSTILE[k % len(HOSTILE)]
                guide.cell(r, 2).data_type = "s"
        wb.save(p)
    return d


def test_hostile_texts_never_become_formulas_and_the_intake_output_scores(folder, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = hashes(folder)
    r = run("intake", folder, "--year", 2022, "--out", out / "panel.csv", "--report", out / "report.xlsx",
            "--chase", out / "chase.csv")
    assert r.returncode == 0, r.stderr
    assert hashes(folder) == before
    assert scan_tree(out) == []
    r = run("score", out / "panel.csv", "--county", "临淄区", "--format", "csv", "--out", out / "score.csv")
    assert r.returncode == 0, r.stderr
    r = run("intake", folder, "--year", 2022, "--report", out / "report.html")
    assert r.returncode == 0 and "<script" not in (out / "report.html").read_text(encoding="utf-8").lower()
    assert scan_tree(out) == []


def test_negative_values_round_trip(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = run("intake", SUBMISSIONS, "--year", 2022, "--out", out / "panel.csv")
    assert r.returncode == 0, r.stderr
    text = (out / "panel.csv").read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if "q37.energy_intensity_reduction" in ln]
    value = lines[0].split(",")[3]
    patched = text.replace(lines[0], lines[0].replace(f",{value},", ",-3.2,", 1))
    (out / "neg.csv").write_text(patched, encoding="utf-8-sig")
    r = run("score", out / "neg.csv", "--county", "临淄区", "--format", "json")
    assert r.returncode == 0, r.stderr
    r = run("gaps", out / "neg.csv", "--county", "临淄区", "--peer-panel", SAMPLE, "--out", out / "gaps.xlsx")
    assert r.returncode == 0, r.stderr
    assert scan_tree(out) == []


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "@evil", "+1+1县", "-县"])
def test_peer_names_that_look_like_formulas(tmp_path, name):
    peers = tmp_path / "peers.csv"
    peers.write_text(SAMPLE.read_text(encoding="utf-8-sig").replace("淄川区", f'"{name.replace(chr(34), 2 * chr(34))}"'),
                     encoding="utf-8-sig")
    out = tmp_path / "out"
    out.mkdir()
    r = run("gaps", SAMPLE, "--county", "临淄区", "--peer-panel", peers, "--out", out / "gaps.xlsx")
    assert r.returncode == 0, r.stderr
    r = run("score", peers, "--all", "--format", "csv", "--out", out / "all.csv")
    assert r.returncode == 0, r.stderr
    assert scan_tree(out) == []


# -- outputs never land on inputs ----------------------------------------------------------------

@pytest.mark.parametrize("option", ["--out", "--report", "--chase"])
def test_intake_outputs_inside_the_folder_being_read(folder, option):
    before = hashes(folder)
    target = folder / "区统计局.xlsx" if option != "--chase" else folder / "sub" / "chase.csv"
    (folder / "sub").mkdir()
    r = run("intake", folder, "--year", 2022, option, target)
    refused(r, "不能")
    assert hashes(folder) == before


@pytest.mark.parametrize("cmd", [["score", "{p}", "--county", "临淄区", "--format", "csv", "--out", "{p}"],
                                 ["gaps", "{p}", "--county", "临淄区", "--out", "{p}"],
                                 ["gaps", "{p}", "--county", "临淄区", "--out", "{d}/nope/g.xlsx"],
                                 ["catalog", "--out", "{d}"],
                                 ["score", "{p}", "--county", "临淄区", "--format", "csv", "--out", "{d}/fifo"],
                                 ["gaps", "{p}", "--county", "临淄区", "--charts", "{p}"],
                                 ["whatif", "{p}", "--county", "临淄区", "--scenario", "plan2025", "--charts",
                                  "{p}/x"]])
def test_analysis_outputs_onto_inputs_or_nowhere(tmp_path, cmd):
    p = tmp_path / "panel.csv"
    shutil.copy(SAMPLE, p)
    os.mkfifo(tmp_path / "fifo")                 # a special file: replacing it would be as bad as /dev/full
    before = hashes(tmp_path)
    r = run(*[c.format(p=p, d=tmp_path) for c in cmd])
    refused(r, "输出")
    assert hashes(tmp_path) == before
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)


# -- the file system under an intake folder ------------------------------------------------------

def test_links_fifos_and_junk_in_the_folder(folder):
    os.symlink("/etc/passwd", folder / "x.xlsx")
    os.symlink(folder / "missing.xlsx", folder / "dangling.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    before = hashes(folder)
    r = run("intake", folder, "--year", 2022)
    refused(r, "x.xlsx", "dangling.xlsx", "pipe.xlsx")
    assert "root:" not in r.stdout + r.stderr
    assert hashes(folder) == before


# -- options, configs and scenarios --------------------------------------------------------------

@pytest.mark.parametrize("args,fragments", [
    (["sensitivity", "{s}", "--county", "临淄区", "--draws", "-5", "--spread", "2"], ["--draws", "--spread"]),
    (["sensitivity", "{s}", "--county", "临淄区", "--draws", "1e12"], ["--draws"]),
    (["project", "{s}", "--county", "临淄区", "--to", "99999"], ["--to"]),
    (["path", "{s}", "--county", "临淄区", "--target", "nan"], ["--target"]),
    (["score", "{s}", "--county", "临淄区", "--year", "abc"], ["--year"]),
    (["gaps", "{s}", "--county", "临淄区", "--peers", " , ，"], ["对标"]),
    (["score", "{s}", "--county", "临淄区", "--config", "{d}/cfg.json"], ["cfg.json"]),
    (["whatif", "{s}", "--county", "临淄区", "--scenario", "{d}/bomb.yaml"], ["bomb.yaml"]),
    (["whatif", "{s}", "--county", "临淄区", "--scenario", "{d}/gbk.yaml"], ["gbk.yaml"]),
    (["whatif", "{s}", "--county", "临淄区", "--scenario", "{d}/bool.yaml"], ["add"]),
    (["score", "{s}", "--county", "临淄区", "--no-such-option"], ["--no-such-option"]),
    (["whatif", "{s}", "--county", "临淄区", "--scenario", "{d}/baseline.yaml"], ["“基线”已用于基线"]),
    (["whatif", "{s}", "--county", "临淄区", "--scenario", "plan2025", "--scenario", "plan2025"], ["不止一次"]),
    (["project", "{s}", "--county", "临淄区", "--scenario", "plan2025", "plan2025"], ["不止一次"]),
])
def test_bad_options_configs_and_scenarios(tmp_path, args, fragments):
    (tmp_path / "cfg.json").write_text('{"efficacy": {"*": {"base": NaN}}, "efficacy": []}', encoding="utf-8")
    (tmp_path / "bomb.yaml").write_text("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
                                        "c: &c [*b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n",
                                        encoding="utf-8")
    # neither UTF-8 nor GBK/GB18030 (a GBK file alone is read, with a note)
    (tmp_path / "gbk.yaml").write_bytes("name: 情景\nchanges: []\n".encode("gbk") + b"\x81\x20\n")
    (tmp_path / "bool.yaml").write_text("name: x\nchanges:\n  - {measure: q41.tech_trade, add: yes}\n",
                                        encoding="utf-8")
    (tmp_path / "baseline.yaml").write_text("name: 基线\nchanges: []\n", encoding="utf-8")
    before = hashes(tmp_path)
    r = run(*[a.format(s=SAMPLE, d=tmp_path) for a in args])
    refused(r, *fragments)
    assert hashes(tmp_path) == before


# -- odd but legal panels: every analysis runs or says why not, never a traceback or a numpy warning ---

def _degenerate(tmp_path: Path) -> dict[str, Path]:
    rows = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    panels = {
        "one_value": "county,year,measure,value\n临淄区,2022,q41.tech_trade,1\n",
        "veto_only": "county,year,measure,value\n临淄区,2022,veto.major_safety_accident,是\n",
        "alone": "\n".join([rows[0]] + [r for r in rows if r.startswith("临淄区,")]) + "\n",
        "two_equal": "\n".join([rows[0]] + [r for r in rows if r.startswith("临淄区,")]
                               + [r.replace("临淄区", "甲县", 1) for r in rows if r.startswith("临淄区,")]) + "\n",
    }
    out = {}
    for name, text in panels.items():
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text, encoding="utf-8")
    return out


COMMANDS = [["score"], ["gaps"], ["whatif", "--scenario", "plan2025"], ["required"], ["project", "--draws", "5"],
            ["path", "--target", "90"], ["sensitivity", "--draws", "50", "--sobol-n", "16"],
            ["sensitivity", "--draws", "50", "--sobol-n", "16", "--sobol", "inputs"]]


@pytest.mark.parametrize("panel", ["one_value", "veto_only", "alone", "two_equal"])
def test_degenerate_panels_through_every_analysis(tmp_path, panel, capsys, recwarn):
    from qstrong.cli import main

    p = _degenerate(tmp_path)[panel]
    for cmd in COMMANDS:
        rc = main([cmd[0], str(p), "--county", "临淄区", *cmd[1:]])
        out = capsys.readouterr()
        assert "Traceback" not in out.err, (cmd, out.err)
        if rc == 2:                                   # what the data lacks for this analysis, said in Chinese
            assert "问题" in out.err and "第" not in out.err[:1], (cmd, out.err)
        else:                                         # 1: a target that cannot be reached, said in Chinese
            assert rc in (0, 1) and out.out.strip(), (cmd, rc, out.err)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in recwarn]


def test_report_with_pasted_html_and_formula_like_peers(folder, tmp_path):
    """佐证材料 pasted from a web page and peer names like formulas: the report builds, shows them as text,
    and its pages reference nothing outside themselves (the parsed DOM, not the escaped text, is checked)."""
    from qstrong.reports.build import external_references

    p = next(iter(sorted(folder.glob("*.xlsx"))))
    wb = openpyxl.load_workbook(p)
    ws = wb[L.SHEET_DATA]
    ws.cell(L.FIRST_ROW, L.COL_INDEX[L.EVIDENCE]).value = ('<a href="https://www.zibo.gov.cn/x">文件</a> '
                                                           '<img src=x onerror=alert(1)> url(//evil.example/a)')
    wb.save(p)
    peers = tmp_path / "peers.csv"
    peers.write_text(SAMPLE.read_text(encoding="utf-8-sig").replace("淄川区", '"=HYPERLINK(""http://x"",""y"")"'),
                     encoding="utf-8-sig")
    before = hashes(folder)
    out = tmp_path / "report"
    r = run("report", "--county", "临淄区", "--intake", folder, "--panel", SAMPLE, "--peer-panel", peers,
            "--year", 2022, "--draws", 200, "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert hashes(folder) == before
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 5
    shown = "".join(pg.read_text(encoding="utf-8") for pg in pages)
    assert '&lt;a href="https://www.zibo.gov.cn/x"&gt;文件&lt;/a&gt;' in shown    # shown, as text
    assert "HYPERLINK" in shown
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_references(text) == [], page.name
        assert "<img src=x" not in text and "<script" not in text.lower()
    assert scan_tree(out) == []


def test_templates_never_overwrite_answers_and_write_no_formula(folder, tmp_path):
    before = hashes(folder)
    refused(run("templates", "--out", folder), "已有填报内容", "不能用空白模板覆盖")
    assert hashes(folder) == before
    out = tmp_path / "blank"
    for _ in range(2):                                     # blank templates are replaced by blank templates
        r = run("templates", "--out", out, "--deadline", '=HYPERLINK("http://x","点")', "--county", "临淄\u200b区")
        assert r.returncode == 0, r.stderr
    assert scan_tree(out) == []
    guide = openpyxl.load_workbook(next(out.glob("*.xlsx")))[L.SHEET_GUIDE]
    texts = [c.value for row in guide.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("临淄区2022年度") for t in texts)


@pytest.mark.parametrize("panel,code", [("alone", 0), ("one_value", 2)])
def test_report_on_degenerate_panels(tmp_path, panel, code):
    """A county alone builds (said plainly; the ladder has no peers); one value only is refused in Chinese."""
    p = _degenerate(tmp_path)[panel]
    r = run("report", "--county", "临淄区", "--panel", p, "--peer-panel", p, "--draws", 50, "--out", tmp_path / "rep")
    assert r.returncode == code, r.stderr[-3000:]
    assert "程序内部错误" not in r.stderr and "Traceback" not in r.stderr
    if code == 0:
        assert "只有本县" in r.stdout + r.stderr and (tmp_path / "rep" / "index.html").is_file()
    else:
        assert "无法生成" in r.stderr and "[IPKernelApp] ERROR" not in r.stderr
