"""Conversion of OData primitive literal text to `Literal` nodes.

The lexer finds where a literal starts and ends; these functions turn its text into the
Python value and reject values outside the ranges of the EDM types (month 13, hour 24,
doubles overflowing to infinity, ...). Every failure is a `ParseError` at `pos`, never a
`ValueError` or `OverflowError`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid

from odata4.errors import NotImplementedFeature, ParseError
from odata4.uri.ast import Literal

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?")
_OFFSET = re.compile(r"([Zz])|([+-])([0-9]{2}):([0-9]{2})")
_DURATION = re.compile(
    r"(-)?P(?:([0-9]{1,12})D)?(?:T(?:([0-9]{1,12})H)?(?:([0-9]{1,12})M)?(?:([0-9]{1,12})(?:\.([0-9]+))?S)?)?"
)

NULL = Literal("null", None)
TRUE = Literal("boolean", True)
FALSE = Literal("boolean", False)
# nullValue / booleanValue: lowercase only, as OData is case-sensitive
KEYWORD_LITERALS: dict[str, Literal] = {"null": NULL, "true": TRUE, "false": FALSE}


# string = SQUOTE *( SQUOTE-in-string / pchar-no-SQUOTE ) SQUOTE
def string_literal(raw: str) -> Literal:
    """`raw` includes the enclosing quotes; `''` stands for one quote."""
    return Literal("string", raw[1:-1].replace("''", "'"))


# int64Value / decimalValue / doubleValue (with exponent, or nanInfinity)
def number_literal(text: str, pos: int) -> Literal:
    unsigned = text.lstrip("+-")
    if unsigned in ("INF", "NaN"):
        return Literal("double", float("-inf" if text.startswith("-") else text.lstrip("+").lower()))
    if "e" in unsigned or "E" in unsigned:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise ParseError(f'Number "{text[:40]}" is out of range for Edm.Double', position=pos)
        return Literal("double", value)
    if "." in unsigned or len(unsigned) > 19:
        return Literal("decimal", decimal.Decimal(text))
    number = int(text)
    if INT64_MIN <= number <= INT64_MAX:
        return Literal("int", number)
    return Literal("decimal", decimal.Decimal(text))


# guidValue = 8HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 12HEXDIG
def guid_literal(text: str) -> Literal:
    return Literal("guid", uuid.UUID(text))


# dateValue = year "-" month "-" day
def date_literal(text: str, pos: int) -> Literal:
    return Literal("date", _date(text, pos))


# dateTimeOffsetValue = year "-" month "-" day "T" timeOfDayValue ( "Z" / SIGN hour ":" minute )
def datetime_literal(text: str, pos: int) -> Literal:
    date = _date(text[:10], pos)
    rest = text[11:]
    offset = _OFFSET.search(rest)
    if offset is None:  # the lexer guarantees an offset; be defensive anyway
        raise ParseError("Expected a time zone offset in Edm.DateTimeOffset", position=pos)
    time = _time(rest[: offset.start()], pos + 11)
    return Literal("datetimeoffset", dt.datetime.combine(date, time, _timezone(offset, pos)))


# timeOfDayValue = hour ":" minute [ ":" second [ "." fractionalSeconds ] ]
def time_literal(text: str, pos: int) -> Literal:
    return Literal("timeofday", _time(text, pos))


# durationValue = [ SIGN ] "P" [ 1*DIGIT "D" ] [ "T" [ 1*DIGIT "H" ] [ 1*DIGIT "M" ] [ 1*DIGIT [ "." 1*DIGIT ] "S" ] ]
def duration_literal(body: str, pos: int) -> Literal:
    m = _DURATION.fullmatch(body)
    if m is None or body.endswith(("P", "T")):
        raise ParseError(f"Invalid Edm.Duration value '{body[:40]}'", position=pos)
    sign, days, hours, minutes, seconds, fraction = m.groups()
    try:
        value = dt.timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=int(((fraction or "") + "000000")[:6]),
        )
    except OverflowError:
        raise ParseError(f"Edm.Duration value '{body[:40]}' is out of range", position=pos) from None
    return Literal("duration", -value if sign else value)


_UNSUPPORTED_PREFIXES = ("binary", "geography", "geometry")


# primitiveLiteral with a type prefix: durationLiteral, binary, geo literals, enum
def typed_literal(prefix: str, raw: str, pos: int) -> Literal:
    body = raw[1:-1].replace("''", "'")
    if prefix == "duration":
        return duration_literal(body, pos + len(prefix) + 1)
    if prefix in _UNSUPPORTED_PREFIXES or prefix.startswith(_UNSUPPORTED_PREFIXES):
        raise NotImplementedFeature(f"{prefix} literals are not supported")
    if "." in prefix:  # enum = qualifiedEnumTypeName SQUOTE enumValue SQUOTE
        raise NotImplementedFeature(f"Enumeration literals ({prefix}'...') are not supported")
    raise ParseError(f'Unknown literal type prefix "{prefix[:40]}"', position=pos)


def _date(text: str, pos: int) -> dt.date:
    m = _DATE.fullmatch(text)
    try:
        if m is None:
            raise ValueError(text)
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ParseError(f'Invalid date "{text}"', position=pos) from None


def _time(text: str, pos: int) -> dt.time:
    m = _TIME.fullmatch(text)
    try:
        if m is None:
            raise ValueError(text)
        micro = int(((m[4] or "") + "000000")[:6])
        return dt.time(int(m[1]), int(m[2]), int(m[3] or 0), micro)
    except ValueError:
        raise ParseError(f'Invalid time of day "{text[:40]}"', position=pos) from None


def _timezone(m: re.Match[str], pos: int) -> dt.timezone:
    if m[1]:
        return dt.UTC
    hours, minutes = int(m[3]), int(m[4])
    if hours > 23 or minutes > 59:
        raise ParseError(f'Invalid time zone offset "{m[0]}"', position=pos)
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-delta if m[2] == "-" else delta)
