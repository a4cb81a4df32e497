"""The certification step of the SME-supporter corporation's registration: the certification number and
date, and the certificate, declared for the engine's documents step (dxapp/wizard/documents.py) in the
corporation's scope."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp.procedures.supporter_registration.forms import CertificationFields
from dxapp.rules import documents as rules
from dxapp.wizard.documents import DocumentStep, Kind

PURPOSE = rules.SUPPORTER_CERTIFICATE
#: The secretariat's review page labels documents by purpose from these.
PURPOSE_LABELS = {
    PURPOSE: _l("Certificate of certification as an IT support organisation (認定通知書)"),
}

CERTIFICATION = DocumentStep(
    "certification", role="supporter_admin", limit_scope="supporter-certificate-upload",
    needs=rules.supporter_certification,
    kinds={PURPOSE: Kind(PURPOSE_LABELS[PURPOSE], missing=_l("Upload the certificate of certification."))},
    field="certificate", field_label=_l("Certificate"), fields=CertificationFields, names_only=True,
    replaceable=False, reopens=False, endpoint="certificate",
    intro=_l("Only corporations certified by the Minister of Economy, Trade and Industry as a certified IT support "
             "organisation (認定情報処理支援機関, スマートSMEサポーター) can register."),
)
