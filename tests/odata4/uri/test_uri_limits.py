"""QueryLimits: $top and $expand depth, at every level, with messages that name the limit."""

from __future__ import annotations

import pytest

from odata4.errors import BadRequest
from odata4.uri.limits import QueryLimits, expand_depth
from odata4.uri.options import parse_query_options


@pytest.mark.parametrize(
    ("expand", "depth"),
    [
        ("a", 1),
        ("a,b", 1),
        ("a($expand=b)", 2),
        ("a($expand=b($expand=c)),d", 3),
        ("*", 1),
        ("a($levels=3)", 3),
        ("a($levels=2;$expand=b)", 3),
    ],
)
def test_expand_depth(expand: str, depth: int) -> None:
    assert expand_depth(parse_query_options([("$expand", expand)]).expand) == depth


def test_unlimited_by_default() -> None:
    QueryLimits().check(parse_query_options([("$top", "99999999"), ("$expand", "a($expand=b($expand=c))")]))


def test_top_limit_everywhere() -> None:
    limits = QueryLimits(max_top=10)
    limits.check(parse_query_options([("$top", "10"), ("$expand", "a($top=10)")]))
    for query in ([("$top", "11")], [("$expand", "a($expand=b($top=11))")]):
        with pytest.raises(BadRequest, match=r"^\$top must not exceed 10$") as caught:
            limits.check(parse_query_options(query))
        assert caught.value.target == "$top"


def test_expand_depth_limit() -> None:
    limits = QueryLimits(max_expand_depth=2)
    limits.check(parse_query_options([("$expand", "a($expand=b),c")]))
    with pytest.raises(BadRequest, match="nested deeper than the allowed 2 levels"):
        limits.check(parse_query_options([("$expand", "a($expand=b($expand=c))")]))
