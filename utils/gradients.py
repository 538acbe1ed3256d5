"""Gradient checking: centred differences and a relative error; the gradient-flow
measurements of notebooks 02-04 and the products of step Jacobians (06).

The analytic gradients of every cell are compared with numerical ones in float64.
"""

import numpy as np

from . import cells


def rel_error(a, b):
    """Relative error ||a - b|| / max(||a||, ||b||) of two arrays of one shape.

    Norm-based rather than elementwise, so entries that are almost zero in both
    do not dominate; 0.0 when both arrays are zero.
    Introduced in notebooks/00_start_here.ipynb.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one shape, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numerical_gradient(f, x, eps=1e-5):
    """Centred-difference gradient of a scalar function of an array.

    f: callable with no arguments returning a float, which reads x; x: float64
    array that is perturbed in place (and restored) -> gradient, shape of x.
    The error of (f(x + eps) - f(x - eps)) / (2 eps) is O(eps^2).
    Introduced in notebooks/00_start_here.ipynb.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(
            "x must be a float64 numpy array (float32 is too coarse for centred "
            f"differences), got {getattr(x, 'dtype', type(x).__name__)}"
        )
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f()
        x[idx] = old - eps
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def _problem(kind, T, B, D, H, seed):
    """Random float64 inputs, parameters and upstream gradients for one cell."""
    rng = np.random.default_rng(seed)
    params = {
        k: 0.5 * rng.standard_normal(v.shape)
        for k, v in cells.init_params(kind, D, H, rng).items()
    }
    arrays = {
        "x": rng.standard_normal((T, B, D)),
        "h0": 0.5 * rng.standard_normal((B, H)),
    }
    if kind == "lstm":
        arrays["c0"] = rng.standard_normal((B, H))
    upstream = {
        "dout": rng.standard_normal((T, B, H)),
        "dh_n": rng.standard_normal((B, H)),
    }
    if kind == "lstm":
        upstream["dc_n"] = rng.standard_normal((B, H))
    return params, arrays, upstream


def cell_gradient_errors(kind, reset_after=True, T=4, B=3, D=5, H=4, seed=0):
    """Gradient check of a reference cell: relative error of every gradient.

    kind: 'rnn', 'lstm' or 'gru'. The loss is L = sum(out * dout) + sum(h_n * dh_n)
    (+ sum(c_n * dc_n) for the LSTM) with random dout, dh_n, dc_n, so that every
    output is used -> dict {name: relative error} for every parameter, x, h0
    (and c0): analytic gradient from <kind>_backward against numerical_gradient.
    """
    cells.check_kind(kind)
    params, arrays, up = _problem(kind, T, B, D, H, seed)
    lstm = kind == "lstm"

    def run():
        c0 = arrays["c0"] if lstm else None
        out, last, cache = cells.forward(
            kind, arrays["x"], params, arrays["h0"], c0, reset_after=reset_after
        )
        h_n, c_n = last if lstm else (last, None)
        return out, h_n, c_n, cache

    def loss():
        out, h_n, c_n, _ = run()
        total = np.sum(out * up["dout"]) + np.sum(h_n * up["dh_n"])
        return total + (np.sum(c_n * up["dc_n"]) if c_n is not None else 0.0)

    cache = run()[3]
    dx, dparams, dstate = cells.backward(
        kind, up["dout"], cache, up["dh_n"], up.get("dc_n")
    )
    analytic = {"x": dx, **dparams}
    analytic.update({"h0": dstate[0], "c0": dstate[1]} if lstm else {"h0": dstate})
    targets = {**arrays, **params}
    return {
        name: rel_error(analytic[name], numerical_gradient(loss, targets[name]))
        for name in analytic
    }


def hidden_state_gradients(x, params, h0, dh_T):
    """dL/dh_k for every step k of a tanh RNN whose loss depends on h_T only.

    x: (T, B, D), params: RNN dict, h0: (B, H), dh_T: (B, H) = dL/dh_T
    -> (T + 1, B, H), row k = dL/dh_k, from the recursion
    dL/dh_{k-1} = (dL/dh_k * (1 - h_k^2)) @ W_hh (the Jacobian diag(1 - h_k^2) W_hh,
    transposed). Derived in notebooks/02_backprop_through_time.ipynb.
    """
    _, _, cache = cells.rnn_forward(x, params, h0)
    trace = []
    cells.rnn_backward(None, cache, dh_T, trace=trace)
    grads = np.empty((x.shape[0] + 1, *dh_T.shape), dtype=x.dtype)
    grads[-1] = dh_T
    for t, dh in trace:
        grads[t] = dh
    return grads


def orthogonal_rnn_gradients(rho, T, scale, H=32, seed=2):
    """Gradient norms over a lag for a tanh RNN whose W_hh = rho Q, Q orthogonal.

    Every singular value of W_hh is rho. Inputs are scale * N(0, 1) through random
    W_ih (one input channel), h0 = 0, and the loss is <h_T, v> for a unit vector v.
    -> (steps back T - k (T + 1,), ||dL/dh_k|| (T + 1,), the bound rho^(T - k)).
    Used in notebooks/02_backprop_through_time.ipynb and 03_lstm.ipynb.
    """
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")
    for name, value in (("rho", rho), ("scale", scale)):
        if not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((H, H)))[0]
    W_ih = rng.standard_normal((H, 1))
    x = scale * rng.standard_normal((100, 1, 1))[:T]  # the same inputs for every T
    v = rng.standard_normal((1, H))
    if T > 100:  # longer lags continue the same sequence of inputs
        x = np.concatenate([x, scale * rng.standard_normal((T - 100, 1, 1))])
    params = {
        "weight_ih_l0": W_ih,
        "weight_hh_l0": rho * Q,
        "bias_ih_l0": np.zeros(H),
        "bias_hh_l0": np.zeros(H),
    }
    grads = hidden_state_gradients(x, params, np.zeros((1, H)), v / np.linalg.norm(v))
    back = np.arange(T, -1, -1)  # row k is T - k steps back
    return back, np.linalg.norm(grads[:, 0], axis=1), rho ** back.astype(float)


