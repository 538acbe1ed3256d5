"""Stacked and bidirectional RNN, LSTM and GRU, forward and backward, in PyTorch's
multi-layer layout; padded batches as packed sequences; dropout between layers.

    out^(0) = x;  layer k reads out^(k-1) (through a dropout mask, for k > 0):
    forward direction   h->_t = cell(in_t, h->_{t-1}),  t = 0, 1, ..., T - 1
    reverse direction   h<-_t = cell(in_t, h<-_{t+1}),  t = T - 1, ..., 0
    out^(k)_t = [h->_t ; h<-_t]                          (T, B, dirs * H)
    h_n[k * dirs + d] = layer k's direction d after its last step (layer-major,
    direction-minor, as PyTorch orders it): h->_{T-1} and h<-_0.

Each direction is the single-layer cell of this package (kinds.forward and
kinds.backward), run on the sequence in the order it reads it. With lengths (B,),
a padded batch is computed as PyTorch computes packed sequences: each sequence
runs over its own L_b steps only, the reverse direction over the sequence reversed
within its own length (it starts at step L_b - 1, not at the padding), h_n is the
state after each sequence's own last step, and out is 0 at the padding (what
pad_packed_sequence returns). As in PyTorch, the batch shrinks as sequences end:
the cell runs once per stretch of steps in which the same sequences are running.

The backward pass goes layer by layer from the top: the gradient of out^(k) is
split at the concatenation, each direction's cell sends back the gradient of its
input, and the two add up (one input feeds both directions); through the dropout
mask, that is the gradient of out^(k-1).
Derived in notebooks/09_deeper_and_bidirectional.ipynb.
"""

import numpy as np

from . import kinds, validate
from .multi_params import layer_params, multi_key, multi_layout, multi_param_keys
from .params import PARAM_KEYS, check_kind

_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def check_lengths(lengths, B, T):
    """Validate the lengths of a padded batch -> None, or an int64 array (B,)
    with 1 <= L_b <= T."""
    if lengths is None:
        return None
    a = np.asarray(lengths)
    if a.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must be integers, one per sequence, shape (B,) = ({B},); got "
            f"dtype {a.dtype} (shape {a.shape})"
        )
    if a.shape != (B,):
        raise ValueError(f"lengths must have shape (B,) = ({B},), got {a.shape}")
    if a.min() < 1 or a.max() > T:
        raise ValueError(f"lengths must lie in [1, T] = [1, {T}], got {a.tolist()}")
    return a.astype(np.int64)


def reverse_padded(seq, lengths):
    """Each sequence reversed within its own length; the padding stays in place.

    seq: (T, B, ...), lengths: (B,) ints in [1, T] -> (T, B, ...) with
    out[t, b] = seq[L_b - 1 - t, b] for t < L_b and seq[t, b] for t >= L_b. Its own
    inverse. Derived in notebooks/09_deeper_and_bidirectional.ipynb.
    """
    if not isinstance(seq, np.ndarray) or seq.ndim < 2:
        raise ValueError(
            f"seq must be a numpy array of shape (T, B, ...), got {np.shape(seq)}"
        )
    T, B = seq.shape[:2]
    lengths = check_lengths(lengths, B, T)
    t = np.arange(T)[:, None]
    index = np.where(t < lengths, lengths - 1 - t, t)  # (T, B)
    return seq[index, np.arange(B)]


def _real_steps(lengths, T):
    """(T, B) booleans: step t of sequence b is real (t < L_b), not padding."""
    return np.arange(T)[:, None] < lengths


def _stretches(lengths):
    """[(t0, t1, rows)]: the stretches of steps [t0, t1) in which the same
    sequences are running, rows the batch items still running (L_b >= t1)."""
    out, t0 = [], 0
    for t1 in np.unique(lengths):
        out.append((t0, int(t1), np.flatnonzero(lengths >= t1)))
        t0 = int(t1)
    return out


def _states(name, s, n, B, H, dtype):
    """Validate an optional (layers*dirs, B, H) state -> it in dtype (None: zeros)."""
    if s is None:
        return np.zeros((n, B, H), dtype=dtype)
    validate.array(name, s, "(layers*dirs, B, H)", 3)
    if s.shape != (n, B, H):
        raise ValueError(
            f"{name} must have shape (layers*dirs, B, H) = {(n, B, H)}, got {s.shape}"
        )
    return s.astype(dtype, copy=False)


