"""Template globals and filters: hashed static URLs, dates in JST, yen, the program calendar."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from wtforms import Form

from dxapp import clock
from dxapp.clock import JST

WEEKDAYS_JA = "月火水木金土日"


def static_url(filename: str) -> str:
    from dxapp import static_hash

    return url_for("static", filename=filename, v=static_hash(current_app, filename))


def jst_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(JST)
    if str(get_locale()) == "en":
        return local.strftime("%Y-%m-%d %H:%M JST")
    return f"{local.year}年{local.month}月{local.day}日（{WEEKDAYS_JA[local.weekday()]}）{local:%H:%M}"


def jst_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(JST).date()
    if str(get_locale()) == "en":
        return value.strftime("%Y-%m-%d (%a)")
    return f"{value.year}年{value.month}月{value.day}日（{WEEKDAYS_JA[value.weekday()]}）"


def program_time(value: datetime | None) -> datetime | None:
    """A wall-time instant (row timestamps, expiries) on the program's clock, for display: in demo mode
    the pages show the banner's clock only.  Program-time values (timeline, submission) need none."""
    return clock.shown(value)


def yen(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:,}円"


def public_citation(citation: str) -> str:
    """The rules cite the program's announcement ("seed ..."), its terms of use ("利用規約 ...") and our
    design notes ("DOMAIN.md ...", "design"); people (applicants and clerks alike) see only the
    program's own documents, named as such: 事業案内 or 利用規約, else the program's operating rules."""
    parts = [part.strip() for part in (citation or "").split(";")]
    for part in parts:
        if part.startswith("seed "):
            guide = _("Program guide")  # outside the f-string, so that the catalog extraction sees it
            return f"{guide}: {part.removeprefix('seed ')}"
        if part.startswith("利用規約"):
            return part
    return _("The program's operating rules")


def forms_of(context) -> list:
    """The forms a page was given: every form in its context, and the forms of a list of
    ``(step, form)`` pairs (a section of several steps)."""
    found = []
    for value in context.values():
        if isinstance(value, Form):
            found.append(value)
        elif isinstance(value, list | tuple):
            found.extend(item[1] for item in value
                         if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Form))
    return found


@pass_context
def page_has_errors(context) -> bool:
    """True when a form on the page has an error (the layout's 「エラー: 」 title).  Views pass the forms,
    never a flag; a page with an error of its own (not a form's) sets ``has_errors`` in its template."""
    return bool(context.get("has_errors")) or any(f.errors for form in forms_of(context.get_all())
                                                   for f in form)


_NOT_ANSWERS = ("HiddenField", "CSRFTokenField", "SubmitField")


def answer_fields_of(form, step, desk=False) -> list:
    """The fields of a step's form that are questions (not hidden, token or button fields); at the
    desk, without those only the applicant answers (``step.applicant_fields``)."""
    fields = [f for f in form if f.type not in _NOT_ANSWERS]
    return [f for f in fields if f.name not in step.applicant_fields] if desk else fields


def one_question(fields) -> bool:
    """A step of one question (not a checkbox) is headed by the question itself, not by an <h1>."""
    return len(fields) == 1 and fields[0].type != "BooleanField"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(jst_datetime=jst_datetime, jst_date=jst_date, yen=yen, program_time=program_time,
                                 public_citation=public_citation)
    app.jinja_env.globals.update(static_url=static_url, csrf_token=generate_csrf, page_has_errors=page_has_errors,
                                 answer_fields_of=answer_fields_of, one_question=one_question)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def common():
        return {
            "program_now": clock.program_now(),
            "clock_shifted": current_app.extensions["dxapp_clock"].is_shifted,
            "demo_mode": current_app.config.get("DXAPP_DEMO"),
            "locale": str(get_locale()),
            "secretariat_phone": current_app.config["SECRETARIAT_PHONE"],
            "secretariat_hours": current_app.config["SECRETARIAT_HOURS"],
            "current_user": current_user,
            "request_path": request.full_path.rstrip("?") if has_request_context() else "/",
        }
