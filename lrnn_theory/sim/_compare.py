"""Theory versus simulation (theory guide :ref:`theory-alignment-invariance`, :ref:`theory-checks` ('Dynamics'))."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..modes import complex_mode_energy, mode_energy

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

    Examples
    --------
    Obtained from :func:`compare`; ``worst`` is the largest difference of all:

    >>> import lrnn_theory as lt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> run = lt.simulate_gd(data, 2, lr=0.02, steps=200, scale=0.3, record_every=25)
    >>> cmp = compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time), run)
    >>> cmp.names, cmp.time.shape, cmp.theory["b"].shape, sorted(cmp.max_abs)
    (('a', 'b', 'c', 'energy'), (9,), (9, 1), ['a', 'b', 'c', 'energy'])
    >>> cmp.worst == max(float(v.max()) for v in cmp.max_abs.values())
    True
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
        def interp(v):
            return np.interp(t, t_src, v.real) + (1j * np.interp(t, t_src, v.imag) if np.iscomplexobj(v) else 0)

        out = np.stack([interp(y[:, j]) for j in range(y.shape[1])], axis=-1)
    return out.reshape((len(t),) + np.shape(y_src)[:-1])


def compare(theory, run) -> Comparison:
    """Compare a :class:`~lrnn_theory.integrate.ModeTrajectory` with a :class:`~lrnn_theory.sim.gd.GDResult`.

    The theory must describe the run's modes (batch shape ``(m,)``, or ``()`` for one mode; the
    dataset's ``S``) in ODE time units of ``τ``; the comparison is made at the
    run's record times that lie within the theory's time range (theory values
    are linearly interpolated unless the grids coincide — pass
    ``t=run.time`` to :func:`~lrnn_theory.integrate_modes` for an exact match).

    Aligned runs are compared mode by mode on ``a``, ``b``, ``c`` and the energy; other runs on
    the effective ``u``, ``b`` (theory guide :ref:`theory-mode-recovery`) and the energy.  The
    difference is the Euler error of gradient descent, ``O(lr)`` (theory guide
    :ref:`theory-conventions`; user guide :ref:`guide-theory-vs-simulation`).

    Parameters
    ----------
    theory : ModeTrajectory
        Mode-ODE solution with batch shape (m,) (or () for one mode), e.g.
        ``integrate_modes(data.S, a0, b0, c0, run.time)``.
    run : GDResult
        Gradient-descent run on a dataset with prescribed modes (:func:`~lrnn_theory.data.make_dataset`).

    Returns
    -------
    Comparison

    Raises
    ------
    TypeError
        ``theory`` is not a ModeTrajectory or ``run`` is not a GDResult.
    ValueError
        The batch shape of ``theory`` does not match the run's modes, or the two share no time.

    Examples
    --------
    Halving the learning rate halves the difference (first-order Euler error):

    >>> import lrnn_theory as lt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> def worst(lr):
    ...     run = lt.simulate_gd(data, 2, lr=lr, steps=round(4 / lr), scale=0.3, record_every=round(0.5 / lr))
    ...     return compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time), run).worst
    >>> w1, w2 = worst(0.02), worst(0.01)
    >>> bool(w1 < 5e-3), round(w1 / w2, 1)
    (True, 2.0)
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
    energy = complex_mode_energy if np.iscomplexobj(run.S) else mode_energy  # complex (rotational) modes
    if run.R is not None:
        names = ("a", "b", "c", "energy")
        sim = {n: getattr(modes, n)[inside] for n in "abc"}
        sim["energy"] = energy(sim["a"], sim["b"], sim["c"], run.S)
    else:
        names = ("u", "b", "energy")
        sim = {"u": modes.u[inside], "b": modes.b[inside]}
        sim["energy"] = energy(sim["u"], sim["b"], 1.0, run.S)
    th = {}
    for n in names:
        th[n] = _interp(theory.t, getattr(theory, n), t).reshape(len(t), m)
    max_abs = {n: np.max(np.abs(th[n] - sim[n]), axis=0) for n in names}
    final_abs = {n: np.abs(th[n][-1] - sim[n][-1]) for n in names}
    return Comparison(time=t, names=names, max_abs=max_abs, final_abs=final_abs, theory=th, simulation=sim)
