"""What leaves the room, without a Streamlit session: the Altair charts (``report.charts``: pure
``frame -> chart`` builders the pages use too), briefings (汇报材料) of a scenario or a city as a
Word document (``report.briefing``, with ``report.word``, ``report.facts`` and ``report.citymap``)
and slides (``report.slides``), in Chinese or English; ``report.labels`` names things in a
language. Uses ``sim`` for every number; below ``ui``, which uses it. The app and ``python -m sim
brief`` call the same functions."""
