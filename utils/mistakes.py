"""Deliberately wrong cells: the usual mistakes, used by utils.check to diagnose.

When a student's step disagrees with the reference, the check runs each variant
below on the same case; a variant that reproduces the student's output names the
mistake. Each variant is the correct cell with one (or two) things changed.
"""

import itertools

import numpy as np

from .cells import sigmoid


def _identity(a):
    return a


def _relu(a):
    return np.maximum(a, 0)


def _blocks(
    p, order, transpose_ih=False, transpose_hh=False, use_b_ih=True, use_b_hh=True
):
    """Per-gate (M_i, M_h, b_i, b_h) as a student's code would use them.

    order: the gate name the student gives each row block, e.g. 'ifgo'. The
    correct matrices are M = W.T so that a term is x @ M; a transposed-weight
    mistake uses W itself (which only fits when the block is square).
    """
    H = p["weight_hh_l0"].shape[1]
    blocks = {}
    for j, name in enumerate(order):
        rows = slice(j * H, (j + 1) * H)
        W_i, W_h = p["weight_ih_l0"][rows], p["weight_hh_l0"][rows]
        blocks[name] = (
            W_i if transpose_ih else W_i.T,
            W_h if transpose_hh else W_h.T,
            p["bias_ih_l0"][rows] if use_b_ih else 0,
            p["bias_hh_l0"][rows] if use_b_hh else 0,
        )
    return blocks


def rnn_variant(x, h, p, act=np.tanh, swap_weights=False, act_on="all", **kw):
    """h' = act(x M_i + b_i + h M_h + b_h) with the given mistakes.

    act_on: what the nonlinearity covers: 'all' (right), 'input' (only the input
    term), 'each' (each term its own), 'weights' (the biases added after it).
    """
    M_i, M_h, b_i, b_h = _blocks(p, "h", **kw)["h"]
    if swap_weights:  # W_hh on x and W_ih on h
        M_i, M_h = M_h, M_i
    if act_on == "input":
        return act(x @ M_i + b_i) + h @ M_h + b_h
    if act_on == "each":
        return act(x @ M_i + b_i) + act(h @ M_h + b_h)
    if act_on == "weights":
        return act(x @ M_i + h @ M_h) + b_i + b_h
    return act(x @ M_i + b_i + h @ M_h + b_h)


def lstm_variant(
    x,
    h,
    c,
    p,
    order="ifgo",
    gate=sigmoid,
    cand=np.tanh,
    cell_act=np.tanh,
    forget_on="c",
    out_from="new",
    swap_weights=False,
    **kw,
):
    """An LSTM step with the given mistakes -> (h_next, c_next)."""
    if swap_weights:  # W_hh on x and W_ih on h: only fits when D = H
        p = {**p, "weight_ih_l0": p["weight_hh_l0"], "weight_hh_l0": p["weight_ih_l0"]}
    b = _blocks(p, order, **kw)

    def pre(name):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + h @ M_h + b_h

    i, f, o, g = gate(pre("i")), gate(pre("f")), gate(pre("o")), cand(pre("g"))
    c_next = f * (h if forget_on == "h" else c) + i * g
    h_next = o * cell_act(c_next if out_from == "new" else c)
    return h_next, c_next


def gru_variant(
    x,
    h,
    p,
    reset_after=True,
    order="rzn",
    gate=sigmoid,
    cand=np.tanh,
    interp="z_keeps_h",
    reset=None,
    use_b_hn=True,
    **kw,
):
    """A GRU step with the given mistakes -> h_next.

    reset: where r acts, 'after' (r * (W_hn h + b_hn)), 'before' (W_hn (r * h)),
    'input' (on the input term), 'after_b_hn_out' (r * (W_hn h) + b_hn) or 'none';
    None means the placement asked for. use_b_hn False leaves out b_hh[2H:] alone.
    interp: 'z_keeps_h' ((1 - z) n + z h, correct) or 'z_takes_n' (z n + (1 - z) h).
    """
    b = _blocks(p, order, **kw)
    reset = reset or ("after" if reset_after else "before")

    def pre(name, hh=h):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + hh @ M_h + b_h

    r, z = gate(pre("r")), gate(pre("z"))
    M_i, M_h, b_i, b_h = b["n"]
    if not use_b_hn:
        b_h = 0
    if reset == "after":
        n = cand(x @ M_i + b_i + r * (h @ M_h + b_h))
    elif reset == "after_b_hn_out":
        n = cand(x @ M_i + b_i + r * (h @ M_h) + b_h)
    elif reset == "before":
        n = cand(x @ M_i + b_i + (r * h) @ M_h + b_h)
    elif reset == "input":
        n = cand(r * (x @ M_i + b_i) + h @ M_h + b_h)
    else:
        n = cand(pre("n"))
    if interp == "z_keeps_h":
        return (1 - z) * n + z * h
    return z * n + (1 - z) * h


