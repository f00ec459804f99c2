"""Inputs are read, never written: the files and folders this process has read, and the check every
writer makes before it writes (never over an input, never inside a folder being read; a missing or
read-only directory is a Chinese message, not an errno).

Every input boundary calls :func:`register_input` (a file) or :func:`register_folder` (a folder it
reads, such as an intake folder); every writer calls :func:`check_output` first.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

_FILES: set[Path] = set()
_FOLDERS: set[Path] = set()
PACKAGE = Path(os.path.realpath(Path(__file__).parent))   # the installed package: its data is never an output
_PACKAGE_OUTPUTS: set[Path] = set()                        # except files a maintainer's generator regenerates


def real_path(path: str | Path) -> Path:
    """The real path (links resolved, ~ expanded): one way to tell whether two paths are one file."""
    return Path(os.path.realpath(Path(path).expanduser()))


def register_input(path: str | Path) -> None:
    """Remember a file this process reads (its real path: links resolved)."""
    _FILES.add(real_path(path))


def register_folder(path: str | Path) -> None:
    """Remember a folder this process reads; nothing may be written inside it."""
    _FOLDERS.add(real_path(path))


def allow_package_output(path: str | Path) -> None:
    """Let a maintainer's generator (``python -m qstrong.peerdata``) rewrite one file of the package's data."""
    _PACKAGE_OUTPUTS.add(real_path(path))


def registered() -> tuple[frozenset[Path], frozenset[Path]]:
    return frozenset(_FILES), frozenset(_FOLDERS)


def forget_inputs() -> None:
    """Clear the registry (tests; a long-lived session starting a new job)."""
    _FILES.clear()
    _FOLDERS.clear()


def output_problem(path: str | Path, what: str = "输出文件", directory: bool = False) -> str:
    """Why `path` may not be written ('' when it may)."""
    p = Path(path)
    real = real_path(p)
    if (real == PACKAGE or PACKAGE in real.parents) and real not in _PACKAGE_OUTPUTS:
        return (f"{what}“{p}”位于qstrong程序包之内（随包附带的数据，如对标面板 data/peers/shandong.csv），"
                "不能写入：请写到程序包之外（如 reports/）")
    if real in _FILES:
        return f"{what}“{p}”是本次读取的输入文件，不能覆盖：请换一个文件名"
    for folder in _FOLDERS:
        if real == folder or folder in real.parents:
            return f"{what}“{p}”位于正在读取的目录“{folder}”之内，不能写入：请写到该目录之外"
    if p.is_symlink():
        if p.is_dir():
            return (f"{what}“{p}”是指向目录“{os.path.realpath(p)}”的符号链接，为安全起见不写入："
                    "请直接指定该目录")
        return f"{what}“{p}”是符号链接，为安全起见不写入：请指定普通{'目录' if directory else '文件'}"
    if p.exists() and not (p.is_file() or p.is_dir()):
        return f"{what}“{p}”是设备、管道或套接字等特殊文件，不是普通文件：请指定普通文件路径"
    if directory:
        if p.exists() and not p.is_dir():
            return f"{what}“{p}”已存在且不是目录"
        parent = next((q for q in [p, *p.parents] if q.exists()), Path("."))
    else:
        if p.exists() and p.is_dir():
            return f"{what}“{p}”是一个目录，应为文件路径"
        parent = p.parent if str(p.parent) else Path(".")
        if not parent.exists():
            return f"{what}“{p}”所在的目录“{parent}”不存在：请先创建该目录"
        if not parent.is_dir():
            return f"{what}“{p}”所在的“{parent}”不是目录"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"没有写入权限：{what}“{p}”所在的目录“{parent}”是只读的"
    if not directory and p.exists() and not os.access(p, os.W_OK):
        return f"没有写入权限：{what}“{p}”是只读文件"
    return ""


def check_output(path: str | Path, what: str = "输出文件", directory: bool = False) -> Path:
    """`path` if it may be written; otherwise InputError with the reason in Chinese."""
    problem = output_problem(path, what, directory)
    if problem:
        raise InputError([problem], "无法写出结果")
    return Path(path)
