"""rp_portal/pdf.py renders real PDFs and fetches nothing but our own static and media files."""

import http.server
import io
import threading

import pytest
from pypdf import PdfReader

from rp_portal.pdf import LocalFilesOnlyFetcher, html_to_pdf, render_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def listener():
    """A real HTTP server on loopback that counts the requests it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def test_it_renders_a_template_to_a_pdf_whose_text_can_be_read_back():
    fetcher = LocalFilesOnlyFetcher()
    pdf = render_pdf(
        "pdf/base.html",
        {},
        url_fetcher=fetcher,
    )
    assert pdf.startswith(b"%PDF-")
    assert any(url.endswith("/static/css/pdf.css") for url in fetcher.fetched)
    assert fetcher.refused == []


def test_it_keeps_the_words_of_the_document():
    pdf = html_to_pdf("<h1>Group agreement</h1><p>What is said here stays here.</p>")
    text = _text(pdf)
    assert "Group agreement" in text
    assert "What is said here stays here." in text


def test_it_refuses_remote_and_local_file_urls_without_failing_the_render(listener, tmp_path):
    base, hits = listener
    outside = tmp_path / "private.css"
    outside.write_text("body { color: red }")
    fetcher = LocalFilesOnlyFetcher()
    html = f"""
      <link rel="stylesheet" href="{base}/remote.css">
      <link rel="stylesheet" href="file://{outside}">
      <link rel="stylesheet" href="file:///etc/passwd">
      <img src="https://example.com/tracker.png" alt="">
      <img src="/static/../../rp_portal/settings.py" alt="">
      <p>Still rendered</p>
    """
    pdf = html_to_pdf(html, url_fetcher=fetcher)
    assert "Still rendered" in _text(pdf)
    assert hits == []
    assert fetcher.fetched == []
    refused = " ".join(fetcher.refused)
    assert f"{base}/remote.css" in refused
    assert str(outside) in refused
    assert "/etc/passwd" in refused
    assert "https://example.com/tracker.png" in refused
    assert "settings.py" in refused


def test_it_serves_media_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "logos").mkdir()
    # A 1x1 PNG, as an organisation's uploaded logo would be.
    (tmp_path / "logos" / "dot.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
        )
    )
    fetcher = LocalFilesOnlyFetcher()
    html_to_pdf('<img src="/media/logos/dot.png" alt="logo">', url_fetcher=fetcher)
    assert fetcher.fetched == ["https://rp-portal.invalid/media/logos/dot.png"]
    assert fetcher.refused == []
