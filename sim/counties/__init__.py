"""Many counties at once: a collection and its batch (:mod:`.collection`), collections loaded and
projected (:mod:`.regions`), synthetic counties (:mod:`.synthetic`), the province's policy and
record (:mod:`.province`), its calibration (:mod:`.posterior`) and backtest (:mod:`.backtest`),
what counties like yours did (:mod:`.peers`), a city's budget across its counties (:mod:`.city`),
many counties' Monte Carlo and robust optimization in one vectorized pass (:mod:`.stacked`) and
province batches on Dask (:mod:`.batch`)."""
