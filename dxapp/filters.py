"""The filters of the matching pages (the secretariat's expert search for an introduction, the SMEs'
support packages): support area, prefecture, online or on site.  A plain GET form that changes
nothing, so it carries no CSRF token; the same fields the case search filters by (issue 12)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from dxapp.forms import BaseForm, choices
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.services import experts


class AreaPlaceModeFilters(BaseForm):
    class Meta:
        csrf = False  # a search form (GET): it changes nothing

    area = SelectField(_l("Support area"), choices=choices({"": _l("Any"), **SUPPORT_AREA_LABELS}),
                       validators=[Optional()])
    prefecture = SelectField(_l("Prefecture"), choices=choices({"": _l("Any"), **{p: p for p in experts.PREFECTURES}}),
                             validators=[Optional()])
    mode = SelectField(_l("Online or on site"),
                       choices=choices({"": _l("Any"), "online": _l("Online"), "onsite": _l("On site")}),
                       validators=[Optional()])

    def chosen(self) -> dict:
        """The filters as keyword arguments of the services' ``Filters`` (None for 'any')."""
        return {"area": self.area.data or None, "prefecture": self.prefecture.data or None,
                "mode": self.mode.data or None}
