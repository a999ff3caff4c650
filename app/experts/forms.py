"""Forms of an expert's profile and of its vetting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import AMOUNT_KW, NUMBER_KW, MultiCheckboxField, choices
from app.experts.models import LanguageLevel


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
