"""Serving downloads: the files a published revision was rendered into
(disclosures/rendering/stored.py) and the Content-Disposition of every download."""

from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from disclosures.models.files import RenderedFile


def attachment(filename: str) -> str:
    """Content-Disposition for a download with a Chinese file name (RFC 6266)."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def stored_file(request: HttpRequest, stored: RenderedFile, filename: str, content_type: str):
    """The stored bytes, with their SHA-256 as ETag (304 when the reader has them)."""
    etag = f'"{stored.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = FileResponse(stored.file.open("rb"), content_type=content_type)
        response["Content-Disposition"] = attachment(filename)
        response["Content-Length"] = str(stored.size)
    response["ETag"] = etag
    response["X-Content-SHA256"] = stored.sha256
    return response


def file_not_ready(request: HttpRequest, retry_after: int) -> HttpResponse:
    """Another worker is rendering the file: say so and when to ask again."""
    response = render(
        request, "disclosures/file_not_ready.html", {"retry_after": retry_after}, status=503
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
