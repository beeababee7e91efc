"""`$filter` in OData V2 syntax, as SAP Gateway accepts it: parsed into a typed predicate over rows. Pure.

Grammar (OData V2 URI conventions 4.5, precedence from loose to tight):
    or  := and ("or" and)*           and := eq ("and" eq)*          eq := rel (("eq"|"ne") rel)*
    rel := add (("gt"|"ge"|"lt"|"le") add)*     add := mul (("add"|"sub") mul)*
    mul := un (("mul"|"div"|"mod") un)*         un := ("not"|"-") un | primary
    primary := "(" or ")" | literal | function "(" args ")" | property
V4-only syntax (`contains`, `in`, bare dates, `any`/`all`) is refused, as S/4HANA refuses it; so are
properties the entity type does not have and operands of incompatible types.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import operator
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .schema import EntityDef

Row = dict[str, Any]
Eval = Callable[[Row], Any]

_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<typed>(?:datetimeoffset|datetime|guid|time|binary|X)'(?:[^']|'')*')"
    r"|(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)"
    r"|(?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)|(?P<punct>[(),-])"
)
_KINDS = {
    "Edm.String": "string",
    "Edm.Boolean": "bool",
    "Edm.DateTime": "datetime",
    "Edm.DateTimeOffset": "datetime",
    "Edm.Time": "time",
    "Edm.Guid": "guid",
}


class FilterError(Exception):
    pass


@dataclass(frozen=True)
class Node:
    evaluate: Eval
    kind: str  # string, bool, number, datetime, time, guid, null


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FilterError(f"Invalid token detected at position {pos + 1}")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, match.group(), pos))
        pos = match.end()
    return tokens


def _typed_literal(text: str) -> Node:
    prefix, _, rest = text.partition("'")
    raw = rest[:-1].replace("''", "'")
    try:
        if prefix in ("datetime", "datetimeoffset"):
            parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            value = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
            return Node(lambda _r: value, "datetime")
        if prefix == "guid":
            guid = uuid.UUID(raw)
            return Node(lambda _r: guid, "guid")
        if prefix == "time":
            match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", raw)
            if match is None:
                raise ValueError(raw)
            hours, minutes, seconds = (int(g or 0) for g in match.groups())
            moment = dt.time(hours, minutes, seconds)
            return Node(lambda _r: moment, "time")
    except ValueError:
        raise FilterError(f"Invalid literal {text}") from None
    raise FilterError(f"Literal {text} is not supported")


def _number(text: str) -> Node:
    suffix = text[-1].lower() if text[-1].isalpha() else ""
    digits = text[:-1] if suffix else text
    value: Any = (
        decimal.Decimal(digits)
        if suffix == "m"
        else float(digits)
        if suffix in ("d", "f") or "." in digits
        else int(digits)
    )
    return Node(lambda _r: value, "number")


def _compatible(a: Node, b: Node, what: str) -> None:
    if a.kind != b.kind and "null" not in (a.kind, b.kind):
        raise FilterError(f"Operator '{what}' incompatible with operand types {a.kind} and {b.kind}")


def _compare(op: Callable[[Any, Any], bool], name: str) -> Callable[[Node, Node], Node]:
    def build(a: Node, b: Node) -> Node:
        _compatible(a, b, name)
        if name in ("eq", "ne"):
            return Node(lambda r: op(a.evaluate(r), b.evaluate(r)), "bool")

        def ordered(r: Row) -> bool:
            left, right = a.evaluate(r), b.evaluate(r)
            return left is not None and right is not None and op(left, right)

        return Node(ordered, "bool")

    return build


def _logical(name: str) -> Callable[[Node, Node], Node]:
    def build(a: Node, b: Node) -> Node:
        if a.kind != "bool" or b.kind != "bool":
            raise FilterError(f"Operator '{name}' needs boolean operands")
        if name == "and":
            return Node(lambda r: bool(a.evaluate(r)) and bool(b.evaluate(r)), "bool")
        return Node(lambda r: bool(a.evaluate(r)) or bool(b.evaluate(r)), "bool")

    return build


def _arithmetic(op: Callable[[Any, Any], Any], name: str) -> Callable[[Node, Node], Node]:
    def build(a: Node, b: Node) -> Node:
        if a.kind != "number" or b.kind != "number":
            raise FilterError(f"Operator '{name}' needs numeric operands")

        def compute(r: Row) -> Any:
            left, right = a.evaluate(r), b.evaluate(r)
            if left is None or right is None or (name in ("div", "mod") and right == 0):
                return None
            return op(left, right)

        return Node(compute, "number")

    return build


_BINARY: dict[str, Callable[[Node, Node], Node]] = {
    "or": _logical("or"),
    "and": _logical("and"),
    "eq": _compare(operator.eq, "eq"),
    "ne": _compare(operator.ne, "ne"),
    "gt": _compare(operator.gt, "gt"),
    "ge": _compare(operator.ge, "ge"),
    "lt": _compare(operator.lt, "lt"),
    "le": _compare(operator.le, "le"),
    "add": _arithmetic(operator.add, "add"),
    "sub": _arithmetic(operator.sub, "sub"),
    "mul": _arithmetic(operator.mul, "mul"),
    "mod": _arithmetic(operator.mod, "mod"),
    "div": _arithmetic(lambda x, y: x // y if isinstance(x, int) and isinstance(y, int) else x / y, "div"),
}
_LEVELS = (("or",), ("and",), ("eq", "ne"), ("gt", "ge", "lt", "le"), ("add", "sub"), ("mul", "div", "mod"))


def _substring(s: str, start: int, length: int | None = None) -> str:
    return s[start:] if length is None else s[start : start + length]


# name → (argument kinds, result kind, implementation over non-null arguments)
_FUNCTIONS: dict[str, tuple[tuple[str, ...], str, Callable[..., Any]]] = {
    "substringof": (("string", "string"), "bool", lambda needle, s: needle in s),
    "startswith": (("string", "string"), "bool", lambda s, p: s.startswith(p)),
    "endswith": (("string", "string"), "bool", lambda s, p: s.endswith(p)),
    "length": (("string",), "number", len),
    "indexof": (("string", "string"), "number", lambda s, sub: s.find(sub)),
    "replace": (("string", "string", "string"), "string", lambda s, a, b: s.replace(a, b)),
    "substring": (("string", "number", "number?"), "string", _substring),
    "tolower": (("string",), "string", str.lower),
    "toupper": (("string",), "string", str.upper),
    "trim": (("string",), "string", str.strip),
    "concat": (("string", "string"), "string", lambda a, b: a + b),
    "year": (("datetime",), "number", lambda d: d.year),
    "month": (("datetime",), "number", lambda d: d.month),
    "day": (("datetime",), "number", lambda d: d.day),
    "hour": (("datetime",), "number", lambda d: d.hour),
    "minute": (("datetime",), "number", lambda d: d.minute),
    "second": (("datetime",), "number", lambda d: d.second),
    "round": (("number",), "number", lambda x: float(round(x))),
    "floor": (("number",), "number", math.floor),
    "ceiling": (("number",), "number", math.ceil),
}


class _Parser:
    def __init__(self, text: str, entity: EntityDef) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.entity = entity

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise FilterError("Unexpected end of the filter expression")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        _, value, pos = self.take()
        if value != text:
            raise FilterError(f"Expected '{text}' at position {pos + 1}, found '{value}'")

    def level(self, index: int) -> Node:
        if index == len(_LEVELS):
            return self.unary()
        node = self.level(index + 1)
        while (token := self.peek()) is not None and token[0] == "name" and token[1] in _LEVELS[index]:
            self.take()
            node = _BINARY[token[1]](node, self.level(index + 1))
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token[1] in ("not", "-"):
            self.take()
            operand = self.unary()
            if token[1] == "not":
                if operand.kind != "bool":
                    raise FilterError("Operator 'not' needs a boolean operand")
                return Node(lambda r: not operand.evaluate(r), "bool")
            if operand.kind != "number":
                raise FilterError("Operator '-' needs a numeric operand")
            return Node(lambda r: None if operand.evaluate(r) is None else -operand.evaluate(r), "number")
        return self.primary()

    def primary(self) -> Node:
        kind, value, pos = self.take()
        if value == "(":
            node = self.level(0)
            self.expect(")")
            return node
        if kind == "string":
            text = value[1:-1].replace("''", "'")
            return Node(lambda _r: text, "string")
        if kind == "number":
            return _number(value)
        if kind == "typed":
            return _typed_literal(value)
        if kind == "name":
            return self.name(value, pos)
        raise FilterError(f"Invalid token detected at position {pos + 1}")

    def name(self, value: str, pos: int) -> Node:
        if value in ("true", "false"):
            flag = value == "true"
            return Node(lambda _r: flag, "bool")
        if value == "null":
            return Node(lambda _r: None, "null")
        following = self.peek()
        if following is not None and following[1] == "(":
            return self.call(value, pos)
        field = self.entity.field(value)
        if field is None:
            raise FilterError(f"Property '{value}' not found in type '{self.entity.type_name}'")
        kind = _KINDS.get(field.type, "number")
        return Node(lambda r: r.get(value), kind)

    def call(self, name: str, pos: int) -> Node:
        if name not in _FUNCTIONS:
            raise FilterError(f"Function '{name}' is not supported (position {pos + 1})")
        self.expect("(")
        args = [self.level(0)]
        while (token := self.peek()) is not None and token[1] == ",":
            self.take()
            args.append(self.level(0))
        self.expect(")")
        return _function(name, args)


def _function(name: str, args: list[Node]) -> Node:
    kinds, result, impl = _FUNCTIONS[name]
    required = [k for k in kinds if not k.endswith("?")]
    if not len(required) <= len(args) <= len(kinds):
        raise FilterError(f"Function '{name}' expects {len(required)} arguments")
    for arg, expected in zip(args, kinds, strict=False):
        if arg.kind not in (expected.rstrip("?"), "null"):
            wanted = expected.rstrip("?")
            raise FilterError(f"Function '{name}': argument of type {arg.kind} where {wanted} is expected")

    def apply(r: Row) -> Any:
        values = [a.evaluate(r) for a in args]
        return None if any(v is None for v in values) else impl(*values)

    return Node(apply, result)


def compile_filter(text: str, entity: EntityDef) -> Eval:
    """The predicate of a `$filter` value; `FilterError` for anything S/4HANA would refuse."""
    parser = _Parser(text, entity)
    if not parser.tokens:
        raise FilterError("The filter expression is empty")
    node = parser.level(0)
    leftover = parser.peek()
    if leftover is not None:
        raise FilterError(f"Invalid token detected at position {leftover[2] + 1}")
    if node.kind != "bool":
        raise FilterError("The filter expression is not a boolean expression")
    return lambda row: bool(node.evaluate(row))
