"""The loss staircase of one mode carried by several hidden units (theory guide :ref:`theory-staircase`).

From a small random start a mode with ``n_h`` units descends through plateaus.  The conjecture
tested here: plateau ``j`` is the best order-``j`` pole fit (:func:`lrnn_theory.pole_fit`)
embedded in ``n_h`` units, a saddle of the ``n_h``-unit energy whose unstable directions
recruit one spare unit; the time spent there is ``ln(1/ε_j)/σ_j`` plus an ``O(1)`` transit, with
``σ_j`` the saddle's escape rate and ``ε_j`` the spare unit's amplitude along the escape direction.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_int, check_positive_float
from .poles import PoleFit, _local_fit, pole_fit
from .units import _hessian_flat, _pack, _unpack, integrate_units

__all__ = ["Recruitment", "Staircase", "measure_staircase", "recruitment", "saddle_coupling", "staircase"]


@dataclass(frozen=True)
class Staircase:
    """Predicted plateaus, saddles and drop times of one mode carried by ``n_h`` units.

    ``J`` is the number of drops: ``min(n_h, minimal exact order of s)``.

    Attributes
    ----------
    s : ndarray, shape (T,)
    n_h : int
    scale : float
        Scale of the random start (``simulate_gd(init="random", scale=...)``).
    levels : ndarray, shape (J + 1,)
        Plateau energies ``E*_0 = ½‖s‖² >= E*_1 >= … >= E*_J`` (best order-j fits).
    fits : tuple of PoleFit, length J + 1
        The order-j fits.
    rates : ndarray, shape (J,)
        Escape rate ``σ_j = -λ_min`` of the Hessian of the ``n_h``-unit energy at saddle ``j``
        (balanced fit in the first ``j`` units, the others zero), in units of ``1/τ``.
    coupling_rates : ndarray, shape (J, 2)
        Largest and second singular values of the spare unit's coupling matrix ``M_j``
        (:func:`saddle_coupling`); the first equals ``rates`` (tested), the second is the growth rate
        of the next spare unit while the mode sits on plateau ``j``.
    directions : tuple of ndarray, length J
        Unit unstable eigenvector of saddle ``j`` in the flat parameters ``(a, vec(B), c)``.
    n_unstable, n_zero : ndarray of int, shape (J,)
        Hessian eigenvalues below ``-1e-9`` and within ``1e-9`` (relative to the largest) at each
        saddle: the zero modes are the similarity orbit of the fit and the idle units' directions.
    amplitudes : ndarray, shape (J,)
        ``ε_j``: expected size of the escape component when plateau ``j`` is reached (see Notes of
        :func:`staircase`).
    transit : ndarray, shape (J,)
        ``c_j``: time from ``saddle_j + η v_j`` to the next drop, minus ``ln(1/η)/σ_j`` (``η → 0``
        limit; the ``O(1)`` part of the plateau time).  For ``j = 0`` it is NaN (the first drop is
        integrated directly).
    landing : ndarray, shape (J,)
        Energy the gradient flow reaches after leaving saddle ``j`` along ``v_j`` (integrated until it
        stalls); equal to ``levels[j+1]`` when the conjecture holds for that step.
    drop_times : ndarray, shape (J,)
        Predicted time of drop ``j + 1`` (loss crossing ``(E*_j + E*_{j+1})/2``), learning time in
        units of ``τ`` (GD steps × lr).
    notes : tuple of str
        Where to distrust the prediction: degenerate saddles (no linear escape), fits whose best pole
        runs to the grid's edge, flows that land off the best fit (the conjecture fails), a first drop
        not reached.
    visited_levels : ndarray, shape (J + 1,)
        The plateaus the gradient flow actually visits: equal to ``levels`` where the conjecture holds;
        where the flow from saddle ``j`` lands on a worse local order-``(j+1)`` fit, that fit's energy
        (found by refining the pole fit from the landing point), and the later saddles, rates and drop
        times follow it.
    visited_fits : tuple of PoleFit, length J + 1
        The fits at the visited plateaus.

    Examples
    --------
    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> t = np.arange(1, 11)
    >>> sc = lt.staircase(0.9**(10 - t) - 0.7 * 0.4**(10 - t), 2, 1e-6)
    >>> np.round(sc.levels, 4).tolist()
    [1.5096, 0.0741, 0.0]
    """

    s: np.ndarray
    n_h: int
    scale: float
    levels: np.ndarray
    fits: tuple
    rates: np.ndarray
    coupling_rates: np.ndarray
    directions: tuple
    n_unstable: np.ndarray
    n_zero: np.ndarray
    amplitudes: np.ndarray
    transit: np.ndarray
    landing: np.ndarray
    drop_times: np.ndarray
    notes: tuple = ()
    visited_levels: np.ndarray | None = None
    visited_fits: tuple = ()

    def plot(self, ax=None, *, run=None, log: bool = True):
        """Plateau levels (dashed) and predicted drop times (dotted); optionally a simulated loss curve.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        run : GDResult or (time, loss), optional
            Simulated loss to overlay.
        log : bool
            Logarithmic loss axis.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.2))
        if run is not None:
            tt, ll = (run.time, run.loss) if hasattr(run, "loss") else run
            ax.plot(tt, np.maximum(ll, 1e-16) if log else ll, color="k", lw=1.2, label="simulate_gd")
        for j, E in enumerate(self.levels):
            if E > 1e-12 * self.levels[0] or not log:  # an exact last level is not drawn on a log axis
                ax.axhline(E, ls="--", lw=0.8, color=f"C{j}", label=f"$E^*_{j}$ = {E:.4g}")
        for j, t in enumerate(self.drop_times):
            if np.isfinite(t):
                ax.axvline(t, ls=":", lw=1.0, color=f"C{j + 1}")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("learning time t/τ")
        ax.set_ylabel("loss")
        ax.legend(fontsize=7)
        return ax


