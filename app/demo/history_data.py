"""What the demo's history says: four requests funded over the last two years, what the
States wrote in their reports, the expert who went on mission, and the success story.
`app/demo/history.py` plays it out at the right dates."""

from __future__ import annotations

from dataclasses import dataclass

from app.applications.specs import BudgetLineSpec, ExpertiseSpec, IndicatorSpec, RecommendationSpec
from app.demo.applications import DemoRequest
from app.demo.experts import DemoExpert
from app.deployments.services import MissionReport

# -- the requests ------------------------------------------------------------------------------------

JAMAICA_LOCKUPS = DemoRequest(
    "applicant_jam",
    "Inspection standards for police lock-ups",
    "Standards, a checklist and trained inspectors for the regular, independent inspection of"
    " police lock-ups.",
    "Every police lock-up is inspected against published standards at least once a year.",
    "Drafting of inspection standards with the Constabulary Force; training of 30 inspectors;"
    " a pilot round of inspections in 14 lock-ups; a public report.",
    ["torture", "persons-deprived-liberty"],
    [16],
    [
        RecommendationSpec(
            "CCPR",
            "CCPR/C/JAM/CO/4, para. 31",
            "Ensure that conditions in police lock-ups comply with the Covenant and the Nelson"
            " Mandela Rules.",
            "Human Rights Committee",
            "2016",
        ),
        RecommendationSpec(
            "UPR",
            "A/HRC/48/14, para. 101.52",
            "Ensure the regular independent inspection of all places of police custody.",
            "Denmark",
            "UPR 3rd cycle, 2021",
        ),
    ],
    [
        IndicatorSpec(
            "Police lock-ups inspected against the standards",
            "0",
            "14",
            "Lock-ups are inspected regularly",
        ),
        IndicatorSpec("Inspectors trained", "0", "30", "Lock-ups are inspected regularly"),
    ],
    [
        BudgetLineSpec("training", "Training of 30 inspectors", "9000"),
        BudgetLineSpec("publications", "Inspection standards, checklist and public report", "3000"),
        BudgetLineSpec("experts", "Expert on monitoring places of detention", "6000"),
    ],
    "Independent Commission of Investigations",
    expertise=ExpertiseSpec(["persons-deprived-liberty", "torture"], ["en"], 5),
    official=("Andre Campbell", "Permanent Secretary, Ministry of National Security"),
)

MALAWI_LEGAL_AID = DemoRequest(
    "applicant_mwi",
    "Legal aid for people held in pre-trial detention",
    "Paralegal clinics in four prisons and case reviews with the courts, so that people held"
    " beyond the legal time limits are brought before a judge.",
    "Fewer people are held in pre-trial detention beyond the legal time limits.",
    "Training of 40 paralegals; weekly clinics in four prisons; monthly case reviews with"
    " magistrates, prosecutors and the police.",
    ["administration-of-justice", "persons-deprived-liberty"],
    [16],
    [
        RecommendationSpec(
            "UPR",
            "A/HRC/46/10, para. 117.52",
            "Reduce the length of pre-trial detention and the backlog of cases.",
            "Botswana",
            "UPR 3rd cycle, 2021",
        ),
        RecommendationSpec(
            "CCPR",
            "CCPR/C/MWI/CO/1/Add.1, para. 17",
            "Guarantee access to legal aid for everyone in detention.",
            "Human Rights Committee",
            "2014",
        ),
    ],
    [
        IndicatorSpec(
            "Remand prisoners who saw a paralegal", "0", "2,400", "Detainees know their rights"
        ),
        IndicatorSpec(
            "Remand prisoners released or brought to trial after a case review",
            "0",
            "600",
            "Fewer people held beyond the time limits",
        ),
    ],
    [
        BudgetLineSpec("consultation", "Paralegal clinics in four prisons", "10000"),
        BudgetLineSpec("training", "Training of 40 paralegals", "8000"),
        BudgetLineSpec("travel", "Case reviews in the districts", "6000"),
    ],
    "Legal Aid Bureau",
    months=18,
    official=("Chikondi Banda", "Principal Secretary, Ministry of Justice"),
)

NEPAL_SIGN_LANGUAGE = DemoRequest(
    "applicant_npl",
    "Sign-language interpretation in district courts",
    "Trained court interpreters and court information in Nepali Sign Language, so that deaf"
    " people can follow and take part in proceedings.",
    "Deaf people have an interpreter in court whenever they need one.",
    "Consultations with the National Federation of the Deaf; training of 25 interpreters on"
    " court procedure; videos in Nepali Sign Language; a roster kept by the Judicial Council.",
    ["persons-disabilities", "administration-of-justice"],
    [10, 16],
    [
        RecommendationSpec(
            "CRPD",
            "CRPD/C/NPL/CO/1, para. 30",
            "Provide sign-language interpretation in all judicial proceedings.",
            "Committee on the Rights of Persons with Disabilities",
            "2018",
        )
    ],
    [
        IndicatorSpec("Court interpreters trained", "0", "25", "Interpreters in every court"),
        IndicatorSpec(
            "District courts with an interpreter on call", "2", "20", "Interpreters in every court"
        ),
    ],
    [
        BudgetLineSpec("consultation", "Consultations with organisations of deaf people", "6000"),
        BudgetLineSpec("training", "Training of 25 court interpreters", "10000"),
        BudgetLineSpec("publications", "Court information videos in sign language", "4000"),
    ],
    "Judicial Council of Nepal",
    official=("Sita Shrestha", "Secretary, Ministry of Law, Justice and Parliamentary Affairs"),
)

