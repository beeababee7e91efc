"""CSDL JSON (`$metadata?$format=json`) of a service, as CAP renders it.

Returns the document as a dict whose key order is CAP's; serialised with
``json.dumps(doc, separators=(",", ":"), ensure_ascii=False)`` it equals CAP's body.
CAP's conventions reproduced here: `$Nullable: true` spelled out on nullable properties and
to-one navigation properties (false is the default and omitted), `$Type` omitted for
Edm.String, nested annotations (``@Common.Text@UI.TextArrangement``) before their host,
`@type` only on records whose type is not implied by the term, and an `ExpressionPath`
rendered as ``{}``.
"""

from __future__ import annotations

from typing import Any

from odata4.edm.annotations import (
    VOCABULARIES,
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
from odata4.edm.drafts import ExpressionPath
from odata4.edm.model import Action, ComplexType, EntitySet, NavigationProperty, Parameter, Property, Service
from odata4.format import csdl

Json = dict[str, Any]

# Record types CAP infers when a CDS record has no `$Type`, so it writes no `@type` for
# them: the declared types of terms and properties (`...Type`) and these defaults.
IMPLIED_RECORD_TYPES = frozenset({"UI.DataField", "Common.SemanticObjectMappingType"})


# --- annotation values ---------------------------------------------------------------------


def _record_type(type_name: str | None) -> str | None:
    if type_name is None or type_name.endswith("Type") or type_name in IMPLIED_RECORD_TYPES:
        return None
    vocabulary = VOCABULARIES.get(type_name.split(".", 1)[0])
    return type_name if vocabulary is None else f"{vocabulary.uri}#{type_name}"


def _record(record: Record) -> Json:
    doc: Json = {}
    explicit = _record_type(record.type)
    if explicit is not None:
        doc["@type"] = explicit
    for name, value in record.properties:
        doc[name] = _value(value, in_collection=False)
    return doc


def _value(value: Value, *, in_collection: bool) -> Any:
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Record):
        return _record(value)
    if isinstance(value, Collection):
        return [_value(item, in_collection=True) for item in value.items]
    if isinstance(value, EnumMember):
        return ",".join(csdl.enum_members(value))
    if isinstance(value, ExpressionPath) and not in_collection:
        return {}
    if isinstance(value, Path):
        return {"$Path": value.value}
    assert isinstance(value, PropertyPath | NavigationPropertyPath | AnnotationPath)
    return value.value


def _annotation(annotation: Annotation) -> Json:
    key = f"@{annotation.key}"
    doc: Json = {}
    for nested in annotation.annotations:
        doc.update((key + name, value) for name, value in _annotation(nested).items())
    doc[key] = _value(annotation.value, in_collection=False)
    return doc


def _annotations(annotations: list[Annotation]) -> Json:
    doc: Json = {}
    for annotation in annotations:
        doc.update(_annotation(annotation))
    return doc


# --- structure -------------------------------------------------------------------------------


def _property(service: Service, prop: Property, entity_set: EntitySet | None = None) -> Json:
    doc: Json = {}
    type_name = csdl.property_type(service, prop)
    if type_name != "Edm.String":
        doc["$Type"] = type_name
    facets = (("$MaxLength", prop.max_length), ("$Precision", prop.precision), ("$Scale", prop.scale))
    doc.update((name, value) for name, value in facets if value is not None)
    nullable = csdl.is_nullable(prop, entity_set)
    if prop.collection and nullable:  # an attribute of collections: before the default value
        doc["$Nullable"] = True
    if prop.default is not None:
        doc["$DefaultValue"] = prop.default
    if nullable and not prop.collection:  # CAP adds it last for single values
        doc["$Nullable"] = True
    if prop.collection:
        doc["$Collection"] = True
    return doc


def _navigation(service: Service, nav: NavigationProperty) -> Json:
    doc: Json = {"$Kind": "NavigationProperty", "$Type": service.qualified(nav.target)}
    if nav.partner is not None:
        doc["$Partner"] = nav.partner
    if nav.contains_target:
        doc["$ContainsTarget"] = True
    if nav.collection:
        doc["$Collection"] = True
    else:
        doc["$Nullable"] = True
    if nav.composition and not nav.contains_target:
        doc["$OnDelete"] = "Cascade"
    if nav.constraints:
        doc["$ReferentialConstraint"] = dict(nav.constraints)
    return doc


def _entity_type(service: Service, entity_set: EntitySet) -> Json:
    doc: Json = {"$Kind": "EntityType"}
    if entity_set.keys:
        doc["$Key"] = [key.name for key in entity_set.keys]
    for member in entity_set.members:
        if isinstance(member, Property) and not member.in_metadata:
            continue
        if isinstance(member, Property):
            doc[member.name] = _property(service, member, entity_set)
        else:
            doc[member.name] = _navigation(service, member)
    return doc


def _complex_type(service: Service, complex_type: ComplexType) -> Json:
    doc: Json = {"$Kind": "ComplexType"}
    doc.update((p.name, _property(service, p)) for p in complex_type.properties)
    return doc


def _entity_set(service: Service, entity_set: EntitySet) -> Json:
    doc: Json = {"$Collection": True, "$Type": service.qualified(entity_set.name)}
    bindings = csdl.bindings(service, entity_set)
    if bindings:
        doc["$NavigationPropertyBinding"] = dict(bindings)
    return doc


def _container(service: Service) -> Json:
    doc: Json = {"$Kind": "EntityContainer"}
    doc.update((s.name, _entity_set(service, s)) for s in csdl.container_sets(service))
    return doc


def _parameter(parameter: Parameter) -> Json:
    doc: Json = {"$Name": parameter.name}
    if parameter.type != "Edm.String":
        doc["$Type"] = parameter.type
    if parameter.nullable:
        doc["$Nullable"] = True
    return doc


def _action(service: Service, action: Action) -> Json:
    doc: Json = {"$Kind": "Action", "$IsBound": True}
    path = csdl.entity_set_path(action)
    if path is not None:
        doc["$EntitySetPath"] = path
    binding = Parameter(action.binding_parameter, service.qualified(action.binding_set))
    doc["$Parameter"] = [_parameter(p) for p in (binding, *action.parameters)]
    if action.return_set is not None:
        doc["$ReturnType"] = {"$Type": service.qualified(action.return_set), "$Nullable": True}
    return doc


def _schema(service: Service) -> Json:
    doc: Json = _annotation(csdl.WATERMARK)
    doc[csdl.CONTAINER] = _container(service)
    doc.update((s.name, _entity_type(service, s)) for s in service.entity_sets)
    doc.update((t.name, _complex_type(service, t)) for t in service.complex_types)
    doc.update(_annotations(service.schema_annotations))
    targets = csdl.annotation_targets(service)
    if targets:
        doc["$Annotations"] = {target: _annotations(annotations) for target, annotations in targets}
    for name, overloads in csdl.action_groups(service).items():
        doc[name] = [_action(service, a) for a in overloads]
    return doc


def _references(service: Service) -> Json:
    return {
        v.uri: {"$Include": [{"$Alias": v.alias, "$Namespace": v.namespace}]} for v in csdl.used_vocabularies(service)
    }


def render_csdl_json(service: Service) -> dict[str, Any]:
    """The CSDL JSON document of `service` as CAP renders it."""
    return {
        "$Version": "4.0",
        "$EntityContainer": csdl.container_name(service),
        "$Reference": _references(service),
        service.namespace: _schema(service),
    }
