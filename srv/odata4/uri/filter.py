"""Parser of $filter and $orderby expressions (OData V4.01 ABNF, commonExpr / boolCommonExpr).

Precedence climbing over the tokens of `lexer.tokenize`. Binding powers follow the
operator precedence table of OData URL Conventions 5.1.1.16, tightest first:

    8  has, in              (primary; `not a has b` is `not (a has b)`)
    7  not, - (unary)
    6  mul, div, divby, mod
    5  add, sub
    4  gt, ge, lt, le
    3  eq, ne
    2  and
    1  or

Binary operators are left-associative. Long chains of `and`/`or` are folded into a
balanced tree (both are associative), so a filter with a thousand alternatives does not
turn into a tree a thousand levels deep. Nesting deeper than `MAX_DEPTH` is a ParseError,
so no input can exhaust the Python stack: each operand, parenthesis and `not` counts one
level, a function call two, a lambda three (they take more Python frames); the parser
then needs at most about 300 frames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal as TypingLiteral
from typing import TypeVar

from odata4.errors import NotImplementedFeature, ParseError
from odata4.uri.ast import Binary, Call, Expr, In, Lambda, Member, OrderItem, Unary
from odata4.uri.lexer import Token, describe, keyword_literal, tokenize

MAX_DEPTH = 100
CHAIN_FOLD_LIMIT = 8  # `and`/`or` chains up to this length stay left-associative

BinaryOp = TypingLiteral[
    "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "add", "sub", "mul", "div", "divby", "mod", "has"
]
_BINARY: dict[str, tuple[BinaryOp, int]] = {
    "or": ("or", 1), "and": ("and", 2),
    "eq": ("eq", 3), "ne": ("ne", 3),
    "gt": ("gt", 4), "ge": ("ge", 4), "lt": ("lt", 4), "le": ("le", 4),
    "add": ("add", 5), "sub": ("sub", 5),
    "mul": ("mul", 6), "div": ("div", 6), "divby": ("divby", 6), "mod": ("mod", 6),
    "has": ("has", 8),
}  # fmt: skip
_IN_BP = 8
_UNARY_BP = 7

# canonical functions: name -> (min args, max args)
ARITY: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("contains", "startswith", "endswith", "indexof", "concat", "matchesPattern"), (2, 2)),
    **dict.fromkeys(("tolower", "toupper", "length", "trim", "date", "time"), (1, 1)),
    **dict.fromkeys(("year", "month", "day", "hour", "minute", "second", "fractionalseconds"), (1, 1)),
    **dict.fromkeys(("round", "floor", "ceiling"), (1, 1)),
    "substring": (2, 3),
    "now": (0, 0),
}
T = TypeVar("T")


def fold(make: Callable[[T, T], T], items: Sequence[T]) -> T:
    """Left fold of a chain; chains longer than CHAIN_FOLD_LIMIT are split in halves."""
    if len(items) > CHAIN_FOLD_LIMIT:
        mid = len(items) // 2
        return make(fold(make, items[:mid]), fold(make, items[mid:]))
    result = items[0]
    for item in items[1:]:
        result = make(result, item)
    return result


def parse_filter(text: str) -> Expr:
    """Parse a $filter value (already percent-decoded) into an expression tree."""
    parser = _Parser(text)
    expr = parser.expr(0)
    tok = parser.peek()
    if tok.kind != "eof":
        raise parser.error("an operator or end of input", tok)
    check_depth(expr, 0)
    return expr


# orderby = orderbyItem *( COMMA orderbyItem ); orderbyItem = commonExpr [ RWS ( "asc" / "desc" ) ]
def parse_orderby(text: str) -> tuple[OrderItem, ...]:
    parser = _Parser(text)
    items: list[OrderItem] = []
    while True:
        expr = parser.expr(0)
        check_depth(expr, parser.peek().pos)
        tok = parser.peek()
        descending = False
        if tok.kind == "ident" and tok.text in ("asc", "desc") and tok.space:
            descending = parser.advance().text == "desc"
        items.append(OrderItem(expr, descending))
        tok = parser.advance()
        if tok.kind == "eof":
            return tuple(items)
        if tok.kind != ",":
            raise parser.error('",", "asc", "desc", or end of input', tok)


def check_depth(root: Expr, pos: int) -> None:
    """Reject trees deeper than MAX_DEPTH (left-associative chains such as `1 add 1 add ...`)."""
    stack: list[tuple[Expr, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"Expression is nested deeper than {MAX_DEPTH} levels", position=pos)
        stack.extend((child, depth + 1) for child in children(node))


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.operand, *node.values)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Lambda) and node.predicate is not None:
        return (node.predicate,)
    return ()


class _Parser:
    __slots__ = ("depth", "i", "tokens")

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def error(self, expected: str, tok: Token) -> ParseError:
        return ParseError(f"Expected {expected} but {describe(tok)} found.", position=tok.pos)

    def expect(self, kind: str) -> Token:
        tok = self.advance()
        if tok.kind != kind:
            raise self.error(f'"{kind}"', tok)
        return tok

    # commonExpr = ( primitiveLiteral / ... / notExpr / negateExpr / parenExpr / ... )
    #              [ addExpr / subExpr / mulExpr / ... / eqExpr / ... / hasExpr / inExpr ] [ andExpr / orExpr ]
    def enter(self, weight: int) -> None:
        """Count nesting; calls and lambdas weigh more as they take more Python frames."""
        self.depth += weight
        if self.depth > MAX_DEPTH:
            raise ParseError(f"Expression is nested deeper than {MAX_DEPTH} levels", position=self.peek().pos)

    def expr(self, min_bp: int) -> Expr:
        self.enter(1)
        left = self.operand()
        while True:
            tok = self.peek()
            if tok.kind != "ident":
                break
            if tok.text == "in" and min_bp <= _IN_BP:
                self.advance()
                left = In(left, self.in_list())
                continue
            op = _BINARY.get(tok.text)
            if op is None or op[1] < min_bp:
                break
            self.advance()
            left = self.chain(op, left) if op[0] in ("and", "or") else Binary(op[0], left, self.expr(op[1] + 1))
        self.depth -= 1
        return left

    # andExpr = RWS "and" RWS boolCommonExpr; orExpr = RWS "or" RWS boolCommonExpr
    def chain(self, op: tuple[BinaryOp, int], first: Expr) -> Expr:
        operands = [first, self.expr(op[1] + 1)]
        while self.peek().kind == "ident" and self.peek().text == op[0]:
            self.advance()
            operands.append(self.expr(op[1] + 1))
        return fold(lambda left, right: Binary(op[0], left, right), operands)

    # inExpr   = RWS "in" RWS ( listExpr / commonExpr )
    # listExpr = OPEN BWS commonExpr *( BWS COMMA BWS commonExpr ) BWS CLOSE
    def in_list(self) -> tuple[Expr, ...]:
        tok = self.advance()
        if tok.kind == "ident":
            raise NotImplementedFeature('"in" with a collection-valued expression is not supported')
        if tok.kind != "(":
            raise self.error('"("', tok)
        values = [self.expr(0)]
        while self.peek().kind == ",":
            self.advance()
            values.append(self.expr(0))
        self.expect(")")
        return tuple(values)

    # primitiveLiteral / parenExpr / negateExpr / notExpr / memberExpr / methodCallExpr
    def operand(self) -> Expr:
        tok = self.advance()
        if tok.kind == "lit" and tok.value is not None:
            return tok.value
        if tok.kind == "(":
            inner = self.expr(0)
            self.expect(")")
            return inner
        if tok.kind == "-":  # negateExpr = "-" BWS commonExpr
            return Unary("-", self.expr(_UNARY_BP))
        if tok.kind == "ident":
            return self.identifier(tok)
        if tok.kind == "alias":
            raise NotImplementedFeature("Parameter aliases are not supported")
        raise self.error("an expression", tok)

    def identifier(self, tok: Token) -> Expr:
        if tok.text == "not":  # notExpr = "not" RWS boolCommonExpr
            return Unary("not", self.expr(_UNARY_BP))
        literal = keyword_literal(tok)
        if literal is not None:
            return literal
        nxt = self.peek()
        if nxt.kind == "(" and not nxt.space:
            return self.call(tok)
        if tok.text.startswith("$"):
            if tok.text == "$root":
                raise NotImplementedFeature("$root is not supported")
            if tok.text not in ("$it", "$this"):
                raise ParseError(f'Unexpected "{tok.text}"', position=tok.pos)
        return self.member(tok)

    # memberExpr = [ qualifiedEntityTypeName "/" ] ( propertyPathExpr / boundFunctionExpr / ... )
    # collectionNavigationExpr = [ "/" qualifiedEntityTypeName ] [ keyPredicate ] [ "/" anyExpr / "/" allExpr / count ]
    def member(self, first: Token) -> Expr:
        segments = [first.text]
        while self.peek().kind == "/":
            self.advance()
            seg = self.advance()
            if seg.kind != "ident":
                raise self.error("a property name", seg)
            glued_paren = self.peek().kind == "(" and not self.peek().space
            if seg.text.startswith("$"):
                return self.dollar_segment(segments, seg, glued_paren)
            if glued_paren:
                if seg.text in ("any", "all"):
                    return self.lambda_(Member(tuple(segments)), seg)
                raise _unsupported_function(seg)
            segments.append(seg.text)
        return Member(tuple(segments))

    # count = "/" "$count" [ OPEN expandCountOption *( SEMI expandCountOption ) CLOSE ]
    def dollar_segment(self, segments: list[str], seg: Token, glued_paren: bool) -> Expr:
        if seg.text != "$count":
            raise ParseError(f'Unexpected "{seg.text}"', position=seg.pos)
        if glued_paren:
            raise NotImplementedFeature("$count with nested options is not supported")
        return Member((*segments, "$count"))

    # anyExpr = "any" OPEN BWS [ lambdaVariableExpr BWS COLON BWS lambdaPredicateExpr ] BWS CLOSE
    # allExpr = "all" OPEN BWS   lambdaVariableExpr BWS COLON BWS lambdaPredicateExpr   BWS CLOSE
    def lambda_(self, collection: Member, op_tok: Token) -> Expr:
        op: TypingLiteral["any", "all"] = "any" if op_tok.text == "any" else "all"
        self.advance()  # "("
        var = self.advance()
        if var.kind == ")" and op == "any":
            return Lambda(collection, op, None, None)
        if var.kind != "ident" or not var.text.isidentifier():
            raise self.error("a lambda variable", var)
        self.expect(":")
        self.enter(2)
        predicate = self.expr(0)
        self.depth -= 2
        self.expect(")")
        return Lambda(collection, op, var.text, predicate)

    # methodCallExpr = containsMethodCallExpr / startsWithMethodCallExpr / ... / nowMethodCallExpr
    def call(self, name_tok: Token) -> Expr:
        name = name_tok.text
        arity = ARITY.get(name)
        if arity is None:
            raise _unsupported_function(name_tok)
        self.advance()  # "("
        self.enter(1)
        args: list[Expr] = []
        if self.peek().kind != ")":
            args.append(self.expr(0))
            while self.peek().kind == ",":
                self.advance()
                args.append(self.expr(0))
        self.depth -= 1
        self.expect(")")
        low, high = arity
        if not low <= len(args) <= high:
            expected = str(low) if low == high else f"{low} or {high}"
            raise ParseError(
                f'Function "{name}" takes {expected} argument(s) but {len(args)} were given', position=name_tok.pos
            )
        return Call(name, tuple(args))


def _unsupported_function(tok: Token) -> NotImplementedFeature:
    """Unknown, custom (`NS.f`) and unsupported canonical functions: 501 as CAP answers."""
    return NotImplementedFeature(f'Function "{tok.text[:60]}" is not supported')
