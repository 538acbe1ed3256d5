"""The mistakes of notebooks/06_lstm_vs_gru.ipynb's exercise 6.3, the GRU's
Jacobian dh_t/dh_{t-1} (PyTorch's reset placement), for nb06_lstm_vs_gru.py.
"""

import itertools

import numpy as np

from ..cells import sigmoid
from .common_mistakes import blocks, order_name, shared_mistakes


def gru_jacobian_variant(
    x,
    h,
    p,
    order="rzn",
    interp="z_keeps_h",
    direct=True,
    n_weight=True,
    n_slope="tanh",
    r_in_n=True,
    reset=True,
    r_slope=True,
    b_hn=True,
    placement="after",
    update=True,
    z_sign=1,
    z_slope=True,
    weights="W",
    layout="rows",
    **kw,
):
    """dh_t/dh_{t-1} of a GRU step (B, H, H) with the given mistakes.

    interp 'z_takes_n' differentiates h_t = z n + (1 - z) h; direct: True (diag(z)),
    False (left out) or 'identity'; n_weight False drops (1 - z) from the candidate's
    path; n_slope 'tanh' (right), 'sigmoid' or 'none'; r_in_n False drops diag(r)
    before W_hn; reset False drops the reset gate's term, r_slope its r (1 - r),
    b_hn its b_hn; placement 'before' differentiates Cho's placement; update False
    drops the update gate's term, z_sign -1 flips it, z_slope drops z (1 - z);
    weights 'WT' multiplies by the transposed blocks; layout 'columns' returns J^T.
    The forward quantities come from `blocks` (kw: its mistakes, the order's too).
    """
    b = blocks(p, order, **kw)

    def pre(name):
        M_i, M_h, b_i, b_h = b[name]
        return x @ M_i + b_i + h @ M_h + b_h

    r, z = sigmoid(pre("r")), sigmoid(pre("z"))
    M_i, M_h, b_i, b_h = b["n"]
    hn = h @ M_h + b_h  # W_hn h + b_hn
    n = np.tanh(x @ M_i + b_i + r * hn)
    W = {k: (b[k][1] if weights == "WT" else b[k][1].T) for k in "rzn"}  # (H, H)
    keep = z if interp == "z_keeps_h" else 1 - z  # the weight of h_{t-1} in h_t
    sr = r * (1 - r) if r_slope else r
    if placement == "after":
        A = (r[:, :, None] if r_in_n else 1) * W["n"]
        if reset:
            A = A + ((hn if b_hn else h @ M_h) * sr)[:, :, None] * W["r"]
    else:  # Cho's: d/dh of W_hn (r h)
        A = W["n"] * r[:, None, :]
        if reset:
            A = A + (W["n"] * (h * sr)[:, None, :]) @ W["r"]
    slope = {"tanh": 1 - n * n, "sigmoid": n * (1 - n), "none": np.ones_like(n)}
    J = ((1 - keep if n_weight else 1) * slope[n_slope])[:, :, None] * A
    if update:
        dz = (h - n) if interp == "z_keeps_h" else (n - h)
        dz = z_sign * dz * (z * (1 - z) if z_slope else 1)
        J = J + dz[:, :, None] * W["z"]
    H = h.shape[1]
    if direct is True:
        J = J + keep[:, :, None] * np.eye(H)
    elif direct == "identity":
        J = J + np.eye(H)
    return np.swapaxes(J, 1, 2) if layout == "columns" else J


_J = (
    " The Jacobian: J = diag(z) + diag((1 - z)(1 - n^2)) [diag(r) W_hn + "
    "diag((W_hn h + b_hn) r (1 - r)) W_hr] + diag((h - n) z (1 - z)) W_hz."
)


