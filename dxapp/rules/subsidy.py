"""The honorarium (謝金) the secretariat pays the expert, and the SME's share.

Source: seed 「第Ⅱ期 中小企業デジタル化応援隊事業の取り組み」 (最大3,500円/時間(税込); 中小企業等の実費負担が
最低500円/時間(税込)以上あることが謝金支払の要件) and its example (4,000円 x 40時間 -> SME 20,000円, 謝金
140,000円); DOMAIN.md §4 (caps per SME 300,000 yen and per expert 1,500,000 yen over both phases;
half-hour steps and "the SME's share grows when a cap cuts the honorarium" are design).

The four amounts are dated parameters (:class:`dxapp.rules.Dated`): ``quote(at=...)`` looks them up.
They are recorded from Phase II's start (2021-04-26 10:00 JST, seed 各種期間); no other value is known,
so the first row also answers for earlier instants.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from dxapp.rules import PHASE2_START, Dated, Decision, Reason, require_aware

__all__ = [
    "EXPERT_CAP_YEN",
    "HONORARIUM_CAP_PER_HOUR",
    "MIN_SME_SHARE_PER_HOUR",
    "SME_CAP_YEN",
    "Quote",
    "honorarium_per_hour",
    "parse_hours",
    "quote",
]

_SEED_MONEY = "seed 第Ⅱ期 中小企業デジタル化応援隊事業の取り組み"

HONORARIUM_CAP_PER_HOUR: Dated[int] = Dated("謝金の時間単価の上限", (
    (None, 3_500, f"{_SEED_MONEY}「最大3,500円/時間(税込)」; DOMAIN.md §4（第Ⅱ期 2021-04-26〜）"),
))
MIN_SME_SHARE_PER_HOUR: Dated[int] = Dated("中小企業等の最低負担額（1時間あたり）", (
    (None, 500, f"{_SEED_MONEY}「中小企業等の実費負担が最低500円/時間(税込)以上」; DOMAIN.md §4（第Ⅱ期 2021-04-26〜）"),
))
SME_CAP_YEN: Dated[int] = Dated("1中小企業等あたりの謝金の上限", (
    (None, 300_000, "DOMAIN.md §4「Per SME, all experts together: at most 300,000 yen」（第Ⅱ期 2021-04-26〜）"),
))
EXPERT_CAP_YEN: Dated[int] = Dated("IT専門家1人あたりの謝金の上限（第Ⅰ期・第Ⅱ期の合計）", (
    (None, 1_500_000, "DOMAIN.md §4「Per expert, Phase I and Phase II together: at most 1,500,000 yen」（第Ⅱ期 2021-04-26〜）"),
))

_HALF = Decimal("0.5")


def parse_hours(hours: object) -> Decimal:
    """Hours of support as a ``Decimal`` positive multiple of 0.5 (DOMAIN.md §4, design: half-hour
    steps).  Accepts int, float, str (any width) or Decimal; anything else raises ``ValueError``."""
    message = "時間数は0.5時間（30分）単位の正の数で入力してください（例：1.5）。"
    if isinstance(hours, bool):
        raise ValueError(message)
    if isinstance(hours, Decimal):
        value = hours
    elif isinstance(hours, int):
        value = Decimal(hours)
    elif isinstance(hours, float):
        if not math.isfinite(hours):
            raise ValueError(message)
        value = Decimal(hours)  # exact: a float multiple of 0.5 converts without error
    elif isinstance(hours, str):
        text = unicodedata.normalize("NFKC", hours).strip().removesuffix("時間").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(message) from None
    else:
        raise ValueError(message)
    try:
        if not value.is_finite() or value <= 0 or value % _HALF != 0:
            raise ValueError(message)
        return value.quantize(Decimal("0.1"))
    except InvalidOperation:  # too large to be an amount of hours
        raise ValueError(message) from None


def _non_negative_int(value: object, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(message)
    return value


def honorarium_per_hour(hourly_rate_yen: int, at: datetime = PHASE2_START) -> int:
    """Seed 「最大3,500円/時間(税込)」 and 「中小企業等の実費負担が最低500円/時間(税込)以上」 (DOMAIN.md §4,
    Phase II from 2021-04-26): honorarium per hour = min(3,500, rate - 500), never below 0."""
    cap = HONORARIUM_CAP_PER_HOUR.as_of(at)
    min_share = MIN_SME_SHARE_PER_HOUR.as_of(at)
    return max(0, min(cap, hourly_rate_yen - min_share))


@dataclass(frozen=True, kw_only=True)
class Quote(Decision):
    """Honorarium and SME share for a plan or a claim.  Per-hour figures split the rate before caps;
    totals are int yen after caps."""

    hourly_rate_yen: int
    hours: Decimal
    subsidy_per_hour: int
    sme_burden_per_hour: int
    fee_total: int
    raw_subsidy_total: int
    subsidy_total: int
    sme_burden_total: int
    eligible: bool
    capped: bool


def quote(hourly_rate_yen: int, hours: object, *, sme_prior_yen: int = 0, expert_prior_yen: int = 0,
          at: datetime | None = None) -> Quote:
    """Split an hourly fee between the honorarium and the SME (seed 謝金 example; DOMAIN.md §4; Phase II
    values from 2021-04-26 10:00 JST, looked up at ``at``, default Phase II).

    * subsidy_per_hour = min(3,500, rate - 500), never below 0; sme_burden_per_hour = rate - that.
    * fee_total = rate x hours, rounded down to the yen; the raw honorarium = subsidy_per_hour x hours,
      rounded down.
    * subsidy_total = min(raw, 300,000 - sme_prior_yen, 1,500,000 - expert_prior_yen), never below 0:
      the per-SME cap (all experts together) and the per-expert cap (Phase I + II).
    * sme_burden_total = fee_total - subsidy_total (design: a cap moves the cut to the SME's share).
    * Not eligible when subsidy_total is 0; the reasons say why.

    Raises ``ValueError`` (Japanese) for a negative or non-integer rate or prior amount, hours that are
    not a positive multiple of 0.5, or a naive ``at``.
    """
    rate = _non_negative_int(hourly_rate_yen, "時間単価を0円以上の円単位の整数で入力してください。")
    sme_prior = _non_negative_int(sme_prior_yen, "この中小企業等がすでに受けた謝金の額を0円以上の円単位の整数で入力してください。")
    expert_prior = _non_negative_int(expert_prior_yen, "このIT専門家がすでに受けた謝金の額を0円以上の円単位の整数で入力してください。")
    amount_hours = parse_hours(hours)
    when = PHASE2_START if at is None else require_aware(at, "計算の基準日時")

    cap_per_hour = HONORARIUM_CAP_PER_HOUR.as_of(when)
    min_share = MIN_SME_SHARE_PER_HOUR.as_of(when)
    sme_cap = SME_CAP_YEN.as_of(when)
    expert_cap = EXPERT_CAP_YEN.as_of(when)

    per_hour = honorarium_per_hour(rate, when)
    fee_total = math.floor(rate * amount_hours)
    raw = math.floor(per_hour * amount_hours)
    sme_left = sme_cap - sme_prior
    expert_left = expert_cap - expert_prior
    subsidy_total = max(0, min(raw, sme_left, expert_left))
    capped = subsidy_total < raw

    reasons: list[Reason] = []
    if per_hour == 0:
        reasons.append(Reason(
            "rate_too_low",
            f"時間単価{rate:,}円では謝金は支払われません。中小企業等の負担が1時間あたり{min_share:,}円以上必要なため、"
            f"謝金が出るのは時間単価が{min_share + 1:,}円以上のときです。",
            MIN_SME_SHARE_PER_HOUR.source_as_of(when)))
    elif per_hour == cap_per_hour:
        reasons.append(Reason(
            "hourly_cap",
            f"謝金は1時間あたり{cap_per_hour:,}円が上限です。時間単価{rate:,}円のうち{rate - per_hour:,}円は中小企業等の負担です。",
            HONORARIUM_CAP_PER_HOUR.source_as_of(when)))
    else:
        reasons.append(Reason(
            "min_sme_share",
            f"中小企業等は1時間あたり{min_share:,}円以上を負担します。謝金は1時間あたり{per_hour:,}円です。",
            MIN_SME_SHARE_PER_HOUR.source_as_of(when)))

    if per_hour > 0 and raw == 0:
        reasons.append(Reason(
            "rounded_to_zero",
            "謝金は1円未満を切り捨てるため0円になり、支払われません。時間単価か時間数を見直してください。",
            "DOMAIN.md §4（円未満切り捨て: design）"))
    if raw > 0:
        caps = (  # (code when used up, code when it reduces the honorarium, left, used up, reduced, source)
            ("sme_cap_used_up", "sme_cap", sme_left,
             f"この中小企業等はすでに謝金の上限{sme_cap:,}円（全てのIT専門家の合計）に達しているため、謝金は支払われません。",
             f"1中小企業等あたりの謝金の上限{sme_cap:,}円のうち残りは{sme_left:,}円のため、謝金を減らし、"
             "その分を中小企業等の負担に加えています。",
             SME_CAP_YEN.source_as_of(when)),
            ("expert_cap_used_up", "expert_cap", expert_left,
             f"このIT専門家はすでに謝金の上限{expert_cap:,}円（第Ⅰ期・第Ⅱ期の合計）に達しているため、謝金は支払われません。",
             f"IT専門家1人あたりの謝金の上限{expert_cap:,}円（第Ⅰ期・第Ⅱ期の合計）のうち残りは{expert_left:,}円のため、"
             "謝金を減らし、その分を中小企業等の負担に加えています。",
             EXPERT_CAP_YEN.source_as_of(when)),
        )
        for used_up_code, reduced_code, left, used_up, reduced, source in caps:
            if left <= 0:
                reasons.append(Reason(used_up_code, used_up, source))
            elif left < raw:
                reasons.append(Reason(reduced_code, reduced, source))

    return Quote(
        hourly_rate_yen=rate,
        hours=amount_hours,
        subsidy_per_hour=per_hour,
        sme_burden_per_hour=rate - per_hour,
        fee_total=fee_total,
        raw_subsidy_total=raw,
        subsidy_total=subsidy_total,
        sme_burden_total=fee_total - subsidy_total,
        eligible=subsidy_total > 0,
        capped=capped,
        reasons=tuple(reasons),
    )
