"""The ``qstrong brief``  sub-command (registered by ``parser.build_parser``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def register(sub, analysis_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the sub-command to `sub`; `analysis_parser(sub, name, help)` gives the shared county options."""
