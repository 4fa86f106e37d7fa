"""Symbolic derivation of the mode energies and gradient-flow ODEs (SymPy).

This module is the derivation and the oracle: the energies are written down
from theory guide :ref:`theory-mode-odes` (single output) and :ref:`theory-every-step-output` (output at every step), the ODEs
are obtained by differentiating them, and the fast numeric code
(:mod:`lrnn_theory.modes`, the compiled integrator) is tested against the
lambdified expressions.

Symbols: ``a, b, c`` (the modes) and ``s_1 .. s_T`` (``variant="final"``) or
``s_{t,i}`` for ``1 <= i <= t <= T`` (``variant="every_step"``).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from ._validation import check_choice, check_int

__all__ = [
    "VARIANTS",
    "complex_mode_energy",
    "complex_mode_odes",
    "complex_symbols",
    "lambdify_complex_odes",
    "lambdify_energy",
    "lambdify_jacobian",
    "lambdify_odes",
    "mode_energy",
    "mode_jacobian",
    "mode_odes",
    "symbols",
    "taylor_coefficients",
    "to_latex",
]

#: Model variants: output after the last step (theory guide :ref:`theory-mode-odes`) or at every step (:ref:`theory-every-step-output`).
VARIANTS = ("final", "every_step")


def symbols(T: int, variant: str = "final") -> tuple[sp.Symbol, sp.Symbol, sp.Symbol, tuple]:
    """The symbols ``(a, b, c, s)`` of the mode energy.

    ``s`` is a tuple ``(s_1, ..., s_T)`` for ``"final"`` and a tuple of rows
    ``((s_{1,1},), (s_{2,1}, s_{2,2}), ...)`` (row ``t`` holds ``i = 1..t``)
    for ``"every_step"``.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}
        Output after the last step (theory guide :ref:`theory-mode-odes`) or at every step
        (:ref:`theory-every-step-output`).

    Returns
    -------
    a, b, c : sympy.Symbol
        Real mode symbols.
    s : tuple of sympy.Symbol, length T, or tuple of T rows
        Task-dynamics symbols.

    Raises
    ------
    TypeError
        If ``T`` is not an integer or ``variant`` not a string.
    ValueError
        If ``T < 1`` or ``variant`` is unknown.

    Examples
    --------
    >>> from lrnn_theory.symbolic import symbols
    >>> a, b, c, s = symbols(2)
    >>> s
    (s_1, s_2)
    >>> symbols(2, "every_step")[3]
    ((s_1_1,), (s_2_1, s_2_2))
    """
    T = check_int("T", T, minimum=1)
    variant = check_choice("variant", variant, VARIANTS)
    a, b, c = sp.symbols("a b c", real=True)
    if variant == "final":
        s = tuple(sp.Symbol(f"s_{i}", real=True) for i in range(1, T + 1))
    else:
        s = tuple(tuple(sp.Symbol(f"s_{t}_{i}", real=True) for i in range(1, t + 1)) for t in range(1, T + 1))
    return a, b, c, s


def mode_energy(T: int, variant: str = "final") -> sp.Expr:
    """Mode energy (theory guide :ref:`theory-mode-odes`, :ref:`theory-every-step-output`; Proca et al. (2025), eqs. 5–8, App. M).

    ``final``: ``E = ½ Σ_{i=1}^T (s_i - c b^{T-i} a)²``.
    ``every_step``: ``E = ½ Σ_{t=1}^T Σ_{i=1}^t (s_{t,i} - c b^{t-i} a)²``
    (the inner sum stops at ``t``; the paper prints it to ``T``).

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}

    Returns
    -------
    E : sympy.Expr
        In the symbols of :func:`symbols`.

    Raises
    ------
    TypeError, ValueError
        As :func:`symbols`.

    Examples
    --------
    >>> from lrnn_theory.symbolic import mode_energy
    >>> mode_energy(1)
    (-a*c + s_1)**2/2
    >>> len(mode_energy(3, "every_step").args)  # T (T + 1) / 2 squared residuals
    6
    """
    a, b, c, s = symbols(T, variant)
    if variant == "final":
        return sp.Rational(1, 2) * sum((s[i - 1] - c * b ** (T - i) * a) ** 2 for i in range(1, T + 1))
    return sp.Rational(1, 2) * sum(
        (s[t - 1][i - 1] - c * b ** (t - i) * a) ** 2 for t in range(1, T + 1) for i in range(1, t + 1)
    )


def mode_odes(T: int, variant: str = "final") -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Gradient-flow right-hand sides ``(ȧ, ḃ, ċ) = -∂E`` with ``τ = 1``, by differentiation.

    Theory guide :ref:`theory-mode-odes`; Proca et al. (2025), eqs. 5–8.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}

    Returns
    -------
    (ȧ, ḃ, ċ) : tuple of sympy.Expr
        Expanded, in the symbols of :func:`symbols`.

    Raises
    ------
    TypeError, ValueError
        As :func:`symbols`.

    Examples
    --------
    >>> from lrnn_theory.symbolic import mode_odes
    >>> a_dot, b_dot, c_dot = mode_odes(1)
    >>> a_dot  # c (s_1 - c a)
    -a*c**2 + c*s_1
    >>> b_dot  # T = 1: the recurrent mode receives no gradient
    0
    """
    a, b, c, _ = symbols(T, variant)
    E = mode_energy(T, variant)
    return tuple(sp.expand(-sp.diff(E, x)) for x in (a, b, c))


