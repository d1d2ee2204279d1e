"""Notes to Markdown that Obsidian and any editor read: front matter, blockquotes, links.

One file per noted article, `YYYY-MM-DD 标题.md` (or one file with `single`). What
neican writes sits between two marker comments; whatever the user writes outside
them survives every export. A file is found again by the `id` in its front matter,
so a renamed file is updated in place.

A file is never written in place: the new text goes to a temporary file beside it,
which is flushed to disk and renamed over the old one, so a crash, a kill or a full
disk leaves either the old file or the new one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import NeicanError
from .records import Article, Note

if TYPE_CHECKING:
    from .library import Library

BEGIN = (
    "<!-- neican:begin · written by neican: edits between these markers are replaced on export -->"
)
END = "<!-- neican:end -->"
_MARKERS = re.compile(r"<!-- neican:(?:begin|end)[^>]*-->")
MAX_NAME_BYTES = 200
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])(?=\s|$)")


@dataclass
class ExportReport:
    folder: Path
    written: list[Path] = field(default_factory=list)  # new files
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    emptied: list[Path] = field(
        default_factory=list
    )  # no notes left: region emptied or file removed

    @property
    def changed(self) -> int:
        return len(self.written) + len(self.updated) + len(self.emptied)


# -- file names -------------------------------------------------------------------------


def safe_name(stem: str, suffix: str = ".md") -> str:
    """A file name valid on Linux, macOS and Windows that keeps the Chinese."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", stem))
    name = "".join(c if unicodedata.category(c)[0] != "C" else "_" for c in name)
    name = " ".join(name.split()).strip(" .")
    if not name:
        name = "note"
    if name.split(".")[0].upper() in WINDOWS_RESERVED:
        name = "_" + name
    limit = MAX_NAME_BYTES - len(suffix.encode())
    while len(name.encode("utf-8")) > limit:
        name = name[:-1]
    return name.rstrip(" .") + suffix


def _unique(folder: Path, name: str, taken: set[str]) -> Path:
    stem, suffix = name[: -len(".md")], ".md"
    candidate, n = name, 1
    while candidate.lower() in taken or not _free(folder / candidate):
        n += 1
        tail = f" ({n})"
        base = stem
        while len((base + tail + suffix).encode("utf-8")) > MAX_NAME_BYTES:
            base = base[:-1]
        candidate = base + tail + suffix
    taken.add(candidate.lower())
    return folder / candidate


def _free(path: Path) -> bool:
    """Whether a new export may take this name: nothing is there, or an empty file.

    An empty file holds nothing to lose (something else emptied it, or an export
    from an older neican was killed mid-write); taking its name back avoids a
    duplicate `… (2).md` beside it.
    """
    try:
        st = path.lstat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == 0


# -- YAML and Markdown ------------------------------------------------------------------


def yaml_value(value: Any) -> str:
    """A YAML scalar or flow sequence. JSON is YAML; the three line breaks YAML would fold
    inside a double-quoted string are escaped as well."""
    text = json.dumps(value, ensure_ascii=False)
    return (
        text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085")
    )


def front_matter(data: dict[str, Any]) -> str:
    lines = ["---"] + [f"{key}: {yaml_value(value)}" for key, value in data.items()] + ["---"]
    return "\n".join(lines)


def md_text(text: str) -> str:
    """Text shown literally in Markdown, except `**bold**`, which the sources use on purpose."""
    parts, last = [], 0
    for m in _BOLD.finditer(text):
        parts.append(_MD_SPECIAL.sub(r"\\\1", text[last : m.start()]))
        parts.append("**" + _MD_SPECIAL.sub(r"\\\1", m.group(1)) + "**")
        last = m.end()
    parts.append(_MD_SPECIAL.sub(r"\\\1", text[last:]))
    out = "".join(parts)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


def _comment(text: str) -> list[str]:
    """The user's comment: their own Markdown, one paragraph per line, markers defused."""
    return [
        _MARKERS.sub(lambda m: m.group().replace("<!--", "&lt;!--"), line)
        for line in text.split("\n")
        if line.strip()
    ]


def _link(url: str) -> str:
    return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"


def article_meta(article: Article) -> dict[str, Any]:
    notes = article.notes
    tags = list(dict.fromkeys(t for n in notes for t in n.tags))

    def names(kind: str) -> list[str]:
        return [e.name for e in article.entities if e.type == kind]

    return {
        "id": article.id,
        "title": article.title,
        "feed": article.feed,
        "outlets": list(article.outlets),
        "published": article.published,
        "links": list(article.links),
        "tags": tags,
        "orgs": names("org"),
        "people": names("person"),
        "products": names("product"),
    }


def note_block(note: Note, article: Article) -> list[str]:
    lines = [f"> {md_text(line)}" if line.strip() else ">" for line in note.text.split("\n")]
    if note.kind == "ruiping":
        lines[0] = "> **锐评** " + lines[0][2:]
    out = ["\n".join(lines)]
    out += _comment(note.comment)
    if note.tags:
        out.append(" ".join("#" + re.sub(r"\s+", "-", t) for t in note.tags))
    source = " · ".join(
        filter(
            None,
            [
                md_text(article.feed),
                md_text("、".join(article.outlets)),
                article.published.replace("T", " "),
            ],
        )
    )
    if article.links:
        out.append(f"[原文]({_link(article.links[0])}) · {source}")
    else:
        out.append(f"来源: {source}")
    return out


def article_region(article: Article, heading: str = "#") -> str:
    blocks = [f"{heading} {md_text(article.title)}"]
    for note in article.notes:
        blocks += note_block(note, article)
    return "\n\n".join(blocks)


