"""Labels shown on pages, in the user's language.  ``dxapp.rules.application.STATUS_LABELS`` holds the
program's official Japanese names (used in e-mails and by the rules); these are the same names as
message ids, so the English UI says "Under review" and the Japanese one 「審査中」, and a test keeps the
Japanese catalog equal to the official names."""

from __future__ import annotations

from types import MappingProxyType

from flask_babel import lazy_gettext as _l

STATUS_LABELS = MappingProxyType({
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "returned": _l("Returned for correction"),
    "resubmitted": _l("Resubmitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
})

# Consultation cases (issue 12): the status people see (dxapp.rules.cases.effective_status), the kind and
# the mode of a case.
CASE_STATUS_LABELS = MappingProxyType({
    "draft": _l("Draft"),
    "published": _l("Open for proposals"),
    "closed": _l("Closed for proposals"),
    "matched": _l("Matched"),
    "withdrawn": _l("Withdrawn"),
})
CASE_KIND_LABELS = MappingProxyType({
    "support_wanted": _l("Support wanted"),
    "proposals_wanted": _l("Proposals wanted"),
    "no_proposals": _l("No proposals needed"),
})
CASE_MODE_LABELS = MappingProxyType({
    "online": _l("Online"),
    "onsite": _l("On site"),
    "either": _l("Online or on site"),
})
