"""The form of the secretariat's staff accounts (an administrator adds a desk clerk or administrator)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import Length

from dxapp.forms import BaseForm, EmailMixin, InputRequired, choices


class StaffForm(EmailMixin, BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)])
    role = RadioField(_l("Role"), choices=choices({"desk": _l("Desk clerk"), "admin": _l("Administrator")}),
                      validators=[InputRequired(_l("Choose a role."))])