def _embed(fit: PoleFit, n_h: int):
    j = fit.minimal_order
    a = np.zeros(n_h)
    c = np.zeros(n_h)
    B = np.zeros((n_h, n_h))
    a[:j], c[:j], B[:j, :j] = fit.a[:j], fit.c[:j], fit.B[:j, :j]
    return a, B, c


def saddle_coupling(s, a, B, c) -> np.ndarray:
    """Coupling matrix ``M`` of an idle unit added to a ``j``-unit fit (theory guide :ref:`theory-staircase`).

    With the fit ``(a, B, c)`` in ``j`` units and one idle unit whose entering weights
    ``e = (a_n, B[n, :j])`` and leaving weights ``f = (c_n, B[:j, n])`` are small (its own recurrent
    weight zero), the energy is ``E = E_fit - eᵀ M f + O(|e|²|f|², |e|³…)``, ``M = Σ_m r_m M_m``
    with residual ``r_m = s_{T-m} - cᵀB^m a`` and ``M_0 = e_0 e_0ᵀ``,
    ``M_m[0, 1:] = ((Bᵀ)^{m-1} c)ᵀ``, ``M_m[1:, 0] = B^{m-1} a``,
    ``M_m[1:, 1:] = Σ_{l=0}^{m-2} B^{m-2-l} a ((Bᵀ)^l c)ᵀ``.  The Hessian in ``(e, f)`` is
    ``[[0, -M], [-Mᵀ, 0]]`` with eigenvalues ``±σ_i(M)``: ``σ_1(M)`` is the escape rate.

    Parameters
    ----------
    s : array_like, shape (T,)
    a, B, c : array_like, shapes (j,), (j, j), (j,)
        The fit (any realisation; the balanced one of :func:`lrnn_theory.pole_fit` is the one reached
        from a small start).

    Returns
    -------
    M : ndarray, shape (j + 1, j + 1)

    Raises
    ------
    TypeError, ValueError
        As :func:`lrnn_theory.units.unit_energy`.

    Examples
    --------
    At the origin (``j = 0``) the coupling is the last task value ``s_T``:

    >>> from lrnn_theory.plateaus import saddle_coupling
    >>> saddle_coupling([0.2, 0.5, 1.5], [], [[]], []).tolist()
    [[1.5]]
    """
    s = as_float_array("s", s, ndim=1)
    a = as_float_array("a", a, ndim=1, allow_empty=True)
    c = as_float_array("c", c, ndim=1, allow_empty=True)
    B = as_float_array("B", B, ndim=2, allow_empty=True)
    j = a.size
    if c.size != j or (j and B.shape != (j, j)) or (not j and B.size):
        raise ValueError(f"a (j,), B (j, j), c (j,) must share j; got a {a.shape}, B {B.shape}, c {c.shape}")
    B = B.reshape(j, j)
    T = s.size
    x = s[::-1]
    p = [a]
    q = [c]
    for _ in range(T):
        p.append(B @ p[-1])
        q.append(B.T @ q[-1])
    r = np.array([x[m] - c @ p[m] for m in range(T)])
    M = np.zeros((j + 1, j + 1))
    M[0, 0] = r[0]
    for m in range(1, T):
        M[0, 1:] += r[m] * q[m - 1]
        M[1:, 0] += r[m] * p[m - 1]
        for l_ in range(m - 1):
            M[1:, 1:] += r[m] * np.outer(p[m - 2 - l_], q[l_])
    return M


