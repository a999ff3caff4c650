from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import MultiCheckboxField, choices


class ReportForm(FlaskForm):
    """The narrative part; indicators and recommendations are read from the request by id."""

    achievements = TextAreaField(
        _l("Achievements"),
        validators=[Length(max=20000)],
        description=_l("What the project achieved so far, against its objectives."),
    )
    challenges = TextAreaField(_l("Challenges and obstacles"), validators=[Length(max=20000)])
    good_practice = TextAreaField(
        _l("Good practice and lessons learnt"), validators=[Length(max=20000)]
    )
    further_needs = TextAreaField(
        _l("Further needs"),
        validators=[Length(max=20000)],
        description=_l("What support is still needed. You can turn it into a new request."),
    )
    files = MultipleFileField(
        _l("Attachments"), description=_l("Evidence: PDF, Word, Excel, PNG or JPEG, 10 MB each.")
    )


class ReviewForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=choices(
            [
                ("accepted", _l("Accept the report")),
                ("revision_requested", _l("Ask the State to revise it")),
            ]
        ),
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note to the State"), validators=[Length(max=5000)])


class DueDateForm(FlaskForm):
    due_date = DateField(_l("Due date"), validators=[DataRequired()])


class StoryForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("The story"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Plain language, for the public: what changed, for whom, and how."),
    )
    recommendations = MultiCheckboxField(_l("Recommendations it advanced"))
    photo = FileField(_l("Photo (PNG or JPEG, 5 MB)"), validators=[Optional()])
    photo_alt = StringField(
        _l("Description of the photo"),
        validators=[Length(max=300)],
        description=_l("Read aloud to people who cannot see it."),
    )
    photo_credit = StringField(_l("Photo credit"), validators=[Length(max=200)])


class StoryConsentForm(FlaskForm):
    name = StringField(
        _l("Name of the official consenting"), validators=[DataRequired(), Length(max=200)]
    )
    title = StringField(_l("Title and office"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("On behalf of my government, I agree that the fund publishes this story."),
        validators=[DataRequired(message=_l("Confirm the consent."))],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
