"""The mistakes of notebooks/02_backprop_through_time.ipynb's exercises 2.1 (one
RNN step backward) and 2.2 (backpropagation through time), for
nb02_backprop_through_time.py.
"""

import numpy as np

from .common_mistakes import BIAS_NOTE, param_grads


def rnn_step_backward_variant(
    dh_next,
    x,
    h_prev,
    p,
    act_grad="h_next",
    dh_prev_T=False,
    dW_hh_from="h_prev",
    sign=1,
    mean=None,
    fwd_b_ih=True,
    fwd_b_hh=True,
    recurrent=True,
    db_hh=True,
    dx_from="W_ih",
    **kw,
):
    """One tanh RNN step backward with the given mistakes -> dx, dh_prev, dparams.

    act_grad: whose slope multiplies dh_next: 'h_next' (right), 'h_prev', 'none',
    'sigmoid' (h (1 - h)), 'tanh_of_h' (1 - tanh(h_next)^2), 'pre' (1 - a^2).
    mean: 'da' (da divided by B) or 'params' (every parameter gradient divided by
    B); fwd_b_ih, fwd_b_hh, recurrent: the terms of the recomputed h_next; db_hh:
    False for a zero bias_hh_l0 gradient; dx_from: 'W_hh' (only fits if D = H).
    """
    W_ih, W_hh = p["weight_ih_l0"], p["weight_hh_l0"]
    a = x @ W_ih.T + (p["bias_ih_l0"] if fwd_b_ih else 0)
    a = a + (h_prev @ W_hh.T if recurrent else 0) + (p["bias_hh_l0"] if fwd_b_hh else 0)
    h = np.tanh(a)
    slope = {
        "h_next": 1 - h**2,
        "h_prev": 1 - h_prev**2,
        "none": 1.0,
        "sigmoid": h * (1 - h),
        "tanh_of_h": 1 - np.tanh(h) ** 2,
        "pre": 1 - a**2,
    }[act_grad]
    da = sign * dh_next * slope / (len(x) if mean == "da" else 1)
    dparams = param_grads(da, x, h if dW_hh_from == "h_next" else h_prev, **kw)
    if mean == "params":
        dparams = {k: g / len(x) for k, g in dparams.items()}
    if not db_hh:
        dparams["bias_hh_l0"] = np.zeros_like(dparams["bias_hh_l0"])
    dx = da @ (W_hh if dx_from == "W_hh" else W_ih)
    return dx, da @ (W_hh.T if dh_prev_T else W_hh), dparams


