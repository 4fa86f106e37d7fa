"""Learning a recurrent eigenvalue by gradient descent (theory guide :ref:`memory-reparametrisation`, :ref:`memory-teacher-student`, :ref:`memory-simulation-plan`; Zucchet & Orvieto (2024)).

The student's ``λ`` is written through a :class:`Parametrisation` of its modulus
and phase (and optionally the input normalisation ``γ``), trained with an
optimiser object from :mod:`lrnn_theory.optim` on either the closed-form
stationary loss of :ref:`memory-teacher-student` (exact, cheap: what the figures and CI use) or the
sampled-data loss of :ref:`memory-simulation-plan` (fresh white-noise batches each step, forward
sensitivity, loss averaged over the window ``[T_b, 2T_b]``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._validation import as_float_array, check_choice, check_finite_scalar, check_int, check_positive_float, check_seed
from ..optim import SGD, Adam, NormalisedSGD, Optimiser, check_optimiser
from .moments import PARAMETRISATIONS, PHASE_PARAMETRISATIONS, _inside, _inside_scalar
from .teacher import _unchecked_loss_and_gradient, teacher_student_gradient, teacher_student_loss

__all__ = ["LOSSES", "LambdaTrajectory", "LrScan", "Parametrisation", "loss_in_omega", "lr_scan", "omega_curvature",
           "sampled_loss_and_grad", "train_lambda"]

#: Largest ``batch · 2 · window`` (samples drawn per step) :func:`train_lambda` chooses by default.
_MAX_DEFAULT_SAMPLES = 2 ** 25

#: Losses :func:`train_lambda` can descend.
LOSSES = ("exact", "sampled")


@dataclass(frozen=True)
class Parametrisation:
    """How the trainable ``ω`` maps to ``λ = ν e^{iθ}`` (:ref:`memory-reparametrisation`).

    Attributes
    ----------
    modulus : {"direct", "exp", "tanh"}
        ``ν = ω_ν``, ``ν = exp(-e^{ω_ν})`` (LRU) or ``ν = tanh ω_ν``.
    phase : {"direct", "exp", "nu_scaled"}
        ``θ = ω_θ``, ``θ = e^{ω_θ}`` or ``θ = (1-ν²)/(ν sqrt(1+ν²)) ω_θ``
        (complex ``λ`` only; the scale depends on ``ν``, and its gradient is kept).
    normalised : bool
        Input normalisation ``γ(λ) = sqrt(1-|λ|²)`` on student and teacher, differentiated
        through (the loss ``L_γ`` of :ref:`memory-teacher-student`).

    Raises
    ------
    TypeError
        A non-string ``modulus`` or ``phase``, or a non-bool ``normalised``.
    ValueError
        An unknown ``modulus`` or ``phase``.

    Examples
    --------
    >>> from lrnn_theory.memory import Parametrisation
    >>> p = Parametrisation(modulus="exp")  # LRU: ν = exp(-e^ω)
    >>> omega = p.to_omega(0.9)
    >>> omega.shape, round(float(omega[0]), 6), round(p.to_lambda(omega), 12)
    ((1,), -2.250367, 0.9)
    """

    modulus: str = "direct"
    phase: str = "direct"
    normalised: bool = False

    def __post_init__(self):
        check_choice("modulus", self.modulus, PARAMETRISATIONS)
        check_choice("phase", self.phase, PHASE_PARAMETRISATIONS)
        if not isinstance(self.normalised, (bool, np.bool_)):
            raise TypeError(f"normalised must be a bool, got {self.normalised!r}")

    # modulus -----------------------------------------------------------------------------
    def _nu(self, w):
        return w if self.modulus == "direct" else np.exp(-np.exp(w)) if self.modulus == "exp" else np.tanh(w)

    def _w_nu(self, nu):
        if self.modulus == "direct":
            return nu
        if self.modulus == "exp":
            if not 0 < nu < 1:
                raise ValueError(f"lam0 must have modulus in (0, 1) for the exp parametrisation, got {nu!r}")
            return np.log(-np.log(nu))
        if not -1 < nu < 1:
            raise ValueError(f"lam0 must have modulus in (-1, 1) for the tanh parametrisation (ν = tanh ω), got {nu!r}")
        return np.arctanh(nu)

    def _dnu(self, nu):
        if self.modulus == "exp":
            return nu * np.log(nu) if nu > 0 else 0.0  # ν underflows to 0 for large ω: a flat direction
        return 1.0 if self.modulus == "direct" else 1 - nu ** 2

    # phase -------------------------------------------------------------------------------
    def _scale(self, nu):
        return (1 - nu ** 2) / (nu * np.sqrt(1 + nu ** 2))

    def _theta(self, w, nu):
        return w if self.phase == "direct" else np.exp(w) if self.phase == "exp" else self._scale(nu) * w

    def _w_theta(self, theta, nu):
        if self.phase == "direct":
            return theta
        if self.phase == "exp":
            if theta <= 0:
                raise ValueError(f"lam0 must have a phase in (0, π] for the exp phase parametrisation, got {theta!r}")
            return np.log(theta)
        if not 0 < nu < 1:
            raise ValueError(f"lam0 must have modulus in (0, 1) for the nu_scaled phase parametrisation, got {nu!r}")
        return theta / self._scale(nu)

    # public ------------------------------------------------------------------------------
    def to_omega(self, lam) -> np.ndarray:
        """Trainable coordinates of ``λ``: shape (1,) for real ``λ``, (2,) ``(ω_ν, ω_θ)`` for complex."""
        if np.iscomplexobj(lam) and complex(lam).imag != 0:
            nu, theta = abs(complex(lam)), float(np.angle(lam))
            return np.array([self._w_nu(nu), self._w_theta(theta, nu)])
        return np.array([self._w_nu(float(np.real(lam)))])

    def to_lambda(self, omega) -> complex | float:
        """``λ`` for the trainable coordinates ``omega`` (shape (1,) or (2,))."""
        nu = self._nu(omega[0])
        if omega.size == 1:
            return float(nu)
        return complex(nu * np.exp(1j * self._theta(omega[1], nu)))

    def lam_of(self, omega_nu, omega_theta=None) -> np.ndarray:
        """Vectorised ``λ(ω_ν, ω_θ)`` over broadcast arrays (real ``λ`` when ``omega_theta`` is None)."""
        nu = self._nu(np.asarray(omega_nu, dtype=float))
        if omega_theta is None:
            return nu
        return nu * np.exp(1j * self._theta(np.asarray(omega_theta, dtype=float), nu))

    def chain(self, omega, d_nu, d_theta=0.0) -> np.ndarray:
        """``∂L/∂ω`` from ``∂L/∂ν`` and ``∂L/∂θ`` (for real ``λ``, ``d_nu`` is ``∂L/∂λ``)."""
        nu = self._nu(omega[0])
        if omega.size == 1:
            return np.array([d_nu * self._dnu(nu)])
        dtheta_dnu = 0.0
        if self.phase == "nu_scaled":
            dtheta_dnu = self._scale(nu) * (-2 * nu / (1 - nu ** 2) - 1 / nu - nu / (1 + nu ** 2)) * omega[1]
        dth = 1.0 if self.phase == "direct" else np.exp(omega[1]) if self.phase == "exp" else self._scale(nu)
        return np.array([(d_nu + d_theta * dtheta_dnu) * self._dnu(nu), d_theta * dth])


@njit(cache=True)
def _sampled(lam, lam_star, normalised, X, t0):
    n_b, n_t = X.shape
    g = np.sqrt(1 - lam * lam) if normalised else 1.0
    gs = np.sqrt(1 - lam_star * lam_star) if normalised else 1.0
    gp = -lam / g if normalised else 0.0
    loss = 0.0
    grad = 0.0
    for b in range(n_b):
        h = 0.0
        hs = 0.0
        d = 0.0
        for t in range(n_t):
            d = lam * d + h  # ∂_λ h_{t+1} = λ ∂_λ h_t + h_t
            h = lam * h + X[b, t]
            hs = lam_star * hs + X[b, t]
            if t + 1 >= t0:
                r = g * h - gs * hs
                loss += 0.5 * r * r
                grad += r * (gp * h + g * d)
    n = n_b * (n_t - t0 + 1)
    return loss / n, grad / n


def sampled_loss_and_grad(lam: float, lam_star: float, X, *, window_start: int, normalised: bool = False) -> tuple[float, float]:
    """Sampled-data loss ``½⟨(γh_t - γ*h*_t)²⟩`` over ``t ∈ [window_start, T]`` and its ``λ``-derivative (:ref:`memory-simulation-plan`).

    ``X`` has shape (batch, T); both recurrences start at 0; the derivative uses the forward
    sensitivity ``g_{t+1} = λ g_t + h_t`` (and ``γ' = -λ/γ`` when normalised).

    Parameters
    ----------
    lam, lam_star : float
        Student and teacher coefficients (real; in ``(-1, 1)`` when ``normalised``).
    X : array_like, shape (batch, T)
        Input sequences.
    window_start : int in [1, T]
        First time step of the loss window.
    normalised : bool
        Use ``γ = sqrt(1-λ²)`` on both recurrences (differentiated through).

    Returns
    -------
    loss, grad : float
        The loss and ``∂loss/∂λ``.

    Raises
    ------
    TypeError
        Non-numeric ``lam`` or ``lam_star``, or a non-integer ``window_start``.
    ValueError
        ``X`` not a non-empty 2-D array, ``window_start ∉ [1, T]``, non-finite ``lam``/``lam_star``/``X``,
        ``|λ| >= 1`` with ``normalised``, or recurrences that overflow float64 (``|λ| > 1`` over many steps).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import sampled_loss_and_grad
    >>> X = np.random.default_rng(0).standard_normal((8, 12))
    >>> loss, grad = sampled_loss_and_grad(0.3, 0.5, X, window_start=6)
    >>> h = 1e-6  # central difference of the loss in λ
    >>> fd = (sampled_loss_and_grad(0.3 + h, 0.5, X, window_start=6)[0]
    ...       - sampled_loss_and_grad(0.3 - h, 0.5, X, window_start=6)[0]) / (2 * h)
    >>> bool(np.isclose(grad, fd, rtol=1e-6)), sampled_loss_and_grad(0.5, 0.5, X, window_start=6)
    (True, (0.0, 0.0))
    """
    X = np.ascontiguousarray(as_float_array("X", X))
    if X.ndim != 2 or X.size == 0:
        raise ValueError(f"X must be a non-empty 2-D array (batch, T), got shape {X.shape}")
    window_start = check_int("window_start", window_start, minimum=1, maximum=X.shape[1])
    lam = check_finite_scalar("lam", lam)
    lam_star = check_finite_scalar("lam_star", lam_star)
    if normalised and (abs(lam) >= 1 or abs(lam_star) >= 1):
        raise ValueError("lam and lam_star must lie in (-1, 1) for the normalised loss")
    loss, grad = _sampled(lam, lam_star, bool(normalised), X, window_start)
    if not (np.isfinite(loss) and np.isfinite(grad)):
        raise ValueError(f"lam, lam_star and X: the recurrences overflow float64 over T = {X.shape[1]} steps "
                         f"(|lam| = {abs(lam)!r}, |lam_star| = {abs(lam_star)!r}, max |X| = {float(np.max(np.abs(X)))!r})")
    return loss, grad


@dataclass(frozen=True)
class LambdaTrajectory:
    """Gradient descent on ``λ`` (:ref:`memory-teacher-student`, :ref:`memory-simulation-plan`).

    Attributes
    ----------
    step : ndarray, shape (n,)
        Steps recorded (0 .. last step taken).
    lam : ndarray, shape (n,), float or complex
    omega : ndarray, shape (n, 1 or 2)
        Trainable coordinates.
    loss : ndarray, shape (n,)
        Closed-form stationary loss at each ``λ`` (also for sampled-data runs).
    status : {"converged", "not_converged", "diverged"}
        Converged: the loss reached ``target · loss[0]``; diverged: ``|λ|`` reached 1
        or a value became non-finite (the run stops there).
    converged_step : int or None
        First step with ``loss <= target · loss[0]``.
    target : float
        The convergence threshold relative to ``loss[0]``.
    diverged : bool
        ``status == "diverged"`` (property).

    Examples
    --------
    >>> from lrnn_theory.memory import train_lambda
    >>> from lrnn_theory.optim import SGD
    >>> run = train_lambda(0.5, 0.2, SGD(lr=0.3), steps=10)
    >>> run.status, run.diverged, run.lam.shape == run.loss.shape == (11,)
    ('converged', False, True)
    """

    step: np.ndarray
    lam: np.ndarray
    omega: np.ndarray
    loss: np.ndarray
    status: str
    converged_step: int | None
    target: float

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"


def train_lambda(lam_star, lam0, optimiser: Optimiser, *, parametrisation: Parametrisation = Parametrisation(),
                 steps: int = 1000, loss: str = "exact", batch: int = 256, window: int | None = None,
                 target: float = 1e-3, stop_at_target: bool = False, seed: int = 0) -> LambdaTrajectory:
    """Train a student eigenvalue towards a teacher's (:ref:`memory-teacher-student`, :ref:`memory-simulation-plan`).

    Parameters
    ----------
    lam_star : float or complex, ``|λ*| < 1``
    lam0 : float or complex, ``|λ_0| < 1``
        Start; complex (non-real) ``lam0`` trains modulus and phase, real ``lam0`` trains a real
        ``λ`` (then ``lam_star`` must be real).
    optimiser : SGD, NormalisedSGD or Adam
    parametrisation : Parametrisation
    steps : int >= 1
    loss : {"exact", "sampled"}
        Closed-form stationary loss (:ref:`memory-teacher-student`) or sampled white-noise batches (:ref:`memory-simulation-plan`, real ``λ``
        only): ``batch`` sequences of length ``2·window``, loss on ``t ∈ [window, 2·window]``;
        ``window`` defaults to ``ceil(15/(1-|λ*|))``.
    target : float in (0, 1)
        Convergence threshold relative to the initial loss.
    stop_at_target : bool
        Stop at the first step that reaches it.
    seed : int
        Seeds the sampled batches (``numpy.random.default_rng(seed)``).

    Returns
    -------
    LambdaTrajectory

    Raises
    ------
    TypeError
        ``optimiser`` not an optimiser object, ``parametrisation`` not a :class:`Parametrisation`,
        non-numeric ``lam_star``/``lam0``, or a non-integer ``steps``, ``batch``, ``window`` or ``seed``.
    ValueError
        ``optimiser`` given by name, ``|λ*| >= 1`` or ``|λ_0| >= 1``, a real ``lam0`` with a
        complex ``lam_star``, ``steps < 1``, an unknown ``loss``, ``target ∉ (0, 1)``,
        ``loss="sampled"`` with complex ``λ``, ``lam0`` outside the domain of the parametrisation, or a
        default sampled ``window`` needing more than ``2^25`` samples per step (``|λ*|`` near 1).

    Examples
    --------
    >>> from lrnn_theory.memory import train_lambda
    >>> from lrnn_theory.optim import SGD
    >>> run = train_lambda(0.5, 0.2, SGD(lr=0.3), steps=20)  # stable: lr < 2/L''(λ*) = 0.675
    >>> run.status, run.converged_step, round(float(run.lam[-1]), 9)
    ('converged', 4, 0.5)
    """
    optimiser = check_optimiser("optimiser", optimiser)
    if not isinstance(parametrisation, Parametrisation):
        raise TypeError(f"parametrisation must be a Parametrisation, got {type(parametrisation).__name__}")
    ls = check_finite_scalar("lam_star", lam_star, allow_complex=True)
    l0 = check_finite_scalar("lam0", lam0, allow_complex=True)
    if not _inside_scalar(ls):
        raise ValueError(f"lam_star must satisfy |lam_star| < 1, got {ls!r}")
    if not _inside_scalar(l0):
        raise ValueError(f"lam0 must satisfy |lam0| < 1, got {l0!r}")
    real = not (isinstance(l0, complex) and l0.imag != 0)
    if real and isinstance(ls, complex) and ls.imag != 0:
        raise ValueError("lam0 must be complex when lam_star is complex (a real λ cannot reach it)")
    steps = check_int("steps", steps, minimum=1)
    loss = check_choice("loss", loss, LOSSES)
    target = check_positive_float("target", target)
    if target >= 1:
        raise ValueError(f"target must be in (0, 1), got {target!r}")
    seed = check_seed("seed", seed)
    if loss == "sampled":
        if not real:
            raise ValueError("loss='sampled' supports real lam only")
        batch = check_int("batch", batch, minimum=1)
        if window is None:
            default = 15 / (1 - abs(ls))
            if batch * 2 * default > _MAX_DEFAULT_SAMPLES:
                raise ValueError(f"lam_star: |lam_star| = {abs(ls)!r} is so close to 1 that the default window "
                                 f"ceil(15/(1-|lam_star|)) = {default:.3g} needs batch x 2 window = {batch * 2 * default:.3g} "
                                 f"samples per step (more than {_MAX_DEFAULT_SAMPLES:.1e}); pass window explicitly")
            window = int(np.ceil(default))
        else:
            window = check_int("window", window, minimum=1)
        rng = np.random.default_rng(seed)
    norm = parametrisation.normalised

    exact, exact_gradient = _unchecked_loss_and_gradient(ls, norm)  # inputs checked above; |λ| < 1 kept below

    omega = parametrisation.to_omega(l0 if not real else float(np.real(l0)))
    state = optimiser.init(omega)
    lam = parametrisation.to_lambda(omega)
    lams, omegas, losses = [lam], [omega], [exact(lam)]
    status, hit = "not_converged", None
    for k in range(steps):
        if loss == "exact":
            d_nu, d_theta = exact_gradient(lam)
            if real:
                d_nu = float(d_nu) * (1.0 if lam >= 0 else -1.0)  # ∂L/∂λ on the real axis
        else:
            X = rng.standard_normal((batch, 2 * window))
            _, d_nu = _sampled(float(lam), float(np.real(ls)), norm, X, window)
            d_theta = 0.0
        grad = parametrisation.chain(omega, float(d_nu), float(d_theta))
        delta, state = optimiser.step(grad, state, k)
        omega = omega + delta
        lam = parametrisation.to_lambda(omega)
        if not np.all(np.isfinite(omega)) or not np.isfinite(abs(lam)) or not _inside_scalar(lam):
            status = "diverged"
            break
        lams.append(lam)
        omegas.append(omega)
        losses.append(exact(lam))
        if hit is None and losses[-1] <= target * losses[0]:
            hit = k + 1
            if stop_at_target:
                break
    if status != "diverged":
        status = "converged" if losses[-1] <= target * losses[0] else "not_converged"
    return LambdaTrajectory(step=np.arange(len(lams)), lam=np.asarray(lams), omega=np.asarray(omegas),
                            loss=np.asarray(losses), status=status, converged_step=hit, target=target)


@dataclass(frozen=True)
class LrScan:
    """Steps to reach ``target · L_0`` for each learning rate (``inf`` when never reached or diverged).

    Attributes
    ----------
    lrs : ndarray, shape (n,)
        Learning rates scanned.
    steps_to_target : ndarray, shape (n,)
        Steps to reach the target (``inf`` if never reached or diverged).
    status : tuple of str, length n
        :attr:`LambdaTrajectory.status` of each run.
    best_lr, best_steps : float
        Fastest learning rate and its step count (properties).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import LrScan
    >>> scan = LrScan(lrs=np.array([0.1, 0.3]), steps_to_target=np.array([15.0, 4.0]), status=("converged", "converged"))
    >>> scan.best_lr, scan.best_steps
    (0.3, 4.0)
    """

    lrs: np.ndarray
    steps_to_target: np.ndarray
    status: tuple[str, ...]

    @property
    def best_lr(self) -> float:
        return float(self.lrs[np.argmin(self.steps_to_target)])

    @property
    def best_steps(self) -> float:
        return float(np.min(self.steps_to_target))


def lr_scan(lam_star, lam0, optimiser: type, lrs, *, parametrisation: Parametrisation = Parametrisation(),
            steps: int = 2000, loss: str = "exact", target: float = 1e-3, seed: int = 0, **kwargs) -> LrScan:
    """Steps-to-target over a learning-rate grid for one optimiser class (:ref:`memory-simulation-plan` sweep; :ref:`theory-checks-memory`).

    Each learning rate runs :func:`train_lambda` with ``optimiser(lr=lr, **kwargs)`` and
    ``stop_at_target=True``.

    Parameters
    ----------
    lam_star, lam0 : float or complex, ``|λ| < 1``
    optimiser : {SGD, NormalisedSGD, Adam}
        The optimiser *class* (from :mod:`lrnn_theory.optim`).
    lrs : array_like, shape (n,)
        Positive learning rates.
    parametrisation, steps, loss, target, seed
        As in :func:`train_lambda`.
    **kwargs
        Further optimiser arguments (e.g. ``beta1`` for Adam).

    Returns
    -------
    LrScan

    Raises
    ------
    ValueError
        ``optimiser`` not one of the three classes, ``lrs`` not a non-empty 1-D array of finite
        positive numbers, or any argument :func:`train_lambda` rejects (which may also raise
        ``TypeError``).

    Examples
    --------
    >>> from lrnn_theory.memory import lr_scan
    >>> from lrnn_theory.optim import SGD
    >>> scan = lr_scan(0.5, 0.2, SGD, [0.1, 0.3, 3.0], steps=100)  # 2/H* = 0.675 at λ* = 0.5
    >>> scan.steps_to_target.tolist(), scan.status[-1], scan.best_lr
    ([15.0, 4.0, inf], 'diverged', 0.3)
    """
    if optimiser not in (SGD, NormalisedSGD, Adam):
        raise ValueError(f"optimiser must be one of the classes SGD, NormalisedSGD, Adam, got {optimiser!r}")
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))
    if lrs.ndim != 1 or lrs.size == 0 or np.any(~np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError("lrs must be a non-empty 1-D array of positive learning rates")
    out, stat = [], []
    for lr in lrs:
        run = train_lambda(lam_star, lam0, optimiser(lr=float(lr), **kwargs), parametrisation=parametrisation, steps=steps,
                           loss=loss, target=target, stop_at_target=True, seed=seed)
        out.append(np.inf if run.converged_step is None or run.diverged else run.converged_step)
        stat.append(run.status)
    return LrScan(lrs=lrs, steps_to_target=np.asarray(out, dtype=float), status=tuple(stat))



def loss_in_omega(omega_nu, omega_theta, lam_star, parametrisation: Parametrisation = Parametrisation()) -> np.ndarray:
    """Closed-form loss ``L(λ(ω_ν, ω_θ), λ*)`` over broadcast arrays of trainable coordinates (:ref:`memory-reparametrisation`, :ref:`memory-teacher-student`; :ref:`gallery-memory-f3`, :ref:`gallery-memory-f4`).

    Parameters
    ----------
    omega_nu, omega_theta : array_like, real
        Trainable modulus and phase coordinates, broadcast together.
    lam_star : float or complex, ``|λ*| < 1``
    parametrisation : Parametrisation

    Returns
    -------
    ndarray, float, broadcast shape
        The stationary loss; NaN where ``|λ(ω)| >= 1``.

    Raises
    ------
    TypeError
        ``parametrisation`` not a :class:`Parametrisation`, or non-numeric coordinates or ``lam_star``.
    ValueError
        Non-finite coordinates or ``lam_star``, or ``|λ*| >= 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import loss_in_omega, teacher_student_loss
    >>> L = loss_in_omega([0.5, 0.9, 1.2], 0.0, 0.5)  # direct: λ = ω_ν e^{iω_θ}
    >>> float(L[0]), bool(np.isclose(L[1], teacher_student_loss(0.9, 0.5))), bool(np.isnan(L[2]))
    (0.0, True, True)
    """
    if not isinstance(parametrisation, Parametrisation):
        raise TypeError(f"parametrisation must be a Parametrisation, got {type(parametrisation).__name__}")
    lam = parametrisation.lam_of(as_float_array("omega_nu", omega_nu), as_float_array("omega_theta", omega_theta))
    lam = np.where(_inside(lam), lam, np.nan)  # the domain test of teacher_student_loss, in its arithmetic
    ls = check_finite_scalar("lam_star", lam_star, allow_complex=True)
    out = np.full(lam.shape, np.nan)
    ok = np.isfinite(lam)
    out[ok] = teacher_student_loss(lam[ok], ls, normalised=parametrisation.normalised)
    return out


def omega_curvature(omega, lam_star, parametrisation: Parametrisation = Parametrisation(), *, axis: int = 0,
                    h: float = 1e-6) -> float:
    """``∂²L/∂ω_axis²`` at ``omega`` (shape (2,)): central difference of the analytic gradient, error ``O(h²)``.

    The curvature of the closed-form loss in the trainable coordinates (:ref:`memory-reparametrisation`,
    :ref:`memory-teacher-student`).

    Parameters
    ----------
    omega : array_like, shape (2,)
        ``(ω_ν, ω_θ)``.
    lam_star : float or complex, ``|λ*| < 1``
    parametrisation : Parametrisation
    axis : {0, 1}
        Modulus (0) or phase (1) coordinate.
    h : float > 0
        Relative finite-difference step (scaled by ``1 + |ω_axis|``).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        ``parametrisation`` not a :class:`Parametrisation`, non-numeric ``omega``/``lam_star``/``h``,
        or a non-integer ``axis``.
    ValueError
        ``omega`` without 2 entries, ``axis ∉ {0, 1}``, ``h <= 0``, non-finite values, or a
        finite-difference point ``ω ± h`` outside the domain ``|λ(ω)| < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import omega_curvature
    >>> from lrnn_theory.memory import teacher_student_curvature
    >>> H = omega_curvature([0.92, 0.0], 0.92 + 0j)  # at the optimum, direct parametrisation
    >>> bool(np.isclose(H, teacher_student_curvature(0.92), rtol=1e-7))
    True
    """
    if not isinstance(parametrisation, Parametrisation):
        raise TypeError(f"parametrisation must be a Parametrisation, got {type(parametrisation).__name__}")
    omega = as_float_array("omega", omega, ndim=1)
    if omega.size != 2:
        raise ValueError(f"omega must have 2 entries (ω_ν, ω_θ), got {omega.size}")
    axis = check_int("axis", axis, minimum=0, maximum=1)
    ls = check_finite_scalar("lam_star", lam_star, allow_complex=True)
    step = check_positive_float("h", h) * (1 + abs(omega[axis]))
    e = np.zeros(2)
    e[axis] = step

    def grad(w):
        lam = parametrisation.to_lambda(w)
        d_nu, d_theta = teacher_student_gradient(lam, ls, normalised=parametrisation.normalised)
        return parametrisation.chain(w, float(d_nu), float(d_theta))[axis]

    for w in (omega + e, omega - e):
        if not _inside_scalar(parametrisation.to_lambda(w)):
            raise ValueError(f"omega and h: the finite-difference point {w.tolist()} maps to |λ| >= 1 (outside the "
                             "stationary domain); move omega inside or lower h")
    return float((grad(omega + e) - grad(omega - e)) / (2 * step))
