"""Check of notebooks/04_lstm_backward.ipynb: exercise 4.1 (lstm_backward, through
time), with the mistakes it recognises: those of one step (lstm_step_backward_variant)
and those of the loop over time.
"""

import numpy as np

from .. import cells
from ..cells import sigmoid
from ..data import load_fixture
from .calling import call_student, positional
from .cases import (
    case_label,
    random_params,
)
from .common_mistakes import param_grads
from .diagnose import (
    compare_all,
    diagnose,
    flat_grads,
    max_err,
    named_outputs,
    parts_hint,
    wrong_values,
)
from .harness import exercise, report
from .values import check_array, check_dparams, check_tuple


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


# ------------------------------------------ exercise 4.1: backward through time

_BPTT_SHAPES = (  # (T, B, D, H, dtype, which of dh_n, dc_n are given)
    (5, 3, 4, 3, np.float64, ("dh_n", "dc_n")),
    (4, 2, 3, 5, np.float64, ()),
    (6, 3, 2, 4, np.float32, ("dh_n", "dc_n")),
    (3, 2, 5, 3, np.float64, ("dh_n",)),
    (4, 3, 3, 4, np.float32, ("dc_n",)),
)


def _bptt_cases(seed):
    """(label, call dict): random cases, the PyTorch fixture second."""
    rng = np.random.default_rng(seed)
    for n, (T, B, D, H, dtype, given) in enumerate(_BPTT_SHAPES):
        call = {
            "dout": rng.standard_normal((T, B, H)).astype(dtype),
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": random_params("lstm", D, H, dtype, rng),
            "h0": rng.uniform(-0.9, 0.9, (B, H)).astype(dtype),
            "c0": rng.standard_normal((B, H)).astype(dtype),
            "dh_n": None,
        }
        for k in given:
            call[k] = rng.standard_normal((B, H)).astype(dtype)
        extra = ", ".join(given) + " given" if given else "dh_n and dc_n omitted"
        if len(given) == 1:
            extra = f"only {given[0]} given"
        yield case_label(dtype, T=T, B=B, D=D, H=H) + ", " + extra, call
        if n == 0:
            fx = load_fixture("lstm")
            T, B, D = fx["x"].shape
            keys = ("dout", "x", "params", "h0", "c0", "dh_n", "dc_n")
            label = f"the PyTorch fixture (float64, T={T}, B={B}, D={D}, H="
            yield (
                label + f"{fx['h0'].shape[1]}, dh_n and dc_n given)",
                {k: fx[k] for k in keys},
            )


def lstm_backward_variant(
    dout,
    x,
    p,
    h0,
    c0,
    dh_n=None,
    dc_n=None,
    carry_dh=True,
    carry_dc=True,
    use_dout=True,
    dout_late=False,
    forwards=False,
    accumulate="sum",
    use_dh_n=True,
    use_dc_n=True,
    initial="prev",
    states_offset=0,
    start="given",
    mean_T=False,
    step=None,
):
    """LSTM backward through time with the given mistakes -> dx, dparams, dh0, dc0.

    accumulate: 'sum' (right), 'last' (dparams of the loop's last step, t = 0) or
    'first' (of t = T - 1); initial: 'prev' (right) or 'arriving' (dh0, dc0 are what
    arrived at step 0); step: the mistakes of lstm_step_backward_variant."""
    zeros = np.zeros_like(h0)
    if start == "zeros":
        h0 = c0 = zeros
    _, _, cache = cells.lstm_forward(x, p, h0, c0)
    hs, cs, T = cache["hs"], cache["cs"], len(x)
    dh = dh_n if dh_n is not None and use_dh_n else zeros
    dc = dc_n if dc_n is not None and use_dc_n else zeros
    dx = np.zeros_like(x)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    for n, t in enumerate(range(T) if forwards else range(T - 1, -1, -1)):
        dh_in = dh + (dout[t] if use_dout and not dout_late else 0)
        dc_in, s = dc, t + states_offset
        dx[t], dh, dc, dp = lstm_step_backward_variant(
            dh_in, dc_in, x[t], hs[s], cs[s], p, **(step or {})
        )
        if accumulate == "sum" or (accumulate, n) in (("last", T - 1), ("first", 0)):
            grads = {k: grads[k] + dp[k] for k in grads}
        dh = (dh if carry_dh else zeros) + (dout[t] if dout_late else 0)
        dc = dc if carry_dc else zeros
    if mean_T:
        grads = {k: v / T for k, v in grads.items()}
    if initial == "arriving":
        return dx, grads, dh_in, dc_in
    return dx, grads, dh, dc


