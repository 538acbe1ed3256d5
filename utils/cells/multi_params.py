"""The parameter dicts of stacked and bidirectional networks: PyTorch's multi-layer
names and shapes, read from the keys, and PyTorch's initialisation.

The keys of ``nn.LSTM(D, H, num_layers=2, bidirectional=True).state_dict()``:
``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` for layer k,
the same with the suffix ``_reverse`` for the backward direction. Layer 0's input
weights are (kH, D); a layer k > 0 reads the concatenated outputs of layer k - 1, so
its input weights are (kH, dirs * H). Derived in
notebooks/09_deeper_and_bidirectional.ipynb.
"""

import re

import numpy as np

from . import validate
from .params import N_BLOCKS, PARAM_KEYS, check_kind

_KEY = re.compile(r"^(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$")
_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
SUFFIXES = ("", "_reverse")  # direction 0 reads forwards, direction 1 backwards


def multi_key(name, layer, direction):
    """'weight_ih_l1_reverse' from ('weight_ih', 1, 1)."""
    return f"{name}_l{layer}{SUFFIXES[direction]}"


def multi_param_keys(num_layers, dirs):
    """Every key, in the order of PyTorch's state_dict: layer by layer, in each
    layer the forward direction's four keys, then the reverse direction's."""
    return [
        multi_key(name, k, d)
        for k in range(num_layers)
        for d in range(dirs)
        for name in _NAMES
    ]


def multi_param_shapes(kind, input_size, hidden_size, num_layers=1, dirs=1):
    """{key: shape} of a multi-layer network of `kind` with dirs directions."""
    kH, H = N_BLOCKS[check_kind(kind)] * hidden_size, hidden_size
    shapes = {}
    for key in multi_param_keys(num_layers, dirs):
        name, layer = _KEY.match(key)[1], int(_KEY.match(key)[2])
        if name == "weight_ih":
            shapes[key] = (kH, input_size if layer == 0 else dirs * H)
        else:
            shapes[key] = (kH, H) if name == "weight_hh" else (kH,)
    return shapes


def multi_layout(params, kind, D):
    """Validate a multi-layer parameter dict of `kind` for inputs of size D
    -> (num_layers, dirs, H). Every key must be one of PyTorch's, every layer and
    direction complete, every array of its shape; ValueError names the key."""
    k = N_BLOCKS[check_kind(kind)]
    if not isinstance(params, dict):
        raise ValueError(
            "params must be a dict with PyTorch's multi-layer keys (weight_ih_l0, "
            f"..., weight_ih_l0_reverse, ...), got {type(params).__name__}"
        )
    layers, reverse = set(), False
    for key in params:
        found = _KEY.match(key) if isinstance(key, str) else None
        if found is None:
            raise ValueError(
                f"params has a key {key!r} that is not one of PyTorch's multi-layer "
                "keys: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, "
                "each optionally with the suffix _reverse (projections, "
                "weight_hr, are not supported)"
            )
        layers.add(int(found[2]))
        reverse |= found[3] is not None
    if not layers:
        raise ValueError(f"params has no keys; {PARAM_KEYS} at least")
    num_layers, dirs = max(layers) + 1, 2 if reverse else 1
    for key in multi_param_keys(num_layers, dirs):
        if key not in params:
            raise ValueError(
                f"params is missing key {key!r}: a {num_layers}-layer "
                f"{'bidirectional' if reverse else 'unidirectional'} {kind} has "
                "four keys per layer and direction"
            )
    W_hh = validate.array(
        "params['weight_hh_l0']", params["weight_hh_l0"], "(kH, H)", 2
    )
    H = W_hh.shape[1]
    if H == 0 or W_hh.shape[0] != k * H:
        raise ValueError(
            f"params['weight_hh_l0'] must have shape ({k}H, H) for a {kind}, got "
            f"{W_hh.shape}: {W_hh.shape[0]} rows is not {k} x {H}"
        )
    shapes = multi_param_shapes(kind, D, H, num_layers, dirs)
    for key, shape in shapes.items():
        name, layer = _KEY.match(key)[1], int(_KEY.match(key)[2])
        doc = {"weight_hh": "(kH, H)", "bias_ih": "(kH,)", "bias_hh": "(kH,)"}.get(
            name, "(kH, D)" if layer == 0 else "(kH, dirs*H)"
        )
        a = validate.array(f"params[{key!r}]", params[key], doc, len(shape))
        if a.shape != shape:
            raise ValueError(
                f"params[{key!r}] must have shape {doc} = {shape} for H = {H}, "
                f"D = {D} and {dirs} direction{'s' * (dirs > 1)}, got {a.shape}"
            )
    return num_layers, dirs, H


def layer_params(params, layer, direction):
    """One layer's one direction as a single-layer dict (keys ..._l0), for the
    single-layer cells."""
    return {
        single: params[multi_key(name, layer, direction)]
        for name, single in zip(_NAMES, PARAM_KEYS, strict=True)
    }


def init_multi_params(
    kind, input_size, hidden_size, num_layers, bidirectional, rng, dtype=np.float64
):
    """Random parameters of a stacked (and bidirectional) network with PyTorch's
    default init, every entry U(-1/sqrt(H), 1/sqrt(H)).

    -> dict with the keys of PyTorch's state_dict, in its order.
    Derived in notebooks/09_deeper_and_bidirectional.ipynb.
    """
    check_kind(kind)
    for name, size in (
        ("input_size", input_size),
        ("hidden_size", hidden_size),
        ("num_layers", num_layers),
    ):
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    bound = 1 / np.sqrt(hidden_size)
    shapes = multi_param_shapes(
        kind, input_size, hidden_size, num_layers, 2 if bidirectional else 1
    )
    return {k: rng.uniform(-bound, bound, s).astype(dtype) for k, s in shapes.items()}
