"""The 说明 (about) of a file written for people: what it is, the benchmark, the input files (path and
SHA-256), when and by which version it was made, and the 示例数据 notice whenever synthetic or invented
values were used. One value for every writer: the xlsx's first sheet, the Word brief, the task packages.
When the benchmark imputed peers' missing values, it carries them too: every xlsx gets a sheet 插补值."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd

HEADER = ("项目", "内容")
IMPUTED_SHEET = "插补值"


def data_notice(invented: int) -> str:
    """The notice for `invented` synthetic/invented values ("" when there are none)."""
    if not invented:
        return ""
    return (f"示例数据提示：所用数据中有 {invented} 个数值为合成或虚构的示例数据（对标面板的合成值、示例区县的"
            "虚构值）。得分、排名与差距仅用于演示方法，不代表真实情况。替换为真实数据后重新生成即可。")


def imputed_notice(imputed: int) -> str:
    """The notice for `imputed` imputed peer values ("" when there are none)."""
    if not imputed:
        return ""
    return (f"插补提示：对标县（市、区）有 {imputed} 个缺失值按同市（否则同类型）对标县的中位数插补，不是填报数据；"
            f"标杆和排名包含这些插补值，逐个列于“{IMPUTED_SHEET}”表。")


def imputed_table(imputed: pd.DataFrame) -> pd.DataFrame:
    """The 插补值 sheet: every imputed value with its basis, columns for people (the id kept beside the
    name)."""
    from ..impute import BASES

    return pd.DataFrame({"县（市、区）": imputed["county"], "年份": imputed["year"].astype(int),
                         "数据项编号": imputed["measure"], "数据项": imputed["name"],
                         "数值": imputed["value"].astype(float),
                         "插补依据": imputed["basis"].map(lambda b: f"{BASES.get(b, b)}中位数"),
                         "依据范围": imputed["basis_name"], "依据县数": imputed["n"].astype(int)})


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
    imputed: pd.DataFrame | None = field(default=None, compare=False)  # Benchmark.imputed (imputing on)
    created: str = field(default_factory=_now)

    @classmethod
    def of(cls, title: str, bench=None, inputs: Iterable[tuple[str, str | Path | None]] = (),
           invented: int | None = None, extra: Iterable[tuple[str, str]] = ()) -> About:
        """From a Benchmark (its line, notes and invented values) and (role, path) inputs, hashed here;
        `invented` overrides the count (no benchmark: the caller counts). A benchmark that imputes peers'
        values adds its 插补提示 and the values themselves (the xlsx's sheet 插补值)."""
        if invented is None:
            invented = bench.invented if bench is not None else 0
        imputed = bench.imputed if bench is not None and getattr(bench, "imputation", None) is not None else None
        notices = tuple(t for t in (data_notice(invented), imputed_notice(0 if imputed is None else len(imputed)))
                        if t)
        return cls(title, bench.describe() if bench is not None else "",
                   tuple(bench.notes) if bench is not None else (),
                   tuple((role, str(p), sha256(p)) for role, p in inputs if p), notices, tuple(extra), imputed=imputed)

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
