"""Text a stranger typed, made inert before it is shown: in Markdown (every st.markdown, st.error, caption …)
and in plotly's labels (axis ticks, titles, hover text), which render a subset of HTML.

A class folder named `![a](https://host/x)` would otherwise make every browser that shows the zip's summary
fetch that address; a class name `<a href="//host">x</a>` would become a link in the top-5 chart.
"""
from __future__ import annotations

import html
import re

_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#$~@]|:(?=//)|(?<=[wW]{3})\.)")
"""What can start Markdown syntax in one line of running text: escapes, code, emphasis, links and images (`[`),
HTML (`<`), headings, Streamlit's LaTeX (`$`) and colour directives (`:red[`), bare links (`://`, `www.`, `@`).
Other punctuation (a colon, a dot, a hyphen) only means something next to these, so it stays as it is."""


def escape_markdown(text: str) -> str:
    """`text` with every character Markdown (and Streamlit's extensions) could read as syntax backslash-escaped,
    so it shows as typed; line breaks become spaces (a name cannot start a heading or a list)."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", " ".join(str(text).split("\n")))


_LOOK_ALIKES = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "$": "＄", "`": "｀", "\\": "＼", "@": "＠"})


def inert(text: str) -> str:
    """A name a visitor chose (a class folder, a class-names line, a model's label) made inert at its source, for
    the many places that show it (select boxes, chart titles, captions, tables): the characters that make links,
    images, HTML, LaTeX and code become their full-width look-alikes, and bare links (`://`, `www.`) are broken.
    Pages still escape what they show; this keeps a place that forgets from making markup."""
    text = " ".join(str(text).split()).translate(_LOOK_ALIKES)
    return re.sub(r"(?i)(www)\.", r"\1．", text.replace("://", "：//"))


def escape_label(text: str) -> str:
    """`text` for a plotly label: `<`, `>`, `&` and quotes as HTML entities, so no tag (a link, a style) is made."""
    return html.escape(str(text), quote=True)
