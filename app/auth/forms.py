from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.auth.services import PASSWORD_MAX, PASSWORD_MIN
from app.core.forms import choices

PASSWORD_HELP = _l("At least 12 characters. A few unrelated words make a good password.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class TotpForm(FlaskForm):
    code = StringField(
        _l("6-digit code"),
        validators=[DataRequired(), Length(min=6, max=8)],
        description=_l("The code your authenticator app shows now for SPTF."),
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"},
    )


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
        description=PASSWORD_HELP,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    role = RadioField(
        _l("I want to join as"),
        choices=choices([("donor", _l("a donor")), ("expert", _l("a human rights expert"))]),
        validators=[DataRequired()],
    )
    name = StringField(
        _l("Full name or organisation"), validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])
    nationality = SelectField(
        _l("Nationality (experts)"),
        validators=[Optional()],
        description=_l("Experts are never sent to their own State; donors may leave this empty."),
    )


class FinishRegistrationForm(NewPasswordMixin, FlaskForm):
    pass


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language for e-mails and pages"), validators=[Optional()])


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Where you will use it, e.g. 'reporting script'."),
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        description=_l("Asked again: a token acts for you until you revoke it."),
        render_kw={"autocomplete": "current-password"},
    )


class ActionForm(FlaskForm):
    """A button that posts: carries only the CSRF token."""
