"""Effective regularisation, the profile energy and phase transitions (theory guide :ref:`theory-regulariser`).

For fixed ``b`` the energy is quadratic in ``u = ac``; eliminating ``u``
leaves the *profile energy*

.. math::

    E^\\star(b) = \\tfrac12\\Big(\\|s\\|^2 - \\frac{\\langle s,p_b\\rangle^2}{\\|p_b\\|^2}\\Big)
    = \\tfrac12\\|s\\|^2\\sin^2\\theta(b),\\qquad
    u^\\star(b) = \\frac{\\langle s,p_b\\rangle}{\\|p_b\\|^2},

with the geometric profile ``p_b = (b^{T-1}, ..., b, 1)``: the learned
recurrent mode is the geometric profile best aligned with the task (:ref:`theory-profile-energy`).
``C(b) = ⟨s, p_b⟩`` and ``D(b) = ‖p_b‖² = Σ_k b^{2k}`` are computed as sums
(no ``0/0`` at ``b = ±1``).

Broadcasting: ``b`` broadcasts against the batch shape ``s.shape[:-1]``; to
evaluate one task on a grid pass ``b`` of shape ``(n_b,)`` and ``s`` of shape
``(T,)``; for a batch of tasks on a grid pass ``b[:, None]`` against
``s[None]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_finite_scalar, check_int

__all__ = [
    "Minimiser",
    "dirac_landau_coefficients",
    "dirac_t3_solution",
    "energy_decomposition",
    "geometric_sums",
    "global_minimiser",
    "local_minima",
    "profile_angle",
    "profile_energy",
    "transition_location",
    "u_star",
]


def _task(s) -> np.ndarray:
    return as_float_array("s", s, min_ndim=1)


def _broadcast(name: str, x, s: np.ndarray) -> np.ndarray:
    x = as_float_array(name, x)
    try:
        np.broadcast_shapes(x.shape, s.shape[:-1])
    except ValueError:
        raise ValueError(f"{name} {x.shape} does not broadcast against the batch shape of s {s.shape[:-1]}") from None
    return x


def _scaled_geometric_sums(b, s, conj: bool):
    """``(C̃, D̃, ℓ)`` with ``C = C̃ e^ℓ``, ``D = D̃ e^{2ℓ}``, ``ℓ = (T-1) log max(1, |b|)``: no overflow for any ``b``.

    ``C = Σ_i s_i b^{T-i}`` (``conj(b)`` when ``conj``) and ``D = Σ_i |b|^{2(T-i)}``.  For ``|b| > 1`` the
    powers are ``b^k/|b|^{T-1} = (b/|b|)^k |b|^{-(T-1-k)}``, all of modulus ``<= 1``; ``b`` broadcasts against
    ``s.shape[:-1]``.
    """
    T = s.shape[-1]
    shape = np.broadcast_shapes(np.shape(b), s.shape[:-1])
    b = np.broadcast_to(b, shape)[..., None]
    k = np.arange(T - 1, -1, -1)
    ab = np.abs(b)
    big = ab > 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        unit = np.where(big, b / np.where(big, ab, 1.0), b)
        small = np.where(big, 1.0 / np.where(big, ab, 1.0), 1.0)
        p = np.where(big, unit ** k * small ** (T - 1 - k), b ** k)
        ell = np.where(big[..., 0], (T - 1) * np.log(np.where(big, ab, 1.0))[..., 0], 0.0)
    pc = np.conj(p) if conj else p
    C = np.sum(np.broadcast_to(s, shape + (T,)) * pc, axis=-1)
    D = np.sum(p.real ** 2 + p.imag ** 2 if np.iscomplexobj(p) else p * p, axis=-1)
    return C, D, ell


def geometric_sums(b, s) -> tuple[np.ndarray, np.ndarray]:
    """``C(b) = Σ_i s_i b^{T-i}`` and ``D(b) = Σ_i b^{2(T-i)}`` (theory guide :ref:`theory-notation`, :ref:`theory-frozen-recurrent`; Proca et al. (2025), App. C).

    ``C`` is the recency-weighted sum that sets learning speed (:ref:`theory-escape-recency`) and
    ``D`` the effective-regulariser factor (:ref:`theory-energy-decomposition`; ``D = T`` at ``b = ±1``).

    Parameters
    ----------
    b : array_like
        Recurrent mode, broadcast against ``s.shape[:-1]``.
    s : array_like, shape batch + (T,)

    Returns
    -------
    C, D : ndarray, broadcast shape

    Raises
    ------
    TypeError
        If ``b`` or ``s`` is not a real numeric array.
    ValueError
        If ``s`` is 0-d, an array is empty or not finite, ``b`` does not broadcast against
        the batch shape of ``s``, or the sums overflow float64 (``|b|^{2(T-1)}`` beyond the
        float64 range; :func:`profile_energy`, :func:`u_star` and :func:`profile_angle` factor
        ``|b|^{T-1}`` out and stay finite).

    Examples
    --------
    >>> from lrnn_theory.landscape import geometric_sums
    >>> [float(x) for x in geometric_sums(0.5, [1.0, 2.0, 3.0])]  # C = 1·¼ + 2·½ + 3, D = 1/16 + ¼ + 1
    [4.25, 1.3125]
    >>> [float(x) for x in geometric_sums(1.0, [1.0, 2.0, 3.0])]  # b = 1: C = Σ s, D = T
    [6.0, 3.0]
    """
    s = _task(s)
    b = _broadcast("b", b, s)
    C, D = _sums(b, s)
    if not (np.all(np.isfinite(C)) and np.all(np.isfinite(D))):
        raise ValueError(f"b: the sums overflow float64 (|b|^(2(T-1)) too large, T = {s.shape[-1]}, "
                         f"max |b| = {float(np.max(np.abs(b)))!r}); profile_energy, u_star and profile_angle stay finite")
    return C, D


def _sums(b, s):
    """``C(b)``, ``D(b)`` as plain sums (inf where they overflow)."""
    T = s.shape[-1]
    shape = np.broadcast_shapes(np.shape(b), s.shape[:-1])
    C = np.zeros(shape)
    D = np.zeros(shape)
    p = np.ones(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(T):
            C = C + s[..., T - 1 - k] * p
            D = D + p * p
            p = p * b
    return C, D


def _plain_or_scaled(b, s):
    """``(C, D, bad, C̃, D̃, ℓ)``: the plain sums, where they overflow (``bad``) and the scaled sums there."""
    C, D = _sums(b, s)
    bad = ~(np.isfinite(C) & np.isfinite(D))
    if np.any(bad):
        Ct, Dt, ell = _scaled_geometric_sums(b, s, conj=False)
    else:
        Ct, Dt, ell = C, D, np.zeros(np.shape(C))
    return C, D, bad, Ct, Dt, ell


def energy_decomposition(a, b, c, s) -> tuple[np.ndarray, np.ndarray]:
    """Data term and effective regulariser of the mode energy (theory guide :ref:`theory-energy-decomposition`; Proca et al. (2025), eq. 9).

    .. math::

        E = \\underbrace{\\tfrac12\\sum_i (s_i^2 - 2 s_i c b^{T-i} a)}_{\\rm data}
          + \\underbrace{\\tfrac12 c^2 a^2 D(b)}_{\\rm regulariser}

    Parameters
    ----------
    a, b, c : array_like
        Input, recurrent and output modes (broadcast against ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    data, regulariser : ndarray, broadcast batch shape

    Raises
    ------
    TypeError, ValueError
        As :func:`geometric_sums` (for each of ``a, b, c``).

    Examples
    --------
    The two terms add up to the mode energy:

    >>> from lrnn_theory.landscape import energy_decomposition
    >>> from lrnn_theory.modes import mode_energy
    >>> data, reg = energy_decomposition(1.0, 0.5, 1.0, [1.0, 2.0, 3.0])
    >>> float(data), float(reg), float(data + reg) == float(mode_energy(1.0, 0.5, 1.0, [1.0, 2.0, 3.0]))
    (2.75, 0.65625, True)
    """
    s = _task(s)
    a, b, c = (_broadcast(n, x, s) for n, x in zip("abc", (a, b, c)))
    C, D = geometric_sums(b, s)
    u = a * c
    data = 0.5 * (np.sum(s * s, axis=-1) - 2.0 * u * C)
    return data, 0.5 * u * u * D


def u_star(b, s) -> np.ndarray:
    """Optimal input–output mode at fixed ``b``: ``u*(b) = C(b)/D(b)`` (theory guide :ref:`theory-profile-energy`; Proca et al. (2025), App. H).

    Parameters
    ----------
    b : array_like
        Recurrent mode, broadcast against ``s.shape[:-1]``.
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    u : ndarray, broadcast shape

    Raises
    ------
    TypeError, ValueError
        As :func:`geometric_sums`.

    Examples
    --------
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.landscape import u_star
    >>> float(u_star(0.5, tasks.inverse_exponential(4, delta=2.0, lam=0.5)))  # b = λ gives u* = δ
    2.0
    """
    s = _task(s)
    C, D, bad, Ct, Dt, ell = _plain_or_scaled(_broadcast("b", b, s), s)
    if np.any(bad):
        with np.errstate(under="ignore"):
            return np.where(bad, Ct / Dt * np.exp(-ell), C / np.where(bad, 1.0, D))
    return C / D


def profile_energy(b, s) -> np.ndarray:
    """Profile energy ``E*(b) = ½(‖s‖² - C(b)²/D(b)) = ½‖s‖² sin²θ(b)`` (theory guide :ref:`theory-profile-energy`; Proca et al. (2025), App. H).

    Finite for every ``b``: where ``C`` or ``D`` overflow (``|b| ≫ 1``, large ``T``) they are formed
    with ``|b|^{T-1}`` factored out (``C²/D`` is unchanged by that factor).

    Parameters
    ----------
    b : array_like
        Recurrent mode, broadcast against ``s.shape[:-1]`` (e.g. a grid of shape ``(n_b,)``
        for ``s`` of shape ``(T,)``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    E : ndarray, broadcast shape

    Raises
    ------
    TypeError, ValueError
        As :func:`geometric_sums`.

    Examples
    --------
    Zero at ``b = λ`` for an inverse-exponential task, ``½ (‖s‖² - s_T²)`` at ``b = 0``:

    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.landscape import profile_energy
    >>> profile_energy(np.array([0.0, 0.5, 1.0]), tasks.inverse_exponential(4, 2.0, 0.5))
    array([0.65625  , 0.       , 0.8984375])
    """
    s = _task(s)
    C, D, bad, Ct, Dt, _ = _plain_or_scaled(_broadcast("b", b, s), s)
    ss = np.sum(s * s, axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        fitted = np.where(bad, Ct * (Ct / Dt), C * (C / D))  # C²/D = C̃²/D̃
    return 0.5 * np.maximum(ss - fitted, 0.0)


def profile_angle(b, s) -> np.ndarray:
    """Angle ``θ(b) ∈ [0, π/2]`` between the task profile ``s`` and ``±p_b`` (theory guide :ref:`theory-profile-energy`; Proca et al. (2025), App. H).

    Parameters
    ----------
    b : array_like
        Recurrent mode, broadcast against ``s.shape[:-1]``.
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    theta : ndarray, broadcast shape
        In radians; ``E*(b) = ½‖s‖² sin²θ(b)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`geometric_sums`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.landscape import profile_angle, profile_energy
    >>> s = tasks.inverse_exponential(4, 2.0, 0.5)
    >>> float(profile_angle(0.5, s))  # s is parallel to p_λ
    0.0
    >>> theta = profile_angle(0.0, s)
    >>> bool(np.isclose(0.5 * np.sum(s**2) * np.sin(theta)**2, profile_energy(0.0, s), rtol=1e-12))
    True
    """
    s = _task(s)
    C, D, bad, Ct, Dt, _ = _plain_or_scaled(_broadcast("b", b, s), s)
    C, D = np.where(bad, Ct, C), np.where(bad, Dt, D)  # |C|/sqrt(D) = |C̃|/sqrt(D̃)
    norm = np.sqrt(np.sum(s * s, axis=-1) * D)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(norm > 0, np.abs(C) / norm, 1.0)
    return np.arccos(np.clip(cos, 0.0, 1.0))


@dataclass(frozen=True)
class Minimiser:
    """Minimiser of the profile energy (shapes: the batch shape of ``s``).

    Attributes
    ----------
    b, u, energy : ndarray
        ``b*``, ``u*(b*)`` and ``E*(b*)``.
    at_boundary : ndarray of bool
        True where the minimum sits at an end of ``b_range``: the infimum may
        lie outside it (runaway, :ref:`theory-dirac`).

    Returned by :func:`global_minimiser` and :func:`local_minima`.

    Examples
    --------
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.landscape import global_minimiser
    >>> m = global_minimiser(tasks.inverse_exponential(4, 2.0, 0.5))
    >>> round(float(m.b), 9), round(float(m.u), 9), bool(m.at_boundary)
    (0.5, 2.0, False)
    """

    b: np.ndarray
    u: np.ndarray
    energy: np.ndarray
    at_boundary: np.ndarray


def _golden(f, lo, hi, iters=80):
    """Vectorised golden-section search of ``f`` on ``[lo, hi]`` (elementwise)."""
    g = (np.sqrt(5.0) - 1.0) / 2.0
    x1 = hi - g * (hi - lo)
    x2 = lo + g * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(iters):
        left = f1 <= f2  # minimum in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        x1, x2 = np.where(left, hi - g * (hi - lo), x2), np.where(left, x1, lo + g * (hi - lo))
        fe = f(np.where(left, x1, x2))
        f1, f2 = np.where(left, fe, f2), np.where(left, f1, fe)
    return 0.5 * (lo + hi)


def _profile_slope(b, s):
    """Sign-carrying part of ``dE*/db = -C (2 C' D - C D') / (2 D²)``."""
    T = s.shape[-1]
    shape = np.broadcast_shapes(np.shape(b), s.shape[:-1])
    C, D, dC, dD = (np.zeros(shape) for _ in range(4))
    p = np.ones(shape)  # b^k
    pm1 = np.zeros(shape)  # b^(k-1)
    for k in range(T):
        C = C + s[..., T - 1 - k] * p
        D = D + p * p
        if k >= 1:
            dC = dC + k * s[..., T - 1 - k] * pm1
            dD = dD + 2 * k * pm1 * p
        pm1, p = p, p * b
    return -C * (2 * dC * D - C * dD) / (2 * D * D)


def _refine(s, b0, step, lo_bound, hi_bound):
    """Golden section on ``E*`` near the grid minimum, then bisection on the sign of ``dE*/db``
    (golden section alone resolves ``b`` only to ~sqrt(eps) at a quadratic minimum)."""
    lo = np.maximum(b0 - step, lo_bound)
    hi = np.minimum(b0 + step, hi_bound)
    with np.errstate(over="ignore", invalid="ignore"):
        b = _golden(lambda x: profile_energy(x, s), lo, hi)
        lo = np.maximum(b - 1e-6, lo_bound)
        hi = np.minimum(b + 1e-6, hi_bound)
        g_lo, g_hi = _profile_slope(lo, s), _profile_slope(hi, s)
        bracketed = (g_lo < 0) & (g_hi > 0)
        for _ in range(45):
            mid = 0.5 * (lo + hi)
            up = _profile_slope(mid, s) > 0
            hi = np.where(up, mid, hi)
            lo = np.where(up, lo, mid)
    return np.where(bracketed, 0.5 * (lo + hi), b)


def global_minimiser(s, b_range=(-1.0, 3.0), n_grid: int = 4001) -> Minimiser:
    """Global minimiser of ``E*(b)`` over ``b ∈ b_range`` (theory guide :ref:`theory-profile-energy`; column "GM" of :ref:`theory-exponential-kappa`).

    A dense grid locates the best basin for every task of the batch at once,
    then a vectorised golden-section search refines it to ~1e-12.

    Parameters
    ----------
    s : array_like, shape batch + (T,)
    b_range : (float, float)
        Search interval; the reference table of :ref:`theory-exponential-kappa` uses ``[-1, 3]``.
    n_grid : int
        Grid points (resolution ``(hi - lo)/(n_grid - 1)`` before refinement).

    Returns
    -------
    Minimiser
        Fields of the batch shape of ``s``.

    Raises
    ------
    TypeError
        If ``s`` is not a real numeric array, ``b_range`` not a pair of numbers, or ``n_grid``
        not an integer.
    ValueError
        If ``s`` is 0-d, empty or not finite, ``b_range`` is not increasing, or ``n_grid < 3``.

    Examples
    --------
    Dirac task at ``T = 3`` with ``ρ = β/κ = 1``: the closed form gives ``b* = 1``, ``u* = 2/3``
    (:func:`dirac_t3_solution`); ``±b*`` are degenerate, so search ``b >= 0``:

    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.landscape import global_minimiser
    >>> m = global_minimiser(tasks.dirac(3, beta=1.0, kappa=1.0), b_range=(0.0, 3.0))
    >>> round(float(m.b), 9), round(float(m.u), 9), round(float(m.energy), 9)
    (1.0, 0.666666667, 0.333333333)
    """
    s = _task(s)
    lo, hi = _range(b_range)
    n_grid = check_int("n_grid", n_grid, minimum=3)
    grid = np.linspace(lo, hi, n_grid)
    E = profile_energy(grid.reshape((n_grid,) + (1,) * (s.ndim - 1)), s[None])  # (n_grid, batch)
    i = np.argmin(E, axis=0)
    step = grid[1] - grid[0]
    b = _refine(s, grid[i], step, lo, hi)
    at_boundary = (i == 0) | (i == n_grid - 1)
    return Minimiser(b=b, u=u_star(b, s), energy=profile_energy(b, s), at_boundary=np.asarray(at_boundary))


def local_minima(s, b_range=(-1.0, 3.0), n_grid: int = 4001) -> Minimiser:
    """All interior local minima of ``E*(b)`` on ``b_range`` for one task (theory guide :ref:`theory-constant-kappa` coexistence).

    Parameters
    ----------
    s : array_like, shape (T,)
        Task dynamics of one mode.
    b_range : (float, float)
        Search interval.
    n_grid : int
        Grid points.

    Returns
    -------
    Minimiser
        1-D arrays over the minima, sorted by ``b``.

    Raises
    ------
    TypeError, ValueError
        As :func:`global_minimiser`; ``ValueError`` also if ``s`` is not 1-D.

    Examples
    --------
    ``s = (1, 1, 0)`` has a negative-``b`` and a positive-``b`` basin; the deeper one is the
    global minimiser:

    >>> import numpy as np
    >>> from lrnn_theory.landscape import global_minimiser, local_minima
    >>> m = local_minima([1.0, 1.0, 0.0])
    >>> m.b.shape, bool(m.b[0] < 0 < m.b[1])
    ((2,), True)
    >>> bool(np.isclose(m.b[np.argmin(m.energy)], global_minimiser([1.0, 1.0, 0.0]).b, atol=1e-9))
    True
    """
    s = as_float_array("s", s, ndim=1)
    lo, hi = _range(b_range)
    n_grid = check_int("n_grid", n_grid, minimum=3)
    grid = np.linspace(lo, hi, n_grid)
    E = profile_energy(grid, s)
    idx = np.flatnonzero((E[1:-1] < E[:-2]) & (E[1:-1] <= E[2:])) + 1
    if idx.size == 0:  # no interior minimum on the grid (runaway to an end of b_range, or a flat E*)
        return Minimiser(b=np.zeros(0), u=np.zeros(0), energy=np.zeros(0), at_boundary=np.zeros(0, bool))
    b = _refine(s, grid[idx], grid[1] - grid[0], lo, hi)
    return Minimiser(b=b, u=u_star(b, s), energy=profile_energy(b, s), at_boundary=np.zeros(b.shape, bool))


def _range(b_range):
    if not isinstance(b_range, (tuple, list)) or len(b_range) != 2:
        raise TypeError(f"b_range must be a pair (lo, hi), got {b_range!r}")
    lo = check_finite_scalar("b_range[0]", b_range[0])
    hi = check_finite_scalar("b_range[1]", b_range[1])
    if not lo < hi:
        raise ValueError(f"b_range must satisfy lo < hi, got {b_range!r}")
    return lo, hi


def transition_location(x, b) -> np.ndarray:
    """Location of the largest jump of ``b`` along a control-parameter grid ``x`` (theory guide :ref:`theory-exponential-kappa`).

    Parameters
    ----------
    x : array_like, shape (n,)
        Increasing control-parameter values.
    b : array_like, shape batch + (n,)
        Order parameter (final or optimal ``b``) at each ``x``.

    Returns
    -------
    ndarray, batch shape
        Midpoint between the two grid values that bracket the largest ``|Δb|``.

    Raises
    ------
    TypeError
        If ``x`` or ``b`` is not a real numeric array.
    ValueError
        If ``x`` is not 1-D and strictly increasing with at least 2 points, ``b`` has not the
        length of ``x`` on its last axis, or an array is not finite.

    Examples
    --------
    >>> from lrnn_theory.landscape import transition_location
    >>> float(transition_location([0.0, 1.0, 2.0, 3.0], [0.0, 0.1, 0.9, 1.0]))
    1.5
    """
    x = as_float_array("x", x, ndim=1)
    b = as_float_array("b", b, min_ndim=1)
    if x.size < 2 or b.shape[-1] != x.size:
        raise ValueError(f"b must have the length of x ({x.size} >= 2) on its last axis, got shape {b.shape}")
    if not np.all(np.diff(x) > 0):
        raise ValueError("x must be strictly increasing")
    i = np.argmax(np.abs(np.diff(b, axis=-1)), axis=-1)
    return 0.5 * (x[i] + x[i + 1])


def dirac_t3_solution(rho, kappa=1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed-form minimiser of the Dirac task at ``T = 3`` (theory guide :ref:`theory-dirac`; Proca et al. (2025), App. H).

    ``ρ = β/κ``.  ``b*² = (2ρ - 1)/(2 - ρ)`` on ``½ < ρ < 2`` (continuous
    transition at ``ρ = ½``), ``b* = 0``, ``u* = κ`` for ``ρ <= ½``, and no
    finite minimiser (runaway ``b → ∞``, ``u → 0``) for ``ρ >= 2``.  ``b*`` is
    returned non-negative (``±b*`` are degenerate: ``E*`` is even in ``b``).

    Parameters
    ----------
    rho : array_like
        Ratio ``ρ = β/κ``.
    kappa : array_like
        Last-step correlation ``κ`` (broadcast with ``rho``).

    Returns
    -------
    b, u : ndarray
        ``inf`` and ``0`` where ``runaway``.
    runaway : ndarray of bool

    Raises
    ------
    TypeError
        If ``rho`` or ``kappa`` is not a real numeric array.
    ValueError
        If an array is empty or not finite.

    Examples
    --------
    >>> from lrnn_theory.landscape import dirac_t3_solution
    >>> b, u, runaway = dirac_t3_solution([0.25, 1.0, 3.0])
    >>> b.tolist(), runaway.tolist()
    ([0.0, 1.0, inf], [False, False, True])
    >>> [round(x, 12) for x in u.tolist()]  # κ = 1; 2/3 at ρ = 1
    [1.0, 0.666666666667, 0.0]
    """
    rho = as_float_array("rho", rho)
    kappa = as_float_array("kappa", kappa)
    runaway = rho >= 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        b2 = np.where(rho <= 0.5, 0.0, np.where(runaway, np.inf, (2 * rho - 1) / (2 - rho)))
        u = np.where(runaway, 0.0, kappa * (rho * b2 + 1) / (1 + b2 + b2 * b2))
    return np.sqrt(b2), u, runaway


def dirac_landau_coefficients(beta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Landau expansion of ``E*`` for the ``T = 3`` Dirac task in the paper's scaling (theory guide :ref:`theory-dirac`; Proca et al. (2025), App. H).

    With ``s_1 = β``, ``s_3 = 1/β``: ``E* = c0 + c2 b² + c4 b⁴ + O(b⁶)`` with
    ``c0 = β²``, ``c2 = β⁻² - 2`` (critical ``β_c = 1/√2``) and ``c4 = 2 - β²``
    (``3/2 > 0`` at ``β_c``: a continuous transition).

    Parameters
    ----------
    beta : array_like
        Non-zero ``β``.

    Returns
    -------
    c0, c2, c4 : ndarray, shape of ``beta``

    Raises
    ------
    TypeError
        If ``beta`` is not a real numeric array.
    ValueError
        If ``beta`` is empty, not finite or has a zero entry, or ``β²``/``β⁻²`` overflows float64.

    Examples
    --------
    In this scaling ``E*`` is twice :func:`profile_energy`; at small ``b`` the expansion matches:

    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.landscape import dirac_landau_coefficients, profile_energy
    >>> c0, c2, c4 = dirac_landau_coefficients(0.5)
    >>> float(c0), float(c2), float(c4)
    (0.25, 2.0, 1.75)
    >>> b = 1e-2
    >>> E = 2 * profile_energy(b, tasks.dirac(3, beta=0.5, kappa=2.0))
    >>> bool(abs(E - (c0 + c2 * b**2 + c4 * b**4)) < 1e-10)
    True
    """
    beta = as_float_array("beta", beta)
    if np.any(beta == 0):
        raise ValueError("beta must be non-zero (s_T = 1/beta)")
    with np.errstate(over="ignore"):
        out = beta ** 2, beta ** -2.0 - 2.0, 2.0 - beta ** 2
    if not all(np.all(np.isfinite(x)) for x in out):
        raise ValueError(f"beta: β² or β⁻² overflows float64 (|beta| must lie in about (1e-154, 1e154)), got {beta!r}")
    return out
