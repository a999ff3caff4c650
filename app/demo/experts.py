"""The demo roster: experts from the five regional groups, each a user with role `expert`
and a profile kept through the roster's services (the expert fills it in, the secretariat
vets it), so the audit log and every rule hold.

Longer than ~500 lines because it is mostly data: some forty expert records, each written out
so the demo reads like real people."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app.auth import services as auth
from app.auth.models import User
from app.core.database import today, utcnow
from app.core.roles import Role
from app.demo.people import DEMO_PASSWORD
from app.experts import profiles
from app.experts.models import Expert

ROSTER_DOMAIN = "roster.example"


@dataclass(frozen=True)
class DemoExpert:
    name: str
    state: str  # nationality (ISO 3166-1 alpha-3)
    position: str
    summary: str
    years: int
    rate: str
    languages: tuple[tuple[str, str], ...]
    themes: tuple[str, ...]
    mechanisms: tuple[str, ...] = ()
    # Availability periods as (first, last) days counted from today.
    available: tuple[tuple[int, int], ...] = ((7, 120),)
    currency: str = "USD"
    # active; applied (complete, waiting for vetting); incomplete (applied, half filled in);
    # rejected; inactive (vetted, then deactivated).
    status: str = "active"
    note: str = ""
    email: str = ""

    @property
    def address(self) -> str:
        return self.email or f"{_slug(self.name)}@{ROSTER_DOMAIN}"


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z -]", "", ascii_name.lower()).split()
    return ".".join(words)


# The two demo people who sign in as experts (app/demo/people.py) get their profiles here.
MAIN_EXPERT = DemoExpert(
    "Adaeze Okafor",
    "NGA",
    "Former member of the Committee on the Rights of the Child",
    "Eighteen years on child rights and juvenile justice: drafted Nigeria's Child Rights Act"
    " regulations, led diversion pilots in three States and trained police, prosecutors and"
    " social workers across West and Southern Africa. Also advises on disability-inclusive"
    " services for children.",
    18,
    "650",
    (("en", "native"), ("ig", "native"), ("yo", "working"), ("fr", "working")),
    ("children", "administration-of-justice", "persons-disabilities", "human-rights-education"),
    ("CRC", "CRPD", "UPR"),
    ((0, 120), (150, 240)),
    email="expert@roster.example",
)
NEW_EXPERT = DemoExpert(
    "Bilal Haddad",
    "LBN",
    "Media freedom lawyer, Beirut Bar Association",
    "Defends journalists and bloggers in criminal defamation cases; trains judges on the"
    " Rabat Plan of Action and drafts press law reforms in the Arab region.",
    11,
    "500",
    (("ar", "native"), ("fr", "fluent"), ("en", "fluent")),
    ("freedom-expression", "journalists-media", "human-rights-defenders"),
    ("CCPR", "SP", "UPR"),
    ((30, 150),),
    status="applied",
    email="new.expert@roster.example",
)

EXPERTS: tuple[DemoExpert, ...] = (
    # -- African Group --------------------------------------------------------------------
    DemoExpert(
        "Kwame Mensah",
        "GHA",
        "Former member of the Committee against Torture",
        "Served two terms on the Committee against Torture; since then advises prison services"
        " on the Mandela Rules and national preventive mechanisms on their visiting methods.",
        29,
        "800",
        (("en", "native"), ("fr", "working")),
        ("torture", "persons-deprived-liberty", "liberty-security"),
        ("CAT", "SPT", "UPR"),
        ((7, 90), (120, 210)),
    ),
    DemoExpert(
        "Fatou Ndiaye",
        "SEN",
        "Director, national human rights institution",
        "Led the accreditation of Senegal's national institution to A status; coaches"
        " institutions in francophone Africa on complaints handling and the Paris Principles.",
        16,
        "550",
        (("fr", "native"), ("wo", "native"), ("en", "fluent")),
        ("national-human-rights-institutions", "women-girls", "human-rights-education"),
        ("UPR", "CEDAW"),
        ((14, 150),),
    ),
    DemoExpert(
        "Thandiwe Dlamini",
        "ZAF",
        "Judge, High Court of South Africa",
        "A judge of the High Court who sits in the children's and family divisions and trains"
        " magistrates on child-friendly justice and diversion.",
        24,
        "550",
        (("en", "fluent"), ("zu", "native")),
        ("children", "administration-of-justice", "gender-based-violence"),
        ("CRC", "CEDAW"),
        ((7, 120),),
    ),
    DemoExpert(
        "Yohannes Tesfaye",
        "ETH",
        "Professor of international law, Addis Ababa University",
        "Teaches international human rights law and has advised the African Union on"
        " ratification campaigns and on the domestication of treaties.",
        21,
        "450",
        (("am", "native"), ("en", "fluent"), ("fr", "basic")),
        ("international-instruments", "development", "nmirf"),
        ("UPR", "CESCR", "CCPR"),
        ((21, 100),),
    ),
    DemoExpert(
        "Halima Abdi",
        "KEN",
        "Senior adviser on refugee protection",
        "Fifteen years of refugee status determination and protection work in Dadaab and"
        " Kakuma; now advises governments on asylum legislation and statelessness.",
        15,
        "500",
        (("sw", "native"), ("so", "native"), ("en", "fluent"), ("ar", "working")),
        ("refugees-asylum", "stateless-persons", "migrants", "women-girls"),
        ("CMW", "CEDAW", "UPR"),
        ((10, 80), (110, 180)),
    ),
    DemoExpert(
        "Jean-Pierre Habimana",
        "RWA",
        "Former prosecutor, International Residual Mechanism for Criminal Tribunals",
        "A prosecutor for twenty years, now a consultant on transitional justice, witness"
        " protection and the documentation of grave violations.",
        22,
        "700",
        (("rw", "native"), ("fr", "fluent"), ("en", "fluent"), ("sw", "working")),
        ("conflict-transitional-justice", "accountability-impunity", "enforced-disappearances"),
        ("CED", "SP"),
        ((30, 150),),
    ),
    DemoExpert(
        "Nadia Benali",
        "TUN",
        "Lawyer and researcher on freedom of expression",
        "Drafted submissions on Tunisia's press code and trains journalists and judges on"
        " international standards on freedom of expression and assembly.",
        9,
        "400",
        (("ar", "native"), ("fr", "fluent"), ("en", "working")),
        ("freedom-expression", "journalists-media", "freedom-assembly-association"),
        ("CCPR", "SP"),
        ((14, 120),),
    ),
    DemoExpert(
        "Samuel Okello",
        "UGA",
        "Former commissioner, Uganda Human Rights Commission",
        "Set up the Commission's regional offices and its tribunal; works on land rights,"
        " rural poverty and the rights of older persons.",
        27,
        "450",
        (("en", "fluent"), ("lg", "native"), ("sw", "working")),
        ("national-human-rights-institutions", "rural-populations", "older-persons", "housing"),
        ("UPR", "CESCR"),
        ((7, 60), (90, 200)),
    ),
    # -- Asia-Pacific Group ----------------------------------------------------------------------
    DemoExpert(
        "Priya Raghavan",
        "IND",
        "Senior advocate, Supreme Court of India",
        "Argues juvenile justice and child marriage cases before the Supreme Court and has"
        " trained juvenile justice boards in six States.",
        19,
        "600",
        (("en", "fluent"), ("hi", "fluent"), ("ta", "native")),
        ("children", "administration-of-justice", "women-girls"),
        ("CRC", "CEDAW", "UPR"),
        ((0, 60), (90, 180)),
    ),
    DemoExpert(
        "Nguyễn Thị Lan",
        "VNM",
        "Researcher on gender equality and social protection",
        "Designs gender-responsive social protection schemes and has supported CEDAW"
        " reporting in South-East Asia.",
        12,
        "380",
        (("vi", "native"), ("en", "fluent")),
        ("women-girls", "social-security", "poverty"),
        ("CEDAW", "CESCR"),
        ((21, 140),),
    ),
    DemoExpert(
        "Hiroshi Tanaka",
        "JPN",
        "Professor of international law, Kyoto University",
        "Writes on the death penalty and fair trial; former adviser to Japan's delegation"
        " before the Human Rights Committee.",
        33,
        "900",
        (("ja", "native"), ("en", "fluent"), ("fr", "working")),
        ("death-penalty", "administration-of-justice", "right-to-life"),
        ("CCPR", "UPR"),
        ((60, 180),),
        status="inactive",
        note="Elected to a treaty body: taking no missions during the term of office.",
    ),
    DemoExpert(
        "Siti Rahmawati",
        "IDN",
        "Director, national disability rights commission",
        "Built Indonesia's national disability commission and led accessibility audits of"
        " emergency shelters after the Sulawesi earthquake.",
        14,
        "480",
        (("id", "native"), ("en", "fluent")),
        ("persons-disabilities", "environment-climate", "equality-non-discrimination"),
        ("CRPD", "UPR"),
        ((20, 110),),
    ),
    DemoExpert(
        "Farhan Qureshi",
        "PAK",
        "Advocate, High Court; counter-terrorism and fair trial",
        "Defends terrorism suspects before special courts and trains investigators on"
        " human rights-compliant interrogation.",
        13,
        "420",
        (("ur", "native"), ("en", "fluent"), ("pa", "native")),
        ("counter-terrorism", "administration-of-justice", "torture"),
        ("CCPR", "CAT"),
        ((14, 90),),
    ),
    DemoExpert(
        "Leilani Tavita",
        "WSM",
        "Disability rights adviser, Pacific Disability Forum",
        "Works with organisations of persons with disabilities across the Pacific on"
        " inclusive disaster preparedness and accessible evacuation centres.",
        10,
        "500",
        (("sm", "native"), ("en", "fluent")),
        ("persons-disabilities", "environment-climate", "women-girls"),
        ("CRPD",),
        ((0, 75),),
    ),
    DemoExpert(
        "Omar Al-Khatib",
        "JOR",
        "Former judge, Court of Cassation",
        "A judge for two decades, now trains judges and prosecutors in the Arab region on"
        " fair trial guarantees and alternatives to detention.",
        31,
        "650",
        (("ar", "native"), ("en", "fluent")),
        ("administration-of-justice", "persons-deprived-liberty", "liberty-security"),
        ("CCPR", "CAT", "UPR"),
        ((30, 150),),
    ),
    DemoExpert(
        "Ramon Dela Cruz",
        "PHL",
        "Adviser on indigenous peoples' land rights",
        "Supported the mapping of ancestral domains in Mindanao and the free, prior and"
        " informed consent procedures of extractive projects.",
        8,
        "360",
        (("tl", "native"), ("en", "fluent"), ("es", "basic")),
        ("indigenous-peoples", "business-human-rights", "environment-climate"),
        ("CERD", "SP"),
        ((21, 130),),
        status="applied",
    ),
    # -- Eastern European Group ------------------------------------------------------------------
    DemoExpert(
        "Olena Kovalenko",
        "UKR",
        "Former deputy ombudsperson",
        "Ran the ombudsperson's monitoring of places of detention and of the rights of"
        " internally displaced persons.",
        17,
        "550",
        (("uk", "native"), ("ru", "fluent"), ("en", "fluent")),
        ("internally-displaced", "persons-deprived-liberty", "national-human-rights-institutions"),
        ("SPT", "CAT", "UPR"),
        ((14, 100),),
    ),
    DemoExpert(
        "Marek Nowak",
        "POL",
        "Professor of international law, University of Warsaw",
        "Teaches the European and UN human rights systems and advises on national mechanisms"
        " for reporting and follow-up.",
        25,
        "700",
        (("pl", "native"), ("en", "fluent"), ("de", "working"), ("ru", "working")),
        ("nmirf", "international-instruments", "privacy"),
        ("UPR", "CCPR"),
        ((30, 120),),
    ),
    DemoExpert(
        "Nino Beridze",
        "GEO",
        "Head of the gender equality department, Public Defender's Office",
        "Designed Georgia's referral mechanism for survivors of domestic violence and trains"
        " police on risk assessment.",
        11,
        "420",
        (("ka", "native"), ("en", "fluent"), ("ru", "fluent")),
        ("gender-based-violence", "women-girls", "lgbti"),
        ("CEDAW", "UPR"),
        ((7, 90), (120, 200)),
    ),
    DemoExpert(
        "Dragan Petrović",
        "SRB",
        "Former judge, Constitutional Court",
        "Sat on the Constitutional Court for nine years; advises on judicial independence,"
        " war crimes trials and the search for missing persons.",
        35,
        "750",
        (("sr", "native"), ("en", "fluent"), ("de", "basic")),
        ("conflict-transitional-justice", "enforced-disappearances", "administration-of-justice"),
        ("CED", "CCPR"),
        ((45, 160),),
    ),
    DemoExpert(
        "Eszter Tóth",
        "HUN",
        "Roma rights advocate and educator",
        "Runs desegregation programmes in schools and trains teachers and local officials on"
        " racial discrimination against Roma.",
        12,
        "450",
        (("hu", "native"), ("en", "fluent"), ("ro", "working")),
        ("minorities", "racial-discrimination", "education"),
        ("CERD", "UPR"),
        ((14, 120),),
    ),
    DemoExpert(
        "Armen Grigoryan",
        "ARM",
        "Lawyer, detention monitoring",
        "Five years of visits to police stations and psychiatric institutions with a"
        " public monitoring group.",
        5,
        "350",
        (("hy", "native"), ("ru", "fluent"), ("en", "working")),
        ("persons-deprived-liberty", "torture"),
        ("SPT",),
        ((14, 90),),
        status="rejected",
        note="Your references could not be confirmed yet. We would welcome the application"
        " again with two referees from your monitoring work.",
    ),
    # -- Latin American and Caribbean Group --------------------------------------------------------
    DemoExpert(
        "Carmen Quispe Mamani",
        "BOL",
        "Indigenous rights adviser, former vice-minister",
        "Led Bolivia's consultation of indigenous peoples on the new mining law and trains"
        " officials on intercultural justice.",
        20,
        "500",
        (("es", "native"), ("qu", "native"), ("ay", "fluent"), ("en", "working")),
        ("indigenous-peoples", "rural-populations", "women-girls"),
        ("CERD", "SP", "UPR"),
        ((21, 120),),
    ),
    DemoExpert(
        "Rafael Mendoza Ortiz",
        "MEX",
        "Former member of the Committee on Enforced Disappearances",
        "Built Mexico's national search commission's protocols and trains forensic teams and"
        " prosecutors on the search for disappeared persons.",
        28,
        "850",
        (("es", "native"), ("en", "fluent"), ("fr", "basic")),
        ("enforced-disappearances", "accountability-impunity", "migrants"),
        ("CED", "CCPR", "CMW"),
        ((30, 180),),
    ),
    DemoExpert(
        "Juliana Ferreira Santos",
        "BRA",
        "Public defender, State of São Paulo",
        "Coordinates the public defender's prison unit and its litigation on overcrowding;"
        " trains defenders on custody hearings.",
        14,
        "550",
        (("pt", "native"), ("es", "fluent"), ("en", "working")),
        ("persons-deprived-liberty", "administration-of-justice", "people-african-descent"),
        ("SPT", "CAT", "CERD"),
        ((7, 100),),
    ),
    DemoExpert(
        "Gabriel Rojas Castaño",
        "COL",
        "Transitional justice consultant",
        "Worked for the Special Jurisdiction for Peace on victims' participation.",
        7,
        "400",
        (),
        (),
        status="incomplete",
    ),
    DemoExpert(
        "Keisha Thompson",
        "TTO",
        "Children's authority lawyer",
        "Represents children in care proceedings and drafted the Caribbean model protocol on"
        " hearing children in family courts.",
        12,
        "450",
        (("en", "native"), ("es", "working")),
        ("children", "administration-of-justice", "gender-based-violence"),
        ("CRC",),
        ((0, 90),),
    ),
    DemoExpert(
        "Marie-Claude Joseph",
        "HTI",
        "Director, civil registration reform programme",
        "Led mobile birth registration campaigns after the 2010 earthquake and advises on"
        " statelessness prevention in the Caribbean.",
        16,
        "420",
        (("fr", "fluent"), ("ht", "native"), ("en", "working"), ("es", "working")),
        ("stateless-persons", "children", "data-statistics"),
        ("CRC", "UPR"),
        ((14, 150),),
    ),
    DemoExpert(
        "Sebastián Vidal",
        "ARG",
        "Professor of constitutional law, University of Buenos Aires",
        "Advises legislatures on the incorporation of treaties and on economic, social and"
        " cultural rights in budgets.",
        23,
        "600",
        (("es", "native"), ("en", "fluent"), ("pt", "working"), ("it", "basic")),
        ("international-instruments", "housing", "health", "water-sanitation"),
        ("CESCR", "UPR"),
        ((30, 150),),
    ),
    # -- Western European and Others Group ---------------------------------------------------------
    DemoExpert(
        "Claire Dubois",
        "FRA",
        "Former member of the Subcommittee on Prevention of Torture",
        "Four years on the Subcommittee; coaches newly designated national preventive"
        " mechanisms on visiting methodology and follow-up.",
        26,
        "750",
        (("fr", "native"), ("en", "fluent"), ("es", "working")),
        ("torture", "persons-deprived-liberty", "national-human-rights-institutions"),
        ("SPT", "CAT"),
        ((21, 120),),
        currency="EUR",
    ),
    DemoExpert(
        "Lukas Brunner",
        "CHE",
        "Senior adviser, business and human rights",
        "Advises States on national action plans on business and human rights and on"
        " mandatory due diligence legislation.",
        15,
        "850",
        (("de", "native"), ("fr", "fluent"), ("en", "fluent"), ("it", "working")),
        ("business-human-rights", "environment-climate", "work"),
        ("SP", "CESCR"),
        ((30, 140),),
        currency="CHF",
    ),
    DemoExpert(
        "Sofia Lindqvist",
        "SWE",
        "Accessibility and inclusion consultant",
        "A wheelchair user and former adviser to Sweden's civil contingencies agency on"
        " accessible emergency warnings and evacuation plans.",
        13,
        "650",
        (("sv", "native"), ("en", "fluent")),
        ("persons-disabilities", "environment-climate", "equality-non-discrimination"),
        ("CRPD",),
        ((0, 45), (100, 160)),
        currency="EUR",
    ),
    DemoExpert(
        "Michael O'Connor",
        "IRL",
        "Professor of human rights law, University of Galway",
        "Works on youth justice and diversion; advised Ireland's youth diversion programme"
        " and several Commonwealth States on juvenile justice reform.",
        22,
        "700",
        (("en", "native"), ("ga", "fluent"), ("fr", "working")),
        ("children", "administration-of-justice", "youth"),
        ("CRC", "CCPR"),
        ((10, 100),),
        currency="EUR",
    ),
    DemoExpert(
        "Elena García Morales",
        "ESP",
        "Former prosecutor for violence against women",
        "Set up Spain's specialised prosecution of gender-based violence; trains prosecutors"
        " and judges in Latin America.",
        24,
        "600",
        (("es", "native"), ("en", "fluent"), ("pt", "working")),
        ("gender-based-violence", "women-girls", "human-trafficking"),
        ("CEDAW", "UPR"),
        ((14, 130),),
        currency="EUR",
    ),
    DemoExpert(
        "Aisha Rahman",
        "CAN",
        "Human rights data specialist",
        "Builds human rights indicator frameworks and recommendation-tracking databases with"
        " national statistics offices and NMIRFs.",
        10,
        "650",
        (("en", "native"), ("fr", "fluent"), ("bn", "fluent"), ("ar", "basic")),
        ("data-statistics", "nmirf", "development"),
        ("UPR",),
        ((7, 150),),
    ),
    DemoExpert(
        "Tane Walker",
        "NZL",
        "Adviser on indigenous rights and climate adaptation",
        "Works with Māori and Pacific communities on climate-related relocation and on"
        " indigenous participation in adaptation planning.",
        9,
        "550",
        (("en", "native"), ("mi", "fluent")),
        ("indigenous-peoples", "environment-climate", "internally-displaced"),
        ("SP", "CERD"),
        ((21, 120),),
    ),
)


def _shared_password_hash() -> str:
    """The demo password, hashed once for the whole roster: scrypt costs a tenth of a second
    a user, and three dozen of them would make the demo slow."""
    return auth.hash_password(DEMO_PASSWORD)


def _user(session: Session, spec: DemoExpert, password_hash: list[str]) -> User:
    user = auth.find_user_by_email(session, spec.address)
    if user is not None:
        return user
    user = auth.create_user(
        session,
        email=spec.address,
        role=Role.EXPERT,
        name=spec.name,
        state_iso3=spec.state,
        vetted=False,  # the secretariat's vetting marks the user vetted
    )
    if not password_hash:
        password_hash.append(_shared_password_hash())
    user.password_hash = password_hash[0]
    user.password_changed_at = utcnow()
    return user


def _fill_in(session: Session, staff: User, user: User, spec: DemoExpert) -> Expert:
    """The expert writes its profile; the secretariat then vets it as `spec.status` says."""
    profile = profiles.own_profile(session, user)
    day = today()
    if spec.status == "incomplete":
        changes = profiles.ProfileChanges(current_position=spec.position, summary=spec.summary)
    else:
        changes = profiles.ProfileChanges(
            current_position=spec.position,
            summary=spec.summary,
            years_experience=spec.years,
            daily_rate=spec.rate,
            currency=spec.currency,
            languages=list(spec.languages),
            themes=list(spec.themes),
            mechanisms=list(spec.mechanisms),
            availability=[
                (day + timedelta(days=first), day + timedelta(days=last))
                for first, last in spec.available
            ],
        )
    profiles.update_profile(session, user, profile, changes)
    if spec.status in ("active", "inactive"):
        profiles.vet(session, staff, profile, "active", "References and CV checked.")
    if spec.status == "inactive":
        profiles.set_active(session, staff, profile, False, spec.note)
    if spec.status == "rejected":
        profiles.vet(session, staff, profile, "rejected", spec.note)
    return profile


def ensure_expert(session: Session, staff: User, spec: DemoExpert) -> Expert:
    """One roster expert's profile (made once), its availability counted from today."""
    user = _user(session, spec, [])
    return profiles.profile_of(session, user) or _fill_in(session, staff, user, spec)


def ensure_experts(session: Session, people: dict[str, User]) -> dict[str, Expert]:
    """Every demo expert's profile by e-mail; a profile that exists is left as it is."""
    staff = people["secretariat"]
    password_hash: list[str] = []
    result: dict[str, Expert] = {}
    for key, spec in (("expert", MAIN_EXPERT), ("expert_unvetted", NEW_EXPERT)):
        user = people[key]
        result[spec.address] = profiles.profile_of(session, user) or _fill_in(
            session, staff, user, spec
        )
    for spec in EXPERTS:
        user = _user(session, spec, password_hash)
        result[spec.address] = profiles.profile_of(session, user) or _fill_in(
            session, staff, user, spec
        )
    return result