def rnn_step_backward_mistakes():
    """[(kwargs for rnn_step_backward_variant, hint)]."""
    eq = (
        " For a = x W_ih^T + b_ih + h_prev W_hh^T + b_hh and h_next = tanh(a): "
        "da = dh_next * (1 - h_next^2), dW_ih = da^T x, dW_hh = da^T h_prev, "
        "db_ih = db_hh = sum of da over the batch, dx = da W_ih, dh_prev = da W_hh."
    )
    return [
        (
            {"act_grad": "none"},
            "the tanh's slope is missing: multiply dh_next by "
            "1 - h_next^2 before anything else." + eq,
        ),
        (
            {"act_grad": "h_prev"},
            "you used the slope at h_prev; the tanh that "
            "produced h_next has slope 1 - h_next^2." + eq,
        ),
        (
            {"act_grad": "sigmoid"},
            "h (1 - h) is the sigmoid's slope; the tanh's is 1 - h^2." + eq,
        ),
        (
            {"dh_prev_T": True},
            "dh_prev uses W_hh^T; the forward pass multiplied h_prev "
            "by W_hh^T, so the backward pass multiplies by W_hh: dh_prev = da @ W_hh.",
        ),
        (
            {"dW_hh_from": "h_next"},
            "dW_hh pairs da with h_next; it multiplied "
            "h_prev in the forward pass, so dW_hh = da^T h_prev.",
        ),
        *(
            (
                {"transpose_w": which},
                "your weight gradients are transposed: dW_ih = da.T @ x has W_ih's "
                "shape (H, D), dW_hh = da.T @ h_prev has W_hh's; x.T @ da is the "
                "transpose (the shapes only agree when D = H, as here).",
            )
            for which in ("ih", "hh", "both")
        ),
        (
            {"bias": "mean"},
            "the bias gradients are means over the batch; the loss "
            "adds up the batch, so sum: db = da.sum(axis=0).",
        ),
        ({"sign": -1}, "every gradient has the wrong sign: a minus slipped in."),
        (
            {"act_grad": "tanh_of_h"},
            "your slope is 1 - tanh(h_next)^2, the tanh twice: h_next is already "
            "tanh(a), so the slope is 1 - h_next^2." + eq,
        ),
        (
            {"act_grad": "pre"},
            "your slope is 1 - a^2 with the pre-activation a; the tanh's slope at a "
            "is 1 - tanh(a)^2 = 1 - h_next^2." + eq,
        ),
        (
            {"mean": "da"},
            "every gradient is divided by the batch size: the loss adds up the "
            "batch, so sum over it (the exercise's dh_next already holds each "
            "item's gradient)." + eq,
        ),
        (
            {"mean": "params"},
            "the weight and bias gradients are means over the batch; the loss adds "
            "up the batch, so sum: dW = da.T @ x (no division) and "
            "db = da.sum(axis=0)." + eq,
        ),
        *(
            (
                {kw: False},
                f"your recompute of h_next is wrong: {hint}.{BIAS_NOTE}",
            )
            for kw, hint in (
                ("fwd_b_ih", "it left out b_ih (params['bias_ih_l0'])"),
                ("fwd_b_hh", "it left out b_hh (params['bias_hh_l0'])"),
            )
        ),
        (
            {"recurrent": False},
            "your recompute of h_next leaves out the recurrent term "
            "h_prev @ W_hh.T: h_next = tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T "
            "+ b_hh).",
        ),
        (
            {"db_hh": False},
            "dparams['bias_hh_l0'] is zero: b_hh is added to the same "
            "pre-activation as b_ih, so it gets the same gradient, "
            "da.sum(axis=0).",
        ),
        (
            {"dx_from": "W_hh"},
            "dx uses W_hh; x was multiplied by W_ih^T in the forward pass, so "
            "dx = da @ W_ih (with D = H, as here, both fit).",
        ),
    ]


def rnn_backward_variant(
    dout,
    x,
    p,
    h0,
    carry=True,
    direction="backward",
    h_prev_offset=0,
    accumulate="sum",
    slope=True,
    start="h0",
    stop=-1,
    wrap=False,
    slope_from=1,
    carry_after_slope=False,
    mean=None,
    dh_T=False,
    fwd_b_hh=True,
):
    """BPTT for the tanh RNN with the given mistakes -> dx, dparams, dh0.

    start: the forward pass from 'h0' (right), 'zeros', or 'zeros_h0' (from zeros,
    h0 kept as the state before step 0); stop: where range(T - 1, stop, -1) ends;
    wrap: h_prev at t = 0 is out[-1] = h_T; slope_from: 0 takes the slope of
    h_{t-1}; mean: 'B', 'T' or 'TB' divides dparams; dh_T: dh carried with W_hh.T.
    """
    W_ih, W_hh = p["weight_ih_l0"], p["weight_hh_l0"]
    T = len(x)
    b = p["bias_ih_l0"] + (p["bias_hh_l0"] if fwd_b_hh else 0)
    hs = [h0 if start == "h0" else np.zeros_like(h0)]
    for t in range(T):
        hs.append(np.tanh(x[t] @ W_ih.T + b + hs[-1] @ W_hh.T))
    if start == "zeros_h0":
        hs[0] = h0
    dx = np.zeros_like(x)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dh_future = np.zeros_like(h0)
    order = range(T - 1, stop, -1) if direction == "backward" else range(T)
    for t in order:
        dh = dout[t] + (dh_future if carry else 0)
        s = 1 - hs[t + slope_from] ** 2
        da = dout[t] * s + dh_future if carry_after_slope else dh * s if slope else dh
        h_prev = hs[T] if wrap and t == 0 else hs[t + h_prev_offset]
        step = {
            "weight_ih_l0": da.T @ x[t],
            "weight_hh_l0": da.T @ h_prev,
            "bias_ih_l0": da.sum(0),
            "bias_hh_l0": da.sum(0),
        }
        for k in grads:
            if (
                accumulate == "sum"
                or (accumulate == "last" and t == T - 1)
                or (accumulate == "overwrite" and t == 0)  # the loop's final step
            ):
                grads[k] = grads[k] + step[k]
        dx[t] = da @ W_ih
        dh_future = da @ (W_hh.T if dh_T else W_hh)
    if mean:
        n = {"B": x.shape[1], "T": T, "TB": T * x.shape[1]}[mean]
        grads = {k: g / n for k, g in grads.items()}
    return dx, grads, dh_future