def lstm_backward_mistakes():
    """[(kwargs for lstm_backward_variant, hint)]."""
    return [
        (
            {"carry_dc": False},
            "the cell gradient is not carried back in time: each step's dc_prev "
            "is the dc_next of the step before it (c_{t-1} reaches the loss through "
            "c_t = f * c_{t-1} + ..., the carousel). Start from dc_n, then dc = "
            "dc_prev after every step.",
        ),
        (
            {"carry_dh": False},
            "the hidden-state gradient is not carried back in time: the dh_next of "
            "step t is dout[t] plus the dh_prev that step t + 1 returned.",
        ),
        (
            {"use_dout": False},
            "dout is never added: out[t] = h_t is used by the loss too, so the "
            "gradient arriving at h_t is dout[t] + (what step t + 1 sent back).",
        ),
        (
            {"dout_late": True},
            "dout[t] enters one step late: it is the gradient of h_t, so add it to "
            "dh *before* the backward of step t, not after.",
        ),
        (
            {"forwards": True},
            "your loop runs forwards in time; gradients flow from the last step to "
            "the first: for t in reversed(range(T)).",
        ),
        (
            {"accumulate": "last"},
            "dparams holds only one step's gradients (the last of your loop, t = 0): "
            "the weights are shared by every step, so add up the steps' gradients.",
        ),
        (
            {"accumulate": "first"},
            "dparams holds only one step's gradients (t = T - 1): the weights are "
            "shared by every step, so add up the steps' gradients.",
        ),
        (
            {"mean_T": True},
            "your parameter gradients are divided by the number of steps; the loss "
            "adds up the steps, so the weights' gradients are the sum over t.",
        ),
        (
            {"use_dh_n": False},
            "your function ignores dh_n: the loss also reads h_n, so the gradient "
            "arriving at the last step is dout[T-1] + dh_n.",
        ),
        (
            {"use_dc_n": False},
            "your function ignores dc_n: start the cell gradient from dc_n (zeros "
            "when it is None), not from zeros.",
        ),
        (
            {"initial": "arriving"},
            "dh0 and dc0 are what arrived at step 0; they are the gradients of the "
            "states *before* it: the dh_prev and dc_prev that step 0's backward "
            "returns.",
        ),
        (
            {"states_offset": 1},
            "step t's backward is given the states after step t; it needs those "
            "before it: h_prev = h_{t-1} and c_prev = c_{t-1} (h0 and c0 at t = 0).",
        ),
        (
            {"start": "zeros"},
            "your forward pass starts from zeros; run it from the given h0 and c0, "
            "whose states the backward pass goes through.",
        ),
    ] + [
        ({"step": kw}, "your step backward is wrong: " + hint)
        for kw, hint in lstm_step_backward_mistakes()
    ]


@exercise
def lstm_backward(fn):
    """Exercise 4.1: lstm_backward(dout, x, params, h0, c0, dh_n=None, dc_n=None)
    -> (dx (T, B, D), dparams, dh0 (B, H), dc0 (B, H)), for the loss
    sum(out * dout) + sum(h_n * dh_n) + sum(c_n * dc_n)."""
    name, labels = "lstm_backward", []
    for label, call in _bptt_cases(seed=411):
        x, params, h0 = call["x"], call["params"], call["h0"]
        T, B, _ = x.shape
        H, dtype = h0.shape[1], x.dtype
        ordered = positional(call, "dout", "x", "params", "h0", "c0", "dh_n", "dc_n")
        result, _ = call_student(fn, name, ordered, {}, label)
        dx, dparams, dh0, dc0 = check_tuple(result, name, 4, "(dx, dparams, dh0, dc0)")
        dx = check_array(dx, name, "dx", x.shape, dtype, label)
        dh0 = check_array(dh0, name, "dh0", (B, H), dtype, label)
        dc0 = check_array(dc0, name, "dc0", (B, H), dtype, label)
        dparams = check_dparams(dparams, name, params, label)
        _, _, cache = cells.lstm_forward(x, params, h0, call["c0"])
        rdx, rdp, rdh0, rdc0 = cells.lstm_backward(
            call["dout"], cache, call["dh_n"], call.get("dc_n")
        )
        student = flat_grads((dx, dh0, dc0), dparams)
        reference = flat_grads((rdx, rdh0, rdc0), rdp)
        if compare_all(student, reference):
            labels.append(label)
            continue

        def variant(kw, c=call):
            dx_, dp_, dh0_, dc0_ = lstm_backward_variant(
                c["dout"], c["x"], c["params"], c["h0"], c["c0"], c["dh_n"],
                c.get("dc_n"), **kw,
            )  # fmt: skip
            return flat_grads((dx_, dh0_, dc0_), dp_)

        names = ("dx", "dh0", "dc0")
        hint = diagnose(student, lstm_backward_mistakes(), variant) or parts_hint(
            student, reference, names, B
        )
        raise wrong_values(
            name,
            label,
            max_err(student, reference),
            hint,
            "none of the usual mistakes explains it. Check one step first (section "
            "1's cell), then the loop: from dh = dh_n, dc = dc_n, for t from T - 1 "
            "down to 0, step t gets dh + dout[t] and dc, with the states before it "
            "(h_{t-1}, c_{t-1}); it returns the next dh and dc; add up dparams.",
            named_outputs(names, student, reference),
        )
    report(name, labels)
