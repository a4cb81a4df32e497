"""Pages as PDF (issue 13: the contract, 契約内容の確認書): WeasyPrint renders a template written for print
with the print stylesheet static/css/print.css.  The fonts are the system's (Debian's fonts-noto-cjk,
chosen by family name through fontconfig) and are embedded, subset, in the file; no web font is loaded.
Nothing is fetched over the network: the URL fetcher refuses every URL except a file under the app's
static folder, so a URL typed by a user into a plan can never make the server fetch it."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, make_response

#: The print stylesheet (A4, Noto Sans CJK JP / Noto Serif CJK JP by family name).
STYLESHEET = "css/print.css"


class Refused(ValueError):
    """A URL the PDF render may not fetch."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalStaticFetcher(URLFetcher):
        """Serves only files under the static folder; everything else (http, https, data, other files) is
        refused, which WeasyPrint reports as a warning and renders without."""

        def __init__(self, static_folder: str):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.static_root = Path(static_folder).resolve()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise Refused(f"not fetched: {url[:80]}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.static_root) or not path.is_file():
                raise Refused(f"not a static file: {url[:80]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return LocalStaticFetcher


def render(html: str) -> bytes:
    """The PDF of ``html`` (a whole document) with the print stylesheet."""
    from weasyprint import CSS, HTML  # imported on first use: the app starts without loading pango

    static = current_app.static_folder
    fetcher = _fetcher_class()(static)
    css = CSS(string=(Path(static) / STYLESHEET).read_text(encoding="utf-8"), url_fetcher=fetcher)
    base_url = Path(static).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(stylesheets=[css])


def attachment(body: bytes, filename: str):
    """A PDF download under an ASCII ``filename`` (no caching, no sniffing)."""
    if not (filename.isascii() and filename.replace("-", "").replace(".", "").replace("_", "").isalnum()):
        raise ValueError(f"unsafe download name: {filename!r}")
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
