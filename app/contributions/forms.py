from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.contributions.services import REFERENCE_MAX
from app.core.forms import AMOUNT_KW


class ContributionForm(FlaskForm):
    donor_email = EmailField(_l("Donor's e-mail"), validators=[DataRequired(), Length(max=320)])
    amount = StringField(
        _l("Amount"), validators=[DataRequired(), Length(max=30)], render_kw=AMOUNT_KW
    )
    currency = StringField(
        _l("Currency"),
        validators=[DataRequired(), Length(min=3, max=3)],
        default="USD",
        description=_l("ISO 4217 code, e.g. USD, EUR, CHF."),
    )
    rate = StringField(
        _l("Exchange rate"),
        validators=[Optional(), Length(max=30)],
        render_kw=AMOUNT_KW,
        description=_l(
            "Units of the fund's currency per unit of this currency, when they differ (e.g. 1.0850)."
        ),
    )
    reference = StringField(_l("Bank or pledge reference"), validators=[Length(max=REFERENCE_MAX)])
    received_on = DateField(_l("Received on (transfers)"), validators=[Optional()])
    due_on = DateField(_l("Expected by (pledges)"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class PledgePaymentForm(FlaskForm):
    amount = StringField(
        _l("Amount received"), validators=[DataRequired(), Length(max=30)], render_kw=AMOUNT_KW
    )
    reference = StringField(
        _l("Bank reference"), validators=[DataRequired(), Length(max=REFERENCE_MAX)]
    )
    received_on = DateField(_l("Received on"), validators=[Optional()])
    rate = StringField(
        _l("Exchange rate of the day"),
        validators=[Optional(), Length(max=30)],
        render_kw=AMOUNT_KW,
        description=_l(
            "The rate the bank applied, when it differs from the pledge's: the difference is"
            " booked as an exchange gain or loss."
        ),
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class GiftForm(FlaskForm):
    amount = StringField(
        _l("Amount"), validators=[DataRequired(), Length(max=30)], render_kw=AMOUNT_KW
    )


class StatementForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    date_from = DateField(_l("From"), validators=[DataRequired()])
    date_to = DateField(_l("To"), validators=[DataRequired()])