def cell_state_gradients(x, params, h0, c0, dc_T):
    """dL/dc_k for every step k of an LSTM whose loss depends on c_T only.

    x: (T, B, D), params: LSTM dict, h0, c0, dc_T: (B, H) -> (T + 1, B, H), row k =
    dL/dc_k, through both paths: the carousel (dc_{k-1} = dc_k f_k) and the gates'
    dependence on h_{k-1}. Derived in notebooks/04_lstm_backward.ipynb.
    """
    _, _, cache = cells.lstm_forward(x, params, h0, c0)
    trace = []
    cells.lstm_backward(None, cache, None, dc_T, trace=trace)
    grads = np.empty((x.shape[0] + 1, *dc_T.shape), dtype=x.dtype)
    grads[-1] = dc_T
    for t, _, dc in trace:
        grads[t] = dc
    return grads


def multi_gradient_errors(
    kind,
    num_layers=2,
    bidirectional=True,
    lengths=None,
    dropout=0.0,
    reset_after=True,
    T=4,
    B=3,
    D=3,
    H=2,
    seed=0,
):
    """Gradient check of multi_backward: relative error of every gradient.

    A stacked (and bidirectional) network of `kind` with random parameters
    0.5 N(0, 1), over a padded batch when lengths (B,) is given; with dropout > 0
    it runs in training mode with the masks of a Generator seeded afresh for each
    forward pass, so every pass draws the same masks. The loss is
    L = sum(out * dout) + sum(h_n * dh_n) (+ sum(c_n * dc_n)) -> {name: relative
    error} for x, h0 (and c0) and every parameter. Used in
    notebooks/09_deeper_and_bidirectional.ipynb.
    """
    cells.check_kind(kind)
    rng = np.random.default_rng(seed)
    dirs, lstm = 2 if bidirectional else 1, kind == "lstm"
    shapes = cells.multi_param_shapes(kind, D, H, num_layers, dirs)
    params = {k: 0.5 * rng.standard_normal(s) for k, s in shapes.items()}
    n = num_layers * dirs
    arrays = {"x": rng.standard_normal((T, B, D)), "h0": rng.standard_normal((n, B, H))}
    if lstm:
        arrays["c0"] = rng.standard_normal((n, B, H))
    up = {"dout": rng.standard_normal((T, B, dirs * H))}
    up["dh_n"] = rng.standard_normal((n, B, H))
    up["dc_n"] = rng.standard_normal((n, B, H)) if lstm else None

    def run():
        return cells.multi_forward(
            kind,
            arrays["x"],
            params,
            arrays["h0"],
            arrays.get("c0"),
            reset_after=reset_after,
            lengths=lengths,
            dropout=dropout,
            training=dropout > 0,
            rng=np.random.default_rng(seed + 1),  # the same masks in every pass
        )

    def loss():
        out, last, _ = run()
        h_n, c_n = last if lstm else (last, None)
        total = np.sum(out * up["dout"]) + np.sum(h_n * up["dh_n"])
        return total + (np.sum(c_n * up["dc_n"]) if lstm else 0.0)

    grads = cells.multi_backward(up["dout"], run()[2], up["dh_n"], up["dc_n"])
    analytic = {"x": grads[0], "h0": grads[2], **grads[1]}
    if lstm:
        analytic["c0"] = grads[3]
    targets = {**arrays, **params}
    return {
        name: rel_error(analytic[name], numerical_gradient(loss, targets[name]))
        for name in analytic
    }


def jacobian_products(kind, x, params, reset_after=True):
    """The products of the step Jacobians back from the last step, one sequence.

    kind: 'gru' or 'lstm'; x: (T, D), one sequence from a zero state; params: its
    dict; reset_after: the GRU's placement -> (P, gates): P (T + 1, S, S) with
    P[k] = d s_T / d s_k for k = 0 .. T (P[T] = I), the state s = h (S = H) for the
    GRU and [h; c] (S = 2H) for the LSTM: P[k] = J_T ... J_{k+1}, each J from
    cells.gru_jacobian or cells.lstm_jacobian at its own step; gates (T, kH), every
    step's gates as the forward pass's cache holds them (GRU r, z, n; LSTM i, f, g,
    o). Derived in notebooks/06_lstm_vs_gru.ipynb.
    """
    if kind not in ("gru", "lstm"):
        raise ValueError(f"kind must be 'gru' or 'lstm', got {kind!r}")
    if not isinstance(x, np.ndarray) or x.ndim != 2 or len(x) == 0:
        raise ValueError(
            f"x must be one sequence, an array of shape (T, D), got "
            f"{getattr(x, 'shape', type(x).__name__)}"
        )
    if kind == "gru":
        _, _, cache = cells.gru_forward(x[:, None], params, reset_after=reset_after)
        J = cells.gru_jacobian(x, cache["hs"][:-1, 0], params, reset_after)
    else:
        _, _, cache = cells.lstm_forward(x[:, None], params)
        hs, cs = cache["hs"][:-1, 0], cache["cs"][:-1, 0]
        J = cells.lstm_jacobian(x, hs, cs, params)
    T, S = len(x), J.shape[1]
    P = np.empty((T + 1, S, S), dtype=J.dtype)
    P[T] = np.eye(S)
    for k in range(T - 1, -1, -1):  # J[k] takes s_k to s_{k+1}
        np.matmul(P[k + 1], J[k], out=P[k])
    return P, cache["gates"][:, 0]
