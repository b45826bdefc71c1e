"""The model of one county: the indicator catalog and programs (:mod:`.catalog`), the rubric and
its scorer (:mod:`.rubric`), the scenario (:mod:`.scenario`), the pace (:mod:`.pace`), program
effects (:mod:`.effects`), a run's parameters (:mod:`.params`), the projection engine
(:mod:`.projection`) and what no spending moves, projected once for many budgets
(:mod:`.free`), the score of projected quantities (:mod:`.scoring`), a scenario as frames
(:mod:`.simulate`) and plan attainment (:mod:`.attainment`). Uses only :mod:`sim.files`."""
