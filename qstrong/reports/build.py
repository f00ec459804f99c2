"""`qstrong report`: execute the notebooks with papermill on the current interpreter's kernel and
render them with nbconvert into self-contained HTML (code hidden, images embedded, nothing loaded
from the internet), plus an index page with provenance."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from tqdm import tqdm

from ..analysis.summary import Summary, leader_summary
from ..benchmark import Benchmark
from ..errors import InputError
from ..paths import register_input
from ..writers import Output, check_outputs, os_problem, write_text
from .front import CSS as FRONT_CSS
from .front import front_section
from .inputs import load_inputs

PAGE = "报告页面"

NOTEBOOKS = {
    "01_差距分析": "差距分析：各指标失分、原因、挽回办法、责任部门与速赢清单",
    "02_情景与2025预测": "情景与2025年预测：情景比较、趋势外推、规划目标、所需数值、最省力路径",
    "03_敏感性分析": "敏感性分析：规则解读、权重不确定性、综合不确定性、逐项变动、Sobol指数、统计审计",
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
# A4 print of a notebook page. Print choices are cell tags in the notebook (nbconvert writes them as
# classes): every section (a markdown cell's h2) starts a page unless tagged print-continue; a cell
# tagged screen-only is left out of the print, one tagged print-only appears only there. Charts print
# half the page wide, two of one cell side by side.
PRINT_CSS = """
.celltag_print-only{display:none}
@page{size:A4;margin:11mm 10mm}
@media print{
 nav,.anchor-link,.input,.jp-InputArea,.output_stderr,.celltag_screen-only,.screen-only{display:none!important}
 .celltag_print-only{display:block}
 body{max-width:none;margin:0;padding:0;font-size:9pt;line-height:1.3}
 h1{font-size:15pt;margin:0 0 .2em} h2{font-size:12pt;margin:.4em 0 .2em} h3{font-size:10.5pt}
 .text_cell h2{break-before:page} .celltag_print-continue h2{break-before:auto}
 h1,h2,h3,caption{break-after:avoid}
 table{font-size:7.5pt;margin:.2em 0 .5em;width:100%}
 thead{display:table-header-group} tr,img,blockquote,.notice{break-inside:avoid}
 td,th{padding:1px 3px} th{white-space:nowrap}
 img{max-width:100%;max-height:90mm;width:auto;height:auto}
 .output_area:has(> .output_png){display:inline-block;width:49.5%;vertical-align:top}
 blockquote{margin:.3em 0;padding:.1em .6em} p{margin:.25em 0}
}
"""
# Attributes that load or lead somewhere; a resource must be inside the page (data:), a link may be relative.
_URL_ATTRS = frozenset({"src", "href", "action", "formaction", "poster", "data", "background", "xlink:href",
                        "ping", "manifest", "codebase", "archive", "cite", "longdesc", "lowsrc", "dynsrc", "icon"})
_SRCSET_ATTRS = frozenset({"srcset", "imagesrcset"})
_LINKS = {("a", "href"), ("area", "href"), ("form", "action"), ("button", "formaction"),
          ("input", "formaction"), ("blockquote", "cite"), ("q", "cite"), ("del", "cite"), ("ins", "cite"),
          ("img", "longdesc")}
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\s*\)|@import|image-set\(([^)]*)\)""",
                      re.IGNORECASE)
_CSS_STRING = re.compile(r"""["']([^"']*)["']""")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _reaches_out(url: str, link: bool) -> bool:
    """Would a browser fetch (or, for a link, lead to) something outside the report's own files?"""
    u = re.sub(r"[\x00-\x20\x7f]", "", url)          # browsers drop spaces, tabs and line breaks in URLs
    if not u or u.startswith("#"):
        return False
    if u[:2] in ("//", "\\\\", "/\\", "\\/"):
        return True
    scheme = _SCHEME.match(u)
    if scheme:
        return scheme.group(1).lower() != "data"
    return not link                                   # a relative link between pages; not a resource


def _css_unescape(css: str) -> str:
    return _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)


