"""The ``qstrong`` command (thin shells over the Python API): the parser, data commands (catalog,
measures, score, templates, intake) here, the county analyses in ``cli/analysis.py``.

Exit codes: 0 success, 2 bad input (every problem listed in Chinese), 1 an unreachable target,
3 a fault of the program itself (said in Chinese; QSTRONG_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import os
import sys

from ..errors import InputError
from ..textfiles import take_notes
from ..writers import visible_text
from .parser import build_parser

__all__ = ["build_parser", "main"]

INTERNAL_ERROR = 3


class _Visible:
    """A stream whose text shows control characters as ``\\x1b`` (:func:`writers.visible_text`): nothing a
    county name, note or message carries can drive the terminal."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(visible_text(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """The command line; everything it prints to stdout and stderr goes through :class:`_Visible`."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Visible(sys.stdout), _Visible(sys.stderr)
    take_notes()                       # notes of an earlier call in this process are not this run's
    try:
        return _main(argv)
    finally:
        for note in take_notes():      # text files read in another encoding than UTF-8: said, not guessed
            print(f"提醒：{note}", file=sys.stderr)
        if isinstance(sys.stdout, _Visible):
            sys.stdout = saved[0]
        sys.stderr = saved[1]


def _main(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except InputError as exc:          # panels, scenarios, configs, options, outputs: every problem listed
        print(exc.report(), file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 — a fault of the program, said in Chinese, never a traceback
        if os.environ.get("QSTRONG_DEBUG"):
            raise
        print(f"程序内部错误（{type(exc).__name__}：{exc}）。这不是输入数据的问题：请把所用的命令和输入文件"
              "交给维护人员；设置环境变量 QSTRONG_DEBUG=1 再运行可显示详细信息。", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
