"""One error type for bad input: every problem found, in Chinese; the command line exits 2 on it.

PanelError, ScenarioError and the option, config and output errors are all InputErrors, so
presentation catches one class and never shows a traceback for a user's mistake.
"""

from __future__ import annotations


class InputError(ValueError):
    """Input with problems; ``problems`` holds every one found (objects whose str() is Chinese)."""

    title = "输入有{n}处问题"

    def __init__(self, problems: list[object], title: str | None = None):
        self.problems = list(problems)
        if title is not None:
            self.title = title
        super().__init__(self.report())

    def report(self, limit: int = 200) -> str:
        """Every problem, numbered; past `limit` one line says how many more there are (all stay in
        ``problems``: a file whose every line is wrong is one wrong file, not 20,000 lines to read)."""
        head = self.title.format(n=len(self.problems)) + "："
        lines = [head] + [f"  {k}. {p}" for k, p in enumerate(self.problems[:limit], 1)]
        if len(self.problems) > limit:
            lines.append(f"  ……另有{len(self.problems) - limit}处问题未列出（共{len(self.problems)}处）")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()
