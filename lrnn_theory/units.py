"""One connectivity mode carried by ``k`` hidden units: energy, gradient, Hessian and gradient flow (theory guide :ref:`theory-k-unit-flow`).

The aligned theory (Proca et al. (2025), eqs. 5–8, theory guide :ref:`theory-mode-odes`) gives
each mode one recurrent scalar ``b``.  With ``N_x = N_y = 1`` and ``k`` hidden units the network
is exactly ``a ∈ R^k`` (``W_x``), ``B ∈ R^{k×k}`` (``W_h``), ``c ∈ R^k`` (``W_y``), with energy

.. math::  E = ½ \\sum_{i=1}^T (s_i - cᵀ B^{T-i} a)^2

and gradient flow ``τ θ̇ = -∇E``.  ``k = 1`` is the mode ODE.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from . import _units
from ._validation import as_float_array, check_choice, check_int, check_positive_float, check_time_grid

__all__ = ["UnitTrajectory", "integrate_units", "unit_energy", "unit_gradient", "unit_hessian"]


def _check(s, a, B, c, *, allow_complex=False):
    s = as_float_array("s", s, min_ndim=1)
    a = as_float_array("a", a, min_ndim=1, allow_complex=allow_complex)
    B = as_float_array("B", B, min_ndim=2, allow_complex=allow_complex)
    c = as_float_array("c", c, min_ndim=1, allow_complex=allow_complex)
    k = a.shape[-1]
    if c.shape[-1] != k or B.shape[-2:] != (k, k):
        raise ValueError(f"a (..., k), B (..., k, k) and c (..., k) must share k; got a {a.shape}, B {B.shape}, c {c.shape}")
    try:
        batch = np.broadcast_shapes(s.shape[:-1], a.shape[:-1], B.shape[:-2], c.shape[:-1])
    except ValueError:
        raise ValueError(f"s, a, B, c must broadcast to one batch shape; got s {s.shape}, a {a.shape}, B {B.shape}, c {c.shape}") from None
    return s, a, B, c, batch


def _powers(v, M, T):
    """``[v, M v, M² v, …]``: shape batch + (T, k)."""
    out = [v]
    for _ in range(T - 1):
        out.append(np.einsum("...ij,...j->...i", M, out[-1]))
    return np.stack(out, axis=-2)


def _parts(s, a, B, c):
    T = s.shape[-1]
    x = s[..., ::-1]
    p = _powers(a, B, T)                       # p_m = B^m a
    q = _powers(c, np.swapaxes(B, -1, -2), T)  # q_m = (Bᵀ)^m c
    g = np.einsum("...mi,...i->...m", p, c)    # g_m = cᵀ B^m a  (= g_{T-m} in package time)
    return x - g, p, q


def _grad(s, a, B, c):
    r, p, q = _parts(s, a, B, c)
    T = s.shape[-1]
    ga = -np.einsum("...m,...mi->...i", r, q)
    gc = -np.einsum("...m,...mi->...i", r, p)
    # ∇_B = -Σ_{m+n <= T-2} r_{m+n+1} q_m p_nᵀ
    idx = np.arange(T)
    mn = idx[:, None] + idx[None, :] + 1
    Rh = np.where(mn <= T - 1, np.take(r, np.minimum(mn, T - 1), axis=-1), 0.0)
    gB = -np.einsum("...mn,...mi,...nj->...ij", Rh, q, p)
    return ga, gB, gc, r


def unit_energy(s, a, B, c) -> np.ndarray:
    """Energy ``E = ½ Σ_i (s_i - cᵀ B^{T-i} a)²`` of one mode carried by ``k`` units (theory guide :ref:`theory-k-unit-flow`).

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Task dynamics, ``s[..., t-1] = s_t``.
    a, B, c : array_like, shapes batch + (k,), batch + (k, k), batch + (k,)
        Input weights, recurrent block and output weights (broadcast against each other).

    Returns
    -------
    E : ndarray, shape batch

    Raises
    ------
    TypeError
        Non-numeric or complex inputs.
    ValueError
        Empty or non-finite inputs, mismatched ``k`` or batch shapes.

    Examples
    --------
    With ``k = 1`` it is the mode energy of :func:`lrnn_theory.mode_energy`:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.units import unit_energy
    >>> s = lt.tasks.constant(5)
    >>> bool(np.isclose(unit_energy(s, [0.3], [[0.7]], [0.5]), lt.mode_energy(0.3, 0.7, 0.5, s)))
    True
    """
    s, a, B, c, _ = _check(s, a, B, c)
    r, _, _ = _parts(s, a, B, c)
    with np.errstate(over="ignore", invalid="ignore"):
        E = 0.5 * np.sum(r * r, axis=-1)
    if not np.all(np.isfinite(E)):
        raise ValueError(f"B: the impulse response c^T B^(T-i) a overflows float64 (T = {s.shape[-1]}); "
                         "the spectral radius of B is too large for this T")
    return E


def unit_gradient(s, a, B, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient ``(∂E/∂a, ∂E/∂B, ∂E/∂c)`` of :func:`unit_energy` (theory guide :ref:`theory-k-unit-flow`).

    With ``x_m = s_{T-m}``, ``p_m = B^m a``, ``q_m = (Bᵀ)^m c`` and ``r_m = x_m - cᵀ p_m``:
    ``∂E/∂a = -Σ_m r_m q_m``, ``∂E/∂c = -Σ_m r_m p_m``,
    ``∂E/∂B = -Σ_{m+n<=T-2} r_{m+n+1} q_m p_nᵀ`` (derived with SymPy in the tests).

    Parameters
    ----------
    s, a, B, c : array_like
        As :func:`unit_energy`.

    Returns
    -------
    ga, gB, gc : ndarray
        Shapes batch + (k,), batch + (k, k), batch + (k,).

    Raises
    ------
    TypeError, ValueError
        As :func:`unit_energy`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.units import unit_energy, unit_gradient
    >>> s = np.array([0.5, -0.2, 1.0]); a = np.array([0.3, 0.1]); c = np.array([0.2, -0.4])
    >>> B = np.array([[0.5, 0.1], [0.0, 0.3]])
    >>> ga, gB, gc = unit_gradient(s, a, B, c)
    >>> h = 1e-6; e = np.array([h, 0.0])
    >>> bool(np.isclose(ga[0], (unit_energy(s, a + e, B, c) - unit_energy(s, a - e, B, c)) / (2 * h)))
    True
    """
    s, a, B, c, _ = _check(s, a, B, c)
    ga, gB, gc, _ = _grad(s, a, B, c)
    return ga, gB, gc


