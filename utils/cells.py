"""Reference RNN, LSTM and GRU cells: single steps, forward and backward passes.

Conventions (shared with PyTorch):

- sequences are time-major: ``x`` has shape ``(T, B, D)``; hidden states ``(B, H)``;
- parameters are a dict with the keys of a single-layer PyTorch ``state_dict``:
  ``weight_ih_l0 (kH, D)``, ``weight_hh_l0 (kH, H)``, ``bias_ih_l0 (kH,)``,
  ``bias_hh_l0 (kH,)`` with k = 1 (RNN), 4 (LSTM: input, forget, cell candidate,
  output) or 3 (GRU: reset, update, new);
- weights are stored (out, in), so a batch of row vectors is multiplied by ``W.T``;
- every result has the dtype of ``x`` (float32 or float64); parameters of another
  float dtype are converted to it.

Forward functions return a ``cache`` dict that the matching backward function
consumes; backward functions return gradients with the same keys and shapes.
"""

import numpy as np

PARAM_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
N_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
GATE_ORDER = {
    "rnn": ("hidden",),
    "lstm": ("input", "forget", "cell candidate", "output"),
    "gru": ("reset", "update", "new"),
}
_FLOATS = (np.float32, np.float64)
CHUNK_ELEMENTS = 1 << 16  # about 256 KB of float32: a chunk of steps fits in L2


def sigmoid(a):
    """Logistic function 1 / (1 + exp(-a)) without overflow, elementwise.

    a: any shape, float32 or float64 -> same shape and dtype. exp is only ever
    taken of -|a| <= 0, so it lies in (0, 1] and cannot overflow.
    Derived in notebooks/00_start_here.ipynb.
    """
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


# ----------------------------------------------------------------------------------
# Argument validation: every public function checks its arguments first and raises
# ValueError naming the argument and its shape.
# ----------------------------------------------------------------------------------


def _array(name, a, shape_doc, ndim):
    if not isinstance(a, np.ndarray):
        raise ValueError(
            f"{name} must be a numpy array of shape {shape_doc}, got {type(a).__name__}"
        )
    if a.dtype not in _FLOATS:
        raise ValueError(
            f"{name} must be float32 or float64, got dtype {a.dtype} (shape {a.shape})"
        )
    if a.ndim != ndim:
        raise ValueError(
            f"{name} must have shape {shape_doc} ({ndim} dimensions), "
            f"got shape {a.shape}"
        )
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or inf (shape {a.shape})")
    return a


def _sequence(x):
    """Validate a (T, B, D) input; return T, B, D."""
    _array("x", x, "(T, B, D)", 3)
    if 0 in x.shape:
        raise ValueError(f"x must have T, B, D >= 1, got shape {x.shape}")
    return x.shape


def _step_input(x):
    """Validate a (B, D) input of a single step; return B, D."""
    _array("x", x, "(B, D)", 2)
    if 0 in x.shape:
        raise ValueError(f"x must have B, D >= 1, got shape {x.shape}")
    return x.shape


