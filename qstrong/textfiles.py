"""Text inputs (scenarios, configs, peer lists, effort tables): decoded one way, parsed strictly.

* :func:`decoded` / :func:`read_text` — a file's text as offices save it (:mod:`qstrong.encoding`,
  re-exported here).
* :func:`load_json` — strict JSON: duplicate keys, ``NaN``/``Infinity`` and numbers that overflow
  are refused; every such problem is listed with its line and column.
* :func:`load_yaml` — YAML by the safe loader, size-capped; anchors and aliases are refused (nested
  aliases can expand a few hundred bytes into gigabytes), and so are duplicate keys and ``.nan``/``.inf``.
  YAML 1.1 booleans (``yes``/``no``/``on``/``off``) stay booleans: a schema expecting a number refuses them.
"""

from __future__ import annotations

import json
import math
import re
from json.decoder import scanstring
from pathlib import Path
from typing import Any

import yaml

from .encoding import (  # noqa: F401  (re-exported: text inputs are read and parsed through this module)
    GB18030,
    MAX_BYTES,
    UTF8,
    UTF16,
    Decoded,
    TextError,
    decode,
    decoded,
    read_text,
    take_notes,
)

MAX_DEPTH = 64                 # nesting of lists and mappings


MARK = "\ue000已报告\ue000"


class _Refused:
    """A value the reader refused and reported (NaN, an alias, an overflowing number). A schema that meets
    it reports a problem showing it; :func:`unreported` drops those, so each problem is listed once."""

    def __repr__(self) -> str:
        return MARK

    __str__ = __repr__


REFUSED = _Refused()


def unreported(problems: list) -> list:
    """`problems` without those about a value the reader already reported (see ``REFUSED``)."""
    return [p for p in problems if MARK not in str(p)]


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"第{line}行第{col}列"


# ── JSON ──────────────────────────────────────────────────────────────────────────────────────────
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WS = re.compile(r"[ \t\n\r]*")
_BAD_LITERALS = ("NaN", "Infinity", "-Infinity")


class _Syntax(Exception):
    def __init__(self, pos: int, message: str):
        self.pos, self.message = pos, message


class _JsonReader:
    """A small recursive-descent JSON reader that knows where every value starts."""

    def __init__(self, text: str):
        self.text, self.problems = text, []

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        t = self.text
        if depth > MAX_DEPTH:
            raise _Syntax(pos, f"嵌套超过{MAX_DEPTH}层")
        if pos >= len(t):
            raise _Syntax(pos, "内容不完整（缺少取值）")
        ch = t[pos]
        if ch == "{":
            return self.obj(pos, depth)
        if ch == "[":
            return self.array(pos, depth)
        if ch == '"':
            try:
                return scanstring(t, pos + 1, True)
            except json.JSONDecodeError as exc:
                raise _Syntax(exc.pos, f"字符串有误（{exc.msg}）") from None
        for word, val in (("true", True), ("false", False), ("null", None)):
            if t.startswith(word, pos):
                return val, pos + len(word)
        for word in _BAD_LITERALS:
            if t.startswith(word, pos):
                self.problems.append(f"{_where(t, pos)}：{word} 不是有限数字，不能使用")
                return REFUSED, pos + len(word)
        m = _NUMBER.match(t, pos)
        if m:
            return self.number(m), m.end()
        raise _Syntax(pos, f"无法识别的内容“{t[pos:pos + 10]}”")

    def number(self, m: re.Match) -> float | int | _Refused:
        text = m.group(0)
        if len(text) > 40:
            self.problems.append(f"{_where(self.text, m.start())}：数字{text[:20]}…位数过多")
            return REFUSED
        if m.group(1) is None and m.group(2) is None:
            return int(text)
        x = float(text)
        if not math.isfinite(x):
            self.problems.append(f"{_where(self.text, m.start())}：数字{text}超出可表示的范围")
            return REFUSED
        return x

    def obj(self, pos: int, depth: int) -> tuple[dict, int]:
        t, out, seen = self.text, {}, {}
        pos = self.skip(pos + 1)
        if t.startswith("}", pos):
            return out, pos + 1
        while True:
            if not t.startswith('"', pos):
                raise _Syntax(pos, "此处应为带双引号的键名")
            key_pos = pos
            key, pos = self.value(pos, depth + 1)
            pos = self.skip(pos)
            if not t.startswith(":", pos):
                raise _Syntax(pos, f"键“{key}”后应为冒号")
            val, pos = self.value(self.skip(pos + 1), depth + 1)
            if key in seen:
                self.problems.append(f"{_where(t, key_pos)}：键“{key}”重复（第一次在{seen[key]}）")
            else:
                seen[key] = _where(t, key_pos)
                out[key] = val
            pos = self.skip(pos)
            if t.startswith(",", pos):
                pos = self.skip(pos + 1)
                continue
            if t.startswith("}", pos):
                return out, pos + 1
            raise _Syntax(pos, "此处应为逗号或右花括号 }")

    def array(self, pos: int, depth: int) -> tuple[list, int]:
        t, out = self.text, []
        pos = self.skip(pos + 1)
        if t.startswith("]", pos):
            return out, pos + 1
        while True:
            val, pos = self.value(pos, depth + 1)
            out.append(val)
            pos = self.skip(pos)
            if t.startswith(",", pos):
                pos = self.skip(pos + 1)
                continue
            if t.startswith("]", pos):
                return out, pos + 1
            raise _Syntax(pos, "此处应为逗号或右方括号 ]")


