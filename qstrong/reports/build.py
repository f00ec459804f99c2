"""`qstrong report`: execute the notebooks with papermill on the current interpreter's kernel and
render them with nbconvert into self-contained HTML (code hidden, images embedded, nothing loaded
from the internet), plus an index page with provenance."""

from __future__ import annotations

import html
import re
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from tqdm import tqdm

from .inputs import load_inputs

NOTEBOOKS = {
    "01_差距分析": "差距分析：各指标失分、原因、挽回办法、责任部门与速赢清单",
    "02_情景与2025预测": "情景与2025年预测：情景比较、趋势外推、规划目标、所需数值、最省力路径",
    "03_敏感性分析": "敏感性分析：规则解读、权重不确定性、逐项变动、Sobol指数",
    "04_部门任务清单": "部门任务清单：各部门负责的指标、失分、措施与未填报数据",
}
CSS = """
body{font-family:"Microsoft YaHei","微软雅黑","PingFang SC","Hiragino Sans GB","Noto Sans CJK SC",
"WenQuanYi Micro Hei","SimHei",sans-serif;margin:0 auto;max-width:1180px;padding:1.2em 2em;color:#222;line-height:1.55}
nav{background:#f4f6f8;border-bottom:1px solid #d0d7de;padding:.6em 1em;margin:-1.2em -2em 1.2em}
nav a{margin-right:1.2em;color:#1f4e79;text-decoration:none} nav a.on{font-weight:bold}
table{border-collapse:collapse;font-size:13px;margin:.6em 0 1.2em} caption{font-weight:bold;text-align:left;padding:.3em 0}
td,th{border:1px solid #c8ced3;padding:3px 7px;vertical-align:top} th{background:#e8f0f8}
img{max-width:100%;height:auto} blockquote{border-left:4px solid #c0392b;margin:.8em 0;padding:.2em 1em;background:#fdf2f0}
.notice{border:2px solid #c0392b;background:#fdf2f0;padding:.6em 1em;margin:1em 0}
.jp-OutputPrompt,.jp-InputPrompt,.prompt{display:none}
pre{white-space:pre-wrap} .anchor-link{display:none}
"""
_EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|"""
                       r"""@import|<script[^>]*\bsrc\s*=|<link[^>]*\bhref\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def external_references(page: str) -> list[str]:
    """Everything in a page that would make a browser reach beyond the file (must be empty)."""
    return [m.group(0) for m in _EXTERNAL.finditer(page)]


def notebooks_dir() -> Path:
    here = Path(__file__).resolve().parents[2] / "notebooks"
    if not here.is_dir():
        raise FileNotFoundError("找不到 notebooks/ 目录：请在 qstrong 仓库中运行，或用 --notebooks 指定")
    return here


def _page(title: str, body: str, active: str) -> str:
    nav = "".join(f'<a href="{html.escape(stem)}.html"{" class=on" if stem == active else ""}>{html.escape(stem[3:])}</a>'
                  for stem in NOTEBOOKS)
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><nav><a href=\"index.html\"{' class=on' if active == 'index' else ''}>"
            f"首页</a>{nav}</nav>{body}</body></html>")


def render_notebook(nb: nbformat.NotebookNode) -> str:
    """Body HTML of an executed notebook: outputs only (code hidden), images inline."""
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def build_report(county: str, panel: str | None = None, intake: str | None = None, peer_panel: str | None = "shandong",
                 peers: str = "shandong", year: int | None = None, scenarios: tuple[str, ...] = ("plan2025",),
                 target: float = 85.0, draws: int = 10_000, seed: int = 0, out: str | Path = "reports",
                 notebooks: str | Path | None = None, progress: bool = True) -> Path:
    """Execute and render every notebook; returns the index page's path."""
    import papermill as pm

    t0 = time.perf_counter()
    inputs = load_inputs(county, panel, intake, peer_panel, year)   # fails early, with every problem
    out = Path(out).resolve()
    executed = out / "notebooks"
    executed.mkdir(parents=True, exist_ok=True)
    src = Path(notebooks) if notebooks else notebooks_dir()
    params = {"county": county, "year": year, "panel": str(Path(panel).resolve()) if panel else None,
              "intake": str(Path(intake).resolve()) if intake else None,
              "peer_panel": peer_panel if peer_panel in (None, "shandong") else str(Path(peer_panel).resolve()),
              "peers": peers, "scenarios": list(scenarios), "target": float(target), "draws": int(draws), "seed": int(seed)}
    pages = []
    for stem in tqdm(NOTEBOOKS, desc="生成报告", disable=not progress):
        nb = pm.execute_notebook(str(src / f"{stem}.ipynb"), str(executed / f"{stem}.ipynb"), parameters=params,
                                 kernel_name="python3", progress_bar=False, cwd=str(src),
                                 extra_arguments=["--IPKernelApp.log_level=ERROR"])
        page = _page(f"{county} {NOTEBOOKS[stem]}", render_notebook(nb), stem)
        refs = external_references(page)
        if refs:
            raise RuntimeError(f"{stem} 含有外部引用，不能离线打开：{refs[:3]}")
        (out / f"{stem}.html").write_text(page, encoding="utf-8")
        pages.append(stem)
    index = out / "index.html"
    index.write_text(_index(county, inputs, params, pages, time.perf_counter() - t0), encoding="utf-8")
    return index


def _index(county: str, inputs, params: dict, pages: list[str], seconds: float) -> str:
    from .. import __version__

    e = html.escape
    rows = "".join(f"<tr><td>{e(f['role'])}</td><td>{e(f['name'])}</td><td><code>{e(f['sha256'])}</code></td>"
                   f"<td>{f['bytes']:,}</td></tr>" for f in inputs.files)
    links = "".join(f'<li><a href="{e(s)}.html">{e(NOTEBOOKS[s])}</a></li>' for s in pages)
    notice = (f'<div class="notice"><b>示例数据提示：</b>本报告所用数据中有 {inputs.synthetic_values} 个数值为合成或虚构的'
              "示例数据（对标面板的合成值、示例区县的虚构值）。得分、排名与差距仅用于演示方法，不代表真实情况。"
              "替换为真实数据后重新生成即可。</div>") if inputs.synthetic_values else ""
    params_text = "；".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    body = (f"<h1>{e(county)} 山东省质量强县（市、区）评价分析报告</h1>{notice}"
            f"<p>生成时间：{datetime.now().strftime('%Y-%m-%d %H:%M:%S')}；qstrong {e(__version__)}；"
            f"用时 {seconds:.1f} 秒</p><h2>报告内容</h2><ul>{links}</ul>"
            f"<h2>数据来源（输入文件 SHA-256）</h2><table><tr><th>用途</th><th>文件</th><th>SHA-256</th>"
            f"<th>字节</th></tr>{rows}</table><p>参数：{e(params_text)}</p>"
            "<p>本报告为单个离线HTML文件集合：不引用任何网络资源，图片内嵌，可在内网直接打开。</p>")
    return _page(f"{county} 分析报告", body, "index")
