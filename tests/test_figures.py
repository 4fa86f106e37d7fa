"""Every figure in quick mode: the numbers it plots against the theory (theory guide `gallery`), and the files it writes."""
import json
import os

import numpy as np
import pytest

from lrnn_theory.figures import FigureContext, Tolerance, available, load, read_data, run_figures
from lrnn_theory.figures._data import GRID_MIN_SIZE, compare, write_data

CTX = FigureContext(quick=True, progress=False, seed=0)


@pytest.fixture(scope="module")
def data():
    return {name: load(name).compute(CTX) for name in available()}


def test_fig1_task_dynamics(data):
    S = np.asarray(data["fig1"]["S"])
    assert S.shape == (3, 5)
    assert np.allclose(S[1], 0.7 ** np.arange(4, -1, -1)) and np.allclose(S[2], 0.7 ** np.arange(1, 6))


def test_fig2_learning_speed_and_agreement(data):
    d = data["fig2"]
    # larger δ rises earlier (b frozen at 1)
    assert np.all(np.diff(d["left"]["time_to_half"]) < 0)
    # initial slope of b at b = 0 is u s_{T-1} = δ²λ: 2.8, 1.0, 0.3 per τ (theory guide `theory-frozen-io`)
    assert np.allclose(d["right"]["initial_slope_at_b0"], [2.8, 1.0, 0.3], rtol=1e-12)
    # the (2, 0.7) curve settles lowest
    b_final = np.asarray(d["right"]["b_final_theory"])
    assert np.argmin(b_final) == 0
    # simulation within O(η) of theory (quick: η = 5e-4)
    assert np.max(d["left"]["max_abs_diff"]) < 20 * d["lr"] * 2
    assert np.max(d["right"]["max_abs_diff"]) < 20 * d["lr"] * 2


def test_fig3_fixed_points_stability_and_extrapolation(data):
    cols = {c["family"]: c for c in data["fig3"]["columns"]}
    for c in cols.values():
        ok = np.asarray(c["status"]) == 0
        assert np.allclose(np.asarray(c["b"])[ok, -1], np.asarray(c["b_star"])[ok], atol=1e-6)
        assert np.allclose(np.asarray(c["ac"])[ok, -1], np.asarray(c["u_star"])[ok], rtol=1e-5)  # at t = 30τ
    assert np.all(cols["constant"]["extrapolation"] == 0) and np.all(cols["inverse_exponential"]["extrapolation"] == 0)
    E = np.asarray(cols["exponential"]["extrapolation"])  # rows: λ = 0.8, 0.9, 1.1, 1.25; T' = 1..20
    assert np.all(E[:, 9] == 0) and np.all(np.argmin(E, axis=1) == 9)
    assert np.round(E[0, [4, 9, 14, 19]], 3).tolist() == [0.359, 0.0, 3.737, 61.423]
    # 2/λ_max for the constant family: 2/151.6-type values decrease with δ (theory guide `theory-stability`: λ_max grows like δ²)
    lr = np.asarray(cols["constant"]["max_stable_lr"])
    assert np.all(np.diff(lr) < 0)
    assert list(cols["exponential"]["early_importance"]) == [True, True, False, False]


def test_fig4_transitions_hysteresis_and_runaway(data):
    cols = {c["family"]: c for c in data["fig4"]["columns"]}
    kappa = list(data["fig4"]["kappa"])
    i02, i06, i10 = kappa.index(0.2), kappa.index(0.6), kappa.index(1.0)
    step = lambda c: np.diff(c["x"])[0]  # noqa: E731
    # theory guide `theory-exponential-kappa` table, T = 10 rows: GF constant 0.04 / 0.12 / 0.20; exponential 0.65 / 0.75 / 0.80
    gf = np.asarray(cols["constant"]["transition_gf"])
    assert np.allclose(gf[[i02, i06, i10]], [0.04, 0.12, 0.20], atol=step(cols["constant"]) + 0.01)
    gf = np.asarray(cols["exponential"]["transition_gf"])
    assert np.allclose(gf[[i02, i06, i10]], [0.65, 0.75, 0.80], atol=step(cols["exponential"]) + 0.01)
    # hysteresis: the global minimiser switches much earlier for the exponential family (GM 0.19/0.51/0.68)
    gm = np.asarray(cols["exponential"]["transition_gm"])
    assert np.allclose(gm[[i02, i06, i10]], [0.19, 0.51, 0.68], atol=step(cols["exponential"]) + 0.01)
    # Dirac, T = 4: flow leaves b ≈ 0 at β ≈ 0.60, 1.60, 2.40 and runs away (clipped and marked)
    gf = np.asarray(cols["dirac"]["transition_gf"])
    assert np.allclose(gf[[i02, i06, i10]], [0.60, 1.60, 2.40], atol=step(cols["dirac"]) + 0.01)
    assert np.asarray(cols["dirac"]["runaway"]).any() and not np.asarray(cols["constant"]["runaway"]).any()


def test_fig5_kernel_distance(data):
    d = data["fig5"]
    aligned = np.asarray(d["aligned"])
    assert np.all(aligned[0] == 0) and aligned[1, 0] == pytest.approx(0.555, abs=1e-3) and aligned[7, 9] == pytest.approx(0.865, abs=1e-3)
    un = np.asarray(d["unaligned"])  # quick: T = 1, 2, 4 × σ = 0.01, 0.28, 0.5
    assert un[0, 0] < 0.3 and un[2, 0] > 0.85  # small at T = 1, grows with T
    assert abs(un[1, 0] - 0.65) < 0.1 and abs(un[2, 0] - 0.92) < 0.05
    # a stalled run is flagged (the theory guide notes the T = 2, σ = 0.5 cell), never averaged in silently
    stalled = np.asarray(d["stalled"])
    assert np.all(np.isnan(un[np.all(stalled, axis=-1)]))


def test_fig6_sensory_integration(data):
    d = data["fig6"]
    for Tp, ref in (("50", 18.4), ("75", 42.7), ("100", 77.1)):
        assert d["mean"]["test_loss"][Tp][-1] == pytest.approx(ref, rel=0.05)
        assert d["sum"]["test_loss"][Tp][-1] < 1e-3
    assert np.max(np.abs(np.asarray(d["mean"]["sv_input_output"])[-1] - 0.25)) < 1e-2
    assert np.max(np.abs(np.asarray(d["sum"]["sv_recurrent"])[-1] - 1)) < 1e-2


