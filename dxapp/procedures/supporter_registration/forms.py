"""Forms of the SME-supporter corporation's registration wizard (the roster pages' forms are in
dxapp.blueprints.supporter_org.roster_forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, Field, RadioField, StringField
from wtforms.validators import Email, Length, ValidationError
from wtforms.widgets import HiddenInput

from dxapp import bank as zengin
from dxapp import clock
from dxapp.forms import BaseForm, InputRequired, choices, normalised, normalising, strip
from dxapp.procedures.sme_registration.forms import AddressForm, DeclarationForm
from dxapp.rules import bank, normalize
from dxapp.services import supporters
from dxapp.wizard.fields import EraDateField

ACCOUNT_TYPES = {"ordinary": _l("Ordinary (普通)"), "current": _l("Current (当座)"), "savings": _l("Savings (貯蓄)")}


class CorporationForm(AddressForm):
    """Step "corporation": identity and address (the SME address form with its postal lookup)."""

    contact_email = None  # the administrator's login address is the contact
    corporate_number = StringField(_l("Corporate number"), filters=[strip, normalising(normalize.corporate_number)],
                                   description=_l("13 digits, as on the certificate of registered matters."),
                                   validators=[InputRequired(_l("Enter the 13-digit corporate number.")),
                                               normalised(normalize.corporate_number)],
                                   render_kw={"inputmode": "numeric"})
    name = StringField(_l("Name of the corporation"), filters=[strip],
                       validators=[InputRequired(_l("Enter the name of the corporation.")), Length(max=200)],
                       render_kw={"autocomplete": "organization"})
    name_kana = StringField(_l("Name of the corporation in katakana"), filters=[strip, normalising(normalize.furigana)],
                            validators=[InputRequired(_l("Enter the name in katakana.")), Length(max=200),
                                        normalised(normalize.furigana)])
    representative_name = StringField(_l("Name of the representative"), filters=[strip],
                                      validators=[InputRequired(_l("Enter the name of the representative.")),
                                                  Length(max=100)])

    # Field order on the page: identity first, then the address of the SME form.
    _order = ("corporate_number", "name", "name_kana", "representative_name", "postal_code", "prefecture", "city",
              "street", "building", "phone")

    def __iter__(self):
        by_name = {f.name: f for f in super().__iter__()}
        ordered = [by_name.pop(n) for n in self._order if n in by_name]
        return iter(ordered + list(by_name.values()))

    def extra_data(self) -> dict:
        out = super().extra_data()
        out["corporate_number"] = normalize.corporate_number(self.corporate_number.data)
        out["name_kana"] = normalize.furigana(self.name_kana.data)
        return out


class ServerListField(Field):
    """A list the step page shows (e.g. the administrators); nothing is typed.

    What is stored as the step's raw answer is written by the server when the step is saved
    (``raw_parts``: the list then), never what the browser sent; ``display`` shows that stored list, so
    it reads the same for the applicant and on the secretariat's review page (where the logged-in user
    is a clerk)."""

    widget = HiddenInput()

    def _value(self) -> str:
        return ""

    def _current(self) -> list[str]:
        raise NotImplementedError

    def raw_parts(self) -> dict:
        return {self.name: self._current()}

    def display(self) -> str:
        stored = [v for v in (self.raw_data or []) if v]
        return "、".join(stored) if stored else str(_l("Not entered"))


class CertificationFields(BaseForm):
    """The certification step's questions; the certificate itself is the documents step's
    (procedures/supporter_registration/certificate.py)."""

    certification_number = StringField(
        _l("Certification number as a certified IT support organisation"), filters=[strip],
        description=_l("As written on the certificate of 認定情報処理支援機関 (スマートSMEサポーター)."),
        validators=[InputRequired(_l("Enter the certification number.")), Length(max=40)])
    certified_on = EraDateField(_l("Date of certification"),
                                validators=[InputRequired(_l("Enter the date of certification."))])

    def validate_certified_on(self, field):
        if field.data is None and not field.errors:
            raise ValidationError(_l("Enter the date of certification."))
        if field.data is not None and field.data > clock.program_today():
            raise ValidationError(_l("The date of certification cannot be in the future. Check the certificate."))


class AdministratorListField(ServerListField):
    """The corporation's administrators when the step was saved (stored by the server, as above)."""

    def _current(self) -> list[str]:
        if not getattr(current_user, "is_authenticated", False):
            return []
        return [f"{u.name}（{u.email}）" for u in supporters.administrators(current_user.organisation_id)]


