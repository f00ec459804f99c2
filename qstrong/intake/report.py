"""The intake report: every cell read (accepted, normalised, missing, rejected), problems, chase list."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..benchmark import count_invented
from ..errors import InputError
from ..names import clean_text
from ..vocabulary import for_people
from ..writers import About, data_notice, frames_to_xlsx, write_text
from .collect import IntakeResult

SHEETS = {"files": "汇总", "issues": "问题清单", "cells": "逐格记录", "chase": "未填报清单", "resolutions": "裁定记录"}


def chase_table(res: IntakeResult) -> pd.DataFrame:
    """未填报清单 (an API frame: the writers name its columns; also what --chase writes)."""
    return res.chase()


def report_frames(res: IntakeResult) -> dict[str, pd.DataFrame]:
    """The report's sheets as API frames (English columns), keyed by their Chinese sheet names."""
    return {SHEETS["files"]: res.files(), SHEETS["issues"]: res.issues_frame(), SHEETS["cells"]: res.cells(),
            SHEETS["chase"]: chase_table(res), SHEETS["resolutions"]: pd.DataFrame({"resolution": res.resolutions})}


def report_about(res: IntakeResult, resolutions: str | Path | None = None) -> About:
    """The report's 说明: the folder, its files (SHA-256 in 汇总), the resolutions file, the conclusion,
    and the data notice when example (invented) values were read."""
    status = "可以计分" if res.ok else f"有{len(res.errors)}处错误，需更正后重新报送"
    return About.of("数据收集报告", inputs=[("裁定文件", resolutions)], invented=count_invented(res.panel),
                    extra=[("填报目录", clean_text(res.folder)), ("文件数", f"{len(res.books)}（各文件的SHA-256见“汇总”）"),
                           ("结论", status)])


WHAT = "收集报告"


def write_report(res: IntakeResult, path: str | Path, notes: list[str] | None = None,
                 about: About | None = None) -> Path:
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
        return frames_to_xlsx(frames, path, index=False, what=WHAT, notes=notes, about=about or report_about(res))
    return write_text(path, _html(res, {k: for_people(df, index=False, percent=False) for k, df in frames.items()}),
                      WHAT)


def _html(res: IntakeResult, frames: dict[str, pd.DataFrame]) -> str:
    e = html.escape
    status = "可以计分" if res.ok else f"有{len(res.errors)}处错误，需更正后重新报送"
    parts = [f"<h1>数据收集报告</h1><p>目录：{e(clean_text(res.folder))}；文件 {len(res.books)} 个；结论：<b>{e(status)}</b></p>"]
    notice = data_notice(count_invented(res.panel))
    if notice:
        parts.append(f"<p><b>{e(notice)}</b></p>")
    for name, df in frames.items():
        parts.append(f"<h2>{e(name)}（{len(df)}）</h2>")
        shown = df.map(lambda v: clean_text(v) if isinstance(v, str) else v).rename(columns=clean_text)
        parts.append(shown.to_html(index=False, escape=True, na_rep=""))
    style = ("body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',"
             "sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #bbb;padding:2px 6px;vertical-align:top}th{background:#ddebf7}")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>数据收集报告</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
