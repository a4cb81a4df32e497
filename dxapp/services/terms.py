"""Terms of use and the personal-information notice: versions in force and users' consents.

A user whose latest consent is older than the version in force (at program time) is sent to the consent
page before anything else: this is how Phase I users enter Phase II, and how everyone re-consents when
the terms change (2021-07-20, 2021-10-19).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dxapp import clock
from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import Consent, TermsVersion
from dxapp.services import audit

KINDS = ("terms", "privacy")

#: The versions published so far: (kind, version, title, in force from, template under templates/terms/).
PUBLISHED = (
    ("terms", "phase1", "第Ⅰ期 利用規約", datetime(2020, 12, 1, 10, 0, tzinfo=JST), "terms_phase1.txt"),
    ("privacy", "phase1", "第Ⅰ期 個人情報の取扱いについて", datetime(2020, 12, 1, 10, 0, tzinfo=JST), "privacy.txt"),
    ("terms", "phase2-2021-04-26", "第Ⅱ期 利用規約", datetime(2021, 4, 26, 10, 0, tzinfo=JST), "terms_phase2.txt"),
    ("privacy", "phase2-2021-04-26", "第Ⅱ期 個人情報の取扱いについて", datetime(2021, 4, 26, 10, 0, tzinfo=JST),
     "privacy.txt"),
    ("terms", "phase2-2021-07-20", "第Ⅱ期 利用規約（2021年7月20日改定）", datetime(2021, 7, 20, 0, 0, tzinfo=JST),
     "terms_phase2_0720.txt"),
    ("terms", "phase2-2021-10-19", "第Ⅱ期 利用規約（2021年10月19日改定）", datetime(2021, 10, 19, 0, 0, tzinfo=JST),
     "terms_phase2_1019.txt"),
)


def add_published() -> None:
    """Add the published versions that are missing (idempotent; flushed, the caller commits)."""
    from flask import render_template

    for kind, version, title, effective, template in PUBLISHED:
        exists = db.session.scalar(select(TermsVersion).filter_by(kind=kind, version=version))
        if exists is None:
            db.session.add(TermsVersion(kind=kind, version=version, title=title, effective_at=effective,
                                        body=render_template(f"terms/{template}")))
    db.session.flush()


def in_force(kind: str, at=None) -> TermsVersion | None:
    at = at or clock.program_now()
    return db.session.scalar(
        select(TermsVersion)
        .where(TermsVersion.kind == kind, TermsVersion.effective_at <= at)
        .order_by(TermsVersion.effective_at.desc(), TermsVersion.id.desc())
        .limit(1)
    )


def current_versions(at=None) -> list[TermsVersion]:
    return [v for v in (in_force(kind, at) for kind in KINDS) if v is not None]


def next_change(at):
    """When the next terms version takes effect after ``at`` (None if none is announced)."""
    return db.session.scalar(
        select(TermsVersion.effective_at).where(TermsVersion.effective_at > at)
        .order_by(TermsVersion.effective_at).limit(1)
    )


def missing_consents(user) -> list[TermsVersion]:
    current = current_versions()
    if not current:
        return []
    given = set(
        db.session.scalars(
            select(Consent.terms_version_id).where(
                Consent.user_id == user.id, Consent.terms_version_id.in_([v.id for v in current])
            )
        )
    )
    return [v for v in current if v.id not in given]


def record_consents(user, version_ids: list[int]) -> None:
    now = clock.wall_now()
    valid = {v.id: v for v in current_versions()}
    for version_id in version_ids:
        version = valid.get(int(version_id))
        if version is None:
            raise ValueError("consent to a version that is not in force")
        exists = db.session.scalar(
            select(Consent.id).where(Consent.user_id == user.id, Consent.terms_version_id == version.id)
        )
        if exists:
            continue
        db.session.add(Consent(user_id=user.id, terms_version_id=version.id, consented_at=now))
        audit.record("consent.given", "terms_version", version.id, actor=user,
                     summary={"kind": version.kind, "version": version.version})


def consent(user, version_ids: list[int]) -> None:
    record_consents(user, version_ids)
    db.session.flush()
