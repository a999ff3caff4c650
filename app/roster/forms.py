from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import MultiCheckboxField, choices
from app.roster.models import LanguageLevel

NUMBER_KW = {"inputmode": "numeric", "autocomplete": "off"}
AMOUNT_KW = {"inputmode": "decimal", "autocomplete": "off"}


class ProfileForm(FlaskForm):
    nationality = SelectField(
        _l("Nationality"),
        validators=[DataRequired()],
        description=_l("You are never proposed for a mission to your own State."),
    )
    current_position = StringField(_l("Current position"), validators=[Length(max=200)])
    summary = TextAreaField(
        _l("Professional summary"),
        validators=[Length(max=5000)],
        description=_l("Your experience with the UN human rights mechanisms and with States."),
    )
    years_experience = StringField(
        _l("Years of relevant experience"),
        validators=[DataRequired(), Length(max=3)],
        render_kw=NUMBER_KW,
    )
    daily_rate = StringField(
        _l("Daily rate"), validators=[DataRequired(), Length(max=20)], render_kw=AMOUNT_KW
    )
    currency = StringField(
        _l("Currency of the rate"),
        validators=[DataRequired(), Length(min=3, max=3)],
        description=_l("ISO 4217 code, e.g. USD, EUR, CHF."),
        render_kw={"autocomplete": "off", "maxlength": 3},
    )
    references = TextAreaField(
        _l("References"),
        validators=[Length(max=5000)],
        description=_l("Two or three people the secretariat may contact, with their e-mail."),
    )


class ExpertiseForm(FlaskForm):
    themes = MultiCheckboxField(_l("Themes and groups you know well"))
    mechanisms = MultiCheckboxField(_l("Mechanisms you have worked with"))


class LanguageForm(FlaskForm):
    code = SelectField(_l("Language"), validators=[DataRequired()])
    level = SelectField(
        _l("Level"),
        choices=choices((level.value, level.label) for level in LanguageLevel),
        default=LanguageLevel.FLUENT.value,
        validators=[DataRequired()],
    )


class PeriodForm(FlaskForm):
    start = DateField(_l("Available from"), validators=[DataRequired()])
    end = DateField(_l("Available until"), validators=[DataRequired()])


class CvForm(FlaskForm):
    cv = FileField(
        _l("CV (PDF or Word)"),
        validators=[DataRequired(message=_l("Choose a file to upload."))],
        description=_l("Up to 10 MB. The secretariat reads it when vetting your profile."),
    )


class VetForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=choices(
            [
                ("active", _l("Accept on the roster")),
                ("rejected", _l("Do not accept (say why below)")),
            ]
        ),
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("Note to the expert"),
        validators=[Length(max=2000)],
        description=_l("Required when the expert is not accepted."),
    )


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class ProposeForm(FlaskForm):
    start = DateField(_l("Mission starts"), validators=[DataRequired()])
    end = DateField(_l("Mission ends"), validators=[DataRequired()])
    person_days = StringField(
        _l("Person-days"), validators=[DataRequired(), Length(max=4)], render_kw=NUMBER_KW
    )
    terms_of_reference = TextAreaField(
        _l("Terms of reference"),
        validators=[DataRequired(), Length(max=10000)],
        description=_l("What the expert is asked to do, with whom, and what to deliver."),
    )
    travel_budget = StringField(
        _l("Travel budget"),
        validators=[Optional(), Length(max=20)],
        description=_l("Tickets and subsistence, in the fund's currency."),
        render_kw=AMOUNT_KW,
    )
    fx_rate = StringField(
        _l("Exchange rate"),
        validators=[Optional(), Length(max=20)],
        description=_l("Only when the expert's rate is in another currency: fund units per unit."),
        render_kw=AMOUNT_KW,
    )


class ConsentForm(FlaskForm):
    name = StringField(
        _l("Name of the official consenting"), validators=[DataRequired(), Length(max=200)]
    )
    title = StringField(_l("Title and office"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("On behalf of my government, I consent to this mission on these terms."),
        validators=[DataRequired(message=_l("Confirm the consent."))],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Why you decline (optional)"), validators=[Optional(), Length(max=2000)]
    )


class ReportForm(FlaskForm):
    summary = TextAreaField(
        _l("Narrative of the mission"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("What was done, with whom, and what came of it."),
    )
    activities = TextAreaField(_l("Activities carried out"), validators=[Length(max=20000)])
    recommendations_state = TextAreaField(
        _l("Recommendations to the State"), validators=[Length(max=20000)]
    )
    recommendations_partners = TextAreaField(
        _l("Recommendations to partners"),
        validators=[Length(max=20000)],
        description=_l("UN country team, national human rights institution, civil society."),
    )
    files = MultipleFileField(
        _l("Attachments"),
        description=_l("Agendas, presentations, outputs: PDF, Word, Excel, PNG or JPEG."),
    )


class ReviewForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=choices(
            [
                ("completed", _l("Accept the report: the mission is completed")),
                ("revision_requested", _l("Ask the expert to revise the report")),
            ]
        ),
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note to the expert"), validators=[Length(max=5000)])


class RateForm(FlaskForm):
    rating = RadioField(
        _l("How useful was the mission?"),
        choices=choices(
            [
                ("5", _l("5 — excellent")),
                ("4", _l("4 — good")),
                ("3", _l("3 — adequate")),
                ("2", _l("2 — poor")),
                ("1", _l("1 — not useful")),
            ]
        ),
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class PaymentForm(FlaskForm):
    kind = SelectField(
        _l("Pay"),
        choices=choices([("fee", _l("Fee")), ("travel", _l("Travel"))]),
        validators=[DataRequired()],
    )
    amount = StringField(
        _l("Amount"), validators=[DataRequired(), Length(max=30)], render_kw=AMOUNT_KW
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