_BIASES = (
    ({"use_b_ih": False}, "you left out b_ih (params['bias_ih_l0'])"),
    ({"use_b_hh": False}, "you left out b_hh (params['bias_hh_l0'])"),
    ({"use_b_ih": False, "use_b_hh": False}, "you left out both biases"),
)
_BIAS_NOTE = (
    " PyTorch keeps two bias vectors and adds both: the pre-activation is "
    "x W_ih^T + b_ih + h W_hh^T + b_hh."
)
_TRANSPOSE = (
    ({"transpose_ih": True}, "you multiplied x by W_ih instead of W_ih^T"),
    ({"transpose_hh": True}, "you multiplied h by W_hh instead of W_hh^T"),
    (
        {"transpose_ih": True, "transpose_hh": True},
        "you multiplied by W_ih and W_hh instead of their transposes",
    ),
)
_TRANSPOSE_NOTE = (
    " PyTorch stores a weight as (out, in): a batch of row vectors x (B, D) "
    "is multiplied as x @ W_ih.T. (With D = H the shapes fit either way, so only "
    "the values show it.)"
)


def _shared():
    """Bias and transpose mistakes, common to the three cells."""
    out = [(kw, hint + "." + _BIAS_NOTE) for kw, hint in _BIASES]
    out += [(kw, hint + "." + _TRANSPOSE_NOTE) for kw, hint in _TRANSPOSE]
    return out


def rnn_mistakes():
    """[(kwargs for rnn_variant, hint)]."""
    eq = " The step is h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."
    return [
        ({"act": sigmoid}, "you used a sigmoid where the RNN uses tanh." + eq),
        ({"act": _relu}, "you used ReLU; nn.RNN's default nonlinearity is tanh." + eq),
        ({"act": _identity}, "the tanh is missing: your step is linear." + eq),
        (
            {"swap_weights": True},
            "W_ih and W_hh are swapped: W_ih multiplies the input x, W_hh the "
            "previous hidden state h." + eq,
        ),
        (
            {"act_on": "input"},
            "your tanh covers only the input term (a parenthesis closes too "
            "early): the whole sum goes through one tanh." + eq,
        ),
        (
            {"act_on": "each"},
            "you gave each term its own tanh and added the results; the two "
            "terms are added first, then one tanh is taken." + eq,
        ),
        (
            {"act_on": "weights"},
            "the biases are added after the tanh; they belong inside it." + eq,
        ),
        *_shared(),
    ]


_LSTM_EQ = (
    " The LSTM step: i, f, o = sigmoid(...), g = tanh(...), "
    "c_next = f * c + i * g, h_next = o * tanh(c_next)."
)


def _order_name(order, full):
    return ", ".join(full[ch] for ch in order)


def lstm_mistakes():
    """[(kwargs for lstm_variant, hint)]."""
    names = {"i": "input", "f": "forget", "g": "cell candidate", "o": "output"}
    out = []
    for perm in itertools.permutations("ifgo"):
        order = "".join(perm)
        if order == "ifgo":
            continue
        extra = ""
        if order == "ifog":
            extra = " (i, f, o, g is another common convention, e.g. in CS231n)"
        out.append(
            (
                {"order": order},
                f"gate order: your code reads the four row blocks of the weights as "
                f"{_order_name(order, names)}{extra}. PyTorch stacks them as input, "
                "forget, cell candidate, output: rows [0:H] i, [H:2H] f, [2H:3H] g, "
                "[3H:4H] o.",
            )
        )
    out += [
        (
            {"gate": np.tanh, "cand": sigmoid},
            "sigmoid and tanh are swapped: the gates i, f, o are sigmoids (values in "
            "(0, 1), soft switches) and the candidate g is a tanh (values in (-1, 1))."
            + _LSTM_EQ,
        ),
        (
            {"gate": np.tanh},
            "your gates use tanh; gates are sigmoids so that they stay in (0, 1)."
            + _LSTM_EQ,
        ),
        (
            {"cand": sigmoid},
            "your cell candidate g uses a sigmoid; it is a tanh, so that the cell can "
            "also add negative values." + _LSTM_EQ,
        ),
        (
            {"cell_act": _identity},
            "h_next = o * c_next is missing the tanh: h_next = o * tanh(c_next).",
        ),
        (
            {"cell_act": sigmoid},
            "h_next uses sigmoid(c_next); it is h_next = o * tanh(c_next).",
        ),
        (
            {"forget_on": "h"},
            "your forget gate multiplies h instead of c: the cell update is "
            "c_next = f * c + i * g (the forget gate scales the old *cell* state).",
        ),
        (
            {"out_from": "old"},
            "h_next is computed from the old cell state c; use the new one: "
            "h_next = o * tanh(c_next).",
        ),
        (
            {"swap_weights": True},
            "W_ih and W_hh are swapped: W_ih multiplies the input x, W_hh the "
            "previous hidden state h (with D = H, as here, the shapes fit either "
            "way)." + _LSTM_EQ,
        ),
        *_shared(),
    ]
    return out


