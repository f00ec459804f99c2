"""`qstrong explore` without a browser: the Voilà page loads nothing from the internet, the served notebook
holds its arguments as literals, a busy port is one Chinese message (exit 2), bad options are all said
before any server starts, Ctrl+C stops the server without a traceback, notebook 05 is what the function
writes (and is not a report notebook)."""

import ast
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from qstrong.cli import main
from qstrong.explorer import voila
from qstrong.explorer.voila import (
    SHARE,
    TITLE,
    explorer_notebook,
    notebook_text,
    port_busy_message,
    serve,
    voila_command,
    write_notebook,
)
from qstrong.reports.build import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_05 = ROOT / "notebooks" / "05_交互探索.ipynb"
HOSTILE = "临淄区'); import os; os.system('echo pwned') #\n\"\"\"\\"


def _call(nb) -> ast.Call:
    """The ``qstrong.explore(...)`` call of the notebook's code cell (the only other statement: its import)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 1
    tree = ast.parse(code[0].source)
    assert len(tree.body) == 2 and ast.unparse(tree.body[0]) == "import qstrong"
    last = tree.body[1]                                       # the app is the cell's last expression
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), ast.dump(last)
    assert ast.unparse(last.value.func) == "qstrong.explore"
    return last.value


def _literals(call: ast.Call) -> tuple[list, dict]:
    return [ast.literal_eval(a) for a in call.args], {k.arg: ast.literal_eval(k.value) for k in call.keywords}


# -- the notebook ---------------------------------------------------------------------------------------------

def test_arguments_are_written_as_literals_never_as_code(tmp_path):
    nb = explorer_notebook(HOSTILE, panel=str(tmp_path / "a'b\".csv"), peer_panel="x\\y.csv", peers="淄博市,'\n",
                           year=2022, config=None, save_dir=str(tmp_path / "w'd"))
    args, kwargs = _literals(_call(nb))
    assert args == [str(tmp_path / "a'b\".csv"), HOSTILE]
    assert kwargs == {"peer_panel": "x\\y.csv", "peers": "淄博市,'\n", "year": 2022, "config": None,
                      "save_dir": str(tmp_path / "w'd"), "on_error": "show"}
    code = next(c for c in nb.cells if c.cell_type == "code").source
    assert "pwned" not in code.replace(repr(HOSTILE), "")      # the text appears only inside its literal


def test_the_notebook_has_a_chinese_title_and_no_outputs():
    nb = explorer_notebook("临淄区")
    assert nb.metadata["title"] == TITLE and nb.metadata["kernelspec"]["name"] == "python3"
    # the page's title is the explorer's own heading (and the browser tab's); the cell says what it shows
    assert nb.cells[0].cell_type == "markdown" and "对标组：全省" in nb.cells[0].source
    assert "shandong" not in nb.cells[0].source
    assert all(not c.get("outputs") for c in nb.cells)
    args, kwargs = _literals(_call(nb))
    assert args == [None, "临淄区"] and kwargs == {"peer_panel": "shandong", "peers": "shandong", "year": None,
                                                   "config": None, "on_error": "show"}
    nbformat.validate(nb)


def test_an_argument_of_another_type_is_refused():
    with pytest.raises(TypeError):
        explorer_notebook("临淄区", year=True)
    with pytest.raises(TypeError):
        explorer_notebook("临淄区", panel=Path("a.csv"))


def test_notebook_05_is_what_the_function_writes(tmp_path):
    assert NOTEBOOK_05.read_text(encoding="utf-8") == notebook_text(explorer_notebook("临淄区", panel=None))
    (tmp_path / "notebooks").mkdir()
    voila.write_notebook_05(tmp_path)                         # the writer used to make it writes the same bytes
    assert (tmp_path / "notebooks" / NOTEBOOK_05.name).read_bytes() == NOTEBOOK_05.read_bytes()


def test_notebook_05_is_not_executed_by_the_report():
    assert NOTEBOOK_05.stem not in NOTEBOOKS                  # qstrong report runs exactly these
    assert all(stem[:2] != "05" for stem in NOTEBOOKS)


# -- the template and the command line Voilà gets -------------------------------------------------------------

def test_template_overrides_the_cdn_links_of_the_installed_lab_template():
    """The exact <link> lines the template removes are the installed lab template's: if Voilà changes
    them, this fails (and the served-page test below would find the CDN)."""
    ours = (SHARE / "voila" / "templates" / "qstrong" / "index.html.j2").read_text(encoding="utf-8")
    removed = re.findall(r"replace\('(<link [^']+>)', ''\)", ours)
    assert len(removed) == 2 and all("cdn.jsdelivr.net" in r for r in removed)
    lab = Path(sys.prefix, "share", "jupyter", "voila", "templates", "lab", "index.html.j2")
    if lab.is_file():
        text = lab.read_text(encoding="utf-8")
        assert all(r in text for r in removed)
        assert re.findall(r"<link [^>]*https://[^>]*>", text) == removed
    assert "block html_head_js_mermaidjs" in ours


def test_voila_is_told_loopback_only_code_hidden_no_retries(tmp_path):
    cmd = voila_command(tmp_path / "a.ipynb", 8870)
    assert cmd[:3] == [sys.executable, "-m", "voila"]
    for flag in ("--no-browser", "--Voila.ip=127.0.0.1", "--port=8870", "--Voila.port_retries=0", "--template=qstrong",
                 "--strip_sources=True", "--theme=light", "--show_tracebacks=False", f"--Voila.root_dir={tmp_path}"):
        assert flag in cmd, flag


def test_only_loopback_is_served(tmp_path):
    from qstrong.errors import InputError

    with pytest.raises(InputError, match="127.0.0.1"):
        serve(tmp_path / "a.ipynb", port=0, host="0.0.0.0")


# -- the port ---------------------------------------------------------------------------------------------------

@pytest.fixture
def busy_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    yield s.getsockname()[1]
    s.close()


def test_a_busy_port_is_one_chinese_message_and_exit_2(tmp_path, busy_port, capsys):
    nb = write_notebook(explorer_notebook("临淄区"), tmp_path / "e.ipynb")
    assert serve(nb, port=busy_port) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"错误：{port_busy_message(busy_port)}"
    assert f"端口 {busy_port} 已被占用" in err and "--port 0" in err and "Traceback" not in err


def test_the_command_says_a_busy_port_after_checking_the_options(busy_port, capsys):
    assert main(["explore", "--county", "临淄区", "--port", str(busy_port)]) == 2
    captured = capsys.readouterr()
    assert f"端口 {busy_port} 已被占用" in captured.err and "交互探索已启动" not in captured.out


# -- options checked before any server ------------------------------------------------------------------------

@pytest.fixture
def no_server(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a server was started")

    monkeypatch.setattr(voila, "serve", refuse)


def test_every_bad_option_is_said_before_any_server_starts(no_server, tmp_path, capsys):
    config = tmp_path / "缺少的配置.json"
    code = main(["explore", "--county", "不存在县", "--port", "70000", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert "交互探索的参数有3处问题" in err
    assert "--port（本机端口）：“70000”" in err and config.name in err and "不存在县" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, said", [
    (["missing.csv", "--county", "临淄区"], "missing.csv"),
    (["--county", "临淄区", "--port", "八八"], "--port"),
    (["--county", "临淄区", "--year", "1990"], "--year"),
    (["--county", "临淄区", "--panel-counties-as-peers"], "--panel-counties-as-peers"),
    (["--port", "8866"], "--county"),
])
def test_a_bad_option_exits_2_in_chinese(no_server, capsys, argv, said):
    assert main(["explore", *argv]) == 2
    err = capsys.readouterr().err
    assert said in err and "问题" in err and "Traceback" not in err


def test_the_command_serves_a_notebook_with_absolute_paths(monkeypatch, tmp_path, capsys):
    """PANEL given relative: the notebook (read while it is served) holds it absolute, the year chosen,
    and scenarios are saved in the folder the command was started in."""
    src = ROOT / "data" / "sample" / "zibo_panel.csv"
    (tmp_path / "panel.csv").write_bytes(src.read_bytes())
    monkeypatch.chdir(tmp_path)
    seen = {}

    def fake_serve(path, port=8866, host="127.0.0.1", open_browser=False):
        seen.update(nb=nbformat.read(path, as_version=4), port=port, open=open_browser, folder=Path(path).parent)
        return 0

    monkeypatch.setattr(voila, "serve", fake_serve)
    (tmp_path / "peers.txt").write_text("临淄区\n张店区\n", encoding="utf-8")
    assert main(["explore", "panel.csv", "--county", "临淄区", "--port", "0", "--open", "--peers", "@peers.txt"]) == 0
    args, kwargs = _literals(_call(seen["nb"]))
    assert args == [str(tmp_path / "panel.csv"), "临淄区"]
    assert kwargs == {"peer_panel": "shandong", "peers": f"@{tmp_path / 'peers.txt'}", "year": 2022, "config": None,
                      "save_dir": str(tmp_path), "on_error": "show"}
    assert seen["port"] == 0 and seen["open"] is True
    assert not seen["folder"].exists()                        # the temporary folder is removed on exit


def test_without_panel_the_shipped_panel_is_used_and_said(monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr(voila, "serve", lambda path, **kw: seen.update(nb=nbformat.read(path, as_version=4)) or 0)
    assert main(["explore", "--county", "临淄区"]) == 0
    out = capsys.readouterr().out
    assert "未给出面板CSV：使用随包附带的山东省136个县" in out
    args, _ = _literals(_call(seen["nb"]))
    assert args == [None, "临淄区"]


# -- a real server: the page, Ctrl+C ------------------------------------------------------------------------

def _get(port: int, path: str = "/") -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode("utf-8")
    finally:
        conn.close()


def test_the_served_page_loads_nothing_from_the_internet_and_ctrl_c_stops_it(tmp_path):
    """A real Voilà (markdown-only notebook: quick), its page read over HTTP, then SIGINT: exit 0, a
    Chinese line, no traceback, the Voilà process gone."""
    nb = nbformat.v4.new_notebook(metadata={"title": TITLE, "kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                            "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题")]
    path = write_notebook(nb, tmp_path / "页.ipynb")
    script = f"import sys\nfrom qstrong.explorer.voila import serve\nsys.exit(serve({str(path)!r}, port=0))\n"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        m = re.fullmatch(r"交互探索已启动：http://127\.0\.0\.1:(\d+)/ （按 Ctrl\+C 结束）\n", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        page = _get(int(m.group(1)))
        assert f"<title>{TITLE}</title>" in page and 'lang="zh"' in page
        refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page) + re.findall(r"import\(\s*['\"]([^'\"]+)", page)
        assert refs and all(not re.match(r"(?:https?:)?//", r) or r.startswith("http://127.0.0.1") for r in refs), refs
        assert "cdn" not in page.lower() and "https://" not in page
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.strip() == "交互探索已结束" and "Traceback" not in err
        with pytest.raises(OSError):
            _get(int(m.group(1)))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_voila_log_is_shown_in_chinese_when_it_cannot_start(tmp_path, capsys, monkeypatch):
    """A notebook path Voilà cannot open: exit 1, a Chinese lead, Voilà's own words after it."""
    monkeypatch.setattr(voila, "START_TIMEOUT", 60.0)
    assert serve(tmp_path / "没有这个笔记本.ipynb", port=0) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：交互探索未能启动")
