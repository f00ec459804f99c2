"""Safe arithmetic over measure ids, as written in the catalog (e.g. ``q41.tech_trade / gdp * 100``).

Only numbers, measure ids (dotted names), + − × ÷ and parentheses are allowed. Evaluation is
vectorised: each measure id is bound to a numpy array over counties; division by zero yields NaN.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: None}
_SYMBOLS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


@dataclass(frozen=True)
class Expr:
    """A parsed arithmetic expression over measure ids."""

    source: str

    @cached_property
    def tree(self) -> ast.AST:
        try:
            tree = ast.parse(self.source, mode="eval").body
        except SyntaxError as exc:
            raise ValueError(f"expression {self.source!r}: {exc.msg}") from exc
        self._check(tree)
        return tree

    def _check(self, node: ast.AST) -> None:
        if _dotted(node) is not None:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            self._check(node.left)
            self._check(node.right)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            self._check(node.operand)
            return
        raise ValueError(f"expression {self.source!r}: {ast.dump(node)} is not allowed")

    @cached_property
    def measures(self) -> tuple[str, ...]:
        """Measure ids used, in order of first appearance."""
        found: dict[str, None] = {}

        def visit(node: ast.AST) -> None:
            name = _dotted(node)
            if name is not None:
                found.setdefault(name, None)
                return
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(self.tree)
        return tuple(found)

    def evaluate(self, env: Mapping[str, np.ndarray]) -> np.ndarray:
        """Evaluate with each measure id bound to an array (NaN = missing)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self._eval(self.tree, env)
            out = np.asarray(out, dtype=float)
            return np.where(np.isfinite(out), out, np.nan)

    def _eval(self, node: ast.AST, env: Mapping[str, np.ndarray]):
        name = _dotted(node)
        if name is not None:
            return env[name]
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp):
            return -self._eval(node.operand, env)
        left, right = self._eval(node.left, env), self._eval(node.right, env)
        if isinstance(node.op, ast.Div):
            return np.divide(left, right)
        return _OPS[type(node.op)](left, right)

    def render(self, names: Mapping[str, str]) -> str:
        """The expression with measure ids replaced by `names` (e.g. values or Chinese names)."""
        return self._render(self.tree, names, 0)

    def _render(self, node: ast.AST, names: Mapping[str, str], parent_prec: int) -> str:
        name = _dotted(node)
        if name is not None:
            return names.get(name, name)
        if isinstance(node, ast.Constant):
            v = float(node.value)
            return str(int(v)) if v.is_integer() else str(v)
        if isinstance(node, ast.UnaryOp):
            return "−" + self._render(node.operand, names, 3)
        prec = 1 if isinstance(node.op, ast.Add | ast.Sub) else 2
        right_prec = prec + 1 if isinstance(node.op, ast.Sub | ast.Div) else prec
        text = (f"{self._render(node.left, names, prec)}{_SYMBOLS[type(node.op)]}"
                f"{self._render(node.right, names, right_prec)}")
        return f"({text})" if prec < parent_prec else text