def _params(params, kind, D, dtype):
    """Validate a parameter dict for `kind`; return W_ih, W_hh, b_ih, b_hh, H."""
    k = N_BLOCKS[kind]
    label = {"rnn": "an RNN", "lstm": "an LSTM", "gru": "a GRU"}[kind]
    if not isinstance(params, dict):
        raise ValueError(
            f"params must be a dict with keys {', '.join(PARAM_KEYS)}, "
            f"got {type(params).__name__}"
        )
    for key in PARAM_KEYS:
        if key not in params:
            raise ValueError(
                f"params is missing key {key!r}; {label} needs {', '.join(PARAM_KEYS)}"
            )
    kh = f"{k}H" if k > 1 else "H"
    W_hh = _array("params['weight_hh_l0']", params["weight_hh_l0"], f"({kh}, H)", 2)
    H = W_hh.shape[1]
    if H == 0 or W_hh.shape[0] != k * H:
        raise ValueError(
            f"params['weight_hh_l0'] must have shape ({kh}, H) for {label}, got "
            f"{W_hh.shape}: {W_hh.shape[0]} rows is not {k} x {H}"
        )
    W_ih = _array("params['weight_ih_l0']", params["weight_ih_l0"], f"({kh}, D)", 2)
    if W_ih.shape != (k * H, D):
        raise ValueError(
            f"params['weight_ih_l0'] must have shape ({kh}, D) = {(k * H, D)} "
            f"for H = {H} and input size D = {D}, got {W_ih.shape}"
        )
    biases = []
    for key in ("bias_ih_l0", "bias_hh_l0"):
        b = _array(f"params[{key!r}]", params[key], f"({kh},)", 1)
        if b.shape != (k * H,):
            raise ValueError(
                f"params[{key!r}] must have shape ({kh},) = {(k * H,)} for "
                f"H = {H}, got {b.shape}"
            )
        biases.append(b)
    arrays = [W_ih, W_hh, *biases]
    return (*(a.astype(dtype, copy=False) for a in arrays), H)


def _state(name, s, B, H, dtype):
    """Validate an optional (B, H) state; None means zeros."""
    if s is None:
        return np.zeros((B, H), dtype=dtype)
    _array(name, s, "(B, H)", 2)
    if s.shape != (B, H):
        raise ValueError(f"{name} must have shape (B, H) = {(B, H)}, got {s.shape}")
    return s.astype(dtype, copy=False)


def _grad(name, g, shape, dtype, allow_none=False):
    """Validate an optional upstream gradient; None means zeros (or stays None)."""
    if g is None:
        return None if allow_none else np.zeros(shape, dtype=dtype)
    _array(name, g, str(shape), len(shape))
    if g.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {g.shape}")
    return g.astype(dtype, copy=False)


def _cache(cache, kind):
    if not isinstance(cache, dict) or cache.get("kind") != kind:
        raise ValueError(
            f"cache must be the cache returned by {kind}_forward, got "
            f"{type(cache).__name__}"
        )
    return cache


def _input_terms(x, W_ih, b):
    """x_t W_ih^T + b for every step at once: one (T*B, D) x (D, kH) matmul."""
    T, B, D = x.shape
    gi = np.empty((T, B, W_ih.shape[0]), dtype=x.dtype)
    np.matmul(x.reshape(T * B, D), W_ih.T, out=gi.reshape(T * B, -1))
    gi += b
    return gi