def _crossing(t, E, level):
    below = np.flatnonzero(E <= level)
    if below.size == 0:
        return np.nan
    i = below[0]
    if i == 0:
        return t[0]
    # linear interpolation in log energy between the bracketing samples
    e0, e1 = np.log(E[i - 1]), np.log(max(E[i], 1e-300))
    w = (e0 - np.log(level)) / (e0 - e1) if e0 != e1 else 1.0
    return t[i - 1] + w * (t[i] - t[i - 1])


def _stall(tt, E, tc):
    """Index where the flow stalls after the drop at ``tc``: smallest ``|d ln E/dt|`` after it."""
    ok = np.isfinite(E)
    last = int(np.flatnonzero(ok)[-1]) if np.any(ok) else 0
    if not np.isfinite(tc):
        return last
    after = np.flatnonzero((tt > tc) & ok & (E > 0))
    if after.size <= 3:
        return last
    dE = np.abs(np.gradient(np.log(E[after]), tt[after]))
    return int(after[np.argmin(dE)])


def _first_drop(s, level, eps0, t_max):
    """First drop time, landing energy and landing recurrent weight ``b`` of the one-unit flow."""
    from .integrate import integrate_modes

    sg = 1.0 if s[-1] >= 0 else -1.0
    horizon = 50.0
    while True:
        tt = np.linspace(0.0, horizon, 4001)
        tr = integrate_modes(s, eps0 / np.sqrt(2), 0.0, sg * eps0 / np.sqrt(2), tt, rtol=1e-9, atol=1e-14)
        tc = _crossing(tt, tr.energy, level)
        if (np.isfinite(tc) and tc < 0.5 * horizon) or horizon >= t_max:
            i = _stall(tt, tr.energy, tc)
            return tc, float(tr.energy[i]), float(tr.b[i])
        horizon *= 4


def _transit(s, theta, v, n_h, sigma, level, eta, t_max):
    """Drop time, landing energy and landing state of the ``n_h``-unit flow from ``theta + eta v``."""
    k = n_h
    th = theta + eta * v
    horizon = max(20.0, 4 * np.log(1 / eta) / max(sigma, 1e-12))
    while True:
        tt = np.linspace(0.0, horizon, 2001)
        tr = integrate_units(s, *_unpack(th, k), tt, rtol=1e-8, atol=1e-13)
        tc = _crossing(tt, tr.energy, level)
        if (np.isfinite(tc) and tc < 0.5 * horizon) or horizon >= t_max:
            break
        horizon *= 3
    i = _stall(tt, tr.energy, tc)
    return tc, float(tr.energy[i]), _pack(tr.a[i], tr.B[i], tr.c[i])