def _flat_grad(theta, s, k):
    ga, gB, gc, _ = _grad(s, *_unpack(theta, k))
    return np.concatenate([ga, gB.reshape(gB.shape[:-2] + (k * k,)), gc], axis=-1)


def _flat_energy(theta, s, k):
    """``E`` at the flat parameters ``theta`` (shape batch + (2k + k²,)): shape batch."""
    r = _parts(s, *_unpack(theta, k))[0]
    return 0.5 * np.sum(r * r, axis=-1)


def _pack(a, B, c):
    k = a.shape[-1]
    return np.concatenate([a, B.reshape(B.shape[:-2] + (k * k,)), c], axis=-1)


def _unpack(theta, k):
    """``(a, B, c)`` from the flat parameters ``theta = (a, vec(B), c)`` (shape batch + (2k + k²,)); views."""
    return theta[..., :k], theta[..., k:k + k * k].reshape(theta.shape[:-1] + (k, k)), theta[..., k + k * k:]


def _hessian_flat(theta, s, k):
    """Exact Hessian by complex-step differentiation of the gradient (compiled, :mod:`lrnn_theory._units`)."""
    n = theta.size
    H = np.empty((n, n))
    _units.flat_hessian(np.ascontiguousarray(theta, dtype=float), np.ascontiguousarray(s[::-1], dtype=float), k, H)
    return H


