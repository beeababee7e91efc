"""$select, $expand and the values of the other system query options.

They live together because they are mutually recursive: an $expand item carries its own
query options (`addresses($select=ID;$filter=...;$expand=notification($select=ID))`).

Positions in errors raised from nested options are relative to the start of the whole
$expand value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from odata4.errors import BadRequest, NotImplementedFeature, ParseError
from odata4.uri.ast import ExpandItem, QueryOptions
from odata4.uri.filter import parse_filter, parse_orderby
from odata4.uri.search import parse_search

MAX_EXPAND_DEPTH = 10
INT64_MAX = 2**63 - 1

_NAME = r"[^\W\d]\w*"
_PATH_SEGMENT = re.compile(rf"{_NAME}(?:\.{_NAME})*")
_SELECT_SEGMENT = re.compile(rf"{_NAME}(?:\.{_NAME})*(?:\.\*)?")  # `NS.*` = all operations of NS
_DIGITS = re.compile(r"[0-9]*")

# options allowed inside $expand(...): expandOption
NESTED_OPTIONS = frozenset(
    ("$filter", "$orderby", "$select", "$expand", "$top", "$skip", "$count", "$search", "$levels")
)
UNSUPPORTED_OPTIONS = frozenset(("$compute", "$index", "$deltatoken", "$schemaversion"))
TOP_LEVEL_ONLY = frozenset(("$skiptoken", "$format", "$apply"))


# selectItem = STAR / allOperationsInSchema / [ qualifiedTypeName "/" ] ( selectProperty / qualifiedActionName / ... )
def parse_select(text: str) -> tuple[tuple[str, ...], ...]:
    """Comma-separated paths: `ID,addresses/ID,*` -> (("ID",), ("addresses", "ID"), ("*",))."""
    return tuple(_select_item(item, pos) for item, pos in split_top_level(text, ",", 0))


def _select_item(item: str, pos: int) -> tuple[str, ...]:
    text, pos = _strip(item, pos)
    if text == "*":
        return ("*",)
    if "(" in text:
        raise NotImplementedFeature("Nested options in $select are not supported")
    return _path(text, pos, _SELECT_SEGMENT, '"*" or a reference')


# expand = expandItem *( COMMA expandItem )
# expandItem = STAR [ ref / OPEN levels CLOSE ] / "$value"
#            / expandPath [ ref / count / OPEN expandOption *( SEMI expandOption ) CLOSE ]
def parse_expand(text: str, _depth: int = 0) -> tuple[ExpandItem, ...]:
    if _depth >= MAX_EXPAND_DEPTH:
        raise ParseError(f"$expand is nested deeper than {MAX_EXPAND_DEPTH} levels", position=0)
    return tuple(_expand_item(item, pos, _depth) for item, pos in split_top_level(text, ",", 0))


def _expand_item(item: str, pos: int, depth: int) -> ExpandItem:
    text, pos = _strip(item, pos)
    paren = text.find("(")
    path = _expand_path(text if paren < 0 else text[:paren], pos)
    if paren < 0:
        return ExpandItem(path)
    close = _matching_paren(text, paren)
    if close != len(text) - 1:
        rest = text[close + 1 : close + 2]
        raise ParseError(f'Expected "," or end of input but "{rest}" found.', position=pos + close + 1)
    options = _nested_options(text[paren + 1 : close], pos + paren + 1, depth, star=path == ("*",))
    return ExpandItem(path, options)


def _expand_path(text: str, pos: int) -> tuple[str, ...]:
    if text == "*":
        return ("*",)
    segments = text.split("/")
    if segments[-1] in ("$ref", "$count") or text == "$value":
        raise NotImplementedFeature(f"{segments[-1]} in $expand is not supported")
    return _path(text, pos, _PATH_SEGMENT, "a navigation property")


# expandOption = expandRefOption / select / expand / compute / levels / aliasAndValue
def _nested_options(text: str, pos: int, depth: int, *, star: bool) -> QueryOptions:
    options = QueryOptions()
    seen: set[str] = set()
    for part, part_pos in split_top_level(text, ";", pos):
        if not part:
            raise ParseError(
                "Expected a query option but " + _found(text, part_pos - pos) + " found.", position=part_pos
            )
        name, eq, value = part.partition("=")
        if not eq:
            raise ParseError(f'Expected "=" after "{name[:40]}"', position=part_pos)
        if name.startswith("@"):
            raise NotImplementedFeature("Parameter aliases are not supported")
        if name in UNSUPPORTED_OPTIONS or name == "$apply":
            raise NotImplementedFeature(f"{name} is not supported")
        if name not in NESTED_OPTIONS or (star and name != "$levels"):
            raise ParseError(f'Query option "{name[:40]}" is not allowed in $expand', position=part_pos)
        if name in seen:
            raise BadRequest(f'Query option "{name}" is given more than once in $expand')
        seen.add(name)
        with shifted_positions(part_pos + len(name) + 1):
            apply_option(options, name, value, depth + 1)
    return options


def apply_option(options: QueryOptions, name: str, value: str, depth: int = 0) -> None:
    """Parse the value of system query option `name` (a known one) into `options`."""
    if name == "$filter":
        options.filter = parse_filter(value)
    elif name == "$orderby":
        options.orderby = parse_orderby(value)
    elif name == "$select":
        options.select = parse_select(value)
    elif name == "$expand":
        options.expand = parse_expand(value, depth)
    elif name in ("$top", "$skip"):
        setattr(options, name[1:], parse_non_negative_int(value))
    elif name == "$count":
        options.count = parse_boolean(value)
    elif name == "$search":
        options.search = parse_search(value) if value.strip() else None  # empty $search is ignored, as in CAP
    elif name == "$levels":
        options.levels = parse_levels(value)
    elif name == "$skiptoken":
        options.skiptoken = value
    elif name == "$format":
        options.format = value
    elif name == "$apply":
        options.apply = value  # parsed by the $apply module
    else:
        raise BadRequest(f'Unknown system query option "{name[:40]}"')


def parse_non_negative_int(value: str) -> int:
    """$top, $skip: 1*DIGIT."""
    m = _DIGITS.match(value)
    assert m is not None
    if m.end() == 0:
        raise ParseError(f"Expected an integer but {_found(value, 0)} found.", position=0)
    if m.end() < len(value):
        raise ParseError(f"Expected end of input but {_found(value, m.end())} found.", position=m.end())
    if len(value) > 19 or int(value) > INT64_MAX:
        raise ParseError(f"Integer {value[:40]} is too large", position=0)
    return int(value)


def parse_boolean(value: str) -> bool:
    """$count: "true" / "false"."""
    if value not in ("true", "false"):
        raise ParseError(f"Expected a boolean but {_found(value, 0)} found.", position=0)
    return value == "true"


def parse_levels(value: str) -> int:
    """$levels: oneToNine *DIGIT / "max"."""
    if value == "max":
        raise NotImplementedFeature("$levels=max is not supported")
    levels = parse_non_negative_int(value)
    if levels == 0:
        raise ParseError('Expected a positive integer or max but "0" found.', position=0)
    return levels


class shifted_positions:
    """Context manager: add `offset` to the position of ParseErrors passing through."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, ParseError) and exc.position is not None:
            exc.position += self.offset