def mode_jacobian(T: int, variant: str = "final") -> sp.Matrix:
    """Jacobian ``∂(ȧ, ḃ, ċ)/∂(a, b, c)`` (= minus the Hessian of ``E``).

    Theory guide :ref:`theory-mode-odes`, :ref:`theory-stability`.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}

    Returns
    -------
    J : sympy.Matrix, shape (3, 3)
        Rows ``(ȧ, ḃ, ċ)``, columns ``(a, b, c)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`symbols`.

    Examples
    --------
    >>> from lrnn_theory.symbolic import mode_jacobian
    >>> J = mode_jacobian(2)
    >>> J.shape
    (3, 3)
    >>> J.is_symmetric()  # minus a Hessian
    True
    """
    a, b, c, _ = symbols(T, variant)
    return sp.Matrix(mode_odes(T, variant)).jacobian([a, b, c])


def to_latex(expr) -> str:
    """LaTeX of a SymPy expression (thin wrapper of :func:`sympy.latex`).

    Parameters
    ----------
    expr : sympy.Basic or sympy.MatrixBase

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``expr`` is not a SymPy expression or matrix.

    Examples
    --------
    >>> from lrnn_theory.symbolic import mode_energy, to_latex
    >>> print(to_latex(mode_energy(1)))
    \\frac{\\left(- a c + s_{1}\\right)^{2}}{2}
    """
    if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        raise TypeError(f"expr must be a SymPy expression, got {type(expr).__name__}")
    return sp.latex(expr)


def _flat_s(T, variant):
    _, _, _, s = symbols(T, variant)
    return list(s) if variant == "final" else [x for row in s for x in row]


def _numeric_s(s, T, variant):
    s = np.asarray(s, dtype=float)
    if variant == "final":
        if s.shape[-1] != T:
            raise ValueError(f"s must have T = {T} entries on its last axis, got shape {s.shape}")
        return [s[..., i] for i in range(T)]
    if s.shape[-2:] != (T, T):
        raise ValueError(f"s must have shape (..., {T}, {T}) with s[..., t-1, i-1] = s_(t,i), got {s.shape}")
    return [s[..., t, i] for t in range(T) for i in range(t + 1)]


def _lambdify(exprs, T, variant):
    a, b, c, _ = symbols(T, variant)
    args = [a, b, c] + _flat_s(T, variant)
    f = sp.lambdify(args, exprs, modules="numpy")

    def call(a_, b_, c_, s_):
        return f(a_, b_, c_, *_numeric_s(s_, T, variant))

    return call


