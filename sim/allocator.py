"""The process's memory allocator, set for the engine's arrays (glibc's malloc; elsewhere nothing).

A stacked projection of a few thousand rows allocates and frees arrays of 0.1-5 MB hundreds of
times a second. glibc's malloc serves a block above its mmap threshold (128 kB when a process
starts) with fresh pages from the system and hands them back on free, so each such array costs
its page faults again; and it trims the heap's free top above the trim threshold (128 kB too).
glibc raises both by itself once a large block is freed, up to 32 MB and 64 MB
(``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit, and twice that), but a process gets there only after
its first large frees, and trims and refaults meanwhile. :func:`tune` starts every process where
that adjustment ends.

Measured on Hengshui's 11 counties (1,000 draws, robust optimization, serial; 3 runs each after a
warm-up, in fresh processes, twice): 3.39-3.63 s and 530-543 thousand page faults by default,
2.95-3.30 s and 60-234 thousand with these thresholds; peak memory 284 MB either way.
"""
from __future__ import annotations

import ctypes
import functools

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
MMAP_THRESHOLD = 32 * 2**20  # bytes: glibc's own ceiling for its adjustment (DEFAULT_MMAP_THRESHOLD_MAX)
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # bytes: what glibc's adjustment sets beside it


@functools.cache
def tune() -> bool:
    """Set glibc's mmap and trim thresholds (:data:`MMAP_THRESHOLD`, :data:`TRIM_THRESHOLD`), once
    a process: the app, the command line and each batch (a Dask worker's too) call it. False where
    the C library has no ``mallopt`` (macOS) or refuses (musl's does nothing)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process already runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
