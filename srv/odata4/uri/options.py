"""The query options of a request: `?$filter=...&$top=2&sap-language=EN`.

    queryOptions   = queryOption *( "&" queryOption )
    queryOption    = systemQueryOption / aliasAndValue / nameAndValue / customQueryOption
    customQueryOption = customName [ EQ customValue ]      -- ignored here

System query options need their `$` prefix (OData 4.01 makes it optional, CAP does not)
and are case-sensitive. Syntax errors are ParseErrors whose message starts like CAP's
(`Parsing URL failed at position ...: Expected ... but "x" found.`), with the option
name as `target`.
"""

from __future__ import annotations

from collections.abc import Sequence

from odata4.errors import BadRequest, NotImplementedFeature, ParseError
from odata4.uri.ast import QueryOptions
from odata4.uri.expand import NESTED_OPTIONS, TOP_LEVEL_ONLY, UNSUPPORTED_OPTIONS, apply_option

SYSTEM_OPTIONS = NESTED_OPTIONS | TOP_LEVEL_ONLY


def parse_query_options(params: list[tuple[str, str]], *, offsets: Sequence[int] | None = None) -> QueryOptions:
    """`params`: the percent-decoded (name, value) pairs of the query string, in order.

    `offsets`, if given, holds for each pair the position of its value in the decoded URL;
    syntax errors then read like CAP's: `Parsing URL failed at position 66: Expected ...`
    with that absolute position. Without it the position is relative to the option value:
    `Parsing URL failed in $filter at position 4: Expected ...`.
    """
    options = QueryOptions()
    seen: set[str] = set()
    for index, (name, value) in enumerate(params):
        if not name.startswith("$"):
            if name.startswith("@"):  # aliasAndValue
                raise NotImplementedFeature("Parameter aliases are not supported", target=name)
            continue  # custom query option, e.g. sap-language
        offset = offsets[index] if offsets is not None and index < len(offsets) else None
        _check_name(name, seen, offset)
        seen.add(name)
        try:
            apply_option(options, name, value)
        except ParseError as exc:
            raise _url_error(exc.message, name, exc.position or 0, offset) from None
    return options


def _check_name(name: str, seen: set[str], offset: int | None) -> None:
    if name in UNSUPPORTED_OPTIONS:
        raise NotImplementedFeature(f"System query option {name} is not supported", target=name)
    if name not in SYSTEM_OPTIONS:
        expected = ", ".join(f'"{n}="' for n in sorted(SYSTEM_OPTIONS))
        message = f'Expected {expected} or a custom query option but "{name[:40]}" found.'
        raise _url_error(message, name[:40], -len(name) - 1, offset)
    if name in seen:
        raise BadRequest(f"System query option {name} must not be given more than once", target=name)


def _url_error(message: str, name: str, position: int, offset: int | None) -> ParseError:
    """Position relative to the option value (negative: within the name) or, with offset, to the URL."""
    if offset is not None:
        absolute = max(offset + position, 0)
        return ParseError(f"Parsing URL failed at position {absolute}: {message}", position=absolute, target=name)
    where = f"at position {position}" if position >= 0 else "in the name"
    return ParseError(f"Parsing URL failed in {name} {where}: {message}", position=max(position, 0), target=name)