def lambdify_energy(T: int, variant: str = "final") -> Callable:
    """NumPy callable ``E(a, b, c, s)`` from the symbolic energy.

    ``s`` has shape ``(..., T)`` (``final``) or ``(..., T, T)`` with
    ``s[..., t-1, i-1] = s_{t,i}`` (``every_step``; entries with ``i > t`` are ignored).

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}

    Returns
    -------
    E : callable
        ``E(a, b, c, s)`` with ``a, b, c`` broadcasting against ``s``'s leading axes; returns
        the energy, shape the broadcast batch shape.  Raises ``ValueError`` if ``s`` has the
        wrong trailing shape.

    Raises
    ------
    TypeError, ValueError
        As :func:`symbols`.

    Examples
    --------
    ``E = ½ ((s_1 - c b a)² + (s_2 - c a)²) = ½ (0.5² + 1²)``:

    >>> import numpy as np
    >>> from lrnn_theory.symbolic import lambdify_energy
    >>> E = lambdify_energy(2)
    >>> float(E(1.0, 0.5, 1.0, np.array([1.0, 2.0])))
    0.625
    """
    return _lambdify(mode_energy(T, variant), T, variant)


def lambdify_odes(T: int, variant: str = "final") -> Callable:
    """NumPy callable ``(ȧ, ḃ, ċ)(a, b, c, s)`` from the symbolic ODEs (see :func:`lambdify_energy`).

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}

    Returns
    -------
    rhs : callable
        ``rhs(a, b, c, s) -> (ȧ, ḃ, ċ)``, each an array of the broadcast batch shape.

    Raises
    ------
    TypeError, ValueError
        As :func:`symbols`.

    Examples
    --------
    With residuals ``r = (0.5, 1)``, ``ȧ = c (b r_1 + r_2) = 1.25``:

    >>> import numpy as np
    >>> from lrnn_theory.symbolic import lambdify_odes
    >>> rhs = lambdify_odes(2)
    >>> [float(x) for x in rhs(1.0, 0.5, 1.0, np.array([1.0, 2.0]))]
    [1.25, 0.5, 1.25]
    """
    f = _lambdify(list(mode_odes(T, variant)), T, variant)

    def call(a, b, c, s):
        shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c), np.shape(s)[:-1 if variant == "final" else -2])
        return tuple(np.broadcast_to(np.asarray(x, dtype=float), shape) for x in f(a, b, c, s))

    return call


def lambdify_jacobian(T: int, variant: str = "final") -> Callable:
    """NumPy callable returning the 3×3 Jacobian of the ODEs at one point.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    variant : {"final", "every_step"}

    Returns
    -------
    jac : callable
        ``jac(a, b, c, s) -> ndarray, shape (3, 3)`` at scalar ``a, b, c`` and ``s`` of
        shape ``(T,)`` (``final``) or ``(T, T)`` (``every_step``); see :func:`mode_jacobian`.

    Raises
    ------
    TypeError, ValueError
        As :func:`symbols`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.symbolic import lambdify_jacobian
    >>> J = lambdify_jacobian(1)(1.0, 0.0, 1.0, np.array([1.0]))
    >>> J.shape
    (3, 3)
    >>> float(J[0, 0])  # d(c (s - c a))/da = -c²
    -1.0
    """
    J = mode_jacobian(T, variant)
    f = _lambdify(J, T, variant)

    def call(a, b, c, s):
        return np.asarray(f(a, b, c, s), dtype=float)

    return call


