"""Fixtures shared by test modules: the report built once per session (the report and print tests)."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
EVIL_REMARK = '<script>alert("x")</script><img src=x onerror=alert(1)>'
EVIL_FILE = "区科技局<b>粗体<i>.xlsx"   # no "/" in a file name


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    """The report of 临淄区 from the sample submissions, one department's remark, evidence and file name
    carrying markup."""
    from qstrong.intake.fill import fill_template
    from qstrong.reports.build import build_report

    root = tmp_path_factory.mktemp("report")
    sub = root / "submissions"
    shutil.copytree(SUBMISSIONS, sub)
    # a department writes markup into its remark and evidence columns and into its file name
    fill_template(sub / "区科技局.xlsx", sub / EVIL_FILE, {"q41.tech_trade": 44.01}, evidence=EVIL_REMARK,
                  remark=EVIL_REMARK)
    (sub / "区科技局.xlsx").unlink()
    index = build_report("临淄区", intake=str(sub), out=root / "out", draws=1000, progress=False)
    return index.parent
