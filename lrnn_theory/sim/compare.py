"""Theory versus simulation (theory guide :ref:`theory-alignment-invariance`, :ref:`theory-checks` ('Dynamics'))."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..modes import mode_energy

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """Per-mode differences between a mode-ODE solution and a gradient-descent run.

    Attributes
    ----------
    time : ndarray, shape (n,)
        Common time grid (the run's record times within the theory's range), units of ``τ``.
    names : tuple of str
        Compared quantities: ``("a", "b", "c", "energy")`` for aligned runs,
        ``("u", "b", "energy")`` otherwise.
    max_abs : dict name -> ndarray (m,)
        Largest absolute difference over the time grid, per mode.
    final_abs : dict name -> ndarray (m,)
        Absolute difference at the last common time, per mode.
    theory, simulation : dict name -> ndarray (n, m)
        The two curves on the common grid.
    """

    time: np.ndarray
    names: tuple
    max_abs: dict
    final_abs: dict
    theory: dict
    simulation: dict

    @property
    def worst(self) -> float:
        """Largest difference over all quantities, modes and times."""
        return float(max(np.max(v) for v in self.max_abs.values()))


def _interp(t_src, y_src, t):
    """Interpolate ``y_src`` (batch..., n_src) linearly onto ``t``; exact when ``t`` is a subset of ``t_src``."""
    y = np.moveaxis(np.asarray(y_src), -1, 0).reshape(len(t_src), -1)
    idx = np.searchsorted(t_src, t)
    exact = (idx < len(t_src)) & np.isclose(t_src[np.minimum(idx, len(t_src) - 1)], t, rtol=1e-12, atol=0)
    if np.all(exact):
        out = y[idx]
    else:
        out = np.stack([np.interp(t, t_src, y[:, j]) for j in range(y.shape[1])], axis=-1)
    return out.reshape((len(t),) + np.shape(y_src)[:-1])


def compare(theory, run) -> Comparison:
    """Compare a :class:`~lrnn_theory.integrate.ModeTrajectory` with a :class:`~lrnn_theory.sim.gd.GDResult`.

    The theory must describe the run's modes (batch shape ``(m,)``, or ``()`` for one mode; the
    dataset's ``S``) in ODE time units of ``τ``; the comparison is made at the
    run's record times that lie within the theory's time range (theory values
    are linearly interpolated unless the grids coincide — pass
    ``t=run.time`` to :func:`~lrnn_theory.integrate_modes` for an exact match).

    Returns
    -------
    Comparison
    """
    if not hasattr(theory, "t") or not hasattr(theory, "b"):
        raise TypeError("theory must be a ModeTrajectory (lrnn_theory.integrate_modes)")
    if not hasattr(run, "W_h") or not hasattr(run, "modes"):
        raise TypeError("run must be a GDResult (lrnn_theory.simulate_gd)")
    m = run.S.shape[0] if run.S is not None else None
    if m is None or np.shape(theory.b)[:-1] not in ((m,), () if m == 1 else (m,)):
        raise ValueError(f"theory must have batch shape (n_modes,) = ({m},), got {np.shape(theory.b)[:-1]}")
    inside = (run.time >= theory.t[0]) & (run.time <= theory.t[-1] * (1 + 1e-12))
    t = run.time[inside]
    if t.size == 0:
        raise ValueError("theory and run share no time: integrate the theory on run.time")
    modes = run.modes()
    if run.R is not None:
        names = ("a", "b", "c", "energy")
        sim = {n: getattr(modes, n)[inside] for n in "abc"}
        sim["energy"] = mode_energy(sim["a"], sim["b"], sim["c"], run.S)
    else:
        names = ("u", "b", "energy")
        sim = {"u": modes.u[inside], "b": modes.b[inside]}
        sim["energy"] = mode_energy(sim["u"], sim["b"], 1.0, run.S)
    th = {}
    for n in names:
        th[n] = _interp(theory.t, getattr(theory, n), t).reshape(len(t), m)
    max_abs = {n: np.max(np.abs(th[n] - sim[n]), axis=0) for n in names}
    final_abs = {n: np.abs(th[n][-1] - sim[n][-1]) for n in names}
    return Comparison(time=t, names=names, max_abs=max_abs, final_abs=final_abs, theory=th, simulation=sim)