def gru_jacobian_mistakes():
    """[(kwargs for gru_jacobian_variant, hint)] of exercise 6.3."""
    names = {"r": "reset", "z": "update", "n": "new"}
    out = [
        (
            {"order": "".join(perm)},
            f"gate order: your code reads the three row blocks as "
            f"{order_name(''.join(perm), names)}. PyTorch stacks them as reset, "
            "update, new: rows [0:H] r, [H:2H] z, [2H:3H] n, in W_ih, W_hh and both "
            "biases.",
        )
        for perm in itertools.permutations("rzn")
        if "".join(perm) != "rzn"
    ]
    return out + [
        (
            {"direct": False},
            "J lacks the direct path: h_t = (1 - z) n + z h_{t-1} depends on "
            "h_{t-1} itself, which puts z on the diagonal: + diag(z)." + _J,
        ),
        (
            {"direct": "identity"},
            "the direct path is diag(z), not the identity: h_{t-1} enters h_t "
            "multiplied by z." + _J,
        ),
        (
            {"interp": "z_takes_n"},
            "you differentiated the reversed interpolation h_t = z n + (1 - z) h; "
            "PyTorch's step is h_t = (1 - z) n + z h_{t-1}, so the direct path is "
            "diag(z), the candidate's path carries (1 - z) and the update gate's "
            "(h_{t-1} - n)." + _J,
        ),
        (
            {"n_weight": False},
            "the candidate's path lacks the factor (1 - z): n enters h_t as "
            "(1 - z) n." + _J,
        ),
        (
            {"n_slope": "none"},
            "the candidate's path lacks tanh's slope (1 - n^2): n = tanh(a_n), so "
            "dn = (1 - n^2) da_n." + _J,
        ),
        (
            {"n_slope": "sigmoid"},
            "the candidate n is a tanh: its slope is 1 - n^2, not n (1 - n)." + _J,
        ),
        (
            {"r_in_n": False},
            "the candidate's own term lacks diag(r): holding r, the derivative of "
            "r * (W_hn h + b_hn) is diag(r) W_hn." + _J,
        ),
        (
            {"reset": False},
            "J lacks the path through the reset gate: r depends on h_{t-1} "
            "(through W_hr) and multiplies W_hn h + b_hn, which adds "
            "diag((W_hn h + b_hn) r (1 - r)) W_hr inside the bracket." + _J,
        ),
        (
            {"r_slope": False},
            "the reset gate's term lacks the sigmoid's slope r (1 - r): "
            "dr = diag(r (1 - r)) W_hr dh." + _J,
        ),
        (
            {"b_hn": False},
            "the reset gate's term multiplies W_hn h + b_hn; you left out b_hn "
            "(params['bias_hh_l0'][2H:]), which r scales too." + _J,
        ),
        (
            {"placement": "before"},
            "you differentiated Cho et al.'s placement, n = tanh(W_in x + b_in + "
            "W_hn (r * h) + b_hn); the exercise's (PyTorch's) is n = tanh(W_in x + "
            "b_in + r * (W_hn h + b_hn)), whose bracket is diag(r) W_hn + "
            "diag((W_hn h + b_hn) r (1 - r)) W_hr.",
        ),
        (
            {"update": False},
            "J lacks the path through the update gate: z depends on h_{t-1} "
            "(through W_hz), which adds diag((h_{t-1} - n) z (1 - z)) W_hz." + _J,
        ),
        (
            {"z_sign": -1},
            "the update gate's term has the wrong sign: d h_t / d z = h_{t-1} - n "
            "(from (1 - z) n + z h_{t-1})." + _J,
        ),
        (
            {"z_slope": False},
            "the update gate's term lacks the sigmoid's slope z (1 - z): "
            "dz = diag(z (1 - z)) W_hz dh." + _J,
        ),
        (
            {"weights": "WT"},
            "your weight blocks are transposed in J: with weights stored (out, in), "
            "d (W h)_i / d h_j = W[i, j], so a term is diag(v) @ W, in a batch "
            "v[:, :, None] * W, not W.T.",
        ),
        (
            {"layout": "columns"},
            "your J is transposed: J[b, i, j] = d h_t[b, i] / d h_{t-1}[b, j], a "
            "row per unit of h_t and a column per unit of h_{t-1} (use "
            "v[:, :, None] * W for diag(v) W, not v[:, None, :]).",
        ),
        *shared_mistakes(),
    ]
