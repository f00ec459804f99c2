"""The README's examples run as written: its ``python`` blocks execute in order on the sample data, and
every ``qstrong …`` command in its shell blocks parses with the real parser (so the README cannot drift
from the code or the CLI). The helpers here are shared with ``test_guide.py``."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from qstrong.cli.parser import build_parser
from qstrong.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
SHELL_LANGS = {"", "text", "sh", "bash", "shell", "console"}

# Executes the blocks in one namespace, in order; names the failing block by its README line.
RUNNER = """
import json, sys, traceback
blocks = json.load(sys.stdin)
ns = {"__name__": "__readme__"}
for line, code in blocks:
    try:
        exec(compile(code, f"README block at line {line}", "exec"), ns)
    except BaseException:
        traceback.print_exc()
        print(f"README_BLOCK_FAILED {line}", file=sys.stderr)
        sys.exit(1)
print(f"README_BLOCKS_OK {len(blocks)}")
"""


def fenced_blocks(text: str) -> list[tuple[str, int, str]]:
    """(language, line of the opening fence, code) of every fenced block of a Markdown text."""
    return [(m.group(1).lower(), text.count("\n", 0, m.start()) + 1, m.group(2)) for m in FENCE.finditer(text)]


def python_blocks(text: str) -> list[tuple[int, str]]:
    return [(line, code) for lang, line, code in fenced_blocks(text) if lang in ("python", "py")]


def run_blocks(blocks: list[tuple[int, str]], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `blocks` in a fresh interpreter (one namespace, in order) with the working directory `cwd`."""
    return subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(blocks), cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, "MPLBACKEND": "Agg"})


def shell_commands(text: str) -> list[tuple[int, str]]:
    """(line, command) of every ``qstrong`` command in the shell blocks of `text` (``.venv/bin/`` allowed,
    backslash continuations joined); ``make`` lines and comments are not commands to check."""
    found = []
    for lang, start, code in fenced_blocks(text):
        if lang not in SHELL_LANGS:
            continue
        joined, first = "", None
        for k, raw in enumerate(code.splitlines(), start + 1):
            first = k if not joined else first
            joined = f"{joined} {raw.strip()}".strip()
            if joined.endswith("\\"):
                joined = joined[:-1].rstrip()
                continue
            head = joined.strip().split(" ", 1)[0]
            if head == "qstrong" or head.endswith("/qstrong"):
                found.append((first, joined.strip()))
            joined = ""
    return found


def inline_commands(text: str) -> list[str]:
    """Commands quoted in running text (`` `qstrong gaps` ``, `` `.venv/bin/qstrong score … --all` ``)."""
    return re.findall(r"`((?:\.venv/bin/)?qstrong [^`]+)`", text)


def named_option_problems(command: str) -> list[str]:
    """The sub-command and options `command` names that the parser does not know (required ones not asked)."""
    tokens = shlex.split(command)[1:]
    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    if not tokens or tokens[0] not in subs:
        return [f"{command}: no sub-command {tokens[:1]}"]
    known = subs[tokens[0]]._option_string_actions
    return [f"{command}: {t}" for t in tokens[1:] if t.startswith("-") and t.split("=", 1)[0] not in known]


def variants(tokens: list[str]) -> list[list[str]]:
    """The argument lists a usage line stands for: optional groups ``[ … ]`` left out, then taken with
    their 1st, 2nd, … alternative (`` | `` inside a group, or ``a|b|c`` within one token), so that every
    option and choice written is tried at least once."""
    plain: list[object] = []            # a token, or a group: a list of alternatives (token lists)
    group: list[list[str]] | None = None
    for tok in tokens:
        opening = tok.startswith("[")
        if opening:
            group, tok = [[]], tok[1:]
        closing = group is not None and tok.endswith("]")
        if closing:
            tok = tok[:-1]
        if group is None:
            plain.append(tok)
        elif tok == "|":
            group.append([])
        elif tok:
            group[-1].append(tok)
        if closing:
            plain.append(group)
            group = None
    if group is not None:
        raise ValueError(f"unclosed [ in {' '.join(tokens)}")
    width = max([len(g) for g in plain if isinstance(g, list)] +
                [len(t.split("|")) for t in _flat(plain)] + [1])
    out = [_pick(plain, None)] if any(isinstance(g, list) for g in plain) else []
    return out + [_pick(plain, k) for k in range(width)]


def _flat(plain: list[object]) -> list[str]:
    return [t for g in plain for t in ([g] if isinstance(g, str) else [x for alt in g for x in alt])]


