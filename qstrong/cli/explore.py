"""The ``qstrong explore`` sub-command (registered by ``parser.build_parser``): the interactive explorer
served as a local web page with Voilà on 127.0.0.1 (:mod:`qstrong.explorer.voila`). Every option is
checked, and the benchmark built once, before any server starts."""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..benchmark import SHIPPED
from ..errors import InputError

SHIPPED_PANEL = "随包附带的山东省136个县（市、区）面板（含合成数据）"
PORT_HELP = "本机端口（0～65535；0 表示自动选一个空闲端口；默认8866）"
EPILOG = ("只在本机地址 127.0.0.1 上提供，不连接互联网；按 Ctrl+C 结束。"
          "退出码：0 正常结束，2 参数或数据有误、端口已被占用，1 服务未能启动或意外退出。")


def register(sub, analysis_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the sub-command to `sub`; `analysis_parser(sub, name, help)` gives the shared county options
    (PANEL made optional here: omitted, the shipped panel; --peer-panel defaults to shandong;
    --panel-counties-as-peers removed: ``explore`` has no such choice)."""
    p = analysis_parser(sub, "explore", "交互探索：本机网页中改动数据项，总分、排名和失分随即更新（Voilà，不需要编程）")
    for action in list(p._actions):
        if action.dest == "panel_counties_as_peers":   # explore() takes no such choice: not offered here
            p._handle_conflict_resolve(None, [(opt, action) for opt in action.option_strings])
        elif action.dest == "panel":
            action.nargs, action.required, action.default = "?", False, None
            action.help = f"{action.help}（省略时：{SHIPPED_PANEL}）"
        elif action.dest == "peer_panel":
            action.default = SHIPPED
    p.add_argument("--port", default="8866", metavar="端口", help=PORT_HELP)
    p.add_argument("--open", action="store_true", help="启动后用本机默认浏览器打开页面（默认：否）")
    p.epilog = EPILOG
    p.set_defaults(func=cmd_explore)


def port_problem(text: str) -> str | None:
    """The Chinese problem with a --port value, or None."""
    if not re.fullmatch(r"\d{1,5}", str(text).strip(), flags=re.ASCII) or int(text) > 65535:
        return f"--port（本机端口）：“{text}”不是 0～65535 的整数（0 表示自动选一个空闲端口）"
    return None


def _absolute(path: str | None) -> str | None:
    """A file option as an absolute path (the server's kernel runs in another folder)."""
    if path is None or path == SHIPPED:
        return path
    return str(Path(path).resolve())


def _absolute_peers(spec: str | None) -> str | None:
    """A peer list file (@file) as an absolute path, like the other files (the kernel runs elsewhere)."""
    if spec and spec.startswith("@"):
        return "@" + str(Path(spec[1:]).resolve())
    return spec


def _titled(exc: InputError) -> list[str]:
    """`exc`'s problems, each with its error's title (which names the file) in front."""
    head = exc.title.format(n=len(exc.problems))
    return [f"{head}：{p}" for p in exc.problems]


def check(args: argparse.Namespace):
    """Every problem with the options and the data, together (InputError), else the benchmark: built once
    the way the other commands build it (``cli.common._benchmark``)."""
    from ..peerdata import peer_panel_path
    from .common import _benchmark, _config

    problems: list[object] = []
    if (bad := port_problem(args.port)) is not None:
        problems.append(bad)
    probe = copy.copy(args)
    if probe.panel is None:
        probe.panel = str(peer_panel_path(SHIPPED))
    if probe.config:                   # a bad config is said together with the panel's and county's problems
        try:
            _config(probe)
        except InputError as exc:
            problems += _titled(exc)
            probe.config = None
    bench = None
    try:
        bench = _benchmark(probe)
    except InputError as exc:
        problems += _titled(exc)
    if problems:
        raise InputError(problems, "交互探索的参数有{n}处问题")
    return bench


def cmd_explore(args: argparse.Namespace) -> int:
    from ..explorer.voila import explorer_notebook, serve, write_notebook

    bench = check(args)
    print(bench.describe())
    if args.panel is None:
        print(f"未给出面板CSV：使用{SHIPPED_PANEL}中 {bench.county} 的数据")
    from .common import _config_path

    with tempfile.TemporaryDirectory(prefix="qstrong-explore-") as tmp:
        config = _absolute(_config_path(args, tmp))       # --impute-peers merged into the reading
        nb = explorer_notebook(bench.county, panel=_absolute(args.panel), peer_panel=_absolute(args.peer_panel),
                               peers=_absolute_peers(args.peers), year=bench.year, config=config,
                               save_dir=os.getcwd())
        path = write_notebook(nb, Path(tmp) / "交互探索.ipynb")
        code = serve(path, port=int(args.port), open_browser=args.open)
    sys.stdout.flush()
    return code
