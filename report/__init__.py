"""Briefings (汇报材料): a scenario or a city written as a Word document with its charts, in
Chinese or English. Uses ``sim`` for every number and ``report.charts`` for the charts (pure Altair
builders); no Streamlit session: the app and ``python -m sim brief`` call the same functions
(``report.briefing``); ``report.labels`` names things in a language."""