def test_staircase_figure_levels_and_drops(data):
    # theory guide `theory-staircase`: plateau 1 at the best one-pole fit, drops near the prediction
    d = data["staircase"]
    for key in ("two_poles", "rotation", "modified_exponential"):
        levels, measured = np.asarray(d[key]["levels"]), np.asarray(d[key]["measured_levels"])
        assert np.allclose(measured[:, 1], levels[1], rtol=1e-6)
        np.testing.assert_allclose(np.asarray(d[key]["measured_drops"])[0], d[key]["drop_times"], rtol=0.25)


def test_appendix_figures(data):
    a1 = data["figA1"]
    assert a1["t90"][0] < a1["t90"][1] and np.all(np.asarray(a1["escape_estimate"]) < np.asarray(a1["t90"]))
    a3 = data["figA3"]
    beta = np.asarray(a3["beta"])
    b3 = np.asarray(a3["T"]["3"]["b"])
    ok = beta ** 2 < 1.9  # below the runaway at ρ = 2
    assert np.allclose(b3[ok], np.asarray(a3["T3_closed_form"]["b"])[ok], atol=1e-5)
    assert np.all(b3[beta < 1 / np.sqrt(2) - 0.01] < 1e-5) and np.all(b3[(beta > 0.75) & ok] > 0.1)
    b6 = np.asarray(a3["T"]["6"]["b"])
    assert np.all(b6[beta < 0.99] < 1e-6) and np.all(np.asarray(a3["T"]["6"]["runaway"])[beta > 1.02])
    a2 = data["figA2"]
    total = np.asarray(a2["data"][0]) + np.asarray(a2["regulariser"][0])
    assert np.isfinite(total).all()


def test_memory_f1_f2_curse_and_its_cure(data):
    d = data["memory-f1"]
    lam, rho = np.asarray(d["lam"]), list(d["rho"])
    d2 = np.asarray(d["d2"])
    # theory guide `memory-moments`: sensitivity grows like memory³ (slope 3 in log-log against 1/(1-λ)), activity like memory
    far = lam > 1 - 1e-3
    slope = np.polyfit(np.log(1 / (1 - lam[far])), np.log(d2[rho.index(0.0)][far]), 1)[0]
    assert slope == pytest.approx(3.0, abs=0.01)
    assert np.all(np.diff(d2[:, -1]) > 0)  # more correlated inputs, larger sensitivity
    # theory guide `memory-teacher-student` loss landscapes vanish at the teacher, within one grid step
    grid = np.asarray(d["lam_grid"])
    for ls, y in zip(d["lam_star"], np.asarray(d["loss"])):
        assert abs(grid[np.argmin(y)] - ls) <= grid[1] - grid[0]
    # theory guide `memory-teacher-student` phase plateau ≈ 1/(1-ν²) far from θ*
    phase = np.asarray(d["phase_loss"])
    assert phase[0, 0] == pytest.approx(1 / (1 - d["lam_star"][0] ** 2), rel=0.05)
    e = data["memory-f2"]
    hn = np.asarray(e["h2_normalised"])
    assert np.allclose(hn[0], 1.0, rtol=1e-12)  # γ = sqrt(1-λ²) normalises white inputs exactly (theory guide `memory-reparametrisation`)
    cure = np.asarray(e["d_omega2_normalised_exp"])
    assert cure[0, -1] == pytest.approx(0.5, rel=1e-3) and cure[1, -1] == pytest.approx(9.5, rel=1e-2)


def test_memory_f3_f4_parametrisations(data):
    rows = {r["label"]: r for r in data["memory-f3"]["rows"]}
    nus = data["memory-f3"]["nu_star"]
    # curvature along ω_ν near the teacher (nearest grid point): γ + exp stays O(1/4) for every ν*
    # (theory guide `memory-teacher-student`: it tends to 1/4), while the direct parametrisation's grows like 1/(1-ν*)²
    near = {lab: [r["hess_nu"][k][int(np.argmin(r["loss_nu"][k]))] for k in range(len(nus))] for lab, r in rows.items()}
    assert all(0.1 < h < 0.3 for h in near["exp"])
    assert near["direct"][-1] > 100 and near["direct"][-1] > 10 * near["direct"][0]
    f4 = {p["label"]: p for p in data["memory-f4"]["panels"]}
    assert f4["direct"]["status"] == "converged" and f4["exp"]["status"] == "converged"


def test_memory_f6_f7_hessian_structure(data):
    d = data["memory-f6"]
    for key in ("dense", "diagonal"):
        H = np.asarray(d[key])
        assert np.allclose(H, H.T, rtol=0, atol=1e-9 * np.abs(H).max())
        assert np.linalg.eigvalsh(H).min() > -1e-8 * np.abs(H).max()  # a Gauss–Newton matrix is PSD
    # theory guide `memory-multidim`: the diagonal student's top eigenvectors are localised, the dense student's spread out
    assert np.asarray(d["ipr_diagonal"])[-1] > 2 * np.asarray(d["ipr_dense"])[-1]
    f = data["memory-f7"]
    s0 = np.asarray(f["abs_S"])[0]
    re, im = np.asarray(f["re"]), np.asarray(f["im"])
    i, j = np.unravel_index(np.nanargmax(s0), s0.shape)
    peak = re[j] + 1j * im[i]
    lam0 = f["lam0"][0] + 1j * f["lam0"][1]
    assert min(abs(peak - lam0), abs(peak - np.conj(lam0))) < 0.05


def test_merging_figures_quick(data):
    """Theory guide `gallery` figures in quick mode: one shared training run, consistent numbers across figures."""
    f1, f2, f8 = data["merging-f1"], data["merging-f2"], data["merging-f8"]
    assert np.array_equal(f1["record_epochs"], f2["record_epochs"])  # the same (shared) run
    assert np.all(np.asarray(f2["fraction"]) <= 1.0) and f2["n_strings"] == 2047
    assert np.asarray(f1["loss"])[-1] < np.asarray(f1["loss"])[0]
    assert np.all(np.asarray(f8["mean_sq_distance"]) > 0)
    f3 = data["merging-f3"]
    assert f3["machines"][1]["transitions"].shape[0] == max(np.asarray(f2["n_states"]))  # the peak snapshot
    frac = np.asarray(data["merging-f4"]["fraction"], dtype=float)
    assert frac.shape == (10, 10) and np.nanmax(frac) <= 1.0 and np.allclose(frac, frac.T, equal_nan=True)
    f6 = data["merging-f6"]
    d = np.asarray(f6["theory_agree"])
    assert d.max() == pytest.approx(0.33, abs=0.01) and d[-1] < 1e-3  # theory guide `theory-checks-merging` in the figure
    f7 = data["merging-f7"]
    for tr in f7["trajectories"]:
        assert tr["H"][-1] == pytest.approx(tr["H_inf"], abs=1e-3)


