"""Every file the program writes goes through here: one writer per format (CSV, xlsx, JSON, text),
one cell policy (:mod:`.cells`), one safe way to put a file on disk (:mod:`.files`)."""

from .about import About, data_notice
from .cells import (
           cell_value,
           formula_like,
           is_plain_number,
           safe_frame,
           safe_text,
           truncate,
           unquote,
           visible_text,
)
from .files import Output, check_outputs, format_output, os_problem, write_atomic, write_text
from .tables import frame_to_csv, frames_to_xlsx, sheet_title, to_json

__all__ = ["About", "Output", "data_notice", "cell_value", "check_outputs", "format_output", "formula_like", "frame_to_csv", "frames_to_xlsx", "is_plain_number",
           "os_problem", "safe_frame", "safe_text", "sheet_title", "to_json", "truncate", "unquote", "visible_text", "write_atomic",
           "write_text"]
