"""Check of notebooks/04_lstm_backward.ipynb: exercise 4.1 (lstm_step_backward), with
the mistakes it recognises.
"""

import itertools

import numpy as np

from .. import cells
from ..cells import sigmoid
from .cases import LARGE, LARGE_FALLBACK, large_step_cases, step_cases
from .common_mistakes import param_grads
from .harness import exercise, report
from .runners import BACKWARD_FALLBACK, backward_case

# lstm_step_backward's arguments, in the order of the exercise's signature
_SIGNATURE = ("dh_next", "dc_next", "x", "h_prev", "c_prev", "params")


@exercise
def lstm_step_backward(fn):
    """Exercise 4.1: lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, params)
    -> (dx, dh_prev, dc_prev, dparams)."""
    name, labels = "lstm_step_backward", []
    cases = itertools.chain(
        step_cases("lstm", seed=401), large_step_cases("lstm", seed=1401)
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        rng = np.random.default_rng(B * 11 + H)
        dh_next, dc_next = (rng.standard_normal((B, H)).astype(dtype) for _ in range(2))
        x, h_prev, c_prev, params = args["x"], args["h"], args["c"], args["params"]
        call = (dh_next, dc_next, x, h_prev, c_prev, params)
        _, _, cache = cells.lstm_forward(x[None], params, h_prev, c_prev)
        rdx, rdp, rdh, rdc = cells.lstm_backward(None, cache, dh_next, dc_next)
        backward_case(
            fn,
            name,
            label,
            args=tuple(zip(_SIGNATURE, call, strict=True)),
            shapes={"dx": x.shape, "dh_prev": (B, H), "dc_prev": (B, H)},
            params=params,
            reference=((rdx[0], rdh, rdc), rdp),
            catalogue=lstm_step_backward_mistakes(),
            variant=lambda kw, c=call: lstm_step_backward_variant(*c, **kw),
            fallback=LARGE_FALLBACK if LARGE in label else BACKWARD_FALLBACK,
        )
        labels.append(label)
    report(name, labels)


def lstm_step_backward_variant(
    dh_next,
    dc_next,
    x,
    h_prev,
    c_prev,
    p,
    tanh_path=True,
    df_uses="c_prev",
    carry_f=True,
    g_slope="tanh",
    gate_slope="sigmoid",
    do_uses="c_next",
    o_in_path=True,
    order="ifgo",
    use_dc_next=True,
    c_slope=True,
    use_b_hh=True,
    grads="sum",
    dc_prev_from="dc",
):
    """LSTM step backward with the given mistakes -> dx, dh_prev, dc_prev, dparams.

    g_slope: 'tanh' (right), 'sigmoid' or 'none'; grads: 'sum' (right), 'mean_all'
    (every parameter gradient divided by B) or 'zero_hh' (db_hh left at zero);
    dc_prev_from: 'dc' (right) or 'dc_next' (dc_prev = dc_next * f)."""
    W_ih, W_hh = p["weight_ih_l0"], p["weight_hh_l0"]
    b_hh = p["bias_hh_l0"] if use_b_hh else 0
    a = x @ W_ih.T + p["bias_ih_l0"] + h_prev @ W_hh.T + b_hh
    H = h_prev.shape[1]
    i, f, g, o = (
        sigmoid(a[:, :H]),
        sigmoid(a[:, H : 2 * H]),
        np.tanh(a[:, 2 * H : 3 * H]),
        sigmoid(a[:, 3 * H :]),
    )
    c = f * c_prev + i * g
    tc = np.tanh(c)
    do = dh_next * (tc if do_uses == "c_next" else np.tanh(c_prev))
    slope_c = 1 - tc**2 if c_slope else 1
    dc = (dc_next if use_dc_next else 0) + (
        dh_next * (o if o_in_path else 1) * slope_c if tanh_path else 0
    )
    di, dg = dc * g, dc * i
    df = dc * (c_prev if df_uses == "c_prev" else c)

    def gs(v):
        return v * (1 - v) if gate_slope == "sigmoid" else 1 - v**2

    blocks = {
        "i": di * gs(i),
        "f": df * gs(f),
        "o": do * gs(o),
        "g": dg * {"tanh": 1 - g**2, "sigmoid": g * (1 - g), "none": 1}[g_slope],
    }
    da = np.concatenate([blocks[ch] for ch in order], axis=1)
    dparams = param_grads(da, x, h_prev)
    if grads == "mean_all":
        dparams = {k: v / len(x) for k, v in dparams.items()}
    elif grads == "zero_hh":
        dparams["bias_hh_l0"] = np.zeros_like(dparams["bias_hh_l0"])
    dc_prev = (dc if dc_prev_from == "dc" else dc_next) * f
    return da @ W_ih, da @ W_hh, dc_prev if carry_f else dc, dparams


def lstm_step_backward_mistakes():
    """[(kwargs for lstm_step_backward_variant, hint)]."""
    return [
        (
            {"tanh_path": False},
            "dc leaves out the path through h_next = o * "
            "tanh(c_next): dc = dc_next + dh_next * o * (1 - tanh(c_next)^2).",
        ),
        (
            {"df_uses": "c_next"},
            "df uses c_next; the forget gate multiplied the "
            "*previous* cell state, so df = dc * c_prev.",
        ),
        (
            {"carry_f": False},
            "dc_prev must be carried through the forget gate: "
            "dc_prev = dc * f (the gradient highway).",
        ),
        (
            {"g_slope": "sigmoid"},
            "the candidate g is a tanh: its slope is 1 - g^2, not g (1 - g).",
        ),
        (
            {"gate_slope": "tanh"},
            "the gates i, f, o are sigmoids: their slope is s (1 - s), not 1 - s^2.",
        ),
        (
            {"do_uses": "c_prev"},
            "do uses tanh(c_prev); h_next = o * tanh(c_next), so "
            "do = dh_next * tanh(c_next).",
        ),
        (
            {"o_in_path": False},
            "the path from h_next into dc is missing the output "
            "gate: dh_next * o * (1 - tanh(c_next)^2).",
        ),
        (
            {"order": "ifog"},
            "the pre-activation gradient blocks are stacked as i, f, "
            "o, g; stack them like the weights, i, f, g, o.",
        ),
        (
            {"use_dc_next": False},
            "your dc ignores the incoming dc_next: c_next reaches the loss "
            "through h_next and, along the cell, through the later steps, so "
            "dc = dc_next + dh_next * o * (1 - tanh(c_next)^2).",
        ),
        (
            {"c_slope": False},
            "the path through h_next = o * tanh(c_next) lacks the tanh's slope: "
            "dc = dc_next + dh_next * o * (1 - tanh(c_next)^2).",
        ),
        (
            {"g_slope": "none"},
            "the slope of the candidate's tanh is missing: the gradient of its "
            "pre-activation is dc * i * (1 - g^2).",
        ),
        (
            {"dc_prev_from": "dc_next"},
            "dc_prev = dc_next * f leaves out the path through h_next; carry the "
            "whole cell gradient: dc_prev = dc * f, with "
            "dc = dc_next + dh_next * o * (1 - tanh(c_next)^2).",
        ),
        (
            {"use_b_hh": False},
            "the forward step you recompute leaves out b_hh (params['bias_hh_l0']); "
            "recompute it exactly as lstm_step does: "
            "a = x W_ih^T + b_ih + h_prev W_hh^T + b_hh.",
        ),
        (
            {"grads": "mean_all"},
            "your parameter gradients are means over the batch (divided by B); "
            "the loss adds up the batch, so sum: dW_ih = da.T @ x, "
            "db = da.sum(axis=0), with no division.",
        ),
        (
            {"grads": "zero_hh"},
            "dparams['bias_hh_l0'] is zero; b_hh is added to the same "
            "pre-activation as b_ih, so it gets the same gradient as b_ih: "
            "da.sum(axis=0).",
        ),
    ]
