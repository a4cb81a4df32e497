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

# Matching (issue 12; MONEY.md §1).  Each object's keys are exactly its rules' statuses (a test holds
# them equal); where two objects share an English word the Japanese differ, so the message ids differ.
PROPOSAL_LABELS = MappingProxyType({
    "sent": _l("Proposal sent"),
    "accepted": _l("Proposal accepted"),
    "declined": _l("Proposal not chosen"),
    "withdrawn": _l("Withdrawn"),
})

INTRODUCTION_LABELS = MappingProxyType({
    "introduced": _l("Introduced"),
    "accepted": _l("Introduction accepted"),
    "declined": _l("Introduction declined"),
})

SELF_MATCH_LABELS = MappingProxyType({
    "requested": _l("Waiting for the expert"),
    "confirmed": _l("Self-match confirmed"),
    "declined": _l("Self-match declined"),
    "cancelled": _l("Self-match cancelled"),
})

PACKAGE_LABELS = MappingProxyType({
    "draft": _l("Draft"),
    "published": _l("Package published"),
    "unpublished": _l("Package unpublished"),
})

# A reported message (issue 12 "Messages"): open until a clerk has looked at it.
REPORT_LABELS = MappingProxyType({
    "open": _l("Report not handled yet"),
    "handled": _l("Report handled"),
})
