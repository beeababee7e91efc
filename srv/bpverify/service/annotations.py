"""UI annotations of `srv/annotations.cds` for the Fiori elements List Report and Object Page."""

from __future__ import annotations

from odata4.edm.annotations import (
    Annotation,
    AnnotationPath,
    Collection,
    EnumMember,
    Path,
    PropertyPath,
    Record,
)

_TEXT_ONLY = Annotation("UI.TextArrangement", EnumMember("UI.TextArrangementType/TextOnly"))


def _field(path: str, criticality: str | None = None) -> Record:
    if criticality is None:
        return Record.of("UI.DataField", Value=Path(path))
    return Record.of("UI.DataField", Value=Path(path), Criticality=Path(criticality))


def notifications() -> list[Annotation]:
    status = _field("verificationStatus_code", "verificationStatus/criticality")
    return [
        Annotation(
            "UI.HeaderInfo",
            Record.of(
                "UI.HeaderInfoType",
                TypeName="Verification",
                TypeNamePlural="Verifications",
                Title=_field("businessPartnerName"),
                Description=_field("businessPartnerId"),
            ),
        ),
        Annotation(
            "UI.SelectionFields",
            Collection(
                (
                    PropertyPath("businessPartnerId"),
                    PropertyPath("businessPartnerName"),
                    PropertyPath("verificationStatus_code"),
                )
            ),
        ),
        Annotation(
            "UI.LineItem",
            Collection((_field("businessPartnerId"), _field("businessPartnerName"), status, _field("modifiedAt"))),
        ),
        Annotation(
            "UI.FieldGroup",
            Record.of("UI.FieldGroupType", Data=Collection((status, _field("modifiedBy"), _field("modifiedAt")))),
            qualifier="Status",
        ),
        Annotation(
            "UI.Facets",
            Collection(
                (
                    Record.of(
                        "UI.ReferenceFacet", ID="Status", Label="Status", Target=AnnotationPath("@UI.FieldGroup#Status")
                    ),
                    Record.of(
                        "UI.ReferenceFacet",
                        ID="Addresses",
                        Label="Addresses",
                        Target=AnnotationPath("addresses/@UI.LineItem"),
                    ),
                )
            ),
        ),
    ]


def verification_status_code() -> list[Annotation]:
    return [
        Annotation("Common.Text", Path("verificationStatus/value"), annotations=(_TEXT_ONLY,)),
        Annotation("Common.ValueListWithFixedValues", True),
        Annotation(
            "Common.ValueList",
            Record.of(
                "Common.ValueListType",
                CollectionPath="StatusValues",
                Parameters=Collection(
                    (
                        Record.of(
                            "Common.ValueListParameterInOut",
                            LocalDataProperty=PropertyPath("verificationStatus_code"),
                            ValueListProperty="code",
                        ),
                        Record.of("Common.ValueListParameterDisplayOnly", ValueListProperty="value"),
                    )
                ),
            ),
        ),
    ]


def status_code() -> list[Annotation]:
    return [Annotation("Common.Text", Path("value"), annotations=(_TEXT_ONLY,))]


def addresses() -> list[Annotation]:
    return [
        Annotation(
            "UI.HeaderInfo",
            Record.of("UI.HeaderInfoType", TypeName="Address", TypeNamePlural="Addresses", Title=_field("streetName")),
        ),
        Annotation(
            "UI.LineItem",
            Collection(tuple(_field(p) for p in ("addressId", "streetName", "postalCode", "cityName", "country"))),
        ),
    ]
