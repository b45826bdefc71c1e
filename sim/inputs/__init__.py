"""What ``data/`` and users give, made into scenarios: presets resolved from their documents
(:mod:`.presets`), growth fitted to a preset's actual years (:mod:`.calibration`), the scenario
document's schema and limits (:mod:`.document`) and users' tables (:mod:`.tables`). Uses
:mod:`sim.model` and :mod:`sim.files`."""
