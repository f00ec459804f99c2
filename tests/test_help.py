"""The command line's help is Chinese throughout: for ``qstrong --help`` and every sub-command found in
the parser (so new ones are covered), no English argparse words, every option explained, every
default shown, no line wider than 100 columns, the peer-group choices never broken across lines."""

import argparse
import re
import unicodedata

import pytest

from qstrong.cli import build_parser, main
from qstrong.cli.common import PEERS_HELP

ENGLISH = ("usage:", "positional arguments", "optional arguments", "options:", "show this help", "default:",
           "Default", "help message")
CHOICES = re.findall(r"[a-z0-9]+（[^）]*）", PEERS_HELP)     # shandong（全部，默认）, prefecture（同市）, …


def _parsers() -> dict[str, argparse.ArgumentParser]:
    root = build_parser()
    subs = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
    return {"qstrong": root, **{f"qstrong {name}": p for name, p in subs.choices.items()}}


NAMES = list(_parsers())


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


def _options(parser):
    return [a for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]


def _block(text: str, action) -> str:
    """The lines of `text` describing `action`: from its invocation to the next option or section."""
    lines = text.splitlines()
    start = next(k for k, ln in enumerate(lines) if re.match(rf"\s+{re.escape(action.option_strings[0])}\b", ln))
    end = next((k for k in range(start + 1, len(lines)) if re.match(r"\s{2,4}-|\S|$", lines[k])), len(lines))
    return "".join(lines[start:end])


def test_the_sub_commands_are_found():
    assert {"qstrong score", "qstrong gaps", "qstrong report", "qstrong intake"} <= set(NAMES)


@pytest.mark.parametrize("columns", [60, 80, 200])
@pytest.mark.parametrize("name", NAMES)
def test_help_is_chinese_and_complete(monkeypatch, name, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    parser = _parsers()[name]
    text = parser.format_help()
    for word in ENGLISH:
        assert word not in text, (name, word)
    assert text.startswith("用法：") and "显示本帮助并退出" in text
    assert not re.search(r"\{[\w-]+(,[\w-]+)+\}", text), name            # no {a,b,c} placeholders
    usage = text.split("\n\n", 1)[0]
    assert not re.search(r"(?<![\w-])[A-Z][A-Z_]{2,}(?!\w)", usage), usage   # no PANEL, PEER_PANEL …
    for line in text.splitlines():
        assert _columns(line) <= 100, (name, line)
    for action in _options(parser):
        assert action.help and action.help.strip(), (name, action.dest)
        d = action.default
        if d is None or d is False or not action.option_strings:
            continue
        shown = re.escape(f"{d:g}" if isinstance(d, float) else str(d))
        said = rf"默认[：:]?{shown}(?![\d.])|(?<![\w.]){shown}（[^）]*默认"     # 默认：85 / 默认85 / warn（默认）
        assert re.search(said, re.sub(r"\s+", "", _block(text, action))), (name, action.dest, shown)


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_peer_group_choices_are_never_broken(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    assert len(CHOICES) >= 4 and "strong2022（首批质量强县）" in CHOICES
    for name, parser in _parsers().items():
        if not any(a.dest == "peers" for a in parser._actions):
            continue
        lines = parser.format_help().splitlines()
        for choice in CHOICES:
            assert any(choice in ln for ln in lines), (name, columns, choice)


def test_a_default_said_in_the_help_is_not_said_twice(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    text = _parsers()["qstrong sensitivity"].format_help()
    draws = next(ln for ln in text.splitlines() if ln.strip().startswith("--draws"))
    assert draws.count("默认") == 1 and "10000" in draws
    text = _parsers()["qstrong intake"].format_help()
    evidence = re.search(r"  --evidence.*?(?=\n  -|\Z)", text, flags=re.S).group(0)
    assert evidence.count("默认") == 1 and "warn（默认）" in evidence


def test_every_option_says_its_default(monkeypatch):
    """Also an option without one (默认：无) and a switch (默认：否)."""
    monkeypatch.setenv("COLUMNS", "200")
    for name, parser in _parsers().items():
        for action in parser._actions:
            if action.option_strings and not action.required and action.dest != "help":
                assert "默认" in parser._get_formatter()._get_help_string(action), (name, action.dest)


def test_cli_help_exits_0_in_chinese(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["gaps", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：qstrong gaps") and "面板CSV" in out and "usage" not in out
