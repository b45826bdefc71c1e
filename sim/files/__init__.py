"""The only file I/O of the simulator: ``data/`` read and validated once (:mod:`.loaders`), users'
spreadsheets read by counting readers (:mod:`.workbooks`), and how input is refused: allowed text
(:mod:`.text`) and errors told in Chinese and English (:mod:`.errors`). Imports nothing else of
``sim``."""
