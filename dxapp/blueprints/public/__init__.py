"""Public pages: home with the calendar, news, FAQ, terms, inquiry form, language switch."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import EmailField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import Email, Length, Optional

from dxapp import clock
from dxapp.access import PUBLIC, policy
from dxapp.extensions import db, limiter
from dxapp.forms import BaseForm, InputRequired, choices
from dxapp.models import NewsItem
from dxapp.procedures.calendar import calendar_rows
from dxapp.rules import references
from dxapp.services import inquiries, terms

bp = Blueprint("public", __name__)

@bp.route("/")
@policy(PUBLIC)
def index():
    now = clock.program_now()
    news = db.session.scalars(
        select(NewsItem).where(NewsItem.published_on <= now.date()).order_by(NewsItem.published_on.desc()).limit(3)
    ).all()
    return render_template("public/index.html", rows=calendar_rows(now), news=news)


@bp.route("/news")
@policy(PUBLIC)
def news():
    items = db.session.scalars(
        select(NewsItem).where(NewsItem.published_on <= clock.program_today())
        .order_by(NewsItem.published_on.desc()).limit(50)
    ).all()
    return render_template("public/news.html", items=items)


@bp.route("/faq")
@policy(PUBLIC)
def faq():
    return render_template("public/faq.html")


@bp.route("/terms")
@policy(PUBLIC)
def terms_page():
    return render_template("public/terms.html", versions=terms.current_versions())


@bp.route("/accessibility")
@policy(PUBLIC)
def accessibility():
    return render_template("public/accessibility.html")


class InquiryForm(BaseForm):
    name = StringField(_l("Your name"), validators=[InputRequired(_l("Enter your name.")), Length(max=100)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter your e-mail address.")), Length(max=254),
        Email(_l("Enter an e-mail address in the form name@example.jp."))],
        render_kw={"autocomplete": "email", "spellcheck": "false"})
    phone = TelField(_l("Phone number"), validators=[Optional(), Length(max=20)],
                     description=_l("If you would like us to call you back."), render_kw={"autocomplete": "tel"})
    category = RadioField(_l("What is your question about?"), choices=choices({
        "registration": _l("Registration"), "matching": _l("Finding an expert or an SME"),
        "contract": _l("Support plans and contracts"), "report": _l("Reports and honorarium claims"),
        "other": _l("Something else")}), validators=[InputRequired(_l("Choose what your question is about."))])
    body = TextAreaField(_l("Your question"), validators=[
        InputRequired(_l("Enter your question.")), Length(max=4000, message=_l("Write at most 4,000 characters."))],
        description=_l("Do not write passwords, bank account numbers or My Number."))


@bp.route("/inquiry", methods=["GET", "POST"])
@policy(PUBLIC)
@limiter.limit("10 per hour", exempt_when=lambda: request.method != "POST")
def inquiry():
    form = InquiryForm()
    if request.method == "POST" and form.validate():
        item = inquiries.receive(name=form.name.data, email=form.email.data, phone=form.phone.data,
                                 category=form.category.data, body=form.body.data, language=str(get_locale()),
                                 user_id=current_user.id if current_user.is_authenticated else None)
        return redirect(url_for("public.inquiry_sent", reference=item.reference), 303)
    status = 422 if form.errors else 200
    return render_template("public/inquiry.html", form=form), status


@bp.route("/inquiry/sent/<reference>")
@policy(PUBLIC)
def inquiry_sent(reference: str):
    if not references.valid("inquiry", reference):
        abort(404)
    return render_template("public/inquiry_sent.html", reference=reference)


@bp.route("/language", methods=["POST"])
@policy(PUBLIC)
def set_language():
    lang = request.form.get("lang")
    if lang in ("ja", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:  # the account's preference: its e-mails follow it
            from dxapp.services import accounts

            accounts.set_locale(current_user._get_current_object(), lang)
    from dxapp.security import local_path

    return redirect(local_path(request.form.get("next")) or "/", 303)