def test_memory_student_figures_quick(data):
    for name in ("memory-f5", "memory-f8"):
        d = data[name]
        for key in ("dense", "lru"):
            v = np.asarray(d[key], dtype=float)
            assert v.ndim == 1 and np.all(np.isfinite(v)) and np.all(v > 0)


def test_merging_phase_diagram_quick_grid(data):
    d = data["merging-f5"]
    assert np.asarray(d["n_states"]).shape == (2, 2) and np.all(np.asarray(d["n_states"]) >= 1)
    acc = np.asarray(d["accuracy"])
    assert np.all((acc >= 0) & (acc <= 1))


def test_run_figures_writes_png_and_json_atomically(tmp_path):
    recs = run_figures(["fig1", "figA2"], out=str(tmp_path), quick=True, progress=False, formats=("png", "pdf"))
    names = sorted(p.name for p in tmp_path.iterdir())
    # figA2's landscapes are grids: they go to the compressed archive beside the JSON
    assert names == ["fig1.json", "fig1.pdf", "fig1.png", "figA2.json", "figA2.npz", "figA2.pdf", "figA2.png"]
    assert json.loads((tmp_path / "fig1.json").read_text())["figure"] == "fig1"
    assert [r.name for r in recs] == ["fig1", "figA2"]
    # the one-line load gives back what compute() returned: curves exactly, grids at float32
    direct = load("figA2").compute(FigureContext(quick=True, progress=False))
    stored = read_data(tmp_path / "figA2.json")["data"]
    for key, value in direct.items():
        ref = np.asarray(value, dtype=float)
        got = np.asarray(stored[key])
        if ref.ndim >= 2 and ref.size >= GRID_MIN_SIZE:
            assert got.dtype == np.float32 and np.array_equal(got, ref.astype(np.float32))
        else:
            assert np.array_equal(got.astype(float), ref, equal_nan=True)


def test_figures_in_a_process_pool_compute_what_a_serial_run_computes(tmp_path):
    """Parallel figures (one process per group, fresh "spawn" workers) write the serial run's numbers."""
    from lrnn_theory.figures import figure_groups

    names = ["merging-f4", "fig1", "merging-f8", "figA1"]
    assert figure_groups(names) == [["merging-f4", "merging-f8"], ["fig1"], ["figA1"]]  # the shared run stays together
    serial, pooled = tmp_path / "serial", tmp_path / "pooled"
    # numbers only (formats=(): no image files, whose writing test_run_figures_writes_png_and_json_atomically
    # checks): saves about 6 s of PNG encoding
    recs = run_figures(names, out=str(pooled), quick=True, progress=False, jobs=2, formats=())
    assert [r.name for r in recs] == names
    run_figures(names, out=str(serial), quick=True, progress=False, jobs=1, formats=())
    for n in names:
        assert compare(read_data(pooled / f"{n}.json"), read_data(serial / f"{n}.json"), Tolerance(rtol=0.0, atol=0.0, grid_rtol=0.0)) == []


def test_write_read_compare_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    grid = rng.normal(size=(64, 64))
    grid[3, 4] = np.nan
    data = {"curve": np.linspace(0, 1, 7), "grid": grid, "panels": [{"x": [1.0, None, 3.0], "label": "a"}],
            "flag": True, "n": 3}
    paths = write_data(str(tmp_path / "f.json"), {"figure": "f"}, data)
    assert [os.path.basename(p) for p in paths] == ["f.json", "f.npz"]
    doc = read_data(tmp_path / "f.json")
    assert doc["figure"] == "f"
    assert np.array_equal(doc["data"]["curve"], np.linspace(0, 1, 7))  # float64 JSON is exact
    assert doc["data"]["grid"].dtype == np.float32
    assert np.array_equal(doc["data"]["grid"], grid.astype(np.float32), equal_nan=True)
    assert compare(doc["data"], read_data(tmp_path / "f.json")["data"]) == []


def test_compare_finds_each_kind_of_difference(tmp_path):
    base = {"curve": [1.0, 2.0, 3.0], "grid": np.ones((50, 50), dtype=np.float32), "label": "x", "ok": True}
    tol = Tolerance(rtol=1e-9, atol=0.0, grid_rtol=1e-6)
    assert compare({**base, "curve": [1.0, 2.0, 3.0 * (1 + 5e-10)]}, base, tol) == []  # within rtol
    bad = compare({**base, "curve": [1.0, 2.0, 3.0 * (1 + 2e-9)]}, base, tol)
    assert len(bad) == 1 and bad[0].path == "/curve" and "1 of 3" in bad[0].message
    g = np.ones((50, 50))
    g[7, 7] = 1 + 3e-7  # rounds back to 1 in float32: invisible at the stored precision
    assert compare({**base, "grid": g}, base, tol) == []
    g[7, 7] = 1 + 1e-5
    assert [m.path for m in compare({**base, "grid": g}, base, tol)] == ["/grid"]
    assert [m.path for m in compare({**base, "grid": np.ones((50, 49))}, base, tol)] == ["/grid"]
    assert [m.path for m in compare({**base, "label": "y"}, base, tol)] == ["/label"]
    assert [m.path for m in compare({**base, "ok": False}, base, tol)] == ["/ok"]
    assert compare({k: v for k, v in base.items() if k != "ok"}, base, tol)[0].path == "/"
    assert [m.path for m in compare({**base, "curve": [1.0, None, 3.0]}, base, tol)] == ["/curve"]


