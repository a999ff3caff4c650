"""French and Spanish: pages and mail in the chosen language, catalogs complete and up to date.

The catalogs live in translations/<lang>/LC_MESSAGES/messages.po (README.md, "Translations").
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from app.committee.models import BallotOutcome
from app.core import i18n
from app.core.mail import OutboxMessage
from app.experts.models import ExpertStatus
from app.extensions import db
from app.grants.models import GrantStatus
from app.reference import services as reference
from app.reference.models import State
from tests import builders
from tests.factories import login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("fr", "es")
HOW_TO_UPDATE = (
    "run `make translations-update`, translate the new (empty) entries in "
    "translations/fr/LC_MESSAGES/messages.po and translations/es/LC_MESSAGES/messages.po, "
    "then `make translations` (README.md, 'Translations')"
)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace (non-breaking too) collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


# -- pages ---------------------------------------------------------------------------------------

PAGES = {
    "fr": {
        "sign_in": ("Se connecter", "Mot de passe", "Mot de passe oublié ?"),
        "home": (
            "Examen périodique universel",
            "Fonctionnement du Fonds",
            "organes conventionnels",
        ),
        "dashboard": ("Vos dons", "Vos contributions", "Se déconnecter"),
    },
    "es": {
        "sign_in": ("Iniciar sesión", "Contraseña", "¿Ha olvidado su contraseña?"),
        "home": ("Examen Periódico Universal", "Cómo funciona el Fondo", "órganos de tratados"),
        "dashboard": ("Sus donaciones", "Sus contribuciones", "Cerrar sesión"),
    },
}


@pytest.mark.parametrize("locale", LOCALES)
def test_sign_in_page_follows_the_browser_language(client, locale):
    response = client.get("/login", headers={"Accept-Language": f"{locale},en;q=0.5"})
    assert response.status_code == 200
    assert f'<html lang="{locale}">' in response.get_data(as_text=True)
    page = text_of(response)
    for expected in PAGES[locale]["sign_in"]:
        assert expected in page
    assert "Forgot your password?" not in page


@pytest.mark.parametrize("locale", LOCALES)
def test_language_switcher_sets_the_language_of_the_public_home(client, locale):
    assert "Universal Periodic Review" in text_of(client.get("/"))
    response = client.post("/language", data={"lang": locale, "next": "/"})
    assert response.status_code == 302
    page = text_of(client.get("/"))
    for expected in PAGES[locale]["home"]:
        assert expected in page
    assert "How the fund works" not in page


@pytest.mark.parametrize("locale", LOCALES)
def test_dashboard_is_in_the_users_language(client, factory, locale):
    donor = factory.user("donor", locale=locale)
    login(client, donor)
    # The account's language wins over the browser's.
    response = client.get("/dashboard", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = text_of(response)
    for expected in PAGES[locale]["dashboard"]:
        assert expected in page


def test_labels_agree_with_the_noun_they_describe(app):
    with app.test_request_context(), force_locale("fr"):
        assert GrantStatus.ACTIVE.label == "active"  # une subvention
        assert ExpertStatus.ACTIVE.label == "actif"  # un expert
        assert BallotOutcome.DEFERRED.label == "report"  # never the code ("deferred")
        assert State(iso3="HTI", name="Haiti", ldc=True, lldc=False, sids=True).flags == [
            "PMA",
            "PEID",
        ]
        assert reference.languages()["en"] == "anglais"  # CLDR names in the page's language
    with app.test_request_context(), force_locale("es"):
        assert GrantStatus.ACTIVE.label == "activa"
        assert reference.languages()["fr"] == "francés"
    with app.test_request_context():
        assert reference.languages()["fr"] == "French"


# -- mail ------------------------------------------------------------------------------------------

RETURNED_MAIL = {
    "fr": (
        "Votre demande {ref} doit être modifiée",
        "Bonjour",
        "Le secrétariat a lu votre demande",
    ),
    "es": (
        "Su solicitud {ref} requiere modificaciones",
        "Estimado(a)",
        "La secretaría ha leído su solicitud",
    ),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_returned_application_mail_is_in_the_applicants_language(client, factory, locale):
    applicant = factory.user("applicant", state="FJI", locale=locale)
    staff = factory.user("secretariat", locale="en")
    application = builders.application(applicant, "submitted")
    login(client, staff)
    response = client.post(
        f"/applications/{application.id}/screen",
        data={"outcome": "returned", "note": "Add a second indicator."},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Screening recorded" in text_of(response)  # the secretariat still reads English
    (message,) = (
        db.session.execute(
            select(OutboxMessage).where(
                OutboxMessage.kind == "application_returned",
                OutboxMessage.to_user_id == applicant.id,
            )
        )
        .scalars()
        .all()
    )
    subject, greeting, sentence = RETURNED_MAIL[locale]
    assert message.locale == locale
    assert message.subject == subject.format(ref=application.reference)
    assert message.body.startswith(greeting)
    assert sentence in message.body and "Add a second indicator." in message.body
    assert "The secretariat has read" not in message.body
    assert "Do not reply" not in message.body  # the footer is translated too


# -- the catalogs ----------------------------------------------------------------------------------

PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %(name)s, %(avg).1f
    r"|%%|%[sdif]"  # a literal percent in a template; positional %s
    r"|\{[A-Za-z_0-9]*\}"  # str.format fields
    r"|<[^>]+>"  # HTML tags, with their attributes
)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def forms(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: a plural's first form answers the singular msgid."""
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(message.id[0] if i == 0 else message.id[1], s) for i, s in enumerate(strings)]
    return [(message.id, message.string)]


