"""The only file I/O of the simulator: ``data/`` read and validated once (:mod:`.datadir`,
:mod:`.loaders`), users' spreadsheets read by counting readers (:mod:`.workbooks`), what the
simulator writes (:mod:`.writers`), and how input is refused: allowed text (:mod:`.text`) and
errors told in Chinese and English (:mod:`.errors`). Imports nothing else of ``sim``."""
