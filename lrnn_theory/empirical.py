"""From data ``(X, Y)`` to the theory's task dynamics and predictions (theory guide :ref:`own-data`).

The theory of Proca et al. (2025), Sec. 3, decouples the learning of a linear RNN into
independent connectivity modes when (theory guide :ref:`theory-assumptions`)

* the inputs are white across steps and dimensions, ``Σ^{X_t X_t'} = δ_{tt'} I``, and
* the input–output correlations of every step share their singular vectors,
  ``Σ^{YX_t} = U_y diag(s_t) V_xᵀ``.

:func:`task_dynamics` centres the data (the network has no bias), estimates ``U_y``, ``V_x``
and ``S`` from the regression coefficients ``Σ^{YX}(Σ^{XX})^+`` (equal to the correlations
for white inputs; theory guide :ref:`own-data-regression`) and says, with two numbers, how
far the data are from these assumptions: the *misalignment* (energy of the coefficients off
the modes) and the *whiteness* (deviation of the input covariance from ``δ_{tt'} I``, within
a step and across steps).  Its result predicts the loss curve (the exact loss of the
predicted network on the data) and the mode trajectories of an aligned network
(:meth:`TaskDynamics.predict`), and where each mode's flow ends
(:meth:`TaskDynamics.reachable`); :func:`train_and_compare` trains the full network on the
raw ``(X, Y)`` with :func:`lrnn_theory.simulate_gd` and reports how far the prediction is
off, whether both have converged, and a verdict (theory guide :ref:`own-data-verdict`).

:func:`perturbed_dataset` builds data with a controlled departure from the assumptions
(a rotation of one step's output singular vectors, a cross-time input correlation) for
validating the diagnostics.

Convention: ``"normalised"`` (default) weights correlations and loss by ``1/P``,
``"sum"`` by 1 (theory guide :ref:`theory-conventions`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _verdict as _v
from ._validation import as_float_array, check_choice, check_finite_scalar, check_int, check_positive_float, check_seed
from .conventions import CONVENTIONS, ode_time
from .data import Dataset, make_dataset

__all__ = ["DataComparison", "Prediction", "Reachable", "TaskDynamics", "perturbed_dataset", "task_dynamics", "train_and_compare"]

#: Diagnostics below this count as "assumption holds" in :attr:`TaskDynamics.decouples`.
DECOUPLING_TOL = 1e-8


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Prediction:
    """The theory's learning curve for an aligned network (result of :meth:`TaskDynamics.predict`).

    Attributes
    ----------
    step : ndarray of int, shape (n,)
        Gradient-descent steps.
    time : ndarray, shape (n,)
        ODE time ``step·lr`` in units of ``τ`` (:func:`lrnn_theory.conventions.ode_time`).
    loss : ndarray, shape (n,)
        Predicted loss: the loss on the data (their actual second moments, centred as
        :attr:`TaskDynamics.centred`) of the aligned network whose modes follow the trajectory;
        never negative; equal to ``Σ_α E_α + residual`` when the inputs are white (theory guide
        :ref:`own-data-prediction`).
    trajectory : ModeTrajectory
        Per-mode ``a, b, c, energy`` of shape (n_modes, n) (:func:`lrnn_theory.integrate_modes`).
    residual : float
        :attr:`TaskDynamics.residual`.
    limit : float
        Predicted loss at the fixed point the flow reaches (:attr:`Reachable.loss`).
    converged : bool
        ``loss[-1] - limit <= 0.01·max(limit, 1e-3·loss[0])``: the prediction has converged by the last step.
    reachable : Reachable or None
        The fixed point the flow reaches and the global minimiser (:meth:`TaskDynamics.reachable`).

    Examples
    --------
    >>> import lrnn_theory as lt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(4, delta=1.0, lam=0.5), 2, 2, 16, seed=0)
    >>> pred = lt.task_dynamics(data.X, data.Y).predict(lr=0.05, steps=400, scale=0.1)
    >>> pred.loss.shape, round(float(pred.u[0, -1]), 4), round(float(pred.b[0, -1]), 4)  # fixed point u* = δ, b* = λ
    ((201,), 1.0, 0.5)
    """

    step: np.ndarray
    time: np.ndarray
    loss: np.ndarray
    trajectory: object
    residual: float
    limit: float = float("nan")
    converged: bool = False
    reachable: Reachable | None = None

    def __repr__(self) -> str:
        return (f"Prediction({self.trajectory.b.shape[0]} modes, {self.step.size} steps up to {int(self.step[-1])}, "
                f"loss {float(self.loss[0]):.4g} -> {float(self.loss[-1]):.4g}, limit={self.limit:.4g}, "
                f"converged={self.converged})")

    @property
    def u(self) -> np.ndarray:
        """Input–output modes ``u = a c``, shape (n_modes, n)."""
        return self.trajectory.a * self.trajectory.c

    @property
    def b(self) -> np.ndarray:
        """Recurrent modes, shape (n_modes, n)."""
        return self.trajectory.b


@dataclass(frozen=True)
class Reachable:
    """Where the mode flow goes from its start, and the global minimiser beside it (result of
    :meth:`TaskDynamics.reachable`; theory guide :ref:`own-data-reachable`).

    Attributes
    ----------
    b, u, energy : ndarray, shape (n_modes,)
        ``b``, ``u = ac`` and the mode energy at the end of the flow (ODE time ``10⁶ τ``).
    global_b, global_u, global_energy : ndarray, shape (n_modes,)
        The global minimiser of the profile energy (:func:`lrnn_theory.fixed_point`).
    differs : ndarray of bool, shape (n_modes,)
        The flow ends at a higher energy than the global minimiser (by more than ``1e-9·½‖s‖²``):
        trapped in another basin.  A different point of the same energy (degenerate minimisers) is not flagged.
    basin : tuple of str
        Per mode: ``"global minimiser"``, the local minimum of ``E*(b)`` whose basin the flow
        ends in, or ``"zero mode"``.
    loss : float
        Loss on the data of the aligned network at the reached fixed point (the predicted final loss).
    global_loss : float
        The same at the global minimisers.
    time : float
        ODE time (units of ``τ``) from which the predicted loss stays within 1 % of ``loss``
        (floor ``1e-3·L0``); divide by ``lr`` for a number of steps.
    converged : bool
        The integration ended at a stationary point (energies unchanged to 1e-9 over the last decade of time).

    Examples
    --------
    >>> import lrnn_theory as lt
    >>> d = lt.make_dataset(lt.tasks.inverse_exponential(3, 1.0, 0.5), 2, 2, 6, seed=0)
    >>> r = lt.task_dynamics(d.X, d.Y).reachable(scale=0.1)
    >>> r.converged, round(float(r.u[0]), 9), round(r.loss, 12)
    (True, 1.0, 0.0)
    """

    b: np.ndarray
    u: np.ndarray
    energy: np.ndarray
    global_b: np.ndarray
    global_u: np.ndarray
    global_energy: np.ndarray
    differs: np.ndarray
    basin: tuple
    loss: float
    global_loss: float
    time: float
    converged: bool

    def summary(self) -> dict:
        """The numbers as a JSON-ready dict."""
        return {"b": self.b.tolist(), "u": self.u.tolist(), "energy": self.energy.tolist(),
                "global_b": self.global_b.tolist(), "global_u": self.global_u.tolist(),
                "global_energy": self.global_energy.tolist(), "differs": self.differs.tolist(),
                "basin": list(self.basin), "loss": self.loss, "global_loss": self.global_loss,
                "time": self.time, "converged": self.converged}


@dataclass(frozen=True)
class DataComparison:
    """Theory vs gradient descent on raw data (result of :func:`train_and_compare`).

    Attributes
    ----------
    dynamics : TaskDynamics
        Diagnostics and task dynamics of the data.
    prediction : Prediction
        Theory on the run's record steps.
    run : GDResult
        Full-matrix gradient descent on the raw ``(X, Y)`` (per-step whitened if
        ``dynamics.whitened``), aligned initialisation on the estimated ``U_y, V_x``.
    loss_error : float
        ``max_n |L_theory(n) - L_gd(n)| / L_gd(0)`` over the recorded steps.
    final_loss_error : float
        Same at the last recorded step.
    final_u_error, final_b_error : ndarray, shape (n_modes,)
        ``|u_theory - u_gd|`` and ``|b_theory - b_gd|`` at the last step, with the trained
        modes projected on the estimated singular vectors (``a, b, c`` of
        :func:`lrnn_theory.sim.aligned_modes`).
    off_diagonal : float
        Largest off-diagonal entry of the projected trained weights at the last step: how
        far gradient descent left the aligned solution space.
    loss_error_step, final_loss_error_step : float
        The same errors relative to the trained loss at the same step,
        ``|L_theory(n) - L_gd(n)| / max(L_gd(n), 1e-3·L_gd(0))`` (largest over the steps, and last).
    prediction_converged, run_converged : bool
        The predicted curve is within 1 % of its limit (:attr:`Prediction.converged`); the
        trained loss fell by at most 1 % of its value (floor ``1e-3·L0``) over the second half of the run.
    reachable : Reachable or None
        Fixed point the predicted flow reaches, global minimiser, basins.
    expected_error : float
        :attr:`TaskDynamics.expected_error` (``misalignment + whiteness``).
    order : float or None
        With ``check_order``: ``log2(e(lr)/e(lr/2))`` of ``loss_error_step``; ≈ 1 in the ``O(lr)`` regime.
    half_lr_error : float or None
        ``loss_error_step`` of the run at ``lr/2``.
    progress : float or None
        Fraction of the predicted loss decrease (``L0 - limit``) the run covered; None if nothing to learn.
    verdict : str
        One line: whether the theory applies, with the number that decides it (theory guide :ref:`own-data-verdict`).

    Examples
    --------
    On data that meet the theory's assumptions the prediction is exact at convergence and
    first-order in the learning rate along the way:

    >>> import lrnn_theory as lt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(4, delta=1.0, lam=0.5), 2, 2, 16, seed=0)
    >>> cmp = lt.train_and_compare(data.X, data.Y, lr=0.05, steps=400)
    >>> bool(cmp.final_loss_error < 1e-6), bool(cmp.loss_error < 0.05)
    (True, True)
    """

    dynamics: TaskDynamics
    prediction: Prediction
    run: object
    loss_error: float
    final_loss_error: float
    final_u_error: np.ndarray
    final_b_error: np.ndarray
    off_diagonal: float
    loss_error_step: float = float("nan")
    final_loss_error_step: float = float("nan")
    prediction_converged: bool = False
    run_converged: bool = False
    reachable: Reachable | None = None
    expected_error: float = float("nan")
    order: float | None = None
    half_lr_error: float | None = None
    progress: float | None = None
    verdict: str = ""

    def __repr__(self) -> str:
        order = "" if self.order is None else f", order={self.order:.3g}"
        return (f"DataComparison({self.dynamics.n_modes} modes, T={self.dynamics.T}, {self.prediction.step.size} steps, "
                f"loss_error={self.loss_error:.3g}, loss_error_step={self.loss_error_step:.3g}, "
                f"final_loss_error={self.final_loss_error:.3g}{order}, prediction_converged={self.prediction_converged}, "
                f"run_converged={self.run_converged}, verdict={self.verdict!r})")

    def summary(self) -> dict:
        """The numbers as a JSON-ready dict."""
        return {"loss_error": self.loss_error, "final_loss_error": self.final_loss_error,
                "loss_error_step": self.loss_error_step, "final_loss_error_step": self.final_loss_error_step,
                "loss_floor_relative": _v.LOSS_FLOOR,
                "final_loss_theory": float(self.prediction.loss[-1]), "final_loss_gd": float(self.run.loss[-1]),
                "initial_loss": float(self.run.loss[0]), "predicted_limit": self.prediction.limit,
                "prediction_converged": self.prediction_converged, "run_converged": self.run_converged,
                "final_u_error": self.final_u_error.tolist(), "final_b_error": self.final_b_error.tolist(),
                "off_diagonal": self.off_diagonal, "status": self.run.status,
                "expected_error": self.expected_error, "order": self.order, "half_lr_error": self.half_lr_error,
                "progress": self.progress, "verdict": self.verdict, "centred": self.dynamics.centred,
                "reachable": None if self.reachable is None else self.reachable.summary()}

    def plot(self, *, max_modes: int = 4):
        """Predicted (dashed) vs trained (solid) loss and input–output modes ``u = ac``; returns the Figure."""
        from .plot import mode_colors, panel_grid, theory_vs_simulation
        from .sim.recover import aligned_modes

        max_modes = check_int("max_modes", max_modes, minimum=1)
        run, pred, td = self.run, self.prediction, self.dynamics
        fig, axes = panel_grid(1, 2, width=4.4, height=3.2)
        theory_vs_simulation(axes[0, 0], pred.time, pred.loss, run.time, run.loss, color="C0", label="gradient descent")
        axes[0, 0].set_xlabel("learning time (units of τ)")
        axes[0, 0].set_ylabel(f"loss ({td.convention})")
        axes[0, 0].set_title(f"loss: misalignment {td.misalignment_total:.2g}, "
                             f"whiteness {td.whiteness_within:.2g}/{td.whiteness_cross:.2g}", fontsize=8)
        axes[0, 0].legend(fontsize=7, title="dashed: theory", title_fontsize=7)
        if self.verdict:
            fig.suptitle(self.verdict, fontsize=8)
        modes = aligned_modes(run.W_x, run.W_h, run.W_y, run.R, td.U_y, td.V_x)
        k = min(max_modes, max(td.rank, 1))
        for i, col in zip(range(k), mode_colors(k)):
            theory_vs_simulation(axes[0, 1], pred.time, pred.u[i], run.time, (modes.a * modes.c)[:, i], color=col,
                                 label=f"mode {i}")
        axes[0, 1].set_xlabel("learning time (units of τ)")
        axes[0, 1].set_ylabel("u = ac")
        axes[0, 1].legend(fontsize=7)
        return fig


@dataclass(frozen=True)
class TaskDynamics:
    """Task dynamics of a dataset and how well the theory's assumptions hold (result of :func:`task_dynamics`).

    Attributes
    ----------
    S : ndarray, shape (n_modes, T)
        Task dynamics, ``S[α, t-1] = s_{α,t} = u_αᵀ C_t v_α`` with ``C_t`` the regression
        coefficients (:attr:`coefficients`; ``= Σ^{YX_t}`` for white inputs; ``t = 1`` is the first input);
        ``n_modes = min(N_x, N_y)``, sorted by ``‖s_α‖`` (largest first), sign fixed so that
        each mode's largest ``|s_{α,t}|`` is positive, the earliest one when several are equal to a
        relative 1e-9 (as for :func:`lrnn_theory.make_dataset` whenever the prescribed ``S`` has
        that property).  Zero modes are exactly 0.
    U_y : ndarray, shape (N_y, n_modes)
        Output singular vectors (orthonormal columns); the joint sign of ``(u_α, v_α)`` is
        fixed by a positive largest-magnitude entry of ``v_α`` (the earliest on ties).
    V_x : ndarray, shape (N_x, n_modes)
        Input singular vectors (orthonormal columns).
    misalignment : ndarray, shape (T,)
        Off-diagonal energy fraction per step,
        ``1 - ‖diag(U_yᵀ C_t V_x)‖² / ‖C_t‖_F²`` (0 for a step without correlation).
    misalignment_total : float
        The same over all steps (energies summed before dividing).  0 exactly when the
        shared-singular-vector assumption holds.
    whiteness_within : float
        ``sqrt(Σ_t ‖Σ^{X_t X_t} - I‖_F² / (T N_x))``: deviation of each step's input covariance from ``I``.
    whiteness_cross : float
        ``sqrt(Σ_{t≠t'} ‖Σ^{X_t X_t'}‖_F² / (T (T-1) N_x))`` (0 for ``T = 1``): input
        correlation across steps.  No per-step transform removes it.
    whiteness_matrix : ndarray, shape (T, T)
        ``‖Σ^{X_t X_t'} - δ_{tt'} I‖_F / sqrt(N_x)``.
    whitening : ndarray, shape (T, N_x, N_x)
        Per-step whitening transform ``W_t = (Σ^{X_t X_t})^{-1/2}`` of the *raw* inputs
        (pseudo-inverse on the range: directions without variance map to 0).
    whitened : bool
        The estimates refer to the per-step whitened inputs ``x̃_t = W_t x_t``.
    input_rank : ndarray of int, shape (T,)
        Rank of each step's input covariance (before whitening).
    rank : int
        Number of non-zero modes.
    zero_modes : tuple of int
        Indices of the zero modes (rank-deficient ``Σ^{YX}``).
    syy : float
        ``Σ^{YY} = w Σ_p ‖y_p‖²`` (``w = 1/P`` or 1).
    residual : float
        Loss on the data of the aligned network whose modes are exactly ``s_α``
        (``M_t = U_y diag(s_t) V_xᵀ``); ``≥ 0``; equals ``½ (Σ^{YY} - Σ s²)`` for white inputs.
    convention : str
    n_samples : int
    iterations : int
        Iterations of the joint-SVD refinement; ``max_iter`` when it stopped before converging (then a note
        says so: the estimates are approximate).
    notes : tuple of str
        Plain-language findings (where and why the theory does not apply exactly; the centring).
    centred : bool
        The means were subtracted (``centre=True`` and ``P > T N_x``); every other field refers
        to the centred data.
    mean_x, mean_y : ndarray, shapes (T, N_x), (N_y,)
        The subtracted means (zeros when not centred).
    coefficients : ndarray, shape (T, N_y, N_x)
        Regression coefficients ``C = Σ^{YX} (Σ^{XX})^+`` per step (inputs as :meth:`transform` gives them).
    correlations : ndarray, shape (T, N_y, N_x)
        The raw correlations ``Σ^{YX_t}`` of the same inputs.
    loss_floor : float
        Least-squares loss, that of ``C`` on the data (``≥ 0``): no network does better.
    input_factor, target_factor : ndarray, shapes (k, T N_x), (k, N_y)
        ``K = Σ_x V'ᵀ`` and ``Z = U'ᵀ √w Y`` of the thin SVD ``√w X = U' Σ_x V'ᵀ`` (``Σ^{XX} = KᵀK``), with which
        :meth:`loss` evaluates any network's loss exactly (theory guide :ref:`own-data-prediction`).
    outside_loss : float
        ``½‖√w Y - U' Z‖²``: the part of the loss no linear map of the inputs reaches.

    Examples
    --------
    A dataset built with known task dynamics gives them back, perfectly aligned:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> s = lt.tasks.inverse_exponential(4, delta=1.0, lam=0.5)
    >>> data = lt.make_dataset(s, 2, 2, 16, seed=0)
    >>> td = lt.task_dynamics(data.X, data.Y)
    >>> td.S.shape, bool(np.allclose(td.S[0], s)), td.misalignment_total, td.rank
    ((2, 4), True, 0.0, 1)
    """

    S: np.ndarray
    U_y: np.ndarray
    V_x: np.ndarray
    misalignment: np.ndarray
    misalignment_total: float
    whiteness_within: float
    whiteness_cross: float
    whiteness_matrix: np.ndarray
    whitening: np.ndarray
    whitened: bool
    input_rank: np.ndarray
    rank: int
    zero_modes: tuple
    syy: float
    residual: float
    convention: str
    n_samples: int
    iterations: int
    notes: tuple
    centred: bool = False
    mean_x: np.ndarray | None = None
    mean_y: np.ndarray | None = None
    coefficients: np.ndarray | None = None
    correlations: np.ndarray | None = None
    loss_floor: float = 0.0
    input_factor: np.ndarray | None = None
    target_factor: np.ndarray | None = None
    outside_loss: float = 0.0

    def __repr__(self) -> str:
        return (f"TaskDynamics({self.n_modes} modes, T={self.T}, P={self.n_samples}, rank={self.rank}, "
                f"misalignment_total={self.misalignment_total:.3g}, whiteness={self.whiteness:.3g}, "
                f"residual={self.residual:.4g}, loss_floor={self.loss_floor:.4g}, centred={self.centred}, "
                f"whitened={self.whitened}, convention={self.convention!r})")

    @property
    def n_modes(self) -> int:
        return self.S.shape[0]

    @property
    def whiteness(self) -> float:
        """``‖Σ^{XX} - I‖_F / sqrt(T N_x) = sqrt(ω_within² + (T-1) ω_cross²)``: rms deviation of the whole input
        covariance from the identity, the relative error of the gradient the theory assumes
        (theory guide :ref:`own-data-regression`)."""
        return float(np.sqrt(self.whiteness_within ** 2 + (self.T - 1) * self.whiteness_cross ** 2))

    @property
    def expected_error(self) -> float:
        """Error of the predicted loss curve, relative to the initial loss, that the diagnostics lead one to
        expect: ``misalignment_total + whiteness`` (rule of theory guide :ref:`own-data-verdict`)."""
        return float(self.misalignment_total + self.whiteness)

    def loss(self, g) -> np.ndarray:
        """Loss on the data of aligned networks ``M_t = U_y diag(g[:, t-1]) V_xᵀ`` (theory guide :ref:`own-data-prediction`).

        Exact, from one SVD of the data (``outside_loss + ½‖Z - K Mᵀ‖²``, a sum of squares: never
        negative), in the data's convention, for the data as :meth:`transform` gives them.

        Parameters
        ----------
        g : array_like, shape (n_modes, T) or (n_modes, T, n)
            Per-mode map at every step, e.g. ``u_α b_α^{T-t}`` (``S`` itself gives :attr:`residual`).

        Returns
        -------
        float or ndarray, shape (n,)

        Raises
        ------
        TypeError
            ``g`` is not an array of real numbers.
        ValueError
            ``g`` is not of shape ``(n_modes, T)`` or ``(n_modes, T, n)``, or not finite.
        """
        g = as_float_array("g", g, ndim=(2, 3), allow_empty=True)
        if g.shape[:2] != self.S.shape:
            raise ValueError(f"g must have shape (n_modes, T) = {self.S.shape} or (n_modes, T, n), got {g.shape}")
        return self._loss(g)

    def _loss(self, g) -> np.ndarray:
        """:meth:`loss` without the argument checks (internal curves: a diverged trajectory gives NaN, flagged
        by its status)."""
        g = np.asarray(g, float)
        squeeze = g.ndim == 2
        g = g[..., None] if squeeze else g
        K = self.input_factor
        KV = np.einsum("ktx,xa->tka", K.reshape(K.shape[0], self.T, self.V_x.shape[0]), self.V_x, optimize=True)
        out = _aligned_loss(self.outside_loss, self.target_factor, KV, self.U_y, g)
        return float(out[0]) if squeeze else out

    @property
    def T(self) -> int:
        return self.S.shape[1]

    @property
    def decouples(self) -> bool:
        """All three diagnostics below ``1e-8``: the theory's mode decoupling holds (to rounding)."""
        return bool(self.misalignment_total < DECOUPLING_TOL and self.whiteness_within < DECOUPLING_TOL
                    and self.whiteness_cross < DECOUPLING_TOL)

    def fixed_points(self):
        """Predicted solution of every mode, :func:`lrnn_theory.fixed_point` of ``S`` (a ``FixedPoint``, shape (n_modes,))."""
        from .closed_forms import fixed_point

        return fixed_point(self.S)

    def transform(self, X) -> np.ndarray:
        """Inputs as the estimates see them: ``X`` per-step whitened if :attr:`whitened`, else ``X`` itself.

        Parameters
        ----------
        X : array_like, shape (P', T, N_x)

        Returns
        -------
        ndarray, shape (P', T, N_x)
        """
        X = as_float_array("X", X, ndim=3)
        if X.shape[1:] != (self.T, self.whitening.shape[1]):
            raise ValueError(f"X must have shape (P, {self.T}, {self.whitening.shape[1]}), got {X.shape}")
        if self.centred:
            X = X - self.mean_x
        return np.einsum("tij,ptj->pti", self.whitening, X) if self.whitened else X

    def dataset(self, X, Y) -> Dataset:
        """The raw ``(X, Y)`` (transformed by :meth:`transform`) as a :class:`~lrnn_theory.data.Dataset`
        carrying the estimated ``U_y, V_x, S``, ready for ``simulate_gd(..., init="aligned")``.

        Nothing is re-drawn or re-whitened: gradient descent sees the data themselves.
        """
        X = self.transform(X)
        Y = as_float_array("Y", Y, ndim=2)
        if Y.shape != (X.shape[0], self.U_y.shape[0]):
            raise ValueError(f"Y must have shape ({X.shape[0]}, {self.U_y.shape[0]}), got {Y.shape}")
        if self.centred:
            Y = Y - self.mean_y
        return Dataset(X=np.ascontiguousarray(X), Y=np.ascontiguousarray(Y), convention=self.convention,
                       U_y=self.U_y, V_x=self.V_x, S=self.S, whitened=False)

    def predict(self, *, lr: float, steps: int, scale: float = 0.1, record_every: int | None = None,
                modes0=None) -> Prediction:
        """The theory's loss curve and mode trajectories under aligned initialisation.

        Every mode starts at ``a = b = c = scale`` (or ``modes0 = (a0, b0, c0)``, each scalar
        or length ``n_modes``), as ``simulate_gd(init="aligned")``; ``steps`` updates at
        learning rate ``lr`` are ODE time ``steps·lr`` (:func:`lrnn_theory.conventions.ode_time`).

        Parameters
        ----------
        lr : float
            Learning rate ``η``.
        steps : int
            Number of gradient-descent steps.
        scale : float
            Initial value of every mode.
        record_every : int, optional
            Output every that many steps (default ``steps // 200``, as :func:`lrnn_theory.simulate_gd`).
        modes0 : (a0, b0, c0), optional

        Returns
        -------
        Prediction

        Examples
        --------
        >>> import numpy as np, lrnn_theory as lt
        >>> d = lt.make_dataset(lt.tasks.inverse_exponential(3, 1.0, 0.5), 2, 2, 6, seed=0)
        >>> p = lt.task_dynamics(d.X, d.Y).predict(lr=0.05, steps=4000)
        >>> round(float(p.loss[-1]), 4)
        0.0
        """
        lr = check_positive_float("lr", lr)
        steps = check_int("steps", steps, minimum=1)
        every = max(1, steps // 200) if record_every is None else check_int("record_every", record_every, minimum=1)
        grid = np.unique(np.r_[np.arange(0, steps + 1, every), steps]).astype(np.int64)
        return self._predict_at(grid, lr, scale, modes0)

    def _predict_at(self, grid, lr, scale, modes0) -> Prediction:
        from .sim.gd import _initial_modes

        scale = check_positive_float("scale", scale, allow_zero=True)
        a0, b0, c0 = _initial_modes(modes0, scale, self.n_modes)
        t = ode_time(grid, lr)
        if t.size == 1:  # integrate_modes needs two times
            t2 = np.array([0.0, 1.0]) if t[0] == 0 else np.array([0.0, t[0]])
            traj = _integrate(self.S, a0, b0, c0, t2)
            keep = 0 if t[0] == 0 else 1
            traj = _slice_trajectory(traj, keep)
        else:
            traj = _integrate(self.S, a0, b0, c0, t)
        loss = self._loss(_gains(traj.a * traj.c, traj.b, self.T))
        reach = self.reachable(modes0=(a0, b0, c0))
        L0 = float(loss[0]) if t[0] == 0 else float(self._loss(_gains(a0 * c0, b0, self.T)))
        return Prediction(step=np.asarray(grid), time=t, loss=loss, trajectory=traj, residual=self.residual,
                          limit=reach.loss, converged=_v.limit_converged(float(loss[-1]), reach.loss, L0),
                          reachable=reach)

    def reachable(self, *, scale: float = 0.1, modes0=None) -> Reachable:
        """The fixed point each mode's flow reaches from its start, and the global minimiser beside it.

        The mode ODEs are integrated from ``a = b = c = scale`` (or ``modes0``) to convergence
        (ODE time ``10⁶ τ``, :func:`lrnn_theory.integrate_modes`); the end point is placed in the
        basin of a local minimum of the profile energy ``E*(b)``
        (:func:`lrnn_theory.landscape.local_minima`) and compared with the global minimiser
        (:func:`lrnn_theory.fixed_point`).  Theory guide :ref:`own-data-reachable`,
        :ref:`theory-profile-energy`; Proca et al. (2025), App. H.

        Parameters
        ----------
        scale : float
            Initial value of every mode.
        modes0 : (a0, b0, c0), optional
            Initial modes, each scalar or length ``n_modes``.

        Returns
        -------
        Reachable

        Examples
        --------
        >>> import numpy as np, lrnn_theory as lt
        >>> d = lt.make_dataset(lt.tasks.inverse_exponential(3, 1.0, 0.5), 2, 2, 6, seed=0)
        >>> r = lt.task_dynamics(d.X, d.Y).reachable()
        >>> round(float(r.b[0]), 9), bool(r.differs[0]), r.basin[0]
        (0.5, False, 'global minimiser')
        """
        from .closed_forms import fixed_point
        from .landscape import local_minima
        from .sim.gd import _initial_modes

        scale = check_positive_float("scale", scale, allow_zero=True)
        a0, b0, c0 = _initial_modes(modes0, scale, self.n_modes)
        m, T = self.S.shape
        live = np.array([i for i in range(m) if i not in self.zero_modes], dtype=int)
        t = np.r_[0.0, np.geomspace(1e-2, 1e6, 321)]
        a_end, b_end, c_end = np.zeros(m), np.zeros(m), np.zeros(m)
        ok = True
        g_curve = np.zeros((m, T, t.size))
        traj = None
        if m:
            # every mode, zero modes included: they decay (slowly, their energy is quartic) in the network too,
            # and the time to convergence must count them; their limit is 0 exactly
            traj = _integrate(self.S, a0, b0, c0, t)
            g_curve = _gains(traj.a * traj.c, traj.b, T)
        if live.size:
            a_end[live], b_end[live], c_end[live] = traj.a[live, -1], traj.b[live, -1], traj.c[live, -1]
            e = traj.energy[live]
            ok = bool(np.all(traj.status[live] == 0) and np.all(
                np.abs(e[:, -1] - e[:, -41]) <= 1e-9 * np.maximum(e[:, -1], 1e-300) + 1e-14 * np.sum(self.S[live] ** 2, axis=1)))
        u_end = a_end * c_end
        fp = fixed_point(self.S)
        gb, gu, ge = np.asarray(fp.b, float), np.asarray(fp.u, float), np.asarray(fp.energy, float)
        E_end = np.array([0.5 * np.sum((self.S[i] - u_end[i] * b_end[i] ** np.arange(T - 1, -1, -1)) ** 2)
                          for i in range(m)])
        differs = np.zeros(m, bool)
        edge = [", at the edge of the search range [-1, 3]" if e else "" for e in np.atleast_1d(fp.at_boundary)]
        basin = []
        for i in range(m):
            if i not in live:
                basin.append("zero mode")
                continue
            same = abs(b_end[i] - gb[i]) <= 1e-5 * (1 + abs(gb[i])) and abs(u_end[i] - gu[i]) <= 1e-5 * (1 + abs(gu[i]))
            if same:
                basin.append("global minimiser")
                continue
            if E_end[i] <= ge[i] + 1e-9 * 0.5 * float(np.sum(self.S[i] ** 2)):  # another point, as low: degenerate
                basin.append(f"global minimiser (degenerate: b = {b_end[i]:.4g} and b = {gb[i]:.4g} have the same E*)")
                continue
            differs[i] = True
            try:
                lm = local_minima(self.S[i]) if T > 1 else None
            except ValueError:  # no interior minimum on [-1, 3]
                lm = None
            if lm is not None and lm.b.size:
                j = int(np.argmin(np.abs(lm.b - b_end[i])))
                if abs(lm.b[j] - b_end[i]) < 1e-3 * (1 + abs(b_end[i])):
                    basin.append(f"local minimum of E*(b) at b = {b_end[i]:.4g} (E* = {E_end[i]:.4g}); the global "
                                 f"minimiser b = {gb[i]:.4g} (E* = {ge[i]:.4g}{edge[i]}) lies in another basin")
                    continue
            basin.append(f"b = {b_end[i]:.4g} (E = {E_end[i]:.4g}), not a minimum of E*(b) on [-1, 3]; global "
                         f"minimiser b = {gb[i]:.4g} (E* = {ge[i]:.4g}){edge[i]}")
        L_curve = self._loss(g_curve)
        L_end = float(self._loss(_gains(u_end, b_end, T)))
        L_glob = float(self._loss(_gains(gu, gb, T)))
        L0 = float(L_curve[0])
        done = np.flatnonzero(L_curve - L_end <= _v.CONVERGED_RTOL * max(L_end, _v.LOSS_FLOOR * L0))
        t_conv = float(t[done[0]]) if done.size else float("inf")
        return Reachable(b=b_end, u=u_end, energy=E_end, global_b=gb, global_u=gu, global_energy=ge,
                         differs=differs, basin=tuple(basin), loss=L_end, global_loss=L_glob, time=t_conv,
                         converged=ok)


def _integrate(S, a0, b0, c0, t):
    """:func:`lrnn_theory.integrate_modes` on ``S`` of shape (n_modes, T): the layout is known here, so the
    warning about an ambiguous (m, 1) shape does not apply."""
    import warnings

    from .integrate import integrate_modes

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"s has shape .* read as", category=UserWarning)
        return integrate_modes(S, a0, b0, c0, t)


