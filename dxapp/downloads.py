"""Uploaded documents go back as attachments, never rendered by the browser (SECURITY.md rule 9): the
stored file under its original name, no caching, no content sniffing.  The caller has already loaded the
document through its owner's scope (another owner's id is a 404 before this)."""

from __future__ import annotations

from flask import abort, send_file

from dxapp.services import documents

#: The extension a download carries for each type the upload check accepts (detected by magic bytes).
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


def download_name(original_name: str, content_type: str) -> str:
    """The user's file name with the extension of the detected type: a PDF uploaded as 「請求書.html」
    or 「run.bat」 is saved by the browser as 「請求書.pdf」, never as something it would open or run."""
    allowed = EXTENSIONS.get(content_type)
    if not allowed or original_name.lower().endswith(allowed):
        return original_name
    stem, dot, ext = original_name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 10 and ext.isascii() and ext.isalnum():
        original_name = stem
    return original_name + allowed[0]


def attachment(document):
    path = documents.path_of(document)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=download_name(document.original_name, document.content_type), conditional=False, etag=False,
                         last_modified=None, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