def test_cli_check_passes_on_fresh_data_and_names_a_changed_figure(tmp_path, capsys):
    from lrnn_theory.cli import main as cli

    out = str(tmp_path)
    assert cli(["figures", "--quick", "--only", "fig1,figA3", "--out", out]) == 0  # default --jobs: a process pool
    capsys.readouterr()
    # the checks in this process (--jobs 1; a check computes through the same run_figures, whose pool is
    # tested above and by the first call): three pool start-ups less
    assert cli(["figures", "--quick", "--check", "--only", "fig1,figA3", "--out", out, "--jobs", "1"]) == 0
    assert "all reproduce" in capsys.readouterr().out
    path = tmp_path / "figA3.json"
    doc = json.loads(path.read_text())
    key = next(k for k, v in doc["data"].items() if isinstance(v, list) and v and isinstance(v[0], float))
    doc["data"][key][0] = doc["data"][key][0] * 1.001 + 1e-3
    path.write_text(json.dumps(doc))
    assert cli(["figures", "--quick", "--check", "--only", "fig1,figA3", "--out", out, "--jobs", "1"]) == 1
    text = capsys.readouterr().out
    assert f"MISMATCH figA3: /data/{key}" in text and "1 differ (figA3)" in text
    assert cli(["figures", "--check", "--only", "fig1", "--out", out, "--jobs", "1"]) == 1  # stored quick, checked full
    assert "quick" in capsys.readouterr().out


def test_run_and_check_arguments_are_named():
    from lrnn_theory.figures import check_figures

    with pytest.raises(ValueError, match="unknown figure 'fig99'"):  # one name as a string, not its letters
        run_figures("fig99", out="/tmp", progress=False)
    with pytest.raises(ValueError, match="unknown image format 'bmp'"):
        run_figures(["fig1"], out="/tmp", formats="bmp", progress=False)
    for kwargs, match in [(dict(names=5), "names must be a list"), (dict(names=[1]), "names must be figure names"),
                          (dict(jobs="2"), "jobs must be an integer"), (dict(jobs=0), "jobs must be >= 1"),
                          (dict(seed=-1), "seed must be >= 0"), (dict(quick="yes"), "quick must be a bool")]:
        for fn in (run_figures, check_figures):
            with pytest.raises((TypeError, ValueError), match=match):
                fn(**{"names": ["fig1"], **kwargs}, progress=False)


def test_unknown_figure_and_format():
    with pytest.raises(ValueError, match="fig1, fig2"):
        run_figures(["nope"], out="/tmp", progress=False)
    with pytest.raises(ValueError, match="format"):
        run_figures(["fig1"], out="/tmp", formats=("bmp",), progress=False)


# ----------------------------------------------------------------------------- damaged data files (issue #23 §5)
REPO_FIGURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "figures")


def _copy_figure(name, folder):
    """Copies of a committed figure's .json and .npz (the committed files are never touched)."""
    import shutil

    for ext in (".json", ".npz"):
        src = os.path.join(REPO_FIGURES, name + ext)
        if os.path.exists(src):
            shutil.copy(src, folder / (name + ext))
    return folder / f"{name}.json", folder / f"{name}.npz"


def _truncate(p):
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _gridless(p):
    np.savez(p, other=np.ones(3))


def _npy(p):
    with open(p, "wb") as fh:
        np.save(fh, np.ones((3, 3)))


def _pickled(p):
    np.savez(p, b=np.array([{"x": 1}], dtype=object), ac=np.ones(2))


def _to_dir(p):
    p.unlink()
    p.mkdir()


NPZ_DAMAGE = {  # name -> (how, what the message says)
    "truncated": (_truncate, "not a readable .npz archive"),
    "empty": (lambda p: p.write_bytes(b""), "not a readable .npz archive"),
    "garbage": (lambda p: p.write_bytes(b"not an archive at all" * 10), "not a NumPy .npz archive"),
    "grid-less": (_gridless, "grid(s) ['ac', 'b'] missing (found: other)"),
    "npy": (_npy, "a single .npy array"),
    "pickled": (_pickled, "object (pickled) arrays"),
    "missing": (lambda p: p.unlink(), "no such file"),
    "directory": (_to_dir, "a directory"),
}
JSON_DAMAGE = {
    "truncated": (_truncate, "not valid JSON"),
    "binary": (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "not UTF-8 text"),
    "list": (lambda p: p.write_text("[1, 2]"), "found a JSON list"),
    "no data": (lambda p: p.write_text('{"figure": "figA1", "title": "t", "quick": true}'), "found keys ['figure', 'quick', 'title']"),
    "directory": (_to_dir, "a directory"),
}


@pytest.mark.parametrize("damage", NPZ_DAMAGE, ids=list(NPZ_DAMAGE))
def test_read_data_names_a_damaged_npz(tmp_path, damage):
    js, npz = _copy_figure("figA1", tmp_path)
    assert read_data(js)["data"]["b"].shape == np.load(npz)["b"].shape  # the intact copy loads
    how, says = NPZ_DAMAGE[damage]
    how(npz)
    with pytest.raises(ValueError) as info:
        read_data(js)
    msg = str(info.value)
    assert msg.startswith(f"{npz}: ") and says in msg and "expected a NumPy .npz archive" in msg, msg
    assert "allow_pickle" not in msg and "\n" not in msg


@pytest.mark.parametrize("damage", JSON_DAMAGE, ids=list(JSON_DAMAGE))
def test_read_data_names_a_damaged_json(tmp_path, damage):
    js, _ = _copy_figure("figA1", tmp_path)
    how, says = JSON_DAMAGE[damage]
    how(js)
    with pytest.raises(ValueError) as info:
        read_data(js)
    msg = str(info.value)
    assert msg.startswith(f"{js}: ") and says in msg and "\n" not in msg, msg
    if damage != "directory":
        assert '"data"' in msg  # the expected format is stated


def test_read_data_path_argument():
    with pytest.raises(TypeError, match="path must be a str"):
        read_data(3)
    with pytest.raises(ValueError, match="no such file"):
        read_data("no/such/figure.json")


def test_figure_context_fields_are_checked():
    assert FigureContext(seed=np.int64(3)).seed == 3
    for kwargs, match in [(dict(seed=-1), "seed"), (dict(seed=1.5), "seed"), (dict(quick="yes"), "quick"),
                          (dict(progress=None), "progress"), (dict(shared=[]), "shared")]:
        with pytest.raises((TypeError, ValueError), match=match):
            FigureContext(**kwargs)


def test_tolerance_fields_are_checked():
    assert Tolerance(rtol=np.float32(0.5), atol=np.int64(0)) == Tolerance(rtol=0.5, atol=0.0)
    for bad, exc in [("x", TypeError), (-1.0, ValueError), (np.nan, ValueError), (True, TypeError)]:
        with pytest.raises(exc, match="rtol"):
            Tolerance(rtol=bad)


