"""How a run's Python processes are set up: the command's process (and the results computation forked from it)
and the report kernels. One place for both; stdlib only, so it runs before numpy and pandas are imported.

* **The garbage collector's first threshold** 700 → :data:`GC_THRESHOLDS`: the youngest generation is collected
  after 20 000 new container objects instead of 700. A run allocates millions of short-lived objects (imports,
  DataFrames, JSON of charts); with the default the collector walked them ≈ 6 % of a Blekinge ``make report``'s
  CPU, with this ≈ 3,8 % (``perf record`` of the whole tree, two runs each). The memory it lets wait is a few MB.
* **One BLAS thread** (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``; a value set by the user wins): numpy's
  OpenBLAS otherwise starts a thread per core in every process, which spin after each call although the
  reports' arithmetic is far too small to share (``blas_thread_server`` ≈ 1 % of the run's CPU in ``perf``).
"""

from __future__ import annotations

import gc
import os

GC_THRESHOLDS = (20_000, 20, 20)
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

#: the same settings as Python code, for a kernel's warm-up (:mod:`analysis.publish.kernel`)
KERNEL_CODE = f"__import__('gc').set_threshold(*{GC_THRESHOLDS!r})\n"


def tune() -> None:
    """Set up this process (and what it starts afterwards: its environment is inherited)."""
    gc.set_threshold(*GC_THRESHOLDS)
    for key, value in THREAD_ENV.items():
        os.environ.setdefault(key, value)
