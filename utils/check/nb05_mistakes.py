"""The mistakes of notebooks/05_gru.ipynb's GRU step (exercise 5.1) and GRU step
backward (5.2), in both reset placements, and of the conversion between the two
interpolation conventions (5.4), for nb05_gru.py.
"""

import itertools

import numpy as np

from ..cells import sigmoid
from .common_mistakes import blocks, order_name, shared_mistakes


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
    b = blocks(p, order, **kw)
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
                    f"{order_name(order, names)}. PyTorch stacks them as reset, "
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
        *shared_mistakes(),
    ]
    return out


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
    """[(kwargs for gru_step_backward_variant, hint)] for the placement asked for."""
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


_FLIP_RIGHT = (
    " Since 1 - sigmoid(a) = sigmoid(-a), z' = 1 - z when the update gate's whole "
    "pre-activation a_z = W_iz x + b_iz + W_hz h + b_hz changes sign, and nothing "
    "else does."
)


def flip_variant(
    p,
    rows="z",
    keys=("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
    how="negate",
    block="H",
    axis=0,
):
    """A GRU's parameters converted to the other interpolation convention
    (h' = z n + (1 - z) h <-> h' = (1 - z) n + z h), with the given mistakes -> a
    new dict.

    rows: the row blocks changed, a string of 'r', 'z', 'n' ('z' is right, '' none);
    keys: the arrays changed; how: 'negate' (right) or 'one_minus' (v -> 1 - v);
    block: the block height used, 'H' (right) or 'D' (the input size); axis 1
    slices the weights' columns instead of their rows.
    """
    H = p["weight_hh_l0"].shape[1]
    size = p["weight_ih_l0"].shape[1] if block == "D" else H
    out = {k: v.copy() for k, v in p.items()}
    for key in keys:
        v = out[key]
        for name in rows:
            j = "rzn".index(name)
            part = slice(j * size, (j + 1) * size)
            at = (slice(None), part) if axis == 1 and v.ndim == 2 else part
            v[at] = -v[at] if how == "negate" else 1 - v[at]
    return out


def flip_mistakes():
    """[(kwargs for flip_variant, hint)] of exercise 5.4."""
    W_ih, W_hh, b_ih, b_hh = (
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
    )
    left_out = [
        (
            {"keys": tuple(k for k in (W_ih, W_hh, b_ih, b_hh) if k != key)},
            f"you left params['{key}'] unchanged: its update rows [H:2H] ({term}) "
            "are part of a_z as well." + _FLIP_RIGHT,
        )
        for key, term in (
            (W_ih, "W_iz"),
            (W_hh, "W_hz"),
            (b_ih, "b_iz"),
            (b_hh, "b_hz; PyTorch adds both bias vectors"),
        )
    ]
    return left_out + [
        (
            {"rows": ""},
            "your parameters are the originals: the other convention with the same "
            "parameters is another function (z keeps the state in one, takes the "
            "candidate in the other)." + _FLIP_RIGHT,
        ),
        (
            {"rows": "r"},
            "you changed the reset block, rows [0:H]; the gate whose role flips is "
            "the update gate z, rows [H:2H]." + _FLIP_RIGHT,
        ),
        (
            {"rows": "n"},
            "you changed the candidate's block, rows [2H:3H]; the gate whose role "
            "flips is the update gate z, rows [H:2H]." + _FLIP_RIGHT,
        ),
        (
            {"rows": "zn"},
            "you negated the candidate's rows [2H:3H] as well as the update block; "
            "n enters both conventions the same way, only z becomes 1 - z."
            + _FLIP_RIGHT,
        ),
        (
            {"rows": "rzn"},
            "you negated every parameter; that changes r and n too, where only the "
            "update gate's pre-activation should change sign." + _FLIP_RIGHT,
        ),
        (
            {"keys": (W_ih, W_hh)},
            "you negated the update block's weights but not its biases: a_z "
            "changes sign only if b_iz and b_hz do too." + _FLIP_RIGHT,
        ),
        (
            {"keys": (b_ih, b_hh)},
            "you changed only the update block's biases; its weights W_iz and "
            "W_hz must change sign too." + _FLIP_RIGHT,
        ),
        (
            {"keys": (W_ih, b_ih)},
            "you changed only the input side (weight_ih_l0, bias_ih_l0); the "
            "hidden side W_hz h + b_hz is part of a_z too." + _FLIP_RIGHT,
        ),
        (
            {"keys": (W_hh, b_hh)},
            "you changed only the hidden side (weight_hh_l0, bias_hh_l0); the "
            "input side W_iz x + b_iz is part of a_z too." + _FLIP_RIGHT,
        ),
        (
            {"how": "one_minus"},
            "you replaced the update block's parameters v by 1 - v; what must "
            "become 1 - z is the gate, not its parameters, and "
            "1 - sigmoid(a) = sigmoid(-a): negate them." + _FLIP_RIGHT,
        ),
        (
            {"block": "D"},
            "your blocks are D = weight_ih_l0.shape[1] rows high; each block has H "
            "rows, H = weight_hh_l0.shape[1] (the hidden cases have D != H)."
            + _FLIP_RIGHT,
        ),
        (
            {"axis": 1},
            "you changed columns [H:2H] of the weights; the blocks are stacked in "
            "rows (weight_ih_l0 is (3H, D), weight_hh_l0 (3H, H)): W[H:2H]."
            + _FLIP_RIGHT,
        ),
    ]