def _landed_fit(s, order, state, n_h):
    """The local order-``order`` pole fit nearest to where the flow landed (the plateau it sits on)."""
    if n_h is None:  # one-unit flow: state is b
        alpha0 = np.array([-state])
    else:
        k = n_h
        a, B, c = _unpack(state, k)
        g = np.array([c @ np.linalg.matrix_power(B, s.size - i) @ a for i in range(1, s.size + 1)])
        alpha0 = pole_fit(g, order).coefficients
        if alpha0.size < order:
            alpha0 = np.concatenate([alpha0, np.zeros(order - alpha0.size)])
    return _local_fit(s, alpha0)


def staircase(s, n_h: int, scale, *, eta: float = 1e-8, t_max: float = 1e5) -> Staircase:
    """Plateaus, saddles and drop times of one mode carried by ``n_h`` units from a small random start (theory guide :ref:`theory-staircase`).

    Levels: ``E*_j`` of :func:`lrnn_theory.pole_fit` for ``j = 0 … J``.  Saddle ``j``: the balanced
    order-``j`` fit in the first ``j`` units, the other units zero; its Hessian
    (:func:`lrnn_theory.units.unit_hessian`) gives the escape rate ``σ_j`` and direction ``v_j``.

    Drop times, in the deterministic small-scale limit (no average over starts): the first drop
    is the one-unit mode ODE (:func:`lrnn_theory.integrate_modes`, Proca et al. (2025), eqs. 5–8)
    from ``a = c sgn(s_T) = ε_0/√2``, ``b = 0`` with ``ε_0 = scale √((n_h+1)/2)``, the root-mean-square
    size of the unstable component of ``simulate_gd``'s random start (``W_x ~ N(0, scale²)``,
    ``W_y ~ N(0, scale²/n_h)``).  Drop ``j + 1`` follows drop ``j`` after ``ln(1/ε_j)/σ_j + c_j``: ``c_j``
    is measured by integrating the ``n_h``-unit flow (:func:`lrnn_theory.units.integrate_units`) from
    ``saddle_j + η v_j`` to the midpoint ``(E*_j + E*_{j+1})/2``; ``ε_j`` is the root-mean-square
    projection of the idle units' random recurrent weights (``N(0, scale²/n_h)``; their input and output
    weights have decayed on plateau 0) on the escape direction, grown by ``exp(σ₂(M_i) ln(1/ε_i)/σ_i)``
    on each earlier plateau ``i >= 1`` (:func:`saddle_coupling`).

    Parameters
    ----------
    s : array_like, shape (T,)
        Task dynamics of the mode, ``s[t-1] = s_t``.
    n_h : int
        Hidden units (``N_x = N_y = 1``).
    scale : float
        Scale of the random start (``simulate_gd(init="random", scale=scale)``), ``0 < scale < 1``.
    eta : float
        Seed amplitude of the transit integrations (``η → 0`` limit).
    t_max : float
        Longest integration horizon (a drop not reached by then is NaN).

    Returns
    -------
    Staircase

    Raises
    ------
    TypeError
        ``s`` not a real array, ``n_h`` not an integer, ``scale``/``eta``/``t_max`` not numbers.
    ValueError
        ``s`` not 1-D, empty, not finite or zero; ``n_h < 1``; ``scale`` not in ``(0, 1)``; ``eta`` not in
        ``(0, 1e-3]``; ``t_max <= 0``.

    Examples
    --------
    The issue's two-pole task with two units: one plateau at the best single pole, then zero.

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> t = np.arange(1, 11)
    >>> sc = lt.staircase(0.9**(10 - t) - 0.7 * 0.4**(10 - t), 2, 1e-6)
    >>> np.round(sc.levels, 5).tolist(), sc.n_unstable.tolist()
    ([1.5096, 0.0741, 0.0], [2, 1])
    """
    s = as_float_array("s", s, ndim=1)
    n_h = check_int("n_h", n_h, minimum=1)
    scale = check_positive_float("scale", scale)
    if not scale < 1:
        raise ValueError(f"scale must be in (0, 1) (a small start), got {scale}")
    eta = check_positive_float("eta", eta)
    if eta > 1e-3:
        raise ValueError(f"eta must be in (0, 1e-3], got {eta}")
    t_max = check_positive_float("t_max", t_max)
    E0 = 0.5 * float(s @ s)
    if E0 == 0:
        raise ValueError("s must not be identically zero (nothing to learn)")
    fits = [pole_fit(s, 0)]
    for j in range(1, n_h + 1):
        f = pole_fit(s, j)
        fits.append(f)
        if f.minimal_order < j or f.energy <= 1e-24 * E0:
            if f.minimal_order < j:
                fits.pop()
            break
    J = len(fits) - 1
    levels = np.array([f.energy for f in fits])
    rates = np.full(J, np.nan)
    coup = np.full((J, 2), np.nan)
    n_uns = np.zeros(J, dtype=np.int64)
    n_zero = np.zeros(J, dtype=np.int64)
    dirs, eps, transit, landing, drops = [], np.full(J, np.nan), np.full(J, np.nan), np.full(J, np.nan), np.full(J, np.nan)
    visited = [fits[0]]
    log_growth = 0.0

    def _on_level(E, j):
        return abs(E - levels[j]) <= 1e-6 * levels[j] + 1e-12 * E0

    for j in range(J):
        cur = visited[j]
        a, B, c = _embed(cur, n_h)
        theta = _pack(a, B, c)
        H = _hessian_flat(theta, s, n_h)
        w, V = np.linalg.eigh(H)
        tol = 1e-9 * max(1.0, np.max(np.abs(w)))
        n_uns[j] = np.count_nonzero(w < -tol)
        n_zero[j] = np.count_nonzero(np.abs(w) <= tol)
        rates[j] = -w[0]
        dirs.append(V[:, 0])
        M = saddle_coupling(s, cur.a, cur.B, cur.c)
        sv = np.linalg.svd(M, compute_uv=False)
        coup[j] = [sv[0], sv[1] if sv.size > 1 else 0.0]
        level = 0.5 * (cur.energy + levels[j + 1])
        nxt = fits[j + 1]
        if j == 0:
            eps[0] = scale * np.sqrt((n_h + 1) / 2)
            drops[0], landing[0], b_land = _first_drop(s, level, eps[0], t_max)
            if np.isfinite(drops[0]) and not _on_level(landing[0], 1):
                nxt = _landed_fit(s, 1, b_land, None)
            visited.append(nxt)
            continue
        if not rates[j] > tol or not np.isfinite(drops[j - 1]):
            # degenerate saddle (no linear escape: higher-order, power-law escape) or no earlier drop
            visited.append(nxt)
            continue
        U, _, Wt = np.linalg.svd(M)
        u, wv = U[:, 0], Wt[0]
        v_bd = np.sqrt(0.5 * (u[1:] @ u[1:] + wv[1:] @ wv[1:]))
        eps[j] = scale * np.sqrt((n_h - j) / n_h) * v_bd * np.exp(log_growth)
        tc, landing[j], th_land = _transit(s, theta, V[:, 0], n_h, rates[j], level, eta, t_max)
        transit[j] = tc - np.log(1 / eta) / rates[j]
        plateau = max(np.log(1 / eps[j]), 0.0) / rates[j]
        drops[j] = drops[j - 1] + plateau + transit[j]
        log_growth += coup[j, 1] * plateau
        if np.isfinite(tc) and not _on_level(landing[j], j + 1):
            nxt = _landed_fit(s, j + 1, th_land, n_h)
        visited.append(nxt)
    visited_levels = np.array([f.energy for f in visited])
    notes = []
    for j in range(J):
        if fits[j + 1].at_boundary or not fits[j + 1].converged:
            notes.append(f"the order-{j + 1} fit runs to the edge of the pole search (a pole at infinity?): "
                         "its level may not be a critical point training can reach")
        if not rates[j] > 1e-9 * max(1.0, abs(rates[j])) or rates[j] <= 1e-9:
            notes.append(f"saddle {j} is degenerate (escape rate {rates[j]:.2g}): no linear escape, drop {j + 1} "
                         "not predicted")
        elif np.isfinite(landing[j]) and not _on_level(landing[j], j + 1):
            notes.append(f"the conjecture fails at plateau {j + 1}: the flow leaving saddle {j} lands at "
                         f"{landing[j]:.6g} (a local order-{j + 1} fit, E = {visited_levels[j + 1]:.6g}), not at the best "
                         f"fit E*_{j + 1} = {levels[j + 1]:.6g}; later saddles follow the visited fit")
        if not np.isfinite(drops[j]) and j == 0:
            notes.append("the first drop was not reached within t_max")
    return Staircase(s=s, n_h=n_h, scale=scale, levels=levels, fits=tuple(fits), rates=rates, coupling_rates=coup,
                     directions=tuple(dirs), n_unstable=n_uns, n_zero=n_zero, amplitudes=eps, transit=transit,
                     landing=landing, drop_times=drops, notes=tuple(notes), visited_levels=visited_levels,
                     visited_fits=tuple(visited))


