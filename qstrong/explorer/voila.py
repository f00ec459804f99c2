"""Serving the explorer as a local web app with Voilà (``qstrong explore``): the notebook that shows it,
the template that loads nothing from the internet, and the server started on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

import nbformat

from ..benchmark import SHIPPED
from ..errors import InputError
from ..peers import GROUPS
from ..writers import write_text

SHARE = Path(__file__).resolve().parent / "share"       # holds voila/templates/qstrong (JUPYTER_PATH entry)
TEMPLATE = "qstrong"
TITLE = "质量强县评价 · 交互探索"
LOOPBACK = ("127.0.0.1",)
NOTEBOOK_NAME = "交互探索.ipynb"
START_TIMEOUT = 120.0          # seconds Voilà may take to answer (imports, first start on a slow machine)
STOP_TIMEOUT = 15.0            # seconds Voilà may take to shut its kernels down after SIGTERM
_NOTEBOOK_METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                      "language_info": {"name": "python"}, "title": TITLE}


def explorer_notebook(county: str, panel: str | None = None, peer_panel: str | None = "shandong",
                      peers: str | None = "shandong", year: int | str | None = None,
                      config: str | None = None, *, save_dir: str | None = None) -> nbformat.NotebookNode:
    """A markdown title and one code cell showing ``qstrong.explore(...)``; every argument is written as a
    Python literal (``repr``), never pasted as code. `panel` None: the shipped 136-county panel.
    `save_dir`: where the explorer saves scenarios (None: the kernel's folder; the command gives the user's)."""
    args = {"county": county, "panel": panel, "peer_panel": peer_panel, "peers": peers, "year": year,
            "config": config, "save_dir": save_dir}
    for name, value in args.items():
        if (value is not None and not isinstance(value, (str, int))) or isinstance(value, bool):
            raise TypeError(f"{name}: expected str, int or None, got {type(value).__name__}")
    shipped = "随包附带的山东省136个县（市、区）面板（含合成数据）"
    where = shipped if panel is None else f"面板 {Path(panel).name}"
    against = shipped if peer_panel == "shandong" else "面板本身" if peer_panel is None else f"对标面板 {Path(peer_panel).name}"
    data = f"数据与对标：{shipped}" if where == against else f"数据：{where}；对标：{against}"
    group = GROUPS.get(peers or SHIPPED, "自定义对标组")
    title = f"改动任一数据项，总分、排名和各二级指标失分随即更新。{data}；对标组：{group}。"
    save = "" if save_dir is None else f",\n                save_dir={save_dir!r}"
    code = ("import qstrong\n\n"
            f"qstrong.explore({panel!r}, {county!r}, peer_panel={peer_panel!r}, peers={peers!r},\n"
            f"                year={year!r}, config={config!r}{save}, on_error='show')")
    nb = nbformat.v4.new_notebook(metadata=dict(_NOTEBOOK_METADATA))
    nb.cells = [nbformat.v4.new_markdown_cell(title, id="title"), nbformat.v4.new_code_cell(code, id="explore")]
    return nb


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The notebook as stored (nbformat's JSON, one trailing newline)."""
    return nbformat.writes(nb) + "\n"


def write_notebook(nb: nbformat.NotebookNode, path: str | Path) -> Path:
    """`nb` written to `path` through the one file writer (atomic, never over an input)."""
    return write_text(path, notebook_text(nb), what="笔记本")


def write_notebook_05(root: str | Path) -> Path:
    """``notebooks/05_交互探索.ipynb`` under the repository `root`: the explorer of 临淄区 on the shipped panel."""
    return write_notebook(explorer_notebook("临淄区", panel=None), Path(root) / "notebooks" / "05_交互探索.ipynb")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when `port` on `host` cannot be bound (someone listens there, or it is not ours to take);
    bound as the server binds it (SO_REUSEADDR), so closed connections of an earlier run do not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        if os.name != "nt":                  # on Windows the option would let two servers share a port
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def port_busy_message(port: int) -> str:
    return (f"端口 {port} 已被占用（可能已有一个交互探索或其他程序在运行）：请用 --port 换一个端口，"
            "如 --port 8867，或 --port 0 自动选一个空闲端口")


def voila_command(notebook_path: str | Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The Voilà command line: code hidden, light theme, no tracebacks, our template, `host` only, this
    port or none (no retries on other ports), files served only from the notebook's folder."""
    nb = Path(notebook_path).resolve()
    return [sys.executable, "-m", "voila", str(nb), "--no-browser", f"--Voila.ip={host}", f"--port={port}",
            "--Voila.port_retries=0", f"--template={TEMPLATE}", "--strip_sources=True", "--theme=light",
            "--show_tracebacks=False", "--VoilaExporter.language_code=zh", f"--Voila.root_dir={nb.parent}"]


def voila_env() -> dict[str, str]:
    """The server's environment: our template found first (JUPYTER_PATH)."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    return env


def _answers(host: str, port: int) -> bool:
    """Voilà answers HTTP on `port` (a static file: asking for the page itself would start a kernel)."""
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/voila/static/extension.js")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


class _Stop(Exception):
    """SIGTERM received: stop like Ctrl+C."""


def _raise_stop(signum, frame):
    raise _Stop


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to Voilà (it shuts its kernels down), then SIGKILL to its process group if it lingers."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if hasattr(os, "killpg"):
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            proc.wait()


def _tail(log) -> str:
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return "\n".join(lines[-15:])


def serve(notebook_path: str | Path, port: int = 8866, host: str = "127.0.0.1", open_browser: bool = False) -> int:
    """Serve `notebook_path` with Voilà on `host`:`port` (0: a free port) until Ctrl+C or SIGTERM; returns
    the exit code (0 stopped by the user, 2 port busy, 1 Voilà failed). Only loopback is ever bound."""
    if host not in LOOPBACK:
        raise InputError([f"交互探索只在本机地址 127.0.0.1 上提供（不接受“{host}”）"], "无法启动交互探索")
    if port == 0:
        port = free_port(host)
    elif port_in_use(port, host):
        print(f"错误：{port_busy_message(port)}", file=sys.stderr)
        return 2
    url = f"http://{host}:{port}/"
    on_main = threading.current_thread() is threading.main_thread()   # signals can be set only there
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    if on_main:                          # Ctrl+C stops even when started in the background (SIGINT ignored)
        signal.signal(signal.SIGTERM, _raise_stop)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    proc = None
    with tempfile.TemporaryFile() as log:
        try:
            proc = subprocess.Popen(voila_command(notebook_path, port, host), env=voila_env(),
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(host, port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    busy = port_in_use(port, host) and proc.poll() is not None
                    print(f"错误：{port_busy_message(port)}" if busy else
                          f"错误：交互探索未能启动（Voilà 退出或无响应）。Voilà 的输出：\n{_tail(log)}", file=sys.stderr)
                    return 2 if busy else 1
                time.sleep(0.2)
            print(f"交互探索已启动：{url} （按 Ctrl+C 结束）", flush=True)
            if open_browser:
                webbrowser.open(url)
            while proc.poll() is None:
                time.sleep(0.5)
            print(f"错误：交互探索的服务意外退出。Voilà 的输出：\n{_tail(log)}", file=sys.stderr)
            return 1
        except (KeyboardInterrupt, _Stop):
            print("交互探索已结束", flush=True)
            return 0
        finally:
            if on_main:
                signal.signal(signal.SIGTERM, previous[0])
                signal.signal(signal.SIGINT, previous[1])
            if proc is not None:
                _stop(proc)
