"""A text file's bytes as text, as offices save it: UTF-8 with or without BOM, UTF-16 with a BOM (Excel
"Unicode text"), else GB18030 (a superset of GBK/GB2312: WPS and older Excel) when the result is plausible
text; anything else is refused naming the line and byte. An encoding other than UTF-8 is said as a note
(:func:`take_notes`). :func:`read_text` registers the file as an input (``qstrong.paths``); it is never
written. Parsing (strict JSON and YAML) is in :mod:`qstrong.textfiles`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .paths import register_input

MAX_BYTES = 1_000_000          # a scenario, config or list is a few kilobytes
_RESAVE = "请用记事本或WPS“另存为”，编码选择“UTF-8”后再试"


class TextError(InputError):
    """A text input that cannot be read or parsed; every problem is listed."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(problems, f"文件“{source}”有{{n}}处问题" if source else "文本有{n}处问题")


UTF8, UTF16, GB18030 = "UTF-8", "UTF-16", "GB18030"
_LABELS = {UTF16: "UTF-16（Excel“Unicode文本”）", GB18030: "GB18030（兼容GBK/GB2312，WPS或旧版Excel的默认编码）"}
# A file decoded as GB18030 must look like text: no control, private-use or unassigned characters
# anywhere, and a first line (the header) of ASCII, CJK and common punctuation only.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff]")
_UNCOMMON = re.compile("[^\t\n\r -~\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")   # all else looked up
_HEADER_OK = re.compile("[\t\r -~\u00a0-\u00ff\u2000-\u206f\u2100-\u218f\u2460-\u24ff\u3000-\u303f"
                        "\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\ufeff]*")


@dataclass(frozen=True)
class Decoded:
    """A file's text and the encoding it was read in (UTF8, UTF16 or GB18030)."""

    text: str
    encoding: str

    @property
    def note(self) -> str:
        """The 提醒 to give when the file was not UTF-8 ('' when it was)."""
        if self.encoding == UTF8:
            return ""
        check = "：请核对中文是否显示正确" if self.encoding == GB18030 else ""
        return f"文件不是UTF-8编码，已按{_LABELS[self.encoding]}读取{check}"


def decode(data: bytes, source: str = "") -> str:
    """The text of `data` (see :func:`decoded`)."""
    return decoded(data, source).text


def decoded(data: bytes, source: str = "") -> Decoded:
    """UTF-8 (BOM optional), UTF-16 with a BOM, else GB18030 when the result is plausible text; otherwise
    TextError naming `source` and where the bytes stop making sense. Never a silent guess: the encoding
    is returned (its note says it)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), UTF16)
        except UnicodeDecodeError as exc:
            raise TextError(source, [f"带UTF-16的BOM，但第{exc.start + 1}个字节起无法按UTF-16解码：{_RESAVE}"]) from None
    elif b"\x00" in data[:4096] and (order := _utf16_order(data)):
        raise TextError(source, [f"是不带BOM的UTF-16（{order}）编码，无法可靠识别：{_RESAVE}"])
    try:
        return Decoded(data.decode("utf-8"), UTF8)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        at = max(exc.start, utf8_error.start)            # where neither reading makes sense any more
        line = data.count(b"\n", 0, at) + 1
        raise TextError(source, [f"不是UTF-8编码，也不是GBK/GB18030编码（第{line}行、第{at + 1}个字节起"
                                 f"无法解码）：{_RESAVE}"]) from None
    odd = _implausible(text)
    if odd:
        raise TextError(source, [f"不是UTF-8编码；按GBK/GB18030解码后{odd}，不像文本，无法确定文件的编码：{_RESAVE}"])
    return Decoded(text, GB18030)


def _implausible(text: str) -> str:
    """Where `text` (decoded as GB18030) stops looking like a Chinese office file ('' when it does not)."""
    m = _NOT_TEXT.search(text)
    if m is None:                      # unassigned code points: looked up once per distinct character
        rare = set(_UNCOMMON.findall(text))
        odd = [ch for ch in rare if unicodedata.category(ch) in ("Cn", "Cs")]
        pos = min(text.index(ch) for ch in odd) if odd else None
    else:
        pos = m.start()
    if pos is None:
        header = text.split("\n", 1)[0]
        ok = _HEADER_OK.match(header).end()
        if ok == len(header):
            return ""
        pos = ok
    ch = text[pos]
    return f"第{text.count(chr(10), 0, pos) + 1}行有字符U+{ord(ch):04X}"


def _utf16_order(data: bytes) -> str:
    """"LE"/"BE" when `data` looks like UTF-16 without its BOM (about every other byte 0), else ''."""
    head = data[:4096]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if len(head) >= 4 and max(odd, even) * 8 >= len(head) > min(odd, even) * 16:
        return "LE" if odd > even else "BE"
    return ""


_NOTES: list[str] = []


def take_notes() -> list[str]:
    """The encoding notes of the files :func:`read_text` read since the last call (then forgotten)."""
    notes = list(dict.fromkeys(_NOTES))
    _NOTES.clear()
    return notes


def read_text(path: str | Path, what: str = "文件", max_bytes: int = MAX_BYTES) -> str:
    """The decoded text of `path`, registered as an input; Chinese errors for missing, huge or unreadable
    files. A file not in UTF-8 leaves a note (:func:`take_notes`)."""
    p = Path(path)
    if not p.is_file():
        raise TextError(str(p), [f"{what}不存在或不是文件"])
    register_input(p)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise TextError(str(p), [f"{what}有{size:,}字节，超过上限{max_bytes:,}字节：请检查是否选错了文件"])
        data = p.read_bytes()
    except OSError as exc:
        raise TextError(str(p), [f"无法读取{what}：{exc.strerror or exc}"]) from None
    got = decoded(data, str(p))
    if got.note:
        _NOTES.append(f"{what}“{p}”：{got.note}")
    return got.text
