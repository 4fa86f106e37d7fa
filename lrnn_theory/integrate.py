"""Gradient-flow integration of connectivity modes (theory guide :ref:`theory-mode-odes`, :ref:`theory-reduced`; Proca et al. (2025), eqs. 5–8).

:func:`integrate_modes` integrates the per-mode ODE

.. math::

    τ\\dot a = \\sum_i c\\,b^{T-i} r_i,\\quad
    τ\\dot b = \\sum_{i<T} (T-i)\\,c\\,a\\,b^{T-i-1} r_i,\\quad
    τ\\dot c = \\sum_i a\\,b^{T-i} r_i,\\qquad r_i = s_i - c\\,b^{T-i} a,

for any batch of modes at once; :func:`integrate_reduced` integrates the
two-dimensional ``(u, b)`` system of :ref:`theory-reduced` obtained from the conservation of
``Δ = a² - c²``.

Both use a compiled variable-order Radau IIA method (3, 5 or 7 stages, orders
5, 9, 13, chosen from ``rtol`` and lowered when Newton converges slowly; Hairer &
Wanner's RADAU) with the analytic Jacobian and a step size and order per mode,
parallel over modes (see :mod:`lrnn_theory._radau`): the mode ODE is stiff near
convergence (:ref:`theory-stability`), and at tight tolerances the high order
cuts the steps of the learning phase, which is what makes 10⁴ modes cost about a
second (``lrnn-theory bench theory`` reports time and right-hand-side evaluations,
steps, Jacobians and LU factorisations per mode).  Accuracy is that of
``scipy.integrate.solve_ivp(method="Radau")`` and LSODA at the same tolerances
(tested).

Divergence
----------
A mode whose state leaves the box ``|a|, |b|, |c| <= bound`` or whose energy
overflows (``|b| > 1`` with large ``T``) is stopped at that step, flagged in
``diverged``/``status``, and its later samples are NaN; the other modes are
unaffected.  Nothing raises and nothing hangs: ``max_steps`` bounds the work
per mode.
"""
from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

from . import _jit, _radau
from ._threading import parallel_section
from ._validation import (
    as_float_array,
    check_int,
    check_positive_float,
    check_subset,
    check_time_grid,
)

__all__ = [
    "ModeState",
    "ModeTrajectory",
    "ReducedTrajectory",
    "STATUS_MESSAGES",
    "integrate_modes",
    "integrate_reduced",
]

#: Meaning of the per-mode ``status`` codes.
STATUS_MESSAGES = {
    _radau.STATUS_OK: "reached the end of the time grid",
    _radau.STATUS_DIVERGED: "diverged: left the bounded region or the energy overflowed",
    _radau.STATUS_STEP_UNDERFLOW: "step size fell below the floating-point resolution",
    _radau.STATUS_MAX_STEPS: "max_steps exhausted",
}


class _InputOutputMode:
    """Mixin for results with ``a`` and ``c`` fields."""

    @property
    def u(self) -> np.ndarray:
        """Input–output mode ``u = a c`` (same shape as ``a``)."""
        return self.a * self.c


