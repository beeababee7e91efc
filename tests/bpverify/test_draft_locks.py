"""Two clerks on one notification: the draft lock, its expiry and the take-over."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from tests.support.server import serve

from bpverify.app import create_app
from bpverify.auth import MockedUsers
from bpverify.settings import Settings

ROOT = "/odata/v4/business-partner-verification/"
N1 = "2c728381-72ce-4fdd-8293-8add71579666"
EDIT = f"Notifications(ID={N1},IsActiveEntity=true)/BusinessPartnerVerification.draftEdit"
DRAFT = f"Notifications(ID={N1},IsActiveEntity=false)"
CLERKS = {"alice": frozenset({"Validator", "Viewer"}), "dave": frozenset({"Validator", "Viewer"})}
LOCK_SECONDS = 1.0


@pytest.fixture
def base(db_url: str) -> Iterator[str]:
    settings = Settings(db_url=db_url, draft_lock_minutes=LOCK_SECONDS / 60)
    with serve(create_app(settings, authenticator=MockedUsers(CLERKS))) as url:
        yield url + ROOT


def _as(user: str) -> httpx.Client:
    return httpx.Client(auth=(user, user), timeout=30)


def test_the_second_clerk_sees_the_lock_until_it_expires(base: str) -> None:
    with _as("alice") as alice, _as("dave") as dave:
        assert alice.post(base + EDIT, json={"PreserveChanges": True}).status_code == 201
        assert alice.patch(base + DRAFT, json={"verificationStatus_code": "P"}).status_code == 200
        assert alice.post(base + EDIT, json={"PreserveChanges": True}).status_code == 409

        locked = dave.post(base + EDIT, json={"PreserveChanges": True})
        assert locked.status_code == 403
        assert locked.json()["error"]["code"] == "DRAFT_LOCKED_BY_ANOTHER_USER"
        assert 'locked by user "alice"' in locked.json()["error"]["message"]
        assert dave.patch(base + DRAFT, json={"verificationStatus_code": "V"}).status_code == 403
        assert dave.get(base + DRAFT).status_code == 404  # someone else's draft is invisible

        listed = dave.get(base + f"Notifications(ID={N1},IsActiveEntity=true)?$expand=DraftAdministrativeData").json()
        assert listed["HasDraftEntity"] is True and listed["DraftAdministrativeData"]["InProcessByUser"] == "alice"

        time.sleep(LOCK_SECONDS + 0.2)
        taken = dave.post(base + EDIT, json={"PreserveChanges": True})
        assert taken.status_code == 201, taken.text
        assert (
            dave.get(base + DRAFT + "?$expand=DraftAdministrativeData").json()["DraftAdministrativeData"][
                "InProcessByUser"
            ]
            == "dave"
        )
        assert alice.patch(base + DRAFT, json={"verificationStatus_code": "V"}).status_code == 403


FIORI_LIST = {
    "$count": "true",
    "$select": "ID,IsActiveEntity,HasActiveEntity,HasDraftEntity,verificationStatus_code",
    "$expand": "DraftAdministrativeData($select=DraftUUID,InProcessByUser)",
    "$filter": "(IsActiveEntity eq false or SiblingEntity/IsActiveEntity eq null)",
    "$orderby": "businessPartnerId",
    "$top": "30",
}


def _list(client: httpx.Client, base: str) -> dict[str, dict[str, object]]:
    response = client.get(base + "Notifications", params=FIORI_LIST)
    assert response.status_code == 200, response.text
    rows = response.json()["value"]
    assert response.json()["@odata.count"] == len(rows)
    return {row["ID"]: row for row in rows}


def test_the_list_report_shows_each_clerk_their_own_drafts(base: str) -> None:
    """Each read is answered with the statements of the clerk's situation (with or without drafts)."""
    with _as("alice") as alice, _as("dave") as dave:
        before = _list(alice, base)  # alice without drafts: the active rows
        assert before[N1]["IsActiveEntity"] is True and before[N1]["HasDraftEntity"] is False
        assert _list(dave, base) == before

        assert alice.post(base + EDIT, json={"PreserveChanges": True}).status_code == 201
        assert alice.patch(base + DRAFT, json={"verificationStatus_code": "P"}).status_code == 200
        mine = _list(alice, base)  # alice's draft takes the place of the active row
        assert mine.keys() == before.keys()
        assert mine[N1]["IsActiveEntity"] is False and mine[N1]["HasActiveEntity"] is True
        assert mine[N1]["verificationStatus_code"] == "P"
        assert mine[N1]["DraftAdministrativeData"]["InProcessByUser"] == "alice"  # type: ignore[index]
        theirs = _list(dave, base)  # dave still has no drafts: the active row, marked as being edited
        assert theirs[N1]["IsActiveEntity"] is True and theirs[N1]["HasDraftEntity"] is True
        assert theirs[N1]["verificationStatus_code"] == before[N1]["verificationStatus_code"]
        assert {k: v for k, v in theirs.items() if k != N1} == {k: v for k, v in before.items() if k != N1}

        unchanged = {"$filter": "IsActiveEntity eq true and SiblingEntity/IsActiveEntity eq null", "$select": "ID"}
        assert N1 not in {r["ID"] for r in alice.get(base + "Notifications", params=unchanged).json()["value"]}
        assert N1 in {r["ID"] for r in dave.get(base + "Notifications", params=unchanged).json()["value"]}

        assert alice.delete(base + DRAFT).status_code == 204
        assert _list(alice, base) == before
