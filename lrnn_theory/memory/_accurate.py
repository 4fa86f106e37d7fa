"""Error-free transformations for ``1 - x·y`` near the unit circle (private).

Near the edge of stability ``1 - λ_1 λ_2`` is the difference of two numbers close to 1:
forming the product in float64 first loses ``log10(1/(1-|λ|))`` digits.  Dekker's exact
product (Veltkamp splitting) and Knuth's exact sum give ``1 - x·y`` to a few ulps of the
*result* for float64 inputs taken as exact, real or complex.  Plain NumPy arithmetic is
used (no fused multiply-add is assumed or needed).
"""
from __future__ import annotations

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1


def _two_prod(a, b):
    """``p + e == a·b`` exactly (|a|, |b| well inside the float64 range)."""
    p = a * b
    ca = _SPLIT * a
    ah = ca - (ca - a)
    al = a - ah
    cb = _SPLIT * b
    bh = cb - (cb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _two_sum(a, b):
    """``s + t == a + b`` exactly."""
    s = a + b
    bb = s - a
    t = (a - (s - bb)) + (b - bb)
    return s, t


def _omp_real(x, y):
    """``1 - x·y`` for real ``x, y`` (floats or float arrays)."""
    p, e = _two_prod(x, y)
    s, t = _two_sum(1.0, -p)
    return s + (t - e)


def _omp_complex(a, b, c, d):
    """``(Re, Im)`` of ``1 - (a + ib)(c + id)`` from real parts (floats or float arrays)."""
    p1, e1 = _two_prod(a, c)
    p2, e2 = _two_prod(b, d)
    s, t = _two_sum(1.0, -p1)
    s, t2 = _two_sum(s, p2)
    re = s + ((t + t2) + (e2 - e1))
    p3, e3 = _two_prod(a, d)
    p4, e4 = _two_prod(b, c)
    s3, t3 = _two_sum(p3, p4)
    return re, -(s3 + (t3 + (e3 + e4)))


def _oma2_complex(a, b):
    """``1 - (a² + b²)`` from real parts (floats or float arrays)."""
    p1, e1 = _two_prod(a, a)
    p2, e2 = _two_prod(b, b)
    s, t = _two_sum(1.0, -p1)
    s, t2 = _two_sum(s, -p2)
    return s + ((t + t2) - (e1 + e2))


def one_minus_product(x, y) -> np.ndarray:
    """``1 - x·y`` for real or complex arrays, accurate to a few ulps of the result.

    Real part ``1 - (ac - bd)`` and imaginary part ``-(ad + bc)`` for ``x = a + ib``,
    ``y = c + id`` are summed from exact products, so no cancellation is amplified.
    """
    x, y = np.asarray(x), np.asarray(y)
    if not (np.iscomplexobj(x) or np.iscomplexobj(y)):
        return _omp_real(x.astype(float), y.astype(float))
    x, y = x.astype(complex), y.astype(complex)
    re, im = _omp_complex(x.real, x.imag, y.real, y.imag)
    return re + 1j * im


def one_minus_abs2(z) -> np.ndarray:
    """``1 - |z|²`` (real array), accurate to a few ulps of the result."""
    z = np.asarray(z)
    if np.iscomplexobj(z):
        return _oma2_complex(z.real, z.imag)
    z = z.astype(float)
    return (1 - np.abs(z)) * (1 + np.abs(z))
