"""Query options of a request: odata4.uri.options."""

from __future__ import annotations

import pytest

from odata4.errors import BadRequest, NotImplementedFeature, ODataError, ParseError
from odata4.uri.ast import Binary, ExpandItem, Literal, Member, OrderItem, QueryOptions, SearchTerm
from odata4.uri.options import parse_query_options


def test_no_options() -> None:
    assert parse_query_options([]) == QueryOptions()


def test_all_supported_options() -> None:
    options = parse_query_options(
        [
            ("$filter", "criticality gt 1"),
            ("$orderby", "code desc"),
            ("$select", "code,value"),
            ("$expand", "texts"),
            ("$top", "2"),
            ("$skip", "1"),
            ("$count", "true"),
            ("$search", "PROCESS"),
            ("$skiptoken", "abc"),
            ("$format", "json"),
            ("$apply", "groupby((criticality))"),
            ("$levels", "3"),
        ]
    )
    assert options == QueryOptions(
        filter=Binary("gt", Member(("criticality",)), Literal("int", 1)),
        orderby=(OrderItem(Member(("code",)), True),),
        select=(("code",), ("value",)),
        expand=(ExpandItem(("texts",)),),
        top=2,
        skip=1,
        count=True,
        search=SearchTerm("PROCESS"),
        skiptoken="abc",
        format="json",
        apply="groupby((criticality))",
        levels=3,
    )


VALID: list[tuple[list[tuple[str, str]], dict[str, object]]] = [
    ([("$top", "0")], {"top": 0}),
    ([("$top", "1000000")], {"top": 1_000_000}),
    ([("$top", "9223372036854775807")], {"top": 2**63 - 1}),
    ([("$skip", "100")], {"skip": 100}),
    ([("$count", "false")], {"count": False}),
    ([("$search", "")], {"search": None}),  # CAP ignores an empty $search
    ([("$search", "  ")], {"search": None}),
    ([("$skiptoken", "")], {"skiptoken": ""}),
    ([("foo", "bar"), ("$top", "1")], {"top": 1}),
    ([("sap-language", "EN"), ("sap-client", "100")], {}),
    ([("", "x")], {}),
    ([("$top", "1"), ("top", "2")], {"top": 1}),  # `top` without $ is a custom option
]


@pytest.mark.parametrize(("params", "expected"), VALID, ids=[repr(p) for p, _ in VALID])
def test_valid(params: list[tuple[str, str]], expected: dict[str, object]) -> None:
    assert parse_query_options(params) == QueryOptions(**expected)  # type: ignore[arg-type]


INVALID: list[tuple[list[tuple[str, str]], type[ODataError], str]] = [
    ([("$top", "-1")], ParseError, r'Expected an integer but "-" found'),
    ([("$top", "abc")], ParseError, r'Expected an integer but "a" found\.'),
    ([("$skip", "abc")], ParseError, r'Expected an integer but "a" found\.'),
    ([("$top", "1.5")], ParseError, r'but "\." found'),
    ([("$top", "")], ParseError, "end of input"),
    ([("$top", " 1")], ParseError, "Expected an integer"),
    ([("$top", "9223372036854775808")], ParseError, "too large"),
    ([("$top", "1" * 5000)], ParseError, "too large"),
    ([("$top", "١٢")], ParseError, "Expected an integer"),  # Arabic-Indic digits are no OData digits
    ([("$count", "foo")], ParseError, r'Expected a boolean but "f" found\.'),
    ([("$count", "True")], ParseError, "Expected a boolean"),
    ([("$count", "")], ParseError, "Expected a boolean but end of input found"),
    ([("$filter", "")], ParseError, "Expected an expression"),
    ([("$filter", "a eq")], ParseError, r"^Parsing URL failed in \$filter at position 4: Expected "),
    ([("$orderby", "code up")], ParseError, "asc"),
    ([("$select", "")], ParseError, "reference"),
    ([("$expand", "addresses($filter=)")], ParseError, "position 18"),
    ([("$search", '"open')], ParseError, "phrase"),
    ([("$levels", "0")], ParseError, "positive"),
    ([("$foo", "1")], ParseError, r'^Parsing URL failed in \$foo in the name: Expected "\$apply=".* "\$foo" found'),
    ([("$Filter", "a eq 1")], ParseError, r'but "\$Filter" found'),
    ([("$", "1")], ParseError, 'but "\\$" found'),
    ([("$top", "1"), ("$top", "2")], BadRequest, "more than once"),
    ([("$filter", "a eq 1"), ("$filter", "a eq 1")], BadRequest, "more than once"),
    ([("$compute", "a add b as c")], NotImplementedFeature, r"\$compute"),
    ([("$index", "1")], NotImplementedFeature, r"\$index"),
    ([("$deltatoken", "x")], NotImplementedFeature, r"\$deltatoken"),
    ([("$schemaversion", "1")], NotImplementedFeature, r"\$schemaversion"),
    ([("@p", "1")], NotImplementedFeature, "alias"),
    ([("$levels", "max")], NotImplementedFeature, "max"),
    ([("$filter", "a eq @p")], NotImplementedFeature, "alias"),
    ([("$filter", "foo(a) eq 1")], NotImplementedFeature, 'Function "foo" is not supported'),
]


@pytest.mark.parametrize(("params", "error", "message"), INVALID, ids=[repr(p)[:60] for p, _, _ in INVALID])
def test_invalid(params: list[tuple[str, str]], error: type[ODataError], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        parse_query_options(params)
    assert type(info.value) is error


def test_parse_errors_name_the_option_as_target() -> None:
    with pytest.raises(ParseError) as info:
        parse_query_options([("$filter", "a eq 1 and")])
    assert info.value.target == "$filter"
    assert info.value.position == 10
    assert info.value.http_status == 400


def test_absolute_positions_like_cap() -> None:
    # StatusValues?$top=abc below /odata/v4/business-partner-verification/: the value starts at 58
    with pytest.raises(ParseError) as info:
        parse_query_options([("$top", "abc")], offsets=[58])
    assert info.value.message == 'Parsing URL failed at position 58: Expected an integer but "a" found.'
    assert info.value.position == 58
    # StatusValues?$foo=1: CAP reports the position of the name (53)
    with pytest.raises(ParseError, match=r"^Parsing URL failed at position 53: Expected ") as info:
        parse_query_options([("sap-language", "EN"), ("$foo", "1")], offsets=[0, 58])
    assert info.value.position == 53


def test_every_syntax_error_message_starts_like_caps() -> None:
    for params in ([("$filter", "a eq '1")], [("$expand", "a(")], [("$search", '"x')], [("$select", "1")]):
        with pytest.raises(ParseError, match=r"^Parsing URL failed "):
            parse_query_options(params)