def unit_hessian(s, a, B, c) -> np.ndarray:
    """Hessian of :func:`unit_energy` in the flat parameters ``θ = (a, vec(B), c)`` (theory guide :ref:`theory-k-unit-flow`).

    ``vec(B)`` is row-major (``θ[k + i k + j] = B[i, j]``).  Computed by complex-step
    differentiation of the analytic gradient (exact to rounding: no subtraction), compiled.

    Parameters
    ----------
    s : array_like, shape (T,)
    a, B, c : array_like, shapes (k,), (k, k), (k,)

    Returns
    -------
    H : ndarray, shape (2k + k², 2k + k²)

    Raises
    ------
    TypeError, ValueError
        As :func:`unit_energy`; ``ValueError`` also for batched inputs.

    Examples
    --------
    At the origin the only curvature is ``-s_T`` between ``a_ℓ`` and ``c_ℓ`` (the saddle the
    first plateau sits on):

    >>> import numpy as np
    >>> from lrnn_theory.units import unit_hessian
    >>> H = unit_hessian([1.0, 0.5, 2.0], [0.0], [[0.0]], [0.0])
    >>> (H.round(12) + 0.0).tolist()
    [[0.0, 0.0, -2.0], [0.0, 0.0, 0.0], [-2.0, 0.0, 0.0]]
    """
    s, a, B, c, batch = _check(s, a, B, c)
    if batch != () or s.ndim != 1:
        raise ValueError(f"unit_hessian takes one mode: s (T,), a (k,), B (k, k), c (k,); got batch shape {batch}")
    return _hessian_flat(_pack(a, B, c), s, a.size)


@dataclass(frozen=True)
class UnitTrajectory:
    """Gradient flow of a batch of ``k``-unit modes (result of :func:`integrate_units`; theory guide :ref:`theory-k-unit-flow`).

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Output times (learning time in units of ``τ``).
    a, B, c : ndarray, shapes batch + (n_t, k), batch + (n_t, k, k), batch + (n_t, k)
        The state; NaN after a run stopped.
    energy : ndarray, shape batch + (n_t,)
    status : ndarray of int, shape batch
        0 ok, 1 diverged (left ``|θ_i| <= bound`` or the energy overflowed), -1 the integrator
        failed (step size underflow), -2 ``max_steps`` exhausted (compiled path).
    backend : str
        Which integrator ran: ``"compiled"`` (the package's compiled variable-order Radau IIA, batched;
        for ``k = 1`` through :func:`lrnn_theory.integrate_modes`), or ``"scipy-lsoda"`` /
        ``"scipy-radau"`` (``scipy.integrate.solve_ivp``, run by run, with the exact Hessian as
        Jacobian), chosen by ``method``; ``"scipy-lsoda"`` also when the compiled kernel was still
        compiling on a cold numba cache and a small call was answered meanwhile (see
        :func:`integrate_units`).
    nfev, njev, nlu, nsteps : ndarray of int, shape batch
        Cost per run, as counts: right-hand-side (gradient) evaluations, Jacobian (Hessian)
        evaluations, LU factorisations and accepted steps.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.units import integrate_units
    >>> tr = integrate_units([0.5, 1.0], [0.1, 0.0], np.zeros((2, 2)), [0.1, 0.0], [0.0, 50.0])
    >>> tr.a.shape, tr.B.shape, tr.status.tolist(), tr.backend
    ((2, 2), (2, 2, 2), 0, 'compiled')
    """

    t: np.ndarray
    a: np.ndarray
    B: np.ndarray
    c: np.ndarray
    energy: np.ndarray
    status: np.ndarray
    backend: str
    nfev: np.ndarray
    njev: np.ndarray
    nlu: np.ndarray
    nsteps: np.ndarray

    @property
    def success(self) -> bool:
        """Every run reached ``t[-1]``."""
        return bool(np.all(self.status == 0))


