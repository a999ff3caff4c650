"""Compiled message catalogs (.mo) kept in step with the translated ones (.po).

The .po files under translations/ are committed; the .mo files Flask-Babel reads are build
output (`make translations`, which `make run` and `make test` depend on). So that the app never
runs in English by accident when started another way (`flask run`, a bare `pytest`, a script),
`compile_catalogs()` rebuilds at start-up any .mo that is missing or older than its .po. It
writes to a temporary file and renames it, so two processes starting at once do no harm.

`status_word()` and `money_text()` put a status or an amount into a translated message (a
service's error) in the reader's language, and exactly as the English message always did.
"""

from __future__ import annotations

import logging
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_locale

if TYPE_CHECKING:
    from app.core.money import Money

log = logging.getLogger(__name__)


def stale_catalogs(directory: Path) -> list[Path]:
    """The .po files under `directory` whose .mo is missing or older."""
    stale = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_catalogs(directory: Path) -> list[Path]:
    """Compile every stale catalog under `directory`; return the .mo files written."""
    written = []
    for po in stale_catalogs(directory):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        try:
            fd, tmp = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo")
        except OSError as error:  # a read-only install: it must ship compiled catalogs
            log.warning("cannot compile %s (%s): that language falls back to English", po, error)
            continue
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(tmp, mo)
        finally:
            Path(tmp).unlink(missing_ok=True)
        written.append(mo)
    return written


def message_locale() -> str:
    """The locale messages are written in now: the request's, else the default (the CLI and
    jobs), else English (outside any application context)."""
    return str(get_locale() or "en")


def status_word(status: StrEnum) -> str:
    """A status (or a role) named in a message. English messages name it by its code ("this
    one is awaiting_funds"), as they always have: API clients and tests read them. French and
    Spanish ones by its label, which agrees with the noun it describes."""
    if message_locale().split("_")[0] == "en":
        return status.value
    return str(getattr(status, "label", status.value))


def money_text(money: Money) -> str:
    """An amount in a message, formatted for the reader's language ("$1,000.00" in English)."""
    return money.format(message_locale())
