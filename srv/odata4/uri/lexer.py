"""Tokenizer of OData URL expressions: $filter, $orderby and key predicates.

The input is already percent-decoded. Operators (`eq`, `and`, `not`, ...) come out as
plain identifiers: whether a word is an operator depends on where it stands, which only
the parser knows (`eq eq 1` compares a property called `eq`).

Token kinds::

    lit     a primitive literal; `value` holds the `Literal` node
    ident   odataIdentifier or qualified name (`a`, `NS.Type`, `$it`, `$count`)
    alias   a parameter alias `@p`
    ( ) , / : = -   punctuation
    eof     end of input (always the last token)
"""

from __future__ import annotations

import re
from typing import NamedTuple

from odata4.errors import ParseError
from odata4.uri import literals
from odata4.uri.ast import Literal


class Token(NamedTuple):
    kind: str
    text: str
    pos: int
    space: bool  # whitespace precedes the token
    value: Literal | None = None


# BWS = *( SP / HTAB ); CR/LF are tolerated as well.
# Alternatives are tried in order: the longest literal shapes come first, so that
# `2024-01-31T10:00Z` is not read as the date `2024-01-31` followed by garbage.
_TOKEN = re.compile(
    r"""
      (?P<ws>[ \t\r\n]+)
    | (?P<dto>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2}))
    | (?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})
    | (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})
    | (?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)
    | (?P<num>[+-]?(?:[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|INF\b)|NaN\b)
    | (?P<str>'[^']*(?:''[^']*)*')
    | (?P<ident>[$@]?[^\W\d]\w*(?:\.[^\W\d]\w*)*)
    | (?P<punct>[(),/:=-])
    """,
    re.VERBOSE,
)
_STRING = re.compile(r"'[^']*(?:''[^']*)*'")
# a literal glued to a following letter, digit, dot or dash (`1eq`, `1.5.2`, `2024-1-1`)
_GLUED = re.compile(r"[\w.-]")


def describe(tok: Token) -> str:
    """How an error message names the token found: `"xyz"` or `end of input`."""
    if tok.kind == "eof":
        return "end of input"
    text = tok.text if len(tok.text) <= 30 else tok.text[:27] + "..."
    return f'"{text}"'


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, end, space = 0, len(text), False
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _bad_character(text, pos)
        kind = m.lastgroup
        if kind == "ws":
            pos, space = m.end(), True
            continue
        if kind == "ident" and text.startswith("'", m.end()) and text[pos] not in "$@":
            tok, pos = _typed_literal(text, m.group(), pos, space)
        elif kind in ("ident", "punct"):
            word = m.group()
            tok = Token("alias" if word[0] == "@" else word if kind == "punct" else "ident", word, pos, space)
            pos = m.end()
        else:
            tok = _literal(kind or "", m.group(), pos, space)
            pos = m.end()
            if pos < end and _GLUED.match(text, pos):
                raise ParseError(f'Invalid literal "{text[tok.pos : pos + 1]}"', position=tok.pos)
        tokens.append(tok)
        space = False
    tokens.append(Token("eof", "", end, space))
    return tokens


def _literal(kind: str, text: str, pos: int, space: bool) -> Token:
    if kind == "str":
        value = literals.string_literal(text)
    elif kind == "num":
        value = literals.number_literal(text, pos)
    elif kind == "guid":
        value = literals.guid_literal(text)
    elif kind == "date":
        value = literals.date_literal(text, pos)
    elif kind == "dto":
        value = literals.datetime_literal(text, pos)
    else:
        value = literals.time_literal(text, pos)
    return Token("lit", text, pos, space, value)


# durationLiteral = "duration" SQUOTE durationValue SQUOTE, and the other prefixed forms
def _typed_literal(text: str, prefix: str, pos: int, space: bool) -> tuple[Token, int]:
    quote = pos + len(prefix)
    m = _STRING.match(text, quote)
    if m is None:
        raise ParseError("Unterminated string literal", position=quote)
    value = literals.typed_literal(prefix, m.group(), pos)
    return Token("lit", text[pos : m.end()], pos, space, value), m.end()


def _bad_character(text: str, pos: int) -> ParseError:
    if text[pos] == "'":
        return ParseError("Unterminated string literal", position=pos)
    return ParseError(f'Unexpected character "{text[pos]}"', position=pos)


def keyword_literal(tok: Token) -> Literal | None:
    """The literal a token stands for: a lexed literal or `null`/`true`/`false`."""
    if tok.kind == "lit":
        return tok.value
    if tok.kind == "ident":
        return literals.KEYWORD_LITERALS.get(tok.text)
    return None
