"""The program calendar in force, for every window check (procedures, cases, and later plans, reports
and claims): the app's ``PROGRAM_CALENDAR`` override when configured (the secretariat's overrides, a
test's), else the published Phase II calendar.  Below the procedures, so services default to it too
and an override (or, later, a freeze) is never missed by a check that forgot to pass a calendar."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, has_app_context

from dxapp.rules import calendar as calendars


def in_force() -> Mapping[str, calendars.Window]:
    if has_app_context():
        override = current_app.config.get("PROGRAM_CALENDAR")
        if override is not None:
            return override
    return calendars.PHASE2
