"""Helpers for tests of built PDFs: read their text and pages, and a loopback HTTP server that
records every request, to prove a document fetched nothing from outside."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from pypdf import PdfReader

from rp_portal.documents.services import document_content

# A 1x1 PNG, as an uploaded logo would be.
PNG_DOT = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def pdf_pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in pdf_reader(content).pages]


def pdf_text(content: bytes) -> str:
    """The text of every page, with line breaks turned into spaces so phrases can be found."""
    return " ".join(" ".join(text.split()) for text in pdf_pages_text(content))


def is_landscape_16_9(page) -> bool:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return abs(width / height - 16 / 9) < 0.01


def is_a4_portrait(page) -> bool:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return abs(width - 595.3) < 1 and abs(height - 841.9) < 1


def stored_pdf(build) -> bytes:
    """The built file as its owner downloads it (decrypted, if it is stored encrypted)."""
    build.refresh_from_db()
    assert build.status == "done", (build.status, build.error)
    return document_content(build)


@pytest.fixture
def listener():
    """A real HTTP server on loopback that records every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG_DOT)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
