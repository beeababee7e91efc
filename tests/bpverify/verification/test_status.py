import pytest

from bpverify.verification import status


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        ("N", "N"),
        ("N", "P"),
        ("N", "V"),
        ("N", "INV"),
        ("P", "P"),
        ("P", "V"),
        ("P", "INV"),
        ("V", "V"),
        ("INV", "INV"),
    ],
)
def test_clerk_may(current: str, wanted: str) -> None:
    status.check_clerk_transition(current, wanted)


@pytest.mark.parametrize(
    ("current", "wanted", "reason"),
    [
        ("N", "C", "COMPLETED is set by the system"),
        ("V", "C", "COMPLETED is set by the system"),
        ("P", "N", "cannot change to NEW"),
        ("V", "P", "cannot change to IN PROCESS"),
        ("V", "INV", "cannot change to INVALID"),
        ("INV", "V", "cannot change to VERIFIED"),
        ("N", "ZZZ", "Unknown verification status"),
        ("N", "", "Unknown verification status"),
    ],
)
def test_clerk_may_not(current: str, wanted: str, reason: str) -> None:
    with pytest.raises(status.TransitionError) as error:
        status.check_clerk_transition(current, wanted)
    assert reason in error.value.message


@pytest.mark.parametrize(
    ("before", "after", "decision"),
    [("N", "V", True), ("P", "INV", True), ("V", "V", False), ("N", "P", False), ("P", "P", False)],
)
def test_decisions_trigger_write_back(before: str, after: str, decision: bool) -> None:
    assert status.is_decision(before, after) is decision


def test_only_verified_completes() -> None:
    assert status.completes("V") and not status.completes("INV") and not status.completes("P")
