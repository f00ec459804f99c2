"""Templates: made from the catalog, committed in data/templates, and never drifting from it."""

from pathlib import Path

import openpyxl
import pytest

from qstrong.catalog import load_catalog
from qstrong.departments import assignment
from qstrong.intake import layout as L
from qstrong.intake.templates import build_template, template_filename, write_templates

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "templates"


def signature(wb: openpyxl.Workbook) -> dict:
    """Everything a department sees or the reader relies on: cells, formats, validations, protection."""
    out = {}
    for ws in wb.worksheets:
        cells = {c.coordinate: (c.value, c.number_format, c.protection.locked)
                 for row in ws.iter_rows() for c in row if c.value is not None or not c.protection.locked}
        dvs = sorted((dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref))
                     for dv in ws.data_validations.dataValidation)
        out[ws.title] = (ws.sheet_state, ws.protection.sheet, cells, dvs)
    return out


def test_committed_templates_match_the_catalog(tmp_path):
    # Regenerate with: .venv/bin/qstrong templates --out data/templates
    fresh = write_templates(tmp_path)
    assert sorted(p.name for p in COMMITTED.glob("*.xlsx")) == sorted(p.name for p in fresh)
    for p in fresh:
        committed = openpyxl.load_workbook(COMMITTED / p.name)
        assert signature(committed) == signature(openpyxl.load_workbook(p)), (
            f"{p.name} drifted from the catalog: run `qstrong templates --out data/templates`")


def test_one_template_per_department_plus_master():
    names = {p.stem for p in COMMITTED.glob("*.xlsx")}
    assert names == set(assignment().by_department) | {L.MASTER}
    # group entries are not departments of their own; aliases are folded
    assert "区质量强区创建工作领导小组各成员单位" not in names and "各镇街道" not in names
    assert "区市场监督管理局" not in names and "市生态环境局临淄分局" not in names


def test_department_rows_follow_the_catalog():
    a = assignment()
    # 9 is shared by 区市场监管局、区财政局、区工信局: each reports all nine funded areas.
    for dept in ("区市场监管局", "区财政局", "区工信局"):
        assert {f"q09.funded.{k}" for k in ("brand", "credit", "metrology")} <= set(a.by_department[dept])
    # group entries of indicators 3/4/5/27/43 are collected by the leading office.
    assert "q43.national_honors" in a.by_department["区质量强区创建工作领导小组办公室"]
    assert a.by_department["区农业农村局"] == ("q29.agri_safety_county",)
    assert set(a.by_department["区统计局"]) >= {"gdp", "population", "veto.statistical_fraud"}
    assert a.departments_of("veto.major_drug_incident") == ("区市场监管局",)


def test_template_structure():
    wb = build_template("区科技局", list(assignment().by_department["区科技局"]), "临淄区", 2022)
    assert wb.sheetnames == [L.SHEET_GUIDE, L.SHEET_DATA, L.SHEET_META]
    meta = wb[L.SHEET_META]
    assert meta.sheet_state == "hidden"
    kv = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, meta.max_row + 1)}
    assert kv["department"] == "区科技局" and kv["year"] == "2022" and kv["county"] == "临淄区"
    assert kv["catalog_fingerprint"] == load_catalog().fingerprint
    ws = wb[L.SHEET_DATA]
    assert [ws.cell(L.HEADER_ROW, k).value for k in range(1, 8)] == ["序号", "指标", "数据项", "单位", "填报值",
                                                                  "佐证材料", "备注"]
    assert ws.protection.sheet
    ids = [ws.cell(r, L.COL_INDEX[L.MEASURE_ID]).value for r in range(L.FIRST_ROW, ws.max_row + 1)]
    assert ids == list(assignment().by_department["区科技局"])
    for r in range(L.FIRST_ROW, ws.max_row + 1):
        for name, _ in L.COLUMNS:
            locked = ws.cell(r, L.COL_INDEX[name]).protection.locked
            assert locked == (name not in L.INPUT_COLUMNS), (r, name)


