from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import Money, MoneyError, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("10", "USD", 1000),
        ("10.5", "USD", 1050),
        ("0.01", "usd", 1),
        ("1,234.56", "EUR", 123456),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        (" 12 ", "USD", 1200),  # surrounding spaces are trimmed
        ("12.", "USD", 1200),
        (".5", "USD", 50),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency).amount_minor == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("0", "USD", "greater than zero"),
        ("-5", "USD", "greater than zero"),
        ("1.001", "USD", "at most 2 decimal places"),
        ("1.5", "JPY", "at most 0 decimal places"),
        ("abc", "USD", "not an amount"),
        ("NaN", "USD", "not an amount"),
        ("Infinity", "USD", "not an amount"),
        ("1e30", "USD", "not an amount"),
        # Exponents are refused before any arithmetic: Decimal would overflow on these.
        ("1E999999", "USD", "not an amount"),
        ("1E-999999", "USD", "not an amount"),
        ("-0", "USD", "greater than zero"),
        ("0.001", "USD", "at most 2 decimal places"),
        ("12,34", "USD", "not an amount"),  # a decimal comma is not a thousands separator
        ("1" + "0" * 30, "USD", "too large"),
        ("9" * 100, "USD", "not an amount"),
        ("10", "XYZ", "not an ISO 4217"),
        ("10", "XXX", "not an ISO 4217"),
        ("10", "XAU", "not an ISO 4217"),
        ("10", "DEM", "not an ISO 4217"),
        ("10", "", "not an ISO 4217"),
    ],
)
def test_parse_refuses_bad_amounts(text, currency, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(text, currency)


@pytest.mark.parametrize(
    "value", [Decimal("1E999999"), Decimal("NaN"), Decimal("-Infinity"), Decimal("1E+30")]
)
def test_huge_or_special_decimals_are_refused_without_an_arithmetic_error(value):
    with pytest.raises(MoneyError):
        parse_amount(value, "USD")


@pytest.mark.parametrize(
    "rate", ["1E999999", "1E-999999", "NaN", "-Infinity", "0." + "0" * 60 + "1"]
)
def test_silly_rates_are_a_validation_error_not_an_overflow(rate):
    from app.core.errors import ValidationError
    from app.core.money import convert

    with pytest.raises(ValidationError):
        convert(Money(10_000, "EUR"), rate, "USD")


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("0.0001234567890123456789012345678", "at most 12 significant digits"),
        ("1.0000000000000000000000000000001", "at most 12 significant digits"),
        ("0." + "0" * 29 + "1", "too small"),  # 32 characters: more than the columns hold
    ],
)
def test_rates_are_refused_beyond_what_their_columns_hold(rate, message):
    from app.core.errors import ValidationError
    from app.core.money import convert

    with pytest.raises(ValidationError, match=message):
        convert(Money(10**14, "EUR"), rate, "USD")


def test_a_rate_keeps_its_digits_and_its_text_fits_the_column():
    from app.core.money import MAX_RATE_TEXT, convert

    assert convert(Money(100, "EUR"), "1.08500000000000000000", "USD") == ("1.085", 109)
    text, minor = convert(Money(10**14, "JPY"), "0.000000000000123456789012", "USD")
    assert text == "0.000000000000123456789012" and len(text) <= MAX_RATE_TEXT and minor == 1235


def test_a_converted_amount_above_the_limit_is_refused():
    from app.core.errors import ValidationError
    from app.core.money import MAX_MINOR, convert

    assert convert(Money(MAX_MINOR // 2, "EUR"), "2", "USD")[1] == MAX_MINOR
    with pytest.raises(ValidationError, match="too large"):
        convert(Money(MAX_MINOR // 2 + 1, "EUR"), "2", "USD")


def test_floats_are_refused():
    with pytest.raises(MoneyError, match="not floating point"):
        parse_amount(10.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(10.5, "USD")  # type: ignore[arg-type]


def test_arithmetic_and_formatting():
    total = Money(1050, "USD") + Money(25, "USD")
    assert total == Money(1075, "USD")
    assert total.as_string() == "10.75"
    assert Money(500, "JPY").as_string() == "500.00"
    assert total.format("en") == "$10.75"
    assert (
        Money(123456, "EUR").format("fr").replace("\u202f", " ").replace("\xa0", " ")
        == "1 234,56 €"
    )
    with pytest.raises(MoneyError):
        Money(1, "USD") + Money(1, "EUR")


@given(
    st.integers(min_value=1, max_value=10**14), st.sampled_from(["USD", "EUR", "JPY", "KWD", "CHF"])
)
def test_string_round_trip(minor, currency):
    money = Money(minor, currency)
    assert parse_amount(money.as_string(), currency) == money
    assert parse_amount(money.to_decimal(), currency) == money
    assert isinstance(money.to_decimal(), Decimal)


def test_a_currency_symbol_of_letters_is_kept_apart_from_the_digits():
    assert Money(85000, "CHF").format("en") == "CHF\u00a0850.00"
    assert Money(85000, "USD").format("en") == "$850.00"
    assert Money(85000, "CHF").format("fr") == "850,00\u00a0CHF"
