"""How a run's Python processes are set up: the command's process (and the results computation forked from it)
and, through the environment they inherit, the report kernels. Stdlib only, so it runs before numpy and pandas
are imported.

* **The garbage collector's thresholds** (700, 10, 10) → :data:`GC_THRESHOLDS` in the command's process: the
  youngest generation is collected after 20 000 new container objects instead of 700. Its process start,
  imports and results computation allocate millions of objects that live on; with the default the collector
  walked them again and again: ≈ 6 % of a Blekinge ``make report``'s CPU went to the collector, ≈ 3,8 % with
  this (``perf record`` of the whole tree, two runs each). **The kernels keep Python's default**: with this
  threshold a kernel's cyclic garbage (a report's frames and figures) waits longer and its peak memory grew
  (national benchmark, Stockholm and Skåne: kernel peak 331 → 385 MB PSS; the whole national run 0,86 → 1,10 GB),
  for no CPU gain per report.
* **One BLAS thread** (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``; a value set by the user wins), for the
  command and every process it starts: numpy's OpenBLAS otherwise starts a thread per core in every process,
  which spin after each call although the reports' arithmetic is far too small to share
  (``blas_thread_server`` ≈ 1 % of the run's CPU in ``perf``).
"""

from __future__ import annotations

import gc
import os

GC_THRESHOLDS = (20_000, 20, 20)
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def tune() -> None:
    """Set up this process (and what it starts afterwards: its environment is inherited)."""
    gc.set_threshold(*GC_THRESHOLDS)
    for key, value in THREAD_ENV.items():
        os.environ.setdefault(key, value)
