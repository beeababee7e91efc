"""How much one request may ask for: `$top` and the depth of `$expand`. Pure.

Server-driven paging already caps the rows of one page (`Store.max_page_size`); these limits refuse a
request up front with 400 and a message that names the limit:

* `max_top`: `$top` at the top level and inside every `$expand(...)`.
* `max_expand_depth`: `$expand=a` is depth 1, `a($expand=b)` depth 2; `$levels=n` counts as n levels.
  The parser's own hard limit (`expand.MAX_EXPAND_DEPTH`) stays as a backstop.

None means unlimited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from odata4.errors import BadRequest
from odata4.uri.ast import ExpandItem, QueryOptions


@dataclass(frozen=True)
class QueryLimits:
    max_top: int | None = None
    max_expand_depth: int | None = None

    def check(self, options: QueryOptions) -> None:
        if self.max_expand_depth is not None and expand_depth(options.expand) > self.max_expand_depth:
            raise BadRequest(
                f"$expand is nested deeper than the allowed {self.max_expand_depth} levels", target="$expand"
            )
        if self.max_top is not None:
            self._check_top(options)

    def _check_top(self, options: QueryOptions) -> None:
        assert self.max_top is not None
        if options.top is not None and options.top > self.max_top:
            raise BadRequest(f"$top must not exceed {self.max_top}", target="$top")
        for item in options.expand:
            self._check_top(item.options)


def expand_depth(items: Sequence[ExpandItem]) -> int:
    return max((max(item.options.levels or 1, 1) + expand_depth(item.options.expand) for item in items), default=0)
