"""LSTM variants for the ablation study of notebook 08 (Greff et al., 2017).

One forward and one backward function cover every variant; a variant is a name:

- 'vanilla': the LSTM of notebooks 03-04 (PyTorch's form, no peepholes);
- 'NIG': no input gate, i = 1;
- 'NFG': no forget gate, f = 1;
- 'NOG': no output gate, o = 1;
- 'NIAF': no input activation function, g = a_g (no tanh on the candidate);
- 'NOAF': no output activation function, h = o * c (no tanh on the cell);
- 'CIFG': coupled input and forget gate, i = 1 - f;
- 'PH': peepholes: i = sigma(a_i + p_i * c_{t-1}), f = sigma(a_f + p_f * c_{t-1}),
  o = sigma(a_o + p_o * c_t), with three more parameter vectors (H,).

Greff et al. start from an LSTM with peepholes and remove one part at a time ('NP'
is their no-peephole variant, our 'vanilla'); here the base is PyTorch's LSTM, and
'PH' adds the peepholes. Parameters are the PyTorch LSTM dict (blocks i, f, g, o;
a block a variant does not use gets zero gradient) plus 'peep_i', 'peep_f',
'peep_o' (H,) for 'PH'. Written step by step for clarity, not speed.
"""

import numpy as np

from . import cells

VARIANTS = ("vanilla", "NIG", "NFG", "NOG", "NIAF", "NOAF", "CIFG", "PH")
PEEPHOLES = ("peep_i", "peep_f", "peep_o")


def _check(variant, params):
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    missing = [k for k in PEEPHOLES if variant == "PH" and k not in params]
    if missing:
        raise ValueError(f"variant 'PH' needs params {missing} of shape (H,)")


def init_params(variant, input_size, hidden_size, rng, dtype=np.float64):
    """PyTorch's LSTM initialisation, plus zero peepholes for 'PH'."""
    _check(variant, {k: None for k in PEEPHOLES})
    params = cells.init_params("lstm", input_size, hidden_size, rng, dtype)
    if variant == "PH":
        for key in PEEPHOLES:
            params[key] = np.zeros(hidden_size, dtype)
    return params


def forward(x, params, variant, h0=None, c0=None):
    """Run an LSTM variant over x (T, B, D) -> out (T, B, H), (h_n, c_n), cache."""
    _check(variant, params)
    T, B, D = cells.validate.sequence(x)
    W_ih, W_hh, b_ih, b_hh, H = cells.validate.params(params, "lstm", D, x.dtype)
    peep = {k: params[k].astype(x.dtype) for k in PEEPHOLES if k in params}
    h = cells.validate.state("h0", h0, B, H, x.dtype)
    c = cells.validate.state("c0", c0, B, H, x.dtype)
    steps, out = [], np.empty((T, B, H), x.dtype)
    one = np.ones((B, H), x.dtype)
    for t in range(T):
        a = x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        if variant == "PH":
            a_i, a_f = a_i + peep["peep_i"] * c, a_f + peep["peep_f"] * c
        f = one if variant == "NFG" else cells.sigmoid(a_f)
        i = {"NIG": one, "CIFG": 1 - f}.get(variant)
        i = cells.sigmoid(a_i) if i is None else i
        g = a_g if variant == "NIAF" else np.tanh(a_g)
        c_next = f * c + i * g
        if variant == "PH":
            a_o = a_o + peep["peep_o"] * c_next
        o = one if variant == "NOG" else cells.sigmoid(a_o)
        s = c_next if variant == "NOAF" else np.tanh(c_next)
        steps.append((x[t], h, c, i, f, g, o, c_next, s))
        h, c = o * s, c_next
        out[t] = h
    cache = {"variant": variant, "steps": steps, "W_ih": W_ih, "W_hh": W_hh}
    cache["peep"] = peep
    return out, (h, c), cache


def backward(dout, cache, dh_n=None, dc_n=None):
    """Backpropagation through time for forward(...) -> dx, dparams, dh0, dc0."""
    variant, steps = cache["variant"], cache["steps"]
    W_ih, W_hh, peep = cache["W_ih"], cache["W_hh"], cache["peep"]
    T = len(steps)
    B, H = steps[0][1].shape
    dtype = W_ih.dtype
    dout = cells.validate.grad("dout", dout, (T, B, H), dtype)
    dh = cells.validate.grad("dh_n", dh_n, (B, H), dtype).copy()
    dc = cells.validate.grad("dc_n", dc_n, (B, H), dtype).copy()
    grads = {
        "weight_ih_l0": np.zeros_like(W_ih),
        "weight_hh_l0": np.zeros_like(W_hh),
        "bias_ih_l0": np.zeros(4 * H, dtype),
    }
    grads.update({k: np.zeros(H, dtype) for k in peep})
    dx = np.empty((T, B, W_ih.shape[1]), dtype)
    zero = np.zeros((B, H), dtype)
    for t in reversed(range(T)):
        x_t, h_prev, c_prev, i, f, g, o, c, s = steps[t]
        dh = dh + dout[t]
        # h = o * s, s = tanh(c) (or c for NOAF)
        da_o = zero if variant == "NOG" else dh * s * o * (1 - o)
        ds = dh * o
        dc = dc + (ds if variant == "NOAF" else ds * (1 - s**2))
        if variant == "PH":  # o also saw c through its peephole
            dc = dc + da_o * peep["peep_o"]
            grads["peep_o"] += (da_o * c).sum(0)
        # c = f * c_prev + i * g
        di, dg, df = dc * g, dc * i, dc * c_prev
        if variant == "CIFG":  # i = 1 - f: the input gate's gradient reaches f
            df, di = df - di, zero
        da_i = zero if variant in ("NIG", "CIFG") else di * i * (1 - i)
        da_f = zero if variant == "NFG" else df * f * (1 - f)
        da_g = dg if variant == "NIAF" else dg * (1 - g**2)
        dc = dc * f
        if variant == "PH":
            dc = dc + da_i * peep["peep_i"] + da_f * peep["peep_f"]
            grads["peep_i"] += (da_i * c_prev).sum(0)
            grads["peep_f"] += (da_f * c_prev).sum(0)
        da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
        grads["weight_ih_l0"] += da.T @ x_t
        grads["weight_hh_l0"] += da.T @ h_prev
        grads["bias_ih_l0"] += da.sum(0)
        dx[t] = da @ W_ih
        dh = da @ W_hh
    grads["bias_hh_l0"] = grads["bias_ih_l0"].copy()
    order = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", *peep]
    return dx, {k: grads[k] for k in order}, dh, dc
