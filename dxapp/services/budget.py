"""The one writer of money (MONEY.md §2, SECURITY.md rule 1): reserve, release, claim, unclaim,
refuse and pay, and ``verify``.

Every move changes three rows alike: the program budget, the SME's usage and the expert's usage, in
that fixed order, each with one conditional ``UPDATE ... SET c = c + :x WHERE <limit holds>`` whose row
count is checked.  A reservation that would pass a limit changes nothing: the three UPDATEs run in a
savepoint that is rolled back, and :class:`LimitReached` says which limit and how much room is left.
Nothing reads a counter and writes it back, and nothing relies on a row lock (SQLite ignores them);
the database's CHECKs refuse an overshoot even if a caller bypassed this module.  Each move is written
to the ledger (``budget_move``) with its audit event, in the caller's transaction; nothing commits here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.sql import ColumnElement

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import BudgetMove, ExpertCarryOver, HonorariumUsage, ProgramBudget, SupportPlan
from dxapp.rules import budget as rules
from dxapp.rules import subsidy
from dxapp.services import audit, rows


class LimitReached(Exception):
    """A reservation would pass a limit (``program``, ``sme`` or ``expert``): nothing was reserved.
    ``headroom_yen`` is what could still be reserved under that limit."""

    def __init__(self, limit: str, amount_yen: int, headroom_yen: int):
        super().__init__(f"{limit} limit: {amount_yen} yen asked, {headroom_yen} yen left")
        self.limit = limit
        self.amount_yen = amount_yen
        self.headroom_yen = headroom_yen


class CounterMismatch(Exception):
    """A release, claim or payment larger than what its counter holds: a defect in the caller (the
    plan or claim it came from is out of step with the counters).  Nothing was changed."""


@dataclass(frozen=True)
class Parties:
    """Whose limits a move counts against."""

    sme_user_id: int
    expert_user_id: int


# -------------------------------------------------------------------------------------- the rows

def usage_row(party: str, user_id: int, at: datetime | None = None) -> HonorariumUsage:
    """The usage row of an SME or expert, created on first use with its cap (rules/subsidy.py) and, for
    an expert, the Phase I honoraria as its prior amount.  Parallel first uses create one row."""
    found = _usage(party, user_id)
    if found is not None:
        return found
    when = at or clock.program_now()
    if party == "sme":
        cap, prior = subsidy.SME_CAP_YEN.as_of(when), 0
    elif party == "expert":
        carried = db.session.scalar(select(ExpertCarryOver.phase1_honorarium_yen)
                                    .where(ExpertCarryOver.user_id == user_id))
        cap, prior = subsidy.EXPERT_CAP_YEN.as_of(when), carried or 0
    else:
        raise ValueError(party)
    rows.insert_once(HonorariumUsage(party=party, user_id=user_id, cap_yen=cap, prior_yen=prior,
                                     committed_yen=0, claimed_yen=0, paid_yen=0))
    return _usage(party, user_id)


def _usage(party: str, user_id: int) -> HonorariumUsage | None:
    return db.session.scalars(select(HonorariumUsage).where(HonorariumUsage.party == party,
                                                            HonorariumUsage.user_id == user_id)).one_or_none()


def used_yen(party: str, user_id: int) -> int:
    """What already counts against the cap of an SME or expert (prior + committed + claimed + paid), read
    without creating the usage row (a GET changes nothing): 0 before the first move."""
    found = _usage(party, user_id)
    if found is None:
        return 0
    return rules.used(found.committed_yen, found.claimed_yen, found.paid_yen, found.prior_yen)


def program() -> ProgramBudget:
    """The program budget row (made by migration 0010)."""
    return db.session.get(ProgramBudget, 1, populate_existing=True)


# -------------------------------------------------------------------------------------- the moves

def reserve(parties: Parties, amount_yen: int, *, object_type: str, object_id, actor=None) -> BudgetMove:
    """Reserve ``amount_yen`` for a concluded plan (or the added hours of an approved change) under the
    program budget, the SME's cap and the expert's cap; :class:`LimitReached` when one would be passed
    (then nothing is reserved)."""
    return _move("reserve", parties, amount_yen, object_type, object_id, actor)


def release(parties: Parties, amount_yen: int, *, object_type: str, object_id, actor=None) -> BudgetMove:
    """Give back reserved money (fewer hours, a cancelled plan, the unclaimed rest of a plan)."""
    return _move("release", parties, amount_yen, object_type, object_id, actor)


def claim(parties: Parties, amount_yen: int, *, object_type: str, object_id, actor=None) -> BudgetMove:
    """A claim of ``amount_yen`` is submitted: reserved money becomes claimed money."""
    return _move("claim", parties, amount_yen, object_type, object_id, actor)


def unclaim(parties: Parties, amount_yen: int, *, object_type: str, object_id, actor=None) -> BudgetMove:
    """A returned claim is resubmitted with a lower amount: the difference goes back to the reservation."""
    return _move("unclaim", parties, amount_yen, object_type, object_id, actor)


def refuse(parties: Parties, amount_yen: int, *, object_type: str, object_id, actor=None) -> BudgetMove:
    """A claim is not approved: its amount leaves the claimed counter (back to the budget)."""
    return _move("refuse", parties, amount_yen, object_type, object_id, actor)


def pay(parties: Parties, amount_yen: int, *, object_type: str, object_id, actor=None) -> BudgetMove:
    """A transfer is confirmed: claimed money becomes paid money."""
    return _move("pay", parties, amount_yen, object_type, object_id, actor)


def _amount(amount_yen: int) -> int:
    if isinstance(amount_yen, bool) or not isinstance(amount_yen, int) or amount_yen <= 0:
        raise ValueError("amount_yen must be a positive integer of yen")
    return amount_yen


def _move(kind: str, parties: Parties, amount_yen: int, object_type: str, object_id, actor) -> BudgetMove:
    amount = _amount(amount_yen)
    at = clock.program_now()
    sme = usage_row("sme", parties.sme_user_id, at)
    expert = usage_row("expert", parties.expert_user_id, at)
    changes = rules.MOVES[kind]
    rows.begin_write()
    targets = (("program", ProgramBudget, ProgramBudget.id == 1, ProgramBudget.total_yen, None),
               ("sme", HonorariumUsage, HonorariumUsage.id == sme.id, HonorariumUsage.cap_yen,
                HonorariumUsage.prior_yen),
               ("expert", HonorariumUsage, HonorariumUsage.id == expert.id, HonorariumUsage.cap_yen,
                HonorariumUsage.prior_yen))
    try:
        with db.session.begin_nested():
            for limit, model, key, ceiling, prior in targets:
                conditions = [key, *_enough(model, changes, amount)]
                if kind == "reserve":
                    used = model.committed_yen + model.claimed_yen + model.paid_yen
                    if prior is not None:
                        used = used + prior
                    conditions.append(used + amount <= ceiling)
                values = {f"{counter}_yen": getattr(model, f"{counter}_yen") + sign * amount
                          for counter, sign in changes.items()}
                result = db.session.execute(update(model).where(*conditions).values(**values)
                                            .execution_options(synchronize_session=False))
                if result.rowcount != 1:
                    raise _Refused(limit)  # the savepoint rolls back what the earlier UPDATEs did
    except _Refused as refused:
        if kind == "reserve":
            raise LimitReached(refused.limit, amount, _headroom(refused.limit, sme.id, expert.id)) from None
        raise CounterMismatch(f"{kind} of {amount} yen on the {refused.limit} row: its counter holds less") from None
    _expire(sme, expert)
    move = BudgetMove(at=clock.wall_now(), kind=kind, amount_yen=amount, sme_user_id=parties.sme_user_id,
                      expert_user_id=parties.expert_user_id, object_type=object_type, object_id=str(object_id),
                      actor_id=getattr(actor, "id", actor))
    db.session.add(move)
    audit.record(f"budget.{kind}", object_type, object_id, actor=actor,
                 summary={"amount_yen": amount, "sme_user_id": parties.sme_user_id,
                          "expert_user_id": parties.expert_user_id})
    db.session.flush()
    return move


class _Refused(Exception):
    def __init__(self, limit: str):
        self.limit = limit


def _expire(*objects) -> None:
    """The UPDATEs changed rows underneath the identity map: loaded copies are read again when used."""
    for obj in objects:
        db.session.expire(obj)
    loaded = db.session.identity_map.get(db.session.identity_key(ProgramBudget, 1))
    if loaded is not None:
        db.session.expire(loaded)


def _enough(model, changes: dict[str, int], amount: int) -> list[ColumnElement]:
    """A counter that the move takes from must hold at least the amount."""
    return [getattr(model, f"{counter}_yen") >= amount for counter, sign in changes.items() if sign < 0]


def _headroom(limit: str, sme_id: int, expert_id: int) -> int:
    if limit == "program":
        row = program()
        return rules.headroom(row.total_yen, row.committed_yen, row.claimed_yen, row.paid_yen)
    row = db.session.get(HonorariumUsage, sme_id if limit == "sme" else expert_id, populate_existing=True)
    return rules.headroom(row.cap_yen, row.committed_yen, row.claimed_yen, row.paid_yen, row.prior_yen)


# ----------------------------------------------------------------------------- the budget's total

def set_total(total_yen: int, *, actor) -> None:
    """An administrator sets the program's 謝金予算額; never below what is already used (one
    conditional UPDATE: the refusal is :class:`LimitReached` with the amount used as headroom)."""
    if isinstance(total_yen, bool) or not isinstance(total_yen, int) or total_yen < 0:
        raise ValueError("total_yen must be a non-negative integer of yen")
    rows.begin_write()
    before = program().total_yen
    result = db.session.execute(
        update(ProgramBudget).where(ProgramBudget.id == 1,
                                    ProgramBudget.committed_yen + ProgramBudget.claimed_yen
                                    + ProgramBudget.paid_yen <= total_yen)
        .values(total_yen=total_yen, updated_at=clock.wall_now()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        row = program()
        raise LimitReached("program", total_yen, rules.used(row.committed_yen, row.claimed_yen, row.paid_yen))
    audit.record("budget.total_set", "program_budget", 1, actor=actor,
                 summary={"before_yen": before, "after_yen": total_yen})
    _expire()


@dataclass(frozen=True)
class Standing:
    """The program budget as the secretariat's page shows it."""

    total_yen: int
    committed_yen: int
    claimed_yen: int
    paid_yen: int

    @property
    def used_yen(self) -> int:
        return rules.used(self.committed_yen, self.claimed_yen, self.paid_yen)

    @property
    def remaining_yen(self) -> int:
        return rules.headroom(self.total_yen, self.committed_yen, self.claimed_yen, self.paid_yen)

    @property
    def intake_open(self) -> bool:
        return rules.intake_open(self.total_yen, self.claimed_yen, self.committed_yen + self.paid_yen)


