"""Test-session settings shared by every test module.

Hypothesis (the property tests in ``test_properties.py`` and ``test_integrate.py``): a run on continuous
integration (``CI`` set in the environment, as CI services do) uses the ``ci`` profile, which
derandomises the search so that the same commit always tests the same examples; local runs keep
exploring new examples (the ``default`` profile), and a failure found there is pinned with
``@example`` in the test.  ``HYPOTHESIS_PROFILE`` chooses a profile explicitly.
"""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