_GRU_EQ = (
    " The GRU step: r, z = sigmoid(...), n = tanh(...), h_next = (1 - z) * n + z * h."
)
_RESET = {
    "after": "n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) (reset_after=True, "
    "PyTorch/cuDNN)",
    "before": "n = tanh(W_in x + b_in + W_hn (r * h) + b_hn) (reset_after=False, "
    "Cho et al. 2014)",
}


def gru_mistakes(reset_after):
    """[(kwargs for gru_variant, hint)] for the placement asked for."""
    names = {"r": "reset", "z": "update", "n": "new"}
    want, other = ("after", "before") if reset_after else ("before", "after")
    out = []
    for perm in itertools.permutations("rzn"):
        order = "".join(perm)
        if order != "rzn":
            out.append(
                (
                    {"order": order},
                    f"gate order: your code reads the three row blocks as "
                    f"{_order_name(order, names)}. PyTorch stacks them as reset, "
                    "update, new: rows [0:H] r, [H:2H] z, [2H:3H] n.",
                )
            )
    out += [
        (
            {"reset": other},
            f"reset gate in the wrong place: for reset_after={reset_after} the "
            f"candidate is {_RESET[want]}; you computed {_RESET[other]}.",
        ),
        (
            {"reset": "input"},
            "your reset gate multiplies the input term; it acts on the previous "
            f"hidden state's term: {_RESET[want]}.",
        ),
        (
            {"reset": "none"},
            f"the reset gate is missing from the candidate: {_RESET[want]}.",
        ),
        (
            {"reset": "after_b_hn_out"},
            "you added b_hn outside the reset, r * (W_hn h) + b_hn; "
            + (
                "b_hn sits inside it: r * (W_hn h + b_hn), as in PyTorch"
                if reset_after
                else "for reset_after=False the reset acts on h itself: "
                "W_hn (r * h) + b_hn"
            )
            + f". The candidate is {_RESET[want]}.",
        ),
        (
            {"use_b_hn": False},
            "you left out b_hn (params['bias_hh_l0'][2H:]), the bias of the "
            f"candidate's hidden term: {_RESET[want]}.",
        ),
        (
            {"interp": "z_takes_n"},
            "the interpolation is reversed: PyTorch (and Cho et al. 2014) compute "
            "h_next = (1 - z) * n + z * h, so z = 1 keeps the old state. "
            "(z * n + (1 - z) * h is the other convention found in the literature.)",
        ),
        (
            {"gate": np.tanh, "cand": sigmoid},
            "sigmoid and tanh are swapped: r and z are sigmoids, n is a tanh."
            + _GRU_EQ,
        ),
        ({"gate": np.tanh}, "your gates use tanh; r and z are sigmoids." + _GRU_EQ),
        ({"cand": sigmoid}, "your candidate n uses a sigmoid; it is a tanh." + _GRU_EQ),
        *_shared(),
    ]
    return out


# ----------------------------------------------------------------------------------
# Backward passes (notebooks 02 and 04)
# ----------------------------------------------------------------------------------


