from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import AMOUNT_KW


class AcceptForm(FlaskForm):
    name = StringField(
        _l("Name of the official accepting"), validators=[DataRequired(), Length(max=200)]
    )
    title = StringField(_l("Title and office"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("On behalf of my government, I accept this grant agreement and its terms."),
        validators=[DataRequired(message=_l("Confirm the acceptance."))],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ReleaseForm(FlaskForm):
    amount = StringField(
        _l("Amount to release"), validators=[DataRequired(), Length(max=30)], render_kw=AMOUNT_KW
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ApproveReleaseForm(FlaskForm):
    payment_reference = StringField(
        _l("Payment reference"),
        validators=[Length(max=120)],
        description=_l(
            "The bank transfer's reference; empty to use the fund's payment order number."
        ),
    )