@dataclass(frozen=True)
class ModeState(_InputOutputMode):
    """Values of a batch of modes at one instant (each field has the batch shape).

    Returned by :meth:`ModeTrajectory.final` and :meth:`ReducedTrajectory.final`
    (theory guide :ref:`theory-mode-odes`).

    Attributes
    ----------
    a, b, c : ndarray, shape batch
        Input, recurrent and output modes (complex for complex modes).
    energy : ndarray, shape batch
        Mode energy ``E``.
    t : ndarray, shape batch
        Time of the state (``t[-1]`` unless the mode stopped earlier).
    u : ndarray, shape batch
        Property: input–output mode ``a c``.

    Examples
    --------
    >>> from lrnn_theory.integrate import ModeState
    >>> state = ModeState(a=2.0, b=0.5, c=1.5, energy=0.0, t=1.0)
    >>> state.u
    3.0
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    energy: np.ndarray
    t: np.ndarray


def _summary(res) -> str:
    status = np.asarray(res.status)
    counts = {STATUS_MESSAGES[k]: int(np.sum(status == k)) for k in STATUS_MESSAGES if np.any(status == k)}
    return "; ".join(f"{v} mode(s): {k}" for k, v in counts.items()) or "no modes"


@dataclass(frozen=True, kw_only=True)
class _TrajectoryBase:
    t: np.ndarray
    s: np.ndarray
    energy: np.ndarray
    status: np.ndarray
    t_stop: np.ndarray
    nfev: np.ndarray
    njev: np.ndarray
    nlu: np.ndarray
    nsteps: np.ndarray
    tau: float
    rtol: float
    atol: float
    freeze: tuple
    backend: str = "compiled"

    @property
    def batch_shape(self) -> tuple:
        """Leading shape of the batch of modes."""
        return self.status.shape

    @property
    def diverged(self) -> np.ndarray:
        """Per-mode flag: the mode left the bounded region (``status == 1``)."""
        return self.status == _radau.STATUS_DIVERGED

    @property
    def success(self) -> bool:
        """True if every mode reached the end of the time grid."""
        return bool(np.all(self.status == _radau.STATUS_OK))

    @property
    def message(self) -> str:
        """Human-readable summary of the per-mode statuses."""
        return _summary(self)

    def _last_index(self) -> np.ndarray:
        finite = np.isfinite(self.energy)
        # index of the last finite sample (0 always finite: the initial condition)
        return finite.shape[-1] - 1 - np.argmax(finite[..., ::-1], axis=-1)

    def _take_last(self, x: np.ndarray) -> np.ndarray:
        idx = self._last_index()
        return np.take_along_axis(x, idx[..., None], axis=-1)[..., 0]


@dataclass(frozen=True, kw_only=True)
class ModeTrajectory(_TrajectoryBase, _InputOutputMode):
    """Solution of the mode ODE for a batch of modes (result of :func:`integrate_modes`).

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Output times in units of ``τ``-scaled learning time (the grid passed in).
    s : ndarray, shape batch + (T,)
        Task dynamics of each mode.
    a, b, c : ndarray, shape batch + (n_t,)
        Input, recurrent and output modes.  NaN after a mode stopped.
    energy : ndarray, shape batch + (n_t,)
        Mode energy ``E`` (:ref:`theory-mode-odes`) at each output time.
    status : ndarray of int, shape batch
        0 ok, 1 diverged, -1 step-size underflow, -2 max_steps (``STATUS_MESSAGES``).
    t_stop : ndarray, shape batch
        Time at which each mode's integration stopped (``t[-1]`` if it finished).
    nfev, njev, nlu, nsteps : ndarray of int, shape batch
        Cost counters per mode: right-hand-side and Jacobian evaluations,
        LU factorisations, accepted steps.
    tau, rtol, atol, freeze
        The options used.
    backend : str
        Which path computed the result: ``"compiled"`` (the compiled Radau kernel), or
        ``"scipy-lsoda"`` when the numba cache was cold and the call was small (SciPy's LSODA with
        the analytic Jacobian answered while the kernel compiled in the background; same
        tolerances, trajectories equal to the tolerance; counters are LSODA's).  See
        :func:`integrate_modes`.

    Properties ``u = a c``, ``imbalance = a² - c²``, ``batch_shape``, ``diverged``
    (``status == 1``), ``success`` (all modes ok) and ``message``; :meth:`final` returns
    the last finite state as a :class:`ModeState` (theory guide :ref:`guide-results`).

    Examples
    --------
    Two modes with ``T = 2``, ``s = (0, 4)`` and ``(0, 1)``, from ``b = 0`` (which then stays 0):
    the first leaves the box ``|a|, |c| <= 1.5`` on its way to ``a = c = 2``, is flagged and its
    later samples are NaN:

    >>> import numpy as np
    >>> from lrnn_theory import integrate_modes
    >>> sol = integrate_modes([[0.0, 4.0], [0.0, 1.0]], 0.1, 0.0, 0.1, [0.0, 1.0, 10.0], bound=1.5)
    >>> sol.a.shape, sol.status.tolist(), sol.diverged.tolist(), sol.success
    ((2, 3), [1, 0], [True, False], False)
    >>> bool(np.isnan(sol.a[0, -1])), round(float(sol.final().u[1]), 6)
    (True, 1.0)
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray

    @property
    def imbalance(self) -> np.ndarray:
        """Conserved quantity ``a² - c²`` (:ref:`theory-reduced`), shape batch + (n_t,); ``|a|² - |c|²`` for complex modes."""
        if np.iscomplexobj(self.a):
            return np.abs(self.a) ** 2 - np.abs(self.c) ** 2
        return self.a ** 2 - self.c ** 2

    def final(self) -> ModeState:
        """Last finite state of every mode (at ``t[-1]`` unless it stopped earlier)."""
        idx = self._last_index()
        return ModeState(
            a=self._take_last(self.a),
            b=self._take_last(self.b),
            c=self._take_last(self.c),
            energy=self._take_last(self.energy),
            t=self.t[idx],
        )


@dataclass(frozen=True, kw_only=True)
class ReducedTrajectory(_TrajectoryBase):
    """Solution of the reduced ``(u, b)`` system of :ref:`theory-reduced` (result of :func:`integrate_reduced`).

    Same fields as :class:`ModeTrajectory` with ``u`` (batch + (n_t,)) in place
    of ``a, c`` and the per-mode imbalance ``delta`` (batch).

    Attributes
    ----------
    u, b : ndarray, shape batch + (n_t,)
        Input–output mode ``u = a c`` and recurrent mode; NaN after a mode stopped.
    delta : ndarray, shape batch
        Conserved imbalance ``Δ = a² - c²``.

    Examples
    --------
    :meth:`final` reconstructs ``a, c`` from ``u`` and ``Δ`` (``a c = u``, ``a² - c² = Δ``):

    >>> from lrnn_theory import integrate_reduced, tasks
    >>> sol = integrate_reduced(tasks.inverse_exponential(4, 1.0, 0.5), 0.1, 0.1, [0.0, 40.0], delta=0.5)
    >>> st = sol.final()
    >>> sol.success, round(float(st.a * st.c), 6), round(float(st.a**2 - st.c**2), 6), round(float(st.b), 6)
    (True, 1.0, 0.5, 0.5)
    """

    u: np.ndarray
    b: np.ndarray
    delta: np.ndarray

    def final(self) -> ModeState:
        """Last finite state; ``a`` and ``c`` are reconstructed from ``u`` and ``Δ`` (``a ≥ 0``)."""
        idx = self._last_index()
        u = self._take_last(self.u)
        q = np.sqrt(self.delta ** 2 + 4 * u ** 2)
        a = np.sqrt((q + self.delta) / 2)
        c = np.sign(u) * np.sqrt(np.maximum(q - self.delta, 0) / 2)
        return ModeState(a=a, b=self._take_last(self.b), c=c, energy=self._take_last(self.energy), t=self.t[idx])


def _prepare(s, inits, names, t, tau, rtol, atol, bound, max_steps, allow_complex=False, stacklevel=3):
    s = as_float_array("s", s, min_ndim=1, allow_complex=allow_complex)
    if s.shape[-1] < 1:
        raise ValueError(f"s must have at least one time step (T >= 1) on its last axis, got shape {s.shape}")
    if s.ndim >= 2 and s.shape[-1] == 1 and s.size > 1:
        n_modes = int(np.prod(s.shape[:-1]))
        warnings.warn(
            f"s has shape {s.shape}: read as {n_modes} modes with T = 1 time step each (time is the last "
            f"axis of s); for one mode with T = {n_modes}, pass s.ravel() or s[..., 0]",
            UserWarning, stacklevel=stacklevel,
        )
    arrays = [as_float_array(n, v, allow_complex=allow_complex) for n, v in zip(names, inits)]
    try:
        batch = np.broadcast_shapes(s.shape[:-1], *(x.shape for x in arrays))
    except ValueError:
        shapes = ", ".join(f"{n} {x.shape}" for n, x in zip(names, arrays))
        raise ValueError(
            f"initial values and s[..., T] must broadcast to one batch shape; got s {s.shape} (batch {s.shape[:-1]}), {shapes}"
        ) from None
    t = np.array(check_time_grid("t", t), dtype=float, order="C")
    tau = check_positive_float("tau", tau)
    rtol = check_positive_float("rtol", rtol)
    atol = check_positive_float("atol", atol)
    if rtol < 1e-14:
        raise ValueError(f"rtol must be >= 1e-14 (float64 resolution), got {rtol}")
    bound = check_positive_float("bound", bound)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    T = s.shape[-1]
    # a fresh writable array: the kernel is compiled for one array type (a read-only view is another)
    S = np.array(np.broadcast_to(s, batch + (T,)).reshape(-1, T), order="C")
    Y0 = np.stack([np.broadcast_to(x, batch).reshape(-1) for x in arrays], axis=-1)
    return S, np.ascontiguousarray(Y0), batch, t, tau, rtol, atol, bound, max_steps


def _common_fields(S, batch, t, out_e, status, t_stop, counters, tau, rtol, atol, freeze, backend) -> dict:
    """Fields shared by ModeTrajectory and ReducedTrajectory, reshaped to the batch."""
    return dict(
        t=t, s=S.reshape(batch + S.shape[-1:]), energy=out_e.reshape(batch + (t.size,)),
        status=status.reshape(batch), t_stop=t_stop.reshape(batch),
        nfev=counters[:, 0].reshape(batch), njev=counters[:, 1].reshape(batch),
        nlu=counters[:, 2].reshape(batch), nsteps=counters[:, 3].reshape(batch),
        tau=tau, rtol=rtol, atol=atol, freeze=freeze, backend=backend,
    )


#: Compiled path: the batched Radau kernel of each family of models (:data:`lrnn_theory._radau.KERNELS`;
#: typical cold compile time on 2 cores, for the notice): the real modes (models 0, 1), complex modes
#: (model 2) and modes carried by ``k`` units (model 3, :func:`lrnn_theory.units.integrate_units`) each
#: compile only their own system.
_KERNEL = _jit.Kernel(_radau.integrate_batch_real, seconds=30)
_KERNEL_COMPLEX = _jit.Kernel(_radau.integrate_batch_complex, seconds=30)
_KERNEL_UNITS = _jit.Kernel(_radau.integrate_batch_units, seconds=30)
#: Largest call answered by the SciPy path while the kernel compiles, in modes × ``T``
#: (LSODA with the right-hand side in Python floats: ~15 ms per mode of ``T = 10`` over the README's grid).
FALLBACK_MAX_WORK = 1000
#: Value of the ``backend`` field of results computed by the compiled Radau kernel.
BACKEND_COMPILED = "compiled"
#: Value of the ``backend`` field of results computed by SciPy's LSODA while the kernel compiled.
BACKEND_LSODA = "scipy-lsoda"


def _kernel(model: int) -> _jit.Kernel:
    """The compiled kernel of ``model`` (looked up at call time)."""
    return {2: _KERNEL_COMPLEX, 3: _KERNEL_UNITS}.get(model, _KERNEL)


def _run(model, S, Y0, delta, frozen, t, tau, rtol, atol, bound, max_steps, fallback=None):
    """Integrate the flattened batch; returns ``(out_y, out_e, status, t_stop, counters, backend)``.

    The compiled kernel answers whenever it is ready.  On a cold numba cache it compiles in a
    background process, and a small call is answered meanwhile by a SciPy path, if every mode
    reaches the end of the grid there: for the real modes (models 0, 1) LSODA with the analytic
    Jacobian (:func:`_lsoda_batch`); for other models ``fallback``, a callable filling
    ``(out_y, out_e, status, t_stop, counters)`` and returning True on success.  Otherwise the call
    waits for the kernel (see :mod:`lrnn_theory._jit`).
    """
    n_modes, n = Y0.shape
    n_t = t.size
    out_y = np.empty((n_modes, n_t, n))
    out_e = np.empty((n_modes, n_t))
    status = np.zeros(n_modes, dtype=np.int64)
    t_stop = np.empty(n_modes)
    counters = np.zeros((n_modes, 4), dtype=np.int64)
    head = (model, Y0, S, delta, 1.0 / tau, frozen, t, rtol, atol, bound, max_steps)
    tail = (_radau.NIT, _radau.CONTROL, out_y, out_e, status, t_stop, counters)
    probe = head + _table_types() + tail  # the kernel's argument types, without computing the tables yet
    kernel = _kernel(model)
    if not kernel.prepare(probe):
        if n_modes * S.shape[1] <= FALLBACK_MAX_WORK:
            if model in (0, 1):
                fallback = functools.partial(_lsoda_batch, model, S, Y0, delta, frozen, t, tau, rtol, atol, bound,
                                             max_steps)
            if fallback is not None and fallback(out_y, out_e, status, t_stop, counters):
                return out_y, out_e, status, t_stop, counters, BACKEND_LSODA
        kernel.wait(probe)
    with parallel_section():
        _radau.integrate_batch(*head, *_radau.tables(), *tail)
    return out_y, out_e, status, t_stop, counters, BACKEND_COMPILED


def _table_types() -> tuple:
    """Empty arrays of the dtypes and ranks of :func:`lrnn_theory._radau.tables` (tested): enough to
    ask whether the kernel is compiled, before the method constants are computed (0.4 s of mpmath)."""
    c = np.complex128
    return (np.empty(0, np.int64), np.empty((0, 0)), np.empty((0, 0, 0), c), np.empty((0, 0, 0), c),
            np.empty((0, 0), c), np.empty((0, 0)), np.empty(0))


def _lsoda_batch(model, S, Y0, delta, frozen, t, tau, rtol, atol, bound, max_steps,
                 out_y, out_e, status, t_stop, counters) -> bool:
    """The real models (0 full, 1 reduced) by ``scipy.integrate.LSODA`` with the analytic Jacobian, mode by mode.

    Same equations (:mod:`lrnn_theory._radau`, in NumPy: nothing to compile), same tolerances and
    output grid, so the trajectories agree with the compiled Radau kernel to the tolerance (tested).
    Returns False, leaving the call to the kernel, unless every mode reaches ``t[-1]`` within
    ``max_steps`` inside the box ``bound`` (statuses and stopping points are the kernel's to report).
    """
    from scipy.integrate import LSODA

    T = S.shape[1]
    inv_tau = 1.0 / tau
    frz = [bool(x) for x in frozen]
    full = model == 0

    with np.errstate(all="ignore"):
        for m in range(Y0.shape[0]):
            s = [float(x) for x in S[m]]
            dm = float(delta[m])

            def fun(_t, y, s=s, dm=dm):
                y0, b = float(y[0]), float(y[1])
                x0 = y0 * float(y[2]) if full else y0
                S1, S2 = _py_sums(x0, b, s, T, 2)
                if full:
                    f = [float(y[2]) * S1 * inv_tau, x0 * S2 * inv_tau, y0 * S1 * inv_tau]
                else:
                    f = [math.sqrt(dm * dm + 4.0 * x0 * x0) * S1 * inv_tau, x0 * S2 * inv_tau]
                return np.array([0.0 if z else v for z, v in zip(frz, f)])

            def jac(_t, y, s=s, dm=dm):
                if full:
                    a, b, c = float(y[0]), float(y[1]), float(y[2])
                    ac = a * c
                    S1, S2, S3, G0, G1, G2 = _py_sums(ac, b, s, T, 6)
                    J = np.array([
                        [-c * c * G0, c * (S2 - ac * G1), S1 - ac * G0],
                        [c * S2 - a * c * c * G1, ac * (S3 - ac * G2), a * S2 - a * a * c * G1],
                        [S1 - ac * G0, a * (S2 - ac * G1), -a * a * G0],
                    ])
                else:
                    u, b = float(y[0]), float(y[1])
                    S1, S2, S3, G0, G1, G2 = _py_sums(u, b, s, T, 6)
                    q = math.sqrt(dm * dm + 4.0 * u * u)
                    dq = 4.0 * u / q if q > 0.0 else 0.0
                    J = np.array([[dq * S1 - q * G0, q * (S2 - u * G1)], [S2 - u * G1, u * (S3 - u * G2)]])
                J *= inv_tau
                J[np.array(frz)] = 0.0
                return J

            def energy(y, s=s):
                x0 = float(y[0]) * float(y[2]) if full else float(y[0])
                return _py_sums(x0, float(y[1]), s, T, 1)[0]

            def inside(y):
                return all(math.isfinite(v) and abs(v) <= bound for v in y.tolist()) and math.isfinite(energy(y))

            y0 = Y0[m].copy()
            out_y[m, 0] = y0
            if t.size == 1:
                out_e[m, 0] = energy(y0)
                t_stop[m] = t[0]
                continue
            if not inside(y0):
                return False
            solver = LSODA(fun, t[0], y0, t[-1], rtol=rtol, atol=atol, jac=jac)
            nxt = 1
            nsteps = 0
            while solver.status == "running":
                if nsteps >= max_steps:
                    return False
                solver.step()
                if solver.status == "failed":
                    return False
                nsteps += 1
                y = solver.y
                if nxt < t.size and t[nxt] <= solver.t:
                    dense = solver.dense_output()
                    while nxt < t.size and t[nxt] <= solver.t:
                        out_y[m, nxt] = y if t[nxt] == solver.t else dense(t[nxt])
                        nxt += 1
                if not inside(y):
                    return False
            if nxt < t.size:
                return False
            for j in range(t.size):
                out_e[m, j] = energy(out_y[m, j])
            status[m] = _radau.STATUS_OK
            t_stop[m] = solver.t
            counters[m] = (solver.nfev, solver.njev, solver.nlu, nsteps)
    return True


def _py_sums(x0, b, s, T, which):
    """The kernel's sums (:func:`lrnn_theory._radau._sums`) in plain Python floats, in the same order.

    ``which`` 2: ``(S1, S2)``; 6: ``(S1, S2, S3, G0, G1, G2)``; 1: ``(E,)``.  For the short tasks
    answered by :func:`_lsoda_batch` a Python loop over ``T`` costs less than NumPy's per-call overhead.
    """
    S1 = S2 = S3 = G0 = G1 = G2 = En = 0.0
    pkm2 = 0.0
    pkm1 = 0.0
    pk = 1.0
    for k in range(T):
        r = s[T - 1 - k] - x0 * pk
        if which == 1:
            En += r * r
        else:
            S1 += pk * r
            if which == 6:
                G0 += pk * pk
            if k >= 1:
                S2 += k * pkm1 * r
                if which == 6:
                    G1 += k * pkm1 * pk
                    G2 += k * k * pkm1 * pkm1
            if which == 6 and k >= 2:
                S3 += k * (k - 1) * pkm2 * r
        pkm2 = pkm1
        pkm1 = pk
        pk = pk * b
    if which == 1:
        return (0.5 * En,)
    if which == 2:
        return S1, S2
    return S1, S2, S3, G0, G1, G2


def integrate_modes(
    s,
    a0,
    b0,
    c0,
    t,
    *,
    tau: float = 1.0,
    freeze=(),
    rtol: float = 1e-10,
    atol: float = 1e-12,
    bound: float = 1e6,
    max_steps: int = 200_000,
) -> ModeTrajectory:
    """Integrate the gradient flow of a batch of connectivity modes (theory guide :ref:`theory-mode-odes`; Proca et al. (2025), eqs. 5–8).

    Complex modes (Proca et al. (2025), App. N–O; theory guide
    :ref:`theory-complex-modes`): if any of ``s, a0, b0, c0`` is complex, the
    modes are complex and follow the gradient flow on their real and imaginary
    parts, ``τ ȧ = Σ_i conj(c b^{T-i}) r_i``, ``τ ḃ = Σ_{i<T} (T-i) conj(c a
    b^{T-i-1}) r_i``, ``τ ċ = Σ_i conj(a b^{T-i}) r_i`` (``ż = -2 ∂E/∂z̄`` with
    ``E = ½ Σ_i |r_i|²``), integrated as a real 6-dimensional system by the
    same compiled Radau method; ``a, b, c`` of the result are complex.  With
    zero imaginary parts the result equals the real solver's (tested to
    1e-12; the floating-point operations on the real parts are the same).
    Tolerances, ``bound`` and the norms apply to the modulus of each complex
    component.

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Task dynamics, ``s[..., t-1] = s_t`` (see :mod:`lrnn_theory.tasks`); real or complex.
    a0, b0, c0 : array_like
        Initial input, recurrent and output modes; broadcast against ``s.shape[:-1]``;
        real or complex.
    t : array_like, shape (n_t,)
        Strictly increasing output times; integration starts at ``t[0]`` from
        the initial values.  Units: learning time, so ``t/τ`` is the argument
        of the closed forms (e.g. GD steps × lr with ``tau=1``).
    tau : float
        Learning timescale ``τ`` in ``τ θ̇ = -∇E`` (``τ = 1/η``, :ref:`theory-conventions`).
    freeze : sequence of {"a", "b", "c"}
        Components held at their initial value (:ref:`theory-frozen-recurrent`: ``"b"``; :ref:`theory-frozen-io`: ``("a", "c")``).
    rtol, atol : float
        Relative and absolute tolerances of the local error (as in ``solve_ivp``).
    bound : float
        A mode leaving ``|a|, |b|, |c| <= bound`` is stopped and flagged diverged.
    max_steps : int
        Maximum number of accepted steps per mode.

    Returns
    -------
    ModeTrajectory
        With ``a, b, c, energy`` of shape batch + (n_t,), per-mode ``status``,
        ``diverged`` and cost counters.

    Raises
    ------
    TypeError
        If ``s`` or an initial value is not numeric, an option has the wrong type, or
        ``freeze`` is not a sequence of names.
    ValueError
        If an array is empty or not finite, the shapes do not broadcast, ``t`` is not strictly
        increasing, ``tau``/``rtol``/``atol``/``bound`` are not positive (``rtol < 1e-14``),
        ``max_steps < 1``, or ``freeze`` holds an unknown name.  Divergence never raises: it is
        reported in ``status``.

    Warns
    -----
    UserWarning
        If ``s`` has shape ``(..., n, 1)`` with several modes: it is read as modes with ``T = 1``
        (time is the last axis); the warning says so and how to pass one mode of length ``n``.

    Notes
    -----
    First call on a fresh install (empty numba cache): the compiled kernel is compiled once per
    machine in a background process, and a call with real modes and at most
    ``FALLBACK_MAX_WORK = 1000`` modes × ``T`` is answered meanwhile by SciPy's LSODA with the
    analytic Jacobian, at the same tolerances (trajectories equal to the kernel's within the
    solver tolerance; ``result.backend == "scipy-lsoda"``, counters are LSODA's).  Other calls,
    and any call whose modes do not all reach ``t[-1]`` there, wait for the kernel
    (``result.backend == "compiled"``).  ``LRNN_THEORY_COLD_FALLBACK=0`` always waits;
    documentation: :ref:`performance-cold-start`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory import tasks, integrate_modes
    >>> sol = integrate_modes(tasks.inverse_exponential(10, 2.0, 0.8), 0.1, 0.1, 0.1, np.linspace(0, 50, 101))
    >>> round(float(sol.b[-1]), 6), round(float(sol.u[-1]), 6)
    (0.8, 2.0)
    """
    if any(np.iscomplexobj(x) for x in (s, a0, b0, c0)):
        return _integrate_complex(s, a0, b0, c0, t, tau, freeze, rtol, atol, bound, max_steps)
    S, Y0, batch, t, tau, rtol, atol, bound, max_steps = _prepare(
        s, (a0, b0, c0), ("a0", "b0", "c0"), t, tau, rtol, atol, bound, max_steps
    )
    freeze = check_subset("freeze", freeze, ("a", "b", "c"))
    frozen = np.array([n in freeze for n in ("a", "b", "c")])
    out_y, out_e, status, t_stop, counters, backend = _run(
        0, S, Y0, np.zeros(S.shape[0]), frozen, t, tau, rtol, atol, bound, max_steps
    )
    shp = batch + (t.size,)
    return ModeTrajectory(
        a=out_y[..., 0].reshape(shp), b=out_y[..., 1].reshape(shp), c=out_y[..., 2].reshape(shp),
        **_common_fields(S, batch, t, out_e, status, t_stop, counters, tau, rtol, atol, freeze, backend),
    )


def _integrate_complex(s, a0, b0, c0, t, tau, freeze, rtol, atol, bound, max_steps) -> ModeTrajectory:
    """Complex modes: the real 6-dimensional system (model 2 of :mod:`lrnn_theory._radau`)."""
    S, Y0, batch, t, tau, rtol, atol, bound, max_steps = _prepare(
        s, (a0, b0, c0), ("a0", "b0", "c0"), t, tau, rtol, atol, bound, max_steps, allow_complex=True, stacklevel=4
    )
    freeze = check_subset("freeze", freeze, ("a", "b", "c"))
    frozen = np.array([n in freeze for n in ("a", "b", "c")] * 2)
    S = np.asarray(S, dtype=complex)
    Y0 = np.asarray(Y0, dtype=complex)
    S2 = np.ascontiguousarray(np.concatenate([S.real, S.imag], axis=-1))
    Y6 = np.ascontiguousarray(np.concatenate([Y0.real, Y0.imag], axis=-1))
    out_y, out_e, status, t_stop, counters, backend = _run(
        2, S2, Y6, np.zeros(S.shape[0]), frozen, t, tau, rtol, atol, bound, max_steps
    )
    shp = batch + (t.size,)
    z = out_y[..., :3] + 1j * out_y[..., 3:]
    return ModeTrajectory(
        a=z[..., 0].reshape(shp), b=z[..., 1].reshape(shp), c=z[..., 2].reshape(shp),
        **_common_fields(S, batch, t, out_e, status, t_stop, counters, tau, rtol, atol, freeze, backend),
    )


def integrate_reduced(
    s,
    u0,
    b0,
    t,
    *,
    delta=0.0,
    tau: float = 1.0,
    freeze=(),
    rtol: float = 1e-10,
    atol: float = 1e-12,
    bound: float = 1e6,
    max_steps: int = 200_000,
) -> ReducedTrajectory:
    """Integrate the reduced two-dimensional mode system of theory guide :ref:`theory-reduced`.

    .. math::

        τ\\dot u = \\sqrt{Δ^2 + 4u^2}\\,\\sum_i b^{T-i} r_i,\\qquad
        τ\\dot b = u \\sum_{i<T} (T-i)\\, b^{T-i-1} r_i,\\qquad r_i = s_i - u\\,b^{T-i},

    where ``Δ = a² - c²`` is conserved by the full flow.  Equivalent to
    :func:`integrate_modes` from any ``(a0, c0)`` with ``a0 c0 = u0`` and
    ``a0² - c0² = Δ``.

    Parameters
    ----------
    s : array_like, shape batch + (T,)
    u0, b0 : array_like
        Initial input–output and recurrent modes (broadcast against the batch).
    delta : array_like
        Imbalance ``Δ`` per mode (0: balanced).
    freeze : sequence of {"u", "b"}
    Other parameters as in :func:`integrate_modes`.

    Returns
    -------
    ReducedTrajectory
        With ``u, b, energy`` of shape batch + (n_t,) and per-mode ``status``.

    Raises
    ------
    TypeError, ValueError
        As :func:`integrate_modes` (complex values are rejected with ``TypeError``).

    Examples
    --------
    With ``T = 1`` and ``s = (2)`` a balanced mode follows the logistic
    ``u̇ = 2u (2 - u)``, ``u(t) = 2 / (1 + (2/u_0 - 1) e^{-4t})``:

    >>> import numpy as np
    >>> from lrnn_theory import integrate_reduced
    >>> sol = integrate_reduced([2.0], 0.1, 0.0, [0.0, 1.0])
    >>> exact = 2 / (1 + 19 * np.exp(-4.0))
    >>> bool(abs(sol.u[-1] - exact) < 1e-8)
    True
    """
    S, Y0, batch, t, tau, rtol, atol, bound, max_steps = _prepare(
        s, (u0, b0, delta), ("u0", "b0", "delta"), t, tau, rtol, atol, bound, max_steps
    )
    freeze = check_subset("freeze", freeze, ("u", "b"))
    frozen = np.array([n in freeze for n in ("u", "b")])
    deltas = np.ascontiguousarray(Y0[:, 2])
    Y0 = np.ascontiguousarray(Y0[:, :2])
    out_y, out_e, status, t_stop, counters, backend = _run(
        1, S, Y0, deltas, frozen, t, tau, rtol, atol, bound, max_steps
    )
    shp = batch + (t.size,)
    return ReducedTrajectory(
        u=out_y[..., 0].reshape(shp), b=out_y[..., 1].reshape(shp), delta=deltas.reshape(batch),
        **_common_fields(S, batch, t, out_e, status, t_stop, counters, tau, rtol, atol, freeze, backend),
    )