def taylor_coefficients(order: int) -> list[sp.Expr]:
    """Time derivatives of ``b`` under ``ḃ = F(b)`` in terms of ``F`` and its derivatives (theory guide :ref:`theory-frozen-io`; Proca et al. (2025), App. D).

    ``b^{(1)} = F``, ``b^{(n+1)} = (d b^{(n)}/db) F``; returned as expressions
    in the symbols ``F, F1, F2, ...`` (``Fk`` = ``k``-th derivative of ``F``).
    For example ``b^{(3)} = (F1² + F2 F) F``.

    Parameters
    ----------
    order : int
        Highest derivative ``N >= 1``.

    Returns
    -------
    list of sympy.Expr
        ``[b^{(1)}, ..., b^{(N)}]``.

    Raises
    ------
    TypeError
        If ``order`` is not an integer.
    ValueError
        If ``order < 1``.

    Examples
    --------
    >>> from lrnn_theory.symbolic import taylor_coefficients
    >>> taylor_coefficients(3)
    [F, F*F1, F**2*F2 + F*F1**2]
    """
    order = check_int("order", order, minimum=1)
    x = sp.Symbol("b")
    Ffun = sp.Function("F")(x)
    out = [Ffun]
    for _ in range(order - 1):
        out.append(sp.diff(out[-1], x) * Ffun)
    names = [sp.Symbol("F")] + [sp.Symbol(f"F{k}") for k in range(1, order + 1)]
    subs = {sp.diff(Ffun, x, k): names[k] for k in range(order, 0, -1)}
    return [sp.expand(e.subs(subs).subs(Ffun, names[0])) for e in out]


# --- complex modes (Proca et al. (2025), App. N–O; theory guide :ref:`theory-complex-modes`) ---------------


def complex_symbols(T: int) -> tuple[tuple, tuple, tuple, tuple, tuple]:
    """Wirtinger symbols of a complex mode: ``((a, ā), (b, b̄), (c, c̄), s, s̄)``.

    Each variable and its conjugate are independent SymPy symbols (named
    ``a``/``abar`` etc.), as in the Wirtinger calculus; ``s`` and ``s̄`` are
    tuples ``(s_1, ..., s_T)`` and ``(sbar_1, ..., sbar_T)``.

    Theory guide :ref:`theory-complex-modes`; Proca et al. (2025), App. N–O.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    (a, abar), (b, bbar), (c, cbar) : tuple of sympy.Symbol
    s, sbar : tuple of sympy.Symbol, length T

    Raises
    ------
    TypeError
        If ``T`` is not an integer.
    ValueError
        If ``T < 1``.

    Examples
    --------
    >>> from lrnn_theory.symbolic import complex_symbols
    >>> (a, abar), (b, bbar), (c, cbar), s, sbar = complex_symbols(2)
    >>> abar, s, sbar
    (abar, (s_1, s_2), (sbar_1, sbar_2))
    """
    T = check_int("T", T, minimum=1)
    pairs = tuple(sp.symbols(f"{n} {n}bar") for n in "abc")
    s = tuple(sp.Symbol(f"s_{i}") for i in range(1, T + 1))
    sbar = tuple(sp.Symbol(f"sbar_{i}") for i in range(1, T + 1))
    return pairs[0], pairs[1], pairs[2], s, sbar


def complex_mode_energy(T: int) -> sp.Expr:
    """Complex mode energy ``E = ½ Σ_i (s_i - c b^{T-i} a)(s̄_i - c̄ b̄^{T-i} ā) = ½ Σ_i |r_i|²`` (Proca et al. (2025), App. N–O).

    Written in the Wirtinger symbols of :func:`complex_symbols`; theory guide
    :ref:`theory-complex-modes`.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    E : sympy.Expr

    Raises
    ------
    TypeError, ValueError
        As :func:`complex_symbols`.

    Examples
    --------
    >>> from lrnn_theory.symbolic import complex_mode_energy
    >>> complex_mode_energy(1)
    (-a*c + s_1)*(-abar*cbar + sbar_1)/2
    """
    (a, ab), (b, bb), (c, cb), s, sbar = complex_symbols(T)
    return sp.Rational(1, 2) * sum(
        (s[i - 1] - c * b ** (T - i) * a) * (sbar[i - 1] - cb * bb ** (T - i) * ab) for i in range(1, T + 1)
    )


