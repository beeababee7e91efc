"""CSDL XML and JSON of a toy library model, and its draft enablement."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from odata4.edm.annotations import (
    Annotation,
    AnnotationPath,
    Collection,
    EnumMember,
    Path,
    PropertyPath,
    Record,
)
from odata4.edm.drafts import DRAFT_ADMIN, ExpressionPath, enable_drafts
from odata4.edm.model import EntitySet, NavigationProperty, Property, Service
from odata4.format.csdl_json import render_csdl_json
from odata4.format.csdl_xml import render_csdl_xml

NS = "Library"
E = "{http://docs.oasis-open.org/odata/ns/edm}"
X = "{http://docs.oasis-open.org/odata/ns/edmx}"
LABEL = 'Title <"&"> ]]>\n'
TEXT_ONLY = Annotation("UI.TextArrangement", EnumMember("UI.TextArrangementType/TextOnly"))


def _books(**flags: Any) -> EntitySet:
    line_item = Collection(
        (
            Record.of("UI.DataField", Value=Path("title")),
            Record.of("UI.DataFieldForAnnotation", Target=AnnotationPath("author/@UI.LineItem")),
        )
    )
    return EntitySet(
        "Books",
        members=[
            Property("ID", "Edm.Guid", key=True, nullable=False),
            Property("title", max_length=200, nullable=False, annotations=[Annotation("Common.Label", LABEL)]),
            Property("price", "Edm.Decimal", precision=9, scale=2),
            Property("weight", "Edm.Decimal"),
            Property("stock", "Edm.Int32", default=0),
            NavigationProperty(
                "author",
                "Authors",
                partner="books",
                constraints=(("author_ID", "ID"),),
                annotations=[Annotation("Common.Text", Path("author/name"), annotations=(TEXT_ONLY,))],
            ),
            Property("author_ID", "Edm.Int32"),
            NavigationProperty("chapters", "Chapters", collection=True, partner="book", composition=True),
        ],
        type_annotations=[
            Annotation("UI.LineItem", line_item),
            Annotation("UI.SelectionFields", Collection((PropertyPath("title"), "a < b ]]>"))),
        ],
        set_annotations=[Annotation("Core.Description", "books")],
        **flags,
    )


def _authors() -> EntitySet:
    search = Annotation(
        "Capabilities.SearchRestrictions", Record.of("Capabilities.SearchRestrictionsType", Searchable=False)
    )
    return EntitySet(
        "Authors",
        members=[
            Property("ID", "Edm.Int32", key=True, nullable=False),
            Property("name", max_length=100),
            NavigationProperty("books", "Books", collection=True, partner="author"),
        ],
        set_annotations=[search],
        readonly=True,
    )


def _chapters() -> EntitySet:
    return EntitySet(
        "Chapters",
        members=[
            Property("ID", "Edm.Guid", key=True, nullable=False),
            NavigationProperty("book", "Books", partner="chapters", constraints=(("book_ID", "ID"),)),
            Property("book_ID", "Edm.Guid"),
            Property("title", nullable=False),
        ],
    )


def library(*, drafts: bool = False, **flags: Any) -> Service:
    service = Service(NS, [_books(draft_enabled=drafts, **flags), _authors(), _chapters()])
    if drafts:
        enable_drafts(service)
    return service


def schema_of(service: Service) -> ET.Element:
    root = ET.fromstring(render_csdl_xml(service))
    schema = root.find(f"{X}DataServices/{E}Schema")
    assert schema is not None
    return schema


def element(schema: ET.Element, path: str) -> ET.Element:
    found = schema.find(path)
    assert found is not None, path
    return found


def annotations_of(schema: ET.Element, target: str) -> list[str]:
    block = element(schema, f"{E}Annotations[@Target='{target}']")
    return [a.attrib["Term"] + (f"#{a.attrib['Qualifier']}" if "Qualifier" in a.attrib else "") for a in block]


def property_attrs(schema: ET.Element, entity: str, name: str) -> dict[str, str]:
    return dict(element(schema, f"{E}EntityType[@Name='{entity}']/*[@Name='{name}']").attrib)


# --- document layout -------------------------------------------------------------------------


def test_document_is_cap_formatted() -> None:
    xml = render_csdl_xml(library()).decode()
    lines = xml.split("\n")
    assert lines[0] == '<?xml version="1.0" encoding="utf-8"?>'
    assert lines[1] == '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">'
    assert lines[-1] == "</edmx:Edmx>"
    assert '    <Schema Namespace="Library" xmlns="http://docs.oasis-open.org/odata/ns/edm">' in lines


def test_references_are_the_used_vocabularies_by_alias() -> None:
    root = ET.fromstring(render_csdl_xml(library()))
    aliases = [i.attrib["Alias"] for i in root.iter(f"{X}Include")]
    assert aliases == ["Capabilities", "Common", "Core", "UI"]
    bare = Service(NS, [_chapters()])
    assert [i.attrib["Alias"] for i in ET.fromstring(render_csdl_xml(bare)).iter(f"{X}Include")] == ["Common", "Core"]


def test_schema_starts_with_the_cap_watermark() -> None:
    schema = schema_of(library())
    assert schema[0].attrib == {"Term": "Core.Links"}
    assert [v.attrib for v in schema[0].iter(f"{E}PropertyValue")] == [
        {"Property": "rel", "String": "author"},
        {"Property": "href", "String": "https://cap.cloud.sap"},
    ]
    assert schema[1].tag == f"{E}EntityContainer"


def test_container_binds_navigation_properties() -> None:
    books = element(schema_of(library()), f"{E}EntityContainer/{E}EntitySet[@Name='Books']")
    assert books.attrib["EntityType"] == "Library.Books"
    assert [b.attrib for b in books] == [
        {"Path": "author", "Target": "Authors"},
        {"Path": "chapters", "Target": "Chapters"},
    ]


def test_property_facets_nullability_and_defaults() -> None:
    schema = schema_of(library())
    keys = element(schema, f"{E}EntityType[@Name='Books']/{E}Key")
    assert [k.attrib["Name"] for k in keys] == ["ID"]
    assert property_attrs(schema, "Books", "ID") == {"Name": "ID", "Type": "Edm.Guid", "Nullable": "false"}
    assert list(property_attrs(schema, "Books", "title")) == ["Name", "Type", "MaxLength", "Nullable"]
    assert property_attrs(schema, "Books", "price") == {
        "Name": "price",
        "Type": "Edm.Decimal",
        "Precision": "9",
        "Scale": "2",
    }
    assert property_attrs(schema, "Books", "weight")["Scale"] == "variable"
    assert property_attrs(schema, "Books", "stock")["DefaultValue"] == "0"


def test_navigation_properties() -> None:
    schema = schema_of(library())
    chapters = element(schema, f"{E}EntityType[@Name='Books']/{E}NavigationProperty[@Name='chapters']")
    assert chapters.attrib == {"Name": "chapters", "Type": "Collection(Library.Chapters)", "Partner": "book"}
    assert [c.attrib for c in chapters] == [{"Action": "Cascade"}]
    author = element(schema, f"{E}EntityType[@Name='Books']/{E}NavigationProperty[@Name='author']")
    assert [c.attrib for c in author] == [{"Property": "author_ID", "ReferencedProperty": "ID"}]


# --- annotations -----------------------------------------------------------------------------


def test_annotation_blocks_follow_cap_order() -> None:
    targets = [a.attrib["Target"] for a in schema_of(library()).iter(f"{E}Annotations")]
    assert targets == [
        "Library.Books",
        "Library.EntityContainer/Books",
        "Library.Books/title",
        "Library.Books/author",
        "Library.EntityContainer/Authors",
    ]


def test_capability_flags_come_before_and_readonly_after_explicit_set_annotations() -> None:
    schema = schema_of(library(insertable=False, deletable=False))
    assert annotations_of(schema, "Library.EntityContainer/Books") == [
        "Capabilities.InsertRestrictions",
        "Capabilities.DeleteRestrictions",
        "Core.Description",
    ]
    assert annotations_of(schema, "Library.EntityContainer/Authors") == [
        "Capabilities.SearchRestrictions",
        "Capabilities.DeleteRestrictions",
        "Capabilities.InsertRestrictions",
        "Capabilities.UpdateRestrictions",
    ]


def test_annotation_values() -> None:
    schema = schema_of(library())
    text = element(schema, f"{E}Annotations[@Target='Library.Books/author']/{E}Annotation")
    assert text.attrib == {"Term": "Common.Text", "Path": "author/name"}
    assert [n.attrib for n in text] == [{"Term": "UI.TextArrangement", "EnumMember": "UI.TextArrangementType/TextOnly"}]
    records = list(element(schema, f"{E}Annotations[@Target='Library.Books']/{E}Annotation/{E}Collection"))
    assert [r.attrib["Type"] for r in records] == ["UI.DataField", "UI.DataFieldForAnnotation"]


def test_escaping_round_trips() -> None:
    xml = render_csdl_xml(library())
    assert b'String="Title &lt;&quot;&amp;&quot;> ]]>&#xA;"' in xml
    assert b"<String>a &lt; b ]]&gt;</String>" in xml
    schema = schema_of(library())
    label = element(schema, f"{E}Annotations[@Target='Library.Books/title']/{E}Annotation")
    assert label.attrib["String"] == LABEL


# --- drafts ----------------------------------------------------------------------------------


def test_drafts_add_members_keys_and_admin_data_type() -> None:
    service = library(drafts=True)
    schema = schema_of(service)
    chapters = service.entity_set("Chapters")
    assert chapters is not None and chapters.draft_node  # reached through the composition
    for name in ("Books", "Chapters"):
        entity = element(schema, f"{E}EntityType[@Name='{name}']")
        assert [k.attrib["Name"] for k in element(entity, f"{E}Key")] == ["ID", "IsActiveEntity"]
        assert [m.attrib["Name"] for m in entity if m.tag != f"{E}Key"][-6:] == [
            "IsActiveEntity",
            "HasActiveEntity",
            "HasDraftEntity",
            "DraftAdministrativeData",
            "SiblingEntity",
            "DraftMessages",
        ]
    sets = [s.attrib["Name"] for s in element(schema, f"{E}EntityContainer")]
    assert sets == ["Books", "Authors", "Chapters"]
    types = [t.attrib["Name"] for t in schema.iter(f"{E}EntityType")]
    assert types == ["Books", "Authors", "Chapters", DRAFT_ADMIN]
    assert [c.attrib["Name"] for c in schema.iter(f"{E}ComplexType")] == ["DRAFT_DraftAdministrativeData_DraftMessage"]


def test_draft_entities_render_stored_non_key_properties_nullable() -> None:
    schema = schema_of(library(drafts=True))
    assert "Nullable" not in property_attrs(schema, "Chapters", "title")
    assert property_attrs(schema, "Chapters", "HasDraftEntity")["Nullable"] == "false"
    assert property_attrs(schema, "Chapters", "DraftMessages")["Nullable"] == "true"


def test_draft_actions_are_grouped_by_name() -> None:
    schema = schema_of(library(drafts=True))
    actions = [(a.attrib["Name"], a[0].attrib["Type"]) for a in schema.iter(f"{E}Action")]
    assert actions == [
        ("draftPrepare", "Library.Books"),
        ("draftPrepare", "Library.Chapters"),
        ("draftActivate", "Library.Books"),
        ("draftEdit", "Library.Books"),
    ]


def test_draft_annotations() -> None:
    schema = schema_of(library(drafts=True))
    assert annotations_of(schema, "Library.EntityContainer") == ["Common.AddressViaNavigationPath"]
    assert annotations_of(schema, "Library.Books")[-2:] == ["Common.SideEffects#alwaysFetchMessages", "Common.Messages"]
    assert annotations_of(schema, "Library.EntityContainer/Books")[-2:] == [
        "Common.DraftRoot",
        "Common.SideEffects#alwaysFetchMessages",
    ]
    assert annotations_of(schema, "Library.EntityContainer/Chapters") == [
        "Common.DraftNode",
        "Common.SideEffects#alwaysFetchMessages",
    ]
    assert annotations_of(schema, "Library.DraftAdministrativeData") == ["Common.Label"]


def test_enable_drafts_is_idempotent_and_keeps_admin_data_last() -> None:
    service = library(drafts=True)
    xml = render_csdl_xml(service)
    enable_drafts(service)
    assert render_csdl_xml(service) == xml
    service.entity_sets.append(EntitySet("Shelves", [Property("ID", "Edm.Int32", key=True, nullable=False)]))
    service.reindex()
    enable_drafts(service)
    assert [s.name for s in service.entity_sets][-2:] == ["Shelves", DRAFT_ADMIN]


def test_nothing_changes_without_drafts() -> None:
    service = library()
    enable_drafts(service)
    assert render_csdl_xml(service) == render_csdl_xml(library())


# --- JSON ------------------------------------------------------------------------------------


@pytest.fixture
def doc() -> dict[str, Any]:
    return render_csdl_json(library(drafts=True))


def test_json_header(doc: dict[str, Any]) -> None:
    assert list(doc) == ["$Version", "$EntityContainer", "$Reference", NS]
    assert doc["$EntityContainer"] == "Library.EntityContainer"
    assert [r["$Include"][0]["$Alias"] for r in doc["$Reference"].values()] == ["Capabilities", "Common", "Core", "UI"]
    assert list(doc[NS])[:2] == ["@Core.Links", "EntityContainer"]
    assert list(doc[NS])[-4:] == ["$Annotations", "draftPrepare", "draftActivate", "draftEdit"]


def test_json_properties(doc: dict[str, Any]) -> None:
    books = doc[NS]["Books"]
    assert books["$Key"] == ["ID", "IsActiveEntity"]
    assert books["ID"] == {"$Type": "Edm.Guid"}
    assert books["title"] == {"$MaxLength": 200, "$Nullable": True}  # nullable in a draft entity
    assert books["stock"] == {"$Type": "Edm.Int32", "$DefaultValue": 0, "$Nullable": True}
    assert books["IsActiveEntity"] == {"$Type": "Edm.Boolean", "$DefaultValue": True}
    assert books["DraftMessages"] == {
        "$Type": "Library.DRAFT_DraftAdministrativeData_DraftMessage",
        "$Nullable": True,
        "$Collection": True,
    }
    assert render_csdl_json(library())[NS]["Books"]["title"] == {"$MaxLength": 200}


def test_json_navigation_and_container(doc: dict[str, Any]) -> None:
    books = doc[NS]["Books"]
    assert books["author"] == {
        "$Kind": "NavigationProperty",
        "$Type": "Library.Authors",
        "$Partner": "books",
        "$Nullable": True,
        "$ReferentialConstraint": {"author_ID": "ID"},
    }
    assert books["chapters"]["$OnDelete"] == "Cascade" and "$Nullable" not in books["chapters"]
    assert books["DraftAdministrativeData"]["$ContainsTarget"] is True
    container = doc[NS]["EntityContainer"]
    assert container["Books"]["$NavigationPropertyBinding"] == {
        "author": "Authors",
        "chapters": "Chapters",
        "SiblingEntity": "Books",
    }
    assert DRAFT_ADMIN not in container


def test_json_annotation_values(doc: dict[str, Any]) -> None:
    annotations = doc[NS]["$Annotations"]
    assert list(annotations["Library.Books/author"].items()) == [
        ("@Common.Text@UI.TextArrangement", "TextOnly"),
        ("@Common.Text", {"$Path": "author/name"}),
    ]
    line_item = annotations["Library.Books"]["@UI.LineItem"]
    assert line_item[0] == {"Value": {"$Path": "title"}}  # implied type: no @type
    assert (
        line_item[1]["@type"]
        == "https://sap.github.io/odata-vocabularies/vocabularies/UI.xml#UI.DataFieldForAnnotation"
    )
    assert annotations["Library.Books"]["@UI.SelectionFields"] == ["title", "a < b ]]>"]
    assert annotations["Library.Books"]["@Common.Messages"] == {}  # cds-compiler renders (path) so
    assert annotations["Library.EntityContainer/Authors"]["@Capabilities.InsertRestrictions"] == {"Insertable": False}


def test_expression_path_is_a_path_in_xml() -> None:
    service = Service(NS, [_chapters()], container_annotations=[Annotation("Core.Description", ExpressionPath("x"))])
    block = element(schema_of(service), f"{E}Annotations[@Target='Library.EntityContainer']/{E}Annotation")
    assert block.attrib == {"Term": "Core.Description", "Path": "x"}


def test_json_is_serialisable_and_agrees_with_xml(doc: dict[str, Any]) -> None:
    json.dumps(doc)
    schema = schema_of(library(drafts=True))
    assert list(doc[NS]["$Annotations"]) == [a.attrib["Target"] for a in schema.iter(f"{E}Annotations")]