def _gains(u, b, T: int) -> np.ndarray:
    """``g[α, t-1, ...] = u_α b_α^{T-t}``: the aligned network's map per step, shape (m, T) + u.shape[1:]."""
    u, b = np.asarray(u), np.asarray(b)
    k = np.arange(T - 1, -1, -1).reshape((1, T) + (1,) * (b.ndim - 1))
    with np.errstate(over="ignore", invalid="ignore"):
        return u[:, None] * b[:, None] ** k


def _slice_trajectory(traj, i):
    import dataclasses

    fields = {f.name: getattr(traj, f.name) for f in dataclasses.fields(traj)}
    for k in ("a", "b", "c", "energy"):
        fields[k] = fields[k][..., i:i + 1]
    fields["t"] = traj.t[i:i + 1]
    return type(traj)(**fields)


# ----------------------------------------------------------------------------- estimation


def _check_xy(X, Y):
    """Validate raw data, naming the argument; return float64 arrays."""
    for name, value, nd in (("X", X, 3), ("Y", Y, 2)):
        if isinstance(value, (str, bytes)) or not hasattr(np.asarray(value), "shape"):
            raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
        shape = np.shape(value)
        if len(shape) != nd:
            want = "(P, T, N_x)" if name == "X" else "(P, N_y)"
            raise ValueError(f"{name} must have shape {want}, got shape {shape}")
    if np.shape(X)[1] == 0:
        raise ValueError(f"X must have T >= 1 time steps (shape (P, T, N_x)), got shape {np.shape(X)}")
    if 0 in np.shape(X):
        raise ValueError(f"X must have P >= 1 samples and N_x >= 1 inputs, got shape {np.shape(X)}")
    if 0 in np.shape(Y):
        raise ValueError(f"Y must have P >= 1 samples and N_y >= 1 outputs, got shape {np.shape(Y)}")
    X = as_float_array("X", X, ndim=3)
    Y = as_float_array("Y", Y, ndim=2)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of samples P, got X: {X.shape[0]} and Y: {Y.shape[0]}")
    return X, Y


