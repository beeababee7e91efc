"""The query options of a request: `?$filter=...&$top=2&sap-language=EN`.

    queryOptions   = queryOption *( "&" queryOption )
    queryOption    = systemQueryOption / aliasAndValue / nameAndValue / customQueryOption
    customQueryOption = customName [ EQ customValue ]      -- ignored here

System query options need their `$` prefix (OData 4.01 makes it optional, CAP does not)
and are case-sensitive. A ParseError from an option's value keeps its position within
that value, names the option as `target` and gets the option name into its message.
"""

from __future__ import annotations

from odata4.errors import BadRequest, NotImplementedFeature, ParseError
from odata4.uri.ast import QueryOptions
from odata4.uri.expand import NESTED_OPTIONS, TOP_LEVEL_ONLY, UNSUPPORTED_OPTIONS, apply_option

SYSTEM_OPTIONS = NESTED_OPTIONS | TOP_LEVEL_ONLY


def parse_query_options(params: list[tuple[str, str]]) -> QueryOptions:
    """`params`: the percent-decoded (name, value) pairs of the query string, in order."""
    options = QueryOptions()
    seen: set[str] = set()
    for name, value in params:
        if not name.startswith("$"):
            if name.startswith("@"):  # aliasAndValue
                raise NotImplementedFeature("Parameter aliases are not supported", target=name)
            continue  # custom query option, e.g. sap-language
        _check_name(name, seen)
        seen.add(name)
        try:
            apply_option(options, name, value)
        except ParseError as exc:
            raise _in_option(exc, name) from None
    return options


def _check_name(name: str, seen: set[str]) -> None:
    if name in UNSUPPORTED_OPTIONS:
        raise NotImplementedFeature(f"System query option {name} is not supported", target=name)
    if name not in SYSTEM_OPTIONS:
        expected = ", ".join(sorted(SYSTEM_OPTIONS))
        raise BadRequest(f'Unknown system query option "{name[:40]}"; expected one of {expected}', target=name[:40])
    if name in seen:
        raise BadRequest(f"System query option {name} must not be given more than once", target=name)


def _in_option(exc: ParseError, name: str) -> ParseError:
    where = f" at position {exc.position}" if exc.position is not None else ""
    return ParseError(f"Parsing {name} failed{where}: {exc.message}", position=exc.position, target=name)
