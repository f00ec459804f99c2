"""Fuzz the command line as a careless user types it: random commands, options and values (valid, odd
and hostile) over a small panel. Whatever comes in, the program answers with 0, 1 or 2 and a message —
never an exception, never exit 3 (a fault of the program), and never a file written where it may not."""

from __future__ import annotations

from pathlib import Path

import pytest
from exported import hashes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.cli import main
from qstrong.paths import forget_inputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
ODD = ["", " ", "0", "-1", "1e9", "nan", "inf", "abc", "１２", "1²", "\u200b", "=1+1", "@x", "2022.5", "99999999999999999999",
       "临淄\u200b区", ",,,", "..", "/", "\x00"]
VALUES = {
    "--county": ["临淄区", "张店区", "不存在县", "临淄区 "],
    "--year": ["2022", "2021", "1999", "2200"],
    "--peers": ["shandong", "prefecture", "type", "strong2022", "淄川区,张店区", "，", "@/nonexistent"],
    "--draws": ["1", "7", "0", "1000000000"],
    "--spread": ["0", "0.3", "1", "5"],
    "--sobol-n": ["16", "17", "0"],
    "--sobol": ["none", "weights", "inputs", "all"],
    "--to": ["2023", "2025", "1900", "100000"],
    "--target": ["50", "85", "100", "101", "-5"],
    "--share": ["0.5", "1", "2"],
    "--indicator": ["10", "33", "1", "99"],
    "--points": ["1", "-1", "50"],
    "--seed": ["0", "-3", "4294967296"],
    "--format": ["table", "csv", "json", "xml"],
    "--scenario": ["plan2025", "nope.yaml", "."],
}
COMMANDS = {
    "score": ["--county", "--year", "--format"],
    "gaps": ["--county", "--year", "--peers"],
    "whatif": ["--county", "--year", "--peers", "--scenario"],
    "required": ["--county", "--year", "--share", "--indicator", "--points"],
    "project": ["--county", "--peers", "--to", "--draws", "--seed"],
    "path": ["--county", "--year", "--target"],
    "sensitivity": ["--county", "--year", "--draws", "--spread", "--sobol", "--sobol-n", "--seed"],
}


@st.composite
def argv(draw):
    cmd = draw(st.sampled_from(sorted(COMMANDS)))
    args = [cmd, str(SAMPLE)]
    for opt in draw(st.lists(st.sampled_from(COMMANDS[cmd]), unique=True, max_size=5)):
        args += [opt, draw(st.sampled_from(VALUES[opt]) | st.sampled_from(ODD))]
    if "--county" not in args and draw(st.booleans()):
        args += ["--county", "临淄区"]
    if cmd == "sensitivity" and "--draws" not in args:
        args += ["--draws", "20"]
    if cmd == "sensitivity" and "--sobol-n" not in args:
        args += ["--sobol-n", "16"]
    if cmd == "project" and "--draws" not in args:
        args += ["--draws", "5"]
    return args


@pytest.fixture(autouse=True)
def _fresh():
    forget_inputs()
    yield
    forget_inputs()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=argv())
def test_any_command_line_gets_an_answer(args, capsys, tmp_path_factory):
    before = hashes(SAMPLE.parent)
    try:
        rc = main(args)
    except SystemExit as exc:             # --help only; argparse errors are InputErrors (exit 2)
        rc = exc.code
    out = capsys.readouterr()
    assert rc in (0, 1, 2), (args, rc, out.err[-2000:])
    if rc == 2:
        assert out.err.strip() and "Traceback" not in out.err, (args, out.err)
    assert hashes(SAMPLE.parent) == before
