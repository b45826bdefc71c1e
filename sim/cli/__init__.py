"""``python -m sim``: batch work from the command line (score, template, ...).

Bad input exits with status 2 and one message in Chinese and English, never a traceback, and
writes nothing to ``--out``. The parser and its registry are :mod:`.parser`; each command lives
with its kind of question (:mod:`.scenario`, :mod:`.plans`, :mod:`.province`, :mod:`.batch`,
:mod:`.brief`).
"""
from __future__ import annotations

import sys

from sim.files.errors import InputError

from . import batch, brief, plans, province, scenario  # noqa: F401  (each registers its commands)
from .parser import COMMANDS, build_parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        sys.stderr.write(exc.both() + "\n")
        return 2
