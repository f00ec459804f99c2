"""Writing tables for Excel users — the names the rest of the program imports; the writers live in
:mod:`qstrong.writers` (one per format, one cell policy, atomic and checked file writing)."""

from __future__ import annotations

from .writers import (
    cell_value,
    check_outputs,
    frame_to_csv,
    frames_to_xlsx,
    safe_frame,
    safe_text,
    to_json,
    write_atomic,
    write_text,
)

safe_cell = cell_value      # the former name

__all__ = ["cell_value", "check_outputs", "frame_to_csv", "frames_to_xlsx", "safe_cell", "safe_frame",
           "safe_text", "to_json", "write_atomic", "write_text"]
