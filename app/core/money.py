"""Money as integer minor units plus an ISO 4217 code; Decimal only at the edges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import (
    format_compact_currency,
    format_currency,
    get_currency_precision,
    get_territory_currencies,
    list_currencies,
)
from flask import current_app
from flask_babel import gettext as _

from app.core.errors import ValidationError

_LETTER_BESIDE_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
# No single amount in this fund comes near 10^12 units; anything above is a typo or an attack.
MAX_MINOR = 10**14
MAX_DIGITS = 20  # refused before any arithmetic, so "1E999999" cannot overflow Decimal
AMOUNT_SYNTAX = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|[+-]?\.\d+")


def fund_currency() -> str:
    """The fund's one currency (FUND_CURRENCY, default USD): its accounts, its grants and
    requests, card gifts, and what every other currency is converted to."""
    return str(current_app.config["FUND_CURRENCY"])


class MoneyError(ValueError):
    """An amount that cannot be accepted, with a message fit to show to the user."""


@lru_cache(maxsize=1)
def known_currencies() -> frozenset[str]:
    """ISO 4217 currencies that are legal tender somewhere today (CLDR): not gold (XAU),
    test codes (XTS, XXX) or withdrawn ones (DEM)."""
    day = date(2026, 1, 1)
    codes: set[str] = set()
    for territory in Locale("en").territories:
        if isinstance(territory, str) and len(territory) == 2 and territory.isalpha():
            codes.update(get_territory_currencies(territory, day, tender=True))
    return frozenset(codes & set(list_currencies()))


def is_currency(code: str) -> bool:
    return code in known_currencies()


def exponent(currency: str) -> int:
    return int(get_currency_precision(currency))


@dataclass(frozen=True, order=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if not is_currency(self.currency):
            raise MoneyError(f"unknown currency {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, value: str | Decimal | int, currency: str, *, allow_zero: bool = False) -> Money:
        return parse_amount(value, currency, allow_zero=allow_zero)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    def as_string(self) -> str:
        """Decimal string for the API: at least two places (design.md §5.2)."""
        places = max(2, exponent(self.currency))
        return f"{self.to_decimal():.{places}f}"

    def format(self, locale: str = "en") -> str:
        text = str(format_currency(self.to_decimal(), self.currency, locale=locale))
        # CLDR's currency spacing, which Babel leaves out: a symbol of letters is kept apart
        # from the digits ("CHF 850.00", not "CHF850.00"; "$850.00" stays as it is).
        return _LETTER_BESIDE_DIGIT.sub("\u00a0", text)

    def format_compact(self, locale: str = "en") -> str:
        """Chart ticks: "$250K" rather than "$250,000.00"."""
        return str(
            format_compact_currency(
                self.to_decimal(), self.currency, locale=locale, fraction_digits=1
            )
        )

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __str__(self) -> str:
        return f"{self.as_string()} {self.currency}"


def parse_amount(value: str | Decimal | int, currency: str, *, allow_zero: bool = False) -> Money:
    """Parse user input strictly: positive, no more decimals than the currency has."""
    currency = (currency or "").strip().upper()
    if not is_currency(currency):
        raise MoneyError(
            _("%(code)s is not an ISO 4217 currency code", code=currency)
            if currency
            else _("an empty value is not an ISO 4217 currency code")
        )
    if isinstance(value, float):
        raise MoneyError(_("amounts must be given as decimal strings, not floating point numbers"))
    if isinstance(value, Decimal):
        amount = value
    else:
        # Plain decimal notation only: digits (thousands may be grouped with commas), an
        # optional fraction, an optional sign. No exponents, NaN or infinities.
        text = str(value).strip()
        if len(text) > 64 or not AMOUNT_SYNTAX.fullmatch(text):
            raise MoneyError(_("%(value)s is not an amount", value=repr(value)))
        amount = Decimal(text.replace(",", ""))
    if not amount.is_finite():
        raise MoneyError(_("%(value)s is not an amount", value=repr(value)))
    if amount.adjusted() > MAX_DIGITS:
        raise MoneyError(_("the amount is too large"))
    places = exponent(currency)
    try:
        scaled = amount.scaleb(places)
        fractional = scaled != scaled.to_integral_value()
    except ArithmeticError:  # an exponent or a precision beyond Decimal's context
        raise MoneyError(_("%(value)s is not an amount", value=repr(value))) from None
    if fractional:
        raise MoneyError(
            _(
                "%(currency)s amounts have at most %(places)s decimal places",
                currency=currency,
                places=places,
            )
        )
    minor = int(scaled)
    if minor < 0 or (minor == 0 and not allow_zero):
        raise MoneyError(_("the amount must be greater than zero"))
    if minor > MAX_MINOR:
        raise MoneyError(_("the amount is too large"))
    return Money(minor, currency)


MAX_RATE = Decimal(1_000_000)
# A rate is stored as text next to the amounts it converted (contributions.rate is 30
# characters, deployments.fx_rate 32): twelve significant digits are more than any bank
# quotes, and the text of the smallest such rate still fits the narrower column.
MAX_RATE_DIGITS = 12
MAX_RATE_TEXT = 30


def convert(
    original: Money, rate: Any, target: str, *, field: str = "rate", stored: bool = False
) -> tuple[str, int]:
    """(the rate as text, the amount in minor units of `target`), rounding half up.

    Same currency: rate 1 and no rounding. Otherwise `rate` (target units per one unit of
    the original) must be given: a missing or silly rate is a ValidationError on `field`.
    A `stored` rate is one already on record (a pledge's): it is used as it is, since the
    limits on how a new rate is written came after some were recorded.
    """
    if original.currency == target:
        return "1", original.amount_minor
    try:
        value = Decimal(str(rate).strip())
    except (ArithmeticError, ValueError):
        raise ValidationError(
            _(
                "give the exchange rate from %(source)s to %(target)s (e.g. 1.0850)",
                source=original.currency,
                target=target,
            ),
            fields={field: "required"},
        ) from None
    if not value.is_finite() or value <= 0 or value > MAX_RATE:
        raise ValidationError(
            _("the exchange rate must be a positive number"), fields={field: "invalid"}
        )
    if stored:
        return _converted(original, value, target, field, str(rate).strip())
    digits = "".join(map(str, value.as_tuple().digits)).rstrip("0")
    if len(digits) > MAX_RATE_DIGITS:
        raise ValidationError(
            _(
                "give the exchange rate with at most %(digits)s significant digits",
                digits=MAX_RATE_DIGITS,
            ),
            fields={field: "too many digits"},
        )
    value = value.normalize()  # exact: at most twelve digits are left
    rate_text = "" if value.adjusted() < -MAX_RATE_TEXT else format(value, "f")
    if not rate_text or len(rate_text) > MAX_RATE_TEXT:
        raise ValidationError(
            _(
                "the exchange rate is too small: at most %(length)s characters"
                " in plain decimal notation",
                length=MAX_RATE_TEXT,
            ),
            fields={field: "too small"},
        )
    return _converted(original, value, target, field, rate_text)


def _converted(
    original: Money, value: Decimal, target: str, field: str, rate_text: str
) -> tuple[str, int]:
    places = exponent(target)
    try:
        converted = (original.to_decimal() * value).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    except ArithmeticError:  # a rate with more digits than Decimal's precision can carry
        raise ValidationError(
            _("the exchange rate must be a positive number"), fields={field: "invalid"}
        ) from None
    minor = int(converted.scaleb(places))
    if minor <= 0:
        raise ValidationError(_("the converted amount is zero"), fields={"amount": "too small"})
    if minor > MAX_MINOR:
        raise ValidationError(
            _("the converted amount is too large"), fields={"amount": "too large"}
        )
    return rate_text, minor
