"""Parser of $search expressions (OData V4.01 ABNF, searchExpr).

Precedence, tightest first: NOT, AND (explicit or implied by juxtaposition), OR. The
keywords are uppercase only; `and` is a search word. Like $filter, long AND/OR chains
are folded into balanced trees and nesting is capped at `MAX_DEPTH`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from odata4.errors import ParseError
from odata4.uri.ast import SearchBinary, SearchExpr, SearchNot, SearchTerm
from odata4.uri.filter import MAX_DEPTH, fold

# searchPhrase = quotation-mark 1*( qchar-no-AMP-DQUOTE / SP / escape ( escape / quotation-mark ) ) quotation-mark
# searchWord   = searchChar *( searchChar / SQUOTE )   -- here: anything but space, parentheses and '"'
_TOKEN = re.compile(
    r'(?P<ws>[ \t\r\n]+)|(?P<open>\()|(?P<close>\))|(?P<phrase>"(?:[^"\\]|\\.)*")|(?P<word>[^ \t\r\n()"]+)',
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\([\\\"])")
_KEYWORDS = frozenset(("AND", "OR", "NOT"))


class _Token(NamedTuple):
    kind: str  # open, close, phrase, word, AND, OR, NOT, eof
    text: str
    pos: int


def parse_search(text: str) -> SearchExpr:
    """Parse a $search value (already percent-decoded)."""
    parser = _SearchParser(_tokenize(text))
    expr = parser.or_expr()
    tok = parser.peek()
    if tok.kind != "eof":
        raise parser.error('"OR", "AND", a search term or end of input', tok)
    return expr


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only an unterminated phrase fails to match
            raise ParseError("Unterminated search phrase", position=pos)
        kind = m.lastgroup or ""
        word = m.group()
        if kind == "phrase":
            phrase = _ESCAPE.sub(r"\1", word[1:-1])
            if not phrase.strip():
                raise ParseError("Empty search phrase", position=pos)
            tokens.append(_Token("phrase", phrase, pos))
        elif kind != "ws":
            tokens.append(_Token(word if word in _KEYWORDS else kind, word, pos))
        pos = m.end()
    tokens.append(_Token("eof", "", len(text)))
    return tokens


class _SearchParser:
    __slots__ = ("depth", "i", "tokens")

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def error(self, expected: str, tok: _Token) -> ParseError:
        found = "end of input" if tok.kind == "eof" else f'"{tok.text[:30]}"'
        return ParseError(f"Expected {expected} but {found} found.", position=tok.pos)

    def enter(self, tok: _Token, weight: int) -> None:
        self.depth += weight
        if self.depth > MAX_DEPTH:
            raise ParseError(f"Search expression is nested deeper than {MAX_DEPTH} levels", position=tok.pos)

    # searchOrExpr = RWS 'OR' RWS searchExpr
    def or_expr(self) -> SearchExpr:
        items = [self.and_expr()]
        while self.peek().kind == "OR":
            self.advance()
            items.append(self.and_expr())
        return fold(lambda left, right: SearchBinary("or", left, right), items)

    # searchAndExpr = RWS [ 'AND' RWS ] searchExpr
    def and_expr(self) -> SearchExpr:
        items = [self.not_expr()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.advance()
            elif kind not in ("word", "phrase", "open", "NOT"):
                break
            items.append(self.not_expr())
        return fold(lambda left, right: SearchBinary("and", left, right), items)

    # searchTerm = [ 'NOT' RWS ] ( searchPhrase / searchWord )   -- NOT before a group is accepted too
    def not_expr(self) -> SearchExpr:
        tok = self.peek()
        if tok.kind != "NOT":
            return self.primary()
        self.advance()
        self.enter(tok, 1)
        operand = self.not_expr()
        self.depth -= 1
        return SearchNot(operand)

    # searchExpr = ( OPEN BWS searchExpr BWS CLOSE / searchTerm ) ...
    def primary(self) -> SearchExpr:
        tok = self.advance()
        if tok.kind in ("word", "phrase"):
            return SearchTerm(tok.text)
        if tok.kind != "open":
            raise self.error("a search term", tok)
        self.enter(tok, 2)  # a group takes four Python frames
        inner = self.or_expr()
        close = self.advance()
        if close.kind != "close":
            raise self.error('")"', close)
        self.depth -= 2
        return inner