#: Values of ``method``: the compiled Radau kernel, or SciPy's ``solve_ivp`` method of that name.
METHODS = ("compiled", "LSODA", "Radau")


def integrate_units(s, a0, B0, c0, t, *, tau: float = 1.0, rtol: float = 1e-10, atol: float = 1e-12,
                    bound: float = 1e6, max_steps: int = 200_000, method: str = "compiled") -> UnitTrajectory:
    """Integrate the gradient flow of a batch of ``k``-unit modes (theory guide :ref:`theory-k-unit-flow`).

    ``τ ȧ = -∂E/∂a``, ``τ Ḃ = -∂E/∂B``, ``τ ċ = -∂E/∂c`` with ``E`` of :func:`unit_energy`, in the
    flat parameters ``θ = (a, vec(B), c)`` (``n = 2k + k²`` of them).  By default the whole batch
    is integrated by the package's compiled variable-order Radau IIA (the integrator of
    :func:`lrnn_theory.integrate_modes`, Proca et al. (2025), eqs. 5–8, with a step size and order
    per run, runs in parallel) with the exact Jacobian ``-∇²E/τ`` (complex-step differentiation of
    the analytic gradient, as :func:`unit_hessian`).  For ``k = 1`` it calls
    :func:`lrnn_theory.integrate_modes` and returns its numbers unchanged.  ``method="LSODA"`` or
    ``"Radau"`` integrates each run by ``scipy.integrate.solve_ivp`` instead (same equations,
    Jacobian and tolerances; for cross-checks): both paths agree within a small multiple of the
    tolerance (tested).

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Task dynamics, ``s[..., t-1] = s_t``.
    a0, B0, c0 : array_like, shapes batch + (k,), batch + (k, k), batch + (k,)
        Initial state (broadcast against each other and ``s``).
    t : array_like, shape (n_t,)
        Strictly increasing output times; integration starts at ``t[0]``.
    tau : float
        Learning timescale (``t`` = GD steps × lr with ``tau = 1``, :ref:`theory-conventions`).
    rtol, atol : float
        Tolerances of the local error (``rtol >= 1e-14``).
    bound : float
        A run whose parameters leave ``|θ_i| <= bound`` stops and is flagged diverged.
    max_steps : int
        Maximum number of accepted steps per run (compiled path).
    method : {"compiled", "LSODA", "Radau"}
        ``"compiled"`` (default): the compiled Radau kernel.  ``"LSODA"``, ``"Radau"``:
        ``scipy.integrate.solve_ivp`` run by run (LSODA needs about a tenth of Radau's
        right-hand-side evaluations here).

    Returns
    -------
    UnitTrajectory
        With ``backend`` saying which integrator ran, and the counters ``nfev``, ``njev``, ``nlu``, ``nsteps``.

    Raises
    ------
    TypeError
        Non-numeric inputs or options of the wrong type.
    ValueError
        Empty, non-finite or mismatched inputs, non-increasing ``t``, non-positive
        ``tau``/``rtol``/``atol``/``bound``, ``rtol < 1e-14``, ``max_steps < 1``, unknown ``method``.
        Divergence never raises: it is reported in ``status``.

    Notes
    -----
    First call on a fresh install (empty numba cache): as :func:`lrnn_theory.integrate_modes`, the
    kernel compiles once per machine in a background process, and a call of at most
    ``FALLBACK_MAX_WORK = 1000`` runs × ``T`` × ``(2k + k²)`` is answered meanwhile by the SciPy LSODA
    path (with the NumPy gradient: nothing to compile), if every run reaches ``t[-1]`` there
    (``backend == "scipy-lsoda"``); other calls wait for the kernel.
    ``LRNN_THEORY_COLD_FALLBACK=0`` always waits; documentation: :ref:`performance-cold-start`.

    Examples
    --------
    Two units learn the two-pole task ``0.9^{T-t} - 0.7·0.4^{T-t}`` exactly, and SciPy's LSODA agrees:

    >>> import numpy as np
    >>> from lrnn_theory.units import integrate_units
    >>> t = np.arange(1, 7); s = 0.9**(6 - t) - 0.7 * 0.4**(6 - t)
    >>> rng = np.random.default_rng(0)
    >>> a0, B0, c0 = 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal((2, 2)), 0.3 * rng.standard_normal(2)
    >>> tr = integrate_units(s, a0, B0, c0, [0.0, 10.0, 400.0])
    >>> ref = integrate_units(s, a0, B0, c0, [0.0, 10.0, 400.0], method="LSODA")
    >>> tr.backend, ref.backend, bool(tr.energy[-1] < 1e-12)
    ('compiled', 'scipy-lsoda', True)
    >>> bool(abs(tr.energy[1] - ref.energy[1]) < 1e-7)
    True
    """
    from .integrate import FALLBACK_MAX_WORK, _run, integrate_modes

    s, a0, B0, c0, batch = _check(s, a0, B0, c0)
    t = np.array(check_time_grid("t", t), dtype=float, order="C")
    tau = check_positive_float("tau", tau)
    rtol = check_positive_float("rtol", rtol)
    atol = check_positive_float("atol", atol)
    if rtol < 1e-14:
        raise ValueError(f"rtol must be >= 1e-14 (float64 resolution), got {rtol}")
    bound = check_positive_float("bound", bound)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    method = check_choice("method", method, METHODS)
    k = a0.shape[-1]
    T = s.shape[-1]
    if k == 1 and method == "compiled":
        tr = integrate_modes(s, a0[..., 0], B0[..., 0, 0], c0[..., 0], t, tau=tau, rtol=rtol, atol=atol, bound=bound,
                             max_steps=max_steps)
        return UnitTrajectory(t=t, a=tr.a[..., None], B=tr.b[..., None, None], c=tr.c[..., None], energy=tr.energy,
                              status=tr.status, backend=tr.backend, nfev=tr.nfev, njev=tr.njev, nlu=tr.nlu,
                              nsteps=tr.nsteps)
    P = 2 * k + k * k
    S = np.array(np.broadcast_to(s, batch + (T,)).reshape(-1, T), order="C")
    th0 = _pack(np.broadcast_to(a0, batch + (k,)), np.broadcast_to(B0, batch + (k, k)), np.broadcast_to(c0, batch + (k,)))
    th0 = np.ascontiguousarray(th0.reshape(-1, P), dtype=float)
    n = th0.shape[0]
    if method == "compiled":
        X = np.ascontiguousarray(S[:, ::-1])  # the kernel's model 3 takes x_m = s_{T-m}

        def fallback(out, energy, status, t_stop, counters):
            if n * T * P > FALLBACK_MAX_WORK:  # ~0.5 s per run of k = 2, T = 6: a few seconds at most
                return False
            return _scipy_runs(S, th0, k, t, tau, rtol, atol, bound, "LSODA", out, energy, status, counters,
                               strict=True, numpy=True)

        out, energy, status, _, counters, backend = _run(
            3, X, th0, np.zeros(n), np.zeros(P, dtype=bool), t, tau, rtol, atol, bound, max_steps, fallback=fallback)
    else:
        out = np.full((n, t.size, P), np.nan)
        energy = np.full((n, t.size), np.nan)
        status = np.zeros(n, dtype=np.int64)
        counters = np.zeros((n, 4), dtype=np.int64)
        _scipy_runs(S, th0, k, t, tau, rtol, atol, bound, method, out, energy, status, counters)
        backend = f"scipy-{method.lower()}"
    shp = batch + (t.size,)
    cnt = {name: counters[:, j].reshape(batch) for j, name in enumerate(("nfev", "njev", "nlu", "nsteps"))}
    a, B, c = _unpack(out, k)
    return UnitTrajectory(t=t, a=a.reshape(shp + (k,)), B=B.reshape(shp + (k, k)),
                          c=c.reshape(shp + (k,)), energy=energy.reshape(shp),
                          status=status.reshape(batch), backend=backend, **cnt)