def rnn_backward_mistakes():
    """[(kwargs for rnn_backward_variant, hint)]."""
    return [
        (
            {"carry": False},
            "you dropped the gradient that comes from the future: at "
            "step t, dL/dh_t = dout[t] + (the gradient passed back from step t + 1).",
        ),
        (
            {"accumulate": "last"},
            "the weight gradients come from one step only; the "
            "weights are shared by every step, so add the per-step gradients over t.",
        ),
        (
            {"accumulate": "overwrite"},
            "the weight gradients come from one step only (each step overwrote "
            "them, so step 0's are left); the weights are shared by every step, so "
            "add the per-step gradients over t.",
        ),
        (
            {"direction": "forward"},
            "your loop runs forward in time; "
            "backpropagation through time goes from t = T - 1 down to 0, so that the "
            "gradient from step t + 1 is ready when step t needs it.",
        ),
        (
            {"h_prev_offset": 1},
            "dW_hh pairs step t's da with h_t; the step multiplied "
            "h_{t-1} (out[t - 1], or h0 at t = 0), so use that.",
        ),
        ({"slope": False}, "the tanh's slope 1 - h_t^2 is missing from da."),
        *(
            (
                {"start": start},
                "the forward pass inside your backward pass starts from zeros, "
                "not from h0: run it from the given h0 (utils.rnn_forward(x, "
                "params, h0)), or every state, and so every gradient, is off.",
            )
            for start in ("zeros", "zeros_h0")
        ),
        (
            {"stop": 0},
            "your loop stops before t = 0: range(T - 1, 0, -1) skips the first "
            "step; use range(T - 1, -1, -1) or reversed(range(T)).",
        ),
        (
            {"wrap": True},
            "at t = 0 your h_prev is out[-1], the last state h_T (index -1 wraps "
            "around in Python); the state before the first step is h0.",
        ),
        (
            {"slope_from": 0},
            "da at step t uses the slope of the state before the step; the tanh "
            "of step t produced out[t], so da = dh * (1 - out[t]**2).",
        ),
        (
            {"carry_after_slope": True},
            "the gradient from step t + 1 is added after the tanh's slope; it "
            "flows into h_t like dout[t], so add first: "
            "da = (dout[t] + dh_next) * (1 - out[t]**2).",
        ),
        (
            {"mean": "B"},
            "the parameter gradients are divided by the batch size; the loss "
            "adds up the batch, so sum over it.",
        ),
        (
            {"mean": "T"},
            "the parameter gradients are divided by the number of steps T; the "
            "weights are shared by every step, so sum the steps' gradients.",
        ),
        (
            {"mean": "TB"},
            "the parameter gradients are divided by T * B; the loss adds up the "
            "steps and the batch, so sum.",
        ),
        (
            {"dh_T": True},
            "dh is carried back with W_hh^T; the forward pass multiplied h by "
            "W_hh^T, so the backward pass multiplies by W_hh: dh = da @ W_hh.",
        ),
        (
            {"fwd_b_hh": False},
            "the forward pass inside your backward pass left out b_hh "
            "(params['bias_hh_l0']), so every state it recomputes is off.",
        ),
    ]
