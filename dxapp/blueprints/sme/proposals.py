"""The SME's side of proposals (提案, issue 12): ``/sme/cases/<id>/proposals``, the proposals of one of
its cases side by side (the expert's public profile name and areas, rate, hours, the SME's share, rating
so far, message), accept one (a confirmation page, then POST -> 303; the others are declined and told
politely by e-mail) or decline one.

Cases are loaded through the SME's own scope (``services.cases.owned``) and proposals through the case,
so another SME's case or proposal is a 404.  Every refusal is a page that says why and what to do."""

from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import inputs, transaction
from dxapp.access import policy
from dxapp.errors import conflict
from dxapp.labels import PROPOSAL_LABELS, STATUS_LABELS
from dxapp.procedures.expert_registration.forms import SUPPORT_AREA_LABELS
from dxapp.services import cases
from dxapp.services import proposals as service
from dxapp.services.workflow import Stale


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _case(case_id):
    case = cases.owned(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _proposal(case, proposal_id):
    proposal = service.on_case(case, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def _refused(exc: service.ProposalRefused, case):
    transaction.rollback()  # nothing of a refused action stays
    return render_template("proposals/refused.html", code=exc.code, side="sme", case=case, proposal=exc.proposal,
                           back_url=url_for("sme.case_proposals", case_id=case.id), status_labels=STATUS_LABELS,
                           proposal_labels=PROPOSAL_LABELS), 409


def register(bp) -> None:
    @policy("sme")
    def comparison(case_id: int):
        case = _case(case_id)
        page = _page()
        rows, total = service.comparison(case, page=page)
        pages = max(1, math.ceil(total / service.PAGE_SIZE))
        return render_template("proposals/compare.html", case=case, rows=rows, total=total, page=page, pages=pages,
                               labels=PROPOSAL_LABELS, area_labels=SUPPORT_AREA_LABELS,
                               shown_status=cases.shown_status(case))

    @policy("sme")
    def accept(case_id: int, proposal_id: int):
        case = _case(case_id)
        proposal = _proposal(case, proposal_id)
        back = url_for("sme.case_proposals", case_id=case.id)
        if request.method == "GET":
            if proposal.status != "sent" or case.status in ("withdrawn", "matched"):
                code = "not_open" if proposal.status != "sent" else f"case_{case.status}"
                return _refused(service.ProposalRefused(code, proposal), case)
            [row] = service.rows_of(case, [proposal])
            others = service.open_count(case) - 1
            panel = {"state": "quoted", "quote": row.quote, "reasons": [r.as_dict() for r in row.quote.reasons]}
            return render_template("proposals/accept.html", case=case, row=row, others=others, panel=panel,
                                   area_labels=SUPPORT_AREA_LABELS, back_url=back)
        version = inputs.posted_version()
        try:
            service.accept(proposal, case, version=version, actor=current_user._get_current_object())
        except service.ProposalRefused as exc:
            return _refused(exc, case)
        except Stale as stale:
            return conflict(stale, back_url=back)
        flash(_("You have accepted the proposal of %(name)s: the match is made. The expert and the other experts "
                "have been told by e-mail. Next, the expert drafts the support plan with you.",
                name=service.expert_name(proposal.expert_user_id)), "success")
        return redirect(back, 303)

    @policy("sme")
    def decline(case_id: int, proposal_id: int):
        case = _case(case_id)
        proposal = _proposal(case, proposal_id)
        back = url_for("sme.case_proposals", case_id=case.id)
        version = inputs.posted_version()
        try:
            service.decline(proposal, case, version=version, actor=current_user._get_current_object())
        except service.ProposalRefused as exc:
            return _refused(exc, case)
        except Stale as stale:
            return conflict(stale, back_url=back)
        flash(_("You have declined the proposal. The expert has been told politely by e-mail."), "success")
        return redirect(back, 303)

    bp.add_url_rule("/cases/<int:case_id>/proposals", "case_proposals", comparison)
    bp.add_url_rule("/cases/<int:case_id>/proposals/<int:proposal_id>/accept", "accept_proposal", accept,
                    methods=["GET", "POST"])
    bp.add_url_rule("/cases/<int:case_id>/proposals/<int:proposal_id>/decline", "decline_proposal", decline,
                    methods=["POST"])
