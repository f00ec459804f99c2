"""Opening a report page in headless Chromium with the network cut off (``unshare -n``): a screenshot,
the requests the page itself made (Chromium's net log), and its console messages; or the page printed
to PDF (A4, as the page's print stylesheet lays it out) and its pages counted."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars"]


@dataclass
class PageCheck:
    screenshot: Path
    requests: list[str]       # non-file URLs the page asked for
    console: list[str]        # console messages (the reports have no scripts: any message is a fault)
    isolated: bool            # run inside a network namespace without network


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _isolated(cmd: list[str]) -> tuple[list[str], bool]:
    """`cmd` inside a network namespace without network (``unshare -n``) when the system allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n", *cmd], True
    return cmd, False


def _exe() -> str:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("未安装 Chromium（Debian：apt-get install chromium）")
    return exe


def print_pdf(page: str | Path, pdf: str | Path) -> Path:
    """Print `page` (an HTML file) to `pdf` offline as Chromium prints it (no header/footer lines);
    raises FileNotFoundError without Chromium, RuntimeError when no PDF came out."""
    page, pdf = Path(page).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        cmd, _ = _isolated([_exe(), *FLAGS, f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                            f"--print-to-pdf={pdf}", page.as_uri()])
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise RuntimeError(f"Chromium 未能打印 {page.name}：{run.stderr.strip()[-300:]}")
    return pdf


def pdf_pages(pdf: str | Path) -> int:
    """The number of pages of a PDF (pypdf)."""
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def check_page(page: str | Path, screenshot: str | Path, width: int = 1280, height: int = 1800) -> PageCheck:
    """Render `page` (an HTML file) offline; raises FileNotFoundError without Chromium."""
    exe = _exe()
    page, screenshot = Path(page).resolve(), Path(screenshot).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        netlog = Path(tmp) / "net.json"
        cmd = [exe, *FLAGS, f"--user-data-dir={tmp}/profile", "--enable-logging=stderr", "--v=0",
               f"--log-net-log={netlog}", f"--window-size={width},{height}", f"--screenshot={screenshot}",
               page.as_uri()]
        cmd, isolated = _isolated(cmd)
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        console = [ln for ln in run.stderr.splitlines() if ":CONSOLE" in ln and "source: file:" in ln]
        requests = _page_requests(netlog) if netlog.exists() else ["（未生成网络日志）"]
    return PageCheck(screenshot, requests, console, isolated)


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page requested (top-level site file://); Chromium's own background calls excluded."""
    d = json.loads(netlog.read_text(encoding="utf-8"))
    start = d["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    out = []
    for e in d["events"]:
        p = e.get("params", {})
        if e["type"] == start and "file://" in str(p.get("network_isolation_key", "")):
            url = p.get("url", "")
            if not url.startswith(("file:", "data:")):
                out.append(url)
    return out
