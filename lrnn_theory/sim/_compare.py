"""Theory versus simulation (theory guide :ref:`theory-alignment-invariance`, :ref:`theory-checks` ('Dynamics'))."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _verdict as _v
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
    loss_theory, loss_simulation : ndarray, shape (n,)
        Theory's loss ``Σ_α E_α`` (complex modes counted twice: each is a 2×2 block of the network)
        and the run's recorded loss on the common grid (a negative
        rounding value of the run's loss, ``|L| ≲ 1e-15 Σ^{YY}`` from cancellation, reads 0).
    loss_error, final_loss_error : float
        ``max_n |ΔL(n)| / L(0)`` and the same at the last common time (``L`` the run's loss).
    loss_error_step, final_loss_error_step : float
        ``|ΔL(n)| / max(L(n), 1e-3·L(0))``: relative to the run's loss at the same step (largest, last).
    theory_converged, run_converged : bool
        The theory's loss is within 1 % of the limit its flow reaches (integrated on to ``10⁶ τ``);
        the run's loss fell by at most 1 % of its value over the second half of the compared times.
    theory_limit : float
        ``Σ_α E_α`` where the theory's flow ends.
    order : float or None
        With ``run_half_lr``: ``log2`` of the ratio of ``loss_error_step`` at ``lr`` and ``lr/2``;
        ≈ 1 in the ``O(lr)`` regime.
    half_lr_error : float or None
        ``loss_error_step`` of ``run_half_lr``.
    verdict : str
        One line: whether the theory describes the run (rules: theory guide :ref:`own-data-verdict`).

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
    loss_theory: np.ndarray | None = None
    loss_simulation: np.ndarray | None = None
    loss_error: float = float("nan")
    final_loss_error: float = float("nan")
    loss_error_step: float = float("nan")
    final_loss_error_step: float = float("nan")
    theory_converged: bool = False
    run_converged: bool = False
    theory_limit: float = float("nan")
    order: float | None = None
    half_lr_error: float | None = None
    verdict: str = ""

    @property
    def worst(self) -> float:
        """Largest difference over all quantities, modes and times."""
        return float(max(np.max(v) for v in self.max_abs.values()))

    def __repr__(self) -> str:
        m = next(iter(self.theory.values())).shape[1] if self.theory else 0
        order = "" if self.order is None else f", order={self.order:.3g}"
        return (f"Comparison({self.time.size} times, {m} modes, names={self.names}, worst={self.worst:.3g}, "
                f"loss_error={self.loss_error:.3g}, loss_error_step={self.loss_error_step:.3g}{order}, "
                f"theory_converged={self.theory_converged}, run_converged={self.run_converged}, "
                f"verdict={self.verdict!r})")

    def summary(self) -> dict:
        """The numbers as a JSON-ready dict (no curves)."""
        return {"names": list(self.names), "worst": self.worst,
                "max_abs": {k: np.abs(v).tolist() for k, v in self.max_abs.items()},
                "final_abs": {k: np.abs(v).tolist() for k, v in self.final_abs.items()},
                "loss_error": self.loss_error, "final_loss_error": self.final_loss_error,
                "loss_error_step": self.loss_error_step, "final_loss_error_step": self.final_loss_error_step,
                "loss_floor_relative": _v.LOSS_FLOOR, "theory_converged": self.theory_converged,
                "run_converged": self.run_converged, "theory_limit": self.theory_limit, "order": self.order,
                "half_lr_error": self.half_lr_error, "verdict": self.verdict}

    def plot(self, *, max_modes: int = 4):
        """Theory (dashed) vs simulation (solid): the loss, and ``b`` of every mode; returns the Figure."""
        from .._validation import check_int
        from ..plot import mode_colors, panel_grid, theory_vs_simulation

        max_modes = check_int("max_modes", max_modes, minimum=1)
        fig, axes = panel_grid(1, 2, width=4.4, height=3.2)
        theory_vs_simulation(axes[0, 0], self.time, self.loss_theory, self.time, self.loss_simulation, color="C0",
                             label="gradient descent")
        axes[0, 0].set_xlabel("learning time (units of τ)")
        axes[0, 0].set_ylabel("loss")
        axes[0, 0].legend(fontsize=7, title="dashed: theory", title_fontsize=7)
        b_th, b_sim = self.theory["b"], self.simulation["b"]
        k = min(max_modes, b_th.shape[1])
        for i, col in zip(range(k), mode_colors(k)):
            theory_vs_simulation(axes[0, 1], self.time, np.real(b_th[:, i]), self.time, np.real(b_sim[:, i]),
                                 color=col, label=f"mode {i}")
        axes[0, 1].set_xlabel("learning time (units of τ)")
        axes[0, 1].set_ylabel("b (real part)" if np.iscomplexobj(b_th) else "b")
        axes[0, 1].legend(fontsize=7)
        if self.verdict:
            fig.suptitle(self.verdict, fontsize=8)
        return fig


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


def compare(theory, run, *, run_half_lr=None) -> Comparison:
    """Compare a :class:`~lrnn_theory.integrate.ModeTrajectory` with a :class:`~lrnn_theory.sim.gd.GDResult`.

    The theory must describe the run's modes (batch shape ``(m,)``, or ``()`` for one mode; the
    dataset's ``S``) in ODE time units of ``τ``; the comparison is made at the
    run's record times that lie within the theory's time range (a mode trajectory computed on
    another grid is re-integrated at those times from its initial state with its own settings, so the
    comparison is exact whatever grid it was computed on; other trajectories, and ones that stopped
    early, are interpolated linearly).

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
    run_half_lr : GDResult, optional
        The same run at half the learning rate (twice the steps, same ODE time): gives the observed
        order of the error in the learning rate (``Comparison.order``, ≈ 1 in the ``O(lr)`` regime).
        The data are those of :func:`~lrnn_theory.data.make_dataset` (the theory's assumptions hold
        exactly), so the verdict expects only the ``O(lr)`` error; for your own data use
        :func:`lrnn_theory.train_and_compare`.

    Returns
    -------
    Comparison

    Raises
    ------
    TypeError
        ``theory`` is not a ModeTrajectory or ``run`` is not a GDResult.
    ValueError
        The batch shape of ``theory`` does not match the run's modes, the two share no time, the theory was
        integrated on other task dynamics than ``run.S``, or (aligned runs) it starts from other modes than the run.

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
    if not all(hasattr(theory, n) for n in ("t", "a", "b", "c", "energy")):
        hint = "; a ReducedTrajectory (integrate_reduced) has no a, c: integrate_modes from the same start instead" \
            if hasattr(theory, "u") and hasattr(theory, "b") else ""
        raise TypeError(f"theory must be a ModeTrajectory (lrnn_theory.integrate_modes), got {type(theory).__name__}{hint}")
    if not hasattr(run, "W_h") or not hasattr(run, "modes"):
        raise TypeError("run must be a GDResult (lrnn_theory.simulate_gd)")
    if run_half_lr is not None and (not hasattr(run_half_lr, "W_h") or not hasattr(run_half_lr, "modes")):
        raise TypeError("run_half_lr must be a GDResult (lrnn_theory.simulate_gd) or None")
    names, t, th, sim, inside = _differences(theory, run)
    _check_same_problem(theory, run, names, t, th, sim)
    max_abs = {n: np.max(np.abs(th[n] - sim[n]), axis=0) for n in names}
    final_abs = {n: np.abs(th[n][-1] - sim[n][-1]) for n in names}
    L_th, L_sim = _losses(th, run, inside)
    errs = _v.loss_errors(L_th, L_sim)
    order = half = None
    if run_half_lr is not None:
        if np.shape(run_half_lr.S) != np.shape(run.S) or not np.allclose(run_half_lr.S, run.S, rtol=0, atol=1e-12):
            raise ValueError("run_half_lr must be trained on the same task dynamics S as run")
        if not np.isclose(run_half_lr.lr, run.lr / 2, rtol=1e-9):
            raise ValueError(f"run_half_lr must use lr/2 = {run.lr / 2:g}, got {run_half_lr.lr:g}")
        _, _, th2, _, inside2 = _differences(theory, run_half_lr)
        half = _v.loss_errors(*_losses(th2, run_half_lr, inside2))["loss_error_step"]
        order = _v.observed_order(errs["loss_error_step"], half)
    limit = _limit(theory, run.S, getattr(run, "n_complex", 0))
    L0 = float(L_th[0])
    drop = L0 - limit
    progress = (float(L_sim[0]) - float(L_sim[-1])) / drop if drop > _v.LOSS_FLOOR * max(L0, np.finfo(float).tiny) else None
    th_conv, run_conv = _v.limit_converged(float(L_th[-1]), limit, L0), _v.run_converged(L_sim)
    start = None
    if np.asarray(run.step)[inside][0] == 0:  # step 0 compared: no step taken, no discretisation error yet
        start = float(abs(L_th[0] - L_sim[0]) / max(float(L_sim[0]), np.finfo(float).tiny))
    verdict = _v.verdict(error=errs["loss_error_step"], expected=0.0, order=order, diverged=bool(run.diverged),
                         progress=progress, final_error=errs["final_loss_error_step"],
                         converged=bool(th_conv and run_conv), start_error=start)
    return Comparison(time=t, names=names, max_abs=max_abs, final_abs=final_abs, theory=th, simulation=sim,
                      loss_theory=L_th, loss_simulation=L_sim, theory_limit=limit, theory_converged=th_conv,
                      run_converged=run_conv, order=order, half_lr_error=half, verdict=verdict, **errs)


