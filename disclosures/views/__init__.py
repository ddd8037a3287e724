from urllib.parse import quote


def attachment(filename: str) -> str:
    """Content-Disposition for a download with a Chinese file name (RFC 6266)."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"
