import pytest

from bpverify.verification.checks import Address, check_address, postal_code_problem


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [
        ("DE", "10115"),
        ("DE", " 10115 "),
        ("NL", "1012ab"),
        ("NL", "1012 AB"),
        ("GB", "sw1a 1aa"),
        ("US", "94043"),
        ("US", "94043-1351"),
        ("FR", "75008"),
        ("AE", "anything"),
    ],  # AE has no postal codes: cannot judge
)
def test_valid_postal_codes(country: str, postal_code: str) -> None:
    assert postal_code_problem(country, postal_code) is None


@pytest.mark.parametrize(
    ("country", "postal_code"), [("DE", "1011"), ("DE", "ABCDE"), ("US", "9430"), ("FR", "7500"), ("GB", "12345")]
)
def test_invalid_postal_codes(country: str, postal_code: str) -> None:
    problem = postal_code_problem(country, postal_code)
    assert problem is not None and postal_code in problem and country in problem


def test_unknown_country_is_a_finding_not_a_postal_code_error() -> None:
    findings = check_address(Address("XX", "12345", "City", "Street 1"))
    assert [(f.code, f.target) for f in findings] == [("COUNTRY_UNKNOWN", "country")]


def test_uk_is_not_an_iso_code() -> None:
    assert [f.code for f in check_address(Address("UK", "SW1A 1AA", "London", "Downing St 10"))] == ["COUNTRY_UNKNOWN"]


def test_required_fields() -> None:
    findings = check_address(Address("DE", "", None, "  "))
    assert {(f.code, f.target) for f in findings} == {
        ("REQUIRED", "postalCode"),
        ("REQUIRED", "cityName"),
        ("REQUIRED", "streetName"),
    }


def test_clean_address_has_no_findings() -> None:
    assert check_address(Address("DE", "69190", "Walldorf", "Dietmar-Hopp-Allee 16")) == []