def standing() -> Standing:
    row = program()
    return Standing(row.total_yen, row.committed_yen, row.claimed_yen, row.paid_yen)


# ------------------------------------------------------------------------------------------ verify

@dataclass(frozen=True)
class Difference:
    """One counter that is not what the ledger adds up to."""

    row: str            # "program", "sme 12", "expert 34"
    counter: str        # committed / claimed / paid
    stored_yen: int
    recomputed_yen: int


def verify() -> list[Difference]:
    """Recompute every counter from the ledger (and, once plans and claims exist, from them) and list
    the differences; an empty list means the money is exactly right."""
    differences: list[Difference] = []
    sums = {kind: amount for kind, amount in db.session.execute(
        select(BudgetMove.kind, func.coalesce(func.sum(BudgetMove.amount_yen), 0)).group_by(BudgetMove.kind))}
    row = program()
    differences += _compare("program", row, rules.effect([(k, int(v)) for k, v in sums.items() if v]))
    for party, column in (("sme", BudgetMove.sme_user_id), ("expert", BudgetMove.expert_user_id)):
        per_user: dict[int, list[tuple[str, int]]] = {}
        for user_id, kind, amount in db.session.execute(
                select(column, BudgetMove.kind, func.sum(BudgetMove.amount_yen)).group_by(column, BudgetMove.kind)):
            per_user.setdefault(user_id, []).append((kind, int(amount)))
        usages = {u.user_id: u for u in db.session.scalars(
            select(HonorariumUsage).where(HonorariumUsage.party == party)
            .execution_options(populate_existing=True))}
        for user_id in sorted(set(per_user) | set(usages)):
            expected = rules.effect(per_user.get(user_id, []))
            usage = usages.get(user_id)
            if usage is None:
                differences += [Difference(f"{party} {user_id}", c, 0, v) for c, v in expected.items() if v]
            else:
                differences += _compare(f"{party} {user_id}", usage, expected)
    differences += _plans_against_ledger()
    return differences


