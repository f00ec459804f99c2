"""Opening a report page in headless Chromium with the network cut off (``unshare -n``): a screenshot,
the requests the page itself made (Chromium's net log), and its console messages."""

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


def check_page(page: str | Path, screenshot: str | Path, width: int = 1280, height: int = 1800) -> PageCheck:
    """Render `page` (an HTML file) offline; raises FileNotFoundError without Chromium."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("未安装 Chromium（Debian：apt-get install chromium）")
    page, screenshot = Path(page).resolve(), Path(screenshot).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        netlog = Path(tmp) / "net.json"
        cmd = [exe, *FLAGS, f"--user-data-dir={tmp}/profile", "--enable-logging=stderr", "--v=0",
               f"--log-net-log={netlog}", f"--window-size={width},{height}", f"--screenshot={screenshot}",
               page.as_uri()]
        unshare = shutil.which("unshare")
        isolated = bool(unshare) and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0
        if isolated:
            cmd = [unshare, "-n", *cmd]
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
