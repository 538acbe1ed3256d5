"""The mistakes of notebooks/03_lstm.ipynb's LSTM step (exercises 3.1 and 3.2) and
of the forward pass over a padded batch (3.2 with lengths), for nb03_lstm.py;
notebook 08's peephole step shares most of the step's.
"""

import itertools

import numpy as np

from ..cells import lstm_step, param_shapes, sigmoid
from .common_mistakes import blocks, identity, order_name, shared_mistakes


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
    b = blocks(p, order, **kw)

    def pre(name):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + h @ M_h + b_h

    i, f, o, g = gate(pre("i")), gate(pre("f")), gate(pre("o")), cand(pre("g"))
    c_next = f * (h if forget_on == "h" else c) + i * g
    h_next = o * cell_act(c_next if out_from == "new" else c)
    return h_next, c_next


_LSTM_EQ = (
    " The LSTM step: i, f, o = sigmoid(...), g = tanh(...), "
    "c_next = f * c + i * g, h_next = o * tanh(c_next)."
)


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
                f"{order_name(order, names)}{extra}. PyTorch stacks them as input, "
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
            {"cell_act": identity},
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
        *shared_mistakes(),
    ]
    return out


# ------------------------------------ exercise 3.2 over a padded batch (lengths)


def masked_cases(seed):
    """Hidden cases of lstm_forward with lengths: (label, args, dtype, H); the
    lengths unsorted, some shorter than T, one sequence of length 1."""
    rng = np.random.default_rng(seed)
    for T, B, D, H, dtype, lengths, with_h0 in (
        (5, 3, 4, 3, np.float64, (5, 2, 3), True),
        (6, 4, 3, 5, np.float32, (1, 6, 4, 2), True),
        (4, 3, 2, 3, np.float64, (2, 4, 3), False),
        (5, 2, 3, 4, np.float32, (3, 5), False),
    ):
        args = {
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": {
                k: (0.6 * rng.standard_normal(s)).astype(dtype)
                for k, s in param_shapes("lstm", D, H).items()
            },
        }
        if with_h0:
            args["h0"] = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
            args["c0"] = rng.standard_normal((B, H)).astype(dtype)
        label = f"{np.dtype(dtype).name}, T={T}, B={B}, D={D}, H={H}, "
        label += f"lengths={list(lengths)}" + ("" if with_h0 else ", h0 and c0 omitted")
        yield label, args, np.array(lengths), np.dtype(dtype), H


def masked_variant(
    x,
    lengths,
    p,
    h0,
    c0,
    ignore=False,
    hold="both",
    out_zero=True,
    reset=False,
    h_n_from_out=False,
    offset=0,
    left=False,
    zero_x=False,
):
    """The forward pass over a padded batch with the given mistakes -> out, h_n,
    c_n. Sequence b is real for t < lengths[b]: there the step runs; past it the
    state is held and out is 0 (PyTorch's packed sequences, padded again)."""
    T, L = len(x), np.asarray(lengths)
    t = np.arange(T)[:, None]
    real = (t >= T - L) if left else (t < L + offset)
    if ignore:
        real = np.ones_like(real)
    h, c, outs = h0, c0, []
    for s in range(T):
        m = real[s][:, None]
        h_new, c_new = lstm_step(x[s] * m if zero_x else x[s], h, c, p)
        if zero_x:
            h, c = h_new, c_new
        elif reset:
            h, c = np.where(m, h_new, 0), np.where(m, c_new, 0)
        else:
            h = np.where(m, h_new, h) if hold in ("both", "h") else h_new
            c = np.where(m, c_new, c) if hold in ("both", "c") else c_new
        outs.append(np.where(m, h, 0) if out_zero else h)
    out = np.stack(outs).astype(x.dtype)
    return out, (out[-1] if h_n_from_out else h), c


_HOLD = "Hold the state there: h = np.where(m, h_new, h), and the same for c."


def masked_mistakes():
    """[(kwargs for masked_variant, hint)]."""
    return [
        (
            {"ignore": True},
            "your function ignores lengths: sequence b has lengths[b] real steps and "
            "then padding. For t >= lengths[b], out[t, b] must be 0 and the state of "
            "b must stay what it was after its last real step. " + _HOLD,
        ),
        (
            {"hold": "none"},
            "out is 0 past each sequence's end, but the state runs on through the "
            "padding, so h_n and c_n are the states after step T - 1, not after each "
            "sequence's last real step. " + _HOLD,
        ),
        (
            {"hold": "h"},
            "you hold h at the padding but not c: c_n has run on through the "
            "padding. Hold both states.",
        ),
        (
            {"hold": "c"},
            "you hold c at the padding but not h: h_n has run on through the "
            "padding. Hold both states.",
        ),
        (
            {"out_zero": False},
            "h_n and c_n are right, but out[t, b] for t >= lengths[b] repeats the "
            "held state; out must be 0 at the padding (what PyTorch's "
            "pad_packed_sequence returns).",
        ),
        (
            {"reset": True},
            "at the padding you set the state to zero; hold it instead "
            "(h = m * h_new + (1 - m) * h): h_n and c_n are the states after each "
            "sequence's last real step.",
        ),
        (
            {"h_n_from_out": True},
            "h_n is out[-1], which is 0 for every sequence shorter than T; h_n is "
            "each sequence's state after its last real step, out[lengths[b] - 1, b].",
        ),
        (
            {"offset": 1},
            "off by one: step t is real for sequence b when t < lengths[b] (t counts "
            "from 0); your mask lets in one step of padding.",
        ),
        (
            {"offset": -1},
            "off by one: step t is real for sequence b when t < lengths[b] (t counts "
            "from 0); your mask drops each sequence's last real step.",
        ),
        (
            {"left": True},
            "your mask puts the padding first (the real steps at the end); here "
            "each sequence starts at t = 0 and the padding follows: step t is real "
            "when t < lengths[b].",
        ),
        (
            {"zero_x": True, "out_zero": False},
            "zeroing the padded inputs does not stop the LSTM: with x_t = 0 the "
            "biases and W_hh h still change the state. " + _HOLD + " And out is 0 "
            "at the padding.",
        ),
    ]
