"""A tiny in-memory S/4HANA behind the workflow's port, for tests of the workflow alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from bpverify.workflow.ports import Decision, Partner, PartnerAddress, S4Unavailable


@dataclass
class FakeS4:
    partners: dict[str, Partner] = field(default_factory=dict)
    written: list[Decision] = field(default_factory=list)
    down: bool = False
    reads: int = 0

    def add(self, partner_id: str, *addresses: tuple[str, str, str, str, str]) -> None:
        self.partners[partner_id] = Partner(
            partner_id, f"Partner {partner_id}", [PartnerAddress(*a) for a in addresses]
        )

    async def get_partner(self, business_partner: str) -> Partner | None:
        self.reads += 1
        if self.down:
            raise S4Unavailable("S/4HANA is down")
        return self.partners.get(business_partner)

    async def write_back(self, decision: Decision) -> None:
        if self.down:
            raise S4Unavailable("S/4HANA is down")
        self.written.append(decision)
