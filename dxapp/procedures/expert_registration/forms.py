"""Forms of the IT expert registration wizard (issue 5, steps 1-7).  Values are normalised with
dxapp.rules (normalize, bank); the rules' Japanese messages become the field errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional, ValidationError

from dxapp import bank as zengin
from dxapp.forms import BaseForm, InputRequired, choices, normalised, strip
from dxapp.procedures.expert_registration import presets
from dxapp.procedures.sme_registration.forms import AddressForm
from dxapp.procedures.sme_registration.forms import NormalisedField as KanaField
from dxapp.rules import bank, expert, normalize
from dxapp.services.experts import PREFECTURES
from dxapp.wizard.fields import CheckboxesField, EraDateField, YenField

YES_NO = {"yes": _l("Yes"), "no": _l("No")}

SUPPORT_AREA_LABELS = {
    "telework": _l("Telework"),
    "web_meetings": _l("Web meetings"),
    "ec_sites": _l("EC sites (online shops)"),
    "cashless": _l("Cashless payment"),
    "security": _l("Information security"),
    "rpa": _l("RPA (automating routine work)"),
    "cloud_accounting": _l("Cloud accounting"),
    "online_events": _l("Online events"),
    "crowdfunding": _l("Crowdfunding"),
    "it_subsidy": _l("Help with IT subsidy applications"),
    "other": _l("Other"),
}

DELIVERY_LABELS = {"online": _l("Online only"), "onsite": _l("On site only"), "both": _l("Online and on site")}

IDENTITY_KINDS = {
    "driving_licence": _l("Driving licence (運転免許証)"),
    "my_number_card": _l("My Number card, front side only (マイナンバーカード 表面)"),
    "passport": _l("Passport (旅券)"),
    "residence_card": _l("Residence card (在留カード)"),
    "insurance_card": _l("Health insurance card with a certificate of residence (健康保険証と住民票)"),
}

IPA_EXAMS = {
    "": _l("Choose the examination"),
    "ST": "ITストラテジスト", "SA": "システムアーキテクト", "PM": "プロジェクトマネージャ",
    "NW": "ネットワークスペシャリスト", "DB": "データベーススペシャリスト", "ES": "エンベデッドシステムスペシャリスト",
    "SM": "ITサービスマネージャ", "AU": "システム監査技術者", "AP": "応用情報技術者", "FE": "基本情報技術者",
    "SG": "情報セキュリティマネジメント", "IP": "ITパスポート",
}

#: Per qualification: the label of its certificate or registration number.
QUALIFICATION_NUMBER_LABELS = {
    "sme_consultant": _l("SME management consultant: registration number"),
    "ipa_exam": _l("IPA examination: certificate number"),
    "security_specialist": _l("Registered information security specialist: registration number"),
    "web_design_skill": _l("National web-design skill test: certificate number"),
    "professional_engineer_it": _l("Professional engineer (information engineering): registration number"),
    "it_coordinator": _l("IT coordinator: certificate number"),
}
QUALIFICATION_YEAR_LABELS = {
    "sme_consultant": _l("SME management consultant: year registered"),
    "ipa_exam": _l("IPA examination: year passed"),
    "security_specialist": _l("Registered information security specialist: year registered"),
    "web_design_skill": _l("National web-design skill test: year passed"),
    "professional_engineer_it": _l("Professional engineer (information engineering): year registered"),
    "it_coordinator": _l("IT coordinator: year certified"),
}

ACCOUNT_TYPE_LABELS = {"ordinary": _l("Ordinary (普通)"), "current": _l("Current (当座)"), "savings": _l("Savings (貯蓄)")}
ACCOUNT_OWNER_LABELS = {"personal": _l("An account in my own name"),
                        "corporate": _l("An account of a corporation (one-person company or supporter corporation)")}
PAYEE_LABELS = {"own": _l("To my own bank account"), "corporation": _l("To the supporter corporation I belong to")}


def step_data(answers, slug: str) -> dict:
    return (((answers or {}).get("steps") or {}).get(slug) or {}).get("data") or {}


# --------------------------------------------------------------------------------- 1 participation

class ParticipationForm(BaseForm):
    participation = RadioField(_l("How do you take part?"), choices=choices(expert.KINDS),
                               validators=[InputRequired(_l("Choose how you take part."))])
    supporter_organisation_id = SelectField(
        _l("SME-supporter corporation you belong to"), validators=[Optional()],
        description=_l("Only staff of a registered SME-supporter corporation. The corporation confirms that you "
                       "belong to it."))
    employer_permission = RadioField(
        _l("Do you have your employer's written permission for this side job?"), choices=choices(YES_NO),
        description=_l("Only for side or dual jobs. You will upload the permission in the identity step."),
        validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._answers = None
        # Shown: the corporation of the stored answers keeps its name (e.g. on the review page); what may
        # be chosen is set again from the answers in validate().
        self._offer(presets.supporter_choices(shown=self.supporter_organisation_id.data or None))

    def _offer(self, offered) -> None:
        self.supporter_organisation_id.choices = choices(
            {"": _l("Choose the corporation"), **{str(org_id): name for org_id, name in offered}})

    @property
    def answers(self):
        return self._answers

    @answers.setter
    def answers(self, answers) -> None:
        """Given by the wizard engine before the raw answers are read and the form is validated: an invited
        expert's kind and corporation are filled in from the preset of these answers, so the stored raw
        answers carry them too (pages rebuilt from the raw answers show them)."""
        self._answers = answers
        self._apply_preset()

    def _apply_preset(self) -> dict | None:
        preset = presets.current(self._answers)
        if preset:  # an invited expert: kind and corporation are fixed by the invitation
            organisation_id = str(preset["supporter_organisation_id"])
            self.participation.data = preset["participation"]
            self.participation.raw_data = [preset["participation"]]
            self.supporter_organisation_id.data = organisation_id
            self.supporter_organisation_id.raw_data = [organisation_id]
            self.employer_permission.data = None
            self.employer_permission.raw_data = []
        return preset

    def __iter__(self):
        """Only the answers of the branch taken (the check page lists these; the step's template places
        every field by name)."""
        kind = self.participation.data
        hidden = set()
        if kind and kind != "supporter_member":
            hidden.add("supporter_organisation_id")
        if kind and kind != "side_job":
            hidden.add("employer_permission")
        return iter([f for f in super().__iter__() if f.name not in hidden])

    def validate(self, extra_validators=None):
        self._offer(presets.supporter_choices(self._answers))
        self._apply_preset()
        ok = super().validate(extra_validators)
        # Conditional requirements: checked here, since Optional() stops a field's own validators.
        if self.participation.data == "supporter_member" and not self.supporter_organisation_id.data:
            self.supporter_organisation_id.errors.append(str(_l("Choose the SME-supporter corporation you belong to.")))
        if self.participation.data == "side_job" and not self.employer_permission.data:
            self.employer_permission.errors.append(str(_l("Answer whether your employer has given written permission.")))
        return ok and not any(f.errors for f in self)

    def extra_data(self) -> dict:
        kind = self.participation.data
        return {"supporter_organisation_id": self.supporter_organisation_id.data if kind == "supporter_member" else "",
                "employer_permission": self.employer_permission.data if kind == "side_job" else ""}


# --------------------------------------------------------------------------------- 2 person

class PersonForm(AddressForm):
    name = StringField(_l("Full name"), filters=[strip],
                       description=_l("Exactly as on your identity document."),
                       validators=[InputRequired(_l("Enter your full name.")), Length(max=100)],
                       render_kw={"autocomplete": "name"})
    name_kana = KanaField(_l("Full name in katakana"), filters=[strip], normaliser=normalize.furigana,
                          validators=[InputRequired(_l("Enter your name in katakana.")), Length(max=100),
                                        normalised(normalize.furigana)])
    birth_date = EraDateField(_l("Date of birth"), validators=[InputRequired(_l("Enter your date of birth."))])
    contact_email = None
    email = EmailField(_l("E-mail address"), filters=[strip],
                       validators=[InputRequired(_l("Enter your e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address in the form name@example.jp."))],
                       render_kw={"autocomplete": "email", "spellcheck": "false"})

    # The person first, then the address fields inherited from the SME form.
    _order = ("name", "name_kana", "birth_date", "postal_code", "prefecture", "city", "street", "building",
              "phone", "email")

    def __iter__(self):
        fields = {f.name: f for f in super().__iter__()}
        ordered = [fields[n] for n in self._order if n in fields]
        return iter([*ordered, *(f for n, f in fields.items() if n not in self._order)])

    def validate_birth_date(self, field):
        if field.data is not None and field.data.year < 1900:
            raise ValidationError(_l("Check the year of your date of birth."))

    def extra_data(self) -> dict:
        return {**super().extra_data(), "name_kana": normalize.furigana(self.name_kana.data)}


# --------------------------------------------------------------------------------- 3 identity

class IdentityForm(BaseForm):
    identity_kind = RadioField(
        _l("Which identity document will you upload?"), choices=choices(IDENTITY_KINDS),
        description=_l("A document with your photo, name, address and date of birth. Never upload the back of a "
                       "My Number card: it shows your individual number, which the program must not collect."),
        validators=[InputRequired(_l("Choose the identity document you will upload."))])


# --------------------------------------------------------------------------------- 4 qualifications

class QualificationsForm(BaseForm):
    qualifications = CheckboxesField(
        _l("Qualifications you hold"), choices=choices(expert.QUALIFICATIONS), validators=[Optional()],
        description=_l("From 19 October 2021 individual experts need at least one of these. Staff of supporter "
                       "corporations and, until then, everyone may leave this empty."))
    ipa_exam_name = SelectField(_l("IPA examination passed"), choices=choices(IPA_EXAMS), validators=[Optional()])

    def __iter__(self):
        """Detail fields only of the qualifications chosen (the step's template places each one under its
        qualification by name; the check page lists only those)."""
        chosen = set(self.chosen())
        hidden = {f"{c}_{part}" for c in expert.QUALIFICATIONS if c not in chosen for part in ("number", "year")}
        if "ipa_exam" not in chosen:
            hidden.add("ipa_exam_name")
        return iter([f for f in super().__iter__() if f.name not in hidden])

    def validate_qualifications(self, field):
        unknown = [c for c in field.data or [] if c not in expert.QUALIFICATIONS]
        if unknown:
            raise ValidationError(_l("Choose qualifications from the list."))
        for code in self.chosen():
            number = (self[f"{code}_number"].data or "").strip()
            year = (self[f"{code}_year"].data or "").strip()
            if not number and not year:
                self[f"{code}_number"].errors = [*self[f"{code}_number"].errors, str(_l(
                    "Enter the certificate or registration number, or the year you passed or registered."))]
                raise ValidationError(_l("Give the certificate number or the year for each qualification you chose."))
            if code == "ipa_exam" and not number and not self.ipa_exam_name.data:
                self.ipa_exam_name.errors = [*self.ipa_exam_name.errors,
                                             str(_l("Choose the IPA examination you passed."))]
                raise ValidationError(_l("Choose the IPA examination you passed."))
            if year:
                try:
                    value = normalize.parse_count(year.removesuffix("年"))
                except ValueError as exc:
                    raise ValidationError(_l("Enter the year as four digits, for example 2015.")) from exc
                if not 1950 <= value <= 2030:
                    raise ValidationError(_l("Enter the year as four digits, for example 2015."))

    def chosen(self) -> list[str]:
        """The chosen qualifications that are on the list (a hostile post may name others: they have no
        detail fields, so they are left to validate_qualifications to refuse)."""
        return [c for c in self.qualifications.data or [] if c in expert.QUALIFICATIONS]

    def extra_data(self) -> dict:
        details = {}
        for code in self.chosen():
            details[code] = {"number": normalize.normalize_code(self[f"{code}_number"].data or "", keep_dashes=True),
                             "year": (self[f"{code}_year"].data or "").strip()}
            if code == "ipa_exam":
                details[code]["exam"] = self.ipa_exam_name.data or ""
        return {"details": details}


for _code in expert.QUALIFICATIONS:
    setattr(QualificationsForm, f"{_code}_number", StringField(QUALIFICATION_NUMBER_LABELS[_code], filters=[strip],
                                                                validators=[Optional(), Length(max=40)]))
    setattr(QualificationsForm, f"{_code}_year", StringField(QUALIFICATION_YEAR_LABELS[_code], filters=[strip],
                                                              validators=[Optional(), Length(max=10)],
                                                              render_kw={"inputmode": "numeric"}))


# --------------------------------------------------------------------------------- 5 profile

class ProfileForm(BaseForm):
    support_areas = CheckboxesField(_l("Areas you can support"), choices=choices(SUPPORT_AREA_LABELS),
                                        validators=[InputRequired(_l("Choose at least one area you can support."))])
    career = TextAreaField(_l("Career summary"), filters=[strip],
                           description=_l("Your work so far and the kind of support you have given, in up to "
                                          "2,000 characters. SMEs read this in the expert directory."),
                           validators=[InputRequired(_l("Write a short summary of your career.")),
                                       Length(max=2000, message=_l("Write at most 2,000 characters."))])
    delivery = RadioField(_l("How can you give support?"), choices=choices(DELIVERY_LABELS),
                          validators=[InputRequired(_l("Choose online, on site, or both."))])
    prefectures = CheckboxesField(_l("Prefectures you can visit"), choices=choices({p: p for p in PREFECTURES}),
                                      description=_l("Needed when you support on site."), validators=[Optional()])
    hourly_rate = YenField(_l("Your usual hourly rate (yen, tax included)"),
                           description=_l("The program pays up to 3,500 yen of it per hour; the SME pays the rest, "
                                          "at least 500 yen."),
                           validators=[InputRequired(_l("Enter your usual hourly rate in yen."))],
                           render_kw={"inputmode": "numeric"})
    accepts_introductions = RadioField(_l("May the secretariat introduce SMEs to you?"), choices=choices(YES_NO),
                                       description=_l("If yes, SMEs can also find you in the expert directory."),
                                       validators=[InputRequired(_l("Answer yes or no."))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.delivery.data in ("onsite", "both") and not self.prefectures.data:
            self.prefectures.errors.append(str(_l("Choose the prefectures you can visit.")))
        return ok and not any(f.errors for f in self)

    def validate_hourly_rate(self, field):
        if field.amount is not None and not 1 <= field.amount <= 1_000_000:
            raise ValidationError(_l("Enter an hourly rate between 1 and 1,000,000 yen."))


# --------------------------------------------------------------------------------- 6 bank

class BankCodeField(StringField):
    def display(self) -> str:
        found = zengin.bank(_code_or_none(bank.bank_code, self.data))
        return f"{found.name}（{found.code}）" if found else (self.data or str(_l("Not entered")))


class BranchCodeField(StringField):
    bank_field = "bank_code"

    def display(self) -> str:
        bank_code = _code_or_none(bank.bank_code, getattr(self, "_bank_value", None))
        found = zengin.branch(bank_code, _code_or_none(bank.branch_code, self.data))
        return f"{found.name}（{found.code}）" if found else (self.data or str(_l("Not entered")))


class NormalisedField(StringField):
    """Shown on the check page as the bank will read it (「１２３４５６７」 -> 1234567, 「さとう」 -> ｻﾄｳ)."""

    parser = None

    def display(self) -> str:
        value = _code_or_none(type(self).parser, self.data)
        return value or self.data or str(_l("Not entered"))


class AccountNumberField(NormalisedField):
    parser = staticmethod(bank.account_number)


class HolderField(NormalisedField):
    parser = staticmethod(bank.account_holder)


def _code_or_none(parser, text):
    try:
        return parser(text or "")
    except ValueError:
        return None


class RequiredMark:
    """Marks a field 「必須」 whose requirement the form checks itself (a bank account is required unless an
    invited expert has the honorarium paid to the corporation)."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class BankForm(BaseForm):
    payee = RadioField(_l("Where should the honorarium be paid?"), choices=choices(PAYEE_LABELS),
                       description=_l("Your corporation may receive the honoraria of its staff. Then you need not "
                                      "give a bank account."), validators=[Optional()])
    bank_code = BankCodeField(_l("Bank code (4 digits)"), filters=[strip], validators=[RequiredMark(), Optional()],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    branch_code = BranchCodeField(_l("Branch code (3 digits)"), filters=[strip], validators=[RequiredMark(), Optional()],
                                  render_kw={"inputmode": "numeric", "autocomplete": "off"})
    account_type = RadioField(_l("Bank account type"), choices=choices(ACCOUNT_TYPE_LABELS), validators=[RequiredMark(), Optional()])
    account_number = AccountNumberField(_l("Account number (7 digits)"), filters=[strip], validators=[RequiredMark(), Optional()],
                                 description=_l("If it has fewer than 7 digits, add zeros in front."),
                                 render_kw={"inputmode": "numeric", "autocomplete": "off"})
    account_holder = HolderField(_l("Account holder name in katakana"), filters=[strip], validators=[RequiredMark(), Optional()],
                                 description=_l("As printed in your bank book, for example ヤマダ タロウ."),
                                 render_kw={"autocomplete": "off"})
    account_owner = RadioField(_l("Whose account is it?"), choices=choices(ACCOUNT_OWNER_LABELS),
                               description=_l("In principle an account in your own name."), validators=[RequiredMark(), Optional()])
    account_corporate_number = StringField(_l("Corporate number of the account holder (corporate accounts only)"),
                                           filters=[strip], validators=[Optional()],
                                           render_kw={"inputmode": "numeric"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.branch_code._bank_value = self.bank_code.data

    def _optional(self) -> bool:
        """An account is optional for an invited expert (the preset of the answers this form shows or
        checks).  Shown to someone who is not the expert (the review page, built from the stored raw
        answers alone): the payee question is in those answers only when it was asked."""
        answers = getattr(self, "answers", None)
        if answers is None and presets.subject() is None:
            return bool(self.payee.data)
        return presets.bank_optional(answers)

    def __iter__(self):
        optional = self._optional()
        if optional and self.payee.data == "corporation":  # no account asked for, none listed
            return iter([f for f in super().__iter__() if f.name in ("payee", "csrf_token")])
        return iter([f for f in super().__iter__() if optional or f.name != "payee"])

    def paid_to_corporation(self) -> bool:
        return self._optional() and self.payee.data == "corporation"

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self._optional() and not self.payee.data:
            self.payee.errors = [*self.payee.errors, str(_l("Choose where the honorarium should be paid."))]
            return False
        if self.paid_to_corporation():
            return ok
        checks = (
            (self.bank_code, bank.bank_code, _l("Enter the bank code, or search by the bank's name.")),
            (self.branch_code, bank.branch_code, _l("Enter the branch code, or search by the branch's name.")),
            (self.account_number, bank.account_number, _l("Enter the account number.")),
            (self.account_holder, bank.account_holder, _l("Enter the account holder name in katakana.")),
        )
        for field, parser, missing in checks:
            if not (field.data or "").strip():
                field.errors = [*field.errors, str(missing)]
                continue
            try:
                parser(field.data)
            except ValueError as exc:
                field.errors = [*field.errors, str(exc)]
        for field, message in ((self.account_type, _l("Choose the account type.")),
                               (self.account_owner, _l("Choose whose account it is."))):
            if not field.data:
                field.errors = [*field.errors, str(message)]
        if not self.bank_code.errors and zengin.bank(bank.bank_code(self.bank_code.data)) is None:
            self.bank_code.errors.append(str(_l("No bank has this code. Check it, or search by the bank's name.")))
        elif not self.bank_code.errors and not self.branch_code.errors and zengin.branch(
                bank.bank_code(self.bank_code.data), bank.branch_code(self.branch_code.data)) is None:
            self.branch_code.errors.append(str(_l("This bank has no branch with this code. Check it, or search by "
                                                  "the branch's name.")))
        if self.account_owner.data:
            try:
                bank.check_owner(self.account_owner.data, self.account_corporate_number.data)
            except ValueError as exc:
                self.account_corporate_number.errors.append(str(exc))
        if self.account_owner.data == "personal" and not self.account_holder.errors:
            name_kana = step_data(getattr(self, "answers", None), "person").get("name_kana")
            if name_kana and not bank.holder_matches(bank.account_holder(self.account_holder.data), name_kana):
                self.account_holder.errors.append(str(_l(
                    "An account in your own name must be in the name you gave in the person step (%(kana)s). "
                    "For another name choose a corporate account, or correct the name.", kana=name_kana)))
        return ok and not any(f.errors for f in self)

    def extra_data(self) -> dict:
        if self.paid_to_corporation():
            return {"payee": "corporation", "bank_code": "", "branch_code": "", "account_type": "",
                    "account_number": "", "account_holder": "", "account_owner": "", "account_corporate_number": ""}
        out = {"bank_code": bank.bank_code(self.bank_code.data), "branch_code": bank.branch_code(self.branch_code.data),
               "account_number": bank.account_number(self.account_number.data),
               "account_holder": bank.account_holder(self.account_holder.data),
               "account_corporate_number": bank.check_owner(self.account_owner.data,
                                                            self.account_corporate_number.data) or ""}
        found = zengin.branch(out["bank_code"], out["branch_code"])
        out["bank_name"] = (zengin.bank(out["bank_code"]) or found).name
        out["branch_name"] = found.name if found else ""
        if self._optional():
            out["payee"] = "own"
        return out


# --------------------------------------------------------------------------------- 7 declaration

class DeclarationForm(BaseForm):
    agree_terms = BooleanField(_l("I agree to the terms of use in force and declare that my answers are true"),
                               validators=[InputRequired(_l("Agree to the terms of use to continue."))])
    no_antisocial_ties = BooleanField(_l("I declare that I am not, and have no ties to, an anti-social force"),
                                      validators=[InputRequired(_l("Make the declaration about anti-social forces "
                                                                   "to continue."))])
