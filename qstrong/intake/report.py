"""The intake report: every cell read (accepted, normalised, missing, rejected), problems, chase list."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..names import clean_text
from ..writers import frames_to_xlsx, write_text
from .collect import IntakeResult

HEADERS = {
    "files": {"file": "文件", "department": "部门", "county": "县（市、区）", "year": "年度", "sha256": "SHA-256",
              "modified": "修改时间", "bytes": "字节数", "values": "有效数据值", "problems": "错误数"},
    "issues": {"level": "级别", "file": "文件", "sheet": "工作表", "cell": "单元格", "measure": "数据项",
               "message": "说明"},
    "cells": {"file": "文件", "sheet": "工作表", "cell": "单元格", "department": "部门", "county": "县（市、区）",
              "year": "年度", "measure": "数据项", "original": "原始内容", "value": "采用值", "status": "状态",
              "note": "规范化/说明", "evidence": "佐证材料", "remark": "备注", "sha256": "文件SHA-256",
              "modified": "文件修改时间"},
    "chase": {"department": "部门", "measure": "数据项", "name": "名称", "indicator": "指标", "file": "文件",
              "cell": "单元格", "status": "状态", "covered_by_other": "其他部门已报"},
}
SHEETS = {"files": "汇总", "issues": "问题清单", "cells": "逐格记录", "chase": "未填报清单"}


def chase_table(res: IntakeResult) -> pd.DataFrame:
    """未填报清单 with the report's Chinese headers (also what --chase writes, without an index)."""
    return res.chase().rename(columns=HEADERS["chase"])


def report_frames(res: IntakeResult) -> dict[str, pd.DataFrame]:
    frames = {"files": res.files(), "issues": res.issues_frame(), "cells": res.cells()}
    out = {SHEETS[key]: df.rename(columns=HEADERS[key]) for key, df in frames.items()}
    out[SHEETS["chase"]] = chase_table(res)
    out["裁定记录"] = pd.DataFrame({"裁定": res.resolutions})
    return out


WHAT = "收集报告"


def write_report(res: IntakeResult, path: str | Path, notes: list[str] | None = None) -> Path:
    """An .xlsx (formula-safe string cells) or a self-contained .html (every text escaped).

    Texts cut at Excel's cell limit are reported in `notes`; an unknown extension is refused.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".html", ".htm"):
        raise InputError([f"{WHAT}“{path}”的扩展名应为 .xlsx 或 .html（现为“{suffix or '无扩展名'}”）"],
                         "无法写出结果")
    frames = report_frames(res)
    if suffix == ".xlsx":
        return frames_to_xlsx(frames, path, index=False, what=WHAT, notes=notes)
    return write_text(path, _html(res, frames), WHAT)


def _html(res: IntakeResult, frames: dict[str, pd.DataFrame]) -> str:
    e = html.escape
    status = "可以计分" if res.ok else f"有{len(res.errors)}处错误，需更正后重新报送"
    parts = [f"<h1>数据收集报告</h1><p>目录：{e(clean_text(res.folder))}；文件 {len(res.books)} 个；结论：<b>{e(status)}</b></p>"]
    for name, df in frames.items():
        parts.append(f"<h2>{e(name)}（{len(df)}）</h2>")
        shown = df.map(lambda v: clean_text(v) if isinstance(v, str) else v).rename(columns=clean_text)
        parts.append(shown.to_html(index=False, escape=True, na_rep=""))
    style = ("body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',"
             "sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #bbb;padding:2px 6px;vertical-align:top}th{background:#ddebf7}")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>数据收集报告</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
