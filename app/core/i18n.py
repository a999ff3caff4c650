"""Compiled message catalogs (.mo) kept in step with the translated ones (.po).

The .po files under translations/ are committed; the .mo files Flask-Babel reads are build
output (`make translations`, which `make run` and `make test` depend on). So that the app never
runs in English by accident when started another way (`flask run`, a bare `pytest`, a script),
`compile_catalogs()` rebuilds at start-up any .mo that is missing or older than its .po. It
writes to a temporary file and renames it, so two processes starting at once do no harm.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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
