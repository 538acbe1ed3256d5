"""The GRU (gate order r, z, n), in both reset placements:

    r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    reset_after=True  (PyTorch, cuDNN): n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    reset_after=False (Cho et al. 2014): n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
    h' = (1 - z) * n + z * h

Derived in notebooks/05_gru.ipynb.
"""

import numpy as np

from . import fast, validate
from .activations import sigmoid


def gru_step(x, h, params, reset_after=True):
    """One GRU step: the equations above, line for line.

    x: (B, D), h: (B, H), params: GRU dict, reset_after: PyTorch form (True) or
    Cho et al. 2014 (False) -> h_next (B, H).
    Derived in notebooks/05_gru.ipynb.
    """
    reset_after = validate.reset_after(reset_after)
    B, D = validate.step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "gru", D, x.dtype)
    h = validate.state("h", h, B, H, x.dtype)
    W_ir, W_iz, W_in = W_ih[:H], W_ih[H : 2 * H], W_ih[2 * H :]
    W_hr, W_hz, W_hn = W_hh[:H], W_hh[H : 2 * H], W_hh[2 * H :]
    b_ir, b_iz, b_in = b_ih[:H], b_ih[H : 2 * H], b_ih[2 * H :]
    b_hr, b_hz, b_hn = b_hh[:H], b_hh[H : 2 * H], b_hh[2 * H :]
    r = sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
    z = sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
    if reset_after:
        n = np.tanh(x @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
    else:
        n = np.tanh(x @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
    return (1 - z) * n + z * h


def gru_cell(gi, h, W_hh, b_hh, reset_after):
    """The GRU's step from its input projections, for callers that compute them
    their own way (the character model's embedding lookup).

    gi: (B, 3H) input terms x W_ih^T + b_ih, blocks r, z, n; h: (B, H)
    -> h_next (B, H), (r, z, n, hn) with hn = W_hn h + b_hn (reset_after) or r * h.
    """
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


def gru_forward(x, params, h0=None, reset_after=True):
    """Run a GRU over a sequence.

    x: (T, B, D), params: GRU dict, h0: (B, H) or None for zeros,
    reset_after: True for PyTorch's form, False for Cho et al. 2014
    -> out (T, B, H), h_n (B, H), cache.
    Derived in notebooks/05_gru.ipynb; the cache holds every step's gates
    (``cache["gates"]``, (T, B, 3H), r, z, n). The step of gru_step with the r and z
    rows halved so that one tanh gives both sigmoids (fast.half_sigmoid_rows).
    """
    reset_after = validate.reset_after(reset_after)
    T, B, D = validate.sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "gru", D, x.dtype)
    hs = np.empty((T + 1, B, H), dtype=x.dtype)
    hs[0] = validate.state("h0", h0, B, H, x.dtype)
    # the fast path: the r and z rows halved so that one tanh gives both sigmoids
    scale, offset = fast.half_sigmoid_rows("gru", H, x.dtype)
    b_rz = np.concatenate([(b_ih[: 2 * H] + b_hh[: 2 * H]) * scale, b_ih[2 * H :]])
    gates = fast.input_terms(
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
    Derived in notebooks/05_gru.ipynb. What does not depend on the incoming
    gradient is computed a chunk of steps at a time (fast.chunks).
    """
    k = validate.cache(cache, "gru")
    x, hs, gates, hn, W_ih, W_hh = (
        k[n] for n in ("x", "hs", "gates", "hn", "W_ih", "W_hh")
    )
    reset_after = k["reset_after"]
    T, B, _ = x.shape
    H = hs.shape[2]
    dout = validate.grad("dout", dout, (T, B, H), x.dtype, allow_none=True)
    dh = validate.grad("dh_n", dh_n, (B, H), x.dtype).copy()
    r, z, n = (gates[..., j * H : (j + 1) * H] for j in range(3))
    # What does not depend on the incoming gradient, a chunk of steps at a time:
    #   da_n = dh (1 - z)(1 - n^2),  da_z = dh (h - n) z(1 - z),
    #   da_r = da_n (W_hn h + b_hn) r(1 - r)    (PyTorch's placement)
    #   da_r = (da_n W_hn) h r(1 - r)          (Cho's placement)
    chunks = fast.chunks(T, B, 3 * H)
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
    dparams = fast.weight_grads(dgi, x, dgh, h_in)
    return fast.input_grads(dgi, W_ih), dparams, dh


def gru_jacobian(x, h_prev, params, reset_after=True):
    """The Jacobian of one GRU step with respect to the state, dh_t / dh_{t-1}.

    x: (B, D), h_prev: (B, H), params: GRU dict, reset_after: the placement
    -> J (B, H, H), J[b, i, j] = d h_t[b, i] / d h_{t-1}[b, j]: a row per unit of
    the new state, a column per unit of the old. A perturbation dh of h_{t-1}
    moves h_t by J @ dh; a gradient g = dL/dh_t (a row) goes back as g @ J. For
    PyTorch's placement, with the weights stored (out, in) as W_hz, W_hr, W_hn:

        J = diag(z) + diag((1 - z)(1 - n^2)) [diag(r) W_hn
              + diag((W_hn h + b_hn) r (1 - r)) W_hr] + diag((h - n) z (1 - z)) W_hz

    and for Cho's, the bracket is W_hn diag(r) + W_hn diag(h r (1 - r)) W_hr.
    Derived in notebooks/06_lstm_vs_gru.ipynb.
    """
    reset_after = validate.reset_after(reset_after)
    B, D = validate.step_input(x)
    W_ih, W_hh, b_ih, b_hh, H = validate.params(params, "gru", D, x.dtype)
    h = validate.state("h_prev", h_prev, B, H, x.dtype)
    gi = x @ W_ih.T + b_ih  # (B, 3H)
    _, (r, z, n, hn) = gru_cell(gi, h, W_hh, b_hh, reset_after)
    W_hr, W_hz, W_hn = W_hh[:H], W_hh[H : 2 * H], W_hh[2 * H :]
    slope_r = r * (1 - r)  # (B, H)
    if reset_after:  # d a_n / d h = diag(r) W_hn + diag(hn r (1 - r)) W_hr
        da_n = r[:, :, None] * W_hn + (hn * slope_r)[:, :, None] * W_hr
    else:  # a_n = W_hn (r h) + ...: columns scaled by r, and r's own slope
        da_n = W_hn * r[:, None, :] + (W_hn * (h * slope_r)[:, None, :]) @ W_hr
    J = ((1 - z) * (1 - n * n))[:, :, None] * da_n  # through the candidate
    J += ((h - n) * z * (1 - z))[:, :, None] * W_hz  # through the update gate
    J[:, np.arange(H), np.arange(H)] += z  # the direct path, h_t = ... + z h
    return J
