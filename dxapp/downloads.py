"""Uploaded documents go back as attachments, never rendered by the browser (SECURITY.md rule 9): the
stored file under its original name, no caching, no content sniffing.  The caller has already loaded the
document through its owner's scope (another owner's id is a 404 before this)."""

from __future__ import annotations

from flask import abort, send_file

from dxapp.services import documents


def attachment(document):
    path = documents.path_of(document)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.original_name, conditional=False, etag=False,
                         last_modified=None, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
