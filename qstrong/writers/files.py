"""Writing a file safely: never over an input or inside a folder being read (:mod:`qstrong.paths`),
atomically (a temporary file in the same directory, then ``os.replace``; removed on failure), and a
failing disk or directory is a Chinese message naming the path, never a traceback."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError
from ..paths import check_output, output_problem, real_path

TITLE = "无法写出结果"

_REASONS = {
    errno.ENOENT: "所在的目录不存在：请先创建该目录",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EACCES: "没有写入权限（目录或文件是只读的）",
    errno.EPERM: "没有写入权限（目录或文件是只读的）",
    errno.EROFS: "所在的磁盘或文件系统是只读的",
    errno.ENOSPC: "磁盘空间已满：请清理磁盘后重试",
    errno.EDQUOT: "磁盘配额已用完：请清理后重试",
    errno.EFBIG: "文件过大，超出文件系统允许的大小",
    errno.ENAMETOOLONG: "文件名或路径过长：请换一个短些的名称",
    errno.EISDIR: "这是一个目录，应为文件路径",
    errno.EEXIST: "同名文件或目录已存在",
}


def os_problem(exc: OSError, path: str | Path, what: str = "输出文件") -> str:
    """A Chinese sentence for an OSError raised while writing `path`."""
    reason = _REASONS.get(exc.errno or 0) or f"写入失败（{exc.strerror or exc}）"
    return f"无法写入{what}“{path}”：{reason}"


class Output(NamedTuple):
    """An output a command will write: its path (None: not asked for), what it is, allowed extensions."""

    path: str | Path | None
    what: str = "输出文件"
    suffixes: tuple[str, ...] = ()
    directory: bool = False


def check_outputs(*outputs: Output) -> None:
    """Check a command's outputs before it works: every problem (place, extension, clash) in one InputError."""
    problems, seen = [], {}
    for out in outputs:
        if out.path is None:
            continue
        if not str(out.path).strip():
            problems.append(f"{out.what}的路径为空：请给出{'目录' if out.directory else '文件'}名，或不给这个选项")
            continue
        path = Path(out.path)
        label = f"{out.what}“{out.path}”"
        if out.suffixes and path.suffix.lower() not in out.suffixes:
            problems.append(f"{label}的扩展名应为 {' 或 '.join(out.suffixes)}（现为“{path.suffix or '无扩展名'}”）")
        real = real_path(path)
        if real in seen:
            problems.append(f"{label}与{seen[real]}是同一个路径：请分别指定")
            continue
        seen[real] = label
        problem = output_problem(path, out.what, out.directory)
        if problem:
            problems.append(problem)
    if problems:
        raise InputError(problems, TITLE)


FORMAT_SUFFIX = {"table": ".txt", "csv": ".csv", "json": ".json"}


def format_output(path: str | Path | None, fmt: str | None, what: str = "输出文件",
                  formats: tuple[str, ...] = ("table", "csv", "json")) -> tuple[str, Output]:
    """(the format, the Output to check) for a --format/--out pair: the format is taken from the file's
    extension when --format is not given (.csv, .json, .txt for a table); a given format's extension must match.
    A mismatch or an extension no writer has (.xlsx) is found by :func:`check_outputs`."""
    suffix = Path(path).suffix.lower() if path else ""
    if fmt is None:
        fmt = next((f for f in formats if FORMAT_SUFFIX[f] == suffix), "table") if path else "table"
        return fmt, Output(path, what, tuple(FORMAT_SUFFIX[f] for f in formats))
    return fmt, Output(path, f"{what}（--format {fmt}）", (FORMAT_SUFFIX[fmt],))


def _new_file_mode(path: Path) -> int:
    """The permissions the file would get if written directly: its own if it exists, else the umask's."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: str | Path, write: Callable[[Path], None], what: str = "输出文件") -> Path:
    """Check `path`, let `write` fill a temporary file beside it, then move it into place."""
    path = check_output(path, what)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".qstrong-", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
        os.close(fd)
        write(Path(tmp))
        os.chmod(tmp, _new_file_mode(path))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise InputError([os_problem(exc, path, what)], TITLE) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


def write_text(path: str | Path, text: str, what: str = "输出文件", encoding: str = "utf-8") -> Path:
    """A text file, atomically (characters the encoding cannot hold are written as ``\\udcff`` escapes)."""
    data = text.encode(encoding, errors="backslashreplace")
    return write_atomic(path, lambda tmp: tmp.write_bytes(data), what)
