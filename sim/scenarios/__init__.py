"""A scenario as a user names it: a preset by its id (:mod:`.presets`; a city preset's base year
summed from its counties, which is why this package sits above :mod:`sim.counties`) and scenario
documents applied to their preset (links, saved scenarios, the command line's ``--set``:
:mod:`.overrides`)."""
