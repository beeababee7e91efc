"""Vocabulary annotations as values, rendered by the CSDL writers.

An annotation is a term (``UI.LineItem``), an optional qualifier and a value built from
the small set of CSDL expressions used by Fiori annotations. The classes mirror CSDL
constant and dynamic expressions one-to-one, so a writer needs one branch per class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Path:
    """`Path` expression: a value path such as ``verificationStatus/criticality``."""

    value: str


@dataclass(frozen=True)
class PropertyPath:
    value: str


@dataclass(frozen=True)
class NavigationPropertyPath:
    value: str


@dataclass(frozen=True)
class AnnotationPath:
    value: str


@dataclass(frozen=True)
class EnumMember:
    value: str  # e.g. "UI.TextArrangementType/TextOnly"


@dataclass(frozen=True)
class Record:
    type: str | None
    properties: tuple[tuple[str, Value], ...]

    @staticmethod
    def of(type_: str | None = None, **props: Value) -> Record:
        return Record(type_, tuple(props.items()))


@dataclass(frozen=True)
class Collection:
    items: tuple[Value, ...]


Value = Union[  # noqa: UP007 - a runtime alias with forward references
    bool, int, str, Path, PropertyPath, NavigationPropertyPath, AnnotationPath, EnumMember, Record, Collection
]


@dataclass(frozen=True)
class Annotation:
    term: str  # "Alias.Term", e.g. "Common.Label"
    value: Value = True
    qualifier: str | None = None
    annotations: tuple[Annotation, ...] = field(default=())  # annotations of the annotation

    @property
    def key(self) -> str:
        return self.term if self.qualifier is None else f"{self.term}#{self.qualifier}"


@dataclass(frozen=True)
class Vocabulary:
    alias: str
    namespace: str
    uri: str


VOCABULARIES: dict[str, Vocabulary] = {
    v.alias: v
    for v in (
        Vocabulary(
            "Capabilities",
            "Org.OData.Capabilities.V1",
            "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml",
        ),
        Vocabulary(
            "Common",
            "com.sap.vocabularies.Common.v1",
            "https://sap.github.io/odata-vocabularies/vocabularies/Common.xml",
        ),
        Vocabulary(
            "Core",
            "Org.OData.Core.V1",
            "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml",
        ),
        Vocabulary("UI", "com.sap.vocabularies.UI.v1", "https://sap.github.io/odata-vocabularies/vocabularies/UI.xml"),
        Vocabulary(
            "Validation",
            "Org.OData.Validation.V1",
            "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Validation.V1.xml",
        ),
    )
}
