"""The explorer as a colleague uses it: ``qstrong explore`` (the command, Voilà) on 127.0.0.1 driven by
Playwright with Debian's Chromium (no browser download), server and browser inside a network namespace
with only loopback up (``unshare -n``), so any internet request fails. A yes/no, a level and a number
are changed; after each the page must show the total (and rank) that ``benchmark`` computes for the
panel with the same changes written into its CSV — not the explorer's own model.

This file is also the script run inside the namespace: ``python test_explore_browser.py PLAN RESULT``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COUNTY, YEAR = "临淄区", 2022
# (measure, value as the panel CSV writes it, how the page is changed: kind and what to choose or type)
CHANGES = [
    ("q34.smart_site_system", "1", "bool", "是"),
    ("q06.meeting_top_attendee", "other_leader", "level", "其他主要领导"),
    ("q40.invention_patents", "5000", "number", "5000"),
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
WAIT_MS = 120_000            # a generous bound for a slow CI machine, never a timing assertion


def _why_not() -> str | None:
    """Why the test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright 未安装（pip install playwright；不需要下载浏览器）"
    if not shutil.which("chromium"):
        return "未安装 Debian 的 chromium（.ci/run 会安装）"
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "没有 unshare 或 ip（util-linux、iproute2）"
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True)
    if probe.returncode != 0:
        return f"不能建立只有本机回环的网络命名空间（需要 root）：{probe.stderr.decode(errors='replace').strip()}"
    return None


def _panel_with(changes, source: Path, out: Path) -> Path:
    """The shipped panel's CSV with `changes` written into the county's rows of the year, line by line."""
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    at = {name: header.index(name) for name in ("county", "year", "measure", "value")}
    wanted = dict((m, v) for m, v, *_ in changes)
    done = set()
    for k, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if cells[at["county"]] == COUNTY and cells[at["year"]] == str(YEAR) and cells[at["measure"]] in wanted:
            cells[at["value"]] = wanted[cells[at["measure"]]]
            done.add(cells[at["measure"]])
            lines[k] = ",".join(cells)
    assert done == set(wanted), set(wanted) - done
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _expected(tmp_path: Path) -> list[dict]:
    """Total and rank after each cumulative change, as ``qstrong score`` would give them for the changed
    panel: ``benchmark`` on the CSV (the county's rows from it, the peers from the shipped panel)."""
    from qstrong.benchmark import benchmark
    from qstrong.peerdata import peer_panel_path

    shipped = Path(peer_panel_path("shandong"))
    steps = []
    for k in range(len(CHANGES) + 1):
        csv = _panel_with(CHANGES[:k], shipped, tmp_path / f"panel_{k}.csv")
        bench = benchmark(csv, COUNTY, YEAR, "shandong", None, "shandong")
        steps.append({"total": f"{bench.total:.2f}", "rank": bench.rank_text()})
    return steps


def _level2(measure: str) -> str:
    from qstrong.catalog import load_catalog

    cat = load_catalog()
    ident = cat.measures[measure].indicator
    return next(ind.level2 for ind in cat.indicators if str(ind.id) == ident)


