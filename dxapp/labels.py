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