def load_json(src: str | Path, source: str = "") -> Any:
    """Strict JSON from a file (a ``Path``) or from text (a ``str``); TextError lists every problem."""
    value, problems = parse_json(src, source)
    if problems:
        raise TextError(source or str(src), problems)
    return value


def parse_json(src: str | Path, source: str = "") -> tuple[Any, list[str]]:
    """(value, problems): a syntax error raises TextError; refused values (duplicate keys, NaN, numbers
    that overflow) are listed and stand as ``REFUSED`` so a schema can go on checking the rest."""
    if isinstance(src, Path):
        source = source or str(src)
        src = read_text(src)
    reader = _JsonReader(src)
    try:
        value, pos = reader.value(reader.skip(0), 0)
        pos = reader.skip(pos)
        if pos < len(src):
            raise _Syntax(pos, "JSON内容结束后还有多余的内容")
    except _Syntax as exc:
        raise TextError(source, [f"无法解析JSON，{_where(src, exc.pos)}：{exc.message}"]) from None
    return value, reader.problems


# ── YAML ──────────────────────────────────────────────────────────────────────────────────────────
def _mark(node_or_mark) -> str:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without anchors/aliases, duplicate keys or non-finite floats; problems are collected."""

    def __init__(self, stream):
        super().__init__(stream)
        self.problems: list[str] = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            text = f"：不支持别名 *{event.anchor}（锚点与别名可能展开成巨量数据），请直接写出内容"
            if not any(p.endswith(text) for p in self.problems):  # each alias name once, where first used
                self.problems.append(_mark(event) + text)
            return yaml.ScalarNode(_REFUSED_TAG, "", event.start_mark, event.end_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            self.problems.append(f"{_mark(event)}：不支持锚点 &{event.anchor}，请直接写出内容")
            event.anchor = None
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, str] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base class reports it
                    continue
                if first is not None:
                    self.problems.append(f"{_mark(key_node)}：键“{key}”重复（第一次在{first}）")
                else:
                    seen[key] = _mark(key_node)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            self.problems.append(f"{_mark(node)}：“{node.value}”不是有限数字，不能使用")
            return REFUSED
        return self._plain(node, value)

    def construct_yaml_int(self, node):
        return self._plain(node, super().construct_yaml_int(node))

    def _plain(self, node, value):
        """YAML 1.1 reads 1:30 as 90, 0x100 as 256, 1_871 as 1871 and 010 as 8: only plain decimals pass."""
        if _PLAIN_NUMBER.fullmatch(node.value):
            return value
        self.problems.append(f"{_mark(node)}：“{node.value}”不是普通的十进制数字（YAML 会把它读成 {value:g}）："
                             "请写成普通数字（如 90、1871），或加引号作为文本")
        return REFUSED


_REFUSED_TAG = "tag:qstrong,2026:refused"
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?")
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)
_StrictLoader.add_constructor(_REFUSED_TAG, lambda loader, node: REFUSED)


_YAML_ZH = (("mapping values are not allowed", "此处不能有“键: 值”（多半是缩进或冒号有误）"),
            ("could not find expected ':'", "缺少冒号“:”"), ("cannot start any token", "含有不能出现在此处的字符（如制表符，缩进只能用空格）"),
            ("expected ',' or ']'", "列表缺少逗号或右方括号 ]"), ("expected ',' or '}'", "键值对缺少逗号或右花括号 }"),
            ("constructor for the tag", "不支持的标签（!!…）"), ("undefined tag handle", "不支持的标签（!…）"),
            ("expected <block end>", "缩进不一致"), ("while scanning a quoted scalar", "引号未闭合"),
            ("found unexpected end of stream", "内容不完整（引号或括号未闭合）"))


def _yaml_zh(problem: str) -> str:
    """PyYAML's English problem in Chinese (the original kept in brackets when there is no wording for it)."""
    return next((zh for en, zh in _YAML_ZH if en in problem), f"语法错误（{problem}）")