def _dropout(dropout, training, rng):
    """Validate the dropout arguments -> (p, Generator), p = 0 when none applies."""
    if (
        isinstance(dropout, (bool, np.bool_))
        or not isinstance(dropout, (int, float, np.integer, np.floating))
        or not 0 <= dropout < 1
    ):
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if not isinstance(training, (bool, np.bool_)):
        raise ValueError(f"training must be True or False, got {training!r}")
    if not training or dropout == 0:
        return 0.0, None
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        rng = np.random.default_rng(rng)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"training with dropout={dropout} needs rng, a numpy Generator or an "
            f"integer seed to draw the masks from, got {type(rng).__name__}"
        )
    return float(dropout), rng


def _direction_forward(kind, x, p, h0, c0, reset_after, lengths, reverse):
    """One direction of one layer -> out (T, B, H), h_n, c_n (None but for the
    LSTM), and [(t0, t1, rows, cache)] for its backward pass."""
    lstm = kind == "lstm"
    if lengths is None:
        seq = x[::-1] if reverse else x
        o, last, cache = kinds.forward(kind, seq, p, h0, c0, reset_after)
        h_n, c_n = last if lstm else (last, None)
        return (o[::-1] if reverse else o), h_n, c_n, [(0, len(x), None, cache)]
    seq = reverse_padded(x, lengths) if reverse else x
    T, B, H = len(x), x.shape[1], h0.shape[1]
    out = np.zeros((T, B, H), dtype=x.dtype)
    h, c = h0.copy(), c0.copy() if lstm else None
    caches = []
    for t0, t1, rows in _stretches(lengths):  # the batch shrinks as sequences end
        o, last, cache = kinds.forward(
            kind, seq[t0:t1, rows], p, h[rows], c[rows] if lstm else None, reset_after
        )
        out[t0:t1, rows] = o
        if lstm:
            h[rows], c[rows] = last
        else:
            h[rows] = last
        caches.append((t0, t1, rows, cache))
    return (reverse_padded(out, lengths) if reverse else out), h, c, caches


def _direction_backward(kind, dout, dh_n, dc_n, caches, lengths, T, reverse):
    """The backward pass of _direction_forward -> dx, dparams (keys ..._l0), dh0,
    dc0 (None but for the LSTM)."""
    lstm = kind == "lstm"
    if lengths is None:
        ((_, _, _, cache),) = caches
        g = dout[::-1] if reverse and dout is not None else dout
        dx, dparams, dstate = kinds.backward(kind, g, cache, dh_n, dc_n)
        dh0, dc0 = dstate if lstm else (dstate, None)
        return (dx[::-1] if reverse else dx), dparams, dh0, dc0
    B, g = len(lengths), None
    if dout is not None:  # out is a constant 0 at the padding: no gradient there
        g = reverse_padded(dout, lengths) if reverse else dout
        g = g * _real_steps(lengths, T)[..., None]
    dh, dc = dh_n.copy(), dc_n.copy() if lstm else None
    dx, dparams = None, None
    for t0, t1, rows, cache in reversed(caches):
        dx_s, dp, dstate = kinds.backward(
            kind,
            None if g is None else g[t0:t1, rows],
            cache,
            dh[rows],
            dc[rows] if lstm else None,
        )
        if dx is None:
            dx = np.zeros((T, B, dx_s.shape[2]), dtype=dx_s.dtype)
        dx[t0:t1, rows] = dx_s
        if lstm:
            dh[rows], dc[rows] = dstate
        else:
            dh[rows] = dstate
        dparams = dp if dparams is None else {k: dparams[k] + dp[k] for k in dp}
    return (reverse_padded(dx, lengths) if reverse else dx), dparams, dh, dc