def _polar(G: np.ndarray) -> np.ndarray:
    """Orthonormal-columns factor of the polar decomposition of ``G`` (N, m), ``N >= m``."""
    P, _, Qt = np.linalg.svd(G, full_matrices=False)
    return P @ Qt


def _diag_energy(syx, U, V):
    D = np.sum((syx @ V) * U, axis=1)  # D[t, a] = u_aᵀ Σ_t v_a (batched matmul: einsum was 5x slower)
    return D, float(np.sum(D * D))


def _refine(syx, U, V, max_iter, tol):
    """Monotone ascent of ``f = Σ_t ‖diag(Uᵀ Σ_t V)‖²`` by alternating polar (Procrustes) steps.

    ``f`` is convex in ``U`` for fixed ``V`` (a sum of squares of linear functions), so the
    maximiser over orthonormal ``U`` of its linearisation ``tr(Uᵀ ∇_U f)`` — the polar factor
    of ``∇_U f = 2 Σ_t Σ_t V D_t`` — never decreases ``f`` (minorise–maximise); same for ``V``.
    """
    D, f = _diag_energy(syx, U, V)
    it, done = 0, False
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        U = _polar(np.einsum("tya,ta->ya", syx @ V, D))
        D, _ = _diag_energy(syx, U, V)
        V = _polar(np.einsum("txa,ta->xa", syx.transpose(0, 2, 1) @ U, D))
        D, f_new = _diag_energy(syx, U, V)
        done = f_new - f <= tol * max(f_new, np.finfo(float).tiny)
        f = max(f, f_new)
        if done:
            break
    return U, V, f, it, done


