"""Task dynamics: the time-dependent singular values ``s_t`` of theory guide :ref:`theory-task-families`.

A task is described, per connectivity mode, by its *task dynamics*: the
singular values ``s_1, ..., s_T`` of the input–output correlations
``Σ^{YX_t} = U_y S_t V_x^T`` (theory guide :ref:`theory-assumptions`, assumption A2).

Conventions
-----------
* Arrays are float64 with the time axis last: ``s[..., t-1] = s_t``.
* ``t = 1`` is the **first** input; input ``t`` passes through ``W_h``
  exactly ``T - t`` times, so ``s[..., -1]`` (``t = T``) is the most recent
  input, the one the network sees without recurrence.
* Several modes are a 2-D array of shape ``(n_modes, T)``; any leading batch
  shape is allowed.  Signed values are allowed (theory guide :ref:`theory-assumptions`).
* Every family broadcasts over its scalar parameters: ``constant(5,
  delta=[0.5, 1, 2])`` has shape ``(3, 5)``.

Families (``s_t = δ f(λ, t)``):

=====================  =====================  =====================================
family                  ``f(λ, t)``            late importance (``s_t < s_{t+1}``)
=====================  =====================  =====================================
constant               1                      never (flat)
inverse_exponential    λ^(T-t)                λ < 1
exponential            λ^t                    λ > 1
modified               family for t < T,      phase-transition tasks (:ref:`theory-modified-tasks`)
                       ``s_T = κ``
dirac                  ``s_1 = β, s_T = κ``   two isolated correlations (:ref:`theory-dirac`)
=====================  =====================  =====================================
"""
from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_choice, check_int, check_positive_float

__all__ = [
    "FAMILIES",
    "constant",
    "dirac",
    "exponential",
    "inverse_exponential",
    "make_task",
    "modified",
    "rotational",
    "schur_block",
    "schur_block_value",
    "stack",
]

#: Names of the recurrent task families accepted by :func:`make_task` and :func:`modified`.
FAMILIES = ("constant", "inverse_exponential", "exponential")


def _param(name: str, value) -> np.ndarray:
    return as_float_array(name, value, allow_empty=False)


def _steps(T) -> np.ndarray:
    T = check_int("T", T, minimum=1)
    return np.arange(1, T + 1, dtype=np.float64)


def _finite_task(s: np.ndarray, T: int) -> np.ndarray:
    """The task, or a ValueError naming ``lam`` and ``T`` when ``λ^T`` left the float64 range (inf/NaN)."""
    if not np.all(np.isfinite(s)):
        raise ValueError(f"lam and T: the task dynamics overflow float64 (|lam|^T beyond its range, T = {T})")
    return s


def constant(T: int, delta=1.0) -> np.ndarray:
    """Constant dynamics ``s_t = δ`` (pure integration; theory guide :ref:`theory-task-families`).

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    delta : float or array_like
        Scale ``δ``; arrays broadcast to a leading batch shape.

    Returns
    -------
    s : ndarray, shape ``np.shape(delta) + (T,)``

    Raises
    ------
    TypeError
        If ``T`` is not an integer or ``delta`` not numeric.
    ValueError
        If ``T < 1`` or ``delta`` is empty or not finite.

    Notes
    -----
    Proca et al. (2025), Sec. 3 (task families).

    Examples
    --------
    >>> from lrnn_theory.tasks import constant
    >>> constant(4, 2.0)
    array([2., 2., 2., 2.])
    >>> constant(5, delta=[0.5, 1, 2]).shape  # one row per delta
    (3, 5)
    """
    t = _steps(T)
    delta = _param("delta", delta)
    return np.broadcast_to(delta[..., None], delta.shape + (t.size,)).copy()


def inverse_exponential(T: int, delta=1.0, lam=0.8) -> np.ndarray:
    """Inverse-exponential dynamics ``s_t = δ λ^(T-t)`` (theory guide :ref:`theory-task-families`).

    The zero-loss solution is ``b* = λ``, ``u* = δ`` (:ref:`theory-fixed-points`); late importance
    iff ``λ < 1``.  Any aligned linear-RNN teacher produces this family (:ref:`theory-assumptions`).

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : float or array_like
        Scale ``δ`` and dynamics ``λ``; broadcast to a leading batch shape.

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam).shape + (T,)``

    Raises
    ------
    TypeError
        If ``T`` is not an integer or ``delta``/``lam`` not numeric.
    ValueError
        If ``T < 1``, ``delta``/``lam`` are empty or not finite, or do not broadcast, or the
        dynamics overflow float64 (``|λ|^T`` beyond its range).

    Examples
    --------
    The most recent input (``t = T``, last entry) carries ``δ``; each step back multiplies by ``λ``:

    >>> from lrnn_theory.tasks import inverse_exponential
    >>> inverse_exponential(3, delta=1.0, lam=0.5)
    array([0.25, 0.5 , 1.  ])
    """
    t = _steps(T)
    delta, lam = np.broadcast_arrays(_param("delta", delta), _param("lam", lam))
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_task(delta[..., None] * lam[..., None] ** (t.size - t), t.size)


