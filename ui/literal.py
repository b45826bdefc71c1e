"""User text shown literally in Streamlit's Markdown (no Streamlit import: pure helpers can use it)."""
from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\\[-`{-~])")  # every ASCII punctuation mark


def lit(text) -> str:
    """User-supplied text made literal for Streamlit's Markdown (labels, captions, messages):
    every ASCII punctuation mark is backslash-escaped, so ``[go](https://…)``, ``![p](…)``,
    ``**bold**``, ``<b>`` or ``:red[x]`` show as typed and never become a link, an image or
    formatting.

    >>> lit("[go](x)")
    '\\\\[go\\\\]\\\\(x\\\\)'
    """
    return _PUNCTUATION.sub(r"\\\1", str(text))
