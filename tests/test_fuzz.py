"""Fuzzed public API (issue #8): every argument of the core entry points is replaced by malformed
values (NaN, ±inf, empty arrays, wrong ranks, strings, None, non-positive or huge sizes); the only
allowed outcomes are a finite result or a ValueError/TypeError whose message names the argument."""
import numpy as np
import pytest

import lrnn_theory as lt

ARRAY_BAD = [np.nan, np.inf, -np.inf, np.array([]), np.ones((2, 2, 2, 2, 2)), "abc", None, [1.0, "x"]]
INT_BAD = [0, -1, 2.5, "3", None, np.nan, True]
S4 = lt.tasks.inverse_exponential(4, 1.0, 0.8)

# name -> (function, valid kwargs, {argument: kind})
TEMPLATES = {
    "tasks.constant": (lt.tasks.constant, dict(T=4, delta=1.0), {"T": "int", "delta": "array"}),
    "tasks.inverse_exponential": (lt.tasks.inverse_exponential, dict(T=4, delta=1.0, lam=0.8), {"T": "int", "delta": "array", "lam": "array"}),
    "tasks.dirac": (lt.tasks.dirac, dict(T=4, beta=1.0, kappa=1.0), {"T": "int", "beta": "array", "kappa": "array"}),
    "mode_energy": (lt.mode_energy, dict(a=0.1, b=0.2, c=0.3, s=S4), {"a": "array", "b": "array", "c": "array", "s": "array"}),
    "mode_rhs": (lt.mode_rhs, dict(a=0.1, b=0.2, c=0.3, s=S4), {"a": "array", "b": "array", "c": "array", "s": "array"}),
    "integrate_modes": (lt.integrate_modes, dict(s=S4, a0=0.1, b0=0.1, c0=0.1, t=np.linspace(0, 1, 3)),
                        {"s": "array", "a0": "array", "b0": "array", "c0": "array", "t": "array", "tau": "pos", "rtol": "pos",
                         "max_steps": "int"}),
    "fixed_point": (lt.fixed_point, dict(s=S4), {"s": "array"}),
    "closed_forms.max_stable_lr": (lt.closed_forms.max_stable_lr, dict(s=S4), {"s": "array"}),
    "closed_forms.frozen_b_solution": (lt.closed_forms.frozen_b_solution, dict(t=[0.0, 1.0], s=S4, b=0.5, u0=0.1),
                                       {"t": "array", "s": "array", "b": "array", "u0": "array", "tau": "pos"}),
    "landscape.profile_energy": (lt.landscape.profile_energy, dict(b=0.5, s=S4), {"b": "array", "s": "array"}),
    "landscape.global_minimiser": (lt.landscape.global_minimiser, dict(s=S4), {"s": "array", "n_grid": "int"}),
    "make_dataset": (lt.make_dataset, dict(S=S4, n_x=1, n_y=1, n_samples=4, seed=0),
                     {"S": "array", "n_x": "int", "n_y": "int", "n_samples": "int", "seed": "int"}),
    "simulate_gd": (lt.simulate_gd, dict(data=None, n_h=1, lr=0.01, steps=3),
                    {"n_h": "int", "lr": "pos", "steps": "int", "scale": "pos", "seed": "int", "record_every": "int"}),
    "ntk.ntk": (lt.ntk.ntk, dict(W_x=np.ones((2, 1)), W_h=np.eye(2), W_y=np.ones((1, 2)), X=np.ones((3, 2, 1))),
                {"W_x": "array", "W_h": "array", "W_y": "array", "X": "array"}),
    "sensory.sensory_task": (lt.sensory.sensory_task, dict(n_trials=3, T=2, seed=0), {"n_trials": "int", "T": "int", "seed": "int",
                                                                                       "noise": "pos"}),
    "sensory.extrapolation_loss": (lt.sensory.extrapolation_loss, dict(T_train=4, T_test=50), {"T_train": "int", "T_test": "int"}),
}
POS_BAD = [0.0, -1.0, np.nan, np.inf, "1", None]


def _finite(x):
    """Finite result, or NaN only where the result itself flags a stopped (diverged) mode."""
    if hasattr(x, "status") and hasattr(x, "energy"):  # ModeTrajectory: NaN only after a flagged stop
        ok = np.asarray(x.status) == 0
        return bool(np.all(np.isfinite(np.asarray(x.energy)[ok]))) and bool(np.all(np.isfinite(np.asarray(x.energy)[..., 0])))
    if hasattr(x, "__dataclass_fields__"):
        vals = [getattr(x, f) for f in x.__dataclass_fields__]
        arrays = [np.asarray(v) for v in vals if isinstance(v, (np.ndarray, float, int))]
        return all(bool(np.all(np.isfinite(a))) for a in arrays if a.dtype.kind in "fc")
    if isinstance(x, tuple):
        return all(_finite(v) for v in x)
    a = np.asarray(x)
    return a.dtype.kind not in "fc" or bool(np.all(np.isfinite(a)))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_malformed_arguments(name):
    fn, valid, kinds = TEMPLATES[name]
    tried = 0
    for arg, kind in kinds.items():
        for bad in {"array": ARRAY_BAD, "int": INT_BAD, "pos": POS_BAD}[kind]:
            kwargs = dict(valid)
            if name == "simulate_gd":
                kwargs["data"] = lt.make_dataset(S4, 1, 1, 4, seed=0)
            kwargs[arg] = bad
            tried += 1
            try:
                out = fn(**kwargs)
            except (ValueError, TypeError) as exc:
                assert arg in str(exc) or arg.lower() in str(exc).lower(), f"{name}({arg}={bad!r}): {exc}"
                continue
            assert _finite(out), f"{name}({arg}={bad!r}) returned non-finite values silently"
    assert tried >= len(kinds) * 5


def test_huge_T_is_handled():
    s = lt.tasks.constant(10 ** 4, 1.0)
    sol = lt.integrate_modes(s, 0.1, 0.5, 0.1, np.linspace(0, 0.01, 3))
    assert sol.status in (0, 1)
    fp = lt.fixed_point(lt.tasks.inverse_exponential(10 ** 4, 1.0, 0.9))
    assert fp.exact and fp.b == pytest.approx(0.9)
    assert np.isfinite(lt.landscape.profile_energy(np.array([0.5, 1.0, 1.5]), s)).all()


def test_cli_fuzz(capsys):
    from lrnn_theory.cli import main

    for argv in (["solve", "--T", "-3"], ["solve", "--delta", "inf"], ["solve", "--lam", "abc"], ["solve", "--points", "0"],
                 ["solve", "--init", "nan"], ["figures", "--format", "bmp", "--only", "fig1", "--out", "/tmp/fz"],
                 ["figures", "--only", ",,,nosuch"], ["bench", "--quick", "gpu"], ["nosuchcommand"], []):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
    assert "error" in capsys.readouterr().err
