"""The resource path of a request URL: the part after the service root.

    resourcePath = entitySetName [ collectionNavigation ] / singletonEntity [ ... ] / actionImportCall / ...
    keyPredicate = simpleKey / compoundKey / keyPathSegments
    simpleKey    = OPEN ( parameterAlias / keyPropertyValue ) CLOSE
    compoundKey  = OPEN keyValuePair *( COMMA keyValuePair ) CLOSE
    keyValuePair = ( primitiveKeyProperty / keyPropertyAlias ) EQ ( parameterAlias / keyPropertyValue )

The path is split on `/` *before* percent-decoding (outside quoted strings, `'` or
`%27`), then each segment is decoded. Names are not resolved here: `Notifications`,
`addresses` and `BusinessPartnerVerification.draftEdit` are all just names, which the
router binds to the model.

Errors follow CAP: a segment that is not `name` or `name(...)` is a 404 "Invalid
resource path"; a bad key value is a 400 "Invalid value: ...".
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from odata4.errors import NotFound, NotImplementedFeature, ParseError
from odata4.uri.ast import Literal
from odata4.uri.lexer import Token, describe, keyword_literal, tokenize

# A single positional value, or name -> value; `{}` for empty parentheses `f()`.
KeyPredicate = Literal | dict[str, Literal]

SPECIAL_SEGMENTS = frozenset(("$count", "$value", "$ref", "$batch", "$metadata"))
UNSUPPORTED_SEGMENTS = frozenset(("$entity", "$crossjoin", "$all", "$each", "$query", "$filter", "$apply", "$root"))
_NAME = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")


@dataclass
class Segment:
    name: str
    key: KeyPredicate | None = None


def parse_resource_path(path: str) -> list[Segment]:
    """`path`: the RAW (still percent-encoded) path after the service root, e.g.
    `Notifications(ID=2c72...,IsActiveEntity=true)/addresses/$count`."""
    path = path.removeprefix("/")
    if path.endswith("/"):
        path = path[:-1]
    if not path:
        return []
    return [_segment(raw, pos) for raw, pos in _split(path)]


def _split(path: str) -> list[tuple[str, int]]:
    """Split at `/` outside quoted strings; a quote is `'` or `%27`."""
    parts: list[tuple[str, int]] = []
    quoted, start, i = False, 0, 0
    while i < len(path):
        if path[i] == "'":
            quoted = not quoted
        elif path.startswith("%27", i):
            quoted, i = not quoted, i + 2
        elif path[i] == "/" and not quoted:
            parts.append((path[start:i], start))
            start = i + 1
        i += 1
    parts.append((path[start:], start))
    return parts


def _segment(raw: str, pos: int) -> Segment:
    try:
        text = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise ParseError("Invalid percent-encoding in the resource path", position=pos) from None
    paren = text.find("(")
    name = text if paren < 0 else text[:paren]
    if name in UNSUPPORTED_SEGMENTS:
        raise NotImplementedFeature(f"{name} is not supported")
    if not (_NAME.fullmatch(name) or (name in SPECIAL_SEGMENTS and paren < 0)) or (paren >= 0 and text[-1] != ")"):
        raise NotFound(f'Invalid resource path "{text[:200]}"')
    if paren < 0:
        return Segment(name)
    return Segment(name, _key(text[paren + 1 : -1], pos + paren + 1))


def _key(text: str, pos: int) -> KeyPredicate:
    try:
        tokens = tokenize(text)
    except ParseError as exc:
        raise ParseError(f"Invalid value: {text[:100]} ({exc.message})", position=pos + (exc.position or 0)) from None
    if tokens[0].kind == "eof":
        return {}
    if tokens[1].kind == "eof":
        return _value(tokens[0], pos)
    return _named_values(tokens, pos)


def _named_values(tokens: list[Token], pos: int) -> dict[str, Literal]:
    values: dict[str, Literal] = {}
    i = 0
    while True:
        name, eq = tokens[i], tokens[i + 1]
        if name.kind != "ident" or not name.text.isidentifier() or eq.kind != "=":
            bad = name if name.kind != "ident" or not name.text.isidentifier() else eq
            raise ParseError(f"Invalid value: {bad.text or describe(bad)}", position=pos + bad.pos)
        if name.text in values:
            raise ParseError(f'Key "{name.text}" is given more than once', position=pos + name.pos)
        values[name.text] = _value(tokens[i + 2], pos)
        sep = tokens[i + 3]
        if sep.kind == "eof":
            return values
        if sep.kind != "," or tokens[i + 4].kind == "eof":
            raise ParseError(f"Invalid value: {sep.text or describe(sep)}", position=pos + sep.pos)
        i += 4


def _value(tok: Token, pos: int) -> Literal:
    if tok.kind == "alias":
        raise NotImplementedFeature("Parameter aliases are not supported")
    literal = keyword_literal(tok)
    if literal is None:
        raise ParseError(f"Invalid value: {tok.text or describe(tok)}", position=pos + tok.pos)
    return literal
