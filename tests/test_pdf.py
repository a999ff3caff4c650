"""PDFs: WeasyPrint renders our templates and can fetch nothing but our static files."""

import pytest
from flask import current_app

from app.core.pdf import PDF_BASE_URL, StaticOnlyFetcher, render_pdf


def fetcher():
    from pathlib import Path

    return StaticOnlyFetcher(Path(current_app.static_folder))


def test_render_pdf_produces_a_pdf(app):
    with app.test_request_context():
        pdf = render_pdf("pdf/base.html", title="A test document")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000


def test_fetcher_serves_static_files():
    response = fetcher().fetch(PDF_BASE_URL + "static/css/pdf.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/static/css/pdf.css",
        PDF_BASE_URL + "static/../../config.py",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/config.py",
        PDF_BASE_URL + "uploads/secret.pdf",
        PDF_BASE_URL + "static/no-such-file.css",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(ValueError, match=r"static files|no static file|disallowed protocol"):
        fetcher().fetch(url)