def measure_staircase(time, loss, levels) -> tuple[np.ndarray, np.ndarray]:
    """Measured plateau levels and drop times of a simulated loss curve (theory guide :ref:`theory-staircase`).

    Drop ``j`` is the first time the loss falls below ``(E*_{j-1} + E*_j)/2`` (log-linear
    interpolation between samples).  Plateau ``j`` (``1 <= j < J``) is the loss where ``|d ln L/dt|`` is
    smallest between drops ``j`` and ``j + 1``; plateau ``0`` is the first loss, plateau ``J`` the last.

    Parameters
    ----------
    time, loss : array_like, shape (n,)
        A loss curve (e.g. ``run.time``, ``run.loss`` of :func:`lrnn_theory.simulate_gd`).
    levels : array_like, shape (J + 1,)
        Predicted levels (:attr:`Staircase.levels`), decreasing.

    Returns
    -------
    measured_levels : ndarray, shape (J + 1,)
        NaN for plateaus the curve never reached.
    drop_times : ndarray, shape (J,)
        NaN for drops that did not happen.

    Raises
    ------
    TypeError, ValueError
        Non-numeric, non-1-D or mismatched arrays, ``time`` not increasing, fewer than 2 levels.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.plateaus import measure_staircase
    >>> t = np.linspace(0, 30, 3001)
    >>> L = 1 + 0.5 / (1 + np.exp(-(10 - t))) - 1.0 / (1 + np.exp(-(t - 20)))  # 1.5 -> 1 -> 0
    >>> lv, td = measure_staircase(t, L, [1.5, 1.0, 0.0])
    >>> np.round(td, 2).tolist()
    [10.0, 20.0]
    """
    time = as_float_array("time", time, ndim=1)
    loss = as_float_array("loss", loss, ndim=1)
    if np.any(loss < 0):
        raise ValueError(f"loss must be >= 0 (a loss is a sum of squares), got min {float(loss.min())!r}")
    levels = as_float_array("levels", levels, ndim=1)
    if loss.shape != time.shape:
        raise ValueError(f"time and loss must have the same shape, got {time.shape} and {loss.shape}")
    if levels.size < 2:
        raise ValueError(f"levels must hold at least 2 plateaus, got {levels.size}")
    if time.size >= 2 and not np.all(np.diff(time) > 0):
        raise ValueError("time must be strictly increasing")
    J = levels.size - 1
    L = np.where(np.isfinite(loss), loss, np.inf)
    drops = np.array([_crossing(time, np.maximum(L, 1e-300), 0.5 * (levels[j] + levels[j + 1])) for j in range(J)])
    meas = np.full(J + 1, np.nan)
    meas[0] = loss[0]
    for j in range(1, J + 1):
        lo = drops[j - 1]
        hi = drops[j] if j < J else time[-1]
        if not (np.isfinite(lo) and np.isfinite(hi)):
            continue
        if j == J:
            meas[j] = loss[-1]
            continue
        sel = (time > lo) & (time < hi)
        if np.count_nonzero(sel) < 3:
            continue
        ll = np.log(np.maximum(L[sel], 1e-300))
        slope = np.abs(np.gradient(ll, time[sel]))
        meas[j] = L[sel][np.argmin(slope)]
    return meas, drops


