"""Department task packages (qstrong tasks): the departments and shared indicators derived from the
catalog by hand, lost points added up against the gap analysis's roll-up, the plan's gain re-scored on the
panel, the workbooks read back with openpyxl, hostile names and options, inputs never written."""

import hashlib
import re
import shutil
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cli_helpers import refused

from qstrong.analysis.gaps import gaps
from qstrong.analysis.tasks import department_packages, parse_deadline
from qstrong.benchmark import benchmark
from qstrong.catalog import load_catalog
from qstrong.cli import main
from qstrong.cli.tasks import package_filename, write_packages
from qstrong.errors import InputError
from qstrong.measures import load_measures
from qstrong.panel import Panel
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
SHEETS = ["说明", "通知", "指标", "措施", "未报数据", "填报情况"]
CJK = re.compile(r"[\u4e00-\u9fff]")
ARGS = [str(SAMPLE), "--county", "临淄区", "--year", "2022", "--peer-panel", "shandong"]


def owners() -> dict[int, list[str]]:
    """Indicator → its departments, read from the catalog's text and its [departments] table by hand:
    aliases folded, a group entry reported by the office it names, an empty group (towns) dropped."""
    cat = load_catalog()
    table = cat.department_table
    out = {}
    for ind in cat.indicators:
        names = []
        for d in ind.departments:
            d = table["aliases"].get(d, d)
            d = table["groups"].get(d, d)
            if d and d not in names:
                names.append(d)
        out[ind.id] = names
    return out


@pytest.fixture(scope="module")
def bench():
    return benchmark(Panel.from_csv(SAMPLE), "临淄区", 2022, "shandong", None, "shandong")