def multi_forward(
    kind,
    x,
    params,
    h0=None,
    c0=None,
    reset_after=True,
    lengths=None,
    dropout=0.0,
    training=False,
    rng=None,
):
    """Run a stacked, possibly bidirectional RNN, LSTM or GRU over a sequence.

    kind: 'rnn', 'lstm' or 'gru'; x: (T, B, D); params: PyTorch's multi-layer
    state_dict (layers and directions are read from its keys); h0, c0:
    (layers*dirs, B, H) or None for zeros (c0 the LSTM's only); reset_after: the
    GRU's placement; lengths: None, or (B,) ints in [1, T] for a padded batch
    (computed as packed sequences are); dropout: the probability of zeroing each
    input of layers 1, 2, ... (inverted dropout: the kept ones scaled by
    1 / (1 - dropout)), applied only with training=True, the masks drawn from rng
    (a Generator or a seed) and kept in the cache
    -> out (T, B, dirs*H) (0 at the padding), h_n (layers*dirs, B, H) (the LSTM:
    (h_n, c_n)), cache. Derived in notebooks/09_deeper_and_bidirectional.ipynb.
    """
    check_kind(kind)
    T, B, D = validate.sequence(x)
    num_layers, dirs, H = multi_layout(params, kind, D)
    reset_after = validate.reset_after(reset_after)
    n, lstm = num_layers * dirs, kind == "lstm"
    h0 = _states("h0", h0, n, B, H, x.dtype)
    if lstm:
        c0 = _states("c0", c0, n, B, H, x.dtype)
    elif c0 is not None:
        raise ValueError(f"c0 is the LSTM's initial cell state; a {kind} has none")
    lengths = check_lengths(lengths, B, T)
    p, gen = _dropout(dropout, training, rng)
    h_n = np.empty((n, B, H), dtype=x.dtype)
    c_n = np.empty((n, B, H), dtype=x.dtype) if lstm else None
    layers, masks, inp = [], [], x
    for k in range(num_layers):
        mask = None
        if k > 0 and p > 0:  # Zaremba et al. (2014): between layers, never in time
            keep = gen.random(inp.shape) >= p
            mask = (keep / (1 - p)).astype(x.dtype)
            inp = inp * mask
        masks.append(mask)
        outs, caches = [], []
        for d in range(dirs):
            i = k * dirs + d
            o, h_n[i], c, cache = _direction_forward(
                kind,
                inp,
                layer_params(params, k, d),
                h0[i],
                c0[i] if lstm else None,
                reset_after,
                lengths,
                reverse=d == 1,
            )
            if lstm:
                c_n[i] = c
            outs.append(o)
            caches.append(cache)
        layers.append(caches)
        inp = outs[0] if dirs == 1 else np.concatenate(outs, axis=2)
    cache = {"kind": "multi", "cell": kind, "num_layers": num_layers, "dirs": dirs}
    cache.update(H=H, shape=(T, B, D), dtype=x.dtype, lengths=lengths)
    cache.update(layers=layers, masks=masks)
    return inp, ((h_n, c_n) if lstm else h_n), cache


def multi_backward(dout, cache, dh_n=None, dc_n=None):
    """Backpropagation through a stacked, possibly bidirectional network.

    dout: (T, B, dirs*H) or None, cache: from multi_forward, dh_n (and the LSTM's
    dc_n): (layers*dirs, B, H) or None -> dx (T, B, D), dparams (the keys of
    params, in PyTorch's order), dh0 (layers*dirs, B, H) [LSTM: dh0, dc0].
    With lengths, dout at the padding is ignored (out is 0 there whatever the
    parameters). Derived in notebooks/09_deeper_and_bidirectional.ipynb.
    """
    c = validate.cache(cache, "multi")
    kind, L, dirs, H = c["cell"], c["num_layers"], c["dirs"], c["H"]
    (T, B, _), dtype, lengths = c["shape"], c["dtype"], c["lengths"]
    n, lstm = L * dirs, kind == "lstm"
    grad = validate.grad("dout", dout, (T, B, dirs * H), dtype, allow_none=True)
    dh_n = validate.grad("dh_n", dh_n, (n, B, H), dtype)
    if lstm:
        dc_n = validate.grad("dc_n", dc_n, (n, B, H), dtype)
    elif dc_n is not None:
        raise ValueError(f"dc_n is the LSTM's cell-state gradient; a {kind} has none")
    dh0 = np.empty((n, B, H), dtype=dtype)
    dc0 = np.empty((n, B, H), dtype=dtype) if lstm else None
    dparams = {}
    for k in reversed(range(L)):  # from the top layer down
        d_in = None
        for d in range(dirs):
            i = k * dirs + d
            dx, dp, dh0[i], dc = _direction_backward(
                kind,
                None if grad is None else grad[..., d * H : (d + 1) * H],
                dh_n[i],
                dc_n[i] if lstm else None,
                c["layers"][k][d],
                lengths,
                T,
                reverse=d == 1,
            )
            if lstm:
                dc0[i] = dc
            d_in = dx if d_in is None else d_in + dx  # one input feeds both
            for m, s in zip(_NAMES, PARAM_KEYS, strict=True):
                dparams[multi_key(m, k, d)] = dp[s]
        mask = c["masks"][k]
        grad = d_in if mask is None else d_in * mask
    dparams = {key: dparams[key] for key in multi_param_keys(L, dirs)}
    return (grad, dparams, dh0, dc0) if lstm else (grad, dparams, dh0)
