"""The mistakes every cell shares, and the pieces the notebooks' variants are built
from: biases left out, weights transposed, blocks in another order.

A variant is the correct cell with one (or two) things changed; when a student's
result disagrees with the answer, a check runs the variants on the same case, and
one that reproduces the result names the mistake.
"""


def identity(a):
    """No activation at all: the mistake of a left-out tanh or sigmoid."""
    return a


def blocks(
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


_BIASES = (
    ({"use_b_ih": False}, "you left out b_ih (params['bias_ih_l0'])"),
    ({"use_b_hh": False}, "you left out b_hh (params['bias_hh_l0'])"),
    ({"use_b_ih": False, "use_b_hh": False}, "you left out both biases"),
)
BIAS_NOTE = (
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


def shared_mistakes():
    """Bias and transpose mistakes, common to the three cells."""
    out = [(kw, hint + "." + BIAS_NOTE) for kw, hint in _BIASES]
    out += [(kw, hint + "." + _TRANSPOSE_NOTE) for kw, hint in _TRANSPOSE]
    return out


def order_name(order, full):
    """'input, forget, ...': the gate names of order, e.g. 'ifog', in full."""
    return ", ".join(full[ch] for ch in order)


def param_grads(da, x, h_prev, bias="sum", transpose_w=False):
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


SWAPPED_OUTPUTS = (
    {"returns": "ch"},
    "you returned (c_next, h_next); return (h_next, c_next), in the order "
    "PyTorch uses for (h, c).",
)
