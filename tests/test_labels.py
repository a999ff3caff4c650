"""Every status, kind and role is a LabelledEnum (app/core/labels.py): a stored code, a label
a reader sees in its language, and a tone for the pages."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

import app as application
from app.core.labels import TONES, LabelledEnum
from app.grants.models import DisbursementStatus, GrantStatus


def every_labelled_enum() -> list[type[LabelledEnum]]:
    assert application.create_app  # every package is imported with the factory
    return LabelledEnum.__subclasses__()


def test_every_member_has_a_label_of_its_own_and_a_known_tone():
    enums = every_labelled_enum()
    assert len(enums) >= 20
    for enum in enums:
        for member in enum:
            # A translation, read when shown: not the bare code, nor text fixed in English.
            assert not isinstance(member._label, str), f"{enum.__name__}.{member.name}"
            assert member.tone in TONES


def test_the_code_is_stored_and_the_label_is_read_in_the_readers_language(app):
    assert GrantStatus("awaiting_funds") is GrantStatus.AWAITING_FUNDS
    assert str(GrantStatus.ACTIVE) == "active" and GrantStatus.ACTIVE.tone == "ok"
    with app.test_request_context():
        assert GrantStatus.AWAITING_FUNDS.label == "awaiting funds"
        with force_locale("fr"):
            assert DisbursementStatus.CANCELLED.label == "annulé"  # un décaissement


def test_a_tone_the_pages_do_not_know_is_refused():
    with pytest.raises(ValueError, match="tone 'loud'"):

        class Noise(LabelledEnum):
            LOUD = "loud", "very loud", "loud"
