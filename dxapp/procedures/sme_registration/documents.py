"""Step 6 of the SME registration wizard: the confirmation documents (issue "SME registration", step 6;
SECURITY.md rule 9), declared for the engine's documents step (dxapp/wizard/documents.py); what a legal
form needs is dxapp.rules.documents.sme_documents."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp.rules import documents as rules
from dxapp.wizard.documents import DocumentStep, Kind, Need

PURPOSE_LABELS = {
    "registration_certificate": _l("Certificate of registered matters (履歴事項全部証明書)"),
    "opening_notification": _l("Notification of opening a business (開業届)"),
    "tax_return": _l("Latest final tax return (確定申告書)"),
    "articles": _l("Articles of incorporation or association (定款・規約)"),
    "other": _l("Other document"),
}

DOCUMENTS = DocumentStep(
    "documents", role="sme", limit_scope="sme-document-upload", needs=rules.sme_documents,
    kinds={purpose: Kind(label) for purpose, label in PURPOSE_LABELS.items()}, also_offered=("other",),
    lists_all=True, upload_with_step=True,
    intro=_l("Upload the documents that show your business exists as you described it. The secretariat checks "
             "them against your answers."),
    needs_text={
        "certificate": Need(
            _l("Certificate of registered matters"),
            _l("Corporations upload the certificate of registered matters (履歴事項全部証明書) issued by the Legal "
               "Affairs Bureau within the last 3 months. All pages, scanned or photographed, so that every "
               "character can be read."),
            _l("Upload the certificate of registered matters issued within the last 3 months.")),
        "sole_proprietor": Need(
            _l("Notification of opening a business, or the latest final tax return"),
            _l("Sole proprietors upload one of these: the notification of opening a business (開業届) with the "
               "tax office's receipt stamp, or the first page of the latest final tax return (確定申告書) with "
               "the receipt stamp or the e-Tax receipt."),
            _l("Upload the notification of opening a business or the latest final tax return.")),
        "other_form": Need(
            _l("Articles of incorporation or association, or a certificate of registered matters"),
            _l("Associations, unions and other organisations upload their articles (定款 or 規約), or a "
               "certificate of registered matters issued within the last 3 months."),
            _l("Upload the articles of incorporation or association, or a certificate of registered matters.")),
    },
)