def test_the_explorer_page_moves_with_the_engine(tmp_path):
    why = _why_not()
    if why:
        pytest.skip(why)
    steps = _expected(tmp_path)
    for before, after in zip(steps, steps[1:], strict=False):
        assert before["total"] != after["total"]      # every change moves the total: each wait tests something
    plan = {"steps": steps, "changes": [[m, kind, shown, _level2(m)] for m, _, kind, shown in CHANGES],
            "screenshot": str(tmp_path / "explore.png"), "server_pid": str(tmp_path / "server.pid"),
            "qstrong": str(Path(sys.executable).with_name("qstrong")), "cwd": str(tmp_path)}
    (tmp_path / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = tmp_path / "result.json"
    inner = f"ip link set lo up && exec {sys.executable} {Path(__file__)} {tmp_path / 'plan.json'} {result}"
    proc = subprocess.Popen(["unshare", "-n", "sh", "-c", inner], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=900)
    finally:                                           # the server is stopped whatever happens
        stopped = result.is_file() and json.loads(result.read_text(encoding="utf-8"))["server_stopped"]
        for pgid in [proc.pid] if stopped else [proc.pid, *_pid(tmp_path / "server.pid")]:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.wait()
    assert result.is_file(), out[-3000:]
    got = json.loads(result.read_text(encoding="utf-8"))
    assert got["error"] is None, (got["error"], "shown:", got["shown"], "expected:", steps, out[-3000:])
    assert got["shown"] == steps                       # baseline, then after each change: total and rank
    assert got["failed"] == [] and got["external"] == [] and got["console_errors"] == []
    assert got["requests"] > 10                        # the page did load its scripts (all from 127.0.0.1)
    assert got["server_stopped"] and "Traceback" not in got["server_log"]
    shot = Path(plan["screenshot"])
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def _pid(path: Path) -> list[int]:
    try:
        return [int(path.read_text())]
    except (OSError, ValueError):
        return []


# -- inside the namespace ---------------------------------------------------------------------------------------

def _change(page, measure: str, kind: str, shown: str, level2: str) -> None:
    """Open the measure's section (its level-2 indicator) and change the input as a user would."""
    box = page.locator(f".qs-m-{measure.replace('.', '-')}")
    if box.count() == 0:
        header = page.locator(".jupyter-widget-Collapse-header", has_text=re.compile("^" + re.escape(level2) + "（"))
        header.first.click()
    box.first.wait_for(state="visible", timeout=WAIT_MS)
    box = box.first
    if kind == "bool":
        box.get_by_role("button", name=shown, exact=True).click()
    elif kind == "level":
        box.locator("select").select_option(label=shown)
    else:
        field = box.locator("input")
        field.fill(shown)
        field.press("Enter")


def _shown(page) -> dict:
    total = re.search(r"总分\s*([0-9]+\.[0-9]{2})", page.inner_text(".qs-total"))
    rank = re.search(r"第\d+名/共\d+个", page.inner_text(".qs-rank"))
    return {"total": total.group(1) if total else page.inner_text(".qs-total"), "rank": rank.group(0) if rank else ""}


def _wait_for(page, want: dict) -> dict:
    """Wait until the page shows `want` (or the bound passes); what it shows then."""
    page.wait_for_function(
        """([total, rank]) => {
            const t = document.querySelector('.qs-total'), r = document.querySelector('.qs-rank');
            const m = t && t.innerText.match(/总分\\s*([0-9]+\\.[0-9]{2})/);
            return m && m[1] === total && r && r.innerText.includes(rank);
        }""", arg=[want["total"], want["rank"]], timeout=WAIT_MS, polling=200)
    return _shown(page)


def _record(result: dict, seen: dict) -> None:
    result.update({k: list(v) for k, v in seen.items() if k != "requests"}, requests=len(seen["requests"]))


def _drive(plan_path: str, result_path: str) -> None:
    from urllib.parse import urlparse

    from playwright.sync_api import sync_playwright

    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    result = {"error": None, "shown": [], "failed": [], "external": [], "console_errors": [], "requests": 0,
              "server_stopped": False, "server_log": ""}
    seen: dict[str, list] = {"requests": [], "external": [], "failed": [], "console_errors": []}
    page = None
    server = subprocess.Popen([plan["qstrong"], "explore", "--county", COUNTY, "--port", "0"], cwd=plan["cwd"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    Path(plan["server_pid"]).write_text(str(server.pid))
    try:
        lines = []
        while not lines or "交互探索已启动" not in lines[-1]:
            line = server.stdout.readline()
            if not line:
                raise RuntimeError("服务未启动：" + "".join(lines))
            lines.append(line)
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[-1]).group(0)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1100})

                def request(r):
                    seen["requests"].append(r.url)
                    host = urlparse(r.url).hostname
                    if r.url.split(":", 1)[0] in ("http", "https", "ws", "wss") and host not in LOOPBACK_HOSTS:
                        seen["external"].append(r.url)

                page.on("request", request)
                page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} {r.failure}"))
                page.on("console", lambda m: m.type == "error" and seen["console_errors"].append(m.text))
                page.on("pageerror", lambda e: seen["console_errors"].append(str(e)))
                page.goto(url)
                page.wait_for_selector(".qs-total", timeout=WAIT_MS)
                steps = plan["steps"]
                result["shown"].append(_wait_for(page, steps[0]))
                for (measure, kind, shown, level2), want in zip(plan["changes"], steps[1:], strict=True):
                    _change(page, measure, kind, shown, level2)
                    result["shown"].append(_wait_for(page, want))
                time.sleep(0.5)                        # late requests (fonts, icons) are counted too
                page.screenshot(path=plan["screenshot"], full_page=True)
            finally:
                _record(result, seen)                  # before closing: its own cancelled requests are not the page's
                browser.close()
    except Exception as exc:  # noqa: BLE001 — said in the result, asserted by the test
        result["error"] = f"{type(exc).__name__}: {exc}"
        if page is not None:
            try:
                result["shown"].append(_shown(page))
            except Exception:  # noqa: BLE001 — the page may be gone
                pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)          # Ctrl+C, as a user stops it
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        result["server_stopped"] = server.returncode == 0
        result["server_log"] = server.stdout.read()
        Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    _drive(sys.argv[1], sys.argv[2])
