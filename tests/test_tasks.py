"""Task families of theory guide `theory-task-families` and their zero-loss structure (theory guide `theory-fixed-points`, `theory-learnable`)."""
import numpy as np
import pytest

from lrnn_theory import tasks


def test_index_convention_last_entry_is_latest_input():
    s = tasks.inverse_exponential(4, 2.0, 0.5)
    # s_t = δ λ^{T-t}: the last input (t = T) carries λ^0
    assert np.array_equal(s, 2.0 * 0.5 ** np.array([3, 2, 1, 0]))
    assert np.array_equal(tasks.exponential(3, 1.0, 2.0), np.array([2.0, 4.0, 8.0]))
    assert np.array_equal(tasks.constant(3, -0.5), np.full(3, -0.5))


def test_exponential_is_a_reparametrised_inverse_exponential():
    """Theory guide `theory-learnable`: δ λ^t = (δ λ^T)(1/λ)^{T-t} at fixed T."""
    T, d, lam = 9, 0.7, 1.3
    assert np.allclose(tasks.exponential(T, d, lam), tasks.inverse_exponential(T, d * lam ** T, 1 / lam), rtol=1e-14)


def test_broadcasting_over_parameters():
    s = tasks.inverse_exponential(5, np.array([0.5, 1.0, 2.0])[:, None], np.array([0.6, 0.9]))
    assert s.shape == (3, 2, 5)
    assert np.allclose(s[2, 1], tasks.inverse_exponential(5, 2.0, 0.9))
    m = tasks.modified("exponential", 6, 1.0, np.linspace(0.1, 1, 4), kappa=np.array([[0.2], [0.4]]))
    assert m.shape == (2, 4, 6) and np.all(m[1, :, -1] == 0.4)
    assert np.allclose(m[0, 3, :-1], tasks.exponential(6, 1.0, 1.0)[:-1])


def test_dirac_and_modified():
    assert np.array_equal(tasks.dirac(4, 2.0, 0.5), [2.0, 0.0, 0.0, 0.5])
    assert np.array_equal(tasks.dirac(1, 2.0, 0.5), [2.5])
    assert np.array_equal(tasks.modified("constant", 3, 0.3, kappa=1.0), [0.3, 0.3, 1.0])


def test_stack():
    S = tasks.stack(tasks.constant(5), tasks.inverse_exponential(5, 1, 0.7), tasks.exponential(5, 1, 0.7))
    assert S.shape == (3, 5)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: tasks.constant(0), ValueError, "T must be >= 1"),
        (lambda: tasks.constant(2.5), TypeError, "T must be an integer"),
        (lambda: tasks.constant("5"), TypeError, "T must be an integer"),
        (lambda: tasks.inverse_exponential(3, np.nan), ValueError, "delta"),
        (lambda: tasks.exponential(3, 1.0, np.inf), ValueError, "lam"),
        (lambda: tasks.inverse_exponential(3, [1, 2], [1, 2, 3]), ValueError, "shape"),
        (lambda: tasks.make_task("sine", 3), ValueError, "family"),
        (lambda: tasks.modified("dirac", 3, kappa=1.0), ValueError, "family"),
        (lambda: tasks.modified("constant", 3, kappa=np.nan), ValueError, "kappa"),
        (lambda: tasks.dirac(3, "x", 1.0), TypeError, "beta"),
        (lambda: tasks.stack(), ValueError, "at least one"),
        (lambda: tasks.stack(np.ones(3), np.ones(4)), ValueError, "same length"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
