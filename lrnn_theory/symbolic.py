"""Symbolic derivation of the mode energies and gradient-flow ODEs (SymPy).

This module is the derivation and the oracle: the energies are written down
from THEORY §3.3 (single output) and §1.7 (output at every step), the ODEs
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

#: Model variants: output after the last step (§3.3) or at every step (§1.7).
VARIANTS = ("final", "every_step")


def symbols(T: int, variant: str = "final") -> tuple[sp.Symbol, sp.Symbol, sp.Symbol, tuple]:
    """The symbols ``(a, b, c, s)`` of the mode energy.

    ``s`` is a tuple ``(s_1, ..., s_T)`` for ``"final"`` and a tuple of rows
    ``((s_{1,1},), (s_{2,1}, s_{2,2}), ...)`` (row ``t`` holds ``i = 1..t``)
    for ``"every_step"``.
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
    """Mode energy (THEORY §3.3 / §1.7).

    ``final``: ``E = ½ Σ_{i=1}^T (s_i - c b^{T-i} a)²``.
    ``every_step``: ``E = ½ Σ_{t=1}^T Σ_{i=1}^t (s_{t,i} - c b^{t-i} a)²``
    (the inner sum stops at ``t``; the paper prints it to ``T``).
    """
    a, b, c, s = symbols(T, variant)
    if variant == "final":
        return sp.Rational(1, 2) * sum((s[i - 1] - c * b ** (T - i) * a) ** 2 for i in range(1, T + 1))
    return sp.Rational(1, 2) * sum(
        (s[t - 1][i - 1] - c * b ** (t - i) * a) ** 2 for t in range(1, T + 1) for i in range(1, t + 1)
    )


def mode_odes(T: int, variant: str = "final") -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Gradient-flow right-hand sides ``(ȧ, ḃ, ċ) = -∂E`` with ``τ = 1``, by differentiation."""
    a, b, c, _ = symbols(T, variant)
    E = mode_energy(T, variant)
    return tuple(sp.expand(-sp.diff(E, x)) for x in (a, b, c))


def mode_jacobian(T: int, variant: str = "final") -> sp.Matrix:
    """Jacobian ``∂(ȧ, ḃ, ċ)/∂(a, b, c)`` (= minus the Hessian of ``E``)."""
    a, b, c, _ = symbols(T, variant)
    return sp.Matrix(mode_odes(T, variant)).jacobian([a, b, c])


def to_latex(expr) -> str:
    """LaTeX of a SymPy expression (thin wrapper of :func:`sympy.latex`)."""
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
    """
    return _lambdify(mode_energy(T, variant), T, variant)


def lambdify_odes(T: int, variant: str = "final") -> Callable:
    """NumPy callable ``(ȧ, ḃ, ċ)(a, b, c, s)`` from the symbolic ODEs (see :func:`lambdify_energy`)."""
    f = _lambdify(list(mode_odes(T, variant)), T, variant)

    def call(a, b, c, s):
        shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c), np.shape(s)[:-1 if variant == "final" else -2])
        return tuple(np.broadcast_to(np.asarray(x, dtype=float), shape) for x in f(a, b, c, s))

    return call


def lambdify_jacobian(T: int, variant: str = "final") -> Callable:
    """NumPy callable returning the 3×3 Jacobian of the ODEs at one point."""
    J = mode_jacobian(T, variant)
    f = _lambdify(J, T, variant)

    def call(a, b, c, s):
        return np.asarray(f(a, b, c, s), dtype=float)

    return call


def taylor_coefficients(order: int) -> list[sp.Expr]:
    """Time derivatives of ``b`` under ``ḃ = F(b)`` in terms of ``F`` and its derivatives (THEORY §4.4).

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