def catalog_problems(catalog: Catalog) -> list[str]:
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        for source, translation in forms(message):
            if not translation:
                problems.append(f"untranslated: {source!r}")
            elif placeholders(source) != placeholders(translation):
                problems.append(
                    f"placeholders differ: {source!r} has {sorted(placeholders(source))}, "
                    f"{translation!r} has {sorted(placeholders(translation))}"
                )
    for message, errors in catalog.check():  # babel's own python-format checks
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    return problems


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_keeps_the_placeholders(locale):
    catalog = read_catalog(po_path(locale), locale)
    assert catalog.num_plurals == len(next(m for m in catalog if m.pluralizable).string)
    problems = catalog_problems(catalog)
    assert not problems, f"{locale}: {len(problems)} problems:\n" + "\n".join(problems[:40])


def test_catalog_check_catches_a_lost_placeholder_and_an_untranslated_entry():
    catalog = Catalog(locale="fr")
    catalog.add("Welcome, %(name)s.", "Bienvenue.")
    catalog.add('<a href="%(url)s">Join</a>', '<a href="%(url)s">Rejoindre</a>')
    catalog.add("Sign in", "")
    problems = catalog_problems(catalog)
    assert len(problems) == 2
    assert "placeholders differ" in problems[0] and "untranslated" in problems[1]


def babel_keywords() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^BABEL_EXTRACT := (.+)$", makefile, re.MULTILINE)
    assert match, "Makefile defines BABEL_EXTRACT"
    return match.group(1).split()


def msgids(catalog: Catalog) -> set[tuple[str | None, str | tuple[str, ...]]]:
    return {(m.context, m.id) for m in catalog if m.id}


def label(key: tuple[str | None, str | tuple[str, ...]]) -> str:
    context, msgid = key
    text = msgid if isinstance(msgid, str) else msgid[0]
    return f"{text!r} (context {context!r})" if context else repr(text)


def test_catalogs_are_up_to_date_with_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", *babel_keywords(), "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    in_code = msgids(read_catalog(pot))
    assert len(in_code) > 1000
    committed = msgids(read_catalog(TRANSLATIONS / "messages.pot"))
    new, gone = sorted(map(label, in_code - committed)), sorted(map(label, committed - in_code))
    assert not new and not gone, (
        f"translations/messages.pot is out of date with the code: {len(new)} new strings "
        f"{new[:10]}, {len(gone)} no longer used {gone[:10]}. To update: {HOW_TO_UPDATE}."
    )
    for locale in LOCALES:
        in_po = msgids(read_catalog(po_path(locale), locale))
        assert in_po == committed, (
            f"translations/{locale} does not match messages.pot: {HOW_TO_UPDATE}."
        )


def test_stale_compiled_catalogs_are_rebuilt(tmp_path):
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(po_path("fr").read_bytes())
    assert i18n.stale_catalogs(tmp_path) == [po]
    (mo,) = i18n.compile_catalogs(tmp_path)
    assert mo == po.with_suffix(".mo") and mo.stat().st_size > 10_000
    assert i18n.stale_catalogs(tmp_path) == [] and i18n.compile_catalogs(tmp_path) == []
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert i18n.stale_catalogs(tmp_path) == [po]
    assert {p.name for p in po.parent.iterdir()} == {"messages.po", "messages.mo"}  # no temp file


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("fr", "La demande n'est pas complète"), ("es", "La solicitud no está completa")],
)
def test_a_services_refusal_reads_in_the_users_language(client, factory, locale, expected):
    fiji = factory.user("applicant", state="FJI", locale=locale)
    application = builders.application(fiji, consent=None)
    login(client, fiji)
    page = client.post(f"/applications/{application.id}/submit", follow_redirects=True)
    text = page.get_data(as_text=True).replace("&#39;", "'")
    assert expected in text and "The application is not complete" not in text
