"""The 说明 (about) of a file written for people: what it is, the benchmark, the input files (path and
SHA-256), when and by which version it was made, and the 示例数据 notice whenever synthetic or invented
values were used. One value for every writer: the xlsx's first sheet, the Word brief, the task packages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd

HEADER = ("项目", "内容")


def data_notice(invented: int) -> str:
    """The notice for `invented` synthetic/invented values ("" when there are none)."""
    if not invented:
        return ""
    return (f"示例数据提示：所用数据中有 {invented} 个数值为合成或虚构的示例数据（对标面板的合成值、示例区县的"
            "虚构值）。得分、排名与差距仅用于演示方法，不代表真实情况。替换为真实数据后重新生成即可。")


def sha256(path: str | Path) -> str:
    """The file's SHA-256 ("" for a folder or a file that cannot be read)."""
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return ""


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


@dataclass(frozen=True)
class About:
    """What a file is and what it rests on; :meth:`rows` are the 说明 sheet's (项目, 内容) pairs."""

    title: str = ""                                    # 文件内容, e.g. “临淄区 2022年 差距分析”
    benchmark: str = ""                                # Benchmark.describe()
    notes: tuple[str, ...] = ()                        # 提醒: choices made (the benchmark's notes)
    inputs: tuple[tuple[str, str, str], ...] = ()      # (role, path, sha256)
    notices: tuple[str, ...] = ()                      # data notices (示例数据提示)
    extra: tuple[tuple[str, str], ...] = ()            # further (项目, 内容) rows
    created: str = field(default_factory=_now)

    @classmethod
    def of(cls, title: str, bench=None, inputs: Iterable[tuple[str, str | Path | None]] = (),
           invented: int | None = None, extra: Iterable[tuple[str, str]] = ()) -> About:
        """From a Benchmark (its line, notes and invented values) and (role, path) inputs, hashed here;
        `invented` overrides the count (no benchmark: the caller counts)."""
        if invented is None:
            invented = bench.invented if bench is not None else 0
        return cls(title, bench.describe() if bench is not None else "",
                   tuple(bench.notes) if bench is not None else (),
                   tuple((role, str(p), sha256(p)) for role, p in inputs if p),
                   (data_notice(invented),) if invented else (), tuple(extra))

    def with_rows(self, *rows: tuple[str, str]) -> About:
        return replace(self, extra=(*self.extra, *rows))

    def rows(self) -> list[tuple[str, str]]:
        from .. import __version__

        out = [("文件内容", self.title)] if self.title else []
        out += [("数据提示", n) for n in self.notices]
        out += [("对标基准", self.benchmark)] if self.benchmark else []
        out += [("提醒", n) for n in self.notes]
        out += [(f"输入文件（{role}）", f"{path}" + (f"（SHA-256：{digest}）" if digest else ""))
                for role, path, digest in self.inputs]
        out += list(self.extra)
        out += [("生成时间", self.created), ("程序版本", f"qstrong {__version__}")]
        return out

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows(), columns=list(HEADER))