def _top_eigvecs(M, m):
    w, Q = np.linalg.eigh(M)
    return Q[:, ::-1][:, :m]


def _joint_svd(syx: np.ndarray, *, max_iter: int = 2000, tol: float = 1e-15):
    """Shared singular vectors of the stack ``syx`` (T, N_y, N_x): maximise ``Σ_t ‖diag(U_yᵀ Σ_t V_x)‖²``.

    Equivalently, minimise the energy left off the diagonal (the misalignment).  Two starts
    are refined by :func:`_refine` and the better one is kept: the top eigenvectors of the
    aggregates ``Σ_t Σ_t Σ_tᵀ`` and ``Σ_t Σ_tᵀ Σ_t`` (exact when the assumption holds and
    the energies ``Σ_t s_{α,t}²`` are distinct), and the SVD of a generic combination
    ``Σ_t w_t Σ_t`` (exact when the assumption holds and the ``Σ_t w_t s_{α,t}`` are distinct).
    Private helper of :func:`task_dynamics` (returns ``U, V, iterations, converged``).
    """
    T, n_y, n_x = syx.shape
    m = min(n_y, n_x)
    starts = [(_top_eigvecs(np.einsum("tyx,tzx->yz", syx, syx), m), _top_eigvecs(np.einsum("tyx,tyz->xz", syx, syx), m))]
    w = np.cos(1.0 + 2.399963229728653 * np.arange(T))  # golden-angle weights: generic, deterministic
    P, _, Qt = np.linalg.svd(np.einsum("t,tyx->yx", w, syx))
    starts.append((P[:, :m], Qt[:m].T))
    best = None
    for U0, V0 in starts:
        U, V, f, it, done = _refine(syx, U0, V0, max_iter, tol)
        if best is None or f > best[2] * (1 + 1e-14):
            best = (U, V, f, it, done)
    return best[0], best[1], best[3], best[4]