def _check_same_problem(theory, run, names, t, th, sim):
    """The theory must describe this run: the same task dynamics and, for an aligned run recorded from its first
    step, the same initial modes (``u = ac``, ``b``, ``|a|``); otherwise every error and the verdict compare two
    different problems (a theory started at 0.1 against a run started at 0.3 read 'applies' with error 110)."""
    s_th, S = np.asarray(getattr(theory, "s", None) if getattr(theory, "s", None) is not None else np.nan), run.S
    if s_th.size == np.size(S):
        s_th = s_th.reshape(np.shape(S))
        tol = 1e-9 * max(float(np.max(np.abs(S), initial=0.0)), np.finfo(float).tiny)
        if not np.all(np.abs(s_th - S) <= tol):
            raise ValueError("theory must be integrated on the run's task dynamics run.S (largest difference "
                             f"{float(np.max(np.abs(s_th - S))):.3g}); e.g. integrate_modes(run.S, a0, b0, c0, run.time)")
    elif not np.isnan(s_th).all():
        raise ValueError(f"theory must be integrated on the run's task dynamics run.S of shape {np.shape(S)}, "
                         f"got task dynamics of shape {np.shape(getattr(theory, 's', None))}")
    if names[0] != "a" or t[0] != run.time[0] or t[0] != theory.t[0]:
        return
    start = {"u = ac": (th["a"][0] * th["c"][0], sim["a"][0] * sim["c"][0]), "b": (th["b"][0], sim["b"][0]),
             "|a|": (np.abs(th["a"][0]), np.abs(sim["a"][0]))}
    for what, (x, y) in start.items():
        if np.any(np.abs(x - y) > 1e-6 * (np.abs(x) + np.abs(y)) + 1e-12):
            raise ValueError(f"theory must start where run starts: at t = {t[0]:g} the theory has {what} = "
                             f"{np.array2string(np.asarray(x), precision=4)}, the run {np.array2string(np.asarray(y), precision=4)}"
                             "; integrate from the run's initial modes (run.modes() at step 0)")


