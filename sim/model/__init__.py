"""The model of one county: the indicator catalog and programs (:mod:`.catalog`), the rubric and
its scorer (:mod:`.rubric`), the scenario (:mod:`.scenario`), the pace (:mod:`.pace`), program
effects (:mod:`.effects`), the projection engine (:mod:`.projection`), a scenario as frames
(:mod:`.simulate`) and plan attainment (:mod:`.attainment`). Uses only :mod:`sim.files`."""
