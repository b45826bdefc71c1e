"""What ``data/`` and users give, made into scenarios: a preset document's values resolved
(:mod:`.resolve`) and its scenario (:mod:`.presets`), growth fitted to a preset's actual years
(:mod:`.calibration`), the scenario document's schema and limits (:mod:`.document`) and users'
tables (:mod:`.tables`) with their cells checked against the rubric (:mod:`.cells`). Uses
:mod:`sim.model` and :mod:`sim.files`; knows nothing of :mod:`sim.uncertainty`."""
