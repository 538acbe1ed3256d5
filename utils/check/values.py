"""What a student's function returned: a finite array of the right shape and dtype,
a pair or tuple of the right length, a dict with the keys of the parameters.
"""

import numpy as np

from .harness import Fail


def check_array(result, name, what, shape, dtype, label, k=1):
    """Check that a returned value is a finite array of the right shape and dtype."""
    if result is None:
        raise Fail(f"{name} returned None: did you forget `return {what}`?")
    if isinstance(result, (tuple, list)):
        raise Fail(
            f"{name} returned a {type(result).__name__} of {len(result)} items where "
            f"{what} should be one array of shape {shape}."
        )
    if not isinstance(result, np.ndarray):
        raise Fail(
            f"{name} returned a {type(result).__name__} for {what}; "
            "return a numpy array."
        )
    if result.shape != shape:
        hint = ""
        if result.shape == shape[::-1]:
            hint = (
                " That is the transpose: rows are the batch items, so the "
                "result is (B, H)."
            )
        elif (
            result.shape[:-1] == shape[:-1]
            and k > 1
            and result.shape[-1] == k * shape[-1]
        ):
            hint = (
                f" The width {k} x H is all {k} stacked blocks: split the "
                f"pre-activation into {k} blocks of H columns."
            )
        elif result.ndim < len(shape):
            hint = " A dimension is missing (the batch dimension?)."
        raise Fail(
            f"{what} from {name} has shape {result.shape} on the hidden case "
            f"{label}; expected {shape}.{hint}"
        )
    if result.dtype != dtype:
        raise Fail(
            f"{name} returned {what} as {result.dtype} for {dtype} inputs ({label}). "
            "Keep the input's dtype: np.zeros(shape) is float64 unless you pass "
            "dtype=x.dtype, and in NumPy 2 a float32 array times a np.float64 scalar "
            "is float64 (use a Python float: float(scale))."
        )
    if not np.isfinite(result).all():
        raise Fail(
            f"{name} returned NaN or inf in {what} on the hidden case {label}. "
            "Did np.exp overflow? Use a numerically stable sigmoid."
        )
    return result


def check_pair(result, name, what):
    """Check that a function returned a pair (or, where allowed, a longer tuple)."""
    if result is None:
        raise Fail(f"{name} returned None: did you forget `return {what}`?")
    if not isinstance(result, (tuple, list)) or len(result) < 2:
        got = (
            f"a {type(result).__name__} of {len(result)} items"
            if isinstance(result, (tuple, list))
            else f"a {type(result).__name__}"
        )
        raise Fail(f"{name} returned {got}; it should return the pair {what}.")
    return result


def check_tuple(result, name, n, what):
    """Check that a function returned a tuple (or list) of exactly n items."""
    if result is None:
        raise Fail(f"{name} returned None: did you forget `return {what}`?")
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = (
            f"{len(result)} items"
            if isinstance(result, (tuple, list))
            else f"a {type(result).__name__}"
        )
        raise Fail(f"{name} returned {got}; it should return {what}.")
    return result


def check_dparams(value, name, params, label, what="dparams", of="params"):
    """Check a returned dict of arrays: the keys, shapes and dtypes of `params`.

    what: the name of the returned dict in messages; of: the name of `params`.
    """
    if not isinstance(value, dict):
        raise Fail(
            f"{name} returned {type(value).__name__} for {what}; return a dict "
            f"with the keys of {of}."
        )
    missing = [k for k in params if k not in value]
    if missing:
        raise Fail(f"{what} from {name} lacks {missing}; it needs every key of {of}.")
    out = {}
    for key, p in params.items():
        g = value[key]
        if isinstance(g, np.ndarray) and g.shape != p.shape:
            if g.shape == p.shape[::-1]:
                raise Fail(
                    f"{what}[{key!r}] from {name} has shape {g.shape}, the transpose "
                    f"of the weight's {p.shape}. A gradient has its parameter's shape: "
                    "dW = da.T @ x, (kH, B) @ (B, D)."
                )
            if p.ndim == 1 and g.ndim == 2:
                raise Fail(
                    f"{what}[{key!r}] from {name} has shape {g.shape}: not summed "
                    "over the batch. db = da.sum(axis=0), shape (kH,)."
                )
        out[key] = check_array(g, name, f"{what}[{key!r}]", p.shape, p.dtype, label)
    return out