def _losses(th, run, inside):
    """Theory's loss ``Σ_α E_α`` and the run's loss (negative rounding values read 0) on the common grid.
    A complex mode is a 2×2 rotation block of the network carrying its energy twice (real and imaginary
    parts, :func:`~lrnn_theory.data.make_rotational_dataset`), so it counts twice."""
    E = np.real(th["energy"])
    weight = np.where(np.arange(E.shape[1]) < getattr(run, "n_complex", 0), 2.0, 1.0)
    L_th = E @ weight
    L_sim = np.maximum(np.asarray(run.loss, float)[inside], 0.0)
    return L_th, L_sim


def _limit(theory, S, n_complex: int = 0) -> float:
    """``Σ_α E_α`` where the theory's flow ends: integrated on from its last state to ``10⁶ τ``."""
    from ..integrate import integrate_modes

    m = np.shape(S)[0]
    a, b, c = (np.reshape(np.asarray(getattr(theory, n))[..., -1], (m,)) for n in "abc")
    t = np.r_[0.0, np.geomspace(1e-2, 1e6, 81)]
    end = integrate_modes(S, a, b, c, t)
    weight = np.where(np.arange(m) < n_complex, 2.0, 1.0)
    return float(np.real(end.energy[:, -1]) @ weight)


def _differences(theory, run):
    """Names, common times, theory and simulation curves (n, m) and the run's record mask."""
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
    theory = _on_grid(theory, t)
    th = {}
    for n in names:
        th[n] = _interp(theory.t, getattr(theory, n), t).reshape(len(t), m)
    return names, t, th, sim, inside


def _on_grid(theory, t):
    """The theory evaluated at the times ``t``: itself when its grid holds them, else the same mode ODE
    re-integrated from its initial state with its own settings (exact, where linear interpolation of a coarse
    grid added an error of its own, 0.047 against the O(lr) 0.003 for a 7-point grid).  Trajectories that
    stopped early (status != 0) or are not mode trajectories are interpolated as given."""
    from ..integrate import ModeTrajectory, integrate_modes

    t_src = np.asarray(theory.t, float)
    idx = np.minimum(np.searchsorted(t_src, t), t_src.size - 1)
    if np.all(np.isclose(t_src[idx], t, rtol=1e-12, atol=0)) or not isinstance(theory, ModeTrajectory) \
            or np.any(np.asarray(theory.status) != 0):
        return theory
    grid = np.unique(np.r_[t_src[0], t])
    a0, b0, c0 = (np.asarray(getattr(theory, n))[..., 0] for n in "abc")
    return integrate_modes(theory.s, a0, b0, c0, grid, tau=theory.tau, freeze=theory.freeze, rtol=theory.rtol,
                           atol=theory.atol)