class AdministratorsForm(BaseForm):
    administrators = AdministratorListField(_l("Administrators"))


class AdminInviteForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(_l("Enter the name.")), Length(max=100)],
                       render_kw={"autocomplete": "off"})
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[InputRequired(_l("Enter the e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address in the form name@example.jp."))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})


# ---------------------------------------------------------------------------------------------- bank
# The checks are the expert area's Zengin rules (dxapp.rules.bank): one definition for both.

class BankForm(BaseForm):
    """Where the honoraria of the corporation's experts are paid: an account of the corporation."""

    bank_code = StringField(_l("Bank code"), filters=[strip, normalising(bank.bank_code)], description=_l("4 digits, for example 0001."),
                            validators=[InputRequired(_l("Enter the 4-digit bank code.")), normalised(bank.bank_code)],
                            render_kw={"inputmode": "numeric"})
    branch_code = StringField(_l("Branch code"), filters=[strip, normalising(bank.branch_code)], description=_l("3 digits, for example 001."),
                              validators=[InputRequired(_l("Enter the 3-digit branch code.")),
                                          normalised(bank.branch_code)],
                              render_kw={"inputmode": "numeric"})
    account_type = RadioField(_l("Bank account type"), choices=choices(ACCOUNT_TYPES),
                              validators=[InputRequired(_l("Choose the account type."))])
    account_number = StringField(_l("Account number"), filters=[strip, normalising(bank.account_number)], description=_l("7 digits."),
                                 validators=[InputRequired(_l("Enter the 7-digit account number.")),
                                             normalised(bank.account_number)],
                                 render_kw={"inputmode": "numeric", "autocomplete": "off"})
    account_holder = StringField(_l("Account holder in katakana"), filters=[strip, normalising(bank.account_holder)],
                                 description=_l("As the bank prints it, for example カ)デジタルシエン."),
                                 validators=[InputRequired(_l("Enter the account holder in katakana.")),
                                             Length(max=60), normalised(bank.account_holder)])

    def validate_bank_code(self, field):
        """The code must be a bank in the Zengin tables (offline data), not only four digits."""
        if field.errors:
            return
        try:
            code = bank.bank_code(field.data)
        except ValueError:
            return
        if zengin.bank(code) is None:
            raise ValidationError(_l("There is no bank with this code. Check the 4-digit bank code in your "
                                     "bankbook or on the bank's website."))

    def validate_branch_code(self, field):
        if field.errors or self.bank_code.errors:
            return
        try:
            bank_code, code = bank.bank_code(self.bank_code.data), bank.branch_code(field.data)
        except ValueError:
            return
        found = zengin.bank(bank_code)
        if found is not None and zengin.branch(bank_code, code) is None:
            raise ValidationError(_l("%(bank)s has no branch with this code. Check the 3-digit branch code in "
                                     "your bankbook.", bank=found.name))

    def extra_data(self) -> dict:
        corporation = ((getattr(self, "answers", None) or {}).get("steps", {}).get("corporation", {})
                       .get("data", {}))
        return {"bank_code": bank.bank_code(self.bank_code.data), "branch_code": bank.branch_code(self.branch_code.data),
                "account_number": bank.account_number(self.account_number.data),
                "account_holder": bank.account_holder(self.account_holder.data), "account_owner": "corporate",
                "account_corporate_number": corporation.get("corporate_number")}


class SupporterDeclarationForm(DeclarationForm):
    pass


# ---------------------------------------------------------------------------------------------- experts
