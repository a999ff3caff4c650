"""Whole numbers from outside (query strings, cookies, metadata): ASCII digits, bounded."""

import pytest

from app.core.numbers import MAX_BIGINT, whole_number
from app.core.web import int_arg


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(MAX_BIGINT), MAX_BIGINT),
        (str(MAX_BIGINT + 1), None),
        ("9" * 5000, None),  # int() itself refuses past 4,300 digits
        ("0" * 5000 + "5", 5),
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("١٢", None),  # Arabic-Indic digits: int() reads them, ids are ASCII
        (" 12", None),
        ("+12", None),
        ("-12", None),
        ("1_000", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (12, 12),
    ],
)
def test_whole_number(value, expected):
    assert whole_number(value) == expected


def test_a_bound_and_a_clamp():
    assert whole_number("2025", maximum=9999) == 2025
    assert whole_number("10000", maximum=9999) is None
    assert whole_number("10000", maximum=9999, clamp=True) == 9999
    assert whole_number("²", maximum=9999, clamp=True) is None


def test_int_arg_falls_back_to_its_default():
    assert int_arg("5") == 5
    assert int_arg("²", 3) == 3
    assert int_arg(str(2**63), 3) == 3
    assert int_arg(None) == 0
