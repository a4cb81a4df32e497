"""The experts' case search (issue 12, "Experts find cases"): ``/expert/cases`` for approved IT experts,
a plain GET form (no CSRF token: it changes nothing) that htmx enhances (the results fragment swaps in as
the filters change and the URL is pushed, so the address bar always reproduces the page); the case as an
expert sees it; saved searches with their daily digest and the unsubscribe page (a POST button, never a
GET that unsubscribes)."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock, htmx
from dxapp.access import PUBLIC, policy
from dxapp.labels import CASE_KIND_LABELS, CASE_MODE_LABELS, CASE_STATUS_LABELS, STATUS_LABELS
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.services import case_search, experts


def _labels() -> dict:
    return {"area_labels": SUPPORT_AREA_LABELS, "kind_labels": CASE_KIND_LABELS, "mode_labels": CASE_MODE_LABELS,
            "case_status_labels": CASE_STATUS_LABELS}


def _refusal():
    """The page for an expert whose registration is not approved: why, and what to do (a page of the
    expert's own area, 200, for a GET; a refused POST answers 403 with the same page)."""
    status = case_search.registration_status(current_user)
    return (render_template("expert/cases/not_approved.html", status=status, status_labels=STATUS_LABELS),
            403 if request.method == "POST" else 200)


def _search_url(query: case_search.Query, page: int | None = None) -> str:
    values = query.args()
    if page and page > 1:
        values["page"] = str(page)
    return url_for("expert.cases", **values)


def register(bp) -> None:
    @policy("expert")
    def search():
        user = current_user._get_current_object()
        if not case_search.may_search(user):
            return _refusal()
        query = case_search.Query.from_args(request.args)
        result = case_search.search(query, at=clock.program_now())
        context = {"query": query, "result": result, "prefectures": experts.PREFECTURES,
                   "areas": experts.SUPPORT_AREAS, "is_saved": case_search.is_saved(user, query),
                   "page_url": lambda page: _search_url(query, page), **_labels()}
        body = htmx.page_or_partial("expert/cases/search.html", "expert/cases/_results.html", **context)
        response = make_response(body)
        if htmx.is_partial():
            htmx.push_url(response, _search_url(query, result.page))  # the address bar shows the one spelling
        return response

    @policy("expert")
    def detail(reference: str):
        if not case_search.may_search(current_user):
            return _refusal()
        card = case_search.visible_case(reference, at=clock.program_now())
        if card is None:
            abort(404)
        back_url = _search_url(case_search.Query.from_query_string(request.args.get("back", "")))
        return render_template("expert/cases/detail.html", card=card, back_url=back_url, **_labels())

    @policy("expert")
    def saved_list():
        user = current_user._get_current_object()
        if not case_search.may_search(user):
            return _refusal()
        rows = [(s, case_search.Query.from_query_string(s.query)) for s in case_search.saved_of(user)]
        return render_template("expert/cases/saved.html", rows=rows, **_labels())

    @policy("expert")
    def save():
        user = current_user._get_current_object()
        if not case_search.may_search(user):
            return _refusal()
        query = case_search.Query.from_query_string(request.form.get("query", ""))
        try:
            _saved, new = case_search.save(user, query)
        except case_search.SaveRefused as refused:
            message = {"empty": _("Choose at least one filter or type a word before you save a search."),
                       "too_many": _("You have %(n)s saved searches, the most you can keep. Delete one first.",
                                     n=case_search.MAX_SAVED)}[refused.code]
            flash(message, "error")
            return redirect(_search_url(query), 303)
        flash(_("The search is saved. You will get an e-mail on the days new matching cases are published.")
              if new else _("This search was saved already."), "success")
        return redirect(url_for("expert.saved_searches"), 303)

    @policy("expert")
    def delete(saved_id: int):
        if not case_search.may_search(current_user):
            return _refusal()
        if not case_search.delete(current_user, saved_id):
            abort(404)
        flash(_("The saved search is deleted. It sends no more e-mails."), "success")
        return redirect(url_for("expert.saved_searches"), 303)

    @policy(PUBLIC)
    def unsubscribe(token: str):
        saved = case_search.by_token(token)
        if saved is None:
            abort(404)
        if request.method == "POST":
            case_search.unsubscribe(saved)
            return redirect(url_for("expert.unsubscribe", token=token), 303)
        query = case_search.Query.from_query_string(saved.query)
        return render_template("expert/cases/unsubscribe.html", saved=saved, query=query, token=token, **_labels())

    bp.add_url_rule("/cases", "cases", search)
    bp.add_url_rule("/cases/<reference>", "case_detail", detail)
    bp.add_url_rule("/saved-searches", "saved_searches", saved_list)
    bp.add_url_rule("/saved-searches", "save_search", save, methods=["POST"])
    bp.add_url_rule("/saved-searches/<int:saved_id>/delete", "delete_saved_search", delete, methods=["POST"])
    bp.add_url_rule("/saved-searches/unsubscribe/<token>", "unsubscribe", unsubscribe, methods=["GET", "POST"])