# -- files ------------------------------------------------------------------------------


def _split(text: str) -> tuple[str, str, str, str]:
    """(front matter, text before the region, the region, text after it)."""
    front, body = "", text
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            cut = text.find("\n", end + 4)
            cut = len(text) if cut == -1 else cut + 1
            front, body = text[:cut], text[cut:]
    begin = body.find("<!-- neican:begin")
    finish = body.find(END, begin if begin != -1 else 0)
    if begin == -1 or finish == -1:
        return front, "", "", body  # markers gone: the user's text stays, ours goes first
    return front, body[:begin], body[begin : finish + len(END)], body[finish + len(END) :]


def _assemble(front: str, before: str, region: str, after: str) -> str:
    if not after.startswith("\n"):
        after = "\n" + after
    before = before if before.strip() else "\n"
    return f"{front.rstrip()}\n{before}{BEGIN}\n{region}\n{END}{after}".rstrip("\n") + "\n"


_ID = re.compile(r"^id:\s*\"?(\d+)\"?\s*$", re.MULTILINE)


def _exported_ids(folder: Path) -> dict[int, Path]:
    """The Markdown files in `folder` that neican wrote, by the article id in their front matter."""
    found: dict[int, Path] = {}
    for path in sorted(folder.glob("*.md")):
        try:  # an unreadable, garbled or emptied file is not ours to match (or to overwrite)
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        head = text[:4096]
        if not head.startswith("---\n") or "<!-- neican:" not in text:
            continue
        end = head.find("\n---", 4)
        m = _ID.search(head[:end] if end != -1 else head)
        if m:
            found.setdefault(int(m.group(1)), path)
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NeicanError(f"{path}: cannot read: not UTF-8 text") from None
    except OSError as e:
        raise NeicanError(f"{path}: cannot read: {e.strerror or e}") from None


def _write(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it already holds it; True if the file changed."""
    try:
        if path.is_file() and path.stat().st_size == len(text.encode("utf-8")):
            with contextlib.suppress(UnicodeDecodeError):
                if path.read_text(encoding="utf-8") == text:
                    return False
        write_atomic(path, text.encode("utf-8"))
        return True
    except OSError as e:
        raise NeicanError(f"{path}: cannot write: {e.strerror or e}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: a temporary file beside it, fsync, rename.

    A symlink is followed (the file it points to is replaced, the link stays); the
    file keeps its permissions. The temporary file is hidden and removed on failure.
    """
    target = path.resolve() if path.is_symlink() else path
    tmp = target.with_name(f".{target.name[:100]}.{secrets.token_hex(4)}.neican-tmp")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:  # never loop forever on a device that takes nothing
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
                view = view[written:]
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # The rename itself is durable only once the folder is on disk too; some file
    # systems cannot fsync a folder, and the file is already complete either way.
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def export_notes(
    library: Library,
    folder: Path,
    *,
    single: Path | None = None,
    since: str | None = None,
    tag: str | None = None,
) -> ExportReport:
    notes = library.notes(since=since, tag=tag)
    article_ids = list(dict.fromkeys(n.article_id for n in notes))
    articles = []
    for article_id in article_ids:
        article = library.article(article_id)
        kept = tuple(n for n in article.notes if n in notes or (since is None and tag is None))
        articles.append(_with_notes(article, kept))
    articles.sort(key=lambda a: (a.published, a.id), reverse=True)
    if single is not None:
        return _export_single(single, articles)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NeicanError(f"{folder}: cannot create the folder: {e.strerror or e}") from None
    report = ExportReport(folder)
    existing = _exported_ids(folder)
    taken: set[str] = set()
    for article in articles:
        region = article_region(article)
        front = front_matter(article_meta(article))
        path = existing.get(article.id)
        if path is None:
            path = _unique(folder, safe_name(f"{article.published[:10]} {article.title}"), taken)
            _write(path, _assemble(front, "", region, ""))
            report.written.append(path)
            continue
        _, before, _, after = _split(_read(path))
        (
            report.updated
            if _write(path, _assemble(front, before, region, after))
            else report.unchanged
        ).append(path)
    if since is None and tag is None:  # a note deleted since the last export leaves its file
        noted = {a.id for a in articles}
        for article_id, path in existing.items():
            if article_id in noted:
                continue
            front, before, _, after = _split(_read(path))
            if not (before.strip() or after.strip()):
                try:
                    path.unlink()
                except OSError as e:
                    raise NeicanError(f"{path}: cannot remove: {e.strerror or e}") from None
            else:
                _write(
                    path,
                    _assemble(front, before, "*(neican: no notes left for this article)*", after),
                )
            report.emptied.append(path)
    return report


def _with_notes(article: Article, notes: tuple[Note, ...]) -> Article:
    from dataclasses import replace

    return replace(article, notes=tuple(sorted(notes, key=lambda n: (n.created, n.id))))


def _export_single(path: Path, articles: list[Article]) -> ExportReport:
    report = ExportReport(path.parent)
    front = front_matter(
        {"title": "neican notes", "articles": len(articles), "ids": [a.id for a in articles]}
    )
    region = "\n\n".join(article_region(a, "##") for a in articles) or "*(neican: no notes)*"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NeicanError(f"{path.parent}: cannot create the folder: {e.strerror or e}") from None
    if path.exists():
        _, before, _, after = _split(_read(path))
        (
            report.updated
            if _write(path, _assemble(front, before, region, after))
            else report.unchanged
        ).append(path)
    else:
        _write(path, _assemble(front, "", region, ""))
        report.written.append(path)
    return report
