"""Regenerate data/sample/submissions/: the templates of data/templates filled for 临淄区 2022 with the
INVENTED values of zibo_panel.csv (示例数据，虚构), typed the way people type in Excel (是/有/√,
"95%", "12项", full-width digits, stray spaces) so the intake report shows its normalisations.

Run: .venv/bin/python data/sample/make_submissions.py
"""

import shutil
from pathlib import Path

import pandas as pd

from qstrong.departments import assignment
from qstrong.intake.fill import excel_value, fill_template
from qstrong.intake.templates import template_filename
from qstrong.measures import load_measures

HERE = Path(__file__).parent
TEMPLATES = HERE.parent / "templates"
OUT = HERE / "submissions"
COUNTY, YEAR = "临淄区", 2022
# A few entries typed as people do; intake must normalise each and record it.
MESSY = {
    "q03.mass_activities": "有",
    "q03.publicity": " 是 ",
    "q12.one_stop_platform": "√",
    "q17.class_a_coverage": "94%",
    "q18.demo_units": "１２１",
    "q20.certificates": "1,686张",
    "q40.invention_patents": "823件",
}


def main() -> None:
    panel = pd.read_csv(HERE / "zibo_panel.csv", dtype=str)
    rows = panel[(panel["county"] == COUNTY) & (panel["year"] == str(YEAR))].set_index("measure")["value"]
    measures = load_measures()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    for dept, ids in assignment().by_department.items():
        values = {}
        for mid in ids:
            m = measures[mid]
            text = rows[mid]
            typed: object = float(text) if m.kind in ("percent", "number") else (int(text) if m.kind == "count" else text)
            values[mid] = MESSY.get(mid, excel_value(mid, typed))
        fill_template(TEMPLATES / template_filename(dept), OUT / template_filename(dept), values,
                      evidence="示例佐证材料（虚构）", remark="示例数据（虚构）",
                      contact={"填报单位": dept, "填报人": "示例填报人", "联系电话": "0533-0000000",
                               "填报日期": "2023-01-10"})
    print(f"wrote {len(list(OUT.glob('*.xlsx')))} workbooks to {OUT}")


if __name__ == "__main__":
    main()
