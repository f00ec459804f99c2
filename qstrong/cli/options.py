"""Command-line options as input: argparse's own errors in Chinese and listed together, numbers taken
as text and checked against the declared parameters (``qstrong.params``), county names normalised.

Every problem with the command line is an InputError, so ``main`` prints them all and exits 2.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys

from ..errors import InputError
from ..names import normalise_name
from ..params import PARAMS, param_problems

_ZH = [
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"one of the arguments (.*) is required", "须给出以下参数之一：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 有歧义，可能是：{1}"),
    (r"argument command: invalid choice: (.*) \(choose from (.*)\)", "未知的子命令“{0}”，可选：{1}"),
    (r"argument (.+?): invalid choice: (.*) \(choose from (.*)\)", "参数 {0} 的取值“{1}”无效，可选：{2}"),
    (r"argument (.+?): invalid (\w+) value: (.*)", "参数 {0} 的值“{2}”不是有效的{1}"),
    (r"argument (.+?): expected one argument", "参数 {0} 后缺少取值"),
    (r"argument (.+?): expected at least one argument", "参数 {0} 后至少要有一个取值"),
    (r"argument (.+?): expected at most one argument", "参数 {0} 后至多只能有一个取值"),
    (r"argument (.+?): expected (\d+) arguments?", "参数 {0} 后应有{1}个取值"),
    (r"argument (.+?): not allowed with argument (.*)", "参数 {0} 不能与 {1} 同时使用"),
    (r"argument (.+?): ignored explicit argument (.*)", "参数 {0} 不接受取值“{1}”"),
    (r"unknown parser (.*) \(choices: (.*)\)", "未知的子命令“{0}”，可选：{1}"),
]
_HELP_ZH = (("usage: ", "用法："), ("positional arguments:", "位置参数："), ("options:", "选项："),
            ("show this help message and exit", "显示本帮助并退出"))


def chinese(message: str) -> str:
    """argparse's English error `message` in Chinese (unknown wording kept, behind a Chinese lead)."""
    for pattern, zh in _ZH:
        m = re.fullmatch(pattern, message.strip(), flags=re.S)
        if m:
            text = zh.format(*(g.replace("', '", "、").strip("'") for g in m.groups()))
            return text.replace("有效的int", "整数").replace("有效的float", "数字")
    return f"命令行参数有误：{message}"


class OptionError(InputError):
    """Problems with the command line; the title says how to see the usage."""

    def __init__(self, problems: list[str], prog: str):
        super().__init__(problems, f"命令行参数有{{n}}处问题（用 {prog} --help 查看用法）")


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are Chinese InputErrors; invalid choices are collected, not fatal,
    so one run lists them with the unknown and missing options. Sub-parsers share the list."""

    def __init__(self, *args, problems: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = [] if problems is None else problems

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", functools.partial(type(self), problems=self.problems))
        return super().add_subparsers(**kwargs)

    def _check_value(self, action, value):
        if action.nargs == argparse.PARSER:    # an unknown sub-command: nothing else can be parsed
            return super()._check_value(action, value)
        if action.choices is not None and value not in action.choices:
            name = "/".join(action.option_strings) or action.metavar or action.dest
            self.problems.append(f"参数 {name} 的取值“{value}”无效，可选：{'、'.join(map(str, action.choices))}")

    def error(self, message: str):
        self.problems.append(chinese(message))
        raise OptionError(list(dict.fromkeys(self.problems)), self.prog)

    def parse_args(self, args=None, namespace=None):
        """The options, numbers parsed and checked (:func:`option_problems`); OptionError lists every
        problem: invalid choices, unknown options and bad values together."""
        try:
            ns, extras = self.parse_known_args(args, namespace)
        except OptionError as exc:     # argparse stops at the first missing value: add the unknown options
            command, unknown = self._unknown_options(sys.argv[1:] if args is None else list(args))
            if unknown:
                exc.problems.append(chinese(f"unrecognized arguments: {' '.join(unknown)}"))
                raise OptionError(list(dict.fromkeys(exc.problems)), f"{self.prog} {command}".strip()) from None
            raise
        if extras:
            self.problems.append(chinese(f"unrecognized arguments: {' '.join(extras)}"))
        self.problems += option_problems(ns)
        if self.problems:
            command = getattr(ns, "command", None)
            raise OptionError(list(dict.fromkeys(self.problems)), f"{self.prog} {command}" if command else self.prog)
        return ns

    def _unknown_options(self, argv: list[str]) -> tuple[str, list[str]]:
        """(the sub-command, the options in `argv` that neither it nor this parser knows, abbreviations allowed)."""
        known, command = set(self._option_string_actions), ""
        subs = [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]
        for token in argv:
            if subs and token in subs[0].choices and not command:
                command = token
                known |= set(subs[0].choices[token]._option_string_actions)
        unknown = []
        for token in argv:
            if token == "--":
                break
            name = token.split("=", 1)[0]
            if len(name) > 1 and name.startswith("-") and not name[1].isdigit() and name != "-" \
                    and not any(k.startswith(name) for k in known):
                unknown.append(token)
        return command, unknown

    def format_help(self) -> str:
        return _help_zh(super().format_help())

    def format_usage(self) -> str:
        return _help_zh(super().format_usage())


def _help_zh(text: str) -> str:
    for en, zh in _HELP_ZH:
        text = text.replace(en, zh)
    return text


def _to_year_problems(panel: str, parsed: dict) -> list[str]:
    """--to against PANEL's last year, when other options are bad already (so all are listed in one run);
    a panel that cannot be read is left to the command, which reports it."""
    from ..analysis.projection import HORIZON
    from ..panel import Panel

    try:
        last = Panel.from_csv(panel).years[-1]
    except (InputError, OSError, ValueError, IndexError):
        return []
    to_year = parsed["to_year"]
    if to_year > last:
        return []
    return param_problems({"to_year": (last + 1, last + HORIZON)}, to_year=to_year)[1]


OUTPUT_OPTIONS = ("out", "report", "chase", "charts")


def option_problems(args: argparse.Namespace) -> list[str]:
    """Numeric options (given as text) parsed in place and range-checked by the declared parameters,
    together; --county normalised (``names.normalise_name``). Returns every problem, in Chinese."""
    values = {p.name: getattr(args, p.attr) for p in PARAMS.values()
              if p.kind is not str and getattr(args, p.attr, None) is not None}
    parsed, problems = param_problems(**values)
    if problems and "to_year" in parsed and getattr(args, "panel", None):
        problems += _to_year_problems(args.panel, parsed)
    for name, value in parsed.items():
        setattr(args, PARAMS[name].attr, value)
    for dest in OUTPUT_OPTIONS:
        value = getattr(args, dest, None)
        if isinstance(value, str) and not value.strip():
            problems.append(f"--{dest}：输出路径为空，请给出文件或目录名（或不给这个选项）")
    if getattr(args, "county", None) is not None:
        county = normalise_name(args.county)
        if not county:
            problems.append(f"--county（被评价的县）：“{args.county}”去掉空格和不可见字符后为空")
        args.county = county
    return problems