def _css_references(css: str) -> list[str]:
    found = []
    for m in _CSS_URL.finditer(_css_unescape(css)):
        url = next((g for g in m.groups()[:3] if g is not None), None)
        targets = _CSS_STRING.findall(m.group(4)) if m.group(4) is not None else [url]
        if any(t is None or _reaches_out(t, link=False) for t in targets):   # None: an @import
            found.append(m.group(0))
    return found


class _References(HTMLParser):
    """The page's real references, from its parsed markup (text nodes are never references)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        for name, value in values.items():
            if name in _URL_ATTRS and _reaches_out(value, (tag, name) in _LINKS):
                self.found.append(f"<{tag} {name}=\"{value}\">")
            elif name in _SRCSET_ATTRS:
                if any(_reaches_out(part.strip().split(" ")[0], False) for part in value.split(",")):
                    self.found.append(f"<{tag} {name}=\"{value}\">")
            elif name == "style":
                self.found += [f"<{tag} style=\"{ref}\">" for ref in _css_references(value)]
            elif name == "srcdoc":
                self.found += external_references(value)
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            target = re.sub(r"^[^;,]*[;,]?\s*(url\s*=\s*)?", "", values.get("content", ""), flags=re.IGNORECASE)
            if _reaches_out(target.strip("'\""), link=True):
                self.found.append(f"<meta http-equiv=\"refresh\" content=\"{values.get('content', '')}\">")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)
        self._style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.found += [f"<style>{ref}</style>" for ref in _css_references(data)]


def external_references(page: str) -> list[str]:
    """Everything in a page that would make a browser reach beyond the report (must be empty): the
    references of its parsed elements — resource attributes, srcset, meta refresh, CSS url()/@import in
    <style> and style attributes, embedding elements. Escaped text is text; links between pages are fine."""
    parser = _References()
    parser.feed(page)
    parser.close()
    return list(dict.fromkeys(parser.found))


def notebooks_dir() -> Path:
    here = Path(__file__).resolve().parents[2] / "notebooks"
    if not here.is_dir():
        raise FileNotFoundError("找不到 notebooks/ 目录：请在 qstrong 仓库中运行，或用 --notebooks 指定")
    return here


def _page(title: str, body: str, active: str, css: str = "") -> str:
    nav = "".join(f'<a href="{html.escape(stem)}.html"{" class=on" if stem == active else ""}>{html.escape(stem[3:])}</a>'
                  for stem in NOTEBOOKS)
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{CSS}{css}</style></head><body><nav><a href=\"index.html\"{' class=on' if active == 'index' else ''}>"
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
                 notebooks: str | Path | None = None, progress: bool = True, panel_counties_as_peers: bool = False,
                 announce: Callable[[Benchmark], None] | None = None, config: str | Path | None = None) -> Path:
    """Execute and render every notebook against one benchmark (`announce` is told it before the
    notebooks run); returns the index page's path."""
    import papermill as pm

    t0 = time.perf_counter()
    config = str(Path(config).resolve()) if config else None
    inputs = load_inputs(county, panel, intake, peer_panel, year, peers, panel_counties_as_peers,
                         config=config)  # fails early
    if announce is not None:
        announce(inputs.benchmark)
    src = Path(notebooks) if notebooks else notebooks_dir()
    for stem in NOTEBOOKS:
        register_input(src / f"{stem}.ipynb")
    out = Path(out).resolve()
    executed = _prepare_output(out)
    params = {"county": county, "year": year, "panel": str(Path(panel).resolve()) if panel else None,
              "intake": str(Path(intake).resolve()) if intake else None,
              "peer_panel": peer_panel if peer_panel in (None, "shandong") else str(Path(peer_panel).resolve()),
              "peers": peers, "panel_counties_as_peers": bool(panel_counties_as_peers), "scenarios": list(scenarios),
              "target": float(target), "draws": int(draws), "seed": int(seed), "config": config}
    pages = []
    for stem in tqdm(NOTEBOOKS, desc="生成报告", disable=not progress):
        try:
            nb = pm.execute_notebook(str(src / f"{stem}.ipynb"), str(executed / f"{stem}.ipynb"), parameters=params,
                                     kernel_name="python3", progress_bar=False, cwd=str(src),
                                     extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        except pm.PapermillExecutionError as exc:
            raise _notebook_failure(stem, exc) from None
        page = _page(f"{county} {NOTEBOOKS[stem]}", render_notebook(nb), stem, PRINT_CSS)
        refs = external_references(page)
        if refs:
            raise RuntimeError(f"{stem} 含有外部引用，不能离线打开：{refs[:3]}")
        write_text(out / f"{stem}.html", page, PAGE)
        pages.append(stem)
    summary = leader_summary(inputs.benchmark, inputs.intake, target=float(target), draws=int(draws), seed=int(seed))
    page = index_page(county, inputs, summary, params, pages, time.perf_counter() - t0)
    return write_text(out / "index.html", page, PAGE)


def _prepare_output(out: Path) -> Path:
    """Check the report directory and every file it will hold (all problems at once), then create it;
    returns the folder for the executed notebooks."""
    executed = out / "notebooks"
    check_outputs(Output(out, "报告输出目录", directory=True), Output(executed, "报告输出目录", directory=True))
    try:
        executed.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([os_problem(exc, executed, "报告输出目录")], "无法写出结果") from None
    check_outputs(*(Output(out / f"{stem}.html", PAGE) for stem in [*NOTEBOOKS, "index"]),
                  *(Output(executed / f"{stem}.ipynb", "执行后的笔记本") for stem in NOTEBOOKS))
    return executed


_INPUT_ERRORS = ("InputError", "PanelError", "ScenarioError", "TextError", "ConfigError", "ParamError")


def _notebook_failure(stem: str, exc) -> Exception:
    """A notebook that stopped: the data's fault (an input error raised inside it) becomes an InputError
    naming the page; anything else stays an internal error (the CLI says so in Chinese)."""
    page = NOTEBOOKS[stem].split("：")[0]
    if exc.ename in _INPUT_ERRORS:
        lines = [re.sub(r"^\d+\.\s*", "", ln.strip()) for ln in str(exc.evalue).splitlines() if ln.strip()]
        return InputError(lines[1:] or lines, f"报告“{page}”无法生成，输入有{{n}}处问题")
    return RuntimeError(f"报告“{page}”生成时出错：{exc.ename}: {exc.evalue}")


def index_page(county: str, inputs, summary: Summary, params: dict, pages: list[str], seconds: float) -> str:
    """index.html: the leader's front page (:mod:`.front`), then the links and the provenance (screen only)."""
    from .. import __version__

    e = html.escape
    rows = "".join(f"<tr><td>{e(f['role'])}</td><td>{e(f['name'])}</td><td><code>{e(f['sha256'])}</code></td>"
                   f"<td>{f['bytes']:,}</td></tr>" for f in inputs.files)
    links = "".join(f'<li><a href="{e(s)}.html">{e(NOTEBOOKS[s])}</a></li>' for s in pages)
    head, _, rest = inputs.benchmark.notice.partition("：")      # the one notice every output carries
    notice = f'<div class="notice"><b>{e(head)}：</b>{e(rest)}</div>' if rest else ""
    params_text = "；".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    body = (f"{front_section(summary, notice)}<div class=\"after-front\">"
            f"<h2>{e(county)} 山东省质量强县（市、区）评价分析报告</h2>"
            f"<p>生成时间：{datetime.now().strftime('%Y-%m-%d %H:%M:%S')}；qstrong {e(__version__)}；"
            f"用时 {seconds:.1f} 秒</p><h2>报告内容</h2><ul>{links}</ul>"
            f"<h2>数据来源（输入文件 SHA-256）</h2><table><tr><th>用途</th><th>文件</th><th>SHA-256</th>"
            f"<th>字节</th></tr>{rows}</table><p>参数：{e(params_text)}</p>"
            "<p>本报告为单个离线HTML文件集合：不引用任何网络资源，图片内嵌，可在内网直接打开。"
            "打印本页时只打印上方的领导摘要（一页A4）。</p></div>")
    return _page(f"{county} 分析报告", body, "index", FRONT_CSS)
