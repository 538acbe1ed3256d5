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


def _grad(name, g, shape, dtype):
    """Validate an optional upstream gradient; None means zeros."""
    if g is None:
        return np.zeros(shape, dtype=dtype)
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
    return {
        "weight_ih_l0": dW_ih,
        "weight_hh_l0": dW_hh,
        "bias_ih_l0": dgi.sum(axis=(0, 1)),
        "bias_hh_l0": dgh.sum(axis=(0, 1)),
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
    gi = x @ W_ih.T + b_ih  # (T, B, H): the input terms of all steps at once
    for t in range(T):
        hs[t + 1] = np.tanh(gi[t] + hs[t] @ W_hh.T + b_hh)
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
    dout = _grad("dout", dout, (T, B, H), x.dtype)
    dh = _grad("dh_n", dh_n, (B, H), x.dtype)
    da = np.empty((T, B, H), dtype=x.dtype)  # gradient of the pre-activation a_t
    for t in reversed(range(T)):
        dh = dh + dout[t]
        da[t] = dh * (1 - hs[t + 1] ** 2)  # tanh'(a) = 1 - tanh(a)^2
        dh = da[t] @ W_hh
        if trace is not None:
            trace.append((t, dh))
    dparams = _weight_grads(da, x, da, hs[:-1])
    return da @ W_ih, dparams, dh


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
    Derived in notebooks/03_lstm.ipynb.
    """
    T, B, D = _sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "lstm", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    cs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = _state("h0", h0, B, H, x.dtype)
    cs[0] = _state("c0", c0, B, H, x.dtype)
    acts = np.empty((T, B, 5 * H), dtype=x.dtype)  # i, f, g, o, tanh(c) per step
    gi = x @ W_ih.T + b_ih  # (T, B, 4H)
    for t in range(T):
        a = gi[t] + hs[t] @ W_hh.T + b_hh
        hs[t + 1], cs[t + 1], parts = _lstm_cell(a, cs[t])
        acts[t] = np.concatenate(parts, axis=1)
    cache = {"kind": "lstm", "x": x, "hs": hs, "cs": cs, "acts": acts}
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
    x, hs, cs, acts, W_ih, W_hh = (
        k[n] for n in ("x", "hs", "cs", "acts", "W_ih", "W_hh")
    )
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = _grad("dout", dout, (T, B, H), x.dtype)
    dh = _grad("dh_n", dh_n, (B, H), x.dtype)
    dc = _grad("dc_n", dc_n, (B, H), x.dtype)
    da = np.empty((T, B, 4 * H), dtype=x.dtype)  # grads of the pre-activations
    for t in reversed(range(T)):
        i, f, g, o, tc = np.split(acts[t], 5, axis=1)
        dh = dh + dout[t]
        do = dh * tc
        dc = dc + dh * o * (1 - tc**2)  # through h_t = o * tanh(c_t)
        da[t] = np.concatenate(
            [
                dc * g * i * (1 - i),  # di * sigma'
                dc * cs[t] * f * (1 - f),  # df uses c_{t-1}
                dc * i * (1 - g**2),  # dg * tanh'
                do * o * (1 - o),
            ],
            axis=1,
        )
        dc = dc * f  # the carousel: dc_{t-1} = dc_t * f_t
        dh = da[t] @ W_hh
        if trace is not None:
            trace.append((t, dh, dc))
    dparams = _weight_grads(da, x, da, hs[:-1])
    return da @ W_ih, dparams, dh, dc


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
    Derived in notebooks/05_gru.ipynb.
    """
    _check_reset_after(reset_after)
    T, B, D = _sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = _params(params, "gru", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = _state("h0", h0, B, H, x.dtype)
    acts = np.empty((T, B, 4 * H), dtype=x.dtype)  # r, z, n, hn per step
    gi = x @ W_ih.T + b_ih  # (T, B, 3H)
    for t in range(T):
        hs[t + 1], parts = _gru_cell(gi[t], hs[t], W_hh, b_hh, reset_after)
        acts[t] = np.concatenate(parts, axis=1)
    cache = {"kind": "gru", "x": x, "hs": hs, "acts": acts}
    cache.update(W_ih=W_ih, W_hh=W_hh, reset_after=bool(reset_after))
    return hs[1:].copy(), hs[T].copy(), cache


def gru_backward(dout, cache, dh_n=None):
    """Backpropagation through time for the GRU (either reset placement).

    dout: (T, B, H) or None, cache: from gru_forward, dh_n: (B, H) or None
    -> dx (T, B, D), dparams, dh0 (B, H).
    Derived in notebooks/05_gru.ipynb.
    """
    k = _cache(cache, "gru")
    x, hs, acts, W_ih, W_hh = (k[n] for n in ("x", "hs", "acts", "W_ih", "W_hh"))
    reset_after = k["reset_after"]
    T, B, _ = x.shape
    H = hs.shape[2]
    W_hn = W_hh[2 * H :]
    dout = _grad("dout", dout, (T, B, H), x.dtype)
    dh = _grad("dh_n", dh_n, (B, H), x.dtype)
    dgi = np.empty((T, B, 3 * H), dtype=x.dtype)  # grads of the input projections
    dgh = np.empty((T, B, 3 * H), dtype=x.dtype)  # grads of the hidden projections
    for t in reversed(range(T)):
        r, z, n, hn = np.split(acts[t], 4, axis=1)
        h_prev = hs[t]
        dh = dh + dout[t]
        dan = dh * (1 - z) * (1 - n**2)  # through h' = (1 - z) n + z h, n = tanh(.)
        daz = dh * (h_prev - n) * z * (1 - z)
        if reset_after:
            dar = dan * hn * r * (1 - r)  # hn = W_hn h + b_hn
            dgh[t, :, 2 * H :] = dan * r
            dh_reset = 0
        else:
            drh = dan @ W_hn  # gradient of r * h_prev
            dar = drh * h_prev * r * (1 - r)
            dgh[t, :, 2 * H :] = dan
            dh_reset = drh * r
        dgi[t] = np.concatenate([dar, daz, dan], axis=1)
        dgh[t, :, : 2 * H] = dgi[t, :, : 2 * H]
        if reset_after:
            dh = dh * z + dgh[t] @ W_hh
        else:
            dh = dh * z + dgh[t, :, : 2 * H] @ W_hh[: 2 * H] + dh_reset
    if reset_after:
        h_in = hs[:-1]
    else:  # the n block multiplied r * h_prev, stored as hn
        h_in = [hs[:-1], hs[:-1], acts[..., 3 * H :]]
    dparams = _weight_grads(dgi, x, dgh, h_in)
    return dgi @ W_ih, dparams, dh


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