def _chunks(T, B, width):
    """Reversed time chunks [t0, t1) of about CHUNK_ELEMENTS each (at least 1 step).

    The backward passes compute what does not depend on the incoming gradient for
    a whole chunk at once: few numpy calls for short, small sequences, and data
    that stays in the CPU cache for long, wide ones.
    """
    k = max(1, CHUNK_ELEMENTS // (B * width))
    return [(max(0, t1 - k), t1) for t1 in range(T, 0, -k)]


def _input_grads(dgi, W_ih):
    """dL/dx_t = dgi_t W_ih for every step at once: one matmul."""
    T, B, kH = dgi.shape
    return (dgi.reshape(T * B, kH) @ W_ih).reshape(T, B, -1)


def _half_sigmoid_rows(kind, H, dtype):
    """Row scales and offsets that turn one tanh into the gates' activations.

    sigmoid(a) = 1/2 + tanh(a / 2) / 2, and halving is exact in floating point; so
    the sequence functions halve the weight and bias rows of the sigmoid gates, take
    one tanh of all pre-activations and map the sigmoid blocks with t * 1/2 + 1/2
    (the tanh blocks with t * 1 + 0). -> scale (kH,), offset (kH,).
    """
    half = {"lstm": (1, 1, 0, 1), "gru": (1, 1)}[kind]  # 1 marks a sigmoid block
    scale = np.repeat([0.5 if s else 1.0 for s in half], H).astype(dtype)
    offset = np.repeat([0.5 if s else 0.0 for s in half], H).astype(dtype)
    return scale, offset


def _weight_grads(dgi, x, dgh, h_in):
    """Gradients of the weights and biases from per-step pre-activation grads.

    dgi: (T, B, kH) grads of the input projections; x: (T, B, D).
    dgh: (T, B, kH) grads of the hidden projections; h_in: (T, B, H) or a list
    of (T, B, H) arrays, one per block, the hidden input each block multiplied.
    """
    kH, D = dgi.shape[-1], x.shape[-1]
    dW_ih = dgi.reshape(-1, kH).T @ x.reshape(-1, D)
    if isinstance(h_in, list):  # blocks with different inputs (Cho's GRU)
        H = h_in[0].shape[-1]
        dW_hh = np.concatenate(
            [
                dgh[..., j * H : (j + 1) * H].reshape(-1, H).T @ h.reshape(-1, H)
                for j, h in enumerate(h_in)
            ]
        )
    else:
        dW_hh = dgh.reshape(-1, kH).T @ h_in.reshape(-1, h_in.shape[-1])
    db_ih = dgi.sum(axis=(0, 1))
    # the RNN's and LSTM's two biases get the same sum: add it up once, then copy
    db_hh = db_ih.copy() if dgh is dgi else dgh.sum(axis=(0, 1))
    return {
        "weight_ih_l0": dW_ih,
        "weight_hh_l0": dW_hh,
        "bias_ih_l0": db_ih,
        "bias_hh_l0": db_hh,
    }


# ----------------------------------------------------------------------------------
# Vanilla RNN:  h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
# ----------------------------------------------------------------------------------


def rnn_step(x, h, params):
    """One step of a tanh RNN.

    x: (B, D), h: (B, H), params: RNN dict -> h_next (B, H).
    Derived in notebooks/01_vanilla_rnn.ipynb.
    """
    B, D = _step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "rnn", D, x.dtype)
    h = _state("h", h, B, H, x.dtype)
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def rnn_forward(x, params, h0=None):
    """Run a tanh RNN over a sequence.

    x: (T, B, D), params: RNN dict, h0: (B, H) or None for zeros
    -> out (T, B, H) every step's hidden state, h_n (B, H), cache.
    Derived in notebooks/01_vanilla_rnn.ipynb.
    """
    T, B, D = _sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "rnn", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)  # hs[t] is h_t; hs[0] = h0
    hs[0] = _state("h0", h0, B, H, x.dtype)
    gi = _input_terms(x, W_ih, b_ih + b_hh)  # (T, B, H): all steps' inputs at once
    W_hh_T = W_hh.T.copy()  # contiguous, so each step's matmul reads rows
    for t in range(T):
        a = np.matmul(hs[t], W_hh_T, out=hs[t + 1])
        a += gi[t]
        np.tanh(a, out=a)
    cache = {"kind": "rnn", "x": x, "hs": hs, "W_ih": W_ih, "W_hh": W_hh}
    return hs[1:].copy(), hs[T].copy(), cache


def rnn_backward(dout, cache, dh_n=None):
    """Backpropagation through time for the tanh RNN.

    dout: (T, B, H) gradient of the loss w.r.t. out (None for zeros),
    cache: from rnn_forward, dh_n: (B, H) gradient w.r.t. h_n or None
    -> dx (T, B, D), dparams (same keys as params), dh0 (B, H).
    Derived in notebooks/02_backprop_through_time.ipynb.
    """
    return _rnn_backward(dout, cache, dh_n)


