"""Argument validation shared by the cells: every public function checks its
arguments first and raises ValueError naming the argument and its shape.

Each function returns what it validated (converted to the computation's dtype where
that applies), so a caller writes ``T, B, D = validate.sequence(x)``.
"""

import numpy as np

from .params import N_BLOCKS, PARAM_KEYS

FLOATS = (np.float32, np.float64)


def array(name, a, shape_doc, ndim):
    """a itself, after checking: a finite float32/float64 ndarray of ndim dimensions."""
    if not isinstance(a, np.ndarray):
        raise ValueError(
            f"{name} must be a numpy array of shape {shape_doc}, got {type(a).__name__}"
        )
    if a.dtype not in FLOATS:
        raise ValueError(
            f"{name} must be float32 or float64, got dtype {a.dtype} (shape {a.shape})"
        )
    if a.ndim != ndim:
        raise ValueError(
            f"{name} must have shape {shape_doc} ({ndim} dimensions), "
            f"got shape {a.shape}"
        )
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or inf (shape {a.shape})")
    return a


def sequence(x):
    """Validate a (T, B, D) input -> (T, B, D)."""
    array("x", x, "(T, B, D)", 3)
    if 0 in x.shape:
        raise ValueError(f"x must have T, B, D >= 1, got shape {x.shape}")
    return x.shape


def step_input(x):
    """Validate a (B, D) input of a single step -> (B, D)."""
    array("x", x, "(B, D)", 2)
    if 0 in x.shape:
        raise ValueError(f"x must have B, D >= 1, got shape {x.shape}")
    return x.shape


def params(p, kind, D, dtype):
    """Validate a parameter dict of `kind` ('rnn', 'lstm', 'gru') for inputs of
    size D -> (W_ih, W_hh, b_ih, b_hh, H), the arrays in dtype."""
    k = N_BLOCKS[kind]
    label = {"rnn": "an RNN", "lstm": "an LSTM", "gru": "a GRU"}[kind]
    if not isinstance(p, dict):
        raise ValueError(
            f"params must be a dict with keys {', '.join(PARAM_KEYS)}, "
            f"got {type(p).__name__}"
        )
    for key in PARAM_KEYS:
        if key not in p:
            raise ValueError(
                f"params is missing key {key!r}; {label} needs {', '.join(PARAM_KEYS)}"
            )
    kh = f"{k}H" if k > 1 else "H"
    W_hh = array("params['weight_hh_l0']", p["weight_hh_l0"], f"({kh}, H)", 2)
    H = W_hh.shape[1]
    if H == 0 or W_hh.shape[0] != k * H:
        raise ValueError(
            f"params['weight_hh_l0'] must have shape ({kh}, H) for {label}, got "
            f"{W_hh.shape}: {W_hh.shape[0]} rows is not {k} x {H}"
        )
    W_ih = array("params['weight_ih_l0']", p["weight_ih_l0"], f"({kh}, D)", 2)
    if W_ih.shape != (k * H, D):
        raise ValueError(
            f"params['weight_ih_l0'] must have shape ({kh}, D) = {(k * H, D)} "
            f"for H = {H} and input size D = {D}, got {W_ih.shape}"
        )
    biases = []
    for key in ("bias_ih_l0", "bias_hh_l0"):
        b = array(f"params[{key!r}]", p[key], f"({kh},)", 1)
        if b.shape != (k * H,):
            raise ValueError(
                f"params[{key!r}] must have shape ({kh},) = {(k * H,)} for "
                f"H = {H}, got {b.shape}"
            )
        biases.append(b)
    arrays = [W_ih, W_hh, *biases]
    return (*(a.astype(dtype, copy=False) for a in arrays), H)


def state(name, s, B, H, dtype):
    """Validate an optional (B, H) state -> the state in dtype (None: zeros)."""
    if s is None:
        return np.zeros((B, H), dtype=dtype)
    array(name, s, "(B, H)", 2)
    if s.shape != (B, H):
        raise ValueError(f"{name} must have shape (B, H) = {(B, H)}, got {s.shape}")
    return s.astype(dtype, copy=False)


def grad(name, g, shape, dtype, allow_none=False):
    """Validate an optional upstream gradient -> it in dtype (None: zeros, or None
    when allow_none)."""
    if g is None:
        return None if allow_none else np.zeros(shape, dtype=dtype)
    array(name, g, str(shape), len(shape))
    if g.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {g.shape}")
    return g.astype(dtype, copy=False)


def cache(c, kind):
    """Validate the cache of `kind`'s forward pass -> the cache."""
    if not isinstance(c, dict) or c.get("kind") != kind:
        raise ValueError(
            f"cache must be the cache returned by {kind}_forward, got "
            f"{type(c).__name__}"
        )
    return c


def reset_after(flag):
    """Validate the GRU's reset placement flag -> it as a bool."""
    if not isinstance(flag, (bool, np.bool_)):
        raise ValueError(
            f"reset_after must be True (PyTorch) or False (Cho et al. 2014), "
            f"got {flag!r}"
        )
    return bool(flag)
