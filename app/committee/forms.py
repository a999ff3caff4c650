from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import AMOUNT_KW, choices


class VoteForm(FlaskForm):
    choice = RadioField(
        _l("Your vote"),
        validators=[DataRequired()],
        choices=choices(
            [("approve", _l("Approve")), ("reject", _l("Reject")), ("abstain", _l("Abstain"))]
        ),
    )
    proposed_amount = StringField(
        _l("Approve a lower amount (optional)"),
        validators=[Optional(), Length(max=30)],
        render_kw=AMOUNT_KW,
        description=_l("If you approve but would grant less than requested."),
    )
    comment = TextAreaField(_l("Comment (minuted after the close)"), validators=[Length(max=5000)])


class RecusalForm(FlaskForm):
    reason = TextAreaField(
        _l("Conflict of interest"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("What the conflict is. You will not vote on or discuss this request."),
    )


class CloseBallotForm(FlaskForm):
    approved_amount = StringField(
        _l("Approved amount, if the committee approved less (optional)"),
        validators=[Optional(), Length(max=30)],
        render_kw=AMOUNT_KW,
        description=_l("Leave empty to use the committee's proposals (or the full request)."),
    )
    reasons = TextAreaField(
        _l("Reasons communicated to the State"),
        validators=[Length(max=5000)],
        description=_l("Leave empty for the standard wording. Never name how members voted."),
    )


class ReopenForm(FlaskForm):
    deadline = DateField(_l("New ballot deadline"), validators=[Optional()])


class DiscussionForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=10_000)])


class SeatForm(FlaskForm):
    user = SelectField(_l("Committee member"), validators=[DataRequired()])
    kind = RadioField(
        _l("Seat"),
        validators=[DataRequired()],
        choices=choices([("member", _l("Member")), ("alternate", _l("Alternate"))]),
        default="member",
    )
    term_start = DateField(_l("Term starts"), validators=[DataRequired()])
    term_end = DateField(
        _l("Term ends (optional)"),
        validators=[Optional()],
        description=_l("By default, the standard term length."),
    )


class EndSeatForm(FlaskForm):
    on = DateField(_l("Ends on"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