def exponential(T: int, delta=1.0, lam=0.8) -> np.ndarray:
    """Exponential dynamics ``s_t = δ λ^t`` (theory guide :ref:`theory-task-families`).

    The zero-loss solution is ``b* = 1/λ``, ``u* = δ λ^T`` (:ref:`theory-fixed-points`); late
    importance iff ``λ > 1``.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : float or array_like
        Scale ``δ`` and dynamics ``λ``; broadcast to a leading batch shape.

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam).shape + (T,)``

    Raises
    ------
    TypeError
        If ``T`` is not an integer or ``delta``/``lam`` not numeric.
    ValueError
        If ``T < 1``, ``delta``/``lam`` are empty or not finite, or do not broadcast, or the
        dynamics overflow float64 (``|λ|^T`` beyond its range).

    Examples
    --------
    >>> from lrnn_theory.tasks import exponential
    >>> exponential(3, delta=1.0, lam=2.0)  # late importance: lam > 1
    array([2., 4., 8.])
    """
    t = _steps(T)
    delta, lam = np.broadcast_arrays(_param("delta", delta), _param("lam", lam))
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_task(delta[..., None] * lam[..., None] ** t, t.size)


def make_task(family: str, T: int, delta=1.0, lam=0.8) -> np.ndarray:
    """Task dynamics of a named family (one of :data:`FAMILIES`; theory guide :ref:`theory-task-families`).

    ``lam`` is ignored for ``"constant"``.

    Parameters
    ----------
    family : {"constant", "inverse_exponential", "exponential"}
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : float or array_like
        Scale ``δ`` and dynamics ``λ``; broadcast to a leading batch shape.

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam).shape + (T,)`` (``np.shape(delta) + (T,)`` for ``"constant"``)

    Raises
    ------
    TypeError
        If ``family`` is not a string, ``T`` not an integer, or ``delta``/``lam`` not numeric.
    ValueError
        If ``family`` is unknown, or as :func:`constant`, :func:`inverse_exponential`,
        :func:`exponential`.

    Examples
    --------
    >>> from lrnn_theory.tasks import make_task, exponential
    >>> make_task("exponential", 3, delta=1.0, lam=0.5)
    array([0.5  , 0.25 , 0.125])
    >>> bool((make_task("exponential", 3, 1.0, 0.5) == exponential(3, 1.0, 0.5)).all())
    True
    """
    family = check_choice("family", family, FAMILIES)
    if family == "constant":
        return constant(T, delta)
    if family == "inverse_exponential":
        return inverse_exponential(T, delta, lam)
    return exponential(T, delta, lam)


def modified(family: str, T: int, delta=1.0, lam=0.8, kappa=1.0) -> np.ndarray:
    """A family with a feedforward last step: ``s_t = δ f(λ, t)`` for ``t < T``, ``s_T = κ``.

    These tasks have no zero-loss solution (for ``κ ≠ δ f(λ, T)``) and show
    the feedforward/recurrent phase transition of theory guide :ref:`theory-modified-tasks`, :ref:`theory-constant-kappa`, :ref:`theory-exponential-kappa`
    (Proca et al. (2025), eqs. 10–11).

    Parameters
    ----------
    family : {"constant", "inverse_exponential", "exponential"}
        Family of the first ``T - 1`` steps.
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : float or array_like
        Scale ``δ`` and dynamics ``λ`` of the family.
    kappa : float or array_like
        Value ``κ`` of the last step ``s_T``.

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam, kappa).shape + (T,)``

    Raises
    ------
    TypeError, ValueError
        As :func:`make_task`; also for a non-numeric, empty or non-finite ``kappa``, or shapes
        that do not broadcast.

    Examples
    --------
    >>> from lrnn_theory.tasks import modified
    >>> modified("constant", 4, delta=1.0, kappa=3.0)
    array([1., 1., 1., 3.])
    >>> modified("constant", 4, kappa=[0.0, 2.0]).shape
    (2, 4)
    """
    kappa = _param("kappa", kappa)
    s = make_task(family, T, delta, lam)
    shape = np.broadcast_shapes(s.shape[:-1], kappa.shape)
    s = np.broadcast_to(s, shape + s.shape[-1:]).copy()
    s[..., -1] = np.broadcast_to(kappa, shape)
    return s