def _param_grads(da, x, h_prev, bias="sum", transpose_w=False):
    """dW_ih, dW_hh, db_ih, db_hh from the pre-activation gradient da (B, kH)."""
    dW_ih, dW_hh = da.T @ x, da.T @ h_prev
    if transpose_w in ("ih", "both"):  # x.T @ da: only fits when D = H = kH
        dW_ih = dW_ih.T
    if transpose_w in ("hh", "both"):
        dW_hh = dW_hh.T
    db = {"sum": da.sum(0), "mean": da.mean(0), "none": da}[bias]
    return {
        "weight_ih_l0": dW_ih,
        "weight_hh_l0": dW_hh,
        "bias_ih_l0": db,
        "bias_hh_l0": db,
    }


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
    dparams = _param_grads(da, x, h if dW_hh_from == "h_next" else h_prev, **kw)
    if mean == "params":
        dparams = {k: g / len(x) for k, g in dparams.items()}
    if not db_hh:
        dparams["bias_hh_l0"] = np.zeros_like(dparams["bias_hh_l0"])
    dx = da @ (W_hh if dx_from == "W_hh" else W_ih)
    return dx, da @ (W_hh.T if dh_prev_T else W_hh), dparams


def rnn_step_backward_mistakes():
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
                f"your recompute of h_next is wrong: {hint}.{_BIAS_NOTE}",
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


def _global_norm(grads, dtype=np.float64):
    with np.errstate(over="ignore"):
        squares = (np.sum(np.asarray(g, dtype) ** 2) for g in grads.values())
        return float(np.sqrt(sum(squares)))


def clip_variant(grads, max_norm, how="global"):
    """Gradient clipping with the given mistakes -> (clipped, norm).

    The norm is summed in float64 (right); how='native' sums in the arrays' own
    dtype, where float32 squares can overflow.
    """
    norm = _global_norm(grads)
    if how == "native":
        norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
        scale = max_norm / norm if norm > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "never":
        return dict(grads), norm
    if how == "reversed":  # scales up when below max_norm
        scale = max_norm / norm if norm < max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "inverted":
        scale = norm / max_norm if norm > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "squared_test":  # the squared norm compared with max_norm
        scale = max_norm / norm if norm**2 > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "squared":  # no square root at all
        sq = norm**2
        scale = max_norm / sq if sq > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, sq
    if how == "per_array":
        out = {}
        for k, g in grads.items():
            n = np.linalg.norm(g.astype(np.float64))
            out[k] = g * (max_norm / n) if n > max_norm else g
        return out, norm
    if how == "always":
        return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
    if how == "max_abs":
        top = max(np.abs(g).max() for g in grads.values())
        scale = max_norm / top if top > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "norm_after":
        scale = max_norm / norm if norm > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, min(norm, max_norm)
    if how == "sum_of_norms":
        total = float(sum(np.linalg.norm(g.astype(np.float64)) for g in grads.values()))
        scale = max_norm / total if total > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, total
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, norm


def clip_mistakes():
    return [
        (
            {"how": "per_array"},
            "you clipped each array by its own norm; clipping by "
            "norm uses one global norm over all the gradients, so that their direction "
            "is kept: scale every array by max_norm / total_norm.",
        ),
        (
            {"how": "always"},
            "you rescale even when the norm is below max_norm; only "
            "a norm above max_norm is scaled down, smaller gradients pass unchanged.",
        ),
        (
            {"how": "max_abs"},
            "you used the largest absolute entry; the norm is the "
            "square root of the sum of squares of all entries of all arrays.",
        ),
        (
            {"how": "norm_after"},
            "return the norm before clipping (it is what a "
            "training loop logs to see explosions), not after.",
        ),
        (
            {"how": "sum_of_norms"},
            "you added the arrays' norms; the global norm is "
            "sqrt(sum of the squared norms).",
        ),
        (
            {"how": "never"},
            "the norm is above max_norm, yet every array came back unscaled: "
            "multiply every array by the same factor max_norm / total_norm.",
        ),
        (
            {"how": "reversed"},
            "the condition is the wrong way round: you rescale when total_norm "
            "is below max_norm (scaling small gradients up) and leave large ones "
            "as they are; clip only when total_norm > max_norm.",
        ),
        (
            {"how": "inverted"},
            "the factor is max_norm / total_norm, not total_norm / max_norm "
            "(which makes large gradients larger still).",
        ),
        (
            {"how": "squared_test"},
            "you compare the squared norm (the sum of squares) with max_norm; "
            "compare the norm itself, or the squares with max_norm ** 2.",
        ),
        (
            {"how": "squared"},
            "your total_norm is the sum of squares: the norm is its square "
            "root, np.sqrt(sum of squares).",
        ),
        (
            {"how": "native"},
            "your norm is computed in float32, where the squares of large "
            "gradients overflow (1e20 squared is 1e40, above float32's 3.4e38) and "
            "the norm becomes inf; sum the squares in float64: "
            "np.sum(g.astype(np.float64) ** 2).",
        ),
    ]


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
    dparams = _param_grads(da, x, h_prev)
    if grads == "mean_all":
        dparams = {k: v / len(x) for k, v in dparams.items()}
    elif grads == "zero_hh":
        dparams["bias_hh_l0"] = np.zeros_like(dparams["bias_hh_l0"])
    dc_prev = (dc if dc_prev_from == "dc" else dc_next) * f
    return da @ W_ih, da @ W_hh, dc_prev if carry_f else dc, dparams