@pytest.fixture(scope="module")
def packages(bench):
    return department_packages(bench, target=85, intake=SUBMISSIONS, deadline="2023-03-31")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The CLI run as the office runs it; (exit code, stdout, output directory)."""
    out = tmp_path_factory.mktemp("tasks") / "部门任务包"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["tasks", *ARGS, "--intake", str(SUBMISSIONS), "--deadline", "2023年3月31日", "--out", str(out)])
    return code, buf.getvalue(), out


def sheet_rows(path: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def table(path: Path, name: str) -> pd.DataFrame:
    rows = sheet_rows(path, name)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_one_package_per_department_that_owns_an_indicator(packages, written):
    expected = {d for ds in owners().values() for d in ds}
    assert len(expected) >= 10
    assert set(packages) == expected
    code, out, folder = written
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{d}_任务包.xlsx" for d in expected)
    for d in expected:                                           # one summary line per department, naming its file
        line = next(x for x in out.splitlines() if x.strip().startswith(f"{d}："))
        assert f"{d}_任务包.xlsx" in line and "失分" in line and "措施" in line


def test_every_shared_indicator_is_in_each_of_its_departments_packages_marked(packages, written):
    shared = {i: ds for i, ds in owners().items() if len(ds) > 1}
    assert len(shared) >= 5
    folder = written[2]
    for ind, deps in shared.items():
        for d in deps:
            row = packages[d].indicators.loc[ind]
            assert bool(row["shared"]) and set(row["co_owners"].split("、")) == set(deps) - {d}
            sheet = table(folder / f"{d}_任务包.xlsx", "指标")
            got = sheet[sheet["指标"].astype(int) == ind].iloc[0]
            assert got["共担"] == "共担" and set(got["共担部门"].split("、")) == set(deps) - {d}
    for d, pkg in packages.items():                              # and nothing else is marked
        alone = [i for i in pkg.indicators.index if len(owners()[i]) == 1]
        assert not pkg.indicators.loc[alone, "shared"].any()
        assert set(pkg.indicators.index) == {i for i, ds in owners().items() if d in ds}


def test_lost_points_over_the_packages_add_up_to_the_department_rollup(bench, packages, written):
    rollup = gaps(bench).by_department()
    assert sum(p.lost for p in packages.values()) == pytest.approx(rollup["lost"].sum(), abs=1e-9)
    for d, p in packages.items():
        assert p.lost == pytest.approx(rollup.loc[d, "lost"], abs=1e-9)
    # the split column adds up to the county's own lost points: 100 − total (the sample is complete)
    card = bench.scores.county("临淄区")
    assert card.complete
    assert sum(p.lost_share for p in packages.values()) == pytest.approx(100 - bench.total, abs=1e-9)
    # read back: the 失分 column of every workbook's 指标 sheet, summed
    folder = written[2]
    read = sum(table(folder / f"{d}_任务包.xlsx", "指标")["失分"].astype(float).sum() for d in packages)
    assert read == pytest.approx(rollup["lost"].sum(), abs=1e-9)
    about = dict(r[:2] for r in sheet_rows(folder / "区市场监管局_任务包.xlsx", "说明")[1:])
    assert "全额计入" in about["失分计法"] and f"{rollup['lost'].sum():.2f}" in about["失分计法"]


def text(mid: str, v: float) -> str:
    m = load_measures()[mid]
    return m.levels[int(v)] if m.kind == "level" else ("是" if v else "否") if m.kind == "bool" else repr(float(v))


def test_the_path_actions_points_add_up_to_the_plans_gain_rescored(bench, packages):
    ctx = next(iter(packages.values())).context
    plan = ctx.plan
    assert plan.reached and len(plan.chosen) >= 2
    distinct = {(r.indicator, r.action): r.gain for p in packages.values() for r in p.actions.itertuples()}
    assert len(distinct) == len(plan.chosen)
    assert sum(distinct.values()) == pytest.approx(plan.gain, abs=1e-9)
    for (ind, action), _ in distinct.items():                   # each action in every owner's package
        for d in owners()[ind]:
            assert action in set(packages[d].actions["action"])
    # the gain, independently: the plan's targets written into the panel and the whole panel re-scored
    df = bench.panel.data.assign(value=bench.panel.data["raw"])[["county", "year", "measure", "value"]].copy()
    df["value"] = df["value"].astype(object)
    for mid, v in plan.changes:
        here = (df["county"] == "临淄区") & (df["year"].astype(int) == 2022) & (df["measure"] == mid)
        assert here.sum() == 1
        df.loc[here, "value"] = text(mid, v)
    new = score_panel(df, 2022).totals["临淄区"]
    assert new - bench.total == pytest.approx(sum(distinct.values()), abs=1e-9)


def test_workbooks_read_back_chinese_headers_no_formulas_about_first(written, packages):
    folder = written[2]
    for path in folder.iterdir():
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == SHEETS
        for ws in wb.worksheets:
            header = [c.value for c in ws[1] if c.value is not None]
            assert header and all(CJK.search(str(h)) for h in header), (path.name, ws.title, header)
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f" and not (isinstance(c.value, str) and c.value.startswith("="))
        about = dict(r[:2] for r in sheet_rows(path, "说明")[1:])
        assert any("示例" in str(v) or "合成" in str(v) for v in about.values())   # the data notice
        assert about["报送截止日期"] == "2023年3月31日"
    notice = [r[0] for r in sheet_rows(folder / "区住建局_任务包.xlsx", "通知")[1:]]
    pkg = packages["区住建局"]
    assert notice[1] == "区住建局：" and any("2023年3月31日" in x for x in notice)
    assert any(f"失分{pkg.lost:.2f}分" in x for x in notice)
    assert any(f"措施{len(pkg.actions)}项" in x and f"{pkg.gain:.2f}分" in x for x in notice)
    filled = table(folder / "区住建局_任务包.xlsx", "填报情况")
    assert {"佐证材料", "备注"} <= set(filled.columns) and len(filled) == len(pkg.filled) > 0


def test_without_intake_the_sheets_say_so(bench, tmp_path):
    pkgs = department_packages(bench, target=85)
    assert all(p.unreported is None and p.filled is None for p in pkgs.values())
    paths = write_packages({"区住建局": pkgs["区住建局"]}, tmp_path / "out")
    for name in ("未报数据", "填报情况"):
        rows = sheet_rows(paths["区住建局"], name)
        assert rows[0] == ("说明",) and "--intake" in rows[1][0]


def test_a_department_that_sent_nothing_has_its_measures_unreported(bench, tmp_path):
    folder = tmp_path / "收回"
    shutil.copytree(SUBMISSIONS, folder)
    gone = folder / "区住建局.xlsx"
    rows = list(openpyxl.load_workbook(gone)["填报"].iter_rows(values_only=True))
    k = rows[2].index("数据项编号")                 # what the department's template asked it for (header row 3)
    ids = {r[k] for r in rows[3:] if r[k]}
    gone.unlink()
    pkgs = department_packages(bench, target=85, intake=folder)
    todo = pkgs["区住建局"].unreported
    assert len(ids) > 0 and set(todo["status"]) == {"未报送文件"} and set(todo["measure"]) == ids
    assert len(pkgs["区住建局"].filled) == 0
    assert any(f"{len(todo)}项数据未填报" in x for x in pkgs["区住建局"].notice())
    assert all(len(p.unreported) == 0 for d, p in pkgs.items() if d != "区住建局")


@pytest.mark.parametrize("name", ['区/市:场*监?管"局<>|', "..\\..\\区局", "区\u200b局\x07\t", "CON", "", "   ",
                                  "区" * 300])
def test_department_names_illegal_in_file_names(name, packages, tmp_path):
    fname = package_filename(name)
    assert fname.endswith("_任务包.xlsx") and len(fname) <= 80
    assert not set('\\/:*?"<>|\x00\x07\t\u200b') & set(fname) and not fname.startswith(".")
    assert fname.split("_任务包")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    pkg = replace(packages["区委办"], department=name)
    out = tmp_path / "out"
    paths = write_packages({name: pkg}, out)
    assert [p.name for p in out.iterdir()] == [fname] == [paths[name].name]
    assert openpyxl.load_workbook(paths[name]).sheetnames == SHEETS


def test_two_departments_with_one_file_name_get_two_files(packages, tmp_path):
    pkg = packages["区委办"]
    paths = write_packages({"区:委办": pkg, "区?委办": pkg}, tmp_path)
    assert len({p.name for p in paths.values()}) == 2 and len(list(tmp_path.iterdir())) == 2


def test_deadline_forms():
    assert parse_deadline("2023-03-31") == ("2023年3月31日", "")
    assert parse_deadline("２０２３年３月３１日") == ("2023年3月31日", "")
    assert parse_deadline(None)[0] and not parse_deadline(None)[1]
    assert parse_deadline("2023-02-30")[1] and parse_deadline("下周五")[1] and parse_deadline("0023-03-31")[1]
    assert parse_deadline("٢٠٢٣-03-31")[1]                       # other scripts' digits are not read as a date


def test_bad_options_exit_2_with_chinese_messages(capsys, tmp_path):
    err = refused(capsys, "tasks", *ARGS, "--target", "120", "--deadline", "下周五", "--out", str(tmp_path / "o"))
    assert "--target" in err and "--deadline" in err and "下周五" in err      # both listed together
    assert not (tmp_path / "o").exists()
    err = refused(capsys, "tasks", *ARGS)                                       # --out missing
    assert "--out" in err
    (tmp_path / "f.txt").write_text("x")
    assert "不是目录" in refused(capsys, "tasks", *ARGS, "--out", str(tmp_path / "f.txt"))
    assert refused(capsys, "tasks", str(SAMPLE), "--county", "没有这个县", "--out", str(tmp_path / "o"))
    assert "--intake" in refused(capsys, "tasks", *ARGS, "--resolve", str(tmp_path / "f.txt"), "--out", str(tmp_path / "o"))
    assert refused(capsys, "tasks", *ARGS, "--intake", str(tmp_path / "无此目录"), "--out", str(tmp_path / "o"))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_outputs_never_go_over_or_into_inputs(capsys, tmp_path):
    folder = tmp_path / "收回"
    shutil.copytree(SUBMISSIONS, folder)
    panel = tmp_path / "panel.csv"
    shutil.copy(SAMPLE, panel)
    before, panel_before = digest(folder), panel.read_bytes()
    args = [str(panel), "--county", "临淄区", "--year", "2022", "--peer-panel", "shandong", "--intake", str(folder)]
    for out in (folder, folder / "任务包", panel):
        assert refused(capsys, "tasks", *args, "--out", str(out))
    assert digest(folder) == before and panel.read_bytes() == panel_before


def test_an_intake_with_errors_is_refused_and_nothing_written(capsys, bench, tmp_path):
    folder = tmp_path / "收回"
    shutil.copytree(SUBMISSIONS, folder)
    shutil.copy(folder / "区住建局.xlsx", folder / "区住建局（第二份）.xlsx")     # two files from one department
    with pytest.raises(InputError) as exc:
        department_packages(bench, target=85, intake=folder)
    assert "区住建局" in str(exc.value)
    err = refused(capsys, "tasks", *ARGS, "--intake", str(folder), "--out", str(tmp_path / "out"))
    assert "区住建局" in err and not (tmp_path / "out").exists()


def test_an_unreachable_target_still_writes_the_packages_and_exits_1(capsys, tmp_path):
    out = tmp_path / "out"
    args = [str(SAMPLE), "--county", "沂源县", "--year", "2022", "--peer-panel", "shandong"]   # 26 unscored: 98 at most
    code = main(["tasks", *args, "--target", "100", "--out", str(out)])
    said = capsys.readouterr().out
    assert code == 1 and "无法达到" in said
    rows = sheet_rows(out / "区住建局_任务包.xlsx", "措施")
    assert rows[0] == ("说明",) and "无法达到" in rows[1][0]
    assert len(list(out.iterdir())) == len({d for ds in owners().values() for d in ds})


def test_formula_like_evidence_and_remarks_are_written_as_text(bench, tmp_path):
    folder = tmp_path / "收回"
    shutil.copytree(SUBMISSIONS, folder)
    book = folder / "区住建局.xlsx"
    wb = openpyxl.load_workbook(book)
    typed = {"G4": '=HYPERLINK("http://x","点我")', "F5": "+1-2 佐证", "G5": "@SUM(A1)"}
    for ref, value in typed.items():          # text cells, as a department types them after a leading '
        wb["填报"][ref].value = value
        wb["填报"][ref].data_type = "s"
    wb.save(book)
    pkgs = department_packages(bench, target=85, intake=folder)
    paths = write_packages({"区住建局": pkgs["区住建局"]}, tmp_path / "out")
    ws = openpyxl.load_workbook(paths["区住建局"])["填报情况"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'" + v for v in typed.values()} <= texts


def test_a_vetoed_county_is_said_vetoed_everywhere_and_the_veto_departments_check_it_first(capsys, tmp_path):
    panel = tmp_path / "否决.csv"
    text_ = SAMPLE.read_text(encoding="utf-8")
    row = "临淄区,2022,veto.major_safety_accident,否"
    assert row in text_
    panel.write_text(text_.replace(row, row[:-1] + "是"), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["tasks", str(panel), "--county", "临淄区", "--peer-panel", "shandong", "--out", str(out)])
    said = capsys.readouterr().out
    cat = load_catalog()
    item = load_measures()["veto.major_safety_accident"].name_zh        # the item, from the measures table
    aliases, groups = cat.department_table["aliases"], cat.department_table["groups"]
    veto_deps = {aliases.get(d, d) for d in cat.veto.departments}
    veto_deps = {groups.get(d, d) if d in groups else d for d in veto_deps} - {""}
    headline = said.splitlines()[1]
    assert code == 0 and "一票否决已触发" in headline and item in headline and "不予评定" in headline
    files = sorted(out.iterdir())
    assert files and veto_deps & {f.name.removesuffix("_任务包.xlsx") for f in files}
    for f in files:
        about = [r for r in sheet_rows(f, "说明") if r and r[0] == "总分与排名"]
        assert about and "一票否决已触发" in about[0][1] and item in about[0][1] and "不予评定" in about[0][1]
        notice = [r[0] for r in sheet_rows(f, "通知")[1:]]           # title, addressee, standing, first task…
        assert "一票否决已触发" in notice[2] and item in notice[2] and "不予评定" in notice[2]
        dept = f.name.removesuffix("_任务包.xlsx")
        assert notice[3].startswith("首要任务") == (dept in veto_deps), dept
    # not vetoed: no word of it in the notice
    main(["tasks", str(SAMPLE), "--county", "临淄区", "--peer-panel", "shandong", "--out", str(tmp_path / "o2")])
    capsys.readouterr()
    notice = [r[0] for r in sheet_rows(tmp_path / "o2" / "区统计局_任务包.xlsx", "通知")[1:]]
    assert not any("一票否决已触发" in n or n.startswith("首要任务") for n in notice)


def test_with_an_intake_tasks_brief_and_report_score_the_same_total_and_rank(capsys, tmp_path):
    from qstrong.reports.inputs import load_inputs

    folder = tmp_path / "收回"
    shutil.copytree(SUBMISSIONS, folder)
    (folder / "区住建局.xlsx").unlink()                 # one department sent nothing: the intake's year differs
    args = [str(SAMPLE), "--county", "临淄区", "--peer-panel", "shandong", "--intake", str(folder)]
    main(["tasks", *args, "--out", str(tmp_path / "out")])
    tasks_said = capsys.readouterr().out
    assert main(["brief", *args, "--draws", "50", "--out", str(tmp_path / "简报.docx")]) in (0, 1)
    brief_said = capsys.readouterr().out
    bench = load_inputs("临淄区", str(SAMPLE), str(folder), "shandong").benchmark
    panel_only = benchmark(Panel.from_csv(SAMPLE), "临淄区", 2022, "shandong", None, "shandong")
    assert abs(bench.total - panel_only.total) > 0.01          # the case matters: the two ways differ
    t = re.search(r"总分(\d+\.\d\d)分，排名(第\d+名/共\d+个)", tasks_said)
    b = re.search(r"总分 (\d+\.\d\d)，(第\d+名/共\d+个)", brief_said)
    assert t and b and t.groups() == b.groups() == (f"{bench.total:.2f}", bench.rank_text())


def test_a_resolutions_file_is_used_the_way_intake_uses_it(tmp_path, capsys):
    """--resolve settles the intake the packages rest on; the headline is the same as without it when
    it settles nothing that differs."""
    from qstrong.cli import main

    rules = tmp_path / "裁定.csv"
    rules.write_text("measure,department,note\nq10.quality_funding,区财政局,以财政局决算为准\n", encoding="utf-8")
    heads = []
    for extra in ([], ["--resolve", str(rules)]):
        capsys.readouterr()
        code = main(["tasks", *ARGS, "--intake", str(SUBMISSIONS), *extra, "--out", str(tmp_path / f"o{len(extra)}")])
        assert code == 0
        heads.append(next(ln for ln in capsys.readouterr().out.splitlines() if "总分" in ln))
    assert heads[0] == heads[1] and "80.54" in heads[0]
