"""Best order-j pole fits of a mode's task dynamics (theory guide :ref:`theory-pole-fit`).

A mode represented by ``j`` hidden units with input weights ``a ∈ R^j``, recurrent block
``B ∈ R^{j×j}`` and output weights ``c ∈ R^j`` produces ``g_i = cᵀ B^{T-i} a``.  The set of these
responses (``T`` steps) is the union over monic real polynomials ``p(z) = z^j + α_1 z^{j-1} + … + α_j``
of the subspaces of sequences obeying the recurrence ``p`` (Cayley–Hamilton one way, the
companion realisation the other), so the best fit is the minimum over ``α ∈ R^j`` of the
variable-projection energy

.. math::  E(α) = ½\\, xᵀ Hᵀ (H Hᵀ)^{-1} H x,\\qquad x_k = s_{T-k},

with ``H(α)`` the ``(T-j)×T`` banded Toeplitz matrix of the recurrence.  ``H`` always has full row
rank (its leading coefficient is 1), so ``E`` is smooth in ``α`` everywhere, including at
repeated (Jordan) and complex-conjugate poles; nothing divides by a pole separation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np
from scipy.optimize import least_squares, minimize

from ._validation import as_float_array, check_int, check_positive_float

__all__ = ["PoleFit", "pole_fit", "pole_basis_energy", "balanced_realisation"]


@dataclass(frozen=True)
class PoleFit:
    """Best approximation of a task by the impulse response of ``order`` linear units.

    Attributes
    ----------
    order : int
        Number of units ``j`` (poles counted with multiplicity).
    poles : ndarray of complex, shape (order,)
        Roots of the characteristic polynomial (eigenvalues of ``B``); real poles have zero
        imaginary part, complex ones come in conjugate pairs.  Sorted by decreasing modulus.
    residues : ndarray of complex, shape (order,)
        ``g_i = Σ_m residues[m] poles[m]^{T-i}``; NaN where two poles coincide to within
        ``1e-6`` (Jordan block: the response then has ``k z^k`` terms, see ``coefficients``).
    coefficients : ndarray, shape (order,)
        ``α`` of ``p(z) = z^j + α_1 z^{j-1} + … + α_j`` (the fit's parametrisation).
    energy : float
        ``½ Σ_i (s_i - g_i)²``.
    fitted : ndarray, shape (T,)
        ``g`` in the package's time convention (``fitted[t-1] = g_t``).
    a, B, c : ndarray, shapes (order,), (order, order), (order,)
        A balanced realisation ``g_i = cᵀ B^{T-i} a`` with ``a aᵀ + B Bᵀ - Bᵀ B - c cᵀ = 0``
        (the value of the conserved quantity reached from a small start, :ref:`theory-conserved`).
    jordan : bool
        Two poles coincide (to 1e-6 relative).
    converged : bool
        The local refinement met its tolerance and the realisation balanced.
    at_boundary : bool
        The best pole has modulus ``>= radius`` (on or beyond the grid's edge): the infimum may lie
        at infinity (e.g. the Dirac task of :ref:`theory-dirac` at order 2).
    search : str
        How the global minimum was searched: ``"exact"`` (``order >= T`` or a zero task),
        ``"grid"`` (every multiset of poles on a grid, then refinement of the best distinct
        candidates) or ``"grid+multistart"`` (``order > 3``: the best order-(j-1) fits plus one pole
        on the grid, and random starts).
    n_evaluations : int
        Energy evaluations spent by the global search (the cost, as a count).
    minimal_order : int
        Smallest order with the same (exact) fit: below ``order`` when the task is exactly
        realisable by fewer units; the extra units are then idle (``B``, ``a``, ``c`` zero there,
        pole 0, residue 0).
    balanced : bool
        ``a, B, c`` satisfy ``Q = 0`` to ``1e-6`` relative (always possible for a minimal realisation).

    Examples
    --------
    A damped rotation is one complex-conjugate pair of poles: two units fit it exactly.

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> k = np.arange(8)[::-1]
    >>> fit = lt.pole_fit(0.9**k * np.cos(0.7 * k), 2)
    >>> np.round(np.abs(fit.poles), 9).tolist(), np.round(np.abs(np.angle(fit.poles)), 9).tolist()
    ([0.9, 0.9], [0.7, 0.7])
    >>> fit.minimal_order, fit.jordan, fit.energy < 1e-20
    (2, False, True)
    """

    order: int
    poles: np.ndarray
    residues: np.ndarray
    coefficients: np.ndarray
    energy: float
    fitted: np.ndarray
    a: np.ndarray
    B: np.ndarray
    c: np.ndarray
    jordan: bool
    converged: bool
    at_boundary: bool
    search: str
    n_evaluations: int = field(default=0)
    minimal_order: int = field(default=-1)
    balanced: bool = field(default=True)

    def __post_init__(self):
        if self.minimal_order < 0:
            object.__setattr__(self, "minimal_order", self.order)


def _hankel_rows(alpha, T):
    """``H(α)``: shape batch + (T-j, T); row r holds ``α_j … α_1 1`` at columns r … r+j."""
    alpha = np.asarray(alpha)
    j = alpha.shape[-1]
    h = np.concatenate([alpha[..., ::-1], np.ones(alpha.shape[:-1] + (1,))], axis=-1)  # h_0..h_j
    H = np.zeros(alpha.shape[:-1] + (T - j, T))
    for r in range(T - j):
        H[..., r, r:r + j + 1] = h
    return H


def _energy(alpha, x):
    """Variable-projection energy for a batch of coefficient vectors ``alpha`` (..., j)."""
    H = _hankel_rows(alpha, x.size)
    Hx = H @ x
    G = H @ np.swapaxes(H, -1, -2)
    y = np.linalg.solve(G, Hx[..., None])[..., 0]
    return 0.5 * np.sum(Hx * y, axis=-1)


def _residual_and_jac(alpha, x):
    """Residual ``r = Hᵀ (H Hᵀ)^{-1} H x`` (``E = ½‖r‖²``) and its Jacobian in ``α``."""
    T, j = x.size, alpha.size
    H = _hankel_rows(alpha, T)
    G = H @ H.T
    y = np.linalg.solve(G, H @ x)
    r = H.T @ y
    # dH/dα_m has ones at (row, row + j-1-m): α_{m+1} multiplies x_{row + j-(m+1)}
    rows = np.arange(T - j)
    Dx = np.empty((T - j, j))
    DHy = np.empty((T - j, j))  # (D_m Hᵀ + H D_mᵀ) y, column m
    Dty = np.zeros((T, j))      # D_mᵀ y, column m
    Hty = H.T @ y
    for m in range(j):
        off = j - 1 - m
        Dx[:, m] = x[rows + off]
        Dty[rows + off, m] = y
        DHy[:, m] = Hty[rows + off] + H @ Dty[:, m]
    dY = np.linalg.solve(G, Dx - DHy)
    return r, Dty + H.T @ dY


def _poly_from_poles(poles):
    return np.real(np.poly(poles))[1:]


def _grid_candidates(j, radius, n_points):
    """Coefficient vectors of every multiset of ``j`` poles on a grid of the disc ``|z| <= radius``."""
    n_real = n_points
    reals = np.linspace(-radius, radius, n_real)
    n_mod = max(6, int(round(np.sqrt(n_points))))
    mods = np.linspace(radius / n_mod, radius, n_mod)
    angs = np.linspace(0.0, np.pi, n_mod + 2)[1:-1]
    pairs = (mods[:, None] * np.exp(1j * angs[None, :])).ravel()
    cands = []
    for n_pairs in range(j // 2 + 1):
        n_r = j - 2 * n_pairs
        real_sets = list(combinations_with_replacement(range(n_real), n_r)) if n_r else [()]
        pair_sets = list(combinations_with_replacement(range(pairs.size), n_pairs)) if n_pairs else [()]
        R = reals[np.array(real_sets, dtype=np.int64).reshape(len(real_sets), n_r)]
        P = pairs[np.array(pair_sets, dtype=np.int64).reshape(len(pair_sets), n_pairs)]
        # polynomial coefficients of the product, vectorised over both sets
        for p_row in P:
            poles = np.concatenate([R.astype(complex), np.broadcast_to(np.concatenate([p_row, p_row.conj()]), (R.shape[0], 2 * n_pairs))], axis=1)
            coef = np.ones((poles.shape[0], 1), complex)
            for m in range(j):
                coef = np.concatenate([coef, np.zeros((coef.shape[0], 1))], axis=1) - poles[:, m:m + 1] * np.concatenate([np.zeros((coef.shape[0], 1)), coef], axis=1)
            cands.append(np.real(coef[:, 1:]))
    return np.concatenate(cands, axis=0)


def _refine(alpha0, x):
    res = least_squares(lambda al: _residual_and_jac(al, x)[0], alpha0, jac=lambda al: _residual_and_jac(al, x)[1],
                        method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200)
    al = res.x
    if not np.all(np.isfinite(al)) or np.max(np.abs(np.roots(np.concatenate([[1.0], al])))) > _RUNAWAY:
        # the refinement ran away (infimum at a pole at infinity): keep the grid point, flagged
        al = np.asarray(alpha0, float)
        r, J = _residual_and_jac(al, x)
        return al, 0.5 * float(r @ r), False
    r, J = _residual_and_jac(al, x)
    g = J.T @ r
    for _ in range(8):  # Newton polish on the exact gradient (Hessian by central differences of it)
        h = 1e-6 * (1.0 + np.abs(al))
        Hs = np.stack([(_grad(al + h[m] * e, x) - _grad(al - h[m] * e, x)) / (2 * h[m]) for m, e in enumerate(np.eye(al.size))], 1)
        try:
            step = np.linalg.solve(0.5 * (Hs + Hs.T), g)
        except np.linalg.LinAlgError:
            break
        al2 = al - step
        r2, J2 = _residual_and_jac(al2, x)
        g2 = J2.T @ r2
        if not (np.linalg.norm(g2) < np.linalg.norm(g) and r2 @ r2 <= r @ r * (1 + 1e-12)):
            break
        al, r, g = al2, r2, g2
    res_x = al
    grad = np.linalg.norm(g)
    ok = bool(grad <= 1e-9 * (x @ x) * (1.0 + np.linalg.norm(res_x)))
    return res_x, 0.5 * float(r @ r), ok


def _grad(alpha, x):
    r, J = _residual_and_jac(alpha, x)
    return J.T @ r


def balanced_realisation(g, alpha, *, max_iter: int = 2000, tol: float = 1e-12):
    """A realisation ``(a, B, c)`` of ``g`` (response of recurrence ``α``) with zero conserved quantity.

    Starts from the companion realisation (``B`` companion of ``p``, ``c = e_1``, ``a = (g_0 … g_{j-1})``
    with ``g_k = g[T-1-k]``) and descends ``‖a‖² + ‖B‖² + ‖c‖²`` along the similarity orbit
    ``(Ma, M B M^{-1}, M^{-T} c)``, whose gradient at ``M = I`` is ``2Q`` with
    ``Q = a aᵀ + B Bᵀ - Bᵀ B - c cᵀ`` (Kempf–Ness: the norm minimiser of a closed orbit has ``Q = 0``;
    :ref:`theory-pole-fit`).

    Parameters
    ----------
    g : array_like, shape (T,)
        Response in the package's time convention (``g[t-1] = g_t``).
    alpha : array_like, shape (j,)
        Coefficients of the monic characteristic polynomial that ``g`` obeys.
    max_iter : int
        Iteration cap.
    tol : float
        Stop when ``‖Q‖_F <= tol · (‖a‖² + ‖B‖² + ‖c‖²)``.

    Returns
    -------
    a, B, c : ndarray, shapes (j,), (j, j), (j,)
    balanced : bool
        ``‖Q‖`` met ``tol``.

    Raises
    ------
    TypeError, ValueError
        If ``g`` or ``alpha`` are not finite real arrays, or ``len(alpha) > len(g)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.poles import balanced_realisation
    >>> T = 6; k = np.arange(T)[::-1]
    >>> g = 0.9**k - 0.5 * 0.4**k
    >>> a, B, c, ok = balanced_realisation(g, [-1.3, 0.36])
    >>> bool(ok), bool(np.allclose([c @ np.linalg.matrix_power(B, T - i) @ a for i in range(1, T + 1)], g))
    (True, True)
    """
    g = as_float_array("g", g, ndim=1)
    alpha = as_float_array("alpha", alpha, ndim=1, allow_empty=True)
    j = alpha.size
    if j > g.size:
        raise ValueError(f"alpha must have at most len(g) = {g.size} entries, got {j}")
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_positive_float("tol", tol)
    if j == 0:
        return np.zeros(0), np.zeros((0, 0)), np.zeros(0), True
    gk = g[::-1]
    B0 = np.zeros((j, j))
    B0[:-1, 1:] = np.eye(j - 1)
    B0[-1, :] = -alpha[::-1]
    a0 = gk[:j].copy()
    c0 = np.zeros(j)
    c0[0] = 1.0
    il = np.tril_indices(j)
    diag = il[0] == il[1]

    def transform(theta):
        L = np.zeros((j, j))
        L[il] = np.where(diag, np.exp(np.clip(theta, -300, 300)), theta)
        M = L.T
        Mi = np.linalg.inv(M)
        return M @ a0, M @ B0 @ Mi, Mi.T @ c0

    def cost(theta):
        a, B, c = transform(theta)
        return np.log(a @ a + np.sum(B * B) + c @ c)

    theta = np.zeros(il[0].size)
    res = minimize(cost, theta, method="BFGS", options={"gtol": 1e-12, "maxiter": max_iter})
    a, B, c = transform(res.x)
    # polish: descent along the orbit (gradient 2Q at M = I), adaptive step
    eta = 0.25 / (a @ a + np.sum(B * B) + c @ c)
    for _ in range(min(max_iter, 300)):  # a minimal realisation balances in a few dozen steps
        Q = np.outer(a, a) + B @ B.T - B.T @ B - np.outer(c, c)
        nrm = a @ a + np.sum(B * B) + c @ c
        if np.linalg.norm(Q) <= tol * nrm:
            break
        w, V = np.linalg.eigh(Q)
        while eta * nrm > 1e-18:
            M, Mi = (V * np.exp(-eta * w)) @ V.T, (V * np.exp(eta * w)) @ V.T
            a2, B2, c2 = M @ a, M @ B @ Mi, Mi @ c
            if a2 @ a2 + np.sum(B2 * B2) + c2 @ c2 < nrm:
                a, B, c = a2, B2, c2
                eta *= 1.5
                break
            eta *= 0.5
        else:
            break
    Q = np.outer(a, a) + B @ B.T - B.T @ B - np.outer(c, c)
    ok = bool(np.linalg.norm(Q) <= max(tol, 1e-6) * (a @ a + np.sum(B * B) + c @ c))
    return a, B, c, ok


def pole_basis_energy(s, poles) -> float:
    """Energy ``½‖s - g‖²`` of the best fit with given, distinct poles (linear least squares).

    The residues solve ``min_ρ ‖s - V ρ‖`` with ``V[i-1, m] = poles[m]^{T-i}``; this is the
    brute-force reference of :func:`pole_fit` (theory guide :ref:`theory-pole-fit`).

    Parameters
    ----------
    s : array_like, shape (T,)
        Task dynamics (``s[t-1] = s_t``).
    poles : array_like, shape (j,)
        Real poles, or complex ones in conjugate pairs.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If ``s`` is not a finite real 1-D array or ``poles`` is not a finite 1-D array.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.poles import pole_basis_energy
    >>> k = np.arange(8)[::-1]
    >>> round(pole_basis_energy(0.9**k + 0.5**k, [0.9, 0.5]), 12)
    0.0
    """
    s = as_float_array("s", s, ndim=1)
    poles = as_float_array("poles", poles, ndim=1, allow_complex=True).astype(complex)
    k = np.arange(s.size)[::-1]
    V = poles[None, :] ** k[:, None]
    rho, *_ = np.linalg.lstsq(V, s.astype(complex), rcond=None)
    r = s - np.real(V @ rho)
    return 0.5 * float(r @ r)


def _grid_size(j):
    return {1: 4001, 2: 301, 3: 61}.get(j, 41)


def pole_fit(s, order: int, *, radius: float = 3.0, n_grid: int | None = None, n_refine: int = 6, seed: int = 0) -> PoleFit:
    """Best fit of the task dynamics by ``order`` linear units: ``g_i = cᵀ B^{T-i} a`` (theory guide :ref:`theory-pole-fit`).

    Minimises ``½ Σ_i (s_i - g_i)²`` over all ``j``-unit linear systems, i.e. over sums of
    ``j`` exponentials with real poles, complex-conjugate pairs and their Jordan limits.  The
    residues are eliminated by linear least squares (variable projection) and the energy is
    minimised over the characteristic polynomial's coefficients: a grid over every multiset
    of poles in ``|z| <= radius`` (real poles and conjugate pairs), then Levenberg–Marquardt
    from the best distinct grid points.  Order 1 is :func:`lrnn_theory.fixed_point` (the profile
    energy of Proca et al. (2025), App. H, :ref:`theory-profile-energy`).

    Parameters
    ----------
    s : array_like, shape (T,)
        Task dynamics of one mode, ``s[t-1] = s_t`` (``t = 1`` passes through ``B`` ``T-1`` times).
    order : int
        Number of units ``j >= 0``.  ``order >= T`` fits exactly.
    radius : float
        Grid radius for the poles (the refinement is unconstrained; ``at_boundary`` flags a
        best pole outside it).
    n_grid : int, optional
        Real-pole grid size (default 4001, 301, 61, 41 for orders 1, 2, 3, >3).
    n_refine : int
        Number of best grid candidates refined.
    seed : int
        Seed of the random starts used for ``order > 3``.

    Returns
    -------
    PoleFit

    Raises
    ------
    TypeError
        ``s`` not a real numeric array, ``order``/``n_grid``/``n_refine``/``seed`` not integers.
    ValueError
        ``s`` not 1-D, empty or not finite; ``order < 0``; ``radius <= 0``; ``n_grid < 5``;
        ``n_refine < 1``; ``seed < 0``.

    Examples
    --------
    Two real poles fit ``0.9^{T-t} - 0.7·0.4^{T-t}`` exactly; one pole leaves ``E*_1``:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> t = np.arange(1, 11)
    >>> s = 0.9**(10 - t) - 0.7 * 0.4**(10 - t)
    >>> fit = lt.pole_fit(s, 2)
    >>> np.round(np.sort(fit.poles.real), 9).tolist(), fit.energy < 1e-20
    ([0.4, 0.9], True)
    >>> round(lt.pole_fit(s, 1).energy, 4)
    0.0741
    """
    s = as_float_array("s", s, ndim=1)
    j = check_int("order", order, minimum=0)
    radius = check_positive_float("radius", radius)
    n_refine = check_int("n_refine", n_refine, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    n_grid = _grid_size(j) if n_grid is None else check_int("n_grid", n_grid, minimum=5)
    T = s.size
    x = s[::-1]
    with np.errstate(over="ignore"):
        ss = 0.5 * float(x @ x)
    if not np.isfinite(ss):
        raise ValueError(f"s: its energy ½‖s‖² overflows float64 (max |s| = {float(np.max(np.abs(s)))!r}); "
                         "rescale s (poles do not depend on its scale, residues and energy scale with it)")
    if j == 0 or ss == 0.0:
        return PoleFit(order=j, poles=np.zeros(j, complex), residues=np.zeros(j, complex), coefficients=np.zeros(j),
                       energy=ss if j == 0 else 0.0, fitted=np.zeros(T), a=np.zeros(j), B=np.zeros((j, j)), c=np.zeros(j),
                       jordan=False, converged=True, at_boundary=False, search="exact", minimal_order=0)
    fit = None
    for m in range(1, min(j, T) + 1):  # lowest orders first: an exact lower order ends the search
        fit = _search(s, x, m, radius, n_grid if m == j else _grid_size(m), n_refine, seed, fit)
        if fit.energy <= _EXACT * ss:
            break
    return _pad(fit, j) if fit.order < j else fit


_RUNAWAY = 1e4  # pole modulus beyond which a refinement counts as running away to infinity
_EXACT = 1e-24  # relative energy below which a fit counts as exact (float64 round-off of ½‖s‖²)


def _search(s, x, j, radius, n_grid, n_refine, seed, prev=None):
    T = x.size
    if j >= T:  # every T-step sequence obeys p(z) = z^T (nilpotent shift realisation)
        return _finish(s, np.zeros(T), True, "exact", 0, radius)
    n_grid = _grid_size(j) if n_grid is None else n_grid
    cands = _grid_candidates(j, radius, n_grid) if j <= 3 else None
    n_eval = 0
    search = "grid"
    if cands is None:
        search = "grid+multistart"
        if prev is None:
            prev = _search(s, x, j - 1, radius, _grid_size(j - 1), n_refine, seed)
        extra = np.linspace(-radius, radius, n_grid)
        cands = np.array([_poly_from_poles(np.concatenate([prev.poles, [z]])) for z in extra])
        rng = np.random.default_rng(seed)
        rand = []
        for _ in range(200 * j):
            n_pairs = rng.integers(0, j // 2 + 1)
            rp = rng.uniform(-radius, radius, j - 2 * n_pairs)
            cp = rng.uniform(0, radius, n_pairs) * np.exp(1j * rng.uniform(0, np.pi, n_pairs))
            rand.append(_poly_from_poles(np.concatenate([rp, cp, cp.conj()])))
        cands = np.concatenate([cands, np.array(rand)])
    E = np.concatenate([_energy(cands[lo:lo + 20000], x) for lo in range(0, cands.shape[0], 20000)])
    n_eval += cands.shape[0]
    picked = []
    for i in np.argsort(E):
        if all(np.max(np.abs(cands[i] - cands[p])) > 1e-2 * (1 + np.max(np.abs(cands[p]))) for p in picked):
            picked.append(i)
        if len(picked) >= n_refine:
            break
    best = None
    for i in picked:
        al, e, ok = _refine(cands[i], x)
        if best is None or e < best[1]:
            best = (al, e, ok)
        if e <= _EXACT * 0.5 * (x @ x):
            break
    return _finish(s, best[0], best[2], search, n_eval, radius)


def _pad(fit, j):
    m = fit.order
    pad = j - m
    poles = np.concatenate([fit.poles, np.zeros(pad, complex)])
    B = np.zeros((j, j))
    B[:m, :m] = fit.B
    return PoleFit(order=j, poles=poles, residues=np.concatenate([fit.residues, np.zeros(pad, complex)]),
                   coefficients=_poly_from_poles(poles), energy=fit.energy, fitted=fit.fitted,
                   a=np.concatenate([fit.a, np.zeros(pad)]), B=B, c=np.concatenate([fit.c, np.zeros(pad)]),
                   jordan=fit.jordan, converged=fit.converged, at_boundary=fit.at_boundary, search=fit.search,
                   n_evaluations=fit.n_evaluations, minimal_order=m, balanced=fit.balanced)


def _finish(s, alpha, converged, search, n_eval, radius):
    T = s.size
    x = s[::-1]
    j = alpha.size
    if j < T:
        H = _hankel_rows(alpha, T)
        r = H.T @ np.linalg.solve(H @ H.T, H @ x)
        gk = x - r
        energy = 0.5 * float(r @ r)
    else:
        gk = x.copy()
        energy = 0.0
    fitted = gk[::-1].copy()
    poles = (np.roots(np.concatenate([[1.0], alpha])) if j else np.zeros(0)).astype(complex)
    poles = poles[np.lexsort((-poles.imag, -np.abs(poles)))]
    sep = np.min(np.abs(poles[:, None] - poles[None, :])[~np.eye(j, dtype=bool)]) if j > 1 else np.inf
    jordan = bool(sep <= 1e-6 * max(1.0, np.max(np.abs(poles))))
    if jordan:
        residues = np.full(j, np.nan + 0j)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            V = poles[None, :] ** np.arange(T)[:, None]
        try:
            residues = np.linalg.lstsq(V, gk.astype(complex), rcond=None)[0] if np.all(np.isfinite(V)) else np.full(j, np.nan + 0j)
        except np.linalg.LinAlgError:
            residues = np.full(j, np.nan + 0j)
    a, B, c, balanced = balanced_realisation(fitted, alpha)
    at_boundary = bool(j and np.max(np.abs(poles)) >= radius * (1 - 1e-9))
    return PoleFit(order=j, poles=poles, residues=residues, coefficients=np.asarray(alpha, float), energy=float(energy),
                   fitted=fitted, a=a, B=B, c=c, jordan=jordan, converged=bool(converged), balanced=bool(balanced),
                   at_boundary=at_boundary, search=search, n_evaluations=int(n_eval))


def _local_fit(s, alpha0, radius: float = 3.0) -> PoleFit:
    """The order-``len(alpha0)`` fit refined from ``alpha0`` only (a local minimum of eq. pole-fit)."""
    s = np.asarray(s, float)
    x = s[::-1]
    al, _, ok = _refine(np.asarray(alpha0, float), x)
    return _finish(s, al, ok, "local", 0, radius)
