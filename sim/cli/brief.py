"""``brief``: a scenario's or a city's briefing (.docx) or slides (.pptx). The one command that
reaches up to the report layer that sits on sim (allowed by ``.importlinter``)."""
from __future__ import annotations

import argparse


from sim.files.errors import InputError
from sim.files.writers import check_out_path, write_atomic
from .parser import command
from .scenario import apply_settings


@command
def cmd_brief(args: argparse.Namespace) -> int:
    """Write the briefing (report.briefing) of a preset's scenario or of a city."""
    from sim.files.errors import check as check_text
    from sim.scenarios.presets import check_preset_id, load_preset

    out = check_out_path(args.out, (".docx", ".pptx"))
    if (args.preset is None) == (args.city is None):
        raise InputError("bad_setting", key="--preset / --city", value="-", reason="give one of them")
    slides = out.suffix.lower() == ".pptx"  # the writer by the extension: Word or slides
    if slides and args.city:
        raise InputError("bad_setting", key="--out", value=".pptx", reason="slides are of a scenario (--preset)")
    from report.briefing import city_briefing, scenario_briefing  # the report layer sits on sim
    from report.slides import scenario_slides

    if args.city:
        from sim.counties import regions

        payload = city_briefing(regions.load(args.city), lang=args.lang)
    else:
        check_preset_id(args.preset)
        name = check_text(args.name, "--name")
        sc = apply_settings(load_preset(args.preset), args.set)
        payload = (scenario_slides if slides else scenario_briefing)(sc, args.lang, name=name)
    write_atomic(out, payload)
    return 0