def _scipy_runs(S, th0, k, t, tau, rtol, atol, bound, method, out, energy, status, counters, strict=False,
                numpy=False) -> bool:
    """Each run by ``scipy.integrate.solve_ivp`` (``method`` "LSODA" or "Radau") with the exact Hessian as Jacobian.

    Fills ``out`` (n, n_t, P), ``energy`` (n, n_t), ``status`` (n,) and ``counters`` (n, 4) [nfev, njev,
    nlu, nsteps].  With ``strict`` (the cold-cache answer of the compiled path) returns False as soon
    as a run does not reach ``t[-1]``: statuses and stopping points are then the kernel's to report.
    With ``numpy`` the gradient is the NumPy one (:func:`unit_gradient`) and the Hessian its complex
    step, vectorised over the columns: nothing to compile (the cold-cache answer); otherwise the
    compiled :func:`lrnn_theory._units.flat_grad` and ``flat_hessian`` (about ten times faster per call).
    """
    P = th0.shape[1]
    out[...] = np.nan
    energy[...] = np.nan
    steps = _units.STEP * 1j * np.eye(P)
    for r in range(th0.shape[0]):
        sr = S[r]
        xr = np.ascontiguousarray(sr[::-1])

        if numpy:
            def rhs(_t, th, sr=sr):
                return -_flat_grad(th, sr, k) / tau

            def jac(_t, th, sr=sr):
                H = _flat_grad(th + steps, sr, k).imag.T * _units.INV_STEP  # column j: step in θ_j
                return -0.5 * (H + H.T) / tau
        else:
            def rhs(_t, th, xr=xr):
                g = np.empty(P)
                _units.flat_grad(np.ascontiguousarray(th), xr, k, g)
                return -g / tau

            def jac(_t, th, xr=xr):
                H = np.empty((P, P))
                _units.flat_hessian(np.ascontiguousarray(th), xr, k, H)
                return -H / tau

        def leave(_t, th):
            return bound - np.max(np.abs(th))

        leave.terminal = True
        with np.errstate(over="ignore", invalid="ignore"):
            x0 = th0[r]
            e0 = _flat_energy(x0, sr, k)
        if not (np.isfinite(e0) and np.max(np.abs(x0)) <= bound):  # diverged at the start, as the kernel reports it
            out[r, 0] = x0
            energy[r, 0] = e0
            status[r] = 1
            if strict:
                return False
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            sol = solve_ivp(rhs, (t[0], t[-1]), th0[r], method=method, dense_output=True, jac=jac, rtol=rtol,
                            atol=atol, events=leave)
            m = int(np.searchsorted(t, sol.t[-1], side="right"))  # output times reached (t[0] always)
            y = sol.sol(t[:m]).reshape(P, m) if m > 1 and sol.sol is not None else th0[r][:, None]
            m = y.shape[1]
        out[r, :m] = y.T
        counters[r] = (sol.nfev, sol.njev, sol.nlu, sol.t.size - 1)
        if sol.status == 1 or not np.all(np.isfinite(y)):
            status[r] = 1
        elif sol.status < 0:
            status[r] = -1
        th = out[r, :m]
        with np.errstate(over="ignore", invalid="ignore"):
            e = _flat_energy(th, sr, k)
        bad = ~np.isfinite(e)
        if np.any(bad):
            status[r] = 1
            first = np.argmax(bad)
            out[r, first:] = np.nan
            e[first:] = np.nan
        energy[r, :m] = e
        if strict and (status[r] != 0 or m < t.size):
            return False
    return True
