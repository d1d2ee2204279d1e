"""Which links neican hands to a browser: http and https only, nothing hidden inside.

A library can be edited by hand or by another tool, so a stored link may say
`javascript:`, `file:` or carry control characters that a terminal or a browser
would act on. The reader opens a link only if `safe_link` returns it.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def safe_link(url: str) -> str | None:
    """The link to open (trimmed), or None if it is not a plain http(s) address."""
    url = url.strip()
    if not url or len(url) > 8192:
        return None
    # No control, format (bidi, zero-width) or whitespace characters anywhere: they hide
    # what the link really is, and a browser would drop or reinterpret them.
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # an invalid IPv6 literal or port
        return None
    if parts.scheme.lower() not in SCHEMES or not host:
        return None
    return url
