"""Who may take part as an IT expert (IT専門家).

Source: seed 「IT専門家の範囲」 (individuals - freelance, or side/dual job with the employer's permission -
or people belonging to a corporation certified as 認定情報処理支援機関 (SMEサポーター) and registered in
the program); DOMAIN.md §6.1 (from 2021-10-19 individual experts must hold at least one listed
qualification, published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from dxapp.rules import JST, Dated, Decision, Reason, require_aware

__all__ = ["KINDS", "QUALIFICATIONS", "QUALIFICATION_REQUIRED", "ExpertDecision", "ExpertFacts", "assess"]

#: The listed qualifications (DOMAIN.md §6.1, published; required from 2021-10-19).
QUALIFICATIONS = MappingProxyType({
    "sme_consultant": "中小企業診断士",
    "ipa_exam": "情報処理技術者試験（IPA）",
    "security_specialist": "情報処理安全確保支援士",
    "web_design_skill": "ウェブデザイン技能検定",
    "professional_engineer_it": "技術士・技術士補（情報工学部門）",
    "it_coordinator": "ITコーディネータ",
})

KINDS = MappingProxyType({
    "freelance": "フリーランス",
    "side_job": "兼業・副業",
    "supporter_member": "SMEサポーター（認定情報処理支援機関）に所属",
})

CITE_SCOPE = "seed IT専門家の範囲; DOMAIN.md §6.1"
CITE_QUALIFICATION = "DOMAIN.md §6.1「From 2021-10-19 individual experts must hold at least one listed qualification」"

#: Whether individual experts (freelance, side job) must hold a listed qualification.
QUALIFICATION_REQUIRED: Dated[bool] = Dated("個人のIT専門家の資格要件", (
    (None, False, "seed IT専門家の範囲「特別な資格などは問いません」（第Ⅱ期 2021-04-26〜）"),
    (datetime(2021, 10, 19, 0, 0, tzinfo=JST), True, f"{CITE_QUALIFICATION}（2021-10-19 00:00 JST〜）"),
))


@dataclass(frozen=True)
class ExpertFacts:
    """What the expert told us.  ``supporter_certified``: the chosen corporation is certified as
    認定情報処理支援機関 and approved in the program.  ``qualifications`` may be any iterable of codes
    (kept as a frozenset).  No validation here: :func:`assess` validates."""

    kind: str
    employer_permission: bool = False
    qualifications: frozenset[str] = field(default_factory=frozenset)
    supporter_certified: bool = False

    def __post_init__(self) -> None:
        value = self.qualifications
        if value is None:
            object.__setattr__(self, "qualifications", frozenset())
        elif not isinstance(value, (frozenset, str)):
            try:
                object.__setattr__(self, "qualifications", frozenset(value))
            except TypeError:
                pass  # assess() reports it


@dataclass(frozen=True, kw_only=True)
class ExpertDecision(Decision):
    eligible: bool


def _validate(facts: ExpertFacts) -> None:
    if facts.kind not in KINDS:
        raise ValueError("IT専門家の区分（フリーランス・兼業・副業・SMEサポーターに所属）を選んでください。")
    if not isinstance(facts.qualifications, frozenset):
        raise ValueError("保有資格は一覧から選んでください。")
    unknown = [code for code in facts.qualifications if code not in QUALIFICATIONS]
    if unknown:
        raise ValueError("保有資格は一覧から選んでください。")
    for value in (facts.employer_permission, facts.supporter_certified):
        if not isinstance(value, bool):
            raise ValueError("「はい」か「いいえ」を選んでください。")


def assess(facts: ExpertFacts, at: datetime) -> ExpertDecision:
    """Seed IT専門家の範囲 and DOMAIN.md §6.1, at the aware instant ``at``:

    * a side-job expert needs the employer's permission (seed: 「副業・兼業の場合は所属先から許可をもらって
      いる方」; Phase II from 2021-04-26);
    * a supporter member needs a corporation certified as 認定情報処理支援機関 and registered in the
      program (seed; Phase II from 2021-04-26);
    * individuals (freelance and side job) need at least one listed qualification from
      2021-10-19 00:00 JST on (published; dated parameter :data:`QUALIFICATION_REQUIRED`).

    Raises ``ValueError`` (Japanese) for an unknown kind or qualification, or a naive ``at``.
    """
    _validate(facts)
    when = require_aware(at, "判定の基準日時")
    reasons: list[Reason] = []
    eligible = True

    if facts.kind == "side_job":
        if facts.employer_permission:
            reasons.append(Reason("employer_permission_given", "所属先から兼業・副業の許可を得ています。", CITE_SCOPE))
        else:
            eligible = False
            reasons.append(Reason("employer_permission_missing",
                                  "兼業・副業の方は所属先の許可が必要です。所属先から許可を得て、許可書をアップロードしてください。",
                                  CITE_SCOPE))
    if facts.kind == "supporter_member":
        if facts.supporter_certified:
            reasons.append(Reason("supporter_certified",
                                  "所属先は認定情報処理支援機関（SMEサポーター）として本事業に登録されています。", CITE_SCOPE))
        else:
            eligible = False
            reasons.append(Reason("supporter_not_certified",
                                  "所属先が認定情報処理支援機関（SMEサポーター）として本事業に登録・承認されていません。"
                                  "所属先の法人に、先にSMEサポーターとしての登録を済ませてもらってください。", CITE_SCOPE))
    else:
        required = QUALIFICATION_REQUIRED.as_of(when)
        held = sorted(facts.qualifications, key=list(QUALIFICATIONS).index)
        if held:
            names = "、".join(QUALIFICATIONS[code] for code in held)
            reasons.append(Reason("qualification_held", f"保有資格：{names}。",
                                  QUALIFICATION_REQUIRED.source_as_of(when)))
        elif required:
            eligible = False
            reasons.append(Reason("qualification_missing",
                                  "2021年10月19日から、個人のIT専門家は次の資格のうち1つ以上が必要です："
                                  + "、".join(QUALIFICATIONS.values()) + "。保有している資格を選んでください。",
                                  QUALIFICATION_REQUIRED.source_as_of(when)))
        else:
            reasons.append(Reason("qualification_not_required",
                                  "2021年10月18日までは資格がなくても登録できます（2021年10月19日からは所定の資格が1つ以上必要です）。",
                                  QUALIFICATION_REQUIRED.source_as_of(when)))
    if eligible:
        reasons.append(Reason("eligible", "IT専門家として本事業の対象です。", CITE_SCOPE))
    return ExpertDecision(eligible=eligible, reasons=tuple(reasons))