def lstm_step_backward_mistakes():
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


def gru_step_backward_variant(
    dh_next,
    x,
    h_prev,
    p,
    reset_after=True,
    z_sign=1,
    direct=True,
    hn_times_r=True,
    reset_grad=True,
    n_slope="tanh",
    placement=None,
    interp="z_keeps_h",
    use_b_hh=True,
    grads="sum",
):
    """GRU step backward with the given mistakes -> dx, dh_prev, dparams.

    placement: the reset placement differentiated ('after' or 'before'); None means
    the one asked for. n_slope: 'tanh' (right), 'sigmoid' or 'none'; interp:
    'z_takes_n' differentiates h_next = z n + (1 - z) h_prev; use_b_hh False
    recomputes the forward step without b_hh; grads: 'sum' (right), 'mean_all'
    (every parameter gradient divided by B), 'zero_hh' (db_hh left at zero) or
    'copy_ih' (db_hh = db_ih).
    """
    after = reset_after if placement is None else placement == "after"
    W_ih, W_hh, b_ih, b_hh = (
        p[k] for k in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    )
    if not use_b_hh:
        b_hh = np.zeros_like(b_hh)
    H = h_prev.shape[1]
    gi = x @ W_ih.T + b_ih
    gh_rz = h_prev @ W_hh[: 2 * H].T + b_hh[: 2 * H]
    r, z = sigmoid(gi[:, :H] + gh_rz[:, :H]), sigmoid(gi[:, H : 2 * H] + gh_rz[:, H:])
    W_hn, b_hn = W_hh[2 * H :], b_hh[2 * H :]
    hn = h_prev @ W_hn.T + b_hn if after else r * h_prev
    n = np.tanh(gi[:, 2 * H :] + (r * hn if after else hn @ W_hn.T + b_hn))
    keep = z if interp == "z_keeps_h" else 1 - z  # the weight of h_prev in h_next
    dn = dh_next * (1 - keep)
    dan = dn * {"tanh": 1 - n**2, "sigmoid": n * (1 - n), "none": 1}[n_slope]
    daz = z_sign * dh_next * (h_prev - n) * z * (1 - z)
    if interp != "z_keeps_h":
        daz = -daz
    if after:
        dr = dan * hn
        dgh_n = dan * r if hn_times_r else dan
        dh_reset = dgh_n @ W_hn
        dW_hn = dgh_n.T @ h_prev
    else:
        drh = dan @ W_hn
        dr = drh * h_prev
        dgh_n = dan
        dh_reset = drh * r
        dW_hn = dan.T @ hn
    dar = dr * r * (1 - r) if reset_grad else np.zeros_like(dr)
    dgi = np.concatenate([dar, daz, dan], axis=1)
    drz = np.concatenate([dar, daz], axis=1)
    dh_prev = (dh_next * keep if direct else 0) + drz @ W_hh[: 2 * H] + dh_reset
    dparams = {
        "weight_ih_l0": dgi.T @ x,
        "weight_hh_l0": np.concatenate([drz.T @ h_prev, dW_hn]),
        "bias_ih_l0": dgi.sum(0),
        "bias_hh_l0": np.concatenate([drz.sum(0), dgh_n.sum(0)]),
    }
    if grads == "mean_all":
        dparams = {k: v / len(x) for k, v in dparams.items()}
    elif grads == "zero_hh":
        dparams["bias_hh_l0"] = np.zeros_like(dparams["bias_hh_l0"])
    elif grads == "copy_ih":
        dparams["bias_hh_l0"] = dparams["bias_ih_l0"].copy()
    return dgi @ W_ih, dh_prev, dparams


