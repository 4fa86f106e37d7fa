"""Test-session settings shared by every test module.

Hypothesis (the property tests in ``test_properties.py`` and ``test_integrate.py``): a run on continuous
integration (``CI`` set in the environment, as CI services do) uses the ``ci`` profile, which
derandomises the search so that the same commit always tests the same examples; local runs keep
exploring new examples (the ``default`` profile), and a failure found there is pinned with
``@example`` in the test.  ``HYPOTHESIS_PROFILE`` chooses a profile explicitly.

Kernels: cold calls wait for the compiled kernels (``LRNN_THEORY_COLD_FALLBACK=0``), so that every
result is the compiled path's whatever the state of numba's cache.
"""
import os

from hypothesis import settings

# Results come from the compiled kernels even on a cold numba cache (no NumPy/SciPy first answers,
# see lrnn_theory._jit), and without the compile notice; tests of those paths set the variables themselves.
os.environ.setdefault("LRNN_THEORY_COLD_FALLBACK", "0")
os.environ.setdefault("LRNN_THEORY_COMPILE_NOTICE", "0")

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
