"""The hidden cases and the mistakes of notebooks/09_deeper_and_bidirectional.ipynb's
exercises, for nb09_deeper_and_bidirectional.py: 9.1, a bidirectional GRU layer
over a padded batch, and 9.2, the backward pass of two bidirectional GRU layers.
Each variant is the answer written with single-layer GRU calls, with the named
mistakes; called with none, it is the answer.
"""

import numpy as np

from .. import cells
from ..data import load_fixture
from .cases import case_label

_KEYS = cells.PARAM_KEYS


def _random_multi(D, H, layers, dtype, rng):
    """A bidirectional GRU's parameters, entries 0.6 N(0, 1) (every gate matters)."""
    shapes = cells.multi_param_shapes("gru", D, H, layers, 2)
    return {k: (0.6 * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


def _direction(p, layer, d):
    """A layer's one direction as a single-layer dict (keys ..._l0)."""
    suffix = "_reverse" if d else ""
    return {k: p[k.replace("_l0", f"_l{layer}") + suffix] for k in _KEYS}


# --------------------------------------------- exercise 9.1: one bidirectional layer


def bigru_cases(seed):
    """Hidden cases of bigru_forward: (label, args); the full batches first, then
    padded ones with unsorted lengths, one of them 1, one T."""
    rng = np.random.default_rng(seed)
    for T, B, D, H, dtype, with_h0, lengths in (
        (5, 3, 4, 3, np.float64, True, None),
        (4, 2, 3, 5, np.float32, False, None),
        (6, 4, 3, 4, np.float64, True, (3, 6, 1, 4)),
        (5, 3, 2, 3, np.float32, False, (5, 2, 4)),
        (4, 3, 3, 2, np.float64, True, (2, 4, 3)),
    ):
        args = {
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": _random_multi(D, H, 1, dtype, rng),
        }
        if with_h0:
            args["h0"] = rng.uniform(-0.9, 0.9, (2, B, H)).astype(dtype)
        label = case_label(dtype, T=T, B=B, D=D, H=H)
        label += "" if with_h0 else ", h0 omitted"
        if lengths is not None:
            args["lengths"] = np.array(lengths)
            label += f", lengths={list(lengths)}"
        yield label, args


def _run(x, p, h0, L, hold):
    """A GRU over each sequence's first L_b steps (hold) or over all T -> out
    (T, B, H) (0 past L_b when hold), the final state (B, H)."""
    if not hold:
        out, h_n, _ = cells.gru_forward(x, p, h0)
        return out, h_n
    out, h_n = np.zeros((len(x), x.shape[1], h0.shape[1]), x.dtype), h0.copy()
    for b, n in enumerate(L):
        o, h, _ = cells.gru_forward(x[:n, b : b + 1], p, h0[b : b + 1])
        out[:n, b], h_n[b] = o[:, 0], h[0]
    return out, h_n


def _within(seq, L):
    """Each sequence reversed within its own length, the padding in place."""
    out = seq.copy()
    for b, n in enumerate(L):
        out[:n, b] = seq[:n, b][::-1]
    return out


def bigru_variant(
    x,
    p,
    h0,
    lengths,
    reverse="own_end",
    back=True,
    swap_params=False,
    order="fr",
    h_n_order="fr",
    h_n_from="final",
    h0_use="right",
    fwd_hold=True,
    zero_pad=True,
    zero_x=False,
):
    """A bidirectional GRU layer with the given mistakes -> out (T, B, 2H), h_n
    (2, B, H). reverse: 'own_end' (right: each sequence reversed within its length),
    'padding' (x[::-1], the padding first), 'none' (reads forwards); h_n_from:
    'final' (right) or 'out_last' (h_n = out[-1] split); h0_use: 'right', 'swap',
    'zeros', 'same'; fwd_hold: the forward state held past L_b (right) or run on;
    zero_x: the padded inputs zeroed and both directions run over all T steps."""
    T, B, _ = x.shape
    H = p["weight_hh_l0"].shape[1]
    full = lengths is None
    L = np.full(B, T) if full else np.asarray(lengths)
    real = (np.arange(T)[:, None] < L)[..., None]
    if zero_x:
        x = x * real
    fwd, rev = _direction(p, 0, 0), _direction(p, 0, 1)
    if swap_params:
        fwd, rev = rev, fwd
    h0 = np.zeros((2, B, H), x.dtype) if h0 is None else h0
    h0f, h0r = {
        "right": (h0[0], h0[1]),
        "swap": (h0[1], h0[0]),
        "zeros": (0 * h0[0], 0 * h0[1]),
        "same": (h0[0], h0[0]),
    }[h0_use]
    hold = fwd_hold and not zero_x and not full
    out_f, h_f = _run(x, fwd, h0f, L, hold)
    if reverse == "none":
        out_r, h_r = _run(x, rev, h0r, L, hold)
    elif reverse == "padding" or zero_x or full:
        out_r, h_r = _run(x[::-1], rev, h0r, L, hold=False)
        out_r = out_r[::-1] if back else out_r
    else:
        out_r, h_r = _run(_within(x, L), rev, h0r, L, hold=True)
        out_r = _within(out_r, L) if back else out_r
    halves = (out_f, out_r) if order == "fr" else (out_r, out_f)
    out = np.concatenate(halves, axis=2)
    if zero_pad:
        out = out * real
    if h_n_from == "out_last":
        h_f, h_r = out[-1, :, :H], out[-1, :, H:]
    h_n = np.stack((h_f, h_r) if h_n_order == "fr" else (h_r, h_f))
    return out.astype(x.dtype), h_n.astype(x.dtype)


_OWN_END = (
    " PyTorch's packed sequences reverse each sequence within its own length: "
    "the reverse direction reads x[L_b - 1], ..., x[0] for sequence b."
)


NOT_ZERO_AT_PADDING = (
    "out is right at the real steps and h_n is right, but out must be 0 at the "
    "padding (t >= lengths[b]), as PyTorch's pad_packed_sequence returns it; yours "
    "holds states there."
)


def bigru_mistakes(with_h0, with_lengths):
    """[(kwargs for bigru_variant, hint)] that can show on a case."""
    out = [
        (
            {"reverse": "none"},
            "your reverse direction reads the sequence forwards: it must run over "
            "x reversed in time (x[::-1] for a full batch), so that at step t it "
            "has read x_t ... x_{T-1}.",
        ),
        (
            {"back": False},
            "the reverse direction's outputs are not put back in time order: run "
            "over the reversed sequence gives its states in reversed order; reverse "
            "them again, so that out[t, :, H:] belongs to x_t.",
        ),
        (
            {"swap_params": True},
            "the two directions' parameters are swapped: the keys without a suffix "
            "(weight_ih_l0, ...) are the forward direction's, those ending in "
            "_reverse the reverse direction's.",
        ),
        (
            {"order": "rf"},
            "out holds [reverse ; forward]; PyTorch concatenates [forward ; "
            "reverse]: out[..., :H] forward, out[..., H:] reverse.",
        ),
        (
            {"h_n_order": "rf"},
            "h_n[0] must be the forward direction's final state and h_n[1] the "
            "reverse direction's (PyTorch orders h_n direction-minor).",
        ),
        (
            {"h_n_from": "out_last"},
            "h_n is out[-1]: right for the forward direction, but the reverse "
            "direction's final state is the one after it has read x_0, out[0, :, H:], "
            "not out[-1, :, H:], its state after one step.",
        ),
    ]
    if with_h0:
        out += [
            (
                {"h0_use": "swap"},
                "h0[0] is the forward direction's initial state and h0[1] the "
                "reverse direction's; yours are swapped.",
            ),
            (
                {"h0_use": "zeros"},
                "your function ignores h0 and starts both directions from zeros.",
            ),
            (
                {"h0_use": "same"},
                "both directions start from h0[0]; the reverse direction starts "
                "from h0[1].",
            ),
        ]
    if with_lengths:
        out += [
            (
                {"reverse": "padding", "fwd_hold": False, "zero_pad": False},
                "your function ignores lengths: sequence b has lengths[b] real steps "
                "and then padding, which neither direction may read, and out is 0 "
                "there." + _OWN_END,
            ),
            (
                {"reverse": "padding"},
                "your reverse direction starts at the padding: reversing the whole "
                "padded batch (x[::-1]) makes it read T - L_b padded steps before "
                "the sequence's last real step." + _OWN_END,
            ),
            (
                {"fwd_hold": False},
                "the forward direction's h_n has run on through the padding; it is "
                "each sequence's state after its own last step, t = lengths[b] - 1.",
            ),
            (
                {"zero_x": True},
                "zeroing the padded inputs does not stop a GRU: with x_t = 0 the "
                "biases and W_hh h still move the state, and the reverse direction "
                "still reads the zeros before the sequence's last real step. Run "
                "each direction over the real steps only." + _OWN_END,
            ),
        ]
    return out


# ------------------------------ exercise 9.2: two bidirectional layers, backward


def deep_backward_cases(seed):
    """Hidden cases of deep_bigru_backward: (label, call dict); the PyTorch fixture
    of nn.GRU(num_layers=2, bidirectional=True) second."""
    rng = np.random.default_rng(seed)
    for n, (T, B, D, H, dtype, given) in enumerate(
        (
            (4, 3, 3, 2, np.float64, ("h0", "dh_n")),
            (3, 2, 4, 3, np.float32, ("h0",)),
            (5, 2, 2, 3, np.float64, ("dh_n",)),
        )
    ):
        call = {
            "dout": rng.standard_normal((T, B, 2 * H)).astype(dtype),
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": _random_multi(D, H, 2, dtype, rng),
        }
        call["h0"] = None  # passed as None (positional, dh_n may follow)
        if "h0" in given:
            call["h0"] = rng.uniform(-0.9, 0.9, (4, B, H)).astype(dtype)
        if "dh_n" in given:
            call["dh_n"] = rng.standard_normal((4, B, H)).astype(dtype)
        extra = "" if "h0" in given else ", h0 None"
        extra += "" if "dh_n" in given else ", dh_n omitted"
        yield case_label(dtype, T=T, B=B, D=D, H=H) + extra, call
        if n == 0:
            fx = load_fixture("gru_multi")
            T, B, D = fx["x"].shape
            keys = ("dout", "x", "params", "h0", "dh_n")
            label = f"the PyTorch fixture (float64, T={T}, B={B}, D={D}, "
            yield label + f"H={fx['h0'].shape[2]})", {k: fx[k] for k in keys}


def deep_backward_variant(
    dout,
    x,
    p,
    h0,
    dh_n,
    rev_dout=True,
    rev_dx=True,
    both_dx=True,
    lower="dx",
    order="layer",
    use_dh_n="all",
    split="fr",
    swap_dirs=False,
    start="given",
    rev_dh_n="final",
):
    """The backward pass of two bidirectional GRU layers with the given mistakes
    -> dx, dparams, dh0. lower: the gradient layer 0 gets, 'dx' (right: layer 1's
    input gradient), 'top' (dout) or 'both'; order: how h0, dh_n, dh0 are indexed,
    'layer' (right: 2 k + d) or 'direction' (2 d + k); use_dh_n: 'all', 'top',
    'none'; rev_dh_n: 'final' (right) or 'out_last' (the reverse direction's dh_n
    added to its dout at t = T - 1)."""
    T, B, _ = x.shape
    H = p["weight_hh_l0"].shape[1]
    zeros = np.zeros((4, B, H), x.dtype)
    h0 = zeros if h0 is None or start == "zeros" else h0
    dh_n = zeros if dh_n is None else dh_n

    def at(k, d):
        return 2 * k + d if order == "layer" else 2 * d + k

    caches, inp = [], x
    for k in range(2):
        outs, layer = [], []
        for d in range(2):
            o, _, cache = cells.gru_forward(
                inp[::-1] if d else inp, _direction(p, k, d), h0[at(k, d)]
            )
            outs.append(o[::-1] if d else o)
            layer.append(cache)
        caches.append(layer)
        inp = np.concatenate(outs, axis=2)
    grad, dparams, dh0 = dout, {}, np.zeros((4, B, H), x.dtype)
    for k in (1, 0):
        d_in = 0
        for d in range(2):
            half = d if split == "fr" else 1 - d
            g = grad[..., half * H : (half + 1) * H].copy()
            used = use_dh_n == "all" or (use_dh_n == "top" and k == 1)
            dn = dh_n[at(k, d)] if used else zeros[0]
            if d == 1 and rev_dh_n == "out_last":
                g[-1] += dn
                dn = zeros[0]
            if d == 1 and rev_dout:
                g = g[::-1]
            dxd, dp, dh0[at(k, d)] = cells.gru_backward(g, caches[k][d], dn)
            if d == 1 and rev_dx:
                dxd = dxd[::-1]
            if d == 0 or both_dx:
                d_in = d_in + dxd
            suffix = "_reverse" if d != swap_dirs else ""
            for key in _KEYS:
                dparams[key.replace("_l0", f"_l{k}") + suffix] = dp[key]
        if k == 1:
            grad = {"dx": d_in, "top": dout, "both": dout + d_in}[lower]
    return d_in, dparams, dh0


def deep_backward_mistakes(with_h0):
    """[(kwargs for deep_backward_variant, hint)]."""
    out = [
        (
            {"rev_dout": False},
            "the reverse direction's dout is not reversed in time: its cache is of "
            "the run over the reversed sequence, so its dout must be reversed the "
            "same way (dout[::-1, :, H:]) before its backward pass.",
        ),
        (
            {"rev_dx": False},
            "the reverse direction's input gradient is not put back in time order: "
            "its backward pass returns dx for the reversed sequence; reverse it "
            "again before adding it to the forward direction's.",
        ),
        (
            {"both_dx": False},
            "the input gradient of a layer has only the forward direction's part: "
            "the input feeds both directions, so its gradient is the sum of the "
            "two directions' dx.",
        ),
        (
            {"lower": "top"},
            "layer 0 got dout, the gradient of the top layer's outputs; the loss "
            "reads layer 0's outputs only through layer 1, so layer 0's dout is "
            "layer 1's input gradient (the sum of its two directions' dx).",
        ),
        (
            {"lower": "both"},
            "layer 0 got dout plus layer 1's input gradient; the loss reads only "
            "the top layer's outputs, so layer 0's dout is layer 1's input "
            "gradient alone.",
        ),
        (
            {"order": "direction"},
            "h0, dh_n and dh0 are indexed direction-major (2 d + k); PyTorch "
            "orders them layer-major, direction-minor: index 2 k + d is layer k's "
            "direction d (0, 1: layer 0 forward, reverse; 2, 3: layer 1).",
        ),
        (
            {"use_dh_n": "none"},
            "your function ignores dh_n: the loss also reads h_n, so each "
            "direction's backward pass starts from its dh_n[2 k + d].",
        ),
        (
            {"use_dh_n": "top"},
            "only the top layer's directions get their dh_n; layer 0's final "
            "states are in h_n too (h_n[0], h_n[1]), so their backward passes "
            "start from dh_n[0] and dh_n[1].",
        ),
        (
            {"split": "rf"},
            "dout's halves are swapped: dout[..., :H] is the gradient of the "
            "forward direction's states, dout[..., H:] of the reverse direction's.",
        ),
        (
            {"swap_dirs": True},
            "the two directions' gradients are filed under each other's keys: the "
            "forward direction's are weight_ih_l{k}, ..., the reverse direction's "
            "end in _reverse.",
        ),
        (
            {"rev_dh_n": "out_last"},
            "the reverse direction's dh_n is added at its step t = T - 1, as if "
            "h_n were out[-1]; its final state is the one after reading x_0, the "
            "last of its run over the reversed sequence: pass dh_n to its backward "
            "pass as the gradient of that run's final state.",
        ),
    ]
    if with_h0:
        out.append(
            (
                {"start": "zeros"},
                "your forward pass starts from zeros; run it from the given h0, "
                "whose states the backward pass goes through.",
            )
        )
    return out
