"""`$metadata` of the mock: OData V2 EDMX (DataServiceVersion 2.0) rendered from schema.py, in the shape
SAP Gateway writes it (sap: annotations, associations with From/To roles, one default container)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from .schema import ENTITIES, NAMESPACE, EntityDef, Field, Navigation

_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
    'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
    'xmlns:sap="http://www.sap.com/Protocols/SAPData">\n'
    ' <edmx:DataServices m:DataServiceVersion="2.0">\n'
    f'  <Schema Namespace="{NAMESPACE}" xml:lang="en" sap:schema-version="1" '
    'xmlns="http://schemas.microsoft.com/ado/2008/09/edm">\n'
)
_TAIL = "  </Schema>\n </edmx:DataServices>\n</edmx:Edmx>\n"


def _attrs(pairs: list[tuple[str, str | None]]) -> str:
    return "".join(f" {name}={quoteattr(value)}" for name, value in pairs if value is not None)


def _property(f: Field) -> str:
    pairs: list[tuple[str, str | None]] = [("Name", f.name), ("Type", f.type)]
    pairs += [("Nullable", "false" if f.key else None), ("MaxLength", str(f.max_length) if f.max_length else None)]
    pairs += [("Precision", None if f.precision is None else str(f.precision))]
    pairs += [("sap:display-format", f.display_format), ("sap:label", f.label)]
    pairs += [("sap:creatable", None if f.creatable else "false"), ("sap:updatable", None if f.updatable else "false")]
    return f"    <Property{_attrs(pairs)}/>"


def _roles(nav: Navigation) -> tuple[str, str]:
    return f"FromRole_{nav.association}", f"ToRole_{nav.association}"


def _navigation(nav: Navigation) -> str:
    source, target = _roles(nav)
    pairs: list[tuple[str, str | None]] = [("Name", nav.name), ("Relationship", f"{NAMESPACE}.{nav.association}")]
    return f"    <NavigationProperty{_attrs([*pairs, ('FromRole', source), ('ToRole', target)])}/>"


def _entity_type(entity: EntityDef) -> list[str]:
    lines = [f'   <EntityType Name="{entity.type_name}" sap:label={quoteattr(entity.label)} sap:content-version="1">']
    lines.append("    <Key>")
    lines += [f'     <PropertyRef Name="{name}"/>' for name in entity.keys]
    lines.append("    </Key>")
    lines += [_property(f) for f in entity.fields]
    lines += [_navigation(n) for n in entity.navigation]
    lines.append("   </EntityType>")
    return lines


def _association(source: EntityDef, nav: Navigation) -> list[str]:
    target = ENTITIES[nav.target]
    from_role, to_role = _roles(nav)
    return [
        f'   <Association Name="{nav.association}" sap:content-version="1">',
        f'    <End Type="{source.qualified_type}" Multiplicity="1" Role="{from_role}"/>',
        f'    <End Type="{target.qualified_type}" Multiplicity="{"*" if nav.many else "0..1"}" Role="{to_role}"/>',
        "   </Association>",
    ]


def _association_set(source: EntityDef, nav: Navigation) -> list[str]:
    from_role, to_role = _roles(nav)
    return [
        f'    <AssociationSet Name="{nav.association}" Association="{NAMESPACE}.{nav.association}" '
        'sap:creatable="false" sap:updatable="false" sap:deletable="false" sap:content-version="1">',
        f'     <End EntitySet="{source.set_name}" Role="{from_role}"/>',
        f'     <End EntitySet="{nav.target}" Role="{to_role}"/>',
        "    </AssociationSet>",
    ]


def _container() -> list[str]:
    lines = [
        f'   <EntityContainer Name="{NAMESPACE}_Entities" m:IsDefaultEntityContainer="true" '
        'sap:message-scope-supported="true" sap:supported-formats="atom json xlsx">'
    ]
    for entity in ENTITIES.values():
        deletable = "" if entity.deletable else ' sap:deletable="false"'
        lines.append(
            f'    <EntitySet Name="{entity.set_name}" EntityType="{entity.qualified_type}"{deletable} '
            'sap:content-version="1"/>'
        )
    for entity in ENTITIES.values():
        for nav in entity.navigation:
            lines += _association_set(entity, nav)
    lines.append("   </EntityContainer>")
    return lines


def render_metadata() -> bytes:
    lines: list[str] = []
    for entity in ENTITIES.values():
        lines += _entity_type(entity)
    for entity in ENTITIES.values():
        for nav in entity.navigation:
            lines += _association(entity, nav)
    lines += _container()
    return (_HEAD + "\n".join(lines) + "\n" + _TAIL).encode("utf-8")
