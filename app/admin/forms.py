from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

REGION_HELP = _l("Required for committee members: the regional group the member represents.")
STATE_HELP = _l(
    "Required for State focal points (the State they act for). For committee members and "
    "experts, their nationality: it drives recusal and matching."
)


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    state = SelectField(_l("State"), validators=[Optional()], description=STATE_HELP)
    region = SelectField(_l("Regional group"), validators=[Optional()], description=REGION_HELP)


class UserRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    state = SelectField(_l("State"), validators=[Optional()], description=STATE_HELP)
    region = SelectField(_l("Regional group"), validators=[Optional()], description=REGION_HELP)
