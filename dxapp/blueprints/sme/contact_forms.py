"""Forms of the SME's own pages (contact persons); the registration wizard's forms are in
dxapp.procedures.sme_registration.forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TelField
from wtforms.validators import Email, Length, Optional

from dxapp.forms import BaseForm, InputRequired, normalised, strip
from dxapp.rules import normalize


class ContactForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(_l("Enter the name.")), Length(max=100)],
                       render_kw={"autocomplete": "off"})
    department = StringField(_l("Department"), filters=[strip], validators=[Optional(), Length(max=100)])
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address in the form name@example.jp."))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    phone = TelField(_l("Phone number"), filters=[strip], validators=[Optional(), normalised(normalize.phone)])


class ContactEditForm(ContactForm):
    email = None  # the address is the login: remove the person and add them again to change it
