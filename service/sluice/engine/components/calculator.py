"""Calculator: arithmetic on an expression, evaluated from its syntax tree (never `eval`).

Numbers are floats, as in Langflow, so `**` overflows into a clear error instead of building
an enormous integer.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from sluice.engine.component import Component
from sluice.engine.context import RunContext
from sluice.engine.graph import Node
from sluice.engine.values import Data, to_text

MAX_LENGTH = 1000
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow, ast.Mod: operator.mod, ast.FloorDiv: operator.floordiv,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class InvalidExpression(ValueError):
    pass


def evaluate(expression: str) -> float:
    if len(expression) > MAX_LENGTH:
        raise InvalidExpression(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise InvalidExpression("the expression is not valid arithmetic") from None
    return _value(tree.body)


def _value(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_value(node.left), _value(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    raise InvalidExpression(f"unsupported element {type(node).__name__}")


def formatted(number: float) -> str:
    """Six decimals at most, trailing zeros dropped, as Langflow's calculator prints results."""
    return f"{number:.6f}".rstrip("0").rstrip(".")


class Calculator(Component):
    async def run(self, node: Node, params: Mapping[str, Any], context: RunContext) -> Mapping[str, Any]:
        expression = to_text(params.get("expression"))
        try:
            return {"result": Data({"result": formatted(evaluate(expression))})}
        except ZeroDivisionError:
            return {"result": Data({"error": "Error: Division by zero", "input": expression})}
        except (InvalidExpression, OverflowError) as error:
            return {"result": Data({"error": f"Invalid expression: {error}", "input": expression})}
