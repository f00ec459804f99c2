"""Regenerate the user guide's screenshots (docs/guide_*.png, and the README's docs/report_gaps.png)
from the bundled sample data.

    .venv/bin/python docs/screenshots.py   # chromium; LibreOffice Calc + Writer and pdftoppm for xlsx/docx
    # (Debian: apt-get install chromium libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils)

Everything is produced by the real commands in a temporary directory (nothing under reports/ is
touched): the HTML report pages are shot with headless Chromium; a workbook is exported by LibreOffice
Calc to HTML and one sheet of it shot (what the sheet holds, with its column widths); the Word brief is
converted to PDF by LibreOffice Writer and its pages rasterised with pdftoppm. A shot whose tool is
missing is skipped and said so. Each PNG is trimmed, at most 1100 px wide, palette-quantised (< 250 KB).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
from PIL import Image, ImageChops

from qstrong.intake import layout as L

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
QSTRONG = str(ROOT / ".venv" / "bin" / "qstrong")
SAMPLE = ROOT / "data" / "sample"
COMMON = ["--county", "临淄区", "--peer-panel", "shandong", "--peers", "shandong"]
LIMIT = 250_000


def run(args: list[str], ok=(0,)) -> int:
    res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if res.returncode not in ok:
        raise SystemExit(f"{' '.join(args)} → {res.returncode}\n{res.stderr[-2000:]}")
    return res.returncode


def save(src: Path, name: str, top: int = 0, height: int | None = None, most: int = 1100) -> None:
    """`src` trimmed of its white margin (rows from `top`, at most `height`), ≤ `most` px wide, as docs/name."""
    img = Image.open(src).convert("RGB")
    if height:
        img = img.crop((0, top, img.width, min(img.height, top + height)))
    box = ImageChops.difference(img, Image.new("RGB", img.size, "white")).getbbox()
    if box:
        img = img.crop((max(box[0] - 12, 0), max(box[1] - 12, 0), min(box[2] + 12, img.width),
                        min(box[3] + 12, img.height)))
    if img.width > most:
        img = img.resize((most, round(img.height * most / img.width)), Image.LANCZOS)
    out = DOCS / name
    for colours in (256, 128, 64):
        img.quantize(colours, dither=Image.Dither.NONE).save(out, optimize=True)
        if out.stat().st_size < LIMIT:
            break
    print(f"{out.name}  {img.width}×{img.height}  {out.stat().st_size // 1024} KB")


def chromium(page: Path, png: Path, height: int = 900, width: int = 1280) -> bool:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print(f"跳过 {page.name}：未安装 chromium")
        return False
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={png}", f"--window-size={width},{height}", page.as_uri()],
                   capture_output=True, timeout=120)
    return png.exists()


def office(src: Path, fmt: str, tmp: Path) -> Path | None:
    """`src` converted by LibreOffice to `fmt` (pdf, html) in `tmp`, or None when it cannot be."""
    exe = shutil.which("soffice")
    if not exe:
        print(f"跳过 {src.name}：未安装 LibreOffice")
        return None
    subprocess.run([exe, "--headless", "--convert-to", fmt, "--outdir", str(tmp), str(src)],
                   capture_output=True, timeout=300, env={"HOME": str(tmp / "lohome"), "PATH": "/usr/bin:/bin"})
    out = tmp / f"{src.stem}.{fmt}"
    if not out.exists():
        print(f"跳过 {src.name}：LibreOffice 无法转换为 {fmt}（xlsx 需要 Calc）")
    return out if out.exists() else None


def sheet_shot(book: Path, sheet: str, name: str, tmp: Path, height: int = 900, width: int = 1280) -> None:
    """One sheet of `book` as LibreOffice Calc exports it to HTML, with cell borders, shot by Chromium in a
    window `width` px wide (a wider sheet is cut at its edge, as on a screen)."""
    exported = office(book, "html", tmp)
    if exported is None:
        return
    text = exported.read_text(encoding="utf-8", errors="replace")
    parts = re.split(r'<A NAME="table\d+">', text)
    body = next((p for p in parts[1:] if f"<em>{sheet}</em>" in p.split("</h1>", 1)[0]), None)
    if body is None:
        print(f"跳过 {name}：{book.name} 没有工作表“{sheet}”")
        return
    table = _as_in_excel(body.split("</h1></A>", 1)[1].split("<!-- ****", 1)[0])
    page = tmp / f"{name}.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><style>body{margin:16px;font:14px 'WenQuanYi Micro Hei',"
        "sans-serif} td{border:1px solid #c8ccd0;padding:3px 6px;font-size:13px} table{border-collapse:"
        "collapse} font{font-size:13px} .cap{color:#555;margin-bottom:8px}</style>"
        f"<div class='cap'>{html.escape(book.name)} · 工作表“{html.escape(sheet)}”</div>{table}",
        encoding="utf-8")
    png = tmp / f"{name}.raw.png"
    if chromium(page, png, height, width):
        save(png, name, most=max(width - 180, 1100))


def _as_in_excel(table: str) -> str:
    """LibreOffice's HTML table drawn as the sheet shows on screen: the columns at their widths (cut at
    the window's edge), and a text with only empty cells beside it running over them instead of wrapping."""
    widths = [int(w) for w in re.findall(r'<colgroup width="(\d+)"', table)]
    table = table.replace("<table ", f'<table style="table-layout:fixed;width:{sum(widths)}px" ', 1)

    def row(m: re.Match) -> str:
        cells = re.findall(r"<td.*?</td>", m.group(0), re.S)
        if len(cells) > 1 and all(re.search(r">(<br>)?</font></td>$|><br></td>$", c) for c in cells[1:]):
            first = cells[0].replace("<td ", f'<td colspan="{len(cells)}" style="white-space:nowrap" ', 1)
            return f"<tr>{first}</tr>"
        return m.group(0)

    return re.sub(r"<tr>.*?</tr>", row, table, flags=re.S)


