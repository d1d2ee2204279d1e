"""ArticleView: the open article as selectable blocks (headings, bullets, 锐评, sources)."""

from __future__ import annotations

from textual.content import Content
from textual.events import Resize
from textual.widgets.option_list import Option

from store.records import Article

from ..bindings import bindings
from ..render import article_blocks, block_indent, match_indexes, wrap
from .lists import StopAtEnds


class ArticleView(StopAtEnds):
    """One option per block, so a bullet or paragraph can be selected (and quoted)."""

    BINDINGS = [*bindings("list"), *bindings("article_view")]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.article: Article | None = None
        self._blocks: list[tuple[str, Content]] = []
        self.kinds: list[str] = []
        self.words: tuple[str, ...] = ()
        self.matches: list[int] = []  # blocks with a search match, in order
        self._shown = 0  # counts show_article/show_message calls: stale deferred work skips

    def show_article(self, article: Article | None, words: tuple[str, ...] = ()) -> None:
        # The same article again (marked read, a note added) keeps its place; another
        # article, or the same one for another search, starts at the top or its first match.
        same = (
            self.article is not None
            and article is not None
            and self.article.id == article.id
            and self.words == words
        )
        keep = self.highlighted if same else None
        self.article = article
        self.words = words
        self.clear_options()
        self._shown += 1
        if article is None:
            self.kinds = []
            self.matches = []
            return
        self._blocks = article_blocks(article, words)
        self.kinds = [kind for kind, _ in self._blocks]
        self.matches = [i for i in match_indexes(self._blocks) if self.kinds[i] != "title"]
        at_match = keep is None and bool(self.matches)
        if at_match:
            keep = self.matches[0]  # a search result opens at its first match
        # A long article: the blocks that fill the first screens now, the rest after the
        # paint, so moving through the list never waits for a whole long article.
        first: list[Option] = []
        lines, enough = 0, max(40, 2 * self.size.height)
        for kind, content in self._blocks:
            wrapped = self._wrapped(kind, content)
            first.append(Option(wrapped))
            lines += wrapped.plain.count("\n") + 1
            if lines >= enough and (keep is None or len(first) > keep):
                break
        self.add_options(first)
        if len(first) < len(self._blocks):
            self.call_after_refresh(self._add_rest, self._shown)
        self.highlighted = keep if keep is not None else 0
        if keep is None:
            self.scroll_home(animate=False)
        elif at_match:
            self.call_after_refresh(self._scroll_to_highlight_top)

    def _scroll_to_highlight_top(self) -> None:
        """The first match near the top of the pane, with the title above it if it fits."""
        if self.highlighted is not None and self.highlighted < self.option_count:
            self.scroll_to_highlight(top=True)

    def jump_match(self, step: int) -> bool:
        """Select the next (step 1) or previous (-1) block with a search match."""
        here = self.highlighted if self.highlighted is not None else -1
        after = [i for i in self.matches if (i > here if step > 0 else i < here)]
        if not after:
            return False
        target = after[0] if step > 0 else after[-1]
        if target >= self.option_count:
            self._add_rest(self._shown)
        self.highlighted = target
        return True

    def action_last(self) -> None:
        self._add_rest(self._shown)  # the blocks not added yet come first
        super().action_last()

    def _add_rest(self, shown: int) -> None:
        if shown != self._shown:
            return  # another article (or none) is shown by now
        start = self.option_count
        self.add_options(
            Option(self._wrapped(kind, content)) for kind, content in self._blocks[start:]
        )

    def _wrapped(self, kind: str, content: Content) -> Content:
        width = self.size.width - 4 - self.styles.scrollbar_size_vertical
        return wrap(content, width, indent=block_indent(kind, content))

    def on_resize(self, event: Resize) -> None:
        if self.article is not None and self._blocks:
            for index, (kind, content) in enumerate(self._blocks[: self.option_count]):
                self.replace_option_prompt_at_index(index, self._wrapped(kind, content))
            # Re-wrapped lines move the blocks: keep the selected one (a match) in view.
            self.call_after_refresh(self.scroll_to_highlight)

    def show_message(self, text: object) -> None:
        self.article = None
        self._shown += 1
        self.kinds = ["message"]
        self.matches = []
        self.clear_options()
        self.add_option(Option(text))  # type: ignore[arg-type]

    @property
    def selected_text(self) -> tuple[str, str] | None:
        """(kind, plain text) of the selected block, for a quote note."""
        if self.article is None or self.highlighted is None:
            return None
        kind = self.kinds[self.highlighted]
        text = self._blocks[self.highlighted][1].plain
        if kind == "bullet":
            text = text[2:]
            bullet = self._bullet_at(self.highlighted)
            if bullet is not None:
                text = bullet
        elif kind == "ruiping":
            text = self.article.ruiping or text
        return kind, text

    def _bullet_at(self, index: int) -> str | None:
        """The bullet's own text (without its citation marks) for block `index`."""
        assert self.article is not None
        position = 0
        for n, kind in enumerate(self.kinds):
            if kind == "bullet":
                if n == index:
                    break
                position += 1
        bullets = [b.text for s in self.article.sections for b in s.bullets]
        return bullets[position] if position < len(bullets) else None