def dirac(T: int, beta=1.0, kappa=1.0) -> np.ndarray:
    """Dirac-delta dynamics: ``s_1 = β``, ``s_T = κ``, zero elsewhere (theory guide :ref:`theory-task-families`, :ref:`theory-dirac`; Proca et al. (2025), App. H).

    For ``T = 1`` the two correlations fall on the same step and ``s_1 = β + κ``.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    beta, kappa : float or array_like
        Correlation ``β`` of the first (oldest) input and ``κ`` of the last (most recent) one.

    Returns
    -------
    s : ndarray, shape ``broadcast(beta, kappa).shape + (T,)``

    Raises
    ------
    TypeError
        If ``T`` is not an integer or ``beta``/``kappa`` not numeric.
    ValueError
        If ``T < 1``, ``beta``/``kappa`` are empty or not finite, or do not broadcast.

    Examples
    --------
    >>> from lrnn_theory.tasks import dirac
    >>> dirac(4, beta=2.0, kappa=3.0)
    array([2., 0., 0., 3.])
    >>> dirac(1, beta=2.0, kappa=3.0)  # same step: beta + kappa
    array([5.])
    """
    T = check_int("T", T, minimum=1)
    beta, kappa = np.broadcast_arrays(_param("beta", beta), _param("kappa", kappa))
    s = np.zeros(beta.shape + (T,))
    s[..., 0] += beta
    s[..., -1] += kappa
    return s


def stack(*tasks) -> np.ndarray:
    """Stack single-mode tasks of equal length into an ``(n_modes, T)`` array.

    Parameters
    ----------
    *tasks : array_like, each of shape (T,)
        Task dynamics of one mode each (theory guide :ref:`theory-task-families`).

    Returns
    -------
    s : ndarray, shape (n_modes, T)

    Raises
    ------
    ValueError
        If no task is given, a task is not 1-D, empty or not finite, or the lengths differ.
    TypeError
        If a task is not a real numeric array.

    Examples
    --------
    >>> from lrnn_theory.tasks import constant, dirac, stack
    >>> stack(constant(3), dirac(3, beta=1.0, kappa=1.0))
    array([[1., 1., 1.],
           [1., 0., 1.]])
    """
    if not tasks:
        raise ValueError("stack needs at least one task")
    arrs = [as_float_array(f"tasks[{i}]", s, ndim=1) for i, s in enumerate(tasks)]
    lengths = {a.size for a in arrs}
    if len(lengths) != 1:
        raise ValueError(f"tasks must all have the same length T, got lengths {sorted(lengths)}")
    return np.stack(arrs)


# --- complex (rotational) task dynamics: Proca et al. (2025), App. N–O; theory guide :ref:`theory-complex-modes` ---


def rotational(T: int, delta=1.0, lam=np.exp(1j * np.pi / 12)) -> np.ndarray:
    r"""Complex inverse-exponential (rotational) dynamics ``s_t = δ λ^(T-t)`` with complex ``δ, λ``.

    Square tasks whose correlations ``Σ^{YX_t}`` share eigenvectors
    (Proca et al. (2025), App. N–O) decouple into complex eigen-modes; this
    returns the task dynamics of one such mode: its complex eigenvalue ``s_t``
    at each step.  ``|λ|`` sets the decay per step and ``arg λ`` the rotation
    per step; the zero-loss solution is ``b* = λ``, ``u* = a* c* = δ``, stable
    iff ``|λ| <= 1``.

    Real-block view: a real task carries each complex-conjugate pair of modes
    ``(s_t, conj(s_t))`` as a 2×2 real Schur block of ``Σ^{YX_t}`` (in an
    orthonormal real basis ``(e_1, e_2)``),

    .. math::

        D_t = \begin{pmatrix} μ_t & -ν_t \\ ν_t & μ_t \end{pmatrix},\qquad s_t = μ_t + i ν_t,

    i.e. ``|s_t|`` times the rotation by ``arg s_t`` (:func:`schur_block`).
    ``s_t`` is the eigenvalue of ``D_t`` on the eigenvector
    ``(e_1 - i e_2)/√2``; the other eigenvalue is ``conj(s_t)``.  With
    ``δ = 1`` the block sequence is ``D_t = Λ^{T-t}`` for the rotation-scaling
    ``Λ = schur_block(λ)``: the input ``t`` steps back is rotated ``t`` times.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : complex or array_like
        Scale ``δ`` and dynamics ``λ`` (real values allowed); broadcast to a
        leading batch shape.

    Returns
    -------
    s : complex ndarray, shape ``broadcast(delta, lam).shape + (T,)``
        ``s[..., t-1] = s_t`` (time axis last, as for real tasks).

    Raises
    ------
    TypeError, ValueError
        As :func:`inverse_exponential` (a non-numeric, empty or non-finite ``delta``/``lam``,
        ``T < 1``, or dynamics beyond the float64 range).

    Examples
    --------
    >>> from lrnn_theory.tasks import rotational, schur_block
    >>> s = rotational(3, 1.0, 1j)
    >>> s.tolist()
    [(-1+0j), 1j, (1+0j)]
    >>> schur_block(s[1]).tolist()
    [[0.0, -1.0], [1.0, 0.0]]
    """
    t = _steps(T)
    delta = as_float_array("delta", delta, allow_complex=True).astype(complex)
    lam = as_float_array("lam", lam, allow_complex=True).astype(complex)
    delta, lam = np.broadcast_arrays(delta, lam)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_task(delta[..., None] * lam[..., None] ** (t.size - t).astype(int), t.size)