FIJI_CUSTODY = DemoRequest(
    "applicant_fji",
    "Safeguards in police custody",
    "Training of police officers on the use of force and the rights of people in custody, and"
    " custody registers that record every step of a detention.",
    "People in police custody are registered, informed of their rights and see a lawyer.",
    "Training of 120 officers with the Police Academy; electronic custody registers in four"
    " stations; an expert's review of the standing orders.",
    ["torture", "liberty-security"],
    [16],
    [
        RecommendationSpec(
            "UPR",
            "A/HRC/43/8, para. 98.61",
            "Train law enforcement officials on the use of force and the prohibition of torture.",
            "Australia",
            "UPR 3rd cycle, 2019",
        )
    ],
    [
        IndicatorSpec("Police officers trained", "0", "120", "Officers respect custody safeguards"),
        IndicatorSpec("Stations keeping an electronic custody register", "0", "4"),
    ],
    [
        BudgetLineSpec("training", "Training of 120 police officers", "10000"),
        BudgetLineSpec("equipment", "Electronic custody registers for four stations", "6000"),
        BudgetLineSpec("experts", "Expert on police custody safeguards", "6000"),
    ],
    "Fiji Police Force",
    expertise=ExpertiseSpec(["torture", "liberty-security"], ["en"], 4),
    official=("Mere Tuilagi", "Permanent Secretary, Ministry of Defence and National Security"),
)

# -- what the States wrote -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Writing:
    achievements: str
    challenges: str
    good_practice: str
    further_needs: str
    actuals: tuple[str, ...]  # one per indicator, in the application's order
    # (status, evidence) per linked recommendation, in the application's order
    statuses: tuple[tuple[str, str], ...]


JAMAICA_INTERIM = Writing(
    achievements="The inspection standards were drafted with the Constabulary Force and"
    " adopted by the Commission; 24 inspectors were trained and the first six lock-ups were"
    " inspected.",
    challenges="Two lock-ups could not be visited during the state of emergency in St James.",
    good_practice="Inspectors visit in pairs, one from the Commission and one from civil"
    " society, unannounced.",
    further_needs="",
    actuals=("6", "24"),
    statuses=(
        ("in_progress", "Inspection standards adopted by the Commission, June 2025"),
        ("partially_implemented", "Six unannounced inspections carried out"),
    ),
)
JAMAICA_FINAL = Writing(
    achievements="All 14 lock-ups of the pilot were inspected against the standards, 31"
    " inspectors were trained, and the first public inspection report was tabled in"
    " Parliament. Three lock-ups that failed the standards were closed for refurbishment.",
    challenges="Staff turnover at the Commission; the refurbishment budget of the Ministry.",
    good_practice="Publishing each inspection report within a month made the police act on"
    " the findings.",
    further_needs="Extend the inspections to the 40 remaining lock-ups and to juvenile"
    " correctional centres, and train the Commission's new inspectors.",
    actuals=("14", "31"),
    statuses=(
        ("implemented", "Inspection report tabled in Parliament, February 2026"),
        ("partially_implemented", "14 of 54 lock-ups inspected; the rest planned for 2027"),
    ),
)
MALAWI_INTERIM_FIRST = Writing(
    achievements="Forty paralegals were trained and clinics opened in Zomba, Maula, Mzuzu and"
    " Chichiri prisons.",
    challenges="Court files are often missing, which delays case reviews.",
    good_practice="",
    further_needs="",
    actuals=("1,150", "210"),
    statuses=(
        ("in_progress", "Monthly case reviews in the four districts"),
        ("in_progress", ""),
    ),
)
MALAWI_INTERIM = Writing(
    achievements="Forty paralegals were trained and clinics opened in Zomba, Maula, Mzuzu and"
    " Chichiri prisons; 1,150 remand prisoners saw a paralegal and 210 were released or"
    " brought to trial after a case review (Zomba 64, Maula 71, Mzuzu 38, Chichiri 37).",
    challenges="Court files are often missing, which delays case reviews.",
    good_practice="Case review meetings in the prisons themselves, with the magistrate present.",
    further_needs="",
    actuals=("1,150", "210"),
    statuses=(
        ("in_progress", "Monthly case reviews in the four districts; minutes attached"),
        ("partially_implemented", "Legal aid reaches four of the thirty prisons"),
    ),
)
MALAWI_FINAL = Writing(
    achievements="2,380 remand prisoners saw a paralegal and 540 were released or brought to"
    " trial. The Chief Justice made the case review meetings a standing practice.",
    challenges="Missing court files; transport to the districts in the rainy season.",
    good_practice="The prisons' own officers now refer remand prisoners to the clinics.",
    further_needs="Clinics in the remaining prisons, and a case-tracking system shared by"
    " the courts and the prisons.",
    actuals=("2,380", "540"),
    statuses=(
        ("partially_implemented", "Average time on remand down from 14 to 9 months"),
        ("partially_implemented", "Legal aid in four prisons; Legal Aid Bureau budget request"),
    ),
)
NEPAL_INTERIM = Writing(
    achievements="Twelve interpreters finished the court procedure course and interpreters"
    " are on call in six district courts.",
    challenges="Few interpreters outside the Kathmandu valley.",
    good_practice="Deaf trainers from the Federation teach court vocabulary.",
    further_needs="",
    actuals=("12", "6"),
    statuses=(("in_progress", "Interpreter roster kept by the Judicial Council"),),
)
NEPAL_FINAL = Writing(
    achievements="25 interpreters trained; interpreters on call in 18 district courts.",
    challenges="",
    good_practice="",
    further_needs="Interpretation in the high courts.",
    actuals=("25", "18"),
    statuses=(("partially_implemented", ""),),
)
NEPAL_REVISION = (
    "Thank you. Please describe the challenges met and say which two district courts still"
    " have no interpreter, and attach the Judicial Council's roster."
)
MALAWI_REVISION = (
    "Thank you. Please give the releases by district and describe the good practice the"
    " case reviews have shown."
)

