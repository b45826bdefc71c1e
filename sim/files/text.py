"""Allowed text: the one definition of what a user's text may hold, checked at every entrance.

A text is allowed when, after Unicode NFC normalisation, it holds none of

* C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F: line breaks and tabs included),
* surrogates (U+D800–U+DFFF: a lone one cannot be encoded as UTF-8, so no file, URL or
  database can hold it),
* non-characters (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE/U+FFFF,
  U+1FFFE/U+1FFFF, ...: XML, and so Word, PPTX and xlsx, refuses them),

so that every writer of the product (Word, PPTX, xlsx, CSV, the charts' renderer, the scenario
store, a link) can write it. Names, imported documents, uploaded tables' region names, file
names and command-line texts pass :func:`sim.files.errors.check` (a refusal names the field and the character)
or, where the user cannot fix the text (a file's name), :func:`clean`.

>>> bad_char("a\\x0bb")
'U+000B'
>>> clean("景县\\ufffe.xlsx")
'景县.xlsx'
"""
from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
DISALLOWED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]")


def bad_char(text: str) -> str | None:
    """The first character not allowed in ``text`` as "U+XXXX", or None when every one is."""
    m = DISALLOWED.search(text)
    return None if m is None else f"U+{ord(m.group(0)):04X}"


def normal(text: str) -> str:
    """NFC (composed) form; a text with a lone surrogate is returned unchanged (it has no form)."""
    try:
        return unicodedata.normalize("NFC", text)
    except UnicodeError:  # pragma: no cover - normalize accepts surrogates in CPython
        return text


def clean(text: str) -> str:
    """The text in NFC form without the characters not allowed (for texts a user cannot fix,
    such as an uploaded file's name, and as a last guard before a writer)."""
    return normal(DISALLOWED.sub("", str(text)))
