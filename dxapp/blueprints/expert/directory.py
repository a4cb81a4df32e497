"""The expert directory for logged-in SMEs (issue 5, "Expert directory"): approved experts who accept
introductions, filtered by support area, prefecture, online/on-site and hourly rate, paginated on the
server (a plain GET form; htmx may enhance it).  Profiles show no personal data: no address, phone,
e-mail, birth date or bank account."""

from __future__ import annotations

import math

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import Optional, ValidationError

from dxapp import clock
from dxapp.access import policy
from dxapp.forms import BaseForm, choices
from dxapp.procedures.expert_registration.forms import DELIVERY_LABELS, SUPPORT_AREA_LABELS
from dxapp.rules import expert, normalize, subsidy
from dxapp.services import experts

ROLES = ("sme", "desk", "admin")


def _yen_or_none(text):
    text = (text or "").strip()
    return normalize.parse_yen(text) if text else None


def _check_yen(form, field):
    try:
        _yen_or_none(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class DirectoryFilters(BaseForm):
    class Meta:
        csrf = False  # a search form (GET): it changes nothing

    area = SelectField(_l("Support area"), choices=choices({"": _l("Any"), **SUPPORT_AREA_LABELS}),
                       validators=[Optional()])
    prefecture = SelectField(_l("Prefecture"), choices=choices({"": _l("Any"), **{p: p for p in experts.PREFECTURES}}),
                             validators=[Optional()])
    delivery = SelectField(_l("Online or on site"),
                           choices=choices({"": _l("Any"), "online": _l("Online"), "onsite": _l("On site")}),
                           validators=[Optional()])
    rate_min = StringField(_l("Hourly rate from (yen)"), validators=[Optional(), _check_yen],
                           render_kw={"inputmode": "numeric"})
    rate_max = StringField(_l("Hourly rate up to (yen)"), validators=[Optional(), _check_yen],
                           render_kw={"inputmode": "numeric"})


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def register(bp) -> None:
    @policy(*ROLES)
    def listing():
        form = DirectoryFilters(formdata=request.args)
        valid = form.validate()
        filters = experts.Filters(
            area=form.area.data or None, prefecture=form.prefecture.data or None,
            delivery=form.delivery.data or None,
            rate_min=_yen_or_none(form.rate_min.data) if valid else None,
            rate_max=_yen_or_none(form.rate_max.data) if valid else None)
        page = _page()
        profiles, total = experts.directory(filters, page)
        pages = max(1, math.ceil(total / experts.PAGE_SIZE))
        args = {k: v for k, v in request.args.items() if k != "page" and v}
        return render_template("expert/directory.html", form=form, profiles=profiles, total=total, page=page,
                               pages=pages, args=args, area_labels=SUPPORT_AREA_LABELS,
                               delivery_labels=DELIVERY_LABELS), \
            (422 if form.errors else 200)

    @policy(*ROLES, "expert")
    def profile(profile_id: int):
        found = experts.listed_profile(profile_id)
        if found is None or (current_user.role == "expert" and found.user_id != current_user.id):
            abort(404)  # an expert sees only their own public profile
        quote = subsidy.quote(found.hourly_rate, 1, at=clock.program_now()) if found.hourly_rate else None
        return render_template("expert/profile.html", profile=found, quote=quote, area_labels=SUPPORT_AREA_LABELS,
                               delivery_labels=DELIVERY_LABELS, kinds=expert.KINDS,
                               qualification_names=expert.QUALIFICATIONS)

    bp.add_url_rule("/directory", "directory", listing)
    bp.add_url_rule("/directory/<int:profile_id>", "directory_profile", profile)
