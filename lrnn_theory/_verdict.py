"""Error scales, convergence flags and the one-line verdict shared by every theory-vs-simulation
comparison (:func:`lrnn_theory.sim.compare`, :func:`lrnn_theory.train_and_compare`, ``lrnn-theory
analyse``); the rules are stated in the theory guide, section ``own-data-verdict``.

Private module: the numbers and the wording live here once so the three comparisons agree.
"""
from __future__ import annotations

import numpy as np

#: Relative floor of the same-step error scale: ``|L_theory(n) - L_gd(n)| / max(L_gd(n), LOSS_FLOOR·L_gd(0))``.
LOSS_FLOOR = 1e-3
#: A curve has converged when what is left to lose is at most this fraction of its loss (floor as above).
CONVERGED_RTOL = 1e-2
#: The theory "applies" when the largest same-step relative loss error is at most this.
VERDICT_TOL = 0.05
#: Misalignment + whiteness below this: the assumptions hold (to far below any visible effect).
EXACT_TOL = 1e-6
#: Observed order of the error in the learning rate accepted as "first order" (the Euler error of GD).
ORDER_RANGE = (0.8, 1.25)


def loss_errors(loss_theory, loss_gd) -> dict:
    """Largest and final loss errors, relative to the initial loss and to the loss at the same step.

    Both curves are on the same steps; ``L0 = loss_gd[0]``.  The same-step scale is
    ``max(L_gd(n), LOSS_FLOOR·L0)`` (the floor keeps a run that reaches 0 from dividing by 0).
    """
    th = np.asarray(loss_theory, float)
    gd = np.asarray(loss_gd, float)
    L0 = max(float(gd[0]), np.finfo(float).tiny) if np.isfinite(gd[0]) else np.inf
    diff = np.abs(th - gd)
    scale = np.maximum(gd, LOSS_FLOOR * L0)
    with np.errstate(invalid="ignore", divide="ignore"):
        step = diff / scale
    step = np.where(np.isfinite(step), step, np.inf)
    return {"loss_error": float(np.max(diff) / L0), "final_loss_error": float(diff[-1] / L0),
            "loss_error_step": float(np.max(step)), "final_loss_error_step": float(step[-1])}


def run_converged(loss) -> bool:
    """A recorded loss curve has converged: over the second half of its records it fell by at most
    ``CONVERGED_RTOL·max(L_end, LOSS_FLOOR·L0)`` (and it is finite).  A plateau longer than half the
    run can pass this test; the prediction's own flag (against its exact limit) does not have that blind spot."""
    loss = np.asarray(loss, float)
    if loss.size < 2 or not np.all(np.isfinite(loss)):
        return False
    L0, end, mid = float(loss[0]), float(loss[-1]), float(loss[(loss.size - 1) // 2])
    return bool(mid - end <= CONVERGED_RTOL * max(end, LOSS_FLOOR * L0) and end <= L0)


def limit_converged(loss_end: float, limit: float, L0: float) -> bool:
    """A predicted curve has converged: ``L(end) - L_∞ <= CONVERGED_RTOL·max(L_∞, LOSS_FLOOR·L0)``."""
    return bool(np.isfinite(loss_end) and loss_end - limit <= CONVERGED_RTOL * max(limit, LOSS_FLOOR * L0))


def observed_order(err_lr: float, err_half: float) -> float:
    """``log2(err(lr) / err(lr/2))``: 1 for an error first order in the learning rate; NaN if undefined."""
    if not (np.isfinite(err_lr) and np.isfinite(err_half)) or err_lr <= 0 or err_half <= 0:
        return float("nan")
    return float(np.log2(err_lr / err_half))


def verdict(*, error: float, expected: float | None = None, order: float | None = None, diverged: bool = False,
            progress: float | None = None, misalignment: float = 0.0, whiteness: float = 0.0,
            final_error: float | None = None, converged: bool = False, start_error: float | None = None) -> str:
    """One line: does the theory apply to this comparison, and why (rules: theory guide ``own-data-verdict``).

    ``error`` is the largest same-step relative loss error, ``expected`` the error the assumption
    diagnostics predict (``misalignment + whiteness``), ``order`` the observed order in lr (None if not
    checked), ``progress`` the fraction of the predicted loss decrease the run covered, ``final_error``
    the same-step error at the last step, ``converged`` whether prediction and run have both converged and
    ``start_error`` the relative loss difference at the run's step 0 (None if step 0 is not compared): no step
    has been taken there, so a difference above ``VERDICT_TOL`` is no discretisation error but a theory that does
    not start from the run's network (a random, non-aligned initialisation).
    """
    if diverged:
        return "does not apply: the run diverged (learning rate beyond the stable range); lower lr"
    if start_error is not None and not start_error <= VERDICT_TOL:
        return (f"does not apply: theory and run differ by {start_error:.2g} of the loss at step 0, before any "
                f"step (no discretisation error): the theory does not start from the run's network (error {error:.2g})")
    if progress is not None and np.isfinite(progress) and progress < 0.5:
        return (f"inconclusive: the run covered {100 * progress:.2g}% of the predicted loss decrease; "
                f"train longer to test the theory (error so far {error:.2g})")
    fo = order is not None and np.isfinite(order) and ORDER_RANGE[0] <= order <= ORDER_RANGE[1]
    if error <= VERDICT_TOL or fo:
        if order is None:
            return (f"applies: error {error:.2g}; halve lr to confirm it is the O(lr) discretisation error "
                    f"(check_order=True, or compare(..., run_half_lr=...))")
        if fo:
            tail = "" if error <= VERDICT_TOL else ": it is the O(lr) discretisation error, lower lr to shrink it"
            return f"applies: error {error:.2g}, first order in lr confirmed (order {order:.2f}){tail}"
        return (f"applies approximately: error {error:.2g}, but not first order in lr (order {order:.2f}): "
                f"a departure from the assumptions, not the discretisation, sets the error")
    if order is None and expected is not None and expected < EXACT_TOL:
        return (f"applies up to discretisation (unconfirmed): error {error:.2g} with the assumptions met "
                f"(misalignment + whiteness = {expected:.1g}); halving lr (check_order=True) tells whether it is the O(lr) "
                f"error")
    if misalignment >= whiteness and misalignment > EXACT_TOL:
        why = f"{100 * misalignment:.3g}% of the correlation energy lies off the modes"
    elif whiteness > EXACT_TOL:
        why = (f"the inputs are not white (covariance off the identity by {whiteness:.2g} rms): "
               f"the learning time course differs from the theory's")
    else:
        why = "the diagnostics do not explain it (assumptions met; error not first order in lr)"
    if converged and final_error is not None and final_error <= VERDICT_TOL:
        return (f"end point only: the final loss agrees to {final_error:.2g}, the time course does not "
                f"(error {error:.2g}); {why}")
    return f"does not apply: error {error:.2g}; {why}"