def _rnn_backward(dout, cache, dh_n, trace=None):
    """rnn_backward; trace, a list, receives (t, dL/dh_t) for t = T-1 .. 0."""
    c = _cache(cache, "rnn")
    x, hs, W_ih, W_hh = c["x"], c["hs"], c["W_ih"], c["W_hh"]
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = _grad("dout", dout, (T, B, H), x.dtype, allow_none=True)
    dh = _grad("dh_n", dh_n, (B, H), x.dtype).copy()
    da = 1 - hs[1:] ** 2  # tanh'(a_t) = 1 - h_t^2 for every step, then da in place
    for t in reversed(range(T)):
        if dout is not None:
            dh += dout[t]
        da[t] *= dh
        np.matmul(da[t], W_hh, out=dh)
        if trace is not None:
            trace.append((t, dh.copy()))
    dparams = _weight_grads(da, x, da, hs[:-1])
    return _input_grads(da, W_ih), dparams, dh


# ----------------------------------------------------------------------------------
# LSTM (PyTorch form, gate order i, f, g, o):
#   [i; f; g; o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, then sigma, sigma, tanh,
#   sigma;  c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
# ----------------------------------------------------------------------------------


def _lstm_cell(a, c_prev):
    """From pre-activations a (B, 4H) and c_prev (B, H) to h, c and the gates."""
    H = c_prev.shape[1]
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H : 2 * H])
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = sigmoid(a[:, 3 * H :])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    return o * tc, c, (i, f, g, o, tc)


def lstm_step(x, h, c, params):
    """One LSTM step.

    x: (B, D), h: (B, H), c: (B, H), params: LSTM dict -> (h_next, c_next).
    Derived in notebooks/03_lstm.ipynb.
    """
    B, D = _step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "lstm", D, x.dtype)
    h = _state("h", h, B, H, x.dtype)
    c = _state("c", c, B, H, x.dtype)
    h_next, c_next, _ = _lstm_cell(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, c)
    return h_next, c_next


def lstm_forward(x, params, h0=None, c0=None):
    """Run an LSTM over a sequence.

    x: (T, B, D), params: LSTM dict, h0, c0: (B, H) or None for zeros
    -> out (T, B, H), (h_n, c_n) each (B, H), cache.
    Derived in notebooks/03_lstm.ipynb; the cache holds every step's gates
    (``cache["gates"]``, (T, B, 4H), i, f, g, o) and cell states (``cache["cs"]``,
    (T + 1, B, H), c_0 first).
    """
    T, B, D = _sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "lstm", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    cs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = _state("h0", h0, B, H, x.dtype)
    cs[0] = _state("c0", c0, B, H, x.dtype)
    tcs = np.empty((T, B, H), dtype=x.dtype)  # tanh(c_t)
    # the fast path: one matmul per step, one tanh for all four blocks, in place
    scale, offset = _half_sigmoid_rows("lstm", H, x.dtype)
    gates = _input_terms(x, W_ih * scale[:, None], (b_ih + b_hh) * scale)
    W_hh_T = (W_hh * scale[:, None]).T.copy()
    ig = np.empty((B, H), dtype=x.dtype)
    gh = np.empty((B, 4 * H), dtype=x.dtype)
    for t in range(T):
        a = gates[t]  # (B, 4H): x_t's terms already in, h_{t-1}'s added here
        a += np.matmul(hs[t], W_hh_T, out=gh)
        np.tanh(a, out=a)
        a *= scale
        a += offset
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        np.multiply(f, cs[t], out=cs[t + 1])
        np.multiply(i, g, out=ig)
        cs[t + 1] += ig
        np.tanh(cs[t + 1], out=tcs[t])
        np.multiply(o, tcs[t], out=hs[t + 1])
    cache = {"kind": "lstm", "x": x, "hs": hs, "cs": cs, "gates": gates, "tcs": tcs}
    cache.update(W_ih=W_ih, W_hh=W_hh)
    return hs[1:].copy(), (hs[T].copy(), cs[T].copy()), cache


