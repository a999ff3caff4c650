from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.forms import AMOUNT_KW, MultiCheckboxField, choices

UN_LANGUAGES = [
    ("ar", "العربية (ar)"),
    ("zh", "中文 (zh)"),
    ("en", "English (en)"),
    ("fr", "Français (fr)"),
    ("ru", "Русский (ru)"),
    ("es", "Español (es)"),
    ("pt", "Português (pt)"),
]


class NewApplicationForm(FlaskForm):
    title = StringField(
        _l("Title of the project"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "A short name, e.g. 'Strengthening the national mechanism for reporting and follow-up'."
        ),
    )


class OverviewForm(FlaskForm):
    title = StringField(_l("Title of the project"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[Length(max=10_000)],
        description=_l("What the project will do and why, in a few sentences."),
    )
    objectives = TextAreaField(
        _l("Objectives"),
        validators=[Length(max=10_000)],
        description=_l("What will be different when it ends."),
    )
    activities = TextAreaField(
        _l("Activities"),
        validators=[Length(max=10_000)],
        description=_l("The main activities: trainings, drafting, consultations, missions…"),
    )
    duration_months = IntegerField(
        _l("Duration (months)"),
        validators=[Optional(), NumberRange(min=1, max=60)],
        description=_l("Between 1 and 60 months."),
    )
    implementing_entity = StringField(
        _l("Implementing national entity"),
        validators=[Length(max=300)],
        description=_l(
            "The ministry, national mechanism (NMIRF) or institution that will carry it out."
        ),
    )
    themes = MultiCheckboxField(_l("Human rights themes and groups"))
    sdgs = MultiCheckboxField(_l("Sustainable Development Goals it serves"))


class RecommendationForm(FlaskForm):
    mechanism = SelectField(_l("Mechanism"), validators=[DataRequired()])
    reference = StringField(
        _l("Symbol or reference"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("e.g. A/HRC/43/8, para. 98.12 or CRC/C/FJI/CO/2-4, para. 15"),
    )
    text = TextAreaField(
        _l("Text of the recommendation"), validators=[DataRequired(), Length(max=10_000)]
    )
    recommending_body = StringField(
        _l("Recommending body or State"),
        validators=[Length(max=200)],
        description=_l("e.g. 'Chile' for a UPR recommendation"),
    )
    cycle = StringField(
        _l("Cycle or year"), validators=[Length(max=60)], description=_l("e.g. UPR 3rd cycle, 2019")
    )


class IndicatorForm(FlaskForm):
    result = TextAreaField(
        _l("Expected result"),
        validators=[Length(max=10_000)],
        description=_l("The change this indicator measures."),
    )
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=300)])
    baseline = StringField(
        _l("Baseline"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The value today (a number if you can)."),
    )
    target = StringField(_l("Target"), validators=[DataRequired(), Length(max=100)])


class BudgetLineForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    description = StringField(_l("Description"), validators=[DataRequired(), Length(max=300)])
    amount = StringField(
        _l("Amount"), validators=[DataRequired(), Length(max=30)], render_kw=AMOUNT_KW
    )


class CofinancingForm(FlaskForm):
    amount = StringField(
        _l("Co-financing amount"),
        validators=[Optional(), Length(max=30)],
        render_kw=AMOUNT_KW,
        description=_l("What the government or partners contribute, if anything."),
    )
    note = TextAreaField(_l("Co-financing details"), validators=[Length(max=10_000)])


class ExpertiseForm(FlaskForm):
    themes = MultiCheckboxField(_l("Expertise needed in"))
    languages = MultiCheckboxField(_l("Working languages"))
    other_languages = StringField(
        _l("Other languages"),
        validators=[Length(max=100)],
        description=_l("ISO 639-1 codes separated by spaces, e.g. sw ne"),
    )
    person_days = IntegerField(
        _l("Expert person-days"),
        validators=[Optional(), NumberRange(min=1, max=2000)],
        description=_l("Leave empty if the project needs no expert from the roster."),
    )


class ConsentForm(FlaskForm):
    official_name = StringField(
        _l("Name of the official"), validators=[DataRequired(), Length(max=200)]
    )
    official_title = StringField(
        _l("Title and office"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("e.g. Permanent Secretary, Ministry of Justice"),
    )
    confirm = BooleanField(
        _l("I confirm that the government of my State requests this support and consents to it."),
        validators=[DataRequired(message=_l("The consent must be confirmed."))],
    )


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired()],
        description=_l("PDF, Word (DOCX), Excel (XLSX), PNG or JPEG, up to 10 MB."),
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=2000)])


class ScreeningForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        validators=[DataRequired()],
        choices=choices(
            [
                ("eligible", _l("Eligible — send to the committee")),
                ("returned", _l("Return to the State with what to fix")),
                ("ineligible", _l("Not eligible — refer elsewhere")),
            ]
        ),
    )
    note = TextAreaField(
        _l("Note to the State"),
        validators=[Length(max=5000)],
        description=_l(
            "Required when returning (what to fix) or declaring ineligible (the reason)."
        ),
    )
    referral = TextAreaField(
        _l("Referral"),
        validators=[Length(max=5000)],
        description=_l(
            "For an ineligible request: another fund, programme or offer the State can turn to."
        ),
    )
    deadline = DateField(
        _l("Ballot deadline"),
        validators=[Optional()],
        description=_l("For an eligible request; by default 14 days from today."),
    )


def with_choices(form: FlaskForm, **fields: list[tuple[object, object]]) -> FlaskForm:
    for name, pairs in fields.items():
        getattr(form, name).choices = choices(pairs)
    return form
