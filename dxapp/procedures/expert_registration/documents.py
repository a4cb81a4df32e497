"""Uploads of the expert wizard (issue 5, steps 3 and 4; SECURITY.md rule 9), declared for the engine's
documents step (dxapp/wizard/documents.py): the identity document, the face photo (one photo, JPEG or PNG)
and, for side jobs, the employer's permission; the certificates of the qualifications.  What is needed is
dxapp.rules.documents; an expert has no organisation, so the documents are scoped to the person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp.rules import documents as rules
from dxapp.wizard.documents import DocumentStep, Kind

PHOTO_TYPES = ("image/jpeg", "image/png")

KINDS = {
    "identity_document": Kind(
        _l("Identity document (front side)"),
        help=_l("The side with your photo, name, address and date of birth. Never the back of a My Number card."),
        missing=_l("Upload your identity document.")),
    "face_photo": Kind(
        _l("Face photo"),
        help=_l("A recent photo of your face from the front, without a hat, mask or sunglasses. The secretariat "
                "compares it with the photos in your support reports."),
        missing=_l("Upload a photo of your face."), types=PHOTO_TYPES, single=True,
        wrong_type=_l("The face photo must be a JPEG or PNG image. Choose a photo, not a PDF."),
        too_many=_l("You have uploaded a face photo already. To use another photo, replace the one above.")),
    "employer_permission": Kind(
        _l("Employer's written permission for the side job"),
        help=_l("A letter or form from your employer that allows this side job, with the employer's name and "
                "the date."),
        missing=_l("Upload your employer's written permission.")),
    "qualification_certificate": Kind(
        _l("Certificate of a qualification"),
        help=_l("The certificate, registration card or pass certificate of each qualification you chose."),
        missing=_l("Upload the certificate of your qualification.")),
}
#: The secretariat's review page labels documents by purpose from these.
PURPOSE_LABELS = {purpose: kind.label for purpose, kind in KINDS.items()}

_COMMON = {"role": "expert", "limit_scope": "expert-document-upload", "table": True}
IDENTITY_DOCUMENTS = DocumentStep(
    "identity-documents", needs=rules.expert_identity_documents,
    kinds={p: KINDS[p] for p in ("identity_document", "face_photo", "employer_permission")}, **_COMMON)
CERTIFICATES = DocumentStep(
    "certificates", needs=rules.expert_certificates,
    kinds={"qualification_certificate": KINDS["qualification_certificate"]}, **_COMMON)
STEPS = (IDENTITY_DOCUMENTS, CERTIFICATES)
