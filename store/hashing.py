"""Stable keys and content hashes of articles: what makes a re-import an update or a no-op."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def article_key(title: str, outlets: Sequence[str], published: str) -> str:
    """The stable key of an article: the same title, outlets and date are the same
    article, whichever feed carried it (PRODUCT.md §3, "One article, many feeds")."""
    data = "\x1f".join([title, "\x1e".join(outlets), published])
    return hashlib.sha1(data.encode()).hexdigest()[:20]


def content_hash(
    kind: str,
    title: str,
    outlets: str,
    published: str,
    links: str,
    ruiping: str | None,
    sections: str,
) -> str:
    """What an article holds, from its fields as stored (outlets, links and sections as
    their JSON): a file edited and imported again updates only the articles it changed.

    (From the stored JSON, not from a JSON of the whole article of its own: that took
    0.07 ms an article of an import, and the hashes of a library can be made again.)
    """
    data = "\x1f".join([kind, title, outlets, published, links, ruiping or "", sections])
    return hashlib.sha1(data.encode()).hexdigest()[:20]
