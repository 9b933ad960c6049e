"""The one way rp_portal turns HTML into a PDF.

WeasyPrint would happily fetch any URL an HTML document names, including ``file:///etc/...``
and addresses on the internal network. Documents here can carry text people typed, so the
fetcher below serves only our own static and media files and refuses everything else. A refused
resource is logged and left out; the document still renders.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils._os import safe_join
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered against an origin that cannot resolve (RFC 2606 reserves .invalid),
# so "/static/x.css" in a template becomes a URL the fetcher maps to a file on disk.
PDF_BASE_URL = "https://rp-portal.invalid/"
_INTERNAL_HOST = "rp-portal.invalid"


class ResourceRefused(ValueError):
    """A document asked for something outside our static and media files."""


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), Path(settings.MEDIA_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return [root.resolve() for root in roots]


def _is_inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


class LocalFilesOnlyFetcher(URLFetcher):
    """Serves /static/ and /media/ files of this site; refuses every other URL.

    ``fetched`` and ``refused`` list the URLs seen, for tests and for the build log.
    """

    def __init__(self) -> None:
        super().__init__(timeout=2, allow_redirects=False)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            path = self._local_path(url)
        except ResourceRefused:
            self.refused.append(url)
            logger.info("pdf: refused a resource outside static/media: %.200s", url)
            raise
        self.fetched.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def _local_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme == "file":
            candidate = Path(url2pathname(parts.path)).resolve()
            if not _is_inside(candidate, _allowed_roots()):
                raise ResourceRefused(url)
        elif parts.scheme == "https" and parts.hostname == _INTERNAL_HOST:
            candidate = self._site_path(unquote(parts.path))
        else:
            raise ResourceRefused(url)
        if not candidate.is_file():
            raise ResourceRefused(url)
        return candidate

    @staticmethod
    def _site_path(url_path: str) -> Path:
        static_prefix, media_prefix = settings.STATIC_URL, settings.MEDIA_URL
        try:
            if url_path.startswith(static_prefix):
                relative = url_path[len(static_prefix) :]
                collected = Path(safe_join(settings.STATIC_ROOT, relative))
                if collected.is_file():
                    return collected.resolve()
                found = finders.find(relative)
                if found:
                    return Path(found).resolve()
            elif url_path.startswith(media_prefix):
                return Path(safe_join(settings.MEDIA_ROOT, url_path[len(media_prefix) :])).resolve()
        except Exception as exc:  # safe_join's SuspiciousFileOperation, bad paths
            raise ResourceRefused(url_path) from exc
        raise ResourceRefused(url_path)


def html_to_pdf(html: str, *, url_fetcher: LocalFilesOnlyFetcher | None = None) -> bytes:
    fetcher = url_fetcher or LocalFilesOnlyFetcher()
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf()


def render_pdf(
    template_name: str,
    context: dict | None = None,
    *,
    url_fetcher: LocalFilesOnlyFetcher | None = None,
) -> bytes:
    """Render a Django template to PDF bytes. Templates extend ``pdf/base.html``."""
    html = render_to_string(template_name, context or {})
    return html_to_pdf(html, url_fetcher=url_fetcher)


def render_document(
    template_name: str,
    context: dict | None = None,
    *,
    url_fetcher: LocalFilesOnlyFetcher | None = None,
) -> Document:
    """Lay a template out without writing the PDF yet. A document in several parts renders each
    part on its own (so a builder can report progress between them, and each part numbers its
    own pages) and joins them with ``join_documents``."""
    html = render_to_string(template_name, context or {})
    fetcher = url_fetcher or LocalFilesOnlyFetcher()
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).render()


def join_documents(documents: list[Document]) -> bytes:
    """One PDF with the pages of every document, in order."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
