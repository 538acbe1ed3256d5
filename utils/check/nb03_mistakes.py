"""The mistakes of notebooks/03_lstm.ipynb's LSTM step (exercises 3.1 and 3.2), for
nb03_lstm.py; notebook 08's peephole step shares most of them.
"""

import itertools

import numpy as np

from ..cells import sigmoid
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
