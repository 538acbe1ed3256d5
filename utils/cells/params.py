"""The parameter dicts of the three cells: names, gate order, shapes, initialisation.

The keys, shapes and gate order are exactly those of PyTorch's single-layer
``state_dict``, so ``{k: v.numpy() for k, v in module.state_dict().items()}`` loads.
Introduced in notebooks/00_start_here.ipynb.
"""

import numpy as np

KINDS = ("rnn", "lstm", "gru")
PARAM_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
N_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
GATE_ORDER = {
    "rnn": ("hidden",),
    "lstm": ("input", "forget", "cell candidate", "output"),
    "gru": ("reset", "update", "new"),
}


def check_kind(kind):
    """kind itself, after checking that it is 'rnn', 'lstm' or 'gru'."""
    if kind not in N_BLOCKS:
        raise ValueError(f"kind must be one of {sorted(N_BLOCKS)}, got {kind!r}")
    return kind


def param_shapes(kind, input_size, hidden_size):
    """{key: shape} of `kind`'s parameter dict: weight_ih_l0 (kH, D), weight_hh_l0
    (kH, H), bias_ih_l0 (kH,), bias_hh_l0 (kH,), k the number of blocks."""
    kH = N_BLOCKS[check_kind(kind)] * hidden_size
    return {
        "weight_ih_l0": (kH, input_size),
        "weight_hh_l0": (kH, hidden_size),
        "bias_ih_l0": (kH,),
        "bias_hh_l0": (kH,),
    }


def init_params(kind, input_size, hidden_size, rng, dtype=np.float64):
    """Random parameters with PyTorch's default init, U(-1/sqrt(H), 1/sqrt(H)).

    kind: 'rnn', 'lstm' or 'gru'; rng: numpy Generator -> dict with the keys
    weight_ih_l0 (kH, D), weight_hh_l0 (kH, H), bias_ih_l0 (kH,), bias_hh_l0 (kH,).
    Introduced in notebooks/00_start_here.ipynb.
    """
    check_kind(kind)
    for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    bound = 1 / np.sqrt(hidden_size)
    shapes = param_shapes(kind, input_size, hidden_size)
    return {k: rng.uniform(-bound, bound, s).astype(dtype) for k, s in shapes.items()}