def lstm_backward(dout, cache, dh_n=None, dc_n=None):
    """Backpropagation through time for the LSTM.

    dout: (T, B, H) or None, cache: from lstm_forward, dh_n, dc_n: (B, H) or None
    -> dx (T, B, D), dparams, dh0 (B, H), dc0 (B, H).
    Derived in notebooks/04_lstm_backward.ipynb.
    """
    return _lstm_backward(dout, cache, dh_n, dc_n)


def _lstm_backward(dout, cache, dh_n, dc_n, trace=None):
    """lstm_backward; trace, a list, receives (t, dL/dh_t, dL/dc_t) for t = T-1 .. 0."""
    k = _cache(cache, "lstm")
    x, hs, cs, gates, tcs, W_ih, W_hh = (
        k[n] for n in ("x", "hs", "cs", "gates", "tcs", "W_ih", "W_hh")
    )
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = _grad("dout", dout, (T, B, H), x.dtype, allow_none=True)
    dh = _grad("dh_n", dh_n, (B, H), x.dtype).copy()
    dc = _grad("dc_n", dc_n, (B, H), x.dtype).copy()
    # What does not depend on the incoming gradient, a chunk of steps at a time:
    #   da_i = dc * g i(1-i),  da_f = dc * c_{t-1} f(1-f),  da_g = dc * i (1-g^2),
    #   da_o = dh * tanh(c) o(1-o),  and dc += dh * o (1 - tanh(c)^2).
    da = np.empty((T, B, 4 * H), dtype=x.dtype)  # grads of the pre-activations
    da4 = da.reshape(T, B, 4, H)
    i, f, g, o = (gates[..., j * H : (j + 1) * H] for j in range(4))
    chunks = _chunks(T, B, 4 * H)
    dc_dh = np.empty((chunks[0][1] - chunks[0][0], B, H), dtype=x.dtype)
    tmp = np.empty((B, H), dtype=x.dtype)
    for t0, t1 in chunks:
        s, q = slice(t0, t1), dc_dh[: t1 - t0]  # q: o (1 - tanh(c)^2)
        np.subtract(1, gates[s], out=da[s])
        da[s] *= gates[s]  # sigma' = s (1 - s) for the i, f, o blocks
        da4[s, :, 0] *= g[s]
        da4[s, :, 1] *= cs[s]  # c_{t-1}
        np.multiply(g[s], g[s], out=da4[s, :, 2])
        np.subtract(1, da4[s, :, 2], out=da4[s, :, 2])
        da4[s, :, 2] *= i[s]
        da4[s, :, 3] *= tcs[s]
        np.multiply(tcs[s], tcs[s], out=q)
        np.subtract(1, q, out=q)
        q *= o[s]
        for t in reversed(range(t0, t1)):
            if dout is not None:
                dh += dout[t]
            dc += np.multiply(dh, q[t - t0], out=tmp)  # through h_t = o tanh(c_t)
            da4[t, :, :3] *= dc[:, None, :]  # i, f, g blocks
            da4[t, :, 3] *= dh  # o block
            dc *= f[t]  # the carousel: dc_{t-1} = dc_t * f_t
            np.matmul(da[t], W_hh, out=dh)
            if trace is not None:
                trace.append((t, dh.copy(), dc.copy()))
    dparams = _weight_grads(da, x, da, hs[:-1])
    return _input_grads(da, W_ih), dparams, dh, dc


# ----------------------------------------------------------------------------------
# GRU (gate order r, z, n):
#   r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
#   reset_after=True  (PyTorch, cuDNN): n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
#   reset_after=False (Cho et al. 2014): n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
#   h' = (1 - z) * n + z * h
# ----------------------------------------------------------------------------------


def _check_reset_after(reset_after):
    if not isinstance(reset_after, (bool, np.bool_)):
        raise ValueError(
            f"reset_after must be True (PyTorch) or False (Cho et al. 2014), "
            f"got {reset_after!r}"
        )