# -- the expert, the missions and the story ----------------------------------------------------------------

# Availability is counted from the day the history starts: one window around the mission to
# Jamaica in its first months, one around the mission to Fiji a year later.
HISTORY_EXPERT = DemoExpert(
    "Ana Lúcia Ferreira",
    "BRA",
    "Former member of a national preventive mechanism",
    "Twelve years of monitoring places of detention in Brazil and for the Subcommittee on"
    " Prevention of Torture; trains inspectorates and police academies.",
    16,
    "450",
    (("pt", "native"), ("en", "fluent"), ("es", "fluent")),
    ("torture", "persons-deprived-liberty", "liberty-security"),
    ("SPT", "CAT"),
    available=((60, 160), (480, 600)),
)

MISSION_TERMS = {
    "jamaica": "Review the draft inspection standards for police lock-ups against the Nelson Mandela"
    " Rules and the SPT's guidance, and lead the first week of training for the"
    " Commission's inspectors, with a joint inspection of two lock-ups.",
    "fiji": "Review the police standing orders on custody and the use of force, and train the"
    " Police Academy's instructors on custody safeguards and the electronic custody register.",
}
MISSION_RATINGS = {
    "jamaica": "Thorough and practical; the inspectors use her checklist on every visit.",
    "fiji": "Respectful of our officers and very clear; the instructors now train others.",
}
MISSION_REPORTS = {
    "jamaica": MissionReport(
        summary="Reviewed the draft standards with the Commission and the Constabulary Force,"
        " trained 24 inspectors over five days and led two joint inspections in Kingston.",
        activities="Five days of training; inspections of the Half Way Tree and Spanish Town"
        " lock-ups; a debriefing with the Commissioner.",
        recommendations_state="Publish every inspection report; give inspectors unannounced"
        " access at any hour by regulation.",
    ),
    "fiji": MissionReport(
        summary="Reviewed the standing orders on custody with the Police Legal Unit and"
        " trained 18 Academy instructors, who have since trained 70 officers.",
        activities="Two days on the standing orders; two days of training of trainers; a"
        " visit to the Totogo police station's custody area.",
        recommendations_state="Record every transfer and visit in the custody register; a"
        " lawyer's visit within 24 hours by standing order.",
    ),
}

STORY_TITLE = "Jamaica's police lock-ups open their doors to inspectors"
STORY_TEXT = (
    "Until 2025 nobody outside the police checked the conditions in Jamaica's lock-ups on a"
    " regular basis. With a small grant from the fund, the Independent Commission of"
    " Investigations wrote inspection standards with the Constabulary Force and trained 31"
    " inspectors, who visited all 14 lock-ups of the pilot, unannounced and in pairs with"
    " civil society.\n\nTheir first public report, tabled in Parliament in February 2026,"
    " led to three lock-ups being closed for refurbishment. The Commission now plans to"
    " inspect every lock-up in the island each year, answering the recommendation of the"
    " Human Rights Committee on conditions of detention."
)
STORY_PHOTO = "training-session.jpg"  # in app/demo/photos/, drawn for the demo
STORY_PHOTO_CREDIT = "Illustration made for the SPTF demo data"
STORY_PHOTO_ALT = (
    "Drawing: a trainer at a flip chart with five participants around a table; a palm tree"
    " and the sea through the window."
)
