"""Which documents an applicant must upload (pure: computed from the answers JSON, no app imports).

A requirement is satisfied by any one of its alternatives (kinds of document, the ``purpose`` column).

* SME (issue "SME registration", step 6): corporations the certificate of registered matters; sole
  proprietors the opening notification or the latest tax return; other forms (associations, unions) the
  articles or a certificate.  Unknown legal form (step 1 not answered): nothing can be asked yet.
* Expert (issue 5, steps 3 and 4): the identity document and the face photo, and the employer's
  permission for a side job; a certificate when qualifications were chosen.
* SME-supporter corporation: the certificate of certification.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """One document to upload: any of ``alternatives`` satisfies it."""

    key: str
    alternatives: tuple[str, ...]


def _data(answers: Mapping | None, slug: str) -> Mapping:
    return (((answers or {}).get("steps") or {}).get(slug) or {}).get("data") or {}


def _each(*purposes: str) -> tuple[Requirement, ...]:
    """One requirement per kind (each of them is needed)."""
    return tuple(Requirement(p, (p,)) for p in purposes)


# -- SME ----------------------------------------------------------------------------------------------
CORPORATIONS = frozenset({"company", "medical_corp", "social_welfare_corp", "school_corp",
                          "foundation_association", "npo"})
SOLE_PROPRIETOR = "sole_proprietor"
_CERTIFICATE = Requirement("certificate", ("registration_certificate",))
_SOLE = Requirement("sole_proprietor", ("opening_notification", "tax_return"))
_OTHER = Requirement("other_form", ("articles", "registration_certificate"))


def requirements_for(legal_form: str | None) -> tuple[Requirement, ...]:
    """What an SME of this legal form uploads."""
    if not legal_form:
        return ()
    if legal_form in CORPORATIONS:
        return (_CERTIFICATE,)
    if legal_form == SOLE_PROPRIETOR:
        return (_SOLE,)
    return (_OTHER,)


def sme_legal_form(answers: Mapping | None) -> str | None:
    return _data(answers, "business-type").get("legal_form")


def sme_documents(answers: Mapping | None) -> tuple[Requirement, ...]:
    return requirements_for(sme_legal_form(answers))


# -- Expert -------------------------------------------------------------------------------------------
def expert_identity_documents(answers: Mapping | None) -> tuple[Requirement, ...]:
    side_job = _data(answers, "participation").get("participation") == "side_job"
    return _each("identity_document", "face_photo", *(("employer_permission",) if side_job else ()))


def expert_certificates(answers: Mapping | None) -> tuple[Requirement, ...]:
    return _each("qualification_certificate") if _data(answers, "qualifications").get("qualifications") else ()


# -- SME-supporter corporation ------------------------------------------------------------------------
SUPPORTER_CERTIFICATE = "supporter_certificate"


def supporter_certification(_answers: Mapping | None) -> tuple[Requirement, ...]:
    return _each(SUPPORTER_CERTIFICATE)


# -- Any of them --------------------------------------------------------------------------------------
def offered(requirements: Iterable[Requirement], also: Iterable[str] = ()) -> tuple[str, ...]:
    """The kinds a page offers: the alternatives of every requirement in order, then ``also``."""
    kinds: list[str] = []
    for requirement in requirements:
        kinds.extend(p for p in requirement.alternatives if p not in kinds)
    kinds.extend(p for p in also if p not in kinds)
    return tuple(kinds)


def missing(requirements: Iterable[Requirement], present: Iterable[str]) -> list[Requirement]:
    """The requirements that none of the ``present`` kinds satisfies."""
    have = set(present)
    return [r for r in requirements if not have.intersection(r.alternatives)]
