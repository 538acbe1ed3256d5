"""The vanilla (tanh) RNN:  h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

Derived in notebooks/01_vanilla_rnn.ipynb (forward) and
notebooks/02_backprop_through_time.ipynb (backward).
"""

import numpy as np

from . import fast, validate


def rnn_step(x, h, params):
    """One step of a tanh RNN.

    x: (B, D), h: (B, H), params: RNN dict -> h_next (B, H).
    Derived in notebooks/01_vanilla_rnn.ipynb.
    """
    B, D = validate.step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "rnn", D, x.dtype)
    h = validate.state("h", h, B, H, x.dtype)
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def rnn_forward(x, params, h0=None):
    """Run a tanh RNN over a sequence.

    x: (T, B, D), params: RNN dict, h0: (B, H) or None for zeros
    -> out (T, B, H) every step's hidden state, h_n (B, H), cache.
    Derived in notebooks/01_vanilla_rnn.ipynb. The step of rnn_step, with the
    input terms of all steps in one matmul (fast.input_terms) and each step's
    matmul and tanh written into the state array in place.
    """
    T, B, D = validate.sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "rnn", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)  # hs[t] is h_t; hs[0] = h0
    hs[0] = validate.state("h0", h0, B, H, x.dtype)
    gi = fast.input_terms(x, W_ih, b_ih + b_hh)  # (T, B, H): all steps' inputs
    W_hh_T = W_hh.T.copy()  # contiguous, so each step's matmul reads rows
    for t in range(T):
        a = np.matmul(hs[t], W_hh_T, out=hs[t + 1])
        a += gi[t]
        np.tanh(a, out=a)
    cache = {"kind": "rnn", "x": x, "hs": hs, "W_ih": W_ih, "W_hh": W_hh}
    return hs[1:].copy(), hs[T].copy(), cache


def rnn_backward(dout, cache, dh_n=None, trace=None):
    """Backpropagation through time for the tanh RNN.

    dout: (T, B, H) gradient of the loss w.r.t. out (None for zeros),
    cache: from rnn_forward, dh_n: (B, H) gradient w.r.t. h_n or None;
    trace: None, or a list that receives (t, dL/dh_{t-1}) for t = T-1 .. 0
    -> dx (T, B, D), dparams (same keys as params), dh0 (B, H).
    Derived in notebooks/02_backprop_through_time.ipynb. The weight gradients are
    one matmul after the loop (fast.weight_grads).
    """
    c = validate.cache(cache, "rnn")
    x, hs, W_ih, W_hh = c["x"], c["hs"], c["W_ih"], c["W_hh"]
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = validate.grad("dout", dout, (T, B, H), x.dtype, allow_none=True)
    dh = validate.grad("dh_n", dh_n, (B, H), x.dtype).copy()
    da = 1 - hs[1:] ** 2  # tanh'(a_t) = 1 - h_t^2 for every step, then da in place
    for t in reversed(range(T)):
        if dout is not None:
            dh += dout[t]
        da[t] *= dh
        np.matmul(da[t], W_hh, out=dh)
        if trace is not None:
            trace.append((t, dh.copy()))
    dparams = fast.weight_grads(da, x, da, hs[:-1])
    return fast.input_grads(da, W_ih), dparams, dh