@dataclass(frozen=True)
class Recruitment:
    """Predicted share-out of ``n_h`` hidden units among several modes (result of :func:`recruitment`).

    Attributes
    ----------
    staircases : tuple of Staircase
        Each mode's own staircase (:func:`staircase` with ``n_h - m + 1`` units: every other mode
        keeps at least one).
    events : ndarray, shape (n_events, 3)
        Rows ``(time, mode, order)``: the predicted drops of every mode, sorted by time; a drop to
        order ``j`` takes one more unit.
    accepted : ndarray of bool, shape (n_events,)
        The drop happens (a unit is still free when it is due).
    units : ndarray of int, shape (m,)
        Units each mode ends with.
    final_levels : ndarray, shape (m,)
        Each mode's predicted final loss ``E*_{units}``.
    margin : float
        Time between the last accepted drop and the first refused one (NaN if none is refused):
        a race closer than the spread of drop times over random starts (about 10 %) may go either way.

    Examples
    --------
    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.plateaus import recruitment
    >>> t = np.arange(1, 11)
    >>> A = 0.9**(10 - t) - 0.7 * 0.4**(10 - t); R = 0.9**(10 - t) * np.cos(0.7 * (t - 1))
    >>> rec = recruitment(np.stack([A, 2 * R]), 3, 1e-6)
    >>> rec.units.tolist(), np.round(rec.final_levels, 4).tolist()
    ([1, 2], [0.0741, 0.0])
    """

    staircases: tuple
    events: np.ndarray
    accepted: np.ndarray
    units: np.ndarray
    final_levels: np.ndarray
    margin: float


