"""Shorthands that read like CDS: the aspects and element annotations CAP expands.

CAP turns `cuid`, `managed`, `@title` and `@readonly` into properties and vocabulary
annotations when it compiles CDS to EDM. These helpers do the same expansion, so a
service declared in Python renders the same `$metadata` as the CDS it mirrors.
"""

from __future__ import annotations

from typing import Any

from odata4.edm.annotations import Annotation
from odata4.edm.model import ManagedKind, NavigationProperty, Property


def element(
    name: str,
    type_: str = "Edm.String",
    *,
    max_length: int | None = None,
    title: str | None = None,
    readonly: bool = False,
    default: Any = None,
    key: bool = False,
    annotations: list[Annotation] | None = None,
) -> Property:
    """An element; `@title` becomes Common.Label, `@readonly` Core.Computed (in CAP's order)."""
    extra = list(annotations or [])
    if title is not None:
        extra.append(Annotation("Common.Label", title))
    if readonly:
        extra.append(Annotation("Core.Computed", True))
    return Property(
        name,
        type_,
        max_length=max_length,
        nullable=not key,
        key=key,
        default=default,
        computed=readonly,
        annotations=extra,
    )


def string(name: str, length: int | None = None, **kwargs: Any) -> Property:
    return element(name, "Edm.String", max_length=length, **kwargs)


def cuid() -> list[Property]:
    """`aspect cuid { key ID : UUID; }`: a server-generated key unless the client sends one."""
    return [
        Property(
            "ID",
            "Edm.Guid",
            key=True,
            nullable=False,
            annotations=[Annotation("Core.ComputedDefaultValue", True)],
        )
    ]


_HIDDEN = [Annotation("UI.HiddenFilter", True), Annotation("UI.ExcludeFromNavigationContext", True)]
_USER_ID = Annotation("Core.Description", "User's unique ID")


def _managed(name: str, type_: str, label: str, *, immutable: bool, kind: ManagedKind) -> Property:
    annotations = list(_HIDDEN)
    if immutable:
        annotations.append(Annotation("Core.Immutable", True))
    annotations.append(Annotation("Core.Computed", True))
    if type_ == "Edm.String":
        annotations.append(_USER_ID)
    annotations.append(Annotation("Common.Label", label))
    return Property(
        name,
        type_,
        max_length=255 if type_ == "Edm.String" else None,
        precision=7 if type_ == "Edm.DateTimeOffset" else None,
        computed=True,
        immutable=immutable,
        managed=kind,
        annotations=annotations,
    )


def managed() -> list[Property]:
    """`aspect managed`: who created and changed a row and when, filled by the server."""
    return [
        _managed("createdAt", "Edm.DateTimeOffset", "Created On", immutable=True, kind="createdAt"),
        _managed("createdBy", "Edm.String", "Created By", immutable=True, kind="createdBy"),
        _managed("modifiedAt", "Edm.DateTimeOffset", "Changed On", immutable=False, kind="modifiedAt"),
        _managed("modifiedBy", "Edm.String", "Changed By", immutable=False, kind="modifiedBy"),
    ]


def association(
    name: str,
    target: str,
    *,
    keys: list[Property],
    title: str | None = None,
    default: Any = None,
    partner: str | None = None,
    annotations: list[Annotation] | None = None,
    fk_annotations: list[Annotation] | None = None,
) -> list[Property | NavigationProperty]:
    """A managed to-one association: the navigation property and its foreign-key elements.

    CAP names the foreign keys `<assoc>_<key>` and puts `@title` on the navigation
    property; value help annotations go on the foreign key (`fk_annotations`).
    """
    labels = [Annotation("Common.Label", title)] if title else []
    nav = NavigationProperty(
        name,
        target,
        partner=partner,
        constraints=tuple((f"{name}_{k.name}", k.name) for k in keys),
        annotations=list(annotations or []) + labels,
    )
    fks: list[Property | NavigationProperty] = [
        Property(
            f"{name}_{k.name}",
            k.type,
            max_length=k.max_length,
            default=default,
            annotations=list(fk_annotations or []) + labels,
        )
        for k in keys
    ]
    return [nav, *fks]


def composition(name: str, target: str, *, partner: str) -> NavigationProperty:
    """`Composition of many <target> on <target>.<partner> = $self`."""
    return NavigationProperty(name, target, collection=True, partner=partner, composition=True)