def gru_step_backward_mistakes(reset_after):
    other = "before" if reset_after else "after"
    return [
        (
            {"z_sign": -1},
            "the update gate's gradient has the wrong sign: from "
            "h_next = (1 - z) n + z h_prev, dh_next/dz = h_prev - n.",
        ),
        (
            {"direct": False},
            "dh_prev lacks the direct path: h_next = ... + z * h_prev "
            "sends back dh_next * z, besides the paths through the gates and n.",
        ),
        (
            {"placement": other},
            f"you differentiated the other reset placement; for "
            f"reset_after={reset_after} the candidate is "
            + (
                "n = tanh(W_in x + b_in + r * (W_hn h + b_hn))"
                if reset_after
                else "n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)"
            )
            + ".",
        ),
        *(
            [
                (
                    {"hn_times_r": False},
                    "the gradients of W_hn and b_hn must be multiplied by "
                    "r: they sit inside r * (W_hn h + b_hn).",
                )
            ]
            if reset_after  # in the other placement, no r multiplies them
            else []
        ),
        (
            {"reset_grad": False},
            "the reset gate gets no gradient; r multiplies the "
            "hidden term of the candidate, so dr = dan * (that term).",
        ),
        ({"n_slope": "sigmoid"}, "the candidate n is a tanh: its slope is 1 - n^2."),
        (
            {"n_slope": "none"},
            "the slope of the candidate's tanh is missing: the gradient of its "
            "pre-activation is dh_next * (1 - z) * (1 - n^2).",
        ),
        (
            {"interp": "z_takes_n"},
            "you differentiated the reversed interpolation h_next = z n + "
            "(1 - z) h_prev; the step is h_next = (1 - z) n + z h_prev, so n gets "
            "dh_next * (1 - z) and h_prev directly dh_next * z.",
        ),
        (
            {"use_b_hh": False},
            "the forward step you recompute leaves out b_hh (params['bias_hh_l0']); "
            "recompute it exactly as gru_step does.",
        ),
        (
            {"grads": "mean_all"},
            "your parameter gradients are means over the batch (divided by B); "
            "the loss adds up the batch, so sum: dW_ih = da.T @ x, "
            "db = da.sum(axis=0), with no division.",
        ),
        (
            {"grads": "zero_hh"},
            "dparams['bias_hh_l0'] is zero; b_hh is added to the pre-activations "
            "too, so it gets a gradient: for r and z the same as b_ih's"
            + (", for b_hn (dan * r).sum(axis=0)." if reset_after else "."),
        ),
    ] + (
        [
            (
                {"grads": "copy_ih"},
                "dparams['bias_hh_l0'] is a copy of dparams['bias_ih_l0']: right "
                "for r and z, but b_hn sits inside r * (W_hn h + b_hn), so its "
                "gradient is (dan * r).sum(axis=0).",
            )
        ]
        if reset_after  # for reset_after=False the copy is right
        else []
    )


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
    b = _blocks(p, order, **kw)

    def pre(name):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + h @ M_h + b_h

    f, g, o = gate(pre("f")), cand(pre("g")), gate(pre("o"))
    kept = h if forget_on == "h" else c
    c_next = (1 - f) * kept + f * g if swap else f * kept + (1 - f) * g
    h_next = (o if output else 1) * cell_act(c_next if out_from == "new" else c)
    return (c_next, h_next) if returns == "ch" else (h_next, c_next)


_SWAPPED_OUTPUTS = (
    {"returns": "ch"},
    "you returned (c_next, h_next); return (h_next, c_next), in the order "
    "PyTorch uses for (h, c).",
)


