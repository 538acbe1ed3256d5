"""Check of notebooks/08_lstm_ablation.ipynb: exercise 8.1 (one step of the peephole
LSTM), with the mistakes it recognises. Exercise 8.2 is answered in words in the
notebook.
"""

import itertools

import numpy as np

from ..cells import sigmoid
from .calling import positional
from .cases import LARGE, large_step_cases, step_cases
from .common_mistakes import SWAPPED_OUTPUTS, blocks, order_name
from .harness import exercise, report
from .nb03_mistakes import lstm_mistakes
from .runners import cell_step_case


def _peephole_cases():
    """(label, {x, h, c, params with peep_i, peep_f, peep_o}) of the peephole step."""
    cases = itertools.chain(
        step_cases("lstm", seed=801), large_step_cases("lstm", seed=1801)
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        rng = np.random.default_rng(B * 7 + H)
        params = dict(args["params"])
        for key in ("peep_i", "peep_f", "peep_o"):
            params[key] = rng.uniform(-1, 1, H).astype(dtype)
        c = args["c"].copy()
        if LARGE in label:  # a cell state in the hundreds: tanh(c_next) saturates
            c[1] *= 150
        yield label, {"x": args["x"], "h": args["h"], "c": c, "params": params}


@exercise
def peephole_step(fn):
    """Exercise 8.1: peephole_step(x, h, c, params) -> (h_next, c_next) for the LSTM
    with peepholes: params is the LSTM dict plus peep_i, peep_f, peep_o (H,)."""
    name, labels = "peephole_step", []
    for label, call in _peephole_cases():
        cell_step_case(
            fn,
            name,
            label,
            args=positional(call, "x", "h", "c", "params"),
            n_blocks=4,
            variant=lambda c=call, **kw: peephole_variant(
                c["x"], c["h"], c["c"], c["params"], **kw
            ),
            catalogue=peephole_mistakes(),
            fallback="i = sigmoid(a_i + p_i * c), f = sigmoid(a_f + p_f * c), "
            "g = tanh(a_g), c_next = f * c + i * g, o = sigmoid(a_o + p_o * "
            "c_next), h_next = o * tanh(c_next), with a = x W_ih^T + b_ih + "
            "h W_hh^T + b_hh split i, f, g, o.",
        )
        labels.append(label)
    report(name, labels)


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
    b = blocks(p, order, **kw)
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
    """[(kwargs for peephole_variant, hint)], notebook 03's LSTM mistakes among them."""
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
        SWAPPED_OUTPUTS,
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
                    f"gate; you gave them to the {order_name(order, names)} gates.",
                )
            )
    shared = {"order", "use_b_ih", "use_b_hh", "transpose_ih", "transpose_hh"}
    shared |= {"gate", "cand", "cell_act", "forget_on", "out_from"}
    for kw, hint in lstm_mistakes():
        if set(kw) <= shared:
            out.append((kw, hint))
    return out
