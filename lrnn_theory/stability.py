"""Is the aligned solution a minimum of the network, or a saddle it leaves? (theory guide :ref:`theory-network-stability`).

The mode theory (Proca et al. (2025), Sec. 4 and App. H) gives each connectivity mode one recurrent
scalar ``b`` (a real mode) or one rotation-scaling ``b`` (a complex mode held as a 2×2 Schur block),
and its fixed point is the best such fit of the mode's task dynamics.  Embedded in a network with
``n_h`` hidden units, that aligned solution is a stationary point of the full-matrix loss, but it is
a minimum of the network only if no direction of the weight matrices lowers the loss.
:func:`network_stability` computes the exact Hessian of the full-matrix loss there, sets the zero
modes of the hidden-unit symmetry aside, and predicts the time gradient descent takes to leave a
saddle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_int, check_positive_float

__all__ = ["NetworkStability", "network_stability"]

#: Complex-step size of the exact Hessian (the gradient is a polynomial, so the step's own error is
#: ``O(h²)`` relative, far below rounding).
_COMPLEX_STEP = 1e-30
#: Relative tolerance on eigenvalues (relative to the largest |eigenvalue| of the Hessian).
_EIG_RTOL = 1e-8
#: Loss drop (fraction of the fixed-point loss) that defines "left the saddle" by default.
DEFAULT_DROP = 0.1


def _mT(A):
    return np.swapaxes(A, -1, -2)


def _loss_grad(Wx, Wh, Wy, C, *, loss_only=False):
    """Correlation-space loss ``½ Σ_k ‖W_y W_h^k W_x - C_k‖²`` and its gradients (batched over leading axes).

    ``C`` has shape (T, N_y, N_x) with ``C[k] = Σ^{YX_t}`` at lag ``k = T - t``.  Only sums, products and
    transposes (no conjugation, no absolute values): the gradient is a polynomial in the weights, so a
    complex step through it gives the exact Hessian.  Adjoint as in the package's simulator:
    ``Z_{T-1} = 0``, ``Z_q = W_yᵀ G_{q+1} + W_hᵀ Z_{q+1}``; ``∂W_y = Σ_k G_k B_kᵀ``,
    ``∂W_h = Σ_q Z_q B_qᵀ``, ``∂W_x = W_yᵀ G_0 + W_hᵀ Z_0`` with ``B_k = W_h^k W_x``, ``G_k = W_y B_k - C_k``.
    """
    T = C.shape[0]
    lead = np.broadcast_shapes(Wx.shape[:-2], Wh.shape[:-2], Wy.shape[:-2])
    dtype = np.result_type(Wx, Wh, Wy, C)
    B = np.empty(lead + (T,) + Wx.shape[-2:], dtype)
    B[..., 0, :, :] = Wx
    for k in range(1, T):
        B[..., k, :, :] = Wh @ B[..., k - 1, :, :]
    G = Wy[..., None, :, :] @ B - C
    loss = 0.5 * np.sum(G * G, axis=(-3, -2, -1))
    if loss_only:
        return loss
    gWy = np.einsum("...kyx,...khx->...yh", G, B)
    U = _mT(Wy)[..., None, :, :] @ G  # W_yᵀ G_k
    WhT = _mT(Wh)
    Z = np.empty(lead + (max(T - 1, 1),) + Wx.shape[-2:], dtype)
    if T >= 2:
        Z[..., T - 2, :, :] = U[..., T - 1, :, :]
        for q in range(T - 3, -1, -1):
            Z[..., q, :, :] = U[..., q + 1, :, :] + WhT @ Z[..., q + 1, :, :]
        gWh = np.einsum("...qhx,...qgx->...hg", Z[..., :T - 1, :, :], B[..., :T - 1, :, :])
        gWx = U[..., 0, :, :] + WhT @ Z[..., 0, :, :]
    else:
        gWh = np.zeros(lead + Wh.shape[-2:], dtype)
        gWx = U[..., 0, :, :]
    return loss, gWx, gWh, gWy


class _Flat:
    """Flattening of ``(W_x, W_h, W_y)`` into one parameter vector ``θ`` (that order, row-major)."""

    def __init__(self, n_h, n_x, n_y):
        self.shapes = ((n_h, n_x), (n_h, n_h), (n_y, n_h))
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.size = sum(self.sizes)

    def split(self, theta):
        lead = theta.shape[:-1]
        out, i = [], 0
        for shape, n in zip(self.shapes, self.sizes):
            out.append(theta[..., i:i + n].reshape(lead + shape))
            i += n
        return tuple(out)

    def join(self, *Ws):
        lead = Ws[0].shape[:-2]
        return np.concatenate([W.reshape(lead + (-1,)) for W in Ws], axis=-1)


def _hessian(Wx, Wh, Wy, C):
    """Exact Hessian of :func:`_loss_grad`'s loss in the flattened weights (complex step through the gradient)."""
    flat = _Flat(Wh.shape[0], Wx.shape[1], Wy.shape[0])
    theta = flat.join(Wx, Wh, Wy)
    probe = theta[None, :] + 1j * _COMPLEX_STEP * np.eye(flat.size)
    _, gx, gh, gy = _loss_grad(*flat.split(probe), C.astype(complex))
    H = flat.join(gx, gh, gy).imag / _COMPLEX_STEP  # row j: H e_j
    return 0.5 * (H + H.T), float(np.max(np.abs(H - H.T), initial=0.0))


