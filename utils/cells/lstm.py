"""The LSTM (PyTorch's form, gate order i, f, g, o):

    [a_i; a_f; a_g; a_o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
    i = sigma(a_i),  f = sigma(a_f),  g = tanh(a_g),  o = sigma(a_o)
    c_t = f * c_{t-1} + i * g,        h_t = o * tanh(c_t)

Derived in notebooks/03_lstm.ipynb (forward) and notebooks/04_lstm_backward.ipynb
(backward).
"""

import numpy as np

from . import fast, validate
from .activations import sigmoid


def lstm_step(x, h, c, params):
    """One LSTM step: the equations above, line for line.

    x: (B, D), h: (B, H), c: (B, H), params: LSTM dict -> (h_next, c_next).
    Derived in notebooks/03_lstm.ipynb.
    """
    B, D = validate.step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "lstm", D, x.dtype)
    h = validate.state("h", h, B, H, x.dtype)
    c = validate.state("c", c, B, H, x.dtype)
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (B, 4H): blocks i, f, g, o
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H : 2 * H])
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = sigmoid(a[:, 3 * H :])
    c_next = f * c + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next


def lstm_cell(a, c_prev):
    """The LSTM's step from its pre-activations, for callers that compute them
    their own way (the character model's embedding lookup).

    a: (B, 4H) pre-activations, blocks i, f, g, o; c_prev: (B, H)
    -> h (B, H), c (B, H), (i, f, g, o, tanh(c)).
    """
    H = c_prev.shape[1]
    s = sigmoid(a)  # i, f and o in one numpy call (a sampler's step is 1 x 4H)
    i, f, o = s[:, :H], s[:, H : 2 * H], s[:, 3 * H :]
    g = np.tanh(a[:, 2 * H : 3 * H])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    return o * tc, c, (i, f, g, o, tc)


def lstm_forward(x, params, h0=None, c0=None):
    """Run an LSTM over a sequence.

    x: (T, B, D), params: LSTM dict, h0, c0: (B, H) or None for zeros
    -> out (T, B, H), (h_n, c_n) each (B, H), cache.
    Derived in notebooks/03_lstm.ipynb; the cache holds every step's gates
    (``cache["gates"]``, (T, B, 4H), i, f, g, o) and cell states (``cache["cs"]``,
    (T + 1, B, H), c_0 first). The step of lstm_step with one matmul per step and
    one tanh for all four blocks (fast.half_sigmoid_rows), in place.
    """
    T, B, D = validate.sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "lstm", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    cs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = validate.state("h0", h0, B, H, x.dtype)
    cs[0] = validate.state("c0", c0, B, H, x.dtype)
    tcs = np.empty((T, B, H), dtype=x.dtype)  # tanh(c_t)
    # the fast path: one matmul per step, one tanh for all four blocks, in place
    scale, offset = fast.half_sigmoid_rows("lstm", H, x.dtype)
    gates = fast.input_terms(x, W_ih * scale[:, None], (b_ih + b_hh) * scale)
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


def lstm_backward(dout, cache, dh_n=None, dc_n=None, trace=None):
    """Backpropagation through time for the LSTM.

    dout: (T, B, H) or None, cache: from lstm_forward, dh_n, dc_n: (B, H) or None;
    trace: None, or a list that receives (t, dL/dh_{t-1}, dL/dc_{t-1}) for
    t = T-1 .. 0 -> dx (T, B, D), dparams, dh0 (B, H), dc0 (B, H).
    Derived in notebooks/04_lstm_backward.ipynb. What does not depend on the
    incoming gradient is computed a chunk of steps at a time (fast.chunks).
    """
    k = validate.cache(cache, "lstm")
    x, hs, cs, gates, tcs, W_ih, W_hh = (
        k[n] for n in ("x", "hs", "cs", "gates", "tcs", "W_ih", "W_hh")
    )
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = validate.grad("dout", dout, (T, B, H), x.dtype, allow_none=True)
    dh = validate.grad("dh_n", dh_n, (B, H), x.dtype).copy()
    dc = validate.grad("dc_n", dc_n, (B, H), x.dtype).copy()
    # What does not depend on the incoming gradient, a chunk of steps at a time:
    #   da_i = dc * g i(1-i),  da_f = dc * c_{t-1} f(1-f),  da_g = dc * i (1-g^2),
    #   da_o = dh * tanh(c) o(1-o),  and dc += dh * o (1 - tanh(c)^2).
    da = np.empty((T, B, 4 * H), dtype=x.dtype)  # grads of the pre-activations
    da4 = da.reshape(T, B, 4, H)
    i, f, g, o = (gates[..., j * H : (j + 1) * H] for j in range(4))
    chunks = fast.chunks(T, B, 4 * H)
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
    dparams = fast.weight_grads(da, x, da, hs[:-1])
    return fast.input_grads(da, W_ih), dparams, dh, dc


def lstm_jacobian(x, h_prev, c_prev, params):
    """The Jacobian of one LSTM step with respect to its state (h, c).

    x: (B, D), h_prev, c_prev: (B, H), params: LSTM dict -> J (B, 2H, 2H), rows
    and columns ordered [h; c]: J[b, i, j] = d s_t[b, i] / d s_{t-1}[b, j] for
    s = [h, c], so that J[:, H:, H:] = diag(f) is the carousel of notebook 03 and
    J[:, :H, :] the path through h_t = o tanh(c_t). With A_k = W_hk (out, in):

        dc/dc = diag(f),  dc/dh = diag(c f(1-f)) A_f + diag(g i(1-i)) A_i
                                  + diag(i (1 - g^2)) A_g,
        dh/dc = diag(o (1 - tanh^2 c_t)) dc/dc,
        dh/dh = diag(tanh(c_t) o (1 - o)) A_o + diag(o (1 - tanh^2 c_t)) dc/dh.

    Derived in notebooks/06_lstm_vs_gru.ipynb.
    """
    B, D = validate.step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "lstm", D, x.dtype)
    h = validate.state("h_prev", h_prev, B, H, x.dtype)
    c = validate.state("c_prev", c_prev, B, H, x.dtype)
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    _, c_t, (i, f, g, o, tc) = lstm_cell(a, c)
    A_i, A_f, A_g, A_o = (W_hh[k * H : (k + 1) * H] for k in range(4))
    dc_dh = (c * f * (1 - f))[:, :, None] * A_f + (g * i * (1 - i))[:, :, None] * A_i
    dc_dh += (i * (1 - g * g))[:, :, None] * A_g
    through_c = o * (1 - tc * tc)  # dh_t / dc_t, elementwise
    J = np.zeros((B, 2 * H, 2 * H), dtype=x.dtype)
    units = np.arange(H)
    J[:, H + units, H + units] = f  # the carousel
    J[:, H:, :H] = dc_dh
    J[:, :H, :H] = (tc * o * (1 - o))[:, :, None] * A_o
    J[:, :H, :H] += through_c[:, :, None] * dc_dh
    J[:, units, H + units] = through_c * f
    return J
