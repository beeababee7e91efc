"""System query options of a V2 read: parsed and checked like SAP Gateway does, then applied to rows. Pure.

`$skiptoken` is the mock's own: the number of rows earlier pages delivered after `$skip`. A page holds at
most `page_size` rows; a longer result ends with `__next` (server-driven paging, as S/4HANA does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .filter import Eval, FilterError, compile_filter
from .schema import EntityDef

Row = dict[str, Any]
_SYSTEM = {"$filter", "$select", "$expand", "$orderby", "$top", "$skip", "$inlinecount", "$skiptoken", "$format"}


class QueryError(Exception):
    pass


@dataclass
class Selection:
    """`$select` and `$expand` of one entity type: None = all properties."""

    properties: list[str] | None = None
    navigation: dict[str, Selection] = field(default_factory=dict)  # selected navigation → its own selection
    expand: set[str] = field(default_factory=set)


@dataclass
class Options:
    where: Eval | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    top: int | None = None
    skip: int = 0
    token: int = 0
    inlinecount: bool = False
    selection: Selection = field(default_factory=Selection)


def _integer(name: str, value: str) -> int:
    if not value.isdigit():
        raise QueryError(f"Invalid value '{value}' for system query option {name}")
    return int(value)


def _orderby(text: str, entity: EntityDef) -> list[tuple[str, bool]]:
    items = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise QueryError(f"Invalid $orderby item '{part.strip()}'")
        if entity.field(words[0]) is None:
            raise QueryError(f"Property '{words[0]}' not found in type '{entity.type_name}'")
        items.append((words[0], len(words) == 2 and words[1] == "desc"))
    return items


def _selection(
    select: str | None, expand: str | None, entity: EntityDef, entities: Mapping[str, EntityDef]
) -> Selection:
    selection = Selection()
    for path in filter(None, (expand or "").split(",")):
        name = path.strip()
        if entity.nav(name) is None:
            raise QueryError(f"Property '{name}' not found in type '{entity.type_name}'")
        selection.expand.add(name)
    if select is None or select.strip() in ("", "*"):
        selection.navigation = {n: Selection() for n in selection.expand}
        return selection
    selection.properties = []
    for path in (p.strip() for p in select.split(",")):
        _select_path(selection, path, entity, entities)
    return selection


def _select_path(selection: Selection, path: str, entity: EntityDef, entities: Mapping[str, EntityDef]) -> None:
    head, _, rest = path.partition("/")
    assert selection.properties is not None
    if head == "*":
        selection.properties = [f.name for f in entity.fields]
        return
    if entity.field(head) is not None and not rest:
        selection.properties.append(head)
        return
    nav = entity.nav(head)
    if nav is None:
        raise QueryError(f"Property '{head}' not found in type '{entity.type_name}'")
    child = selection.navigation.setdefault(head, Selection(properties=[] if rest and rest != "*" else None))
    if rest and rest != "*":
        if head not in selection.expand:
            raise QueryError(f"$select path '{path}' needs $expand={head}")
        _select_path(child, rest, entities[nav.target], entities)


def parse_options(params: Sequence[tuple[str, str]], entity: EntityDef, entities: Mapping[str, EntityDef]) -> Options:
    given: dict[str, str] = {}
    for name, value in params:
        if name.startswith("$") and name not in _SYSTEM:
            raise QueryError(f"System query option '{name}' is not supported")
        if name in given:
            raise QueryError(f"System query option '{name}' is given more than once")
        given[name] = value
    if given.get("$format", "json") != "json":
        raise QueryError("The mocked S/4HANA answers JSON only ($format=json)")
    options = Options()
    try:
        options.where = compile_filter(given["$filter"], entity) if "$filter" in given else None
    except FilterError as exc:
        raise QueryError(str(exc)) from None
    options.orderby = _orderby(given["$orderby"], entity) if "$orderby" in given else []
    options.top = _integer("$top", given["$top"]) if "$top" in given else None
    options.skip = _integer("$skip", given["$skip"]) if "$skip" in given else 0
    options.token = _integer("$skiptoken", given["$skiptoken"]) if "$skiptoken" in given else 0
    inline = given.get("$inlinecount", "none")
    if inline not in ("allpages", "none"):
        raise QueryError(f"Invalid value '{inline}' for system query option $inlinecount")
    options.inlinecount = inline == "allpages"
    options.selection = _selection(given.get("$select"), given.get("$expand"), entity, entities)
    return options


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def apply(rows: list[Row], options: Options, page_size: int) -> tuple[list[Row], int, int | None]:
    """(the page, the count of all matching rows, the $skiptoken of the next page or None)."""
    matching = [r for r in rows if options.where is None or options.where(r)]
    for name, descending in reversed(options.orderby):
        matching.sort(key=lambda r, n=name: _sort_key(r.get(n)), reverse=descending)  # type: ignore[misc]
    start = options.skip + options.token
    wanted = None if options.top is None else max(options.top - options.token, 0)
    limit = page_size if wanted is None else min(wanted, page_size)
    page = matching[start : start + limit]
    more = len(matching) > start + limit and (wanted is None or wanted > limit)
    return page, len(matching), options.token + limit if more else None
