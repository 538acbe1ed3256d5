"""Checks of notebooks/06_lstm_vs_gru.ipynb: exercise 6.1 (a coupled input-forget
gate LSTM step), with the mistakes it recognises, and 6.3 (the GRU's Jacobian
dh_t/dh_{t-1}, its mistakes in nb06_mistakes.py). Exercise 6.2 is answered in
words in the notebook.
"""

import itertools

import numpy as np

from .. import cells
from ..cells import sigmoid
from .calling import call_student, positional
from .cases import LARGE, LARGE_FALLBACK, finite, large_step_cases, step_cases
from .common_mistakes import (
    SWAPPED_OUTPUTS,
    blocks,
    identity,
    order_name,
    shared_mistakes,
)
from .diagnose import close, diagnose, wrong_values
from .harness import exercise, report
from .nb06_mistakes import gru_jacobian_mistakes, gru_jacobian_variant
from .runners import cell_step_case
from .values import check_array


def cifg_variant(
    x,
    h,
    c,
    p,
    order="fgo",
    swap=False,
    output=True,
    cand=np.tanh,
    gate=sigmoid,
    cell_act=np.tanh,
    forget_on="c",
    out_from="new",
    returns="hc",
    **kw,
):
    """A coupled input-forget gate LSTM step (blocks f, g, o; i = 1 - f) with the
    given mistakes -> (h_next, c_next) (or (c_next, h_next) with returns='ch')."""
    b = blocks(p, order, **kw)

    def pre(name):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + h @ M_h + b_h

    f, g, o = gate(pre("f")), cand(pre("g")), gate(pre("o"))
    kept = h if forget_on == "h" else c
    c_next = (1 - f) * kept + f * g if swap else f * kept + (1 - f) * g
    h_next = (o if output else 1) * cell_act(c_next if out_from == "new" else c)
    return (c_next, h_next) if returns == "ch" else (h_next, c_next)


def cifg_mistakes():
    """[(kwargs for cifg_variant, hint)]."""
    names = {"f": "forget", "g": "cell candidate", "o": "output"}
    out = [
        (
            {"order": "".join(o)},
            f"block order: you read the rows as "
            f"{order_name(''.join(o), names)}; the exercise stacks forget, cell "
            "candidate, output.",
        )
        for o in itertools.permutations("fgo")
        if "".join(o) != "fgo"
    ]
    return out + [
        (
            {"swap": True},
            "the coupling is reversed: the input gate is 1 - f, so "
            "c_next = f * c + (1 - f) * g.",
        ),
        ({"output": False}, "the output gate is missing: h_next = o * tanh(c_next)."),
        ({"cand": sigmoid}, "the candidate g is a tanh, not a sigmoid."),
        (
            {"gate": np.tanh},
            "your gates use tanh; the gates f and o are sigmoids, so that they "
            "stay in (0, 1) (and so does the input gate 1 - f).",
        ),
        (
            {"cell_act": identity},
            "h_next = o * c_next is missing the tanh: h_next = o * tanh(c_next).",
        ),
        (
            {"out_from": "old"},
            "h_next is computed from the old cell state c; use the new one: "
            "h_next = o * tanh(c_next).",
        ),
        (
            {"forget_on": "h"},
            "your forget gate multiplies h instead of c: the cell update is "
            "c_next = f * c + (1 - f) * g (the forget gate scales the old *cell* "
            "state).",
        ),
        SWAPPED_OUTPUTS,
        *shared_mistakes(),
    ]


def _cifg_cases():
    """(label, {x, h, c, params}) of the CIFG step."""
    cases = itertools.chain(  # 3-block params
        step_cases("gru", seed=601), large_step_cases("gru", seed=1601)
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        c = np.random.default_rng(B + H).standard_normal((B, H)).astype(dtype)
        if LARGE in label:  # a cell state in the hundreds: tanh(c_next) saturates
            c[1] *= 150
        yield label, {"x": args["x"], "h": args["h"], "c": c, "params": args["params"]}


@exercise
def cifg_step(fn):
    """Exercise 6.1: cifg_step(x, h, c, params) -> (h_next, c_next) for an LSTM whose
    input gate is 1 - f; params have 3 blocks (forget, cell candidate, output)."""
    name, labels = "cifg_step", []
    for label, call in _cifg_cases():
        cell_step_case(
            fn,
            name,
            label,
            args=positional(call, "x", "h", "c", "params"),
            n_blocks=3,
            variant=lambda c=call, **kw: cifg_variant(
                c["x"], c["h"], c["c"], c["params"], **kw
            ),
            catalogue=cifg_mistakes(),
            fallback="compute a = x W_ih^T + b_ih + h W_hh^T + b_hh, split it into "
            "f, g, o; c_next = f * c + (1 - f) * g; h_next = o * "
            "tanh(c_next).",
        )
        labels.append(label)
    report(name, labels)


@exercise
def gru_jacobian(fn):
    """Exercise 6.3: gru_jacobian(x, h_prev, params) -> J (B, H, H) with
    J[b, i, j] = d h_t[b, i] / d h_{t-1}[b, j], for PyTorch's reset placement."""
    name, labels = "gru_jacobian", []
    cases = itertools.chain(
        step_cases("gru", seed=603), large_step_cases("gru", seed=1603)
    )
    for label, args, dtype, H in cases:
        x, h, params = args["x"], args["h"], args["params"]
        call = (("x", x), ("h_prev", h), ("params", params))
        result, _ = call_student(fn, name, call, {}, label)
        finite(name, label, {"J": result})
        J = check_array(result, name, "J", (x.shape[0], H, H), dtype, label)
        ref = cells.gru_jacobian(x, h, params)
        if close(J, ref):
            labels.append(label)
            continue
        hint = diagnose(
            (J,),
            gru_jacobian_mistakes(),
            lambda kw, x=x, h=h, p=params: gru_jacobian_variant(x, h, p, **kw),
        )
        fallback = (
            LARGE_FALLBACK
            if LARGE in label
            else "none of the usual mistakes explains it. Build J term by term: "
            "diag(z); then diag((1 - z)(1 - n^2)) times the bracket "
            "diag(r) W_hn + diag((W_hn h + b_hn) r (1 - r)) W_hr; then "
            "diag((h - n) z (1 - z)) W_hz; in a batch, diag(v) W is "
            "v[:, :, None] * W."
        )
        raise wrong_values(
            name, label, float(np.abs(J - ref).max()), hint, fallback, [("J", J, ref)]
        )
    report(name, labels)
