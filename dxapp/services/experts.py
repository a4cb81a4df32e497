"""IT experts: the directory profile published when a registration (or a change) is approved, the
honoraria carried over from Phase I, and the directory query for SMEs.

The profile is refreshed inside the secretariat's approval transaction (``applications.on_status``),
with an audit event; the directory reads only the profile tables (indexed), never the JSON answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import (
    Application,
    ExpertCarryOver,
    ExpertProfile,
    ExpertProfileArea,
    ExpertProfilePrefecture,
    User,
)
from dxapp.rules import review as review_rules
from dxapp.rules import subsidy
from dxapp.services import audit, workflow
from dxapp.wizard.answers import Answers

PAGE_SIZE = 10

#: Support areas of the profile step (issue 5, step 5), in the order they are offered.
SUPPORT_AREAS = ("telework", "web_meetings", "ec_sites", "cashless", "security", "rpa", "cloud_accounting",
                 "online_events", "crowdfunding", "it_subsidy", "other")

PREFECTURES = review_rules.PREFECTURES  # the 47 prefectures, in the order of their codes


# ------------------------------------------------------------------------------------ the profile

def publish(application: Application, actor_id) -> ExpertProfile:
    """Create or refresh the expert's directory profile from approved answers (flushed in the caller's
    transaction, with an audit event)."""
    answers = Answers(application.answers)
    person, profile_data = answers.data("person"), answers.data("profile")
    participation = answers.value("participation", "participation") or "freelance"
    now = clock.wall_now()
    profile = db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == application.user_id))
    created = profile is None
    if created:
        profile = ExpertProfile(user_id=application.user_id, published_at=now)
        db.session.add(profile)
    rate = profile_data.get("hourly_rate")
    profile.application_id = application.change_of_id or application.id
    profile.name = (person.get("name") or "")[:100]
    profile.participation = participation
    profile.delivery = profile_data.get("delivery") if profile_data.get("delivery") in ("online", "onsite", "both") \
        else "online"
    profile.hourly_rate = rate if isinstance(rate, int) and rate >= 0 else 0
    profile.career = profile_data.get("career") or ""
    profile.qualifications = answers.many("qualifications", "qualifications")
    profile.listed = profile_data.get("accepts_introductions") == "yes"
    profile.updated_at = now
    profile.areas = [ExpertProfileArea(area=a) for a in (profile_data.get("support_areas") or []) if a in SUPPORT_AREAS]
    profile.prefectures = [ExpertProfilePrefecture(prefecture=p) for p in (profile_data.get("prefectures") or [])
                           if p in PREFECTURES]
    db.session.flush()
    audit.record("expert_profile.published" if created else "expert_profile.refreshed", "expert_profile", profile.id,
                 actor=actor_id, summary={"application": application.reference, "listed": profile.listed})
    return profile


def on_approved(application: Application, actor_id) -> None:
    """The ``("expert", "approved")`` hook (wired in create_app): the profile goes public."""
    publish(application, actor_id)


# ------------------------------------------------------------------------------------ honoraria

@dataclass(frozen=True)
class Honoraria:
    phase1_yen: int
    phase2_yen: int
    cap_yen: int

    @property
    def total_yen(self) -> int:
        return self.phase1_yen + self.phase2_yen

    @property
    def remaining_yen(self) -> int:
        return max(0, self.cap_yen - self.total_yen)


def honoraria(user) -> Honoraria:
    """Honoraria received so far against the cap of both phases (DOMAIN.md §4).  No Phase II payments
    exist yet, so Phase II is 0 yen until the payments issue adds them."""
    carried = db.session.scalar(select(ExpertCarryOver.phase1_honorarium_yen)
                                .where(ExpertCarryOver.user_id == user.id)) or 0
    return Honoraria(phase1_yen=carried, phase2_yen=0, cap_yen=subsidy.EXPERT_CAP_YEN.as_of(clock.program_now()))


def carry_over(user, amount_yen: int, *, actor=None) -> ExpertCarryOver:
    """Record the honoraria a Phase I expert received (demo data and the Phase I import)."""
    if not isinstance(amount_yen, int) or amount_yen < 0:
        raise ValueError("amount")
    row = db.session.scalar(select(ExpertCarryOver).where(ExpertCarryOver.user_id == user.id))
    if row is None:
        row = ExpertCarryOver(user_id=user.id, phase1_honorarium_yen=amount_yen, created_at=clock.wall_now())
        db.session.add(row)
    else:
        row.phase1_honorarium_yen = amount_yen
    db.session.flush()
    audit.record("expert.phase1_carried_over", "expert_carry_over", row.id, actor=actor,
                 summary={"user_id": user.id, "phase1_honorarium_yen": amount_yen})
    return row


# ------------------------------------------------------------------------------------ the directory

@dataclass(frozen=True)
class Filters:
    area: str | None = None
    prefecture: str | None = None
    delivery: str | None = None  # online | onsite
    rate_min: int | None = None
    rate_max: int | None = None


def directory(filters: Filters, page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[ExpertProfile], int]:
    """(profiles on this page, total matching).  Listed profiles only; an online filter also finds
    experts who do both, and so does on-site."""
    query = _listed()
    if filters.area:
        query = query.where(exists().where(ExpertProfileArea.profile_id == ExpertProfile.id,
                                           ExpertProfileArea.area == filters.area))
    if filters.prefecture:
        query = query.where(exists().where(ExpertProfilePrefecture.profile_id == ExpertProfile.id,
                                           ExpertProfilePrefecture.prefecture == filters.prefecture))
    if filters.delivery in ("online", "onsite"):
        query = query.where(ExpertProfile.delivery.in_((filters.delivery, "both")))
    if filters.rate_min is not None:
        query = query.where(ExpertProfile.hourly_rate >= filters.rate_min)
    if filters.rate_max is not None:
        query = query.where(ExpertProfile.hourly_rate <= filters.rate_max)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ExpertProfile.hourly_rate, ExpertProfile.id)
                              .offset((max(page, 1) - 1) * page_size).limit(page_size)).all()
    return list(rows), total or 0


def profile_of(user) -> ExpertProfile | None:
    return db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == user.id))


def listed_profile(profile_id) -> ExpertProfile | None:
    try:
        profile_id = int(profile_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(_listed().where(ExpertProfile.id == profile_id))


def _listed():
    """Listed profiles of experts whose account is active (a disabled account leaves the directory)."""
    return (select(ExpertProfile).join(User, User.id == ExpertProfile.user_id)
            .where(ExpertProfile.listed.is_(True), User.active.is_(True)))


# ------------------------------------------------------------------------------------ invitations

def decline_invitation(user, affiliation_id, *, version: int, draft_key: tuple[str, str]):
    """The expert declines an invitation of a supporter corporation (an ``invited`` affiliation of their
    own): the affiliation becomes ``declined`` through ``affiliations.respond`` (conditional UPDATE and
    audit event), then the draft loses the preset answers (kind and corporation, the honorarium
    paid to the corporation), so the expert answers those steps themselves (``draft.invitation_declined``,
    audited).  Should the draft have changed meanwhile it is left as it is: the preset is dropped anyway
    once the invitation is declined (dxapp.procedures.expert_registration.presets).  Raises LookupError for an
    affiliation not theirs, and workflow.Stale when it is no longer an open invitation or
    the version changed.  ``draft_key``: (wizard name, owner key) of the expert's registration draft."""
    from dxapp.services import affiliations, drafts

    try:
        affiliation_id = int(affiliation_id)
    except (TypeError, ValueError) as exc:
        raise LookupError(affiliation_id) from exc
    affiliation = affiliations.invitation_for(user.id, affiliation_id)
    if affiliation is None:
        raise LookupError(affiliation_id)
    affiliations.respond(affiliation, accept=False, version=version, actor=user)
    draft = drafts.get(*draft_key)
    current = Answers(draft.answers if draft is not None else None)
    preset = current.get("_preset")
    if isinstance(preset, dict) and str(preset.get("supporter_organisation_id")) == str(affiliation.organisation_id):
        undone = ("participation", "bank") if current.value("bank", "payee") == "corporation" else ("participation",)
        answers = Answers(Answers(current.without_keys("_preset")).without_steps(*undone)).without_partial(
            "participation")
        try:
            drafts.save(draft, draft.version, answers, slug="participation", raw={}, actor_id=user.id,
                        action="draft.invitation_declined")
        except workflow.Stale:
            pass
    return affiliation
