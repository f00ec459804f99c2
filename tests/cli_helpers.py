"""Running the command line in-process as the hostile-input tests do: the exit code and what it printed."""

from __future__ import annotations

from qstrong.cli import main


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, *args: str) -> str:
    """Run the CLI, assert exit 2 with a Chinese message and no traceback; the error text."""
    code, out, err = cli(capsys, *args)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "程序内部错误" not in err
    assert "Error:" not in err and "usage:" not in err
    return err