def recruitment(S, n_h: int, scale) -> Recruitment:
    """Which mode recruits the spare hidden units, and when (theory guide :ref:`theory-staircase-modes`).

    Each mode descends its own staircase (:func:`staircase`; the idle unit's coupling matrix splits
    by mode at an aligned saddle); units are taken in the order of the predicted drops, one per
    drop, until all ``n_h`` are used.  Measured against :func:`lrnn_theory.simulate_gd` with two modes
    and ``n_h = 3`` in the theory guide; the drop times of each mode ignore the other modes.

    Parameters
    ----------
    S : array_like, shape (m, T)
        Task dynamics of the modes.
    n_h : int
        Hidden units, ``n_h >= m``.
    scale : float
        Scale of the random start, ``0 < scale < 1``.

    Returns
    -------
    Recruitment

    Raises
    ------
    TypeError
        ``S`` not a real array, ``n_h`` not an integer, ``scale`` not a number.
    ValueError
        ``S`` not 2-D, empty, not finite or with a zero mode; ``n_h < m``; ``scale`` not in ``(0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.plateaus import recruitment
    >>> t = np.arange(1, 11)
    >>> A = 0.9**(10 - t) - 0.7 * 0.4**(10 - t); R = 0.9**(10 - t) * np.cos(0.7 * (t - 1))
    >>> recruitment(np.stack([A, 0.5 * R]), 3, 1e-6).units.tolist()  # the first mode wins the race
    [2, 1]
    """
    S = as_float_array("S", S, ndim=2)
    m = S.shape[0]
    n_h = check_int("n_h", n_h, minimum=1)
    if n_h < m:
        raise ValueError(f"n_h must be >= the number of modes ({m}), got {n_h}")
    scs = tuple(staircase(S[k], n_h - m + 1, scale) for k in range(m))
    ev = [(float(sc.drop_times[j]), k, j + 1) for k, sc in enumerate(scs) for j in range(sc.drop_times.size)
          if np.isfinite(sc.drop_times[j])]
    ev.sort()
    units = np.zeros(m, dtype=np.int64)
    accepted = np.zeros(len(ev), bool)
    free = n_h
    for i, (_, k, j) in enumerate(ev):
        if free > 0 and units[k] == j - 1:
            units[k] += 1
            free -= 1
            accepted[i] = True
    finals = np.array([scs[k].levels[units[k]] for k in range(m)])
    times = np.array([e[0] for e in ev])
    refused = times[~accepted]
    taken = times[accepted]
    margin = float(refused.min() - taken.max()) if refused.size and taken.size else float("nan")
    return Recruitment(staircases=scs, events=np.array(ev, float).reshape(-1, 3), accepted=accepted, units=units,
                       final_levels=finals, margin=margin)
