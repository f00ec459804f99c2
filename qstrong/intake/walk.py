"""The files of an intake folder: walked without following links, every skipped entry said (lock,
hidden and system files too, each a notice).

A link that leaves the folder is refused (an error naming link and target); a dangling link, a
link inside the folder, a FIFO, socket or device is skipped with a notice. Nothing is opened here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .files import WORKBOOK_SUFFIXES, skipped_name
from .model import Issue

_KINDS = ((stat.S_ISFIFO, "命名管道（FIFO）"), (stat.S_ISSOCK, "套接字（socket）"), (stat.S_ISCHR, "字符设备"),
          (stat.S_ISBLK, "块设备"))


def _link(path: Path, folder: Path, rel: str) -> Issue:
    target = os.readlink(path)
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(folder))
    if not os.path.lexists(real) or not real.exists():
        return Issue(f"符号链接指向不存在的目标“{target}”，已跳过", rel, level="提醒")
    if real != root and root not in real.parents:
        return Issue(f"符号链接指向目录之外的“{real}”，为安全起见不予读取：请把文件本身放入收集目录", rel)
    what = "目录" if real.is_dir() else "文件"
    return Issue(f"符号链接指向目录内的{what}“{real.relative_to(root)}”，已跳过（不按链接重复读取）", rel,
                 level="提醒")


def list_files(folder: Path) -> tuple[list[Path], list[Issue]]:
    """Workbook candidates under `folder` (sorted) and the notices/errors for everything skipped."""
    paths: list[Path] = []
    issues: list[Issue] = []

    def failed(err: OSError) -> None:
        name = Path(err.filename).relative_to(folder) if err.filename else folder
        issues.append(Issue(f"无法读取目录（{err.strerror or type(err).__name__}），其中的文件未读取", str(name)))

    for top, dirs, files in os.walk(folder, followlinks=False, onerror=failed):
        dirs.sort()
        here = Path(top)
        for name in sorted(dirs):
            p = here / name
            if p.is_symlink():
                issues.append(_link(p, folder, str(p.relative_to(folder))))
        for name in sorted(files):
            p = here / name
            rel = str(p.relative_to(folder))
            try:
                st = p.lstat()
            except OSError as err:
                issues.append(Issue(f"无法读取文件信息（{err.strerror}），已跳过", rel))
                continue
            if stat.S_ISLNK(st.st_mode):
                issues.append(_link(p, folder, rel))
                continue
            if not stat.S_ISREG(st.st_mode):
                what = next((label for test, label in _KINDS if test(st.st_mode)), "特殊文件")
                issues.append(Issue(f"不是普通文件（{what}），已跳过", rel, level="提醒"))
                continue
            if skipped_name(p):
                issues.append(Issue(skipped_name(p), rel, level="提醒"))
                continue
            if p.suffix.lower() not in WORKBOOK_SUFFIXES:
                issues.append(Issue("不是工作簿，已忽略（佐证材料请按通知另行报送）", rel, level="提醒"))
                continue
            paths.append(p)
    return sorted(paths), issues