def cifg_mistakes():
    names = {"f": "forget", "g": "cell candidate", "o": "output"}
    out = [
        (
            {"order": "".join(o)},
            f"block order: you read the rows as "
            f"{_order_name(''.join(o), names)}; the exercise stacks forget, cell "
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
            {"cell_act": _identity},
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
        _SWAPPED_OUTPUTS,
        *_shared(),
    ]


# ----------------------------------------------------------------------------------
# Notebook 07: temperature, bits per character, a line-position cell
# ----------------------------------------------------------------------------------


def _softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_temperature_mistakes():
    """[(wrong function of (logits, temperature), hint)]."""
    return [
        (
            lambda z, T: _softmax(z * T),
            "you multiplied the logits by the temperature; divide: "
            "softmax(logits / temperature), so that a low temperature sharpens.",
        ),
        (
            lambda z, T: _softmax(z),
            "the temperature has no effect in your function: divide the logits "
            "by it before the exponential (after it, it cancels in the "
            "normalisation).",
        ),
        (
            lambda z, T: _softmax(z) ** (1 / T),
            "you raised the probabilities to the power 1/temperature without "
            "normalising again; they must sum to 1 (softmax(logits / temperature) "
            "does both).",
        ),
        (
            lambda z, T: _softmax(z / T, axis=0),
            "you normalised over axis 0; each row is one distribution over the "
            "vocabulary, so normalise over the last axis (axis=-1).",
        ),
        (
            lambda z, T: (
                np.exp(z / T - (z / T).max()) / np.exp(z / T - (z / T).max()).sum()
            ),
            "you normalised over every element at once; each row is one "
            "distribution: sum over the last axis with keepdims=True.",
        ),
        (
            lambda z, T: _softmax(z / T, axis=1),
            "you normalised over axis 1; for logits of more than two dimensions "
            "that is not the vocabulary: normalise over the last axis (axis=-1), "
            "which works for any number of dimensions.",
        ),
        (
            lambda z, T: (
                np.exp(z / T - (z / T).max(-1, keepdims=True))
                / np.exp(z / T - (z / T).max(-1, keepdims=True)).sum(-1)
            ),
            "you divided by the row sums without keepdims: e.sum(axis=-1) has one "
            "entry per row and broadcasts along the columns (each column is divided "
            "by the sum of another row). Use e.sum(axis=-1, keepdims=True).",
        ),
        (
            lambda z, T: _softmax(z / T - (z / T).max(-1)),
            "you subtracted the row maxima without keepdims: z.max(axis=-1) has "
            "one entry per row and broadcasts along the columns, so each column "
            "moves by a different amount. Use z.max(axis=-1, keepdims=True).",
        ),
        (
            lambda z, T: np.log(_softmax(z / T)),
            "you returned log-probabilities; return the probabilities themselves.",
        ),
        (
            lambda z, T: np.exp(z / T) / np.exp(z).sum(axis=-1, keepdims=True),
            "the normaliser must use the same scaled logits: "
            "exp(l_i / tau) / sum_j exp(l_j / tau).",
        ),
    ]


def _log2_softmax(logits, axis=-1):
    z = logits - logits.max(axis=axis, keepdims=True)
    return (z - np.log(np.exp(z).sum(axis=axis, keepdims=True))) / np.log(2)


def _log2_softmax_at(logits, targets):
    return _log2_softmax(logits)[np.arange(len(targets)), targets]


def bits_per_char_mistakes():
    """[(wrong function of (logits, targets), hint)]."""
    return [
        (
            lambda z, y: -_log2_softmax_at(z, y).mean() * np.log(2),
            "that is the cross-entropy in nats (natural log); bits use log base "
            "2: divide by ln 2.",
        ),
        (
            lambda z, y: -_log2_softmax_at(z, y).mean() * np.log10(2),
            "you used log base 10; bits are log base 2.",
        ),
        (
            lambda z, y: -_log2_softmax_at(z, y).sum(),
            "you summed over the characters; bits per character is the mean.",
        ),
        (
            lambda z, y: _log2_softmax_at(z, y).mean(),
            "the sign is flipped: the cost of a character is -log2 p, a positive "
            "number.",
        ),
        (
            lambda z, y: -_log2_softmax_at(z, z.argmax(-1)).mean(),
            "you took the probability of the most likely character; take the "
            "probability the model gave the *actual* next character, targets[n].",
        ),
        (
            lambda z, y: -np.log2(_softmax(z)[np.arange(len(y)), y].mean()),
            "you averaged the probabilities before the log; average the "
            "log-probabilities: mean of -log2 p.",
        ),
        (
            lambda z, y: -_log2_softmax_at(z[:-1], y[1:]).mean(),
            "your targets are shifted by one: logits[n] already predicts "
            "targets[n] (the next character); pair them as given.",
        ),
        (
            lambda z, y: -_log2_softmax_at(z[1:], y[:-1]).mean(),
            "your targets are shifted by one (logits[n + 1] with targets[n]): "
            "logits[n] already predicts targets[n] (the next character); pair "
            "them as given.",
        ),
        (
            lambda z, y: -_log2_softmax_at(z, np.roll(y, -1)).mean(),
            "you moved the targets along by one with np.roll; they are already "
            "the next characters: logits[n] predicts targets[n], pair them as "
            "given.",
        ),
        (
            lambda z, y: -_log2_softmax(z)[:, y].mean(),
            "log_p[:, targets] is an (N, N) table (every row at every target); "
            "pick one entry per row with log_p[np.arange(N), targets].",
        ),
        (
            lambda z, y: -_log2_softmax(z)[y].mean(),
            "log_p[targets] picks rows (row targets[n] for each n), not one entry "
            "per row; pick log_p[np.arange(N), targets].",
        ),
        (
            lambda z, y: -_log2_softmax(z).mean(),
            "you averaged -log2 p over every entry of the (N, V) table; only the "
            "entry of the true next character counts in each row: "
            "log_p[np.arange(N), targets].",
        ),
        (
            lambda z, y: -(_log2_softmax(z, axis=0)[np.arange(len(y)), y]).mean(),
            "you normalised over axis 0; each row of logits is one distribution "
            "over the vocabulary: log-softmax over the last axis (axis=-1).",
        ),
        (
            lambda z, y: -_log2_softmax_at(z, y).mean() * np.log(2) ** 2,
            "you multiplied by ln 2; log2 p = ln p / ln 2, so divide the "
            "natural-log cross-entropy by ln 2.",
        ),
    ]


# ----------------------------------------------------------------------------------
# Notebook 08: the peephole LSTM step
# ----------------------------------------------------------------------------------


def peephole_variant(
    x,
    h,
    c,
    p,
    o_sees="c_next",
    reads="c",
    order="ifgo",
    peep_order="ifo",
    cell_act=np.tanh,
    peep_times=True,
    no_peep="",
    gate=sigmoid,
    cand=np.tanh,
    forget_on="c",
    out_from="new",
    returns="hc",
    **kw,
):
    """A peephole LSTM step with the given mistakes -> (h_next, c_next).

    o_sees: which cell state the output peephole reads; reads: 'c' (right) or 'h'
    (the peepholes multiply the hidden state); peep_order: the gates that peep_i,
    peep_f, peep_o go to; peep_times False adds the peephole weight itself;
    no_peep: the gates left without a peephole; the other keywords as in
    lstm_variant; returns='ch' gives (c_next, h_next).
    """
    b = _blocks(p, order, **kw)
    pe = dict(zip(peep_order, (p["peep_i"], p["peep_f"], p["peep_o"]), strict=True))

    def pre(name):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + h @ M_h + b_h

    def peep(name, state):
        if name in no_peep:
            return 0
        return pe[name] * (h if reads == "h" else state) if peep_times else pe[name]

    i = gate(pre("i") + peep("i", c))
    f = gate(pre("f") + peep("f", c))
    c_next = f * (h if forget_on == "h" else c) + i * cand(pre("g"))
    o = gate(pre("o") + peep("o", c_next if o_sees == "c_next" else c))
    h_next = o * cell_act(c_next if out_from == "new" else c)
    return (c_next, h_next) if returns == "ch" else (h_next, c_next)


_NO_PEEP = {
    "ifo": "your step has no peepholes: it is the plain LSTM",
    "i": "the input gate has no peephole",
    "f": "the forget gate has no peephole",
    "o": "the output gate has no peephole",
    "if": "the input and forget gates have no peephole",
    "io": "the input and output gates have no peephole",
    "fo": "the forget and output gates have no peephole",
}


def peephole_mistakes():
    names = {"i": "input", "f": "forget", "o": "output"}
    out = [
        (
            {"o_sees": "c_prev"},
            "the output gate's peephole reads c_prev; the output gate comes after "
            "the cell update, so it looks at the new cell: o = sigmoid(a_o + "
            "p_o * c_next).",
        ),
        (
            {"reads": "h"},
            "your peepholes multiply the hidden state; they are connections from "
            "the cell: p_i * c and p_f * c (the old cell), p_o * c_next.",
        ),
        (
            {"peep_times": False},
            "you added the peephole weights themselves; a peephole is a "
            "connection from the cell: add p * c (elementwise), not p.",
        ),
        _SWAPPED_OUTPUTS,
    ]
    out += [
        (
            {"no_peep": gates},
            f"{text}. Add p_i * c to the input gate's and p_f * c to the forget "
            "gate's pre-activation (the old cell), and p_o * c_next to the output "
            "gate's (the new cell).",
        )
        for gates, text in _NO_PEEP.items()
    ]
    for perm in itertools.permutations("ifo"):
        order = "".join(perm)
        if order != "ifo":
            out.append(
                (
                    {"peep_order": order},
                    "the peepholes went to the wrong gates: peep_i belongs to the "
                    "input gate, peep_f to the forget gate, peep_o to the output "
                    f"gate; you gave them to the {_order_name(order, names)} gates.",
                )
            )
    shared = {"order", "use_b_ih", "use_b_hh", "transpose_ih", "transpose_hh"}
    shared |= {"gate", "cand", "cell_act", "forget_on", "out_from"}
    for kw, hint in lstm_mistakes():
        if set(kw) <= shared:
            out.append((kw, hint))
    return out
