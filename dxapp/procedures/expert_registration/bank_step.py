"""Step 6 of the expert wizard: the bank account for the honorarium (issue 5, step 6).

Bank and branch are chosen by code or by name from offline data (dxapp.bank, the zengin-code package).
With JavaScript the names typed in the search boxes go to the step's live check (a GET carrying only
the bank and branch fields, never the account number) and the matches come back as a fragment; the
matches are buttons that post the whole form to ``.../bank/search``, which shows the step again with the
choice filled in and saves nothing.  Without JavaScript the 「検索」 button posts there too, so nothing
typed is lost and no account detail ends up in a URL.  A ゆうちょ銀行 bank book's 記号 and 番号 (outside
the live check's fields: they are the account) post there too and come back converted into the bank,
branch, account type and account number (issue 11 item 19)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import make_response, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from dxapp import bank as zengin
from dxapp import htmx
from dxapp.access import policy
from dxapp.rules import bank

SLUG = "bank"
SEARCH_FIELDS = ("bank_code", "branch_code", "bank_query", "branch_query")


def _parsed(parser, text):
    try:
        return parser(text or ""), None
    except ValueError as exc:
        return None, str(exc)


def bank_panel(values: Mapping, _answers: Mapping) -> dict:
    """The bank and branch of the codes typed, and the matches of the names typed."""
    bank_text, branch_text = (values.get("bank_code") or "").strip(), (values.get("branch_code") or "").strip()
    bank_query, branch_query = (values.get("bank_query") or "").strip()[:40], (values.get("branch_query") or "").strip()[:40]
    bank_code, bank_problem = _parsed(bank.bank_code, bank_text) if bank_text else (None, None)
    found_bank = zengin.bank(bank_code) if bank_code else None
    if bank_code and found_bank is None:
        bank_problem = "この金融機関コードは見つかりません。金融機関名で検索してください。"
    branch_code, branch_problem = _parsed(bank.branch_code, branch_text) if branch_text else (None, None)
    found_branch = zengin.branch(found_bank.code, branch_code) if found_bank and branch_code else None
    if found_bank and branch_code and found_branch is None:
        branch_problem = "この支店コードは見つかりません。支店名で検索してください。"
    return {
        "bank": found_bank, "branch": found_branch, "bank_problem": bank_problem, "branch_problem": branch_problem,
        "bank_query": bank_query, "branch_query": branch_query,
        "bank_candidates": zengin.search_banks(bank_query) if bank_query else [],
        "branch_candidates": zengin.search_branches(found_bank.code, branch_query) if found_bank and branch_query
        else [],
    }


def _yucho(values: MultiDict) -> dict:
    """The 記号 and 番号 of a ゆうちょ銀行 bank book converted (rules.bank.yucho_account) into the bank code
    9900, the branch, the account type and the account number, written into ``values`` (the step's form
    shows them); or the problem, with the typed 記号 and 番号 kept."""
    from dxapp.procedures.expert_registration.forms import ACCOUNT_TYPE_LABELS

    symbol, number = (values.get("yucho_symbol") or "")[:20], (values.get("yucho_number") or "")[:20]
    kept = {"symbol": symbol, "number_typed": number}
    try:
        account = bank.yucho_account(symbol, number)
    except ValueError as exc:
        return {**kept, "problem": str(exc)}
    values["bank_code"], values["branch_code"] = bank.YUCHO_BANK_CODE, account.branch_code
    values["account_type"], values["account_number"] = account.account_type, account.account_number
    values["bank_query"] = values["branch_query"] = ""
    found = zengin.branch(bank.YUCHO_BANK_CODE, account.branch_code)
    branch = f"{found.name}（{found.code}）" if found else account.branch_code
    return {**kept, "done": True, "branch": branch, "kind": str(ACCOUNT_TYPE_LABELS[account.account_type]),
            "number": account.account_number}


def register(bp, routes, *, write_guard) -> None:
    wizard = routes.wizard
    step = wizard.step(SLUG)

    @policy("expert")
    def search():
        """Show the bank step again with a bank or branch chosen, or the matches of the names typed.
        A POST because the form carries the account details; it saves nothing."""
        draft = routes.draft()
        if not wizard.can_open(draft.answers, SLUG):
            first = wizard.first_incomplete_step(draft.answers)
            return redirect(url_for(routes.ep("step"), slug=first.slug) if first else url_for(routes.ep("check")),
                            303)
        values = MultiDict(request.form)
        chosen_bank, _problem = _parsed(bank.bank_code, request.form.get("bank_choice", ""))
        chosen_branch, _problem = _parsed(bank.branch_code, request.form.get("branch_choice", ""))
        # What was typed, as the rules read it (「０００１」 is bank 0001); kept as typed when it is not a code.
        typed_bank = _parsed(bank.bank_code, values.get("bank_code", ""))[0]
        problems = {}
        if request.form.get("bank_choice"):
            if chosen_bank is None or zengin.bank(chosen_bank) is None:
                problems["bank_problem"] = _("The bank chosen was not found. Search for it by name again.")
            else:
                if typed_bank != chosen_bank:
                    values["branch_code"] = ""
                values["bank_code"] = typed_bank = chosen_bank
                values["bank_query"] = ""
        yucho = _yucho(values) if request.form.get("yucho") else None
        if yucho and yucho.get("done"):
            typed_bank = bank.YUCHO_BANK_CODE
        if request.form.get("branch_choice") and not problems:
            if typed_bank is None or chosen_branch is None or zengin.branch(typed_bank, chosen_branch) is None:
                problems["branch_problem"] = _("This bank has no such branch. Check the bank code, then search "
                                               "for the branch by name again.")
            else:
                values["bank_code"] = typed_bank
                values["branch_code"] = chosen_branch
                values["branch_query"] = ""
        form = step.form(formdata=values)
        form.answers = draft.answers
        panel = bank_panel({k: values.get(k, "") for k in SEARCH_FIELDS}, draft.answers)
        panel.update(problems)
        if yucho is not None:
            panel["yucho"] = yucho
        returning = request.args.get("return") == "check" or request.form.get("return") == "check"
        body, status = routes.render_step(step, draft, form, returning, status=200, panel=panel)
        response = make_response(body, status)
        if htmx.is_boosted():
            htmx.push_url(response, url_for(routes.ep("step"), slug=SLUG, **({"return": "check"} if returning else {})))
        return response

    bp.add_url_rule(f"{routes.prefix}/{SLUG}/search", "bank_search", search, methods=["POST"])
