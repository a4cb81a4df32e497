"""Forms of the SME registration wizard.  Values are normalised with dxapp.rules.normalize; the rules'
own Japanese messages become the field errors, so they tell the user what to type."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, StringField, TelField
from wtforms.validators import Email, Length, Optional, ValidationError

from dxapp.forms import BaseForm, InputRequired, choices, normalised, strip
from dxapp.rules import enterprise, normalize
from dxapp.wizard.fields import EraDateField, YenField

YES_NO = {"yes": _l("Yes"), "no": _l("No")}


class NormalisedField(StringField):
    """Shown in its input as typed (nothing the user typed changes under their eyes), but stored and
    shown on check-your-answers as the rules normalise it: furigana in katakana, numbers in half-width
    digits, so the secretariat sees one spelling.  Left as typed when it cannot be read, for the
    validator to explain."""

    def __init__(self, *args, normaliser, **kwargs):
        super().__init__(*args, **kwargs)
        self._normaliser = normaliser

    def normalised(self):
        if self.data in (None, ""):
            return self.data
        try:
            return self._normaliser(self.data)
        except (TypeError, ValueError):
            return self.data

    def display(self) -> str:
        return self.normalised() or str(_l("Not entered"))


class PhoneField(TelField):
    """Shown in its input as typed, but on check-your-answers as stored (E.164) in the national format
    (「０３（１２３４）５６７８」 -> 03-1234-5678).  Left as typed when it cannot be read."""

    def display(self) -> str:
        if self.data in (None, ""):
            return str(_l("Not entered"))
        try:
            return normalize.format_phone(normalize.phone(self.data))
        except (TypeError, ValueError):
            return self.data


class OnlySomeRadioField(RadioField):
    """A question only some applicants answer: left out of check-your-answers when not answered."""

    summary_skip_empty = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "RadioField"  # rendered as the radio group it is (the macros go by type)


def _postal(text: str) -> str:
    code = normalize.postal_code(text)
    return f"{code[:3]}-{code[3:]}"


class CapitalField(YenField):
    """Capital: required for companies only (validate_capital), and the label says so."""

    requirement_label = _l("Required for companies")


class CorporateNumberField(NormalisedField):
    """法人番号: required for every legal form but sole proprietors (validate_corporate_number, issue 11
    item 8); no Optional() validator, which would stop the chain before that check."""

    requirement_label = _l("Required for corporations")


class CountField(StringField):
    """A whole number typed any way (「１２０人」「1,200」), kept as typed; ``amount`` is the int."""

    amount: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.amount = None
        if self.data and self.data.strip():
            self.amount = normalize.parse_count(self.data)

    def display(self) -> str:
        return f"{self.amount:,}" if self.amount is not None else str(_l("Not entered"))


class BusinessTypeForm(BaseForm):
    legal_form = RadioField(_l("Legal form of the business"), choices=choices(enterprise.LEGAL_FORM_LABELS),
                            validators=[InputRequired(_l("Choose the legal form of the business."))])
    industry = RadioField(_l("Main industry"), choices=choices(enterprise.INDUSTRY_LABELS),
                          description=_l("The industry that brings in the most sales. A software house "
                                         "chooses software and information services; an inn chooses ryokan."),
                          validators=[InputRequired(_l("Choose the main industry."))])
    carries_on_business = OnlySomeRadioField(
        _l("Does the organisation provide products or services as a business?"), choices=choices(YES_NO),
        description=_l("Only for organisations other than companies and sole proprietors."),
        validators=[Optional()])

    def validate_carries_on_business(self, field):
        if self.legal_form.data not in (None, "company", "sole_proprietor") and not field.data:
            raise ValidationError(_l("Answer whether the organisation provides products or services as a business."))


class BusinessDetailsForm(BaseForm):
    name = StringField(_l("Name of the business"), filters=[strip],
                       description=_l("Exactly as on the certificate of registered matters or the tax documents."),
                       validators=[InputRequired(_l("Enter the name of the business.")), Length(max=200)],
                       render_kw={"autocomplete": "organization"})
    name_kana = NormalisedField(_l("Name of the business in katakana"), filters=[strip], normaliser=normalize.furigana,
                            validators=[InputRequired(_l("Enter the name in katakana.")), Length(max=200),
                                        normalised(normalize.furigana)])
    trade_name = StringField(_l("Trade name (yago)"), filters=[strip],
                             description=_l("Only if you use one. It must match your documents exactly."),
                             validators=[Optional(), Length(max=200)])
    corporate_number = CorporateNumberField(_l("Corporate number"), filters=[strip], normaliser=normalize.corporate_number,
                                   description=_l("13 digits. Corporations only; sole proprietors leave it empty."),
                                   validators=[normalised(normalize.corporate_number)],
                                   render_kw={"inputmode": "numeric"})
    invoice_number = NormalisedField(_l("Qualified invoice issuer number"),
                                 filters=[strip], normaliser=normalize.invoice_number,
                                 description=_l("T followed by 13 digits. For corporations it is T and the corporate number."),
                                 validators=[Optional(), normalised(normalize.invoice_number)])
    established = EraDateField(_l("Date the business was established"), validators=[Optional()])
    representative_name = StringField(_l("Name of the representative"), filters=[strip],
                                      validators=[InputRequired(_l("Enter the name of the representative.")),
                                                  Length(max=100)])
    representative_kana = NormalisedField(_l("Name of the representative in katakana"),
                                      filters=[strip], normaliser=normalize.furigana,
                                      validators=[InputRequired(_l("Enter the representative's name in katakana.")),
                                                  Length(max=100), normalised(normalize.furigana)])
    representative_title = StringField(_l("Title of the representative"), filters=[strip],
                                       description=_l("For example 代表取締役 or 理事長. Sole proprietors write 代表."),
                                       validators=[InputRequired(_l("Enter the title of the representative.")),
                                                   Length(max=50)])

    def validate_corporate_number(self, field):
        legal_form = ((getattr(self, "answers", {}) or {}).get("steps", {}).get("business-type", {})
                      .get("data", {}).get("legal_form"))
        if legal_form and legal_form != "sole_proprietor" and not field.data:
            raise ValidationError(_l("Enter the 13-digit corporate number."))

    def extra_data(self) -> dict:
        out = {"name_kana": normalize.furigana(self.name_kana.data),
               "representative_kana": normalize.furigana(self.representative_kana.data)}
        if self.corporate_number.data:
            out["corporate_number"] = normalize.corporate_number(self.corporate_number.data)
        if self.invoice_number.data:
            out["invoice_number"] = normalize.invoice_number(self.invoice_number.data)
        return out


class AddressForm(BaseForm):
    postal_code = NormalisedField(_l("Postal code"), filters=[strip], normaliser=_postal, description=_l("7 digits, for example 100-0001."),
                              validators=[InputRequired(_l("Enter the postal code.")), normalised(normalize.postal_code)],
                              render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    prefecture = StringField(_l("Prefecture"), filters=[strip],
                             validators=[InputRequired(_l("Enter the prefecture.")), Length(max=10)],
                             render_kw={"autocomplete": "address-level1"})
    city = StringField(_l("City, ward, town or village"), filters=[strip],
                       validators=[InputRequired(_l("Enter the city, ward, town or village.")), Length(max=100)],
                       render_kw={"autocomplete": "address-level2"})
    street = StringField(_l("Town and block number"), filters=[strip],
                         validators=[InputRequired(_l("Enter the town and block number.")), Length(max=200)],
                         render_kw={"autocomplete": "address-line1"})
    building = StringField(_l("Building and room"), filters=[strip], validators=[Optional(), Length(max=200)],
                           render_kw={"autocomplete": "address-line2"})
    phone = PhoneField(_l("Phone number"), filters=[strip],
                     validators=[InputRequired(_l("Enter a phone number.")), normalised(normalize.phone)],
                     render_kw={"autocomplete": "tel"})
    contact_email = EmailField(_l("E-mail address of the main contact person"), filters=[strip],
                               validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254),
                                           Email(_l("Enter an e-mail address in the form name@example.jp."))],
                               render_kw={"autocomplete": "email", "spellcheck": "false"})

    def extra_data(self) -> dict:
        return {"postal_code": normalize.postal_code(self.postal_code.data), "phone": normalize.phone(self.phone.data)}


class SizeForm(BaseForm):
    capital = CapitalField(_l("Capital (total contribution)"),
                           description=_l("Required for companies; others leave it empty. In yen, typed as on paper: "
                                          "3億円, 5千万, 300,000,000."),
                           render_kw={"inputmode": "numeric"})  # required for companies: validate_capital
    employees = CountField(_l("Number of regular employees"), description=enterprise.EMPLOYEES_HELP,
                           validators=[InputRequired(_l("Enter the number of regular employees (0 if none)."))],
                           render_kw={"inputmode": "numeric"})

    def validate_capital(self, field):
        legal_form = ((getattr(self, "answers", {}) or {}).get("steps", {}).get("business-type", {})
                      .get("data", {}).get("legal_form"))
        if legal_form == "company" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the capital in yen, for example 10,000,000."))


class ExclusionsForm(BaseForm):
    shares_total = CountField(_l("Total number of shares issued (or total contribution)"), validators=[Optional()],
                              render_kw={"inputmode": "numeric"})
    shares_largest_large_company = CountField(_l("Shares held by the largest large-company shareholder"),
                                              validators=[Optional()], render_kw={"inputmode": "numeric"})
    shares_all_large_companies = CountField(_l("Shares held by all large companies together"),
                                            description=_l("Public SME investment companies and investment limited "
                                                           "partnerships do not count as large companies."),
                                            validators=[Optional()], render_kw={"inputmode": "numeric"})
    officers_total = CountField(_l("Number of officers"), validators=[Optional()], render_kw={"inputmode": "numeric"})
    officers_from_large_companies = CountField(_l("Officers who are officers or staff of large companies"),
                                               validators=[Optional()], render_kw={"inputmode": "numeric"})
    owned_by_deemed_large = RadioField(
        _l("Are all shares owned by SMEs that are themselves controlled by large companies?"),
        choices=choices(YES_NO), validators=[InputRequired(_l("Answer yes or no."))])
    officers_all_from_deemed_large = RadioField(
        _l("Are all officers officers or staff of such SMEs?"),
        choices=choices(YES_NO), validators=[InputRequired(_l("Answer yes or no."))])
    avg_taxable_income = YenField(_l("Average taxable income of the last three settled years"),
                                  description=_l("In yen. Leave empty if you have no settled years yet."),
                                  validators=[Optional()], render_kw={"inputmode": "numeric"})
    no_antisocial_ties = BooleanField(
        _l("I declare that the business is not, and has no ties to, an anti-social force"),
        validators=[InputRequired(_l("Make the declaration about anti-social forces to continue."))])


class SoleProprietorExclusionsForm(BaseForm):
    """The exclusions that apply to a sole proprietor (no shares, no officers: seed ※4 ⑥ and the
    declaration only; issue 11 item 7); the same questions as in ExclusionsForm."""

    avg_taxable_income = ExclusionsForm.avg_taxable_income
    no_antisocial_ties = ExclusionsForm.no_antisocial_ties


class DeclarationForm(BaseForm):
    agree_terms = BooleanField(_l("I agree to the terms of use in force and declare that my answers are true"),
                               validators=[InputRequired(_l("Agree to the terms of use to continue."))])