def _whiteness(sxx):
    T, _, n_x, _ = sxx.shape
    dev = sxx - np.einsum("tu,ij->tuij", np.eye(T), np.eye(n_x))
    mat = np.sqrt(np.sum(dev ** 2, axis=(2, 3)) / n_x)
    within = float(np.sqrt(np.mean(np.diag(mat) ** 2)))
    off = ~np.eye(T, dtype=bool)
    cross = float(np.sqrt(np.mean(mat[off] ** 2))) if T > 1 else 0.0
    return within, cross, mat


def _first_largest(A: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
    """Per column of ``A`` (n, k), the first row whose magnitude is within ``rtol`` (relative) of the column's
    largest: the entry whose sign fixes a mode's sign.  Ties (``s = (1, -1)``, ``v = (1, -1)/√2``) go to the
    earliest entry instead of to whichever rounding makes larger, so the convention survives rounding."""
    mag = np.abs(A)
    return np.argmax(mag >= (1.0 - rtol) * mag.max(axis=0), axis=0)


def task_dynamics(X, Y, *, convention: str = "normalised", whiten: bool = False, centre: bool = True, rank_rtol: float = 1e-10,
                  max_iter: int = 2000) -> TaskDynamics:
    """Task dynamics ``S`` and the theory's diagnostics for inputs ``X`` and targets ``Y`` (theory guide :ref:`own-data`).

    With ``Σ^{YX_t} = w Σ_p y_p x_{p,t}ᵀ`` (``w = 1/P`` normalised, 1 sum), the theory
    (Proca et al. 2025, Sec. 2–3) needs ``Σ^{YX_t} = U_y diag(s_t) V_xᵀ`` with the *same*
    ``U_y, V_x`` at every step, and white inputs.  For inputs that are not white the task is
    read from the regression coefficients ``C = Σ^{YX}(Σ^{XX})^+`` (the least-squares map of
    ``Y`` on the whole input sequence, one SVD of the data matrix; ``C_t = Σ^{YX_t}`` for white
    inputs), so that the predicted fixed point is the optimum training reaches (theory guide
    :ref:`own-data-regression`).  This function estimates ``U_y, V_x`` as the orthonormal
    pair that minimises the total off-diagonal energy

    ``Σ_t ‖offdiag(U_yᵀ C_t V_x)‖²``  (equivalently maximises ``Σ_t ‖diag(U_yᵀ C_t V_x)‖²``),

    a joint (simultaneous) SVD of the ``T`` matrices, computed by monotone alternating
    polar-decomposition steps from two spectral starts; then ``s_{α,t} = u_αᵀ C_t v_α``.
    Why not a simpler choice:

    * the SVD of the sum ``Σ_t Σ^{YX_t}`` sees ``Σ_t s_{α,t}``: modes whose ``s_t`` change sign
      cancel (an exponential with ``λ < 0`` can sum to ~0) and two modes with equal sums are
      degenerate, so their directions are arbitrary although every step separates them;
    * the SVD of one step is undefined where that step's singular values are zero or
      equal (e.g. a mode active only at other steps, or a Dirac task), and ignores the other
      steps' evidence when the data are noisy.

    When the assumption holds the estimator returns the true vectors exactly (misalignment
    0 to rounding); when it does not, it returns the best compromise and
    :attr:`TaskDynamics.misalignment` says how much correlation the modes miss.

    Parameters
    ----------
    X : array_like, shape (P, T, N_x)
        Inputs, ``X[p, t-1]`` is the input at step ``t``.  Real and finite.
    Y : array_like, shape (P, N_y)
        Targets after the last step.  Real and finite.
    convention : {"normalised", "sum"}
        Weight ``1/P`` or 1 of correlations and loss.
    whiten : bool
        Apply the per-step whitening transform ``x̃_t = (Σ^{X_t X_t})^{-1/2} x_t`` first (and
        report the diagnostics of the whitened inputs).  This makes each step isotropic
        but cannot remove correlations *across* steps.
    centre : bool
        Subtract the sample means of ``X`` and ``Y`` first (default; the network has no bias),
        said in :attr:`TaskDynamics.notes`; skipped, with a note, when ``P <= T N_x``
        (the centred inputs would be rank-deficient).  Theory guide :ref:`own-data-centring`.
    rank_rtol : float
        Modes with ``‖s_α‖ <= rank_rtol · max_β ‖s_β‖`` are zero modes; input-covariance
        eigenvalues below ``rank_rtol`` times the largest are treated as zero.
    max_iter : int
        Cap on the joint-SVD refinement iterations.

    Returns
    -------
    TaskDynamics

    Examples
    --------
    >>> import numpy as np, lrnn_theory as lt
    >>> S = np.stack([lt.tasks.inverse_exponential(4, 1.0, 0.5), lt.tasks.constant(4, 0.3)])
    >>> d = lt.make_dataset(S, 3, 3, 12, seed=1)
    >>> td = lt.task_dynamics(d.X, d.Y)
    >>> bool(np.allclose(td.S[:2], S)), td.decouples
    (True, True)
    """
    X, Y = _check_xy(X, Y)
    convention = check_choice("convention", convention, CONVENTIONS)
    if not isinstance(whiten, (bool, np.bool_)):
        raise TypeError(f"whiten must be a bool, got {whiten!r}")
    if not isinstance(centre, (bool, np.bool_)):
        raise TypeError(f"centre must be a bool, got {centre!r}")
    rank_rtol = check_positive_float("rank_rtol", rank_rtol)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    P, T, n_x = X.shape
    n_y = Y.shape[1]
    w = 1.0 / P if convention == "normalised" else 1.0
    notes = []
    # ---- means: centre by default (the network has no bias), say so
    mx, my = X.mean(axis=0), Y.mean(axis=0)
    cx0, cy0 = max(float(np.max(np.abs(X))), np.finfo(float).tiny), max(float(np.max(np.abs(Y))), np.finfo(float).tiny)
    x_share = float(np.sum((mx / cx0) ** 2) / max(np.mean(np.sum((X / cx0) ** 2, axis=(1, 2))), np.finfo(float).tiny))
    y_share = float(np.sum((my / cy0) ** 2) / max(np.mean(np.sum((Y / cy0) ** 2, axis=1)), np.finfo(float).tiny))
    offset = max(x_share, y_share) > 1e-12
    means = (f"largest |mean| {np.max(np.abs(mx)):.3g} in X, {np.max(np.abs(my)):.3g} in Y; the means carry "
             f"{100 * x_share:.3g}% of E‖x‖² and {100 * y_share:.3g}% of E‖y‖²")
    centred = bool(centre and P > T * n_x)
    if centred:
        X, Y = X - mx, Y - my
        if offset:
            notes.append(f"centred the data (the network has no bias): {means}; the loss reported is that of the "
                         f"centred data (centre=False keeps the means)")
    elif offset:
        why = (f"with P = {P} <= T N_x = {T * n_x} samples centring would leave the input covariance singular"
               if centre else "centre=False")
        notes.append(f"data not centred ({why}): {means}; a mean acts as an input correlated across all steps")
    mean_x = mx if centred else np.zeros_like(mx)
    mean_y = my if centred else np.zeros_like(my)
    # ---- scale X out before forming moments (X of order 1e160 would overflow them)
    cx = float(np.max(np.abs(X)))
    cx = cx if cx > 0 else 1.0
    Xs = X / cx
    Xf = Xs.reshape(P, T * n_x)
    sxx_s = (w * (Xf.T @ Xf)).reshape(T, n_x, T, n_x).transpose(0, 2, 1, 3)
    W = np.empty((T, n_x, n_x))
    in_rank = np.empty(T, dtype=int)
    for t in range(T):
        ev, Q = np.linalg.eigh(sxx_s[t, t])
        keep = ev > rank_rtol * max(ev[-1], np.finfo(float).tiny)
        in_rank[t] = int(np.sum(keep))
        inv = np.where(keep, 1.0 / np.sqrt(np.where(keep, ev, 1.0)), 0.0)
        W[t] = (Q * inv) @ Q.T  # whitening of the scaled inputs Xs
    if whiten:
        Xs = np.einsum("tij,ptj->pti", W, Xs)  # W_t x_t is scale-free
        Xf = Xs.reshape(P, T * n_x)
        sxx_s = (w * (Xf.T @ Xf)).reshape(T, n_x, T, n_x).transpose(0, 2, 1, 3)
        cx_eff = 1.0
    else:
        cx_eff = cx
    W = W / cx  # whitening of the raw (centred) inputs
    with np.errstate(over="ignore", invalid="ignore"):
        sxx = sxx_s * (cx_eff * cx_eff)
        syx = (w * (Y.T @ Xf)).reshape(n_y, T, n_x).transpose(1, 0, 2) * cx_eff
    with np.errstate(over="ignore"):
        syy = float(w * np.sum(Y * Y))  # inf when Y is beyond float64's range squared (the loss is then inf too)
    # ---- least squares: coefficients C = Σ^{YX} (Σ^{XX})^+ from one SVD of the (scaled) data matrix
    sw = np.sqrt(w)
    Ux, sv, Vxt = np.linalg.svd(sw * Xf, full_matrices=False)
    keep = sv > np.sqrt(rank_rtol) * max(sv[0] if sv.size else 0.0, np.finfo(float).tiny)
    Z = Ux.T @ (sw * Y)  # (k, N_y): targets in the input singular basis
    resid = sw * Y - Ux @ Z  # part of Y no linear map of X reaches
    outside = 0.5 * float(np.sum(resid * resid))
    coef_s = Vxt[keep].T @ (Z[keep] / sv[keep, None])  # (T N_x, N_y), scaled units
    C = (coef_s.T / cx_eff).reshape(n_y, T, n_x).transpose(1, 0, 2)  # (T, N_y, N_x)
    K = sv[:, None] * Vxt * cx_eff  # Σ^{XX} = Kᵀ K, shape (k, T N_x)

    cc = float(np.max(np.abs(C))) if C.size else 0.0
    cc = cc if cc > 0 else 1.0
    Cn = C / cc  # unit scale: squares of coefficients of order 1e-160 would underflow in the joint SVD
    U, V, iterations, refined = _joint_svd(Cn, max_iter=max_iter)
    S = np.einsum("ya,tyx,xa->at", U, Cn, V, optimize=True)
    # order by strength, deterministic signs: each mode's largest |s_t| positive
    norms = np.linalg.norm(S, axis=1)
    order = np.argsort(-norms, kind="stable")
    # equal strengths (to a relative 1e-9): the mode whose largest |s_t| comes first goes first, so rounding
    # does not decide the order of, e.g., S = diag(1, 1)
    group = np.cumsum(np.r_[0, np.diff(norms[order]) < -1e-9 * np.maximum(norms[order][:-1], np.finfo(float).tiny)])
    order = order[np.lexsort((_first_largest(np.abs(S[order]).T), group))]
    U, V, S, norms = U[:, order], V[:, order], S[order], norms[order]
    idx = _first_largest(S.T)
    sign = np.where(S[np.arange(S.shape[0]), idx] < 0, -1.0, 1.0)
    U, S = U * sign, S * sign[:, None]
    # the pair (u_α, v_α) -> (-u_α, -v_α) leaves S unchanged: fix it by a positive largest entry of v_α
    jv = _first_largest(V)
    pair = np.where(V[jv, np.arange(V.shape[1])] < 0, -1.0, 1.0)
    U, V = U * pair, V * pair
    zero = norms <= rank_rtol * max(norms[0] if norms.size else 0.0, np.finfo(float).tiny)
    S[zero] = 0.0
    # diagnostics (on the unit-scale coefficients; fractions are scale-free)
    tot_t = np.sum(Cn ** 2, axis=(1, 2))
    diag_t = np.sum(S ** 2, axis=0)
    off_t = np.maximum(tot_t - diag_t, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mis_t = np.where(tot_t > 0, off_t / np.where(tot_t > 0, tot_t, 1.0), 0.0)
    mis_total = float(np.sum(off_t) / np.sum(tot_t)) if np.sum(tot_t) > 0 else 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        within, cross, wmat = _whiteness(sxx)
    if not np.all(np.isfinite(sxx)):
        notes.append(f"the input second moments exceed the float64 range (largest |x| = {cx:.3g}): the whiteness "
                     f"diagnostics read inf; the estimates themselves are computed on rescaled inputs")
    S = S * cc
    rank = int(np.sum(~zero))
    if not refined:
        notes.append(f"the joint-SVD refinement stopped at max_iter = {max_iter} before converging: U_y, V_x and S "
                     f"are approximate (their maps share no exact singular vectors, so the modes are only loosely "
                     f"defined); pass a larger max_iter for the converged estimate")
    if mis_total >= DECOUPLING_TOL:
        notes.append(f"the steps' input-output maps do not share singular vectors: {100 * mis_total:.3g}% of "
                     f"their energy lies off the modes (misalignment_total); the modes interact during learning")
    if cross >= DECOUPLING_TOL:
        notes.append(f"inputs are correlated across time steps (whiteness_cross = {cross:.3g}): the fixed point is "
                     f"estimated through the regression coefficients, but the learning time course differs from "
                     f"the theory's and no per-step transform removes this")
    if within >= DECOUPLING_TOL:
        if whiten:
            notes.append(f"per-step whitening left whiteness_within = {within:.3g} (input covariance of rank "
                         f"{in_rank.min()} < N_x = {n_x} at some step: those directions carry no input)")
        else:
            notes.append(f"inputs are not isotropic within a step (whiteness_within = {within:.3g}): the learning "
                         f"time course differs from the theory's; "
                         + ("pass whiten=True to apply the per-step whitening transform"
                            if cross < DECOUPLING_TOL else "per-step whitening (whiten=True) would fix this part only"))
    if rank < S.shape[0]:
        notes.append(f"the regression coefficients have rank {rank} < min(N_x, N_y) = {S.shape[0]}: modes "
                     f"{tuple(np.flatnonzero(zero).tolist())} are zero modes (nothing to learn)")
    KV = np.einsum("ktx,xa->tka", K.reshape(K.shape[0], T, n_x), V, optimize=True)
    loss_floor = _map_loss(outside, Z, K, C[None])[0]
    residual = _aligned_loss(outside, Z, KV, U, S[..., None])[0]
    return TaskDynamics(
        S=np.ascontiguousarray(S), U_y=np.ascontiguousarray(U), V_x=np.ascontiguousarray(V),
        misalignment=mis_t, misalignment_total=mis_total, whiteness_within=within, whiteness_cross=cross,
        whiteness_matrix=wmat, whitening=W, whitened=bool(whiten), input_rank=in_rank, rank=rank,
        zero_modes=tuple(np.flatnonzero(zero).tolist()), syy=syy, residual=float(residual),
        convention=convention, n_samples=P, iterations=int(iterations), notes=tuple(notes),
        centred=centred, mean_x=mean_x, mean_y=mean_y, coefficients=C, correlations=syx, loss_floor=float(loss_floor),
        input_factor=K, target_factor=Z, outside_loss=outside,
    )


def _aligned_loss(outside, Z, KV, U, g):
    """Loss of aligned networks ``M_t = U diag(g[:, t, n]) V_xᵀ`` on the data, ``g`` of shape (m, T, n):
    ``outside + ½‖Z - Σ_t K_t V_x diag(g_t) Uᵀ‖²`` (a sum of squares, never negative); shape (n,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        KM = np.einsum("tka,atn,ya->nky", KV, g, U, optimize=True)
        d = Z[None] - KM
        return outside + 0.5 * np.sum(d * d, axis=(1, 2))


def _map_loss(outside, Z, K, M):
    """Loss on the data of full input-output maps ``M`` of shape (n, T, N_y, N_x), ``y = Σ_t M_t x_t``:
    ``outside + ½‖Z - K Mᵀ‖²`` (a sum of squares, never negative); shape (n,)."""
    n, T, n_y, n_x = M.shape
    with np.errstate(over="ignore", invalid="ignore"):
        d = Z[None] - K[None] @ M.transpose(0, 1, 3, 2).reshape(n, T * n_x, n_y)
        return outside + 0.5 * np.sum(d * d, axis=(1, 2))


# ----------------------------------------------------------------------------- theory vs training


def train_and_compare(X, Y, *, lr: float, steps: int, scale: float = 0.1, n_h: int | None = None,
                      convention: str = "normalised", whiten: bool = False, centre: bool = True, seed: int = 0,
                      record_every: int | None = None, check_order: bool = False) -> DataComparison:
    """Predict with the theory, train the full network on the raw data, compare, and give a verdict.

    :func:`task_dynamics` estimates ``U_y, V_x, S`` (centring the data unless ``centre=False``);
    :func:`lrnn_theory.simulate_gd` then trains ``W_x, W_h, W_y`` by full-batch gradient descent
    on ``(X, Y)`` themselves (centred, and per-step whitened when ``whiten``), wrapped by
    :meth:`TaskDynamics.dataset`, from the aligned initialisation ``a = b = c = scale`` on the
    estimated vectors; the theory (:meth:`TaskDynamics.predict`) is evaluated on the same steps.
    The run's recorded losses are re-evaluated from its recorded weights in the same exact,
    sum-of-squares form as the prediction (never negative; the correlation-space value of
    :func:`~lrnn_theory.simulate_gd` can read ``-3e-15`` at convergence by cancellation).
    When the assumptions hold the two agree to ``O(lr)`` (the Euler discretisation of the mode
    ODE); otherwise the errors measure how much the departure matters for learning.  The
    verdict and its rules: theory guide :ref:`own-data-verdict`.

    Parameters
    ----------
    X : array_like, shape (P, T, N_x)
    Y : array_like, shape (P, N_y)
    lr : float
        Learning rate.
    steps : int
        Gradient-descent steps.
    scale : float
        Initial mode value.
    n_h : int, optional
        Hidden size (default ``n_modes = min(N_x, N_y)``; must be at least that).
    convention : {"normalised", "sum"}
    whiten : bool
        Per-step whitening of the inputs (see :func:`task_dynamics`).
    centre : bool
        Subtract the means of ``X`` and ``Y`` first (see :func:`task_dynamics`).
    seed : int
        Seed of the hidden rotation of the aligned initialisation.
    record_every : int, optional
        Record every that many steps (default ``steps // 200``).
    check_order : bool
        Also train at ``lr/2`` for ``2·steps`` (same ODE time) and report the observed order of
        the error in the learning rate (``≈ 1``: the ``O(lr)`` regime the theory promises).

    Returns
    -------
    DataComparison

    Examples
    --------
    >>> import lrnn_theory as lt
    >>> d = lt.make_dataset(lt.tasks.inverse_exponential(3, 1.0, 0.5), 2, 2, 6, seed=0)
    >>> cmp = lt.train_and_compare(d.X, d.Y, lr=0.01, steps=1000, check_order=True)
    >>> cmp.loss_error < 0.01, cmp.verdict.startswith("applies"), round(cmp.order, 1)
    (True, True, 1.0)
    """
    lr = check_positive_float("lr", lr)
    steps = check_int("steps", steps, minimum=1)
    scale = check_positive_float("scale", scale, allow_zero=True)
    seed = check_seed("seed", seed)
    if not isinstance(check_order, (bool, np.bool_)):
        raise TypeError(f"check_order must be a bool, got {check_order!r}")
    every = max(1, steps // 200) if record_every is None else check_int("record_every", record_every, minimum=1)
    td = task_dynamics(X, Y, convention=convention, whiten=whiten, centre=centre)
    m = td.n_modes
    n_h = m if n_h is None else check_int("n_h", n_h, minimum=m)
    _check_trainable(td, scale)
    data = td.dataset(X, Y)
    run, pred, errs = _run_and_predict(td, data, n_h, lr, steps, scale, seed, every)
    modes = _aligned_modes(run, td)
    u_gd, b_gd = (modes.a * modes.c)[-1], modes.b[-1]
    order = half = None
    if check_order:
        _, _, errs2 = _run_and_predict(td, data, n_h, lr / 2, 2 * steps, scale, seed, 2 * every)
        half = errs2["loss_error_step"]
        order = _v.observed_order(errs["loss_error_step"], half)
    L0, drop = float(run.loss[0]), float(pred.loss[0]) - pred.limit
    progress = (L0 - float(run.loss[-1])) / drop if drop > _v.LOSS_FLOOR * max(L0, np.finfo(float).tiny) else None
    run_conv = _v.run_converged(run.loss)
    verdict = _v.verdict(error=errs["loss_error_step"], expected=td.expected_error, order=order,
                         diverged=bool(run.diverged), progress=progress, misalignment=td.misalignment_total,
                         whiteness=td.whiteness, final_error=errs["final_loss_error_step"],
                         converged=bool(pred.converged and run_conv))
    return DataComparison(
        dynamics=td, prediction=pred, run=run, loss_error=errs["loss_error"],
        final_loss_error=errs["final_loss_error"], final_u_error=np.abs(pred.u[:, -1] - u_gd),
        final_b_error=np.abs(pred.b[:, -1] - b_gd), off_diagonal=float(modes.off_diagonal[-1]),
        loss_error_step=errs["loss_error_step"], final_loss_error_step=errs["final_loss_error_step"],
        prediction_converged=bool(pred.converged), run_converged=run_conv,
        reachable=pred.reachable, expected_error=td.expected_error, order=order, half_lr_error=half,
        progress=progress, verdict=verdict,
    )


def _check_trainable(td, scale):
    """The loss of the initial network must be one gradient descent can follow: finite and below
    :data:`lrnn_theory.sim.gd.DIVERGENCE_THRESHOLD` (a larger loss counts as diverged before the first step)."""
    from .sim.gd import DIVERGENCE_THRESHOLD

    m = td.n_modes
    L0 = float(td._loss(_gains(np.full(m, scale * scale), np.full(m, scale), td.T)))
    if not np.isfinite(L0) or L0 > DIVERGENCE_THRESHOLD:
        big = float(max(np.max(np.abs(td.input_factor), initial=0.0), np.max(np.abs(td.target_factor), initial=0.0)))
        raise ValueError(f"X and Y: the loss of the initial network on these data is {L0:.3g} (data factors up to "
                         f"{big:.3g}), beyond what gradient descent can follow (losses above {DIVERGENCE_THRESHOLD:g} "
                         "count as diverged); rescale X and Y, e.g. to unit variance")


def _aligned_modes(run, td):
    from .sim.recover import aligned_modes

    return aligned_modes(run.W_x[-1:], run.W_h[-1:], run.W_y[-1:], run.R, td.U_y, td.V_x)


def _run_and_predict(td, data, n_h, lr, steps, scale, seed, every):
    """One gradient-descent run on ``data``, its losses re-evaluated exactly from the recorded weights,
    the prediction on the same steps, and the loss errors."""
    import dataclasses

    from .sim.gd import simulate_gd

    run = simulate_gd(data, n_h, lr=lr, steps=steps, init="aligned", scale=scale, seed=seed, record_every=every)
    run = dataclasses.replace(run, loss=_run_loss(td, run))
    pred = td._predict_at(run.step, lr, scale, None)
    return run, pred, _v.loss_errors(pred.loss, run.loss)


def _run_loss(td, run) -> np.ndarray:
    """Loss on the data of every recorded network, ``M_t = W_y W_h^{T-t} W_x`` (sum of squares, ≥ 0)."""
    n, T = run.W_h.shape[0], td.T
    M = np.empty((n, T, run.W_y.shape[1], run.W_x.shape[2]))
    with np.errstate(over="ignore", invalid="ignore"):
        P = run.W_x.copy()  # W_h^k W_x, k = 0 .. T-1
        for k in range(T):
            M[:, T - 1 - k] = run.W_y @ P
            P = run.W_h @ P
    return _map_loss(td.outside_loss, td.target_factor, td.input_factor, M)


# ----------------------------------------------------------------------------- controlled departures


def perturbed_dataset(S, n_x: int, n_y: int, n_samples: int, *, theta: float = 0.0, r: float = 0.0, step: int = -1,
                      seed: int, convention: str = "normalised") -> Dataset:
    """A dataset of :func:`lrnn_theory.make_dataset` with a controlled departure from the theory's assumptions.

    * ``theta``: at step ``step`` (index into the time axis, ``-1`` the last step) the output
      singular vectors of modes 0 and 1 are rotated by ``θ`` in their plane,
      ``u_0 → cos θ u_0 + sin θ u_1``, ``u_1 → -sin θ u_0 + cos θ u_1``, so the steps no longer
      share singular vectors (needs ``n_modes >= 2`` unless ``theta == 0``).
    * ``r``: the exactly whitened inputs ``z`` are mixed across time, ``x_t = Σ_t' L_{tt'} z_t'``
      with ``L Lᵀ = K``, ``K_{tt'} = r^{|t-t'|}`` (AR(1)-type), so that
      ``Σ^{X_t X_t'} = r^{|t-t'|} I`` exactly: white within a step, correlated across steps.

    Targets are ``y = Σ_t U_t diag(s_t) V_xᵀ x_t`` (``U_t`` rotated at ``step`` only), so
    ``Σ^{YX_t} = Σ_t' U_t' diag(s_t') V_xᵀ K_{t't}``.  The returned Dataset records the
    *prescribed* ``S``, ``U_y`` (unrotated) and ``V_x``.

    Parameters
    ----------
    S : array_like, shape (n_modes, T)
    n_x, n_y, n_samples : int
        As :func:`lrnn_theory.make_dataset` (``n_samples >= T n_x``).
    theta : float
        Rotation angle (radians).
    r : float
        Cross-time correlation, ``-1 < r < 1``.
    step : int
        Rotated step (``-T <= step < T``).
    seed : int
    convention : {"normalised", "sum"}

    Returns
    -------
    Dataset

    Examples
    --------
    >>> import numpy as np, lrnn_theory as lt
    >>> d = lt.empirical.perturbed_dataset(np.eye(2), 2, 2, 4, r=0.5, seed=0)
    >>> round(lt.task_dynamics(d.X, d.Y).whiteness_cross, 12)
    0.5
    """
    base = make_dataset(S, n_x, n_y, n_samples, seed=seed, convention=convention)
    m, T = base.S.shape
    theta = check_finite_scalar("theta", theta)
    r = check_finite_scalar("r", r)
    if not -1.0 < r < 1.0:
        raise ValueError(f"r must satisfy -1 < r < 1, got {r}")
    step = check_int("step", step, minimum=-T, maximum=T - 1) % T
    if theta != 0.0 and m < 2:
        raise ValueError(f"theta != 0 needs S with at least 2 modes, got {m}")
    K = r ** np.abs(np.subtract.outer(np.arange(T), np.arange(T))).astype(float)
    L = np.linalg.cholesky(K)
    X = np.einsum("tu,pui->pti", L, base.X)
    U = np.broadcast_to(base.U_y, (T,) + base.U_y.shape).copy()
    if theta != 0.0:
        c, s = np.cos(theta), np.sin(theta)
        u0, u1 = base.U_y[:, 0].copy(), base.U_y[:, 1].copy()
        U[step, :, 0] = c * u0 + s * u1
        U[step, :, 1] = -s * u0 + c * u1
    Y = np.einsum("pti,ia,at,tya->py", X, base.V_x, base.S, U, optimize=True)
    return Dataset(X=np.ascontiguousarray(X), Y=Y, convention=base.convention, U_y=base.U_y, V_x=base.V_x,
                   S=base.S, whitened=bool(r == 0.0), seed=base.seed)
