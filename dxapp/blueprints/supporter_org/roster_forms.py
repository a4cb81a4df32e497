"""Forms of the corporation's expert roster pages; the registration wizard's forms are in
dxapp.procedures.supporter_registration.forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, StringField
from wtforms.validators import Email, Length

from dxapp.forms import BaseForm, InputRequired, normalised, normalising, strip
from dxapp.rules import normalize


class ExpertForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(_l("Enter the name.")), Length(max=100)],
                       render_kw={"autocomplete": "off"})
    name_kana = StringField(_l("Name in katakana"), filters=[strip, normalising(normalize.furigana)],
                            validators=[InputRequired(_l("Enter the name in katakana.")), Length(max=100),
                                        normalised(normalize.furigana)], render_kw={"autocomplete": "off"})
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[InputRequired(_l("Enter the e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address in the form name@example.jp."))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})


class RosterUploadForm(BaseForm):
    file = FileField(_l("CSV file"), description=_l("UTF-8 or Shift_JIS (CP932) as Excel saves it; up to 2,000 rows."),
                     validators=[FileRequired(_l("Choose a CSV file to upload."))],
                     render_kw={"accept": ".csv,text/csv"})

