"""The test matrix's pandas 2.x entry: the writer, panel and round-trip tests run again with pandas 2
(text as object dtype, where pandas 3 has ``str``) — installed by the Makefile into .venv/pandas2 and
put first on the path of a child pytest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PANDAS2 = ROOT / ".venv" / "pandas2"
TESTS = ["tests/test_writers.py", "tests/test_outputs_hostile.py", "tests/test_panel_hostile.py", "tests/test_panel.py",
         "tests/test_yearbook_merge.py", "tests/test_yearbook_import.py", "tests/test_cli_peers.py",
         "tests/test_hostile_sweep.py::test_hostile_texts_never_become_formulas_and_the_intake_output_scores",
         "tests/test_hostile_sweep.py::test_negative_values_round_trip",
         "tests/test_hostile_sweep.py::test_peer_names_that_look_like_formulas"]


@pytest.mark.skipif(not PANDAS2.is_dir() and os.environ.get("CI") != "true",
                    reason="pandas 2 not installed beside pandas 3 (make test installs it)")
def test_writers_and_round_trips_under_pandas_2():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PANDAS2), os.environ.get("PYTHONPATH", "")])}
    probe = subprocess.run([sys.executable, "-c", "import pandas; print(pandas.__version__)"], env=env,
                           capture_output=True, text=True, cwd=ROOT)
    assert probe.stdout.startswith("2."), probe.stdout + probe.stderr
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *TESTS], env=env,
                         capture_output=True, text=True, cwd=ROOT, timeout=1800)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
