"""What makes the sequence functions fast, in one place.

The readable steps (``rnn_step``, ``lstm_step``, ``gru_step``) are the notebooks'
equations line for line. The sequence functions compute the same thing with four
tricks, each a function here:

- ``input_terms``: the input projections of all steps in one matmul;
- ``half_sigmoid_rows``: one tanh for all gates, since sigmoid(a) = (1 + tanh(a/2))/2;
- ``chunks``: the backward passes precompute, a chunk of steps at a time, what does
  not depend on the incoming gradient;
- ``input_grads`` and ``weight_grads``: the gradients of x and of the weights as
  matmuls over all steps after the loop.

docs/performance.md has the measurements.
"""

import numpy as np

CHUNK_ELEMENTS = 1 << 16  # about 256 KB of float32: a chunk of steps fits in L2


def input_terms(x, W_ih, b):
    """x_t W_ih^T + b for every step at once: one (T*B, D) x (D, kH) matmul.

    x: (T, B, D), W_ih: (kH, D), b: (kH,) -> (T, B, kH).
    """
    T, B, D = x.shape
    gi = np.empty((T, B, W_ih.shape[0]), dtype=x.dtype)
    np.matmul(x.reshape(T * B, D), W_ih.T, out=gi.reshape(T * B, -1))
    gi += b
    return gi


def chunks(T, B, width):
    """Reversed time chunks [t0, t1) of about CHUNK_ELEMENTS each (at least 1 step).

    The backward passes compute what does not depend on the incoming gradient for
    a whole chunk at once: few numpy calls for short, small sequences, and data
    that stays in the CPU cache for long, wide ones.
    """
    k = max(1, CHUNK_ELEMENTS // (B * width))
    return [(max(0, t1 - k), t1) for t1 in range(T, 0, -k)]


def input_grads(dgi, W_ih):
    """dL/dx_t = dgi_t W_ih for every step at once: one matmul.

    dgi: (T, B, kH), W_ih: (kH, D) -> (T, B, D).
    """
    T, B, kH = dgi.shape
    return (dgi.reshape(T * B, kH) @ W_ih).reshape(T, B, -1)


def half_sigmoid_rows(kind, H, dtype):
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


def weight_grads(dgi, x, dgh, h_in):
    """Gradients of the weights and biases from per-step pre-activation grads.

    dgi: (T, B, kH) grads of the input projections; x: (T, B, D).
    dgh: (T, B, kH) grads of the hidden projections; h_in: (T, B, H) or a list
    of (T, B, H) arrays, one per block, the hidden input each block multiplied.
    -> dparams with the four keys of the parameter dict.
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
