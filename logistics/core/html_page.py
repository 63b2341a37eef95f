"""One builder for the self-contained HTML pages the project writes (a run's report, a comparison of runs, an
experiment's report): one style, every text escaped on the way in, images embedded as data URIs so that a page
opens in a browser with no server and no file beside it."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["STYLE", "Cell", "HtmlPage"]

STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #ddd;"
    "text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}"
    ".wide{overflow-x:auto;max-width:100%}"
    ".notice{background:#fff3cd;border:1px solid #e0b100;padding:0.6em 1em}"
    ".differs{background:#fde2c8}"
)
"""The house style of every page."""


class _Frame(Protocol):
    """What the builder needs of a table of data (a pandas DataFrame)."""

    def to_html(self, **kwargs: Any) -> str: ...


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its text (escaped when written), a CSS class and a tooltip."""

    text: object
    css_class: str = ""
    tooltip: str = ""

    def render(self, tag: str = "td") -> str:
        """The cell as HTML."""
        attrs = f' class="{html.escape(self.css_class)}"' if self.css_class else ""
        attrs += f' title="{html.escape(self.tooltip)}"' if self.tooltip else ""
        return f"<{tag}{attrs}>{html.escape(str(self.text))}</{tag}>"


class HtmlPage:
    """A page built top to bottom: headings, paragraphs, lists, tables (of data or of cells), images; `write`
    saves it as one file."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._body: list[str] = [f"<h1>{html.escape(title)}</h1>"]

    def heading(self, text: str, level: int = 2) -> HtmlPage:
        """A section heading (`level` 2 or 3; 1 is the page's title)."""
        self._body.append(f"<h{level}>{html.escape(text)}</h{level}>")
        return self

    def paragraph(self, text: str, *, notice: bool = False, emphasis: Sequence[str] = ()) -> HtmlPage:
        """A paragraph of plain text (a `notice` stands out above the rest). Each phrase in `emphasis` is set in
        italics where it occurs."""
        body = html.escape(text)
        for phrase in emphasis:
            body = body.replace(html.escape(phrase), f"<i>{html.escape(phrase)}</i>")
        if notice:
            self._body.append(f'<p class="notice"><strong>{body}</strong></p>')
        else:
            self._body.append(f"<p>{body}</p>")
        return self

    def bullets(self, items: Iterable[str], *, bold_lead: bool = False) -> HtmlPage:
        """A bulleted list of plain texts; with `bold_lead`, each item's text before its first ': ' in bold."""
        rendered = []
        for item in items:
            lead, sep, rest = item.partition(": ") if bold_lead else ("", "", item)
            head = f"<b>{html.escape(lead)}</b>{sep}" if sep else html.escape(lead)
            rendered.append(f"<li>{head}{html.escape(rest)}</li>")
        self._body.append("<ul>" + "".join(rendered) + "</ul>")
        return self

    def frame(
        self,
        frame: _Frame,
        *,
        float_format: Callable[[float], str] | None = None,
        na_rep: str = "n/a",
        wide: bool = False,
    ) -> HtmlPage:
        """A table of data (its index left out); `wide` lets a table broader than the page scroll."""
        table = frame.to_html(index=False, float_format=float_format, na_rep=na_rep, border=0)
        self._body.append(f'<div class="wide">{table}</div>' if wide else table)
        return self

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Cell | object]]) -> HtmlPage:
        """A table of cells (a plain value is a cell without class or tooltip)."""
        head = "".join(Cell(h).render("th") for h in header)
        lines = [
            "<tr>" + "".join((c if isinstance(c, Cell) else Cell(c)).render() for c in row) + "</tr>" for row in rows
        ]
        self._body.append(f"<table><tr>{head}</tr>{''.join(lines)}</table>")
        return self

    def image(self, alt: str, png: bytes | Path) -> HtmlPage:
        """A PNG image (its bytes, or a file to read them from), embedded."""
        data = png.read_bytes() if isinstance(png, Path) else png
        encoded = base64.b64encode(data).decode("ascii")
        self._body.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">')
        return self

    def render(self) -> str:
        """The whole page."""
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(self._body)}</body></html>"
        )

    def write(self, path: Path) -> Path:
        """Save the page to `path` (UTF-8) and return the path."""
        path.write_text(self.render(), encoding="utf-8")
        return path