def load_yaml(text: str, source: str = "", max_chars: int = MAX_BYTES) -> Any:
    """YAML by the strict safe loader; TextError lists every problem (with line and column)."""
    value, problems = parse_yaml(text, source, max_chars)
    if problems:
        raise TextError(source, problems)
    return value


def parse_yaml(text: str, source: str = "", max_chars: int = MAX_BYTES) -> tuple[Any, list[str]]:
    """(value, problems) like :func:`parse_json`: syntax errors raise; refused anchors, aliases, duplicate
    keys and non-finite floats are listed, refused values standing as ``REFUSED``."""
    if len(text) > max_chars:
        raise TextError(source, [f"内容有{len(text):,}个字符，超过上限{max_chars:,}"])
    loader = None
    try:
        loader = _StrictLoader(text)
        value = loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        raise TextError(source, [f"无法解析YAML：第{exc.position + 1}个字符是不可打印的控制字符"
                                 f"（U+{exc.character:04X}），请删除"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise TextError(source, [f"无法解析YAML，{_mark(mark)}：{_yaml_zh(exc.problem or exc.context or '')}"]) from None
    except yaml.YAMLError as exc:
        raise TextError(source, [f"无法解析YAML：{exc}"]) from None
    except RecursionError:
        raise TextError(source, ["无法解析YAML：嵌套层数过多"]) from None
    except ValueError:  # e.g. an integer with more digits than Python converts, a date that is no date
        raise TextError(source, ["无法解析YAML：有数值或日期无法转换（如整数位数过多、日期不存在）"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return value, sorted(loader.problems, key=_position)


def _position(problem: str) -> tuple[int, int]:
    m = re.match(r"第(\d+)行第(\d+)列", problem)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def load_data(path: str | Path, what: str = "文件") -> tuple[Any, list[str]]:
    """(value, problems) of a .json file by :func:`parse_json` or a .yaml/.yml file by :func:`parse_yaml`;
    other suffixes refused."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise TextError(str(p), [f"{what}应为 .yaml、.yml 或 .json 文件，而不是“{p.suffix or '无扩展名'}”"])
    text = read_text(p, what)
    return parse_json(text, str(p)) if suffix == ".json" else parse_yaml(text, str(p))