def complex_mode_odes(T: int) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Gradient flow of a complex mode, ``ż = -2 ∂E/∂z̄`` (Wirtinger derivative), ``τ = 1``.

    This is gradient descent on the real and imaginary parts,
    ``ż = -(∂E/∂Re z + i ∂E/∂Im z)``; with real values it is :func:`mode_odes`.
    For example ``ȧ = Σ_i c̄ b̄^{T-i} r_i``.

    Returns
    -------
    (ȧ, ḃ, ċ) : tuple of sympy.Expr
        In the symbols of :func:`complex_symbols`.

    Raises
    ------
    TypeError, ValueError
        As :func:`complex_symbols`.

    Notes
    -----
    Theory guide :ref:`theory-complex-flow`; Proca et al. (2025), App. N–O.

    Examples
    --------
    >>> from lrnn_theory.symbolic import complex_mode_odes
    >>> a_dot, b_dot, c_dot = complex_mode_odes(1)
    >>> a_dot  # c̄ r_1 with r_1 = s_1 - c a
    -a*c*cbar + cbar*s_1
    """
    (a, ab), (b, bb), (c, cb), _, _ = complex_symbols(T)
    E = complex_mode_energy(T)
    return tuple(sp.expand(-2 * sp.diff(E, xb)) for xb in (ab, bb, cb))


def lambdify_complex_odes(T: int) -> Callable:
    """NumPy callable ``(ȧ, ḃ, ċ)(a, b, c, s)`` (complex) from :func:`complex_mode_odes`.

    ``a, b, c`` are complex arrays broadcasting with ``s.shape[:-1]``; ``s`` has
    ``T`` entries on its last axis.  Conjugate symbols receive ``np.conj`` of
    the values.

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    rhs : callable
        ``rhs(a, b, c, s) -> (ȧ, ḃ, ċ)``, complex arrays of the broadcast batch shape; raises
        ``ValueError`` if ``s`` has not ``T`` entries on its last axis.

    Raises
    ------
    TypeError, ValueError
        As :func:`complex_symbols`.

    Examples
    --------
    ``ȧ = Σ_i c̄ b̄^{T-i} r_i`` with ``r = (1 - 0.5i, 2 - i)`` at ``a = i, b = 0.5, c = 1``:

    >>> import numpy as np
    >>> from lrnn_theory.symbolic import lambdify_complex_odes
    >>> rhs = lambdify_complex_odes(2)
    >>> complex(rhs(1j, 0.5, 1.0, np.array([1.0, 2.0]))[0])
    (2.5-1.25j)
    >>> [complex(x) for x in rhs(1.0, 0.5, 1.0, np.array([1.0, 2.0]))]  # real values: lambdify_odes
    [(1.25+0j), (0.5+0j), (1.25+0j)]
    """
    T = check_int("T", T, minimum=1)
    (a, ab), (b, bb), (c, cb), s, sbar = complex_symbols(T)
    f = sp.lambdify([a, ab, b, bb, c, cb, *s, *sbar], list(complex_mode_odes(T)), modules="numpy")

    def call(a_, b_, c_, s_):
        s_ = np.asarray(s_, dtype=complex)
        if s_.ndim < 1 or s_.shape[-1] != T:
            raise ValueError(f"s must have T = {T} entries on its last axis, got shape {s_.shape}")
        a_, b_, c_ = (np.asarray(x, dtype=complex) for x in (a_, b_, c_))
        cols = [s_[..., i] for i in range(T)]
        out = f(a_, np.conj(a_), b_, np.conj(b_), c_, np.conj(c_), *cols, *(np.conj(x) for x in cols))
        shape = np.broadcast_shapes(a_.shape, b_.shape, c_.shape, s_.shape[:-1])
        return tuple(np.broadcast_to(np.asarray(x, dtype=complex), shape) for x in out)

    return call
