"""The shared training run of the state-merging figures (theory guide :ref:`gallery`; van Rossem & Saxe (2025)), computed once per invocation."""
from __future__ import annotations

import numpy as np


def _candidates() -> tuple[str, ...]:
    rng = np.random.default_rng(12345)
    even, odd = [], []
    while len(even) < 16 or len(odd) < 16:
        s = "".join(rng.choice(["0", "1"], size=10))
        (even if s.count("1") % 2 == 0 else odd).append(s) if s not in even + odd else None
    return tuple(even[:16] + odd[:16])


#: Length-10 strings (16 even, then 16 odd) whose hidden states are followed for figure merging-f6.
TRACKED = _candidates()


def settings(quick: bool, seed: int) -> dict:
    """:ref:`merging-task` defaults (full) or a reduced run (quick: hidden 64, strings up to length 10, 150 epochs)."""
    if quick:
        return dict(hidden=64, epochs=150, extract_every=10, val_lengths=(25, 100), seed=seed,
                    track_strings=TRACKED, snapshot_epochs=range(0, 151, 10), long_lengths=(100,))
    return dict(epochs=1000, extract_every=25, val_lengths=(25, 100, 250, 1000), seed=seed, track_strings=TRACKED,
                snapshot_epochs=range(0, 1001, 25))


def training_run(ctx):
    """The streaming-parity run shared by merging-f1, f2, f3, f4, f6 and f8."""
    from ..merging import train_parity

    return ctx.shared_result(f"merging-run-{ctx.quick}-{ctx.seed}", lambda: train_parity(**settings(ctx.quick, ctx.seed)))


def training_run_wide(ctx):
    """The shared run re-extracted with one threshold for the whole run (``epsilon_scope="run"``).

    Same training, same records: only the automata are re-read, from the weights kept at each record.
    """
    return ctx.shared_result(f"merging-run-wide-{ctx.quick}-{ctx.seed}", lambda: training_run(ctx).rethreshold("run"))


def machine_dict(m) -> dict:
    """A Moore machine as plain arrays (for the JSON beside the figure)."""
    return {"transitions": m.transitions, "outputs": m.outputs, "initial": int(m.initial)}