def pdf_pages(pdf: Path, stem: str, tmp: Path) -> list[Path]:
    if not shutil.which("pdftoppm"):
        print(f"跳过 {pdf.name}：未安装 pdftoppm（poppler-utils）")
        return []
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(tmp / stem)], check=True)
    return sorted(tmp.glob(f"{stem}-*.png"))


# What departments typically get wrong (as a department would type it in Excel, cf. qstrong.intake.fill).
SPOIL = {"区统计局.xlsx": {"gdp": ("=900+11.6", None), "population": (None, ""),
                         "q36.service_enterprises": ("239个", None)},
         "区卫健局.xlsx": {"q25.recall_system": ("否", None)}}
MISSING = "区科技局.xlsx"


def spoil(folder: Path) -> None:
    """Typical problems in a copy of the sample submissions: a formula, a unit, no evidence, a conflict
    between two departments, a department that did not report."""
    (folder / MISSING).unlink()
    vc, ec, ic = (L.COL_INDEX[c] for c in (L.VALUE, L.EVIDENCE, L.MEASURE_ID))
    for file, edits in SPOIL.items():
        wb = openpyxl.load_workbook(folder / file)
        ws = wb[L.SHEET_DATA]
        for r in range(L.FIRST_ROW, ws.max_row + 1):
            value, evidence = edits.get(ws.cell(r, ic).value, (None, None))
            if value is not None:
                ws.cell(r, vc).value = value
            if evidence is not None:
                ws.cell(r, ec).value = evidence or None
        wb.save(folder / file)