def _plans_against_ledger() -> list[Difference]:
    """Each support plan's reservation is what the ledger's moves on that plan leave committed."""

    committed_sign = {kind: change.get("committed", 0) for kind, change in rules.MOVES.items()}
    per_plan: dict[str, int] = {}
    for object_id, kind, amount in db.session.execute(
            select(BudgetMove.object_id, BudgetMove.kind, func.sum(BudgetMove.amount_yen))
            .where(BudgetMove.object_type == "support_plan").group_by(BudgetMove.object_id, BudgetMove.kind)):
        per_plan[object_id] = per_plan.get(object_id, 0) + committed_sign[kind] * int(amount)
    found = []
    for plan_id, reserved in db.session.execute(
            select(SupportPlan.id, SupportPlan.reserved_yen).execution_options(populate_existing=True)):
        expected = per_plan.pop(str(plan_id), 0)
        if reserved != expected:
            found.append(Difference(f"plan {plan_id}", "committed", reserved, expected))
    found += [Difference(f"plan {plan_id}", "committed", 0, amount) for plan_id, amount in per_plan.items() if amount]
    return found


def _compare(name: str, row, expected: dict[str, int]) -> list[Difference]:
    return [Difference(name, counter, getattr(row, f"{counter}_yen"), expected[counter])
            for counter in rules.COUNTERS if getattr(row, f"{counter}_yen") != expected[counter]]


def used_yen_of(party: str, user_ids) -> dict[int, int]:
    """:func:`used_yen` of many SMEs or experts in one query ({user id: yen}; 0 for those without a row),
    for lists that quote several experts at once (the SME's comparison of proposals)."""
    ids = set(user_ids)
    found = dict.fromkeys(ids, 0)
    if ids:
        for usage in db.session.scalars(select(HonorariumUsage).where(HonorariumUsage.party == party,
                                                                      HonorariumUsage.user_id.in_(ids))):
            found[usage.user_id] = rules.used(usage.committed_yen, usage.claimed_yen, usage.paid_yen, usage.prior_yen)
    return found
