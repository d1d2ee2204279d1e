"""The extractor: gazetteer names, the name heuristics and money, found in one article."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from typing import Any

import ahocorasick_rs

from .found import ASCII_LOWER, Found
from .gazetteer import Gazetteer, fold
from .money import find_money
from .names import (
    ADVERB_ENDS,
    AMBIGUOUS,
    CHIP,
    CHIP_CONTEXT,
    COMPANY_TAIL,
    DIGIT_OR_HYPHEN,
    DOTTED_TAIL_STOP,
    LATIN_NAME,
    LATIN_RUN,
    LIST_FOLLOWERS,
    MONEY_SUFFIXES,
    NOT_AFTER_VERSION,
    NOT_PRODUCTS,
    ORG_CONTEXT,
    ORG_LATIN,
    ORG_SUFFIX_RE,
    PERSON_CONTEXT,
    PRODUCT_CJK,
    PRODUCT_GLUED,
    PRODUCT_HYPHEN,
    PRODUCT_VERSION,
    SURNAMES,
    TITLE_RE,
    VERB_PREFIX,
    VERB_RE,
    YEAR,
    case_sensitive,
    count_in,
    dotted_names,
    generic_org,
    generic_word,
    latin_boundaries,
    latin_people,
    looks_like_brand,
    name_after_title,
    name_before_verb,
    org_prefix,
    plausible_cjk,
    word_at,
)


class Extractor:
    """Finds entities in article text with a gazetteer, patterns and money rules."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        keys: list[str] = []
        self._payloads: list[tuple[str, str, tuple[bool, bool], bool, bool, bool]] = []
        seen: set[str] = set()
        for entry in gazetteer.entries.values():
            for alias in entry.names:
                key = alias.translate(ASCII_LOWER)
                if key in seen:
                    continue
                seen.add(key)
                keys.append(key)
                # what the per-match checks need, worked out once per alias
                latin = (
                    alias[0].isascii() and alias[0].isalnum(),
                    alias[-1].isascii() and alias[-1].isalnum(),
                )
                self._payloads.append(
                    (
                        alias,
                        entry.name,
                        latin,
                        case_sensitive(alias),
                        alias in AMBIGUOUS,
                        entry.type == "org",
                    )
                )
        # Aho-Corasick in Rust: every alias found in one pass, longest match first.
        self._matcher = (
            ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
            if keys
            else None
        )

    def extract(self, title: str, lines: list[str], outlets: tuple[str, ...] = ()) -> list[Found]:
        text = "\n".join([title, *lines])
        found: dict[tuple[str, str], Found] = {}

        def add(item: Found) -> None:
            key = (item.type, item.name)
            if key in found:
                found[key].count += item.count
                found[key].surfaces |= item.surfaces
            else:
                found[key] = item

        versions = self._versioned_products(text)
        claimed = self._gazetteer(text, add, [span for span, _ in versions])
        for outlet in outlets:
            entry = self.gazetteer.lookup(outlet)
            if entry is None or entry.type == "media":
                name = entry.name if entry else outlet
                if ("media", name) not in found:
                    add(
                        Found(
                            name,
                            "media",
                            1,
                            entry.aliases if entry else (),
                            source="outlet",
                            surfaces={outlet},
                        )
                    )
        for item in find_money(text):
            add(item)
        for item in self._new_names(text, claimed, versions):
            add(item)
        return [f for f in found.values() if f.count > 0]

    # gazetteer ----------------------------------------------------------------------

    def _gazetteer(
        self, text: str, add: Any, versions: list[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        """Add gazetteer matches; return the spans they cover.

        A name inside a longer versioned product name (`Vidu` in `Vidu Q2`, `昇腾` in
        `昇腾950PR`) is that product's, not a mention of its own.
        """
        if self._matcher is None:
            return []
        folded = fold(text)
        spans = []
        counts: Counter[str] = Counter()
        surfaces: dict[str, set[str]] = {}
        payloads = self._payloads
        for index, start, stop in self._matcher.find_matches_as_indexes(folded):
            alias, name, latin, case, ambiguous, org = payloads[index]
            if (latin[0] or latin[1]) and not latin_boundaries(text, start, stop, alias):
                continue
            if case and text[start:stop] != alias:
                continue
            if ambiguous and not plausible_cjk(text, start, stop, alias):
                continue
            if versions and any(
                a <= start and stop <= b and (a, b) != (start, stop) for a, b in versions
            ):
                continue
            if org:
                suffix = COMPANY_TAIL.match(text, stop)
                if suffix:  # 百度集团, 英伟达公司: the same company
                    stop = suffix.end()
            counts[name] += 1
            surfaces.setdefault(name, set()).add(text[start:stop])
            spans.append((start, stop))
        for name, count in counts.items():
            entry = self.gazetteer.entries[name]
            add(
                Found(
                    entry.name,
                    entry.type,
                    count,
                    entry.aliases,
                    entry.parent,
                    surfaces=surfaces[name],
                )
            )
        return spans

    # names the gazetteer lacks -----------------------------------------------------------

    def _versioned_products(self, text: str) -> list[tuple[tuple[int, int], str]]:
        """Product names with a version (`GPT-5 mini`, `Llama 4`, `H20`, `昇腾950PR`), with spans."""
        known = self.gazetteer.lookup
        out: list[tuple[tuple[int, int], str]] = []
        # (made at the first run with a digit or a hyphen: most articles have none, and
        # then need no CHIP_CONTEXT search)
        patterns: list[re.Pattern[str]] | None = None
        for run in LATIN_RUN.finditer(text):
            offset, run_end = run.span()
            if not DIGIT_OR_HYPHEN.search(text, offset, run_end):
                continue
            chunk = text[offset:run_end]
            if patterns is None:
                patterns = [PRODUCT_HYPHEN, PRODUCT_VERSION, PRODUCT_GLUED]
                if CHIP_CONTEXT.search(text):
                    patterns.append(CHIP)
            for pattern in patterns:
                if pattern is PRODUCT_HYPHEN and "-" not in chunk:
                    continue
                for m in pattern.finditer(chunk):
                    name = m["name"]
                    words = name.replace("-", " ").split()
                    if name.lower() in NOT_PRODUCTS or words[0].lower() in NOT_PRODUCTS:
                        continue
                    if pattern is PRODUCT_VERSION and YEAR.match(words[-1]):
                        continue  # `WAIC 2025`: an event and its year
                    if (
                        pattern is PRODUCT_HYPHEN
                        and not any(c.isdigit() for c in name)
                        and not name.isupper()
                    ):
                        continue  # `Kimi-Researcher`-like names need a version; `WALL-OSS` is fine
                    end = offset + m.end("name")
                    after = text[end : end + 1]
                    if name[-1].isdigit() and (after in NOT_AFTER_VERSION or after == "%"):
                        continue  # `Scale AI 49%股份`, `AI 12亿`: a number, not a version
                    out.append(((offset + m.start("name"), end), name))
        for m in PRODUCT_CJK.finditer(text):
            version = m["version"]
            if version.isalpha():
                continue  # no digit, no version
            begin = m.start()
            brand = text[begin - 2 : begin]
            entry = known(brand)
            lettered = version[0].isalpha() or version[-1].isalpha()  # (R1, 950PR)
            if entry is not None and entry.type == "org":
                if lettered:  # 宇树R1: the product is R1, made by the company 宇树
                    out.append(((begin, m.end()), version))
            elif entry is not None and entry.type == "product":
                out.append(((begin - 2, m.end()), brand + version))
            elif (lettered or "." in version) and word_at(text, begin - 2, begin):
                if looks_like_brand(brand):
                    out.append(((begin - 2, m.end()), brand + version))
        # the longest of overlapping names; a gazetteer name that is not a product drops out
        out.sort(key=lambda item: (item[0][0], -(item[0][1] - item[0][0])))
        kept: list[tuple[tuple[int, int], str]] = []
        for span, name in out:
            if kept and span[0] < kept[-1][0][1]:
                continue
            entry = known(name)
            if entry is None or entry.type == "product":
                kept.append((span, name))
        return kept

    def _new_names(
        self, text: str, claimed: list[tuple[int, int]], versions: list[tuple[tuple[int, int], str]]
    ) -> list[Found]:
        # Whether [start, end) overlaps no claimed span: the spans starting before `end`
        # are a prefix of them sorted; one of them reaches past `start` if the furthest does.
        spans = sorted(claimed)
        starts = [a for a, _ in spans]
        reach = list(itertools.accumulate((b for _, b in spans), max))

        def free(start: int, end: int) -> bool:
            i = bisect.bisect_left(starts, end) - 1
            return i < 0 or reach[i] <= start

        known = self.gazetteer.lookup
        candidates: dict[tuple[str, str], str] = {}
        # products with versions (a gazetteer product's own name stays the gazetteer's)
        for (start, end), name in versions:
            if not known(name) and free(start, end):
                candidates[("product", name)] = "pattern"
        # people
        # (anchored on the title or verb, then the name read off beside it: a regex that
        # tried every position as a possible name start was the slowest part of imports)
        titles = list(TITLE_RE.finditer(text))  # (used again for Latin names below)
        for m in titles:
            start = m.end()
            if text.startswith("兼", start):  # 创始人兼CEO王小川: the name follows the last title
                nxt = TITLE_RE.search(text, start, start + 12)
                if nxt is None:
                    continue
                start = nxt.end()
            while start < len(text) and text[start] == " ":
                start += 1
            if start >= len(text) or not "\u4e00" <= text[start] <= "\u9fff":
                continue
            found_name = name_after_title(text[start : start + 6])
            if found_name is None:
                continue
            name = found_name
            if text[start + len(name) : start + len(name) + 1] in ("·", "•"):
                continue  # 安德鲁·费尔德曼: a transliterated name, read whole below
            if name and free(start, start + len(name)) and not known(name):
                candidates[("person", name)] = "pattern"
        verbs = list(VERB_RE.finditer(text))  # (used again for Latin names below)
        for m in verbs:
            end = m.start()
            # (the pattern only where an adverb could end: seldom)
            if end and text[end - 1] in ADVERB_ENDS:
                adverb = VERB_PREFIX.search(text, max(0, end - 2), end)
                if adverb:  # 张鹏此前表示
                    end = adverb.start()
            if end < 2 or not "\u4e00" <= text[end - 1] <= "\u9fff":
                continue
            if text[end - 2] not in SURNAMES and (end < 3 or text[end - 3] not in SURNAMES):
                continue  # no surname where a name would start: no name here
            before = name_before_verb(text[max(0, end - 6) : end])
            if before is None:
                continue
            name = before
            if (
                "·" in text[max(0, end - len(name) - 4) : end]
                or "•" in text[max(0, end - len(name) - 4) : end]
            ):
                continue  # the end of a transliterated name (布莱恩·切斯基)
            if name and free(end - len(name), end) and not known(name):
                candidates[("person", name)] = "pattern"
        latin_names = latin_people(text, verbs)
        for m in titles:  # CEO Sam Altman
            after = LATIN_NAME.match(text, m.end() + (text[m.end() : m.end() + 1] == " "))
            if after:
                latin_names.append(after.group())
        for name in latin_names:
            if not known(name) and name.split()[0].lower() not in NOT_PRODUCTS:
                candidates[("person", name)] = "pattern"
        for m in dotted_names(text):
            head, dot, tail = (
                m["name"].partition("·") if "·" in m["name"] else m["name"].partition("•")
            )
            titles = list(TITLE_RE.finditer(head))
            if titles:  # `项目负责人米兰·科瓦奇`: the name starts after the title
                head = head[titles[-1].end() :]
            verb = VERB_RE.search(tail)
            if verb:  # `费尔德曼表示公司…`: the name ends before the verb
                tail = tail[: verb.start()]
            tail = DOTTED_TAIL_STOP.split(tail, maxsplit=1)[0]
            if not tail:
                continue
            name = head + dot + tail
            around = text[max(0, m.start() - 8) : m.end() + 8]
            if (
                head
                and PERSON_CONTEXT.search(around)
                and free(m.end() - len(name), m.end())
                and not known(name)
            ):
                candidates[("person", name)] = "pattern"
        # organisations
        for m in ORG_SUFFIX_RE.finditer(text):
            prefix = org_prefix(text[max(0, m.start() - 8) : m.start()])
            if prefix is None:
                continue
            suffix = m.group()
            name = prefix + suffix
            start = m.end() - len(name)
            if len(prefix) < 2 or not free(start, m.end()) or generic_org(name):
                continue
            if suffix in MONEY_SUFFIXES:
                # 鼎晖投资和…: a fund's name in a list, not `诺基亚投资10亿美元` (a verb)
                if (
                    generic_word(prefix, places=True)
                    or text[m.end() : m.end() + 1] not in LIST_FOLLOWERS
                ):
                    continue
            elif generic_word(prefix, places=False):
                continue
            around = text[max(0, start - 12) : m.end() + 12]
            if (text.count(name) > 1 or ORG_CONTEXT.search(around)) and not known(name):
                candidates[("org", name)] = "pattern"
        for m in ORG_LATIN.finditer(text):
            name = m["name"].rstrip(".")
            if (
                free(m.start(), m.end())
                and not known(name)
                and name.split()[0].lower() not in NOT_PRODUCTS
            ):
                candidates[("org", name)] = "pattern"
        out = []
        for (kind, name), source in candidates.items():
            count = count_in(text, name)
            if count:
                out.append(Found(name, kind, count, source=source, surfaces={name}))
        return out