def explorer_shot(tmp: Path) -> None:
    """The explorer (``qstrong explore``, Voilà) after three changes, shot with Playwright and Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("跳过交互探索截图：未安装 playwright")
        return
    if not shutil.which("chromium"):
        print("跳过交互探索截图：未安装 chromium")
        return
    panel = tmp / "intake_panel.csv"
    run([QSTRONG, "intake", "data/sample/submissions", "--year", "2022", "--out", str(panel)])
    server = subprocess.Popen([QSTRONG, "explore", str(panel), *COMMON, "--port", "0"], cwd=tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        address = None
        for line in server.stdout:
            if m := re.search(r"http://127\.0\.0\.1:\d+/", line):
                address = m.group(0)
                break
        if address is None:
            raise SystemExit("qstrong explore did not start")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 1150})
            page.goto(address)
            page.wait_for_selector(".qs-total", timeout=120_000)
            def section(title: str) -> None:      # one section open at a time (an accordion)
                page.locator(".jupyter-widget-Collapse-header", has_text=title).first.click()

            section("工程质量（")
            rate = page.locator(".qs-m-q34-online_rate input")
            rate.fill("100")
            rate.press("Enter")
            section("组织保障（")
            page.locator(".qs-m-q06-meeting_top_attendee select").select_option(label="其他主要领导")
            section("创新成效（")
            box = page.locator(".qs-m-q40-invention_patents input")
            box.fill("5000")
            box.press("Enter")
            page.wait_for_timeout(1500)
            section("创新成效（")                  # closed again, back to the top: the picture shows the results
            page.evaluate("document.querySelector('.qs-app').scrollIntoView()")
            page.wait_for_timeout(500)
            raw = tmp / "explore.raw.png"
            page.screenshot(path=str(raw))
            browser.close()
        save(raw, "guide_explore.png")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="qstrong-shots-") as name:
        tmp = Path(name)
        # 生成模板
        run([QSTRONG, "templates", "--out", str(tmp / "模板"), "--year", "2022", "--county", "临淄区",
             "--deadline", "2023年1月15日"])
        sheet_shot(tmp / "模板" / "区住建局.xlsx", "填报", "guide_template.png", tmp, 360)
        # 收回校验：a copy of the sample submissions with typical problems
        broken = tmp / "收回"
        shutil.copytree(SAMPLE / "submissions", broken)
        spoil(broken)
        run([QSTRONG, "intake", str(broken), "--year", "2022", "--report", str(tmp / "收集报告.xlsx"),
             "--chase", str(tmp / "催报清单.csv")], ok=(2,))
        sheet_shot(tmp / "收集报告.xlsx", "问题清单", "guide_intake_problems.png", tmp, 420)
        sheet_shot(tmp / "收集报告.xlsx", "未填报清单", "guide_intake_chase.png", tmp, 420)
        # 部门任务包
        run([QSTRONG, "tasks", "data/sample/zibo_panel.csv", *COMMON, "--intake", "data/sample/submissions",
             "--deadline", "2023年3月31日", "--out", str(tmp / "任务包")])
        book = tmp / "任务包" / "区政府办_任务包.xlsx"
        sheet_shot(book, "通知", "guide_package_notice.png", tmp, 520)
        sheet_shot(book, "指标", "guide_package_indicators.png", tmp, 520, 1780)
        # 领导简报（Word）
        docx = tmp / "简报.docx"
        if run([QSTRONG, "brief", "data/sample/zibo_panel.csv", *COMMON, "--intake", "data/sample/submissions",
                "--out", str(docx)], ok=(0, 1, 2, 3)) == 0 and (pdf := office(docx, "pdf", tmp)):
            for k, page in enumerate(pdf_pages(pdf, "brief", tmp), 1):
                save(page, f"guide_brief_p{k}.png")
        # 交互探索
        explorer_shot(tmp)
        # HTML 报告
        out = tmp / "reports"
        run([QSTRONG, "report", "--county", "临淄区", "--intake", "data/sample/submissions", "--panel",
             "data/sample/zibo_panel.csv", "--peer-panel", "shandong", "--peers", "shandong", "--year", "2022",
             "--out", str(out)])
        for page, png, height in (("index.html", "guide_front.png", 1500), ("01_差距分析.html", "guide_gaps.png", 900),
                                  ("02_情景与2025预测.html", "guide_outlook.png", 900),
                                  ("04_部门任务清单.html", "guide_tasks_page.png", 900),
                                  ("01_差距分析.html", "report_gaps.png", 1600)):      # the README's picture
            raw = tmp / f"{png}.raw.png"
            if chromium(out / page, raw, height):
                save(raw, png)


if __name__ == "__main__":
    main()
