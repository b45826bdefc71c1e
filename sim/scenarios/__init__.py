"""A scenario as a user names it: scenario documents applied to their preset (links, saved
scenarios, the command line's ``--set``: :mod:`.overrides`)."""
