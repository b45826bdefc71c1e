"""User text shown literally in Streamlit's Markdown (no Streamlit import: pure helpers can use it)."""
from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation mark
_AUTOLINK = re.compile(r"(://|(?<![A-Za-z0-9])www(?=\.))", re.IGNORECASE)  # what GFM turns into a link by itself
ZWSP = "\u200b"


def lit(text) -> str:
    """User-supplied text made literal for Streamlit's Markdown (labels, captions, messages):
    every ASCII punctuation mark becomes a numeric character reference (``[`` -> ``&#91;``), so
    ``[go](…)``, ``![p](…)``, ``**bold**``, ``<b>`` or ``:red[x]`` show exactly as typed; and a
    bare address (``https://…``, ``www.…``), which GitHub-flavoured Markdown links by itself even
    from decoded text, gets an invisible zero-width space after ``:`` / ``www`` so it stays text.

    >>> lit("[go](https://x.cn)")
    '&#91;go&#93;&#40;https&#58;\u200b&#47;&#47;x&#46;cn&#41;'
    """
    text = _AUTOLINK.sub(lambda m: m.group(0)[:1] + ZWSP + m.group(0)[1:] if m.group(0) == "://"
                         else m.group(0) + ZWSP, str(text))
    return _PUNCTUATION.sub(lambda m: f"&#{ord(m.group(0))};", text)
