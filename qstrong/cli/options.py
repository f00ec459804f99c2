"""Command-line options as input: argparse's own errors in Chinese and listed together, numbers taken
as text and checked against the declared parameters (``qstrong.params``), county names normalised.
The help is Chinese throughout (:class:`ChineseHelpFormatter`): argparse's own words, placeholders,
every default said once, lines wrapped by display width without breaking a word or a bracket.

Every problem with the command line is an InputError, so ``main`` prints them all and exits 2.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import sys
import unicodedata

from ..errors import InputError
from ..names import normalise_name
from ..params import PARAMS, param_problems

_ZH = [
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"one of the arguments (.*) is required", "须给出以下参数之一：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 有歧义，可能是：{1}"),
    (r"argument (?:command|子命令): invalid choice: (.*) \(choose from (.*)\)", "未知的子命令“{0}”，可选：{1}"),
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
            ("show this help message and exit", "显示本帮助并退出"), ("\n位置参数:\n", "\n位置参数：\n"),
            ("\n选项:\n", "\n选项：\n"), ("\n子命令:\n", "\n子命令：\n"))
# Placeholders in the help (argparse would show the option's name in capitals: PANEL, PEER_PANEL …).
METAVARS = {
    "panel": "面板CSV", "county": "县名", "year": "年度", "peers": "对标组", "peer_panel": "对标面板",
    "config": "配置JSON", "out": "输出", "charts": "图表目录", "scenario": "情景", "share": "比例",
    "indicator": "指标编号", "points": "分数", "to_year": "年份", "draws": "次数", "seed": "种子",
    "target": "目标分", "effort": "工作量表", "spread": "幅度", "sobol": "方法", "sobol_n": "样本数",
    "intake": "填报目录", "notebooks": "笔记本目录", "deadline": "日期", "folder": "填报目录",
    "report": "报告文件", "chase": "清单CSV", "resolve": "裁定CSV", "evidence": "方式", "format": "格式",
    "command": "子命令", "date": "日期", "to": "年份",
}
MAX_WIDTH = 100                     # display columns of the help, whatever the terminal
SHORT_BRACKET = 24                  # a bracket this wide or less is never broken (a choice and its meaning)
_OPEN, _CLOSE = "（(【[", "）)】]"
_NO_LINE_START = "，、。；：！？）)】]”’,.;:!?%"


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: an ASCII word, a CJK character, a short bracket with what it holds (a choice
    such as ``（同类型）``, joined to the word before it so ``shandong（全部）`` stays whole); an opening
    bracket joined to what follows it, punctuation to what precedes it; ' ' between words."""
    out: list[str] = []
    glue = False                                   # the next piece belongs to the last one
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            out.append(" ")
            glue, i = False, i + 1
            continue
        j = i + 1
        if ch in _OPEN:
            depth, k = 0, i
            while k < len(text):
                depth += (text[k] in _OPEN) - (text[k] in _CLOSE)
                k += 1
                if depth == 0:
                    break
            if display_width(text[i:k]) <= SHORT_BRACKET:
                j = k
        elif ch.isascii():
            while j < len(text) and text[j].isascii() and not text[j].isspace() and text[j] not in _OPEN:
                j += 1
        piece = text[i:j]
        after_word = piece[0] in _OPEN and len(piece) > 1 and out and out[-1] != " " and out[-1][-1].isascii()
        if out and out[-1] != " " and (glue or piece[0] in _NO_LINE_START or after_word):
            out[-1] += piece
        else:
            out.append(piece)
        glue = len(piece) == 1 and piece in _OPEN
        i = j
    return out


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` display columns, broken only between pieces (:func:`_tokens`);
    a piece wider than a line is broken by character."""
    lines, line = [], ""
    for piece in _tokens(re.sub(r"\s+", " ", text).strip()):
        if piece == " ":
            if line and not line.endswith(" "):
                line += " "
            continue
        if display_width(line.rstrip() + piece) > width and line.strip():
            lines.append(line.rstrip())
            line = ""
        if display_width(piece) > width:            # too long for any line: by character
            for ch in piece:
                if display_width(line + ch) > width and line and ch not in _NO_LINE_START:
                    lines.append(line)
                    line = ""
                line += ch
            continue
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _shown(value) -> str:
    """A default as the help says it: 85.0 as 85, a list with 、."""
    if isinstance(value, (list, tuple)):
        return "、".join(map(_shown, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help in Chinese: 用法/位置参数/选项, Chinese placeholders (``METAVARS``), choices listed
    in the help instead of ``{a,b}``, the default appended as （默认：…） unless the help says 默认 already,
    and lines wrapped by display width (:func:`wrap`) within ``MAX_WIDTH`` columns."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 26, width: int | None = None):
        if width is None:
            width = min(shutil.get_terminal_size().columns, MAX_WIDTH) - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width))

    def _format_usage(self, usage, actions, groups, prefix):
        saved = self._width                          # argparse counts characters; a placeholder is wider
        self._width = max(saved - 24, 40)
        try:
            return super()._format_usage(usage, actions, groups, "用法：" if prefix is None else prefix)
        finally:
            self._width = saved

    def _metavar_formatter(self, action, default_metavar):
        if action.metavar is None and action.choices is not None and not isinstance(action, argparse._SubParsersAction):
            default_metavar = METAVARS.get(action.dest, "取值")
            action = argparse.Action(action.option_strings, action.dest, metavar=default_metavar)
        return super()._metavar_formatter(action, default_metavar)

    def _format_action(self, action) -> str:
        """argparse's layout of one option, its columns measured by display width; the sub-commands
        listed straight under their heading."""
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        if not action.help:
            parts = [f"{indent}{header}\n"]
            help_lines = []
        elif display_width(header) <= action_width:
            help_lines = self._split_lines(self._expand_help(action), help_width)
            pad = " " * (action_width - display_width(header) + 2)
            parts = [f"{indent}{header}{pad}{help_lines[0] if help_lines else ''}\n"]
            help_lines = help_lines[1:]
        else:
            parts = [f"{indent}{header}\n"]
            help_lines = self._split_lines(self._expand_help(action), help_width)
        parts += [" " * help_position + line + "\n" for line in help_lines]
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return "".join(parts)

    def add_argument(self, action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:        # the widest invocation, by display width
            inv = self._format_action_invocation(action)
            self._action_max_length = max(self._action_max_length,
                                          display_width(inv) + self._current_indent)

    def _get_default_metavar_for_optional(self, action) -> str:
        return METAVARS.get(action.dest, "值")

    def _get_default_metavar_for_positional(self, action) -> str:
        return METAVARS.get(action.dest, action.dest)

    def _get_help_string(self, action) -> str:
        text = action.help or ""
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) or text is argparse.SUPPRESS:
            return text
        choices = [str(c) for c in action.choices] if action.choices is not None else []
        if choices and not all(c in text for c in choices):
            text += f"（可选：{'、'.join(choices)}）"
        default = action.default
        if action.option_strings and not action.required and default is not argparse.SUPPRESS \
                and "默认" not in text:         # every option says its default (none: 无; a switch off: 否)
            shown = "无" if default is None else "否" if default is False else _shown(default)
            said = f"默认：{shown}".replace("%", "%%")
            text = f"{text[:-1]}；{said}）" if text.endswith("）") else f"{text}（{said}）"
        return text


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
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self.problems: list[str] = [] if problems is None else problems
        self._positionals.title, self._optionals.title = "位置参数", "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出"

    def add_subparsers(self, **kwargs):
        """Sub-commands: parsers of this class sharing the problem list; a sub-command's help is also its
        description (shown on top of its own --help)."""
        kwargs.setdefault("parser_class", functools.partial(type(self), problems=self.problems))
        kwargs.setdefault("metavar", METAVARS["command"])
        kwargs.setdefault("title", "子命令")
        action = super().add_subparsers(**kwargs)
        add_parser = action.add_parser

        def described(name: str, **kw):
            if "help" in kw:
                kw.setdefault("description", kw["help"])
            return add_parser(name, **kw)

        action.add_parser = described
        return action

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