def split_top_level(text: str, sep: str, base: int) -> list[tuple[str, int]]:
    """Split at `sep` outside parentheses and quotes; (part, position of part) pairs."""
    parts: list[tuple[str, int]] = []
    depth, start = 0, 0
    for i, ch in _outside_quotes(text, base):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ParseError('Unexpected ")"', position=base + i)
        elif ch == sep and depth == 0:
            parts.append((text[start:i], base + start))
            start = i + 1
    if depth:
        raise ParseError('Expected ")" but end of input found.', position=base + len(text))
    parts.append((text[start:], base + start))
    return parts


def _matching_paren(text: str, open_at: int) -> int:
    depth = 0
    for i, ch in _outside_quotes(text, 0):
        if i >= open_at and ch in "()":
            depth += 1 if ch == "(" else -1
            if depth == 0:
                return i
    return len(text) - 1  # not reached: split_top_level has checked the balance


def _outside_quotes(text: str, base: int) -> Iterator[tuple[int, str]]:
    """(index, char) of the characters outside 'strings' (with '') and "phrases" (with \\")."""
    quote, escaped = "", False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif not quote:
            if ch in "'\"":
                quote = ch
            else:
                yield i, ch
        elif ch == quote:
            quote = ""
        elif ch == "\\" and quote == '"':
            escaped = True
    if quote:
        raise ParseError("Expected a closing quote but end of input found.", position=base + len(text))


def _path(text: str, pos: int, segment: re.Pattern[str], expected: str) -> tuple[str, ...]:
    segments = text.split("/")
    offset = pos
    for seg in segments:
        if not segment.fullmatch(seg):
            raise ParseError(f"Expected {expected} but {_found(seg, 0)} found.", position=offset)
        offset += len(seg) + 1
    return tuple(segments)


def _strip(item: str, pos: int) -> tuple[str, int]:
    """Drop the BWS around a list item, keeping the position of its first character."""
    text = item.lstrip(" \t")
    return text.rstrip(" \t"), pos + len(item) - len(text)


def _found(text: str, at: int) -> str:
    return f'"{text[at]}"' if at < len(text) else "end of input"
