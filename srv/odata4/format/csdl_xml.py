"""CSDL XML (`$metadata`) of a service, byte for byte as CAP renders it.

Pure string building: one element per line, two spaces of indentation per level, attributes
in CAP's order, no trailing newline. Escaping follows cds-compiler: attribute values escape
``& < "``, text escapes ``& <`` and ``]]>``; control characters and lone surrogates become
character references. The caller renders once per service and caches the bytes.
"""

from __future__ import annotations

import re

from odata4.edm.annotations import (
    Annotation,
    AnnotationPath,
    Collection,
    EnumMember,
    NavigationPropertyPath,
    Path,
    PropertyPath,
    Record,
    Value,
)
from odata4.edm.model import Action, ComplexType, EntitySet, NavigationProperty, Parameter, Property, Service
from odata4.format import csdl

Attrs = list[tuple[str, str]]
Lines = list[str]

_SPECIAL = re.compile(r"[\x00-\x1f\ud800-\udfff]")


def _char_ref(match: re.Match[str]) -> str:
    return f"&#x{ord(match.group()):X};"


def _attr(value: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return _SPECIAL.sub(_char_ref, value)


def _text(value: str) -> str:
    value = _SPECIAL.sub(_char_ref, value.replace("&", "&amp;").replace("<", "&lt;"))
    return value.replace("]]>", "]]&gt;")


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(depth: int, tag: str, attrs: Attrs, children: Lines | None = None) -> Lines:
    head = "  " * depth + f"<{tag}" + "".join(f' {name}="{_attr(value)}"' for name, value in attrs)
    if not children:
        return [head + "/>"]
    return [head + ">", *children, "  " * depth + f"</{tag}>"]


def _text_element(depth: int, tag: str, text: str) -> str:
    return "  " * depth + f"<{tag}>{_text(text)}</{tag}>"


# --- annotation values ---------------------------------------------------------------------

_KINDS: tuple[tuple[type, str], ...] = (
    (Path, "Path"),
    (PropertyPath, "PropertyPath"),
    (NavigationPropertyPath, "NavigationPropertyPath"),
    (AnnotationPath, "AnnotationPath"),
    (EnumMember, "EnumMember"),
)


def _inline(value: Value) -> tuple[str, str] | None:
    """(expression kind, text) of a value that fits in an attribute; None for records, collections."""
    if isinstance(value, bool):
        return "Bool", _literal(value)
    if isinstance(value, int):
        return "Int", str(value)
    if isinstance(value, str):
        return "String", value
    if isinstance(value, (Record, Collection)):
        return None
    return next(name for kind, name in _KINDS if isinstance(value, kind)), value.value


def _value_element(value: Value, depth: int) -> Lines:
    if isinstance(value, Record):
        return _record(value, depth)
    if isinstance(value, Collection):
        return _collection(value, depth)
    inline = _inline(value)
    assert inline is not None
    return [_text_element(depth, *inline)]


def _record(record: Record, depth: int) -> Lines:
    attrs: Attrs = [] if record.type is None else [("Type", record.type)]
    children: Lines = []
    for name, value in record.properties:
        inline = _inline(value)
        if inline is None:
            children += _element(depth + 1, "PropertyValue", [("Property", name)], _value_element(value, depth + 2))
        else:
            children += _element(depth + 1, "PropertyValue", [("Property", name), inline])
    return _element(depth, "Record", attrs, children)


def _collection(collection: Collection, depth: int) -> Lines:
    children = [line for item in collection.items for line in _value_element(item, depth + 1)]
    return _element(depth, "Collection", [], children)


def _annotation(annotation: Annotation, depth: int) -> Lines:
    attrs: Attrs = [("Term", annotation.term)]
    if annotation.qualifier is not None:
        attrs.append(("Qualifier", annotation.qualifier))
    inline = _inline(annotation.value)
    children: Lines = []
    if inline is None:
        children += _value_element(annotation.value, depth + 1)
    else:
        attrs.append(inline)
    for nested in annotation.annotations:
        children += _annotation(nested, depth + 1)
    return _element(depth, "Annotation", attrs, children)


def _annotations(target: str, block: list[Annotation], depth: int) -> Lines:
    children = [line for a in block for line in _annotation(a, depth + 1)]
    return _element(depth, "Annotations", [("Target", target)], children)


# --- structure -------------------------------------------------------------------------------


def _property(service: Service, prop: Property, depth: int, entity_set: EntitySet | None = None) -> Lines:
    type_name = csdl.property_type(service, prop)
    attrs: Attrs = [("Name", prop.name), ("Type", f"Collection({type_name})" if prop.collection else type_name)]
    facets = (("MaxLength", prop.max_length), ("Precision", prop.precision), ("Scale", prop.scale))
    attrs += [(name, str(value)) for name, value in facets if value is not None]
    nullable = csdl.is_nullable(prop, entity_set)
    if prop.collection or not nullable:
        attrs.append(("Nullable", _literal(nullable)))
    if prop.default is not None:
        attrs.append(("DefaultValue", _literal(prop.default)))
    if type_name == "Edm.Decimal" and prop.precision is None and prop.scale is None:
        attrs.append(("Scale", "variable"))
    return _element(depth, "Property", attrs)


def _navigation(service: Service, nav: NavigationProperty, depth: int) -> Lines:
    type_name = service.qualified(nav.target)
    attrs: Attrs = [("Name", nav.name), ("Type", f"Collection({type_name})" if nav.collection else type_name)]
    if nav.partner is not None:
        attrs.append(("Partner", nav.partner))
    if nav.contains_target:
        attrs.append(("ContainsTarget", "true"))
    children: Lines = []
    if nav.composition and not nav.contains_target:
        children += _element(depth + 1, "OnDelete", [("Action", "Cascade")])
    for local, referenced in nav.constraints:
        constraint = [("Property", local), ("ReferencedProperty", referenced)]
        children += _element(depth + 1, "ReferentialConstraint", constraint)
    return _element(depth, "NavigationProperty", attrs, children)


def _entity_type(service: Service, entity_set: EntitySet, depth: int) -> Lines:
    children: Lines = []
    if entity_set.keys:
        refs = [line for key in entity_set.keys for line in _element(depth + 2, "PropertyRef", [("Name", key.name)])]
        children += _element(depth + 1, "Key", [], refs)
    for member in entity_set.members:
        if isinstance(member, Property) and not member.in_metadata:
            continue
        if isinstance(member, Property):
            children += _property(service, member, depth + 1, entity_set)
        else:
            children += _navigation(service, member, depth + 1)
    return _element(depth, "EntityType", [("Name", entity_set.name)], children)


def _complex_type(service: Service, complex_type: ComplexType, depth: int) -> Lines:
    children = [line for p in complex_type.properties for line in _property(service, p, depth + 1)]
    return _element(depth, "ComplexType", [("Name", complex_type.name)], children)


def _entity_set(service: Service, entity_set: EntitySet, depth: int) -> Lines:
    children = [
        line
        for path, target in csdl.bindings(service, entity_set)
        for line in _element(depth + 1, "NavigationPropertyBinding", [("Path", path), ("Target", target)])
    ]
    attrs = [("Name", entity_set.name), ("EntityType", service.qualified(entity_set.name))]
    return _element(depth, "EntitySet", attrs, children)


def _container(service: Service, depth: int) -> Lines:
    children = [line for s in csdl.container_sets(service) for line in _entity_set(service, s, depth + 1)]
    return _element(depth, "EntityContainer", [("Name", csdl.CONTAINER)], children)


def _parameter(parameter: Parameter, depth: int) -> Lines:
    attrs: Attrs = [("Name", parameter.name), ("Type", parameter.type)]
    if not parameter.nullable:
        attrs.append(("Nullable", "false"))
    return _element(depth, "Parameter", attrs)


def _action(service: Service, action: Action, depth: int) -> Lines:
    attrs: Attrs = [("Name", action.name), ("IsBound", "true")]
    path = csdl.entity_set_path(action)
    if path is not None:
        attrs.append(("EntitySetPath", path))
    binding = Parameter(action.binding_parameter, service.qualified(action.binding_set))
    children = [line for p in (binding, *action.parameters) for line in _parameter(p, depth + 1)]
    if action.return_set is not None:
        children += _element(depth + 1, "ReturnType", [("Type", service.qualified(action.return_set))])
    return _element(depth, "Action", attrs, children)


def _schema(service: Service, depth: int) -> Lines:
    inner = depth + 1
    children = _annotation(csdl.WATERMARK, inner) + _container(service, inner)
    for entity_set in service.entity_sets:
        children += _entity_type(service, entity_set, inner)
    for complex_type in service.complex_types:
        children += _complex_type(service, complex_type, inner)
    for overloads in csdl.action_groups(service).values():
        children += [line for action in overloads for line in _action(service, action, inner)]
    for annotation in service.schema_annotations:
        children += _annotation(annotation, inner)
    for target, block in csdl.annotation_targets(service):
        children += _annotations(target, block, inner)
    attrs = [("Namespace", service.namespace), ("xmlns", csdl.EDM_NAMESPACE)]
    return _element(depth, "Schema", attrs, children)


def _references(service: Service) -> Lines:
    lines: Lines = []
    for vocabulary in csdl.used_vocabularies(service):
        include = _element(2, "edmx:Include", [("Alias", vocabulary.alias), ("Namespace", vocabulary.namespace)])
        lines += _element(1, "edmx:Reference", [("Uri", vocabulary.uri)], include)
    return lines


def render_csdl_xml(service: Service) -> bytes:
    """The `$metadata` document of `service` as CAP renders it (UTF-8, no trailing newline)."""
    body = _references(service) + _element(1, "edmx:DataServices", [], _schema(service, 2))
    root = _element(0, "edmx:Edmx", [("Version", "4.0"), ("xmlns:edmx", csdl.EDMX_NAMESPACE)], body)
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', *root]).encode()
