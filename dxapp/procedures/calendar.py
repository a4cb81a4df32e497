"""The program calendar as the My Pages and the home page show it: one row per window of the calendar
in force (with the secretariat's overrides), open or not at a given time.  Below the blueprints, so
every blueprint shows the same rows without importing another blueprint."""

from __future__ import annotations

from flask_babel import get_locale

from dxapp.procedures.spec import calendar_in_force, window_refusal
from dxapp.rules import calendar as calendars

CALENDAR_ORDER = ("phase1_login", "registration", "contract", "report", "claim")
# The rules carry the Japanese labels (the program's own words); English pages use these.
CALENDAR_LABELS_EN = {
    "phase1_login": "Phase I users start using Phase II",
    "registration": "New registrations (SMEs, IT experts, SME supporters)",
    "contract": "Support plans and contracts concluded",
    "report": "Support finished and reported",
    "claim": "Honorarium claims",
}


def calendar_rows(at):
    """The program calendar in force (with the secretariat's overrides), one row per window."""
    calendar = calendar_in_force()
    rows = []
    for action in CALENDAR_ORDER:
        window = calendars.window(action, calendar)
        rows.append({
            "action": action,
            "label": CALENDAR_LABELS_EN[action] if str(get_locale()) == "en" else calendars.LABELS[action],
            "opens": window.opens_at,
            "last_day": calendars.last_day(window),
            "open": window_refusal(action, at, calendar) is None,
        })
    return rows
