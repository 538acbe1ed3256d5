"""Checks of notebooks/05_gru.ipynb: exercise 5.1 (gru_step), 5.2
(gru_step_backward), 5.3 (counting parameters) and 5.4 (flip_interpolation, a GRU
converted between the two interpolation conventions). Their mistakes are in
nb05_mistakes.py.
"""

import itertools
import math

import numpy as np

from .. import cells
from .calling import call_student, positional
from .cases import (
    LARGE,
    LARGE_FALLBACK,
    case_label,
    finite,
    large_step_cases,
    random_params,
    step_cases,
)
from .diagnose import close, diagnose, wrong_values
from .harness import Fail, exercise, report
from .nb05_mistakes import (
    flip_mistakes,
    flip_variant,
    gru_mistakes,
    gru_step_backward_mistakes,
    gru_step_backward_variant,
    gru_variant,
)
from .runners import BACKWARD_FALLBACK, backward_case
from .values import check_array


@exercise
def gru_step(fn):
    """Exercise 5.1: gru_step(x, h, params, reset_after=True) -> h_next (B, H).

    Both reset placements are checked on every case.
    """
    name, labels = "gru_step", []
    cases = itertools.chain(
        step_cases("gru", seed=105), large_step_cases("gru", seed=1105)
    )
    for label, args, dtype, H in cases:
        for reset_after in (True, False, None):  # None: the argument left out
            case = f"{label}, reset_after={reset_after}"
            kwargs = {"reset_after": reset_after}
            if reset_after is None:
                case, kwargs, reset_after = f"{label}, reset_after left out", {}, True
            call = positional(args, "x", "h", "params")
            result, _ = call_student(fn, name, call, kwargs, case)
            finite(name, case, {"h_next": result})
            B = args["x"].shape[0]
            h_next = check_array(result, name, "h_next", (B, H), dtype, case, k=3)
            ref = cells.gru_step(**args, reset_after=reset_after)
            if not kwargs and not close(h_next, ref):
                other = cells.gru_step(**args, reset_after=False)
                raise Fail(
                    f"{name} gives other values with reset_after left out than with "
                    f"reset_after=True, on the hidden case {case}.\nHint: the "
                    "signature's default is reset_after=True (PyTorch's placement): "
                    "def gru_step(x, h, params, reset_after=True)."
                    + (
                        " Your default gives the values of reset_after=False."
                        if close(h_next, other)
                        else ""
                    )
                )
            if not close(h_next, ref):
                hint = diagnose(
                    (h_next,),
                    gru_mistakes(reset_after),
                    lambda kw, args=args, ra=reset_after: gru_variant(
                        args["x"], args["h"], args["params"], ra, **kw
                    ),
                )
                raise wrong_values(
                    name,
                    case,
                    np.abs(h_next - ref).max(),
                    hint,
                    LARGE_FALLBACK
                    if LARGE in label
                    else "none of the usual mistakes explains it. Compare with "
                    "r = sigmoid(.), z = sigmoid(.), n = tanh(.) and "
                    "h_next = (1 - z) * n + z * h, block by block.",
                    [("h_next", h_next, ref)],
                )
            labels.append(case)
    report(name, labels)