@pytest.mark.parametrize("measure, dv_type, formula1, fmt", [
    ("q41.tech_trade", "decimal", "0.0", None),                 # number ≥ 0
    ("q42.national_first.lead", "whole", "0.0", None),          # count: whole ≥ 0
])
def test_validation_by_kind_numbers(measure, dv_type, formula1, fmt):
    wb = build_template("区科技局", list(assignment().by_department["区科技局"]), "临淄区", 2022)
    ws = wb[L.SHEET_DATA]
    row = next(r for r in range(L.FIRST_ROW, ws.max_row + 1)
               if ws.cell(r, L.COL_INDEX[L.MEASURE_ID]).value == measure)
    coord = ws.cell(row, L.COL_INDEX[L.VALUE]).coordinate
    dv = next(dv for dv in ws.data_validations.dataValidation if coord in dv.sqref)
    assert (dv.type, dv.formula1) == (dv_type, formula1)


def test_validation_of_bool_level_percent():
    master = build_template(L.MASTER, list(load_catalog().measures), "临淄区", 2022)
    ws = master[L.SHEET_DATA]
    rows = {ws.cell(r, L.COL_INDEX[L.MEASURE_ID]).value: r for r in range(L.FIRST_ROW, ws.max_row + 1)}

    def dv_of(mid):
        coord = ws.cell(rows[mid], L.COL_INDEX[L.VALUE]).coordinate
        return next(dv for dv in ws.data_validations.dataValidation if coord in dv.sqref)

    assert dv_of("q01.spirit_in_official_docs").formula1 == '"是,否"'
    assert dv_of("q05.event_level").formula1 == '"国家级,省级,无"'
    pct = dv_of("q17.class_a_coverage")
    assert (pct.type, pct.operator, pct.formula1, pct.formula2) == ("decimal", "between", "0.0", "1.0")
    assert ws.cell(rows["q17.class_a_coverage"], L.COL_INDEX[L.VALUE]).number_format == L.PERCENT_FORMAT
    q37 = dv_of("q37.energy_intensity_reduction")
    assert (q37.formula1, q37.formula2) == ("-1.0", "1.0")
    assert dv_of("population").operator == "greaterThan"
    assert len(rows) == len(load_catalog().measures)


def test_template_filename_is_safe():
    assert template_filename("区应急管理局 ") == "区应急管理局.xlsx"
    assert template_filename('a/b:c*"d') == "a_b_c_d.xlsx"


# The seed's counting rules, copied by hand from annex 2 (4, 14, 42, 43), and the measures they govern.
COUNTING = {
    "q04.national_media_reports": "广告宣传除外",
    "q04.provincial_media_reports": "广告宣传除外",
    "q14.national_participated": "包括主导修订或参与修订",
    "q42.provincial_third.partner": "自然科学奖、技术发明奖等同",
    "q42.national_first.lead": "自然科学奖、技术发明奖等同",
    "q43.national_honors": "同一荣誉既获得国家级又获得省级的，仅按高级别统计一次",
    "q43.provincial_honors": "中国质量奖、省长质量奖统计历年累计数量",
}


def test_counting_rules_reach_the_committed_templates_verbatim():
    wb = openpyxl.load_workbook(ROOT / "data" / "templates" / f"{L.MASTER}.xlsx")
    ws = wb[L.SHEET_DATA]
    head = {ws.cell(L.HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    need = {ws.cell(r, head["数据项编号"]).value: ws.cell(r, head["填报要求"]).value
            for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, head["数据项编号"]).value}
    for measure, words in COUNTING.items():
        assert words in need[measure] and "计数口径（评价标准原文）" in need[measure], measure
    plain = [m for m, text in need.items() if "计数口径" in text and m not in COUNTING]
    assert all(m.split(".")[0] in ("q04", "q14", "q42", "q43") for m in plain)
    assert not any(ch.isascii() and ch.isalpha() for text in need.values() for ch in text)   # no English, no ids


def test_a_counting_rule_not_in_the_standard_is_refused():
    from qstrong.catalog import CatalogError, parse_catalog

    raw = (ROOT / "qstrong" / "data" / "catalog.toml").read_text(encoding="utf-8")
    bad = raw.replace("counting = { \"q14.national_participated\" = \"参与制定或修订（包括主导修订或参与修订）国家标准\" }",
                      "counting = { \"q14.national_participated\" = \"包括主导或参与修订\" }")
    assert bad != raw
    with pytest.raises(CatalogError, match="不是评价标准原文"):
        parse_catalog(bad.encode("utf-8"))
