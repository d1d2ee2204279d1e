"""ExportModal: asks where to export the notes (remembering the last folder)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..bindings import bindings


class ExportModal(ModalScreen[Path | None]):
    BINDINGS = bindings("export")
    DEFAULT_CSS = """
    ExportModal {
        align: center middle;
    }
    ExportModal > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    ExportModal .hint {
        color: $text-muted;
    }
    """

    def __init__(self, folder: Path, first: bool = False) -> None:
        super().__init__()
        self.folder = folder
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled("导出笔记到 Markdown · export notes", "bold"), markup=False)
            yield Static(
                Content("一篇文章一个文件; 标记区外你写的内容在每次导出后保留。"),
                classes="hint",
                markup=False,
            )
            if self.first:
                yield Static(
                    Content(
                        "第一次导出: 默认放在文档目录下; 也可以填你的 Obsidian 库 (vault) 的路径。"
                        " 之后会记住这个文件夹。"
                    ),
                    classes="hint",
                    markup=False,
                )
            yield Input(str(self.folder), id="folder")
            yield Static(Content("enter 导出 · esc 取消"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
