from collections import Counter

from sqlalchemy import func, select

from app.core.roles import Region
from app.extensions import db
from app.reference import services as reference
from app.reference.models import Mechanism, Sdg, SdgTarget, SpecialProcedure, State, Theme
from tests.factories import bearer


def test_all_un_member_and_observer_states_are_loaded():
    states = reference.states(db.session())
    assert len(states) == 195
    assert sum(s.member for s in states) == 193
    assert {s.iso3 for s in states if not s.member} == {"VAT", "PSE"}
    assert len({s.iso3 for s in states}) == 195
    assert all(len(s.iso3) == 3 and s.iso3.isupper() for s in states)


def test_every_state_has_exactly_one_regional_group():
    rows = db.session.execute(select(State.iso3, State.region)).all()
    assert all(region in set(Region) for _iso3, region in rows)
    assert len(rows) == len({iso3 for iso3, _ in rows})
    members = Counter(
        s.region for s in db.session.execute(select(State).where(State.member)).scalars()
    )
    assert members == {
        Region.AFRICAN: 54,
        Region.ASIA_PACIFIC: 54,
        Region.EASTERN_EUROPEAN: 23,
        Region.GRULAC: 33,
        Region.WEOG: 29,
    }


def test_development_flags_follow_m49():
    count = lambda flag: db.session.execute(  # noqa: E731
        select(func.count()).select_from(State).where(flag.is_(True))
    ).scalar_one()
    assert count(State.ldc) == 44
    assert count(State.lldc) == 32
    assert count(State.sids) == 37
    fiji = db.session.get(State, "FJI")
    malawi = db.session.get(State, "MWI")
    haiti = db.session.get(State, "HTI")
    assert fiji.flags == ["SIDS"]
    assert malawi.flags == ["LDC", "LLDC"]
    assert haiti.flags == ["LDC", "SIDS"]


def test_mechanisms_themes_and_sdgs():
    codes = {m.code: m.kind for m in db.session.execute(select(Mechanism)).scalars()}
    assert codes.pop("UPR") == "upr"
    assert codes.pop("SP") == "special_procedures"
    assert sorted(codes) == sorted(
        [
            "CERD",
            "CESCR",
            "CCPR",
            "CEDAW",
            "CAT",
            "SPT",
            "CRC",
            "CRC-OP-AC",
            "CRC-OP-SC",
            "CMW",
            "CRPD",
            "CED",
        ]
    )
    assert set(codes.values()) == {"treaty_body"}
    sdgs = db.session.execute(select(Sdg.number).order_by(Sdg.number)).scalars().all()
    assert sdgs == list(range(1, 18))
    kinds = Counter(t.kind for t in db.session.execute(select(Theme)).scalars())
    assert kinds["theme"] >= 30 and kinds["group"] >= 15


def test_the_169_sdg_targets_each_under_its_goal():
    targets = db.session.execute(select(SdgTarget)).scalars().all()
    assert len(targets) == 169
    per_goal = Counter(t.goal for t in targets)
    assert per_goal[17] == 19 and per_goal[16] == 12 and per_goal[1] == 7
    assert sorted(per_goal) == list(range(1, 18))
    assert all(t.target.split(".")[0] == str(t.goal) and t.name for t in targets)
    assert db.session.get(SdgTarget, "16.3").goal == 16
    assert db.session.get(SdgTarget, "1.a") is not None


def test_special_procedure_mandates_are_bodies_of_their_own():
    mandates = db.session.execute(select(SpecialProcedure)).scalars().all()
    assert len(mandates) >= 10
    assert all(m.code and m.name and m.uhri_prefix[:2] in ("SR", "IE", "WG") for m in mandates)
    # the family stays, for requests typed before the mandates were listed
    assert db.session.get(Mechanism, "SP").kind == "special_procedures"


def test_languages_are_iso_639_1():
    languages = reference.languages()
    assert languages["fr"] == "French" and languages["ar"] == "Arabic"
    assert all(len(code) == 2 for code in languages)


def test_reference_api(client, factory):
    token = factory.token(factory.user("donor"))
    body = client.get("/api/v1/reference", headers=bearer(token)).get_json()
    assert len(body["states"]) == 195
    fiji = next(s for s in body["states"] if s["iso3"] == "FJI")
    assert fiji == {
        "iso3": "FJI",
        "name": "Fiji",
        "region": "asia_pacific",
        "ldc": False,
        "lldc": False,
        "sids": True,
    }
    assert {"code", "name"} <= set(body["themes"][0])
    assert len(body["mechanisms"]) == 14
    assert body["sdgs"][0] == {"number": 1, "name": "No poverty"}
