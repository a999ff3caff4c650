"""PDFs from Jinja HTML and print CSS through WeasyPrint.

The URL fetcher serves only files under the app's own static folder: no file:// paths, no
network. A document that names anything else gets nothing for it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_BASE_URL = "https://sptf.pdf.invalid/"


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_folder: Path) -> None:
        super().__init__(allowed_protocols=("https",))
        self.static_folder = static_folder.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != PDF_BASE_URL or not parts.path.startswith(
            "/static/"
        ):
            raise ValueError(f"PDF resources must be the app's static files, not {url}")
        relative = unquote(parts.path[len("/static/") :])
        path = (self.static_folder / relative).resolve()
        if not path.is_relative_to(self.static_folder) or not path.is_file():
            raise ValueError(f"no static file {relative}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})


def render_pdf(template: str, **context: Any) -> bytes:
    html = render_template(template, **context)
    static = Path(current_app.static_folder or "app/static")
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher(static))
    return bytes(document.write_pdf())