def test_compare_reports_type_changes_instead_of_raising():
    assert compare({"x": {"y": 1.0}}, {"x": 2.0})[0].path == "/x"
    assert compare({"x": "text"}, {"x": [1.0, 2.0]})[0].path == "/x"
    assert compare({"x": [1.0, 2.0]}, {"x": "text"})[0].path == "/x"
    assert compare({"x": [[1.0], [2.0, 3.0]]}, {"x": [1.0, 2.0]})[0].path == "/x"


@pytest.mark.parametrize("damage", ["truncated", "grid-less"])
def test_cli_check_with_a_damaged_stored_file_is_one_line_and_status_2(tmp_path, damage):
    import subprocess
    import sys

    js, npz = _copy_figure("figA1", tmp_path)
    NPZ_DAMAGE[damage][0](npz)
    run = subprocess.run([sys.executable, "-m", "lrnn_theory.cli", "figures", "--check", "--only", "figA1", "--out",
                          str(tmp_path), "--jobs", "1"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith(f"lrnn-theory figures: error: {npz}: ") and NPZ_DAMAGE[damage][1] in lines[0]


def test_cli_check_with_a_damaged_json_is_status_2(tmp_path, capsys):
    from lrnn_theory.cli import main as cli

    js, _ = _copy_figure("fig1", tmp_path)
    js.write_text(js.read_text()[:-10])
    with pytest.raises(SystemExit) as info:
        cli(["figures", "--check", "--only", "fig1", "--out", str(tmp_path), "--jobs", "1"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{js}: not valid JSON" in err


def test_memory_f1_figure_data_for_ones_own_teachers():
    """memory-f1 for any λ* and ρ (theory guide `memory-moments`, `memory-teacher-student`): white-input
    sensitivity equals the closed form (1 + λ²)/(1 − λ²)³, each teacher's loss is zero at λ = λ*
    (phase 0) and positive elsewhere; the figure draws it; bad teachers are refused."""
    f1 = load("memory-f1")
    data = f1.figure_data(lam_stars=[0.5, 0.95], rhos=[0.0, 0.9], n_memory=6, n_lambda=11, n_phase=9)
    lam = data["lam"]
    np.testing.assert_allclose(data["d2"][0], (1 + lam**2) / (1 - lam**2) ** 3, rtol=1e-12)
    assert data["loss"].shape == (2, 11) and data["phase_loss"].shape == (2, 9)
    mid = np.flatnonzero(data["phi"] == 0.0)
    assert mid.size == 1 and np.all(np.abs(data["phase_loss"][:, mid]) < 1e-12)
    assert np.all(np.delete(data["phase_loss"], mid, axis=1) > 0)
    f1.draw(data)
    with pytest.raises(ValueError, match="lam_stars"):
        f1.figure_data(lam_stars=[[0.5]])
    with pytest.raises(ValueError):
        f1.figure_data(lam_stars=[1.5])


def test_figure_data_functions_with_their_own_parameters():
    """The public ``figure_data`` of memory-f2, memory-f7, figA2 and merging-f7 at parameters of one's
    own, each against an independent closed form, and drawable."""
    # memory-f2: with the input normalisation γ = sqrt(1 - λ²), white inputs give E[h²] = 1
    f2 = load("memory-f2")
    d = f2.figure_data(rhos=[0.0, 0.5], n_memory=6)
    np.testing.assert_allclose(d["h2_normalised"][0], 1.0, rtol=1e-12)
    f2.draw(d)
    # memory-f7: at real λ = λ0 = x, white inputs, |S| = (1 + x²)/(1 − x²)³; NaN outside the radius
    f7 = load("memory-f7")
    d = f7.figure_data(lam0=0.5, rhos=[0.0], n=5, radius=0.9)
    assert d["abs_S"][0, 2, 3] == pytest.approx((1 + 0.25) / 0.75 ** 3, rel=1e-12)
    assert np.isnan(d["abs_S"][0, 0, 0]) and np.isfinite(d["abs_S"][0, 2, 2])
    f7.draw(d)
    # figA2: data term + regulariser = E(u, b) = ½ Σ_i (s_i − u b^{T−i})² (Proca et al. 2025, eq. 9)
    a2 = load("figA2")
    d = a2.figure_data(s1=[0.7, 2.0], T=4, n=7)
    U, B = np.meshgrid(d["u"], d["b"], indexing="xy")
    for s1, D, R in zip(d["s1"], d["data"], d["regulariser"]):
        s = np.array([s1, 0.0, 0.0, 1.0])
        E = 0.5 * sum((s[i] - U * B ** (3 - i)) ** 2 for i in range(4))
        np.testing.assert_allclose(D + R, E, rtol=1e-12, atol=1e-12)
    a2.draw(d)
    # merging-f7: a trajectory ends at the fixed point H_∞ the closed form predicts
    m7 = load("merging-f7")
    d = m7.figure_data(a_lows=[0.0, 0.5], starts=[(1.5, 0.2)], delta2s=[0.0], n_a=9, n_t=21)
    np.testing.assert_allclose(d["H_inf"][1], 0.5 * d["A_high"] + np.sqrt(0.25 * d["A_high"] ** 2 + 0.25), rtol=1e-14)
    tr = d["trajectories"][0]
    assert tr["H"][-1] == pytest.approx(tr["H_inf"], rel=1e-3, abs=1e-6)
    m7.draw(d)
    for bad in (dict(n_a=1), dict(starts=[(1.0, 2.0, 3.0)])):
        with pytest.raises(ValueError, match=next(iter(bad))):
            m7.figure_data(**bad)


def test_cli_unreachable_scheduler_is_one_line_and_status_2(tmp_path, capsys, monkeypatch):
    import dask.distributed

    def refuse(address, *args, **kwargs):  # what dask raises after its connection timeout
        raise OSError(f"Timed out trying to connect to {address} after 30 s")

    monkeypatch.setattr(dask.distributed, "Client", refuse)  # what _runner imports
    from lrnn_theory.cli import main as cli

    with pytest.raises(SystemExit) as info:
        cli(["figures", "--quick", "--only", "fig1", "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scheduler: cannot connect to 'tcp://127.0.0.1:1' (OSError: Timed out" in err


def test_cli_unwritable_figure_file_is_one_line_and_status_2(tmp_path, capsys):
    from lrnn_theory.cli import main as cli

    (tmp_path / "fig1.json").mkdir()  # a directory where the figure's numbers go
    with pytest.raises(SystemExit) as info:
        cli(["figures", "--quick", "--only", "fig1", "--out", str(tmp_path), "--jobs", "1"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{tmp_path / 'fig1.json'}: Is a directory" in err


def test_merging_figure_data_from_ones_own_run():
    """merging-f1, f2, f3, f4, f8 from a training run of one's own (theory guide `merging-automaton`):
    the prefix tree up to L_max = 4 has 2^5 − 1 = 31 strings, state fractions are counts over it,
    the run-wide threshold is one number, the two length-1 strings disagree under parity (no
    merged fraction), distances are non-negative; each figure draws; a non-run is refused."""
    from lrnn_theory.merging import train_parity

    run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, val_lengths=(25,), long_lengths=(50,),
                       snapshot_epochs=(0, 10, 20))
    data = {name: load(name).figure_data(run) for name in ("merging-f1", "merging-f2", "merging-f3", "merging-f4",
                                                            "merging-f8")}
    f2 = data["merging-f2"]
    assert f2["n_strings"] == 31
    np.testing.assert_array_equal(f2["fraction"] * 31, f2["n_states"])
    assert f2["epsilon_run"] == run.rethreshold("run").epsilon[0]
    f4 = data["merging-f4"]
    assert f4["fraction"].shape == (4, 4) and np.isnan(f4["fraction"][0, 0])
    assert np.all((f4["fraction"][~np.isnan(f4["fraction"])] >= 0) & (f4["fraction"][~np.isnan(f4["fraction"])] <= 1))
    assert np.all(data["merging-f8"]["mean_sq_distance"] >= 0)
    assert data["merging-f3"]["epochs"][0] == 0 and data["merging-f3"]["epochs"][-1] == 20
    assert data["merging-f1"]["val_loss"]["25"].shape == run.record_epochs.shape
    for name, d in data.items():
        load(name).draw(d)
        with pytest.raises(TypeError, match="run"):
            load(name).figure_data("not a run")


def test_figure_data_figA1_and_memory_f6_with_their_own_parameters():
    """figA1 for one's own task (theory guide `theory-escape-recency`): the inverse-exponential fixed
    point b* = λ, u* = δ (and swapped for the twin), reached by the flow; memory-f6 for one's own
    teacher (theory guide `memory-multidim`): Gauss–Newton matrices symmetric positive semi-definite,
    inverse participation ratios in [1/n, 1]."""
    a1 = load("figA1")
    d = a1.figure_data(delta=2.0, lam=0.3, T=5, t_end=40.0, n_t=201)
    np.testing.assert_allclose(d["b_star"], [0.3, 2.0], rtol=1e-12)
    np.testing.assert_allclose(d["u_star"], [2.0, 0.3], rtol=1e-12)
    assert abs(d["b"][0, -1] - 0.3) < 1e-6 and abs(d["ac"][0, -1] - 2.0) < 1e-6
    a1.draw(d)
    f6 = load("memory-f6")
    d = f6.figure_data(d_h=3, T=60, nu_min=0.9, nu_max=0.95, seed=1)
    for H, ev, ipr in ((d["dense"], d["spectrum_dense"], d["ipr_dense"]),
                       (d["diagonal"], d["spectrum_diagonal"], d["ipr_diagonal"])):
        np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12 * np.abs(H).max())
        assert ev.min() >= -1e-10 * ev.max()
        assert np.all(ipr <= 1 + 1e-12) and np.all(ipr >= 1 / H.shape[0] - 1e-12)
    f6.draw(d)
    with pytest.raises(ValueError, match="T"):
        f6.figure_data(T=0)


def test_memory_f3_figure_data_loss_vanishes_at_the_teacher():
    """memory-f3 for one's own teacher (theory guide `memory-reparametrisation`): along ω_ν the loss is
    non-negative and zero where the grid hits ν*, the curvature there positive, in every
    parametrisation."""
    nu_star = float(np.linspace(0.02, 0.998, 9)[5])
    f3 = load("memory-f3")
    d = f3.figure_data(nu_stars=[nu_star], theta_star=0.2, n=9)
    assert len(d["rows"]) == 3 and d["theta_star"] == 0.2
    for row in d["rows"]:
        loss, hess = row["loss_nu"][0], np.asarray(row["hess_nu"][0])
        assert np.all(loss >= 0) and loss[5] < 1e-20 and np.argmin(loss) == 5
        assert hess[5] > 0
    f3.draw(d)


def test_memory_f4_figure_data_adam_reaches_ones_own_teacher():
    """memory-f4 for one's own teacher (theory guide `memory-reparametrisation`): Adam converges to the
    teacher's ω (the loss surface is non-negative, its value at ω* zero to rounding)."""
    from lrnn_theory.memory import Parametrisation, loss_in_omega

    f4 = load("memory-f4")
    lam_star = 0.9 * np.exp(0.3j)
    d = f4.figure_data(lam_star=lam_star, lam0=0.5 + 0.1j, lr=1e-2, steps=3000, rows=[("exp", "exp", "exp")], n=11)
    p = d["panels"][0]
    assert p["status"] == "converged" and p["final_loss"] < 1e-6
    assert np.all(p["surface"] >= 0)
    ws = p["omega_star"]
    np.testing.assert_allclose(p["omega"][-1], ws, rtol=1e-6)
    assert loss_in_omega(ws[0], ws[1], lam_star, Parametrisation("exp", "exp", normalised=True)) < 1e-20
    f4.draw(d)


def test_figC1_figure_data_for_ones_own_rotational_mode():
    """figC1 for one's own rotational mode (theory guide `theory-complex-modes`): the complex flow ends at
    b* = λ, |ac| = δ; gradient descent on the real weights follows it to O(lr) (the error halves with
    the learning rate)."""
    c1 = load("figC1")
    kw = dict(modes=[(1.0, 0.9j)], T=3, t_end=40.0, n_h=2, kernel_T=[2])
    d = c1.figure_data(lr=0.02, **kw)
    assert d["b_abs_theory"][-1, 0] == pytest.approx(0.9, abs=1e-6)
    assert d["b_arg_theory"][-1, 0] == pytest.approx(np.pi / 2, abs=1e-6)
    assert d["ac_abs_theory"][-1, 0] == pytest.approx(1.0, abs=1e-6)
    half = c1.figure_data(lr=0.01, **kw)
    assert 1.7 < d["max_abs_diff_b"][0] / half["max_abs_diff_b"][0] < 2.3
    c1.draw(d)


def test_figA3_figure_data_matches_the_T3_closed_form():
    """figA3 on one's own β range (theory guide `theory-dirac`): at T = 3 the numerical global minimiser
    equals the closed form where that lies inside the search bound, and sits on the bound (runaway)
    beyond; at T = 6 the runaway branch takes over above β = 1."""
    a3 = load("figA3")
    d = a3.figure_data(0.3, 1.4, n_beta=5, b_max=5.0)
    b_num, b_cf = d["T"]["3"]["b"], d["T3_closed_form"]["b"]
    inside = b_cf < 5.0
    np.testing.assert_allclose(b_num[inside], b_cf[inside], atol=1e-8)
    np.testing.assert_allclose(b_num[~inside], 5.0, rtol=1e-12)
    np.testing.assert_array_equal(d["T"]["6"]["runaway"], d["beta"] > 1)
    a3.draw(d)


def test_fig3_figure_data_for_ones_own_families():
    """fig3 for one's own tasks (theory guide `theory-stability-extrapolation`): inverse-exponential tasks
    with λ < 1 have b* = λ, u* = δ, the flow from a small start reaches b*, the extrapolation energy
    vanishes at the trained length; one column draws."""
    f3 = load("fig3")
    d = f3.figure_data([("inverse_exponential", "λ", [(1.5, 0.6), (0.8, 0.8)])], T=6, t_end=200.0, n_t=21, T_test_max=8)
    col = d["columns"][0]
    np.testing.assert_allclose(col["b_star"], [0.6, 0.8], rtol=1e-12)
    np.testing.assert_allclose(col["u_star"], [1.5, 0.8], rtol=1e-12)
    assert not np.any(col["early_importance"])
    np.testing.assert_allclose(col["b"][:, -1], col["b_star"], atol=1e-6)
    assert col["extrapolation"].shape == (2, 8) and np.all(col["extrapolation"][:, 5] < 1e-20)  # zero at T' = T
    f3.draw(d)


def test_fig2_figure_data_for_ones_own_scales():
    """fig2 for one's own δ and (δ, λ) (theory guide `theory-frozen-recurrent`, `theory-frozen-io`): the
    initial slope of b at b = 0 is u s_{T-1} = δ²λ, b with u frozen at δ ends at λ, and full-matrix
    gradient descent follows both theories."""
    f2 = load("fig2")
    d = f2.figure_data(deltas=[0.7, 1.5], recurrent=[(1.2, 0.6)], T=4, lr=0.01, steps=2000)
    R, L = d["right"], d["left"]
    np.testing.assert_allclose(R["initial_slope_at_b0"], [1.2 ** 2 * 0.6], rtol=1e-12)
    assert R["b_final_theory"][0] == pytest.approx(0.6, abs=1e-4)
    np.testing.assert_allclose(L["ac_theory"][-1], [0.7, 1.5], rtol=1e-3)
    # gradient descent differs from the flow by O(lr): halving the step halves the gap
    h = f2.figure_data(deltas=[0.7, 1.5], recurrent=[(1.2, 0.6)], T=4, lr=0.005, steps=4000)
    for key in ("left", "right"):
        ratio = np.asarray(d[key]["max_abs_diff"]) / np.asarray(h[key]["max_abs_diff"])
        assert np.all((ratio > 1.6) & (ratio < 2.4)), (key, ratio)
    f2.draw(d)


def test_fig4_figure_data_for_ones_own_kappas():
    """fig4 for one's own κ and range (theory guide `theory-regulariser`): the flow reaches the global
    minimiser of the profile energy where that is the only minimum (small δ, constant task with a
    feedforward last step), and the unmodified solution b* = 1, u* = δ is approached as κ -> δ."""
    f4 = load("fig4")
    d = f4.figure_data(kappas=[1.0], columns=[("constant", "δ", 6, (0.5, 1.5))], n=3)
    col = d["columns"][0]
    # κ = δ = 1 is the unmodified constant task: b* = 1, ac* = δ = 1
    assert col["b"][0, 1] == pytest.approx(1.0, abs=1e-6) and col["ac"][0, 1] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(col["b"], col["b_gm"], atol=1e-5)
    f4.draw(d)


def test_fig5_figure_data_recurrence_drives_kernel_movement():
    """fig5 on one's own grid (theory guide `theory-ntk`): the aligned kernel does not move at T = 1 (no
    recurrence: distance 0) and moves more the longer the task; trained unaligned networks move
    their kernel more at T = 3 than at T = 1."""
    f5 = load("fig5")
    d = f5.figure_data([0.05, 0.3], [1, 2, 5], unaligned_T=[1, 3], unaligned_sigma=[0.05], n_seeds=1, max_steps=20000)
    np.testing.assert_allclose(d["aligned"][0], 0.0, atol=1e-12)
    assert np.all(np.diff(d["aligned"], axis=0) > 0)
    assert not d["stalled"].any() and d["unaligned"][1, 0] > d["unaligned"][0, 0]
    f5.draw(d)


def test_merging_f6_figure_data_diverge_then_merge():
    """merging-f6 from one's own run (theory guide `merging-interaction`): under the fixed-expansion
    closure an agreeing pair first diverges then merges (distance back to 0), a disagreeing pair
    separates for good; the measured pairs are the tracked strings, split by parity; a run without
    tracked strings is refused."""
    from lrnn_theory.merging import train_parity

    run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=(),
                       track_strings=("0000", "0011", "0001"))
    m6 = load("merging-f6")
    d = m6.figure_data(run, n_t=31)
    a, b = d["theory_agree"], d["theory_disagree"]
    assert a.max() > 2 * a[0] and a[-1] < 1e-6 * a.max()
    assert b[-1] > 10 * b[0]
    assert d["pairs"]["disagree"] == ["0000", "0001"] and d["measured_agree"].shape == run.record_epochs.shape
    m6.draw(d)
    with pytest.raises(ValueError, match="track"):
        m6.figure_data(train_parity(hidden=8, L_max=3, epochs=2, extract_every=1, long_lengths=()))


def test_memory_student_figure_data_keep_the_best_learning_rate():
    """memory-f5 / memory-f8 with one's own grid (theory guide `memory-simulation-plan`): the final loss
    of each model is the best over the learning rates tried, i.e. the minimum of runs at each one."""
    small = dict(d_h=2, teacher_d_h=2, T=5, batch=4, steps=5)
    f5 = load("memory-f5")
    both = f5.figure_data(nu0=[0.5, 0.9], lrs=[1e-3, 1e-2], n_replicates=1, settings=small)
    one = [f5.figure_data(nu0=[0.5, 0.9], lrs=[lr], n_replicates=1, settings=small) for lr in (1e-3, 1e-2)]
    for model in ("dense", "lru"):
        np.testing.assert_array_equal(both[model], np.minimum(one[0][model], one[1][model]))
        assert both[model].shape == (2,) and np.all(both[model] >= 0)
    f5.draw(both)
    f8 = load("memory-f8")
    d = f8.figure_data(theta0=[3.0, 0.3], lrs=[1e-2], nu0=0.9, n_replicates=1, settings=small)
    assert d["dense"].shape == (2,) and np.all(d["lru"] >= 0)
    f8.draw(d)


def test_figB1_figure_data_for_ones_own_task():
    """figB1 on task dynamics of one's own (theory guide `own-data-validation`): the measured cross-step
    whiteness is the closed form of the prescribed correlation (perturbed_dataset builds
    Σ^{X_t X_t'} = r^{|t-t'|} I; at T = 3 the whiteness sqrt(Σ_{t≠t'} r^{2|t-t'|} / (T(T-1))) is
    sqrt((4r² + 2r⁴)/6)), aligned data carry no misalignment and are predicted to rounding at convergence, each point is
    what train_and_compare reports on that dataset, and bad parameters are refused by name."""
    from lrnn_theory import tasks
    from lrnn_theory.empirical import perturbed_dataset, train_and_compare

    b1 = load("figB1")
    S = np.stack([tasks.inverse_exponential(3, 1.2, 0.6), tasks.inverse_exponential(3, 0.8, 0.4)])
    d = b1.figure_data(S, thetas=[0.0, 0.4], rs=[0.0, 0.3], lr=0.02, steps=1500, seed=1)
    rot, cor = d["rotation"], d["correlation"]
    np.testing.assert_allclose(cor["whiteness_cross"], [0.0, np.sqrt((4 * 0.3**2 + 2 * 0.3**4) / 6)], rtol=1e-12,
                               atol=1e-12)
    assert rot["misalignment"][0] < 1e-12 < 1e-3 < rot["misalignment"][1]
    assert rot["final_loss_error"][0] < 1e-8 and rot["final_u_error"][1] > 1e3 * rot["final_u_error"][0]
    ds = perturbed_dataset(S, 2, 2, 6, theta=0.4, seed=1)
    c = train_and_compare(ds.X, ds.Y, lr=0.02, steps=1500, seed=1)
    assert (rot["final_loss_error"][1], rot["final_u_error"][1]) == (c.final_loss_error, float(np.max(c.final_u_error)))
    assert d["S"].tolist() == S.tolist() and (d["lr"], d["steps"]) == (0.02, 1500)
    b1.draw(d)
    for bad, match in ((dict(S=S[:1]), "S"), (dict(rs=[1.0]), "rs"), (dict(thetas=[[0.1]]), "thetas"),
                       (dict(steps=0), "steps"), (dict(lr=-0.1), "lr"), (dict(seed=-1), "seed")):
        with pytest.raises(ValueError, match=match):
            b1.figure_data(**bad)


def test_staircase_figure_data_for_ones_own_task():
    """The staircase figure for a two-pole task of one's own (theory guide `theory-staircase`): the
    predicted levels are the best order-j pole fits (E*_0 = ½ Σ s_t², the zero network), the simulated
    plateau sits at E*_1 and the drops come within 25 % of the prediction; each loss curve is the
    simulate_gd run it names; bad parameters are refused by name."""
    import lrnn_theory as lt

    st = load("staircase")
    t = np.arange(1, 7)
    s = 0.9 ** (6 - t) - 0.5 * 0.3 ** (6 - t)
    d = st.figure_data({"mine": s}, labels={"mine": "my task"}, lr=0.02, seeds=[0, 1], n_records=100)
    m = d["mine"]
    assert m["levels"][0] == pytest.approx(0.5 * float(s @ s), rel=1e-12)
    np.testing.assert_allclose(m["levels"][1:], [lt.pole_fit(s, 1).energy, lt.pole_fit(s, 2).energy], rtol=1e-9,
                               atol=1e-20)
    np.testing.assert_allclose(m["measured_levels"][:, 1], m["levels"][1], rtol=1e-6)
    np.testing.assert_allclose(np.median(m["measured_drops"], axis=0), m["drop_times"], rtol=0.25)
    steps = int(round(1.4 * m["drop_times"][-1] / 0.02))
    run = lt.simulate_gd(lt.make_dataset(s, 1, 1, 6, seed=0), 2, lr=0.02, steps=steps, init="random", scale=1e-6,
                         seed=1, record_every=steps // 100)
    assert np.array_equal(m["loss"][1], run.loss) and np.array_equal(m["time"], run.time)
    assert (m["label"], d["seeds"], d["n_h"]) == ("my task", [0, 1], 2)
    st.draw(d)
    with pytest.raises(TypeError, match="tasks"):
        st.figure_data([s])
    for kw, match in ((dict(tasks={"zero": np.zeros(6)}), r"tasks\['zero'\]"), (dict(labels={"other": "x"}), "labels"),
                      (dict(seeds=[]), "seeds"), (dict(max_steps=10), "max_steps"), (dict(scale=2.0), "scale"),
                      (dict(horizon=0.0), "horizon"), (dict(n_records=0), "n_records")):
        with pytest.raises(ValueError, match=match):
            st.figure_data(**{"tasks": {"mine": s}, **kw})


def test_every_figure_but_fig1_and_fig6_has_a_public_figure_data():
    """The README and the figures guide say so: each registered figure (opt-in ones included) but
    fig1 and fig6 has a documented ``figure_data``, and its ``compute`` calls it."""
    import inspect

    from lrnn_theory.figures import REGISTRY

    without = sorted(name for name in REGISTRY if not callable(getattr(load(name), "figure_data", None)))
    assert without == ["fig1", "fig6"]
    for name in REGISTRY:
        mod = load(name)
        if name in without:
            continue
        assert mod.figure_data.__doc__, name
        assert "figure_data(" in inspect.getsource(mod.compute), name
