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

#: Consultation cases (相談案件, MONEY.md §1): the status people see (dxapp.services.cases.shown_status:
#: 締切 also for a published case whose proposal deadline has passed), its kind and how support is given.
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

#: What each kind means for the SME (the wizard explains every choice).
CASE_KIND_HINTS = MappingProxyType({
    "support_wanted": _l("You want an IT expert and would like the secretariat to introduce one. Experts can also "
                         "send proposals."),
    "proposals_wanted": _l("Experts read your case and send proposals (plan, hours, hourly rate). You compare them "
                           "and choose one."),
    "no_proposals": _l("You already know the IT expert you will work with. The case records what you need; no "
                       "proposals are asked for."),
})

CASE_MODE_LABELS = MappingProxyType({
    "online": _l("Online"),
    "onsite": _l("On site"),
    "either": _l("Either online or on site"),
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

# Support plans (issue 13; MONEY.md §1).
PLAN_LABELS = MappingProxyType({
    "draft": _l("Draft"),
    "sme_review": _l("Waiting for the SME's agreement"),
    "sme_returned": _l("Returned by the SME"),
    "submitted": _l("Waiting for the secretariat's review"),
    "under_review": _l("Under review"),
    "returned": _l("Returned for correction"),
    "approved": _l("Approved"),
    "concluding": _l("Waiting for the other party's conclusion"),
    "running": _l("Support in progress"),
    "completed": _l("Support completed"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Rejected"),
})
#: A plan row that is a change of a concluded plan (計画変更), shown beside its status.
PLAN_CHANGE_LABEL = _l("Plan change")

# Registration and the desk (issue 10: every status label here, one source).
INQUIRY_LABELS = MappingProxyType({  # dxapp.models.content.INQUIRY_STATUSES
    "open": _l("Not assigned"),
    "assigned": _l("Being handled"),
    "closed": _l("Closed"),
})

#: An expert's membership of a supporter corporation (dxapp.models.supporter.AFFILIATION_STATUSES), as
#: the expert and the secretariat read it; the corporation reads a request as a request to join.
AFFILIATION_LABELS = MappingProxyType({
    "requested": _l("Waiting for the corporation to confirm"),
    "invited": _l("Invited"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "ended": _l("Ended"),
})
AFFILIATION_LABELS_FOR_CORPORATION = MappingProxyType({**AFFILIATION_LABELS, "requested": _l("Asks to join")})

ROSTER_IMPORT_LABELS = MappingProxyType({  # dxapp.models.supporter.ROSTER_STATUSES
    "preview": _l("Checked, not yet imported"),
    "confirmed": _l("Imported"),
    "discarded": _l("Discarded"),
})

MATCH_SIGNAL_LABELS = MappingProxyType({  # dxapp.rules.matching.SIGNAL_STATUSES
    "open": _l("Signal not yet checked"),
    "acknowledged": _l("Signal checked"),
})

MESSAGE_REPORT_LABELS = MappingProxyType({  # dxapp.rules.matching.REPORT_STATUSES
    "open": _l("Report not yet handled"),
    "handled": _l("Report handled"),
})

#: Every table with a status column and the labels of its statuses: the keys are exactly the values
#: its CHECK allows (tests/conventions/test_status_labels.py).  A new object with a status adds a line.
BY_TABLE = MappingProxyType({
    "application": STATUS_LABELS,
    "consultation_case": CASE_STATUS_LABELS,
    "inquiry": INQUIRY_LABELS,
    "affiliation": AFFILIATION_LABELS,
    "roster_import": ROSTER_IMPORT_LABELS,
    "proposal": PROPOSAL_LABELS,
    "introduction": INTRODUCTION_LABELS,
    "self_match": SELF_MATCH_LABELS,
    "support_package": PACKAGE_LABELS,
    "match_signal": MATCH_SIGNAL_LABELS,
    "message_report": MESSAGE_REPORT_LABELS,
    "support_plan": PLAN_LABELS,
})

#: A reported message (issue 12 "Messages"): the one source is MESSAGE_REPORT_LABELS.

REPORT_LABELS = MESSAGE_REPORT_LABELS