def _gru_cell(gi, h, W_hh, b_hh, reset_after):
    """From input projections gi (B, 3H) and h (B, H) to h_next and its parts."""
    H = h.shape[1]
    gh_rz = h @ W_hh[: 2 * H].T + b_hh[: 2 * H]  # (B, 2H)
    r = sigmoid(gi[:, :H] + gh_rz[:, :H])
    z = sigmoid(gi[:, H : 2 * H] + gh_rz[:, H:])
    if reset_after:
        hn = h @ W_hh[2 * H :].T + b_hh[2 * H :]  # W_hn h + b_hn, kept for backward
        n = np.tanh(gi[:, 2 * H :] + r * hn)
    else:
        hn = r * h  # the reset hidden state that W_hn multiplies
        n = np.tanh(gi[:, 2 * H :] + hn @ W_hh[2 * H :].T + b_hh[2 * H :])
    return (1 - z) * n + z * h, (r, z, n, hn)


def gru_step(x, h, params, reset_after=True):
    """One GRU step.

    x: (B, D), h: (B, H), params: GRU dict, reset_after: PyTorch form (True) or
    Cho et al. 2014 (False) -> h_next (B, H).
    Derived in notebooks/05_gru.ipynb.
    """
    _check_reset_after(reset_after)
    B, D = _step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "gru", D, x.dtype)
    h = _state("h", h, B, H, x.dtype)
    return _gru_cell(x @ W_ih.T + b_ih, h, W_hh, b_hh, reset_after)[0]


def gru_forward(x, params, h0=None, reset_after=True):
    """Run a GRU over a sequence.

    x: (T, B, D), params: GRU dict, h0: (B, H) or None for zeros,
    reset_after: True for PyTorch's form, False for Cho et al. 2014
    -> out (T, B, H), h_n (B, H), cache.
    Derived in notebooks/05_gru.ipynb; the cache holds every step's gates
    (``cache["gates"]``, (T, B, 3H), r, z, n).
    """
    _check_reset_after(reset_after)
    T, B, D = _sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "gru", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = _state("h0", h0, B, H, x.dtype)
    # the fast path: the r and z rows halved so that one tanh gives both sigmoids
    scale, offset = _half_sigmoid_rows("gru", H, x.dtype)
    b_rz = np.concatenate([(b_ih[: 2 * H] + b_hh[: 2 * H]) * scale, b_ih[2 * H :]])
    gates = _input_terms(
        x, np.concatenate([W_ih[: 2 * H] * scale[:, None], W_ih[2 * H :]]), b_rz
    )
    W_rz_T = (W_hh[: 2 * H] * scale[:, None]).T.copy()
    W_hn_T, b_hn = W_hh[2 * H :].T.copy(), b_hh[2 * H :]
    W_all_T = np.concatenate([W_rz_T, W_hn_T], axis=1)  # (H, 3H)
    hn = np.empty((T, B, H), dtype=x.dtype)  # W_hn h + b_hn, or r * h for Cho's form
    gh = np.empty((B, 3 * H), dtype=x.dtype)
    for t in range(T):
        h = hs[t]
        rz, n = gates[t, :, : 2 * H], gates[t, :, 2 * H :]
        if reset_after:
            np.matmul(h, W_all_T, out=gh)
            rz += gh[:, : 2 * H]
            np.add(gh[:, 2 * H :], b_hn, out=hn[t])
        else:
            rz += h @ W_rz_T
        np.tanh(rz, out=rz)
        rz *= scale
        rz += offset
        r, z = rz[:, :H], rz[:, H:]
        if reset_after:
            n += r * hn[t]  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        else:
            np.multiply(
                r, h, out=hn[t]
            )  # n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
            n += hn[t] @ W_hn_T
            n += b_hn
        np.tanh(n, out=n)
        out = hs[t + 1]
        np.subtract(h, n, out=out)  # h' = (1 - z) n + z h = n + z (h - n)
        out *= z
        out += n
    cache = {"kind": "gru", "x": x, "hs": hs, "gates": gates, "hn": hn}
    cache.update(W_ih=W_ih, W_hh=W_hh, reset_after=bool(reset_after))
    return hs[1:].copy(), hs[T].copy(), cache


