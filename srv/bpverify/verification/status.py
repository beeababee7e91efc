"""The verification status of a notification, and who may move it where.

Rule 1. A notification starts as N (new) when S/4HANA announces a business partner.
Rule 2. A clerk moves it to P (in process), and decides: V (verified) or INV (invalid).
        N may go straight to V or INV: a clerk can decide in one edit.
Rule 3. A decision is final for the clerk: V and INV stay as they are.
Rule 4. C (completed) is set by the system only, when S/4HANA reports the partner changed
        after a V decision; no clerk may set it.
Rule 5. A decision (a new V or INV) is what triggers the write-back to S/4HANA.
"""

from __future__ import annotations

from dataclasses import dataclass

NEW, IN_PROCESS, VERIFIED, INVALID, COMPLETED = "N", "P", "V", "INV", "C"
DECISIONS = frozenset({VERIFIED, INVALID})
TEXTS = {NEW: "NEW", IN_PROCESS: "IN PROCESS", VERIFIED: "VERIFIED", INVALID: "INVALID", COMPLETED: "COMPLETED"}

_BY_CLERK: dict[str, frozenset[str]] = {
    NEW: frozenset({NEW, IN_PROCESS, VERIFIED, INVALID}),
    IN_PROCESS: frozenset({IN_PROCESS, VERIFIED, INVALID}),
    VERIFIED: frozenset({VERIFIED}),
    INVALID: frozenset({INVALID}),
    COMPLETED: frozenset({COMPLETED}),
}


@dataclass(frozen=True)
class TransitionError(Exception):
    message: str


def check_clerk_transition(current: str, wanted: str) -> None:
    """Raise TransitionError unless a clerk may move a notification from `current` to `wanted`."""
    if wanted == COMPLETED and current != COMPLETED:
        raise TransitionError("Status COMPLETED is set by the system when S/4HANA confirms the change")
    if wanted not in _BY_CLERK:
        raise TransitionError(f"Unknown verification status '{wanted}'")
    if wanted not in _BY_CLERK.get(current, frozenset()):
        raise TransitionError(f"Status {TEXTS.get(current, current)} cannot change to {TEXTS[wanted]}")


def is_decision(before: str, after: str) -> bool:
    """Rule 5: the change that must be written back to S/4HANA."""
    return after in DECISIONS and before != after


def completes(current: str) -> bool:
    """Rule 4: a Changed event completes a verified notification."""
    return current == VERIFIED
