"""Shared axes and parameter lists of the curse-of-memory figures (theory guide :ref:`gallery`; Zucchet & Orvieto (2024))."""
from __future__ import annotations

import numpy as np

#: Input auto-correlations of :ref:`gallery-memory-f1` / :ref:`gallery-memory-f2`.
RHOS = (0.0, 0.9, 0.99, 0.999, 1.0)
#: Teacher eigenvalues of :ref:`gallery-memory-f1`: ``1 - {0.01, ..., 0.64}`` (theory guide :ref:`memory-teacher-student`).
LAM_STARS = tuple(1 - np.array([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64]))
#: Moduli sweep ``ν_0`` (theory guide :ref:`memory-teacher-student`).
NU0 = (0.36, 0.68, 0.84, 0.92, 0.96, 0.98, 0.99)


def memory_axis(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    """``x = -log10(1-λ) ∈ [0, 4]`` and ``λ = 1 - 10^{-x}`` (:ref:`gallery-memory-f1`, :ref:`gallery-memory-f2`; the x-axis of :ref:`gallery`)."""
    x = np.linspace(0.0, 4.0, 81 if quick else 401)
    return x, 1 - 10.0 ** (-x)


def label_memory_axis(ax) -> None:
    """Tick the ``-log10(1-λ)`` axis with the λ values 0, 0.99, 0.9999."""
    ax.set_xticks([0, 2, 4])
    ax.set_xticklabels(["0", "0.99", "0.9999"])
    ax.set_xlabel("λ")

#: The three parametrisations of :ref:`gallery-memory-f3` / :ref:`gallery-memory-f4`: (label, modulus, phase).
PARAMETRISATION_ROWS = (("direct", "direct", "direct"), ("exp", "exp", "exp"), ("tanh + ν-scaled", "tanh", "nu_scaled"))
