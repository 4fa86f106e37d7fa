"""Test-session settings shared by every test module.

Hypothesis (the property tests in ``test_properties.py`` and ``test_integrate.py``): a run on continuous
integration (``CI`` set in the environment, as CI services do) uses the ``ci`` profile, which
derandomises the search so that the same commit always tests the same examples; local runs keep
exploring new examples (the ``default`` profile), and a failure found there is pinned with
``@example`` in the test.  ``HYPOTHESIS_PROFILE`` chooses a profile explicitly.

Kernels: cold calls wait for the compiled kernels (``LRNN_THEORY_COLD_FALLBACK=0``), so that every
result is the compiled path's whatever the state of numba's cache.

BLAS: one thread, in this process and (through ``OPENBLAS_NUM_THREADS``) in the processes the tests
start, as the figures runner and ``tools/execute_notebooks.py`` use.  The tests check numbers, and
a multi-threaded BLAS on the small products of the kernels leaves its threads spinning between calls:
on a busy 2-core machine the quick state-merging training run (``train_parity``, 64 hidden units,
150 epochs) took 95 s with two BLAS threads and 2.2 s with one.  A chaotic training run (state
merging) then also gives the same numbers whatever the machine's number of cores.
"""
import os

import numpy  # noqa: F401  (loaded before the BLAS limit below, which acts on loaded libraries)
from hypothesis import settings
from threadpoolctl import threadpool_limits

# Results come from the compiled kernels even on a cold numba cache (no NumPy/SciPy first answers,
# see lrnn_theory._jit), and without the compile notice; tests of those paths set the variables themselves.
os.environ.setdefault("LRNN_THEORY_COLD_FALLBACK", "0")
os.environ.setdefault("LRNN_THEORY_COMPILE_NOTICE", "0")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]), user_api="blas")

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
