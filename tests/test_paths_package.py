"""No command writes into the installed package (its shipped data above all); only the panel generator
regenerates the shipped peer panel."""

from pathlib import Path

import pytest

from qstrong import paths
from qstrong.errors import InputError
from qstrong.peerdata import SHIPPED
from qstrong.writers import write_atomic


@pytest.mark.parametrize("target", [SHIPPED, SHIPPED.parent / "new.csv", Path(paths.PACKAGE) / "x.txt"])
def test_package_files_are_never_outputs(target):
    before = SHIPPED.read_bytes()
    with pytest.raises(InputError) as exc:
        write_atomic(target, lambda tmp: tmp.write_bytes(b"x"), "对标面板")
    assert "程序包之内" in str(exc.value)
    assert SHIPPED.read_bytes() == before and not (SHIPPED.parent / "new.csv").exists()


def test_peers_import_refuses_the_shipped_panel_as_out_with_another_base(tmp_path):
    from qstrong.cli import main

    table = tmp_path / "t.csv"
    table.write_text("地区,地区生产总值（亿元）\n陵城区,275.5\n", encoding="utf-8")
    base = tmp_path / "base.csv"
    base.write_bytes(SHIPPED.read_bytes())
    before = SHIPPED.read_bytes()
    code = main(["peers", "import", str(table), "--year", "2022", "--base", str(base), "--out", str(SHIPPED)])
    assert code == 2 and SHIPPED.read_bytes() == before


def test_the_generator_may_regenerate_the_shipped_panel_only(tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(paths, "_PACKAGE_OUTPUTS", set())
    from qstrong import peerdata

    monkeypatch.setattr(peerdata, "generate", lambda seed, years: (_ for _ in ()).throw(RuntimeError("stop")))
    with pytest.raises(RuntimeError):
        peerdata.write(SHIPPED)            # allowed up to generating (stopped before any byte is written)
    seen["allowed"] = paths.real_path(SHIPPED) in paths._PACKAGE_OUTPUTS
    assert seen["allowed"]
    assert paths.output_problem(SHIPPED.parent / "other.csv") != ""