def gru_backward(dout, cache, dh_n=None):
    """Backpropagation through time for the GRU (either reset placement).

    dout: (T, B, H) or None, cache: from gru_forward, dh_n: (B, H) or None
    -> dx (T, B, D), dparams, dh0 (B, H).
    Derived in notebooks/05_gru.ipynb.
    """
    k = _cache(cache, "gru")
    x, hs, gates, hn, W_ih, W_hh = (
        k[n] for n in ("x", "hs", "gates", "hn", "W_ih", "W_hh")
    )
    reset_after = k["reset_after"]
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = _grad("dout", dout, (T, B, H), x.dtype, allow_none=True)
    dh = _grad("dh_n", dh_n, (B, H), x.dtype).copy()
    r, z, n = (gates[..., j * H : (j + 1) * H] for j in range(3))
    # What does not depend on the incoming gradient, a chunk of steps at a time:
    #   da_n = dh (1 - z)(1 - n^2),  da_z = dh (h - n) z(1 - z),
    #   da_r = da_n (W_hn h + b_hn) r(1 - r)    (PyTorch's placement)
    #   da_r = (da_n W_hn) h r(1 - r)          (Cho's placement)
    chunks = _chunks(T, B, 3 * H)
    k = chunks[0][1] - chunks[0][0]
    p_n, p_z, p_r = np.empty((3, k, B, H), dtype=x.dtype)
    dgh = np.empty((T, B, 3 * H), dtype=x.dtype)  # grads of the hidden projections
    dan = np.empty((T, B, H), dtype=x.dtype)  # grads of the n pre-activation
    W_hn, W_rz = W_hh[2 * H :], W_hh[: 2 * H]
    for t0, t1 in chunks:
        s, m = slice(t0, t1), t1 - t0
        pn, pz, pr = p_n[:m], p_z[:m], p_r[:m]
        np.subtract(1, z[s], out=pr)  # 1 - z, used twice before pr is set
        np.multiply(n[s], n[s], out=pn)
        np.subtract(1, pn, out=pn)
        pn *= pr  # (1 - z)(1 - n^2)
        np.subtract(hs[s], n[s], out=pz)  # h_{t-1} - n
        pz *= pr
        pz *= z[s]  # (h - n) z (1 - z)
        np.subtract(1, r[s], out=pr)
        pr *= r[s]
        pr *= hn[s] if reset_after else hs[s]  # r (1 - r) times what r multiplies
        for t in reversed(range(t0, t1)):
            j = t - t0
            if dout is not None:
                dh += dout[t]
            np.multiply(dh, p_n[j], out=dan[t])
            np.multiply(dh, p_z[j], out=dgh[t, :, H : 2 * H])
            dh *= z[t]  # the direct path h' = ... + z h
            if reset_after:
                np.multiply(dan[t], p_r[j], out=dgh[t, :, :H])
                np.multiply(dan[t], r[t], out=dgh[t, :, 2 * H :])
                dh += dgh[t] @ W_hh
            else:
                dgh[t, :, 2 * H :] = dan[t]
                drh = dan[t] @ W_hn  # the gradient of r * h
                np.multiply(drh, p_r[j], out=dgh[t, :, :H])
                drh *= r[t]
                dh += drh
                dh += dgh[t, :, : 2 * H] @ W_rz
    dgi = dgh.copy()  # r and z enter both projections; n differs by the reset
    dgi[..., 2 * H :] = dan
    h_in = hs[:-1] if reset_after else [hs[:-1], hs[:-1], hn]
    dparams = _weight_grads(dgi, x, dgh, h_in)
    return _input_grads(dgi, W_ih), dparams, dh


# ----------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------


