"""The hidden cases shared by several notebooks' checks, made from fixed seeds:
single steps (with large inputs too) and sequences of every cell.
"""

import numpy as np

from .. import cells
from .harness import Fail

# (B, D, H, dtype); square first, so that a transposed weight shows as wrong values
# (with a clear hint) before the D != H cases where it would raise a shape error.
_STEP_SHAPES = (
    (3, 4, 4, np.float64),
    (4, 5, 3, np.float64),
    (1, 2, 5, np.float64),
    (2, 6, 4, np.float32),
    (3, 3, 3, np.float32),
)


def random_params(kind, D, H, dtype, rng):
    """A parameter dict of `kind` with the shapes of cells.param_shapes, entries
    0.6 N(0, 1) (larger than PyTorch's init, so that every gate matters)."""
    shapes = cells.param_shapes(kind, D, H)
    return {
        key: (0.6 * rng.standard_normal(s)).astype(dtype) for key, s in shapes.items()
    }


def case_label(dtype, **dims):
    """'float64, B=3, D=4, H=4': a hidden case's name in reports."""
    return f"{np.dtype(dtype).name}, " + ", ".join(f"{k}={v}" for k, v in dims.items())


def step_cases(kind, seed):
    """Hidden cases of a single step: (label, args dict, dtype, H)."""
    rng = np.random.default_rng(seed)
    for B, D, H, dtype in _STEP_SHAPES:
        args = {
            "x": rng.standard_normal((B, D)).astype(dtype),
            "h": rng.uniform(-0.9, 0.9, (B, H)).astype(dtype),
        }
        if kind == "lstm":
            args["c"] = rng.standard_normal((B, H)).astype(dtype)
        args["params"] = random_params(kind, D, H, dtype, rng)
        yield case_label(dtype, B=B, D=D, H=H), args, np.dtype(dtype), H


SEQ_SHAPES = (  # (T, B, D, H, dtype, with h0)
    (6, 3, 4, 4, np.float64, True),
    (1, 2, 3, 5, np.float64, True),
    (5, 2, 5, 3, np.float64, False),
    (4, 3, 6, 4, np.float32, True),
)


def seq_cases(kind, seed, shapes=SEQ_SHAPES):
    """Hidden sequence cases: (label, args dict, dtype, H); h0 omitted in one."""
    rng = np.random.default_rng(seed)
    for T, B, D, H, dtype, with_h0 in shapes:
        args = {
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": random_params(kind, D, H, dtype, rng),
        }
        if with_h0:
            args["h0"] = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
            if kind == "lstm":
                args["c0"] = rng.standard_normal((B, H)).astype(dtype)
        extra = "" if with_h0 else ", h0 omitted"
        yield case_label(dtype, T=T, B=B, D=D, H=H) + extra, args, np.dtype(dtype), H


# The step checks of notebooks 03-05 end with these cases: batch item 1 gets inputs
# so large that every one of its pre-activations is beyond +-scale (both signs in
# every block), where np.exp overflows (exp(89) is inf in float32, exp(710) in
# float64); items 0 and 2 stay ordinary. (B, D, H, dtype, scale).
_LARGE_SHAPES = ((3, 5, 4, np.float32, 120.0), (3, 3, 4, np.float64, 1200.0))
LARGE = "large inputs in batch item 1"


def large_step_cases(kind, seed):
    """Hidden cases of a single step with large inputs: (label, args, dtype, H).

    W_ih gets a rank-one change so that W_ih e = t for the unit vector e of
    x[1] = scale e, with |t| in [1, 2] and signs mixed in each block: every
    pre-activation of item 1 saturates (its gates are exactly 0 or 1 and every
    slope 0, in any correct formula), and a sigmoid or tanh built from np.exp
    overflows."""
    rng = np.random.default_rng(seed)
    for B, D, H, dtype, scale in _LARGE_SHAPES:
        k = cells.N_BLOCKS[kind]
        params = random_params(kind, D, H, np.float64, rng)
        e = rng.standard_normal(D)
        e /= np.linalg.norm(e)
        signs = np.concatenate([rng.permutation([1, -1] * (H // 2)) for _ in range(k)])
        t = signs * rng.uniform(1.0, 2.0, k * H)
        W = params["weight_ih_l0"]
        params["weight_ih_l0"] = W + np.outer(t - W @ e, e)
        x = rng.standard_normal((B, D))
        x[1] = scale * e
        args = {
            "x": x.astype(dtype),
            "h": rng.uniform(-0.9, 0.9, (B, H)).astype(dtype),
        }
        if kind == "lstm":
            args["c"] = rng.standard_normal((B, H)).astype(dtype)
        args["params"] = {key: v.astype(dtype) for key, v in params.items()}
        yield f"{case_label(dtype, B=B, D=D, H=H)}, {LARGE}", args, np.dtype(dtype), H


def finite(name, label, outputs):
    """Name an overflow on a case with large inputs. outputs: {what: value}."""
    if LARGE not in label:
        return  # NaN elsewhere: check_array's own message
    for what, value in outputs.items():
        if (
            isinstance(value, np.ndarray)
            and value.dtype.kind == "f"
            and not np.isfinite(value).all()
        ):
            raise Fail(
                f"{name} returned NaN or inf in {what} on the hidden case {label}, "
                "whose pre-activations reach the hundreds: most likely a sigmoid "
                "or tanh (or a slope) written with np.exp overflows there (exp(89) "
                "is inf in float32, exp(710) in float64), and inf / inf is NaN."
                "\nHint: use "
                "np.tanh, and the stable sigmoid of notebook 00 (utils.sigmoid), "
                "which never takes exp of a large positive number; write slopes "
                "from the activations: s (1 - s), 1 - t^2."
            )


LARGE_FALLBACK = (
    "right on the cases with ordinary inputs, wrong on this one, whose batch item 1 "
    "has pre-activations in the hundreds. Do you clip or rescale them? The sigmoid "
    "and tanh simply saturate there (to 0, 1 and -1, 1); np.tanh and a stable "
    "sigmoid give those values without any special case."
)
