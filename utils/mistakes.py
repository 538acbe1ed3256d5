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


def rnn_variant(x, h, p, act=np.tanh, swap_weights=False, **kw):
    """h' = act(x M_i + b_i + h M_h + b_h) with the given mistakes."""
    M_i, M_h, b_i, b_h = _blocks(p, "h", **kw)["h"]
    if swap_weights:  # W_hh on x and W_ih on h
        M_i, M_h = M_h, M_i
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
    **kw,
):
    """An LSTM step with the given mistakes -> (h_next, c_next)."""
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
    **kw,
):
    """A GRU step with the given mistakes -> h_next.

    reset: where r acts, 'after' (r * (W_hn h + b_hn)), 'before' (W_hn (r * h)),
    'input' (on the input term) or 'none'; None means the placement asked for.
    interp: 'z_keeps_h' ((1 - z) n + z h, correct) or 'z_takes_n' (z n + (1 - z) h).
    """
    b = _blocks(p, order, **kw)
    reset = reset or ("after" if reset_after else "before")

    def pre(name, hh=h):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + hh @ M_h + b_h

    r, z = gate(pre("r")), gate(pre("z"))
    M_i, M_h, b_i, b_h = b["n"]
    if reset == "after":
        n = cand(x @ M_i + b_i + r * (h @ M_h + b_h))
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