def init_params(kind, input_size, hidden_size, rng, dtype=np.float64):
    """Random parameters with PyTorch's default init, U(-1/sqrt(H), 1/sqrt(H)).

    kind: 'rnn', 'lstm' or 'gru'; rng: numpy Generator -> dict with the keys
    weight_ih_l0 (kH, D), weight_hh_l0 (kH, H), bias_ih_l0 (kH,), bias_hh_l0 (kH,).
    Introduced in notebooks/00_start_here.ipynb.
    """
    if kind not in N_BLOCKS:
        raise ValueError(f"kind must be one of {sorted(N_BLOCKS)}, got {kind!r}")
    for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    if np.dtype(dtype) not in _FLOATS:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    kH, bound = N_BLOCKS[kind] * hidden_size, 1 / np.sqrt(hidden_size)
    shapes = {
        "weight_ih_l0": (kH, input_size),
        "weight_hh_l0": (kH, hidden_size),
        "bias_ih_l0": (kH,),
        "bias_hh_l0": (kH,),
    }
    return {k: rng.uniform(-bound, bound, s).astype(dtype) for k, s in shapes.items()}


# ----------------------------------------------------------------------------------
# The one-unit RNN  h_t = tanh(w_hh h_{t-1} + w_ih x_t + b), with scalar weights
# ----------------------------------------------------------------------------------


def one_unit_rnn(w_hh, w_ih, b, x, h0=0.0):
    """Run a one-unit tanh RNN with scalar weights.

    x: (T,) inputs -> h: (T,), h[t] the state after input x[t].
    Derived in notebooks/01_vanilla_rnn.ipynb.
    """
    for name, v in (("w_hh", w_hh), ("w_ih", w_ih), ("b", b), ("h0", h0)):
        if not np.isscalar(v) or not np.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.isfinite(x).all():
        raise ValueError(f"x must be a finite 1-d sequence (T,), got shape {x.shape}")
    h, hs = float(h0), np.empty(len(x))
    for t, x_t in enumerate(x):
        h = np.tanh(w_hh * h + w_ih * x_t + b)
        hs[t] = h
    return hs


def fixed_points(w_hh, b):
    """Fixed points h* = tanh(w_hh h* + b) of the input-free one-unit RNN.

    -> list of (h*, slope) with slope = w_hh (1 - h*^2), the derivative of the map
    at h*: the point is stable when |slope| < 1. Found by bisection on a grid.
    """

    def g(h):
        return np.tanh(w_hh * h + b) - h

    grid = np.linspace(-1, 1, 2001)
    vals = g(grid)
    points = []
    for lo, hi, v_lo, v_hi in zip(
        grid[:-1], grid[1:], vals[:-1], vals[1:], strict=True
    ):
        if v_lo == 0 or v_lo * v_hi < 0:
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if np.sign(g(mid)) == np.sign(g(lo)):
                    lo = mid
                else:
                    hi = mid
            h_star = 0.5 * (lo + hi)
            points.append((h_star, w_hh * (1 - h_star**2)))
    return points


def regime(w_hh, b):
    """A one-line description of the input-free one-unit RNN's long-run behaviour."""
    points = fixed_points(w_hh, b)
    stable = [(h, s) for h, s in points if abs(s) < 1]
    if len(stable) >= 2:
        lo, hi = min(h for h, _ in stable), max(h for h, _ in stable)
        return (
            f"saturation with memory: two stable states {lo:+.2f} and {hi:+.2f}; "
            "a pulse picks one"
        )
    if not stable:
        h, s = points[0]
        return f"oscillation: h flips sign every step around {h:+.2f} (slope {s:.2f})"
    h, s = stable[0]
    if abs(h) > 0.9:
        return (
            f"saturation: h is pinned near {h:+.2f} whatever comes in (slope {s:.2f})"
        )
    if s < 0:
        return f"decay with alternating sign: inputs fade, h returns to {h:+.2f}"
    return f"decay: inputs fade, h returns to {h:+.2f} (slope {s:.2f})"