def schur_block(z) -> np.ndarray:
    """Real Schur block ``[[Re z, -Im z], [Im z, Re z]]`` of complex values (see :func:`rotational`).

    The map is an algebra homomorphism: ``schur_block(z w) = schur_block(z) @ schur_block(w)``,
    ``schur_block(conj(z)) = schur_block(z).T`` and ``‖schur_block(z)‖_F² = 2 |z|²``.

    Parameters
    ----------
    z : complex or array_like, any shape

    Returns
    -------
    B : ndarray of float, shape ``np.shape(z) + (2, 2)``

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` is empty or not finite.

    Notes
    -----
    Theory guide :ref:`theory-complex-tasks`; Proca et al. (2025), App. N–O.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.tasks import schur_block
    >>> schur_block(1 + 2j).tolist()
    [[1.0, -2.0], [2.0, 1.0]]
    >>> z, w = 1 + 2j, 0.5j
    >>> bool(np.allclose(schur_block(z * w), schur_block(z) @ schur_block(w)))  # homomorphism
    True
    """
    z = as_float_array("z", z, allow_complex=True).astype(complex)
    out = np.empty(z.shape + (2, 2))
    out[..., 0, 0] = z.real
    out[..., 0, 1] = -z.imag
    out[..., 1, 0] = z.imag
    out[..., 1, 1] = z.real
    return out


def schur_block_value(B, *, atol: float = 1e-12) -> np.ndarray:
    """Complex value ``μ + iν`` of real Schur blocks ``[[μ, -ν], [ν, μ]]`` (inverse of :func:`schur_block`).

    Parameters
    ----------
    B : array_like, shape batch + (2, 2)
    atol : float >= 0
        Largest tolerated departure from the rotation-scaling form
        (``|B00 - B11|`` and ``|B01 + B10|``); beyond it ``ValueError``.
        A Python or NumPy number.

    Returns
    -------
    z : complex ndarray, shape batch

    Raises
    ------
    TypeError
        If ``B`` is not a real numeric array or ``atol`` not a number.
    ValueError
        If ``B`` is not of shape ``(..., 2, 2)``, not finite, or departs from the
        rotation-scaling form by more than ``atol``; ``atol`` negative or NaN.

    Notes
    -----
    Theory guide :ref:`theory-complex-tasks`; Proca et al. (2025), App. N–O.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.tasks import schur_block, schur_block_value
    >>> schur_block_value(schur_block(np.array([1 + 2j, 0.5j]))).tolist()  # round trip
    [(1+2j), 0.5j]
    >>> schur_block_value([[1.0, 0.0], [0.0, 2.0]])
    Traceback (most recent call last):
    ...
    ValueError: B must be rotation-scaling blocks [[mu, -nu], [nu, mu]]; largest departure 1 > atol
    """
    B = as_float_array("B", B, min_ndim=2)
    if B.shape[-2:] != (2, 2):
        raise ValueError(f"B must have shape (..., 2, 2), got {B.shape}")
    atol = check_positive_float("atol", atol, allow_zero=True, allow_inf=True)  # Python or NumPy numbers >= 0
    dev = np.maximum(np.abs(B[..., 0, 0] - B[..., 1, 1]), np.abs(B[..., 0, 1] + B[..., 1, 0]))
    if np.any(dev > atol):
        raise ValueError(f"B must be rotation-scaling blocks [[mu, -nu], [nu, mu]]; largest departure {float(np.max(dev)):.3g} > atol")
    return 0.5 * (B[..., 0, 0] + B[..., 1, 1]) + 0.5j * (B[..., 1, 0] - B[..., 0, 1])
