"""Which UN document symbols each body issues: a CAT recommendation cannot carry a UPR
report's symbol.

The rule is a prefix per mechanism. The UPR's outcome is a Human Rights Council report
(`A/HRC/53/4`); each treaty body publishes under its own series (`CAT/C/IRQ/CO/2`), the
Committee on Economic, Social and Cultural Rights under the Economic and Social Council's
(`E/C.12/IRQ/CO/4`), the Subcommittee on Prevention of Torture under the Optional Protocol's
(`CAT/OP/…`), and the CRC's optional protocols under `CRC/C/OPAC/…` and `CRC/C/OPSC/…`.
Special procedures report to the Council or the General Assembly (`A/HRC/…`, `A/…`), and
before 2006 to the Commission on Human Rights (`E/CN.4/…`).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import ValidationError

SPECIAL_PROCEDURES = "SP"
SYMBOL_PREFIXES: dict[str, tuple[str, ...]] = {
    "UPR": ("A/HRC/",),
    "CAT": ("CAT/C/",),
    "SPT": ("CAT/OP/",),
    "CCPR": ("CCPR/C/",),
    "CEDAW": ("CEDAW/C/",),
    "CERD": ("CERD/C/",),
    "CESCR": ("E/C.12/",),
    "CMW": ("CMW/C/",),
    "CRC": ("CRC/C/",),
    "CRC-OP-AC": ("CRC/C/OPAC/",),
    "CRC-OP-SC": ("CRC/C/OPSC/",),
    "CRPD": ("CRPD/C/",),
    "CED": ("CED/C/",),
    SPECIAL_PROCEDURES: ("A/", "E/CN.4/"),
}
SYMBOL_LIMIT = 120


def prefixes_for(mechanism_code: str) -> tuple[str, ...]:
    # A treaty body added to the reference data later publishes as its peers do.
    return SYMBOL_PREFIXES.get(mechanism_code, (f"{mechanism_code}/C/",))


def normalise_symbol(symbol: str | None) -> str:
    return " ".join((symbol or "").split())


def symbol_fits_body(mechanism_code: str, symbol: str | None) -> bool:
    """Whether `symbol` is one the mechanism (for a special procedure mandate: `SP`) issues."""
    value = normalise_symbol(symbol).upper()
    return 0 < len(value) <= SYMBOL_LIMIT and value.startswith(prefixes_for(mechanism_code))


def check_symbol(mechanism_code: str, symbol: str | None) -> str:
    """The symbol, tidied, if it fits the body; a ValidationError naming the rule if not."""
    value = normalise_symbol(symbol)
    if not value:
        raise ValidationError(_("the document symbol is required"), fields={"symbol": "required"})
    if len(value) > SYMBOL_LIMIT:
        raise ValidationError(
            _(
                "the document symbol is too long (at most %(limit)s characters)",
                limit=SYMBOL_LIMIT,
            ),
            fields={"symbol": "too long"},
        )
    if not symbol_fits_body(mechanism_code, value):
        raise ValidationError(
            _(
                "%(symbol)s is not a document symbol of %(body)s: its symbols begin with"
                " %(prefixes)s",
                symbol=value,
                body=mechanism_code,
                prefixes=" / ".join(prefixes_for(mechanism_code)),
            ),
            fields={"symbol": "does not fit the body"},
        )
    return value
