"""Forms of a deployment: the offer, the answers, the report, its review, the rating and
the payments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import AMOUNT_KW, NUMBER_KW, choices


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