@exercise
def gru_step_backward(fn):
    """Exercise 5.2: gru_step_backward(dh_next, x, h_prev, params, reset_after=True)
    -> (dx, dh_prev, dparams), for both reset placements."""
    name, labels = "gru_step_backward", []
    cases = itertools.chain(
        step_cases("gru", seed=502), large_step_cases("gru", seed=1502)
    )
    default = (
        "the signature's default is reset_after=True (PyTorch's placement): "
        "def gru_step_backward(dh_next, x, h_prev, params, reset_after=True)."
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        dh_next = np.random.default_rng(B * 5 + H).standard_normal((B, H)).astype(dtype)
        call = (("dh_next", dh_next), ("x", args["x"]), ("h_prev", args["h"]))
        call += (("params", args["params"]),)
        for reset_after in (True, False, None):  # None: the argument left out
            case = f"{label}, reset_after={reset_after}"
            kwargs = {"reset_after": reset_after}
            catalogue = gru_step_backward_mistakes(reset_after)
            fallback = LARGE_FALLBACK if LARGE in label else BACKWARD_FALLBACK
            if reset_after is None:  # its explicit True and False cases passed
                case, kwargs, reset_after = f"{label}, reset_after left out", {}, True
                catalogue = [
                    (
                        {"placement": "before"},
                        "with reset_after left out your function gives the values "
                        "of reset_after=False; " + default,
                    )
                ]
                fallback = (
                    "with reset_after left out your function gives other values "
                    "than with reset_after=True; " + default
                )
            _, _, cache = cells.gru_forward(
                args["x"][None], args["params"], args["h"], reset_after=reset_after
            )
            rdx, rdp, rdh = cells.gru_backward(dh_next[None], cache)
            backward_case(
                fn,
                name,
                case,
                args=call,
                kwargs=kwargs,
                shapes={"dx": args["x"].shape, "dh_prev": (B, H)},
                params=args["params"],
                reference=((rdx[0], rdh), rdp),
                catalogue=catalogue,
                variant=lambda kw, c=call, ra=reset_after: gru_step_backward_variant(
                    *(value for _, value in c), reset_after=ra, **kw
                ),
                fallback=fallback,
            )
            labels.append(case)
    report(name, labels)


# D != H both ways round, and shapes on which no two of the mistakes guessed
# below give the same count (they do at D = 3, H = 5, or D = 10, H = 32)
_PC_SHAPES = ((3, 8), (16, 32), (64, 128), (100, 64))
# (kind, D, H); the last has more than 2**31 - 1 parameters.
_PARAM_COUNT_CASES = (
    *((kind, D, H) for kind in ("rnn", "lstm", "gru") for D, H in _PC_SHAPES),
    ("lstm", 20000, 30000),
)


def _param_count_guesses(kind, D, H):
    """[(a wrong count, the mistake that gives it)], for the case given."""
    k = cells.N_BLOCKS[kind]
    guesses = [
        (k * (H * D + H * H), "you left out the biases"),
        (k * (H * D + H * H + H), "PyTorch has two bias vectors: b_ih, b_hh"),
        (
            H * D + H * H + 2 * H,
            f"a {kind.upper()} stacks {k} blocks (one per gate or candidate); "
            "multiply by k",
        ),
        (k * (H * D + D * D + 2 * H), "W_hh is (kH, H): H * H per block, not D * D"),
        (k * (2 * H * D + 2 * H), "W_hh is (kH, H): H * H per block, not H * D"),
        (
            k * (H * D + 2 * H),
            "you left out W_hh: each block has H * D input weights and H * H "
            "recurrent ones",
        ),
        (
            k * (H * D + H * H) + 2 * H,
            "the biases are stacked like the weights: b_ih and b_hh are each "
            "(kH,), so the biases add k * 2H",
        ),
    ] + [
        (
            b * (H * D + H * H + 2 * H),
            "wrong number of blocks: the LSTM has 4 (i, f, g, o), the GRU 3 "
            "(r, z, n), the RNN 1",
        )
        for b in (2, 3, 4, 5)
        if b != k
    ]
    true = k * (H * D + H * H + 2 * H)
    return [(value, text) for value, text in guesses if value != true]


@exercise
def param_count(fn):
    """Exercise 5.3: param_count(kind, D, H) -> the number of parameters of a
    single-layer PyTorch RNN, LSTM or GRU (kind 'rnn', 'lstm', 'gru')."""
    name, labels = "param_count", []
    for kind, D, H in _PARAM_COUNT_CASES:
        label = f"{kind}, D={D}, H={H}"
        result, _ = call_student(
            fn, name, (("kind", kind), ("D", D), ("H", H)), {}, label
        )
        if D * H < 10**6:  # count a real parameter dict
            rng = np.random.default_rng(0)
            true = sum(v.size for v in cells.init_params(kind, D, H, rng).values())
        else:  # too big to allocate: the same shapes, multiplied out in Python ints
            shapes = cells.param_shapes(kind, D, H).values()
            true = sum(math.prod(shape) for shape in shapes)  # Python ints
        if isinstance(result, (bool, np.bool_)):
            raise Fail(
                f"{name} returned a bool, {result}, for {label}; return the number "
                "of parameters, an int."
            )
        if isinstance(result, (float, np.floating)):
            raise Fail(
                f"{name}({kind!r}, {D}, {H}) returned a float, {result!r}; a count "
                "is an int. Use integer arithmetic (// rather than /, no float()), "
                "or convert the result with int(...)."
            )
        if not isinstance(result, (int, np.integer)):
            raise Fail(
                f"{name} returned {type(result).__name__} for {label}; "
                "return an integer."
            )
        if result != true:
            k = cells.N_BLOCKS[kind]
            if true > 2**31 - 1 and (int(result) - true) % 2**32 == 0:
                hint = (
                    "the count overflowed 32-bit integers: np.int32 holds at most "
                    f"2**31 - 1 = {2**31 - 1}, and this count is {true}. Compute "
                    "with Python ints (D, H and their products are), not with "
                    "np.int32 arrays"
                )
            else:
                texts = {t for v, t in _param_count_guesses(kind, D, H) if v == result}
                hint = (
                    texts.pop()
                    if len(texts) == 1
                    else f"the count is k (H D + H H + 2 H) with k = {k} for {kind}"
                )
            raise Fail(
                f"{name}({kind!r}, {D}, {H}) returned {result}, but the "
                f"parameter dict has {true} numbers.\nHint: {hint}."
            )
        labels.append(label)
    report(name, labels)


# (T, B, D, H, dtype): D != H first (D > 2H, where slicing columns for rows shows),
# then D < H, D = H and float32.
_FLIP_SHAPES = (
    (5, 3, 7, 3, np.float64),
    (6, 2, 3, 5, np.float64),
    (4, 3, 4, 4, np.float64),
    (5, 2, 6, 4, np.float32),
    (3, 1, 2, 3, np.float32),
)


def _other_convention_out(x, params, h0, reset_after):
    """out (T, B, H) of a GRU that updates as h' = z n + (1 - z) h."""
    h, out = h0, []
    for x_t in x:
        h = gru_variant(x_t, h, params, reset_after, interp="z_takes_n")
        out.append(h)
    return np.stack(out)


def _converted(result, name, params, label):
    """The student's returned dict, validated: params' keys, shapes, dtypes."""
    if result is None:
        raise Fail(f"{name} returned None: did you forget `return new_params`?")
    if not isinstance(result, dict):
        raise Fail(
            f"{name} returned {type(result).__name__}; return a new parameter "
            "dict with the keys of params."
        )
    missing = [k for k in params if k not in result]
    if missing:
        raise Fail(
            f"the dict from {name} lacks {missing}; return every key of params, "
            "the unchanged arrays too, so that it is a whole GRU."
        )
    for key, p in params.items():
        check_array(result[key], name, f"new_params[{key!r}]", p.shape, p.dtype, label)
    return result


@exercise
def flip_interpolation(fn):
    """Exercise 5.4: flip_interpolation(params) -> new params with which a GRU
    updating as h' = z n + (1 - z) h computes what the GRU of params computes with
    h' = (1 - z) n + z h (PyTorch's convention), run over hidden sequences in both
    reset placements."""
    name, labels = "flip_interpolation", []
    rng = np.random.default_rng(504)
    for T, B, D, H, dtype in _FLIP_SHAPES:
        params = random_params("gru", D, H, dtype, rng)
        x = rng.standard_normal((T, B, D)).astype(dtype)
        h0 = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
        label = case_label(dtype, T=T, B=B, D=D, H=H)
        result, _ = call_student(fn, name, (("params", params),), {}, label)
        new = _converted(result, name, params, label)
        for reset_after in (True, False):
            case = f"{label}, reset_after={reset_after}"
            ref = cells.gru_forward(x, params, h0, reset_after=reset_after)[0]
            with np.errstate(all="ignore"):
                out = _other_convention_out(x, new, h0, reset_after)
            if not close(out, ref):
                hint = diagnose(
                    (out,),
                    flip_mistakes(),
                    lambda kw, x=x, p=params, h0=h0, ra=reset_after: (
                        _other_convention_out(x, flip_variant(p, **kw), h0, ra)
                    ),
                )
                raise wrong_values(
                    name,
                    case,
                    float(np.abs(out - ref).max()),
                    hint,
                    "none of the usual mistakes explains it. Which gate changes "
                    "its role between the conventions, and what makes a sigmoid "
                    "give 1 - z instead of z? Change only that gate's rows.",
                    [("the other convention's out", out, ref)],
                )
            labels.append(case)
    report(name, labels)