def _pick(plain: list[object], k: int | None) -> list[str]:
    """The argument list with alternative `k` of every group (None: no groups), token choices likewise."""
    args: list[str] = []
    for g in plain:
        if isinstance(g, list):
            if k is not None:
                args += g[min(k, len(g) - 1)]
        else:
            args.append(g)
    return [_choice(t, k or 0) for t in args]


def _choice(token: str, k: int) -> str:
    parts = token.split("|") if "|" in token and token != "|" else [token]
    return parts[min(k, len(parts) - 1)]


def command_problems(command: str) -> list[str]:
    """Why `command` (a ``qstrong …`` line as documented) does not parse with the real parser, or []."""
    tokens = shlex.split(command, comments=True)[1:]
    problems = []
    for args in variants(tokens):
        try:
            build_parser().parse_args(args)
        except InputError as exc:
            problems.append(f"{shlex.join(args)}: {exc.report()}")
        except SystemExit as exc:                 # argparse's own exit (e.g. --help): not a usage line
            problems.append(f"{shlex.join(args)}: exit {exc.code}")
    return problems


def test_readme_python_blocks_run_in_order():
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 4, "the README's Python examples are missing"
    assert any("load_panel(" in code for _, code in blocks), "the examples must define `panel` with load_panel"
    res = run_blocks(blocks)
    assert res.returncode == 0, res.stderr[-4000:]
    assert f"README_BLOCKS_OK {len(blocks)}" in res.stdout


def test_runner_fails_on_a_block_that_raises():
    res = run_blocks([(1, "x = 1"), (7, "y = x + 1\nraise ValueError('boom')"), (9, "z = 3")])
    assert res.returncode == 1
    assert "README_BLOCK_FAILED 7" in res.stderr and "boom" in res.stderr
    assert "README_BLOCKS_OK" not in res.stdout


def test_runner_shares_one_namespace_in_order():
    res = run_blocks([(1, "a = 2"), (5, "assert a * 3 == 6\nprint('seen', a)")])
    assert res.returncode == 0, res.stderr
    assert "seen 2" in res.stdout


def test_readme_commands_parse():
    commands = shell_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 15, commands
    bad = {line: problems for line, cmd in commands if (problems := command_problems(cmd))}
    assert not bad, bad


def test_readme_inline_commands_name_what_exists():
    commands = inline_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 3
    assert not [p for c in commands for p in named_option_problems(c)]


def test_inline_commands_found_and_checked():
    text = "run `qstrong gaps` or `.venv/bin/qstrong score P.csv --all --colour`, not `python -m qstrong.bench`"
    assert inline_commands(text) == ["qstrong gaps", ".venv/bin/qstrong score P.csv --all --colour"]
    assert named_option_problems("qstrong gaps") == []
    assert named_option_problems(".venv/bin/qstrong score P.csv --all --colour") == [
        ".venv/bin/qstrong score P.csv --all --colour: --colour"]
    assert named_option_problems("qstrong gapz")


@pytest.mark.parametrize("command", [
    "qstrong gaps P.csv --county 临淄区 --no-such-option",
    "qstrong score P.csv --county 临淄区 [--format xml]",
    "qstrong sensitivity P.csv --county 临淄区 [--sobol weights|sideways]",
    ".venv/bin/qstrong path P.csv --target 85",                    # --county is required
    "qstrong nosuchcommand",
])
def test_a_drifted_command_is_caught(command):
    assert command_problems(command)


def test_variants_cover_every_alternative():
    tokens = shlex.split("qstrong required P.csv --county 临淄区 [--share 0.9 | --indicator 40 --points 1.8]")[1:]
    got = variants(tokens)
    base = ["required", "P.csv", "--county", "临淄区"]
    assert got == [base, base + ["--share", "0.9"], base + ["--indicator", "40", "--points", "1.8"]]
    tokens = shlex.split("qstrong sensitivity P.csv [--sobol weights|inputs|none]")[1:]
    assert [v[2:] for v in variants(tokens)] == [[], ["--sobol", "weights"], ["--sobol", "inputs"], ["--sobol", "none"]]


def test_shell_commands_join_continuations_and_skip_make():
    text = "```\nmake demo\n.venv/bin/qstrong gaps P.csv --county 临淄区 \\\n    [--out g.xlsx]   # comment\n" \
           "# qstrong not-a-command\n```\n\n```python\nqstrong = 1\n```\n"
    assert shell_commands(text) == [(3, ".venv/bin/qstrong gaps P.csv --county 临淄区 [--out g.xlsx]   # comment")]
