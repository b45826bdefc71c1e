"""Errors about a user's input, with the message in Chinese and English.

Every message template lives in ``data/translations.toml`` under ``[errors]``; an error
carries only its code and the values that fill the template (column, row, value, ...). A value
that quotes the user's input is shown without the characters no writer accepts
(:func:`sim.files.text.clean`), so a message can always be displayed, written and logged.
:func:`check` is a user's text refused with one of them (what :mod:`sim.files.text` allows).
"""
from __future__ import annotations

from typing import Any

from .datadir import load_translations
from .text import bad_char, clean, normal


def say(code: str, lang: str = "en", **params: Any) -> str:
    """A result message ``[messages.<code>]`` of data/translations.toml in ``lang``."""
    return load_translations()["messages"][code][lang].format(**params)


class InputError(ValueError):
    """Bad input from a user (a file, a CLI flag, a widget), told in the user's language.

    >>> e = InputError("negative", column="tech_smes", row=3, value=-1)
    >>> "tech_smes" in e.message("en")
    True
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` ('zh' or 'en')."""
        table = load_translations()["errors"]
        entry = table.get(self.code)
        params = {k: clean(v) if isinstance(v, str) else v for k, v in self.params.items()}
        if entry is None:  # a missing template is a bug, but the user still sees the facts
            return f"{self.code}: {params}"
        return entry[lang].format(**params)

    def both(self) -> str:
        """Chinese then English, one per line (the command line shows both)."""
        return f"{self.message('zh')}\n{self.message('en')}"


def check(text: str, field: str) -> str:
    """The text in NFC form; InputError ``bad_text`` naming ``field`` and the first character
    not allowed (:mod:`sim.files.text`)."""
    if not isinstance(text, str):
        raise InputError("bad_text", field=field, char=type(text).__name__)
    char = bad_char(text)
    if char is not None:
        raise InputError("bad_text", field=field, char=char)
    return normal(text)