def _orbit_tangent(Wx, Wh, Wy):
    """Tangent vectors of the orbit of ``h → G h`` (``W_x → G W_x``, ``W_h → G W_h G⁻¹``, ``W_y → W_y G⁻¹``)
    at the weights: the images of the basis ``X = E_ij`` of ``gl(n_h)``, as columns of shape (P, n_h²)."""
    n_h = Wh.shape[0]
    E = np.eye(n_h * n_h).reshape(n_h * n_h, n_h, n_h)
    flat = _Flat(n_h, Wx.shape[1], Wy.shape[0])
    return flat.join(E @ Wx, E @ Wh - Wh @ E, -(Wy @ E)).T


@dataclass(frozen=True)
class NetworkStability:
    """Second-order stability of the aligned solution embedded in an ``n_h``-unit network (theory guide :ref:`theory-network-stability`).

    Weights are in the minimal coordinates of the task: ``N_x = N_y = d`` input and output channels
    (``d`` = one per real mode plus two per complex mode, in the order of ``S``), hidden units
    ``0..d-1`` hold the modes (a number per real mode, a 2×2 Schur block per complex mode), units
    ``d..n_h-1`` are spare (all their weights zero).  :meth:`weights` maps them into a dataset's
    coordinates.  The loss is the correlation-space loss
    ``L = ½ Σ_t ‖Σ^{YX_t} - W_y W_h^{T-t} W_x‖²_F`` of exactly whitened inputs (either convention of
    theory guide :ref:`theory-conventions`; the constant ``½(Σ^{YY} - Σ_t ‖Σ^{YX_t}‖²)``, zero on the
    package's datasets, is left out); time is ODE time in units of ``τ`` (``n`` steps at ``lr`` are
    ``n·lr``).

    Attributes
    ----------
    is_minimum : bool
        No eigenvalue of the Hessian (symmetry set aside) below ``-tolerance``: no direction of
        negative curvature.  Where flat directions remain (``n_flat > 0``; always with spare units) a
        second-order test cannot exclude a descent of higher order along them: ``True`` then means no
        direction of negative curvature, not a proven minimum; ``n_flat = 0`` makes it a strict local
        minimum up to the symmetry.
    min_eigenvalue : float
        Smallest eigenvalue of the Hessian on the orthogonal complement of the symmetry orbit.
    eigenvalues : ndarray, shape (P - n_symmetry,)
        All eigenvalues on that complement, ascending (``P = n_h d + n_h² + d n_h`` weights).
    symmetry_eigenvalues : ndarray, shape (n_symmetry,)
        Eigenvalues of the Hessian restricted to the orbit's tangent space: zero in exact arithmetic
        (set aside; their size is a diagnostic of how stationary the point is).
    n_symmetry : int
        Dimension of the orbit of the ``GL(n_h)`` symmetry ``h → G h`` through the point (``n_h²``
        minus the dimension of its stabiliser, which includes every ``G`` acting on spare units only).
    n_flat : int
        Eigenvalues on the complement with ``|λ| <= tolerance``: flat directions not explained by the
        symmetry (e.g. the self-connection of a spare unit, which no output can see).
    direction : tuple of ndarray or None
        Escape direction ``(dW_x, dW_h, dW_y)``, shapes (n_h, d), (n_h, n_h), (d, n_h), unit
        Frobenius norm over the three: the eigenvector of ``min_eigenvalue`` (sign fixed so that its
        largest entry is positive); None if ``is_minimum``.  If ``min_eigenvalue`` is degenerate
        (``escape_multiplicity > 1``) any unit vector of its eigenspace is one.
    escape_multiplicity : int
        Multiplicity of ``min_eigenvalue`` (to ``tolerance``); 0 if ``is_minimum``.
    escape_rate : float
        ``max(0, -min_eigenvalue)``: a perturbation along ``direction`` grows like ``e^{rate·t}``.
    escape_drop : float
        Fraction of ``loss`` by which the loss must fall to count as having left (see :meth:`escape_time`):
        the ``drop`` asked for, or half the fall to ``next_loss`` if the flow stops there first.
    next_loss : float
        Loss of the stationary point at which the gradient flow along the escape direction stops before the
        loss has fallen by ``drop`` (another saddle or a minimum; with several modes one escape often lowers
        only one mode's residual); NaN if the loss falls by ``drop`` first (or ``is_minimum``).
    escape_scale : float
        ``δ`` of :meth:`escape_time`, from the gradient flow along the unstable manifold; NaN if ``is_minimum``.
    escape_scale_quadratic : float
        The quadratic model's ``δ_q = sqrt(2 drop loss / rate)`` (NaN if ``is_minimum``);
        ``ln(escape_scale / escape_scale_quadratic) / rate`` is the time the nonlinear phase adds.
    loss : float
        ``L*``: the loss at the fixed point, ``Σ_real E*_k + Σ_complex 2 E*_k``.
    W_x, W_h, W_y : ndarray
        The fixed point, balanced (``|a| = |c|``, the point reached from a small start), shapes
        (n_h, d), (n_h, n_h), (d, n_h).
    b, u : ndarray, complex, shape (modes,)
        The mode fixed point used (``b*``, ``u* = a* c*``).
    S : ndarray, complex, shape (modes, T)
        The task dynamics.
    n_complex : int
        Complex modes (the first ``n_complex`` rows of ``S``).
    n_h : int
    T : int
    gradient_norm : float
        ``‖∇L‖`` at the fixed point (0 in exact arithmetic; the fixed point's own accuracy).
    asymmetry : float
        ``max |H - Hᵀ|`` of the complex-step Hessian before symmetrisation (rounding level).
    tolerance : float
        Eigenvalues within ``tolerance = 1e-8 max|λ(H)|`` of zero count as zero.

    Examples
    --------
    >>> import numpy as np, lrnn_theory as lt
    >>> k = np.arange(9, -1, -1)                       # T - t for t = 1..10
    >>> res = lt.network_stability(0.9 ** k - 0.7 * 0.4 ** k, 2)
    >>> res.is_minimum, round(res.min_eigenvalue, 4), res.direction[1].shape
    (False, -0.4632, (2, 2))
    """

    is_minimum: bool
    min_eigenvalue: float
    eigenvalues: np.ndarray
    symmetry_eigenvalues: np.ndarray
    n_symmetry: int
    n_flat: int
    direction: tuple | None
    escape_multiplicity: int
    escape_rate: float
    escape_drop: float
    next_loss: float
    escape_scale: float
    escape_scale_quadratic: float
    loss: float
    W_x: np.ndarray
    W_h: np.ndarray
    W_y: np.ndarray
    b: np.ndarray
    u: np.ndarray
    S: np.ndarray
    n_complex: int
    n_h: int
    T: int
    gradient_norm: float
    asymmetry: float
    tolerance: float

    def escape_time(self, eps) -> float:
        """ODE time (units of ``τ``) to leave the fixed point from ``weights(eps)`` (theory guide :ref:`theory-network-stability`).

        *Definition.* The network has left when its loss first falls to ``(1 - escape_drop) loss``
        (``escape_drop`` is the ``drop`` asked for, or half the fall to ``next_loss`` when the flow along the
        escape direction stops at another stationary point first).
        Near the saddle the flow ``θ̇ = -∇L`` is linear: a displacement ``ε v`` along the escape
        direction grows like ``ε e^{r t}`` (``r = escape_rate``) while the loss falls like
        ``L* - ½ r ε² e^{2rt}``.  The time is

        .. math:: t(\\varepsilon) = \\frac{1}{r}\\ln\\frac{\\delta}{\\varepsilon},

        where ``δ = escape_scale`` is the amplitude that the linear growth would have at the moment of
        leaving.  The quadratic model alone gives ``δ_q = sqrt(2 drop L*/r)``; the flow leaves the
        quadratic regime before the loss has fallen that far, so ``δ`` is measured once, by integrating
        the full gradient flow from ``ε_0 = 10⁻³ δ_q`` along ``v``: ``δ = ε_0 e^{r t(ε_0)}`` (to a
        relative ``10⁻⁶``).  The formula is exact as ``ε → 0`` (the relative error of ``δ`` is
        ``O((ε/δ)²)``); it returns 0 when ``ε >= δ``.
        Gradient descent at rate ``lr`` grows by ``1 + lr r`` per step, so it takes longer by a factor
        ``≈ 1 + lr r/2``.

        Parameters
        ----------
        eps : float > 0
            Size (Frobenius norm over ``W_x, W_h, W_y``) of the perturbation along ``direction``.

        Returns
        -------
        t : float
            Escape time; ``inf`` if ``is_minimum``.

        Raises
        ------
        TypeError
            If ``eps`` is not a real number.
        ValueError
            If ``eps <= 0`` or not finite.

        Examples
        --------
        >>> import numpy as np, lrnn_theory as lt
        >>> k = np.arange(9, -1, -1)
        >>> res = lt.network_stability(0.9 ** k - 0.7 * 0.4 ** k, 2)
        >>> t1, t2 = res.escape_time(1e-6), res.escape_time(1e-8)
        >>> round(float((t2 - t1) * res.escape_rate / np.log(100)), 12)   # ln(100)/rate later
        1.0
        >>> lt.network_stability(0.9 ** k - 0.7 * 0.4 ** k, 1).escape_time(1e-6)
        inf
        """
        eps = check_positive_float("eps", eps)
        if self.is_minimum:
            return float("inf")
        return float(max(0.0, np.log(self.escape_scale / eps) / self.escape_rate))

    def weights(self, eps=0.0, data=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The fixed point displaced by ``eps`` along the escape direction, ``(W_x, W_h, W_y)``.

        Parameters
        ----------
        eps : float
            Displacement along :attr:`direction` (0: the fixed point itself; must be 0 if ``is_minimum``).
        data : Dataset, optional
            Map into this dataset's coordinates (``W_x V_xᵀ``, ``U_y W_y``; ``W_h`` unchanged), e.g. to start
            :func:`lrnn_theory.simulate_gd` there with ``weights0``.  Its task dynamics must be this
            result's (``data.S`` equal to ``S``, same ``n_complex``).  The hidden basis is kept (the
            loss is invariant under orthogonal hidden rotations, so any other gives the same dynamics).

        Returns
        -------
        W_x, W_h, W_y : ndarray
            Shapes (n_h, N_x), (n_h, n_h), (N_y, n_h) (``N_x = N_y = d`` without ``data``).

        Raises
        ------
        TypeError
            If ``eps`` is not a real number or ``data`` not a :class:`~lrnn_theory.data.Dataset`.
        ValueError
            If ``eps`` is not finite, non-zero at a minimum, or ``data`` holds other task dynamics.

        Examples
        --------
        >>> import numpy as np, lrnn_theory as lt
        >>> k = np.arange(9, -1, -1)
        >>> s = 0.9 ** k - 0.7 * 0.4 ** k
        >>> res = lt.network_stability(s, 2)
        >>> data = lt.make_dataset(s, 1, 1, 10, seed=0)
        >>> loss, _ = lt.loss_and_grad(data, res.weights(0.0, data))
        >>> round(loss, 10) == round(res.loss, 10)
        True
        """
        from ._validation import check_finite_scalar
        from .data import Dataset

        eps = check_finite_scalar("eps", eps)
        if eps != 0 and self.direction is None:
            raise ValueError("eps must be 0 at a minimum (there is no escape direction)")
        Ws = [W.copy() for W in (self.W_x, self.W_h, self.W_y)]
        if eps != 0:
            Ws = [W + eps * D for W, D in zip(Ws, self.direction)]
        if data is None:
            return tuple(Ws)
        if not isinstance(data, Dataset):
            raise TypeError(f"data must be a lrnn_theory.data.Dataset, got {type(data).__name__}")
        if data.U_y is None or data.V_x is None or data.S is None:
            raise ValueError("data must carry its singular vectors U_y, V_x and task dynamics S (make_dataset)")
        S = np.asarray(data.S)
        if data.n_complex != self.n_complex or S.shape != (self.b.size, self.T) or not np.allclose(S, self.S, rtol=0, atol=1e-12):
            raise ValueError("data must hold this result's task dynamics S (and n_complex)")
        return Ws[0] @ data.V_x.T, Ws[1], data.U_y @ Ws[2]

    def __repr__(self) -> str:
        kind = "minimum" if self.is_minimum else f"saddle (escape rate {self.escape_rate:.4g})"
        return (f"NetworkStability({kind}, n_h={self.n_h}, loss={self.loss:.6g}, "
                f"min_eigenvalue={self.min_eigenvalue:.6g}, n_symmetry={self.n_symmetry}, n_flat={self.n_flat})")


def _modes(S, n_complex):
    """Validated task dynamics: complex array (m, T) and the number of complex modes."""
    S = as_float_array("S", S, ndim=(1, 2), allow_complex=True)
    is_complex = np.iscomplexobj(S)
    S = S.astype(complex)
    if S.ndim == 1:
        S = S[None, :]
    m, T = S.shape
    if T < 2:
        raise ValueError(f"S must have T >= 2 time steps (b is undefined for T = 1), got shape {S.shape}")
    if n_complex is None:
        n_complex = m if is_complex else 0
    n_complex = check_int("n_complex", n_complex, minimum=0, maximum=m)
    if np.any(S[n_complex:].imag != 0):
        raise ValueError(f"S must be real on the real modes (rows >= n_complex = {n_complex})")
    return S, n_complex


def _default_fixed_point(S, n_complex):
    from .closed_forms import complex_fixed_point, fixed_point

    b = np.empty(S.shape[0], complex)
    u = np.empty(S.shape[0], complex)
    if n_complex:
        cfp = complex_fixed_point(S[:n_complex])
        bad = np.flatnonzero(cfp.at_infinity | ~cfp.converged)
        if bad.size:
            raise ValueError(f"S: the complex fixed point of mode {int(bad[0])} runs away to |b| = inf or was not "
                             "found (not a stationary point of the network); pass fixed_point explicitly")
        b[:n_complex], u[:n_complex] = cfp.b, cfp.u
    if n_complex < S.shape[0]:
        fp = fixed_point(S[n_complex:].real)
        bad = np.flatnonzero(fp.at_boundary)
        if bad.size:
            raise ValueError(f"S: the fixed point of mode {n_complex + int(bad[0])} lies at the end of the searched b "
                             "range (a runaway, not a stationary point); pass fixed_point explicitly")
        b[n_complex:], u[n_complex:] = fp.b, fp.u
    return b, u


def _user_fixed_point(fixed_point, m, n_complex):
    if hasattr(fixed_point, "b") and hasattr(fixed_point, "u"):
        b, u = fixed_point.b, fixed_point.u
    elif isinstance(fixed_point, (tuple, list)) and len(fixed_point) == 2:
        b, u = fixed_point
    else:
        raise TypeError("fixed_point must be a FixedPoint/ComplexFixedPoint or a pair (b, u)")
    out = []
    for name, v in (("b", b), ("u", u)):
        v = as_float_array(f"fixed_point.{name}", v, ndim=(0, 1), allow_complex=True).astype(complex)
        v = np.broadcast_to(v, (m,)).copy() if v.ndim == 0 and m == 1 else v
        if v.shape != (m,):
            raise ValueError(f"fixed_point.{name} must have one value per mode (shape ({m},)), got shape {v.shape}")
        if np.any(v[n_complex:].imag != 0):
            raise ValueError(f"fixed_point.{name} must be real on the real modes (indices >= n_complex = {n_complex})")
        out.append(v)
    return tuple(out)


def _embed(b, u, n_complex, n_h, d):
    """Balanced aligned weights in minimal coordinates: ``a = c = sqrt(u)`` (complex modes; a Schur block each),
    ``a = sqrt|u|``, ``c = sign(u) sqrt|u|`` (real modes)."""
    from .tasks import schur_block

    Wx, Wh, Wy = np.zeros((n_h, d)), np.zeros((n_h, n_h)), np.zeros((d, n_h))
    for i in range(n_complex):
        a = np.sqrt(u[i])
        j = slice(2 * i, 2 * i + 2)
        Wx[j, j], Wh[j, j], Wy[j, j] = schur_block(a), schur_block(b[i]), schur_block(a)
    for i in range(n_complex, b.size):
        j = n_complex + i
        ur = u[i].real
        Wx[j, j], Wh[j, j], Wy[j, j] = np.sqrt(abs(ur)), b[i].real, np.sign(ur) * np.sqrt(abs(ur))
    return Wx, Wh, Wy


def _correlations(S, n_complex, d):
    """``C[k] = D_{T-k}`` (T, d, d): Schur blocks of the complex modes, then the real modes on the diagonal."""
    from .data import block_dynamics

    D = block_dynamics(S[:n_complex], S[n_complex:].real if n_complex < S.shape[0] else None) if n_complex else \
        np.einsum("at,ab->tab", S.real, np.eye(S.shape[0]))
    return np.ascontiguousarray(D[::-1])


def _escape_scale(theta0, v, rate, C, flat, loss0, drop):
    """``(δ, δ_q, drop, next_loss)`` of :meth:`NetworkStability.escape_time`.

    Integrates ``θ̇ = -∇L`` (LSODA, ``rtol = 1e-9``, exact Jacobian ``-H``) from ``θ* + ε_0 v``,
    ``ε_0 = 10⁻³ δ_q``, until the loss reaches ``(1 - drop) L*`` or the flow stops at another stationary
    point (the gradient norm back below ``10⁻³`` of its maximum so far) of loss ``L_1``; in the second case
    ``drop`` becomes half that fall, ``½(L* - L_1)/L*``, and its crossing is found on the same trajectory
    (dense output).  ``δ = ε_0 e^{rate t}``.  Starting on the tangent of the unstable manifold instead of on
    it shifts ``δ`` by a relative ``O((ε_0/δ_q)²)`` (measured: 6e-7 at ``10⁻³``, 4e-5 at ``10⁻²``; below
    ``10⁻³`` the change is the integrator's tolerance, 1e-7).
    """
    from scipy.integrate import LSODA
    from scipy.optimize import brentq

    eps0 = 1e-3 * np.sqrt(2.0 * drop * loss0 / rate)

    def grad(th):
        _, gx, gh, gy = _loss_grad(*flat.split(th), C)
        return flat.join(gx, gh, gy)

    def jac(_, th):
        return -_hessian(*flat.split(th), C)[0]

    def loss(th):
        return float(_loss_grad(*flat.split(th), C, loss_only=True))

    # stepped by hand so that both stopping rules are functions of the accepted states only: the largest
    # gradient norm so far is updated at accepted steps, and each crossing is located on the dense output of
    # the step that made it, with the rule frozen (as solve_ivp events, whose threshold moved while their root
    # was sought, the search could fail with 'f(a) and f(b) must have different signs')
    t_lin = np.log(1e3) / rate
    y0 = theta0 + eps0 * v
    solver = LSODA(lambda _, th: -grad(th), 0.0, y0, 1e3 * t_lin, rtol=1e-9,
                   atol=1e-14 * max(1.0, float(np.max(np.abs(theta0)))), jac=jac)
    target = (1.0 - drop) * loss0
    g_max = float(np.linalg.norm(grad(y0)))
    states, dense = [y0], []
    t = None
    while solver.status == "running":
        solver.step()
        if solver.status == "failed":  # pragma: no cover - the gradient flow of a polynomial loss stays smooth
            return float("nan"), float("nan"), float(drop), float("nan")
        step = solver.dense_output()
        states.append(solver.y.copy())
        dense.append(step)
        if loss(solver.y) <= target:
            t = brentq(lambda x, d=step: loss(d(x)) - target, solver.t_old, solver.t, xtol=1e-12)
            break
        g = float(np.linalg.norm(grad(solver.y)))
        if g <= 1e-3 * g_max:  # the flow has stopped at another stationary point
            break
        g_max = max(g_max, g)
    next_loss = float("nan")
    if t is None:
        next_loss = loss(states[-1])
        drop = 0.5 * (loss0 - next_loss) / loss0
        target = (1.0 - drop) * loss0
        below = np.flatnonzero(np.array([loss(y) for y in states]) <= target)
        if not (drop > 0 and below.size and below[0] > 0):  # pragma: no cover - the unstable direction lowers the loss
            return float("nan"), float("nan"), float(drop), next_loss
        step = dense[int(below[0]) - 1]
        t = brentq(lambda x: loss(step(x)) - target, step.t_min, step.t_max, xtol=1e-12)
    return float(eps0 * np.exp(rate * t)), float(np.sqrt(2.0 * drop * loss0 / rate)), float(drop), next_loss


def network_stability(S, n_h: int, fixed_point=None, *, n_complex: int | None = None,
                      drop: float = DEFAULT_DROP) -> NetworkStability:
    r"""Is the aligned fixed point a minimum of an ``n_h``-unit network, or a saddle, and how fast is it left? (theory guide :ref:`theory-network-stability`).

    The aligned solution of Proca et al. (2025) (Sec. 4, eqs. 5–8; App. H for its fixed points, App. N–O
    for complex modes) puts each mode on its own hidden unit (two for a complex mode) and leaves the
    other ``n_h - d`` units at zero.  It is a stationary point of the full-matrix loss
    ``L = ½ Σ_t ‖Σ^{YX_t} - W_y W_h^{T-t} W_x‖²_F``.  This function returns the spectrum of the exact
    Hessian of ``L`` there (the loss is a polynomial in the weights, so the Hessian is obtained to
    rounding by a complex step through an analytic gradient), with the zero modes of the symmetry
    ``h → G h`` (``W_x → G W_x``, ``W_h → G W_h G⁻¹``, ``W_y → W_y G⁻¹``, ``G ∈ GL(n_h)``) set aside:
    the orbit's tangent vectors ``(X W_x, X W_h - W_h X, -W_y X)`` are exact null vectors of the Hessian
    at a stationary point, and the eigenvalues are those of the Hessian on their orthogonal complement
    (which the Hessian maps into itself).  The point is a saddle when an eigenvalue is negative; the
    flow then leaves along its eigenvector at rate ``-λ_min`` (:meth:`NetworkStability.escape_time`).

    Result (theory guide :ref:`theory-network-stability`): a spare unit contributes, for each mode, the
    eigenvalues ``±|r_T| sqrt(1 + |c/b|²) sqrt(1 + |a/b|²)`` with ``r_T = s_T - u*`` the residual at the
    last step, so a mode whose fit misses ``s_T`` is a saddle as soon as the network has a unit to spare.

    Cost: the Hessian is ``P`` gradient evaluations in one batch (``P = n_h d + n_h² + d n_h`` weights);
    at a saddle, one stiff integration of the ``P``-dimensional flow adds about 0.5 s for the examples
    below and tens of seconds for ``P ≈ 150``.

    Parameters
    ----------
    S : array_like, shape (modes, T) or (T,), real or complex
        Task dynamics (``S[..., t-1] = s_t``).  A complex row is a complex mode held as a real 2×2
        Schur block (:func:`lrnn_theory.tasks.schur_block`); a real row a real mode.  Complex dtype:
        every row is a complex mode unless ``n_complex`` says otherwise.  ``T >= 2``.
    n_h : int
        Hidden size of the network, ``>= d`` (one unit per real mode, two per complex mode).
    fixed_point : FixedPoint, ComplexFixedPoint or (b, u), optional
        The mode fixed point to embed (one ``b``, ``u`` per mode).  Default: the package's prediction,
        :func:`lrnn_theory.closed_forms.complex_fixed_point` for complex modes and
        :func:`lrnn_theory.closed_forms.fixed_point` for real ones.  It must be stationary.
    n_complex : int, optional
        The first ``n_complex`` rows are complex modes, the rest real (as ``Dataset.n_complex`` of
        :func:`lrnn_theory.make_rotational_dataset`).  Default: all rows if ``S`` is complex, else none.
    drop : float in (0, 1)
        Loss fraction that defines leaving (:meth:`NetworkStability.escape_time`), default 0.1; if the flow
        along the escape direction stops at another stationary point (loss ``L_1``) before falling that far,
        half that fall, ``½(L* - L_1)/L*``, is used instead (``escape_drop``, ``next_loss``).

    Returns
    -------
    NetworkStability
        ``is_minimum``, ``min_eigenvalue``, the escape direction and rate, ``escape_time(eps)``,
        the set-aside symmetry eigenvalues and the diagnostics.

    Raises
    ------
    TypeError
        If ``S`` is not numeric, ``n_h``/``n_complex`` not integers, ``drop`` not a number, or
        ``fixed_point`` of the wrong kind.
    ValueError
        If ``S`` is not 1-D/2-D, not finite, has ``T < 2`` or complex values on a real mode;
        ``n_h < d``; ``drop`` outside (0, 1); the default fixed point runs away (boundary or
        ``|b| = ∞``); or ``fixed_point`` has the wrong shape or is not stationary.

    Examples
    --------
    A real mode that no single exponential fits (``s_t = 0.9^{T-t} - 0.7·0.4^{T-t}``, ``T = 10``):
    one unit keeps its fixed point (``E* = 0.0741``), two units leave it.

    >>> import numpy as np, lrnn_theory as lt
    >>> k = np.arange(9, -1, -1)
    >>> s = 0.9 ** k - 0.7 * 0.4 ** k
    >>> [lt.network_stability(s, n).is_minimum for n in (1, 2)]
    [True, False]
    >>> res = lt.network_stability(s, 2)
    >>> round(res.loss, 4), round(res.escape_rate, 4), round(res.escape_time(1e-6), 1)
    (0.0741, 0.4632, 26.2)

    The same oscillating task held as one complex mode (a 2×2 block): kept with two units, left with three.

    >>> c = (0.9 ** k * np.cos(0.7 * np.arange(10))).astype(complex)
    >>> [lt.network_stability(c, n).is_minimum for n in (2, 3)]
    [True, False]
    """
    S, n_complex = _modes(S, n_complex)
    m, T = S.shape
    d = m + n_complex
    n_h = check_int("n_h", n_h, minimum=1)
    if n_h < d:
        raise ValueError(f"n_h must be >= {d} (one hidden unit per real mode, two per complex mode), got {n_h}")
    drop = check_positive_float("drop", drop)
    if not drop < 1:
        raise ValueError(f"drop must be in (0, 1), got {drop}")
    if fixed_point is None:
        b, u = _default_fixed_point(S, n_complex)
    else:
        b, u = _user_fixed_point(fixed_point, m, n_complex)
    C = _correlations(S, n_complex, d)
    Wx, Wh, Wy = _embed(b, u, n_complex, n_h, d)
    flat = _Flat(n_h, d, d)
    theta = flat.join(Wx, Wh, Wy)
    loss, gx, gh, gy = _loss_grad(Wx, Wh, Wy, C)
    grad_norm = float(np.linalg.norm(flat.join(gx, gh, gy)))
    H, asym = _hessian(Wx, Wh, Wy, C)
    h_norm = float(np.max(np.abs(np.linalg.eigvalsh(H)), initial=0.0))
    tol = _EIG_RTOL * h_norm
    scale = max(float(np.sum(np.abs(C))), np.finfo(float).tiny)
    if fixed_point is not None and grad_norm > 1e-7 * max(h_norm * float(np.linalg.norm(theta)), scale):
        raise ValueError(f"fixed_point is not a stationary point of the network loss (|grad L| = {grad_norm:.3g})")
    # orbit tangent space and its orthogonal complement
    U_, sv, _ = np.linalg.svd(_orbit_tangent(Wx, Wh, Wy), full_matrices=True)
    rank = int(np.sum(sv > 1e-10 * max(sv[0] if sv.size else 0.0, np.finfo(float).tiny)))
    Tb, N = U_[:, :rank], U_[:, rank:]
    sym_eigs = np.linalg.eigvalsh(Tb.T @ H @ Tb) if rank else np.zeros(0)
    eigs, vecs = np.linalg.eigh(N.T @ H @ N)
    lam_min = float(eigs[0])
    is_min = bool(lam_min >= -tol)
    n_flat = int(np.sum(np.abs(eigs) <= tol))
    direction, mult, rate = None, 0, 0.0
    delta = delta_q = next_loss = float("nan")
    if not is_min:
        v = N @ vecs[:, 0]
        v = v * np.sign(v[np.argmax(np.abs(v))])
        direction = flat.split(v)
        mult = int(np.sum(eigs <= lam_min + tol))
        rate = -lam_min
        delta, delta_q, drop, next_loss = _escape_scale(theta, v, rate, C, flat, float(loss), drop)
    return NetworkStability(
        is_minimum=is_min, min_eigenvalue=lam_min, eigenvalues=eigs, symmetry_eigenvalues=sym_eigs,
        n_symmetry=rank, n_flat=n_flat, direction=direction, escape_multiplicity=mult, escape_rate=rate,
        escape_drop=drop, next_loss=next_loss, escape_scale=delta, escape_scale_quadratic=delta_q, loss=float(loss),
        W_x=Wx, W_h=Wh, W_y=Wy, b=b, u=u, S=S, n_complex=n_complex, n_h=n_h, T=T,
        gradient_norm=grad_norm, asymmetry=asym, tolerance=tol)
