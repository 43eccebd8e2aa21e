"""The form of the account page's token section (HTML posts, CSRF on)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult.api.tokens import EXPIRY_DAYS_MAX, NAME_MAX


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        description=_l("What the token is for, e.g. “Results into our dashboard”."),
        validators=[DataRequired(_l("Enter a name for the token.")), Length(max=NAME_MAX)],
    )
    expires_days = IntegerField(
        _l("Expires after (days)"),
        description=_l("Leave empty for a token that does not expire."),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=EXPIRY_DAYS_MAX,
                message=_l("Enter a number of days from 1 to %(max)d.", max=EXPIRY_DAYS_MAX),
            ),
        ],
    )
