"""Argument checking shared by every public function.

Every public entry point validates its input here before any numerical work,
so that bad input produces a ``ValueError``/``TypeError`` that names the
argument and says what was expected, never a silent NaN, a hang or a wrong
answer.  The helpers are pure functions; they return the converted value.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "as_float_array",
    "check_choice",
    "check_finite_scalar",
    "check_int",
    "check_positive_float",
    "check_seed",
    "check_subset",
    "check_time_grid",
]


def _is_real_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _scalar(value):
    """A 0-d NumPy array as its NumPy scalar (so that it is accepted wherever that scalar is); anything
    else unchanged.  NumPy scalars are registered with :mod:`numbers` (``np.integer`` as
    ``Integral``, ``np.floating`` as ``Real``, ``np.complexfloating`` as ``Complex``), so every
    helper below accepts them wherever it accepts the Python number."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as ``int`` or raise naming ``name``.

    Accepts Python and NumPy integers and 0-d integer arrays (not bools, not floats, not strings).
    """
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_finite_scalar(name: str, value, *, allow_complex: bool = False) -> float:
    """Return a finite real (or complex) scalar or raise naming ``name``.

    Accepts Python and NumPy numbers and 0-d arrays (not bools); returns a Python float (complex).
    """
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got bool {value!r}")
    if allow_complex and isinstance(value, numbers.Complex) and not _is_real_number(value):
        value = complex(value)
        if not (np.isfinite(value.real) and np.isfinite(value.imag)):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return value
    if not _is_real_number(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_positive_float(name: str, value, *, allow_zero: bool = False, allow_inf: bool = False) -> float:
    """Return ``value`` as a positive float or raise naming ``name``.

    Accepts Python and NumPy real numbers and 0-d arrays (not bools).
    """
    value = _scalar(value)
    if not _is_real_number(value):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}")
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return value


def check_choice(name: str, value, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (strings) or raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)}, got {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {list(choices)}")
    return value


def check_subset(name: str, values, allowed: Sequence[str]) -> tuple[str, ...]:
    """Return ``values`` (a string or iterable of strings) as a tuple of allowed names."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of names from {list(allowed)}, got {values!r}")
    out = []
    for v in values:
        if not isinstance(v, str) or v not in allowed:
            raise ValueError(f"{name} may only contain {list(allowed)}, got {v!r}")
        if v not in out:
            out.append(v)
    return tuple(out)


def as_float_array(
    name: str,
    value,
    *,
    ndim: int | tuple[int, ...] | None = None,
    min_ndim: int | None = None,
    finite: bool = True,
    allow_empty: bool = False,
    allow_complex: bool = False,
) -> np.ndarray:
    """Convert ``value`` to a float64 (or complex128) array, checking rank and finiteness.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    min_ndim : int, optional
        Minimum number of dimensions.
    finite : bool
        Reject NaN and infinities.
    allow_empty : bool
        Accept arrays with zero elements.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__} {value!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iufc":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "c" and not allow_complex:
        raise TypeError(f"{name} must be real, got a complex array")
    arr = arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def check_time_grid(name: str, t) -> np.ndarray:
    """Return a 1-D strictly increasing, finite, non-negative-length time grid."""
    arr = as_float_array(name, t, ndim=1)
    if arr.size >= 2 and not np.all(np.diff(arr) > 0):
        raise ValueError(f"{name} must be strictly increasing")
    return arr


def check_seed(name: str, seed) -> int:
    """Return a non-negative integer seed or raise naming ``name``."""
    return check_int(name, seed, minimum=0)
