"""Write the notebooks in notebooks/ (without outputs) from the cell sources below.

Run ``python tools/make_notebooks.py`` after editing (or ``python tools/make_notebooks.py
07_state_merging.ipynb`` to rewrite only the named notebooks), then
``python tools/execute_notebooks.py`` to store their outputs (the documentation
renders the stored outputs); the notebooks hold no logic of their own: every
cell calls the library.  Tests execute them all (``tests/test_notebooks.py``)
with ``LRNN_QUICK=1`` and compare the numbers with the stored ones.
"""
from __future__ import annotations

import os
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "notebooks")

SETUP = """import os
import numpy as np
import matplotlib.pyplot as plt
import lrnn_theory as lt
from lrnn_theory.figures import FigureContext, load

# LRNN_QUICK=1 (set by the tests) runs reduced grids; unset it for the paper's settings.
QUICK = os.environ.get("LRNN_QUICK", "0") == "1"
ctx = FigureContext(quick=QUICK, progress=not QUICK)"""


def figure_cells(name: str, caption: str) -> list:
    var = "data_" + name.replace("-", "_")
    return [
        new_markdown_cell(caption),
        new_code_cell(f'{var} = load("{name}").compute(ctx)\nfig = load("{name}").draw({var})'),
    ]


NOTEBOOKS = {
    "01_learning_speed_and_recency.ipynb": [
        new_markdown_cell("# Learning speed and the recency bias\n\nTheory: Proca et al. (2025); theory guide, 'The mode decomposition and the mode ODEs' (`theory-modes`) and 'Learning speed and recency' (`theory-learning-speed`).\n\n"
                          "Scale is learned by the input–output mode `u = ac`, temporal structure by the "
                          "recurrent mode `b`. Later and larger singular values are learned first."),
        new_code_cell(SETUP),
        new_markdown_cell("## One mode: the ODE, its closed-form fixed point, and the escape-time estimate (theory guide `theory-fixed-points`, `theory-escape-recency`)"),
        new_code_cell("""s = lt.tasks.inverse_exponential(7, delta=1.1, lam=0.5)      # late importance
s_swapped = lt.tasks.inverse_exponential(7, delta=0.5, lam=1.1)  # same solution values, swapped
t = np.linspace(0, 15, 301)
sol = lt.integrate_modes(np.stack([s, s_swapped]), 0.1, 0.1, 0.1, t)
print("fixed points:", lt.fixed_point(np.stack([s, s_swapped])))
print("escape-time estimates:", lt.closed_forms.escape_time(np.stack([s, s_swapped]), b0=0.1, u0=0.01))
axes = lt.plot.plot_mode_trajectory(sol, index=(0,))
lt.plot.plot_mode_trajectory(sol, index=(1,), axes=axes, label="swapped")"""),
        *figure_cells("fig2", "## Figure 2: `ac` with `b` frozen (logistic of theory guide `theory-frozen-recurrent`; Proca et al. 2025, App. C) and `b` with `u` frozen, theory vs full-matrix gradient descent"),
        *figure_cells("figA1", "## Appendix A1: the recency example of theory guide `theory-escape-recency`"),
    ],
    "02_stability_and_extrapolation.ipynb": [
        new_markdown_cell("# Stability and extrapolation by task family\n\nTheory: Proca et al. (2025); theory guide, 'Fixed points, stability and extrapolation' (`theory-stability-extrapolation`)."),
        new_code_cell(SETUP),
        new_code_cell("""for T in (4, 8):
    for delta in (1.0, 3.0):
        s = lt.tasks.constant(T, delta)
        print(f"constant T={T} delta={delta}: largest stable learning rate 2/lambda_max = {lt.closed_forms.max_stable_lr(s):.4g}")
T_test = np.arange(1, 21)
print(lt.closed_forms.extrapolation_energy("exponential", 10, T_test, delta=1.0, lam=0.8))"""),
        *figure_cells("fig3", "## Figure 3: profiles, learned modes, largest stable step and extrapolation energy"),
    ],
    "03_phase_transitions.ipynb": [
        new_markdown_cell("# Effective regularisation and phase transitions\n\nTheory: Proca et al. (2025), eq. 9 and App. H; theory guide, 'The effective regulariser and phase transitions' (`theory-regulariser`).\n\n"
                          "The learned recurrent mode is the geometric profile best aligned with the task; "
                          "a phase transition is a jump of the best-aligned `b` between a feedforward and a recurrent branch."),
        new_code_cell(SETUP),
        new_code_cell("""b = np.linspace(-1, 3, 801)
for rho in (0.5, 1.0, 1.5):
    plt.plot(b, lt.landscape.profile_energy(b, lt.tasks.dirac(4, rho, 1.0)), label=f"Dirac T=4, rho={rho}")
plt.xlabel("b"); plt.ylabel("E*(b)"); plt.legend()"""),
        *figure_cells("fig4", "## Figure 4: final `b` and `ac` against the recurrent computation, for several feedforward strengths κ"),
        *figure_cells("figA2", "## Appendix A2: energy landscape of the Dirac task"),
        *figure_cells("figA3", "## Appendix A3: Dirac phase diagram"),
    ],
    "04_tangent_kernel.ipynb": [
        new_markdown_cell("# Recurrence drives kernel movement\n\nTheory: Proca et al. (2025); theory guide, 'The tangent kernel' (`theory-ntk`)."),
        new_code_cell(SETUP),
        *figure_cells("fig5", "## Figure 5: kernel distance between the initial and final tangent kernels"),
    ],
    "05_sensory_integration.ipynb": [
        new_markdown_cell("# Sensory integration\n\nTheory: Proca et al. (2025); theory guide, 'Sensory integration' (`theory-sensory`)."),
        new_code_cell(SETUP),
        new_code_cell("""T_test = np.array([4, 50, 75, 100])
print("closed-form extrapolation loss, mean task:", lt.sensory.extrapolation_loss(4, T_test, target="mean"))"""),
        *figure_cells("fig6", "## Figure 6: singular values and test losses during training"),
    ],
    "06_curse_of_memory.ipynb": [
        new_markdown_cell("# The curse of memory\n\nTheory: Zucchet & Orvieto (2024); theory guide, 'The curse of memory' (`memory`).\n\n"
                          "The activity of `h_{t+1} = λ h_t + x_{t+1}` grows like the memory `1/(1-λ)`, its sensitivity "
                          "to `λ` like the memory cubed. Normalisation and reparametrisation remove it."),
        new_code_cell(SETUP),
        new_code_cell("""from lrnn_theory import memory
from lrnn_theory.optim import SGD, Adam
for lam in (0.9, 0.99, 0.999):
    h2, d2 = memory.stationary_moments(lam, rho=0.5)
    print(f"lambda={lam}: E[h^2]={h2:.4g}  E[(dh/dlambda)^2]={d2:.4g}  "
          f"gamma+exp: {memory.modulus_sensitivity(lam, 0.5, 'exp', 'fixed'):.4g}")
mc = memory.monte_carlo_moments(0.9, rho=0.9, n_chains=5_000 if QUICK else 20_000, seed=0)
print("Monte Carlo:", mc)"""),
        new_markdown_cell("## Learning a teacher eigenvalue: plain SGD vs normalised + exp parametrisation vs Adam (B.5, check 8)"),
        new_code_cell("""lru = memory.Parametrisation(modulus="exp", normalised=True)
for name, kw in (("direct + SGD", dict(optimiser=SGD, lrs=np.logspace(-7, 0, 15))),
                 ("gamma + exp + SGD", dict(optimiser=SGD, lrs=[1.0, 3.0], parametrisation=lru)),
                 ("direct + Adam", dict(optimiser=Adam, lrs=np.logspace(-3, 0, 7)))):
    scan = memory.lr_scan(0.99, 0.5, kw.pop("optimiser"), kw.pop("lrs"), steps=2000, **kw)
    print(f"{name:>18}: best lr {scan.best_lr:.3g}, steps to 1e-3 L0: {scan.best_steps}")"""),
        *figure_cells("memory-f1", "## B-F1: sensitivity against memory, and the 1-D loss landscapes"),
        *figure_cells("memory-f4", "## B-F4: Adam on the (ω_ν, ω_θ) loss surface"),
        *figure_cells("memory-f6", "## B-F6: Hessian at the optimum, dense vs complex-diagonal"),
    ],
    "07_state_merging.ipynb": [
        new_markdown_cell("# Implicit state merging on streaming parity\n\nTheory: van Rossem & Saxe (2025); theory guide, 'Implicit state merging' (`merging`).\n\n"
                          "A ReLU RNN trained on parity strings up to length 10 first memorises a tree, then merges its "
                          "hidden states into a finite automaton that generalises to any length."),
        new_code_cell(SETUP),
        new_markdown_cell("## One training run: a plateau, then the transition\n\n"
                          "The full setting is the theory guide's (`merging-task`: 100 hidden units, learning rate 0.02, "
                          "1000 epochs), whose loss plateau ends near epoch 550 (the gallery's `merging-f2`). The quick "
                          "setting keeps the task, the initialisation and the seed but trains 64 units at learning rate "
                          "0.05 for 300 epochs: the plateau then ends near epoch 230 (seeds 0, 1, 2: epochs 230-240), so "
                          "the quick run learns too. (With the default learning rate, 200 epochs end inside the plateau: "
                          "validation accuracy 0.5, chance.) The number of automaton states, extracted every 10 epochs "
                          "at threshold c = 0.01, grows while the network memorises the prefix tree and collapses when it "
                          "generalises."),
        new_code_cell("""from lrnn_theory import merging
run = merging.train_parity(hidden=64 if QUICK else 100, lr=0.05 if QUICK else 0.02, epochs=300 if QUICK else 1000,
                           extract_every=10 if QUICK else 25, seed=0, long_lengths=(100, 1000))
print("validation accuracy (length 50):", run.val_accuracy[-1], " long lengths:", run.long_accuracy)
print("epochs:", run.record_epochs.tolist())
print("states:", run.n_states.tolist())
ex = run.extract_automaton(0.01)
print(f"final automaton: {ex.n_states} states, closed: {ex.is_closed}")
if ex.is_closed:
    m = ex.minimize()
    print(f"minimised: {m.n_states} states, transitions {m.transitions.tolist()}, outputs {m.outputs.tolist()}")
    print("initial state's output read at h0 (never trained):", ex.initial_output_from_h0)"""),
        new_markdown_cell("When the empty string is alone in the initial state, that state's output is the readout at "
                          "`h0`, which training never fits (every training string has length at least 1). The "
                          "minimal machine can then keep it as a separate start state in front of the two parity "
                          "states (even: output 0, odd: output 1); on every non-empty string it computes parity."),
        new_markdown_cell("## The interaction model: when does a pair of representations merge? (A.4)"),
        new_code_cell("""from lrnn_theory.merging import interaction
for delta2 in (0.0, 0.5):
    for H0, Y0 in ((1.5, 0.2), (0.3, 1.0)):
        mq = interaction.merger_quantities(H0, Y0, delta2, N=2)
        print(f"delta^2={delta2} H0={H0} Y0={Y0}: A_high={mq.A_high:.3g} H_inf={mq.H_inf:.3g} merges={mq.merges}")"""),
        new_markdown_cell("## A-F2: automaton states vs epoch, for the run above\n\n"
                          "`figure_data` takes any run of `train_parity`; the gallery's `merging-f2` is the same figure "
                          "for the full setting."),
        new_code_cell("""data_merging_f2 = load("merging-f2").figure_data(run)
fig = load("merging-f2").draw(data_merging_f2)"""),
        *figure_cells("merging-f7", "## A-F7: the interaction model's phase portrait"),
    ],
    "08_your_own_data.ipynb": [
        new_markdown_cell("# The theory on your own data\n\n"
                          "`lt.task_dynamics(X, Y)` turns inputs `X` (P, T, N_x) and targets `Y` (P, N_y) into the theory's "
                          "task dynamics `S` (Proca et al. 2025, Sec. 2–3) and measures how far the data are from the two "
                          "assumptions that make the modes decouple: shared singular vectors across steps (*misalignment*) "
                          "and white inputs (*whiteness*, within a step and across steps). `lt.train_and_compare` then trains "
                          "the full network on the raw data and reports how far the prediction is off. "
                          "See the user guide page *The theory on your own data*."),
        new_code_cell(SETUP),
        new_markdown_cell("## 1. Round trip: data built to the assumptions give back their task dynamics"),
        new_code_cell("""S = np.stack([lt.tasks.inverse_exponential(5, 1.5, 0.7), lt.tasks.exponential(5, 1.0, 0.8)])
d = lt.make_dataset(S, 3, 3, 30, seed=0)
td = lt.task_dynamics(d.X, d.Y)
print("max |S_est - S| =", np.max(np.abs(td.S[:2] - S)), " zero modes:", td.zero_modes)
print("misalignment", td.misalignment_total, " whiteness", td.whiteness_within, td.whiteness_cross, " decouples:", td.decouples)
cmp = lt.train_and_compare(d.X, d.Y, lr=0.01, steps=2000)
print(cmp.summary())
fig = cmp.plot()"""),
        new_markdown_cell("## 2. Controlled departures: rotate one step's singular vectors, correlate inputs across steps"),
        *figure_cells("figB1", "Prediction error against the measured diagnostic (Figure B1)."),
        new_markdown_cell("## 3. The sensory-integration task (theory guide: sensory integration)\n\n"
                          "The raw inputs have mean 0.5 on every channel, so they are strongly correlated across steps; "
                          "centring (the default of `task_dynamics` and `train_and_compare`, `centre=False` keeps the "
                          "means) removes most of that. The task is an exactly linear, aligned map: its predicted final "
                          "loss is exact, and the verdict judges the time course."),
        new_code_cell("""task = lt.sensory.sensory_task(512, 4, seed=0)
for name, centre in (("raw", False), ("centred", True)):
    td = lt.task_dynamics(task.X, task.Y, centre=centre)
    cmp = lt.train_and_compare(task.X, task.Y, lr=0.01, steps=1000 if QUICK else 4000, centre=centre)
    print(f"{name:8s} misalignment {td.misalignment_total:.3g}  whiteness {td.whiteness_within:.3g} / {td.whiteness_cross:.3g}  "
          f"final loss error {cmp.final_loss_error:.3g}  loss-curve error (same step) {cmp.loss_error_step:.3g}")
    print("   verdict:", cmp.verdict)
    for note in td.notes:
        print("   -", note)
fig = cmp.plot()"""),
        new_markdown_cell("## 4. Data nobody here made: handwritten digits read row by row\n\n"
                          "scikit-learn ships the 8×8 digits offline (`pip install lrnn_theory[examples]`). Each image is a "
                          "sequence of T = 8 rows of N_x = 8 pixels; the target is the one-hot label (N_y = 10). "
                          "Pixels are scaled to [0, 1] and centred, targets centred."),
        new_code_cell("""from sklearn.datasets import load_digits

digits = load_digits()
X = digits.images / 16.0
X = X - X.mean(axis=0)
Y = np.eye(10)[digits.target]
Y = Y - Y.mean(axis=0)
for whiten in (False, True):
    td = lt.task_dynamics(X, Y, whiten=whiten)
    print(f"whiten={whiten}: misalignment {td.misalignment_total:.3g} (per row {np.round(td.misalignment, 2)}), "
          f"whiteness {td.whiteness_within:.3g} / {td.whiteness_cross:.3g}, input rank per row {td.input_rank}")
    for note in td.notes:
        print("   -", note)
print("task dynamics of the three strongest modes:")
print(np.round(td.S[:3], 3))"""),
        new_code_cell("""cmp = lt.train_and_compare(X, Y, lr=0.05, steps=1000 if QUICK else 4000, whiten=True)
print(cmp.summary())
fig = cmp.plot()"""),
        new_markdown_cell("**Finding.** On the digits the theory does not apply, and the verdict says so: about half of "
                          "the regression coefficients' energy lies off any shared set of singular vectors (each row of "
                          "an image maps to the labels along different pixel directions), and the rows are correlated with each "
                          "other, which no per-step whitening can remove. The predicted loss curve and modes are then "
                          "off by tens of percent, and the trained weights leave the aligned solution space "
                          "(`off_diagonal`). The diagnostics say so before any training: a misalignment or cross-step "
                          "whiteness of a few percent already costs a comparable relative error (section 2)."),
    ],
    "09_staircase.ipynb": [
        new_markdown_cell("# Beyond one unit per mode: the loss staircase\n\n"
                          "Theory guide, 'Beyond one unit per mode: pole fits, saddles and the loss staircase' (`theory-staircase`), "
                          "extending the aligned theory of Proca et al. (2025). A mode carried by several hidden units descends "
                          "through plateaus; plateau j sits at the best fit of the task by j exponentials (`lt.pole_fit`), "
                          "a saddle left at the rate of its Hessian's unstable direction (`lt.staircase`)."),
        new_code_cell(SETUP),
        new_markdown_cell("## Pole fits of order 0, 1, 2 (theory guide `theory-pole-fit`)"),
        new_code_cell("""T = 10
t = np.arange(1, T + 1)
s = 0.9 ** (T - t) - 0.7 * 0.4 ** (T - t)
lines = []
for j in range(3):
    fit = lt.pole_fit(s, j)
    energy = f"{fit.energy:.6g}" if fit.energy > 1e-20 else "0 (exact)"
    lines.append(f"order {j}: E* = {energy}, poles {np.round(fit.poles.real, 6)} (imaginary parts {np.abs(fit.poles.imag).max(initial=0):.0f})")
lines.append(f"order 1 = fixed_point: {float(lt.fixed_point(s).energy):.10f}")
print("\\n".join(lines))"""),
        new_markdown_cell("## The staircase against gradient descent (theory guide `theory-staircase`)\n\n"
                          "Two hidden units, N_x = N_y = 1, random start of scale 1e-6, lr 0.01."),
        new_code_cell("""sc = lt.staircase(s, 2, 1e-6)
data = lt.make_dataset(s, 1, 1, T, seed=0)
run = lt.simulate_gd(data, 2, lr=0.01, steps=11000, init="random", scale=1e-6, seed=0, record_every=20)
levels, drops = lt.plateaus.measure_staircase(run.time, run.loss, sc.levels)
print(f"levels {np.round(sc.levels[:2], 6)} then 0;  escape rates {np.round(sc.rates, 4)}\\n"
      f"predicted drop times {np.round(sc.drop_times, 1)}\\n"
      f"measured plateau 1: {levels[1]:.9f};  measured drop times {np.round(drops, 1)}")
ax = sc.plot(run=run)"""),
        *figure_cells("staircase", "## Figure: three tasks, three random starts each"),
    ],
    "explore.ipynb": [
        new_markdown_cell("# Explore\n\nMove the sliders: task family, length `T`, `δ`, `λ`, `κ`, initialisation and learning rate. "
                          "The panel shows the mode ODE (dashed), full-matrix gradient descent on an aligned network (solid) "
                          "and the profile energy `E*(b)` with the point the flow reached. All of it is "
                          "`lrnn_theory.plot.explore_panel`; this notebook only wires sliders to it."),
        new_code_cell(SETUP),
        new_code_cell("""import ipywidgets as w

controls = dict(
    family=w.Dropdown(options=["constant", "inverse_exponential", "exponential", "dirac"], value="inverse_exponential"),
    T=w.IntSlider(value=6, min=1, max=20),
    delta=w.FloatSlider(value=1.0, min=0.1, max=3.0, step=0.05),
    lam=w.FloatSlider(value=0.8, min=0.0, max=1.5, step=0.01),
    kappa=w.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="kappa (0: none)"),
    init=w.FloatLogSlider(value=0.1, base=10, min=-3, max=0),
    lr=w.FloatLogSlider(value=0.01, base=10, min=-4, max=-1),
)

def show(**params):
    lt.plot.explore_panel(**params, steps=300 if QUICK else 3000)
    plt.show()

w.interactive(show, **controls)"""),
        new_code_cell("# the same panel without widgets (what the tests execute)\nfig = lt.plot.explore_panel(family=\"dirac\", T=4, delta=1.5, lam=0.8, kappa=1.0, init=0.1, lr=0.01, steps=300)"),
    ],
}


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    unknown = sorted(set(names) - set(NOTEBOOKS))
    if unknown:
        raise SystemExit(f"unknown notebook(s) {unknown}; choose from {sorted(NOTEBOOKS)}")
    os.makedirs(OUT, exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        if names and name not in names:
            continue
        nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(nb, os.path.join(OUT, name))
        print("wrote", os.path.join("notebooks", name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
