"""The equations of the three cells, numpy only: one module per cell.

    rnn.py          the vanilla RNN: rnn_step, rnn_forward, rnn_backward (01-02)
    lstm.py         the LSTM: lstm_step, lstm_cell, lstm_forward, ... (03-04), and
                    its step's Jacobian lstm_jacobian (06)
    gru.py          the GRU in both reset placements: gru_step, gru_cell, ... (05),
                    and its step's Jacobian gru_jacobian (06)
    one_unit.py     the one-unit RNN of notebook 01: its run, fixed points, regime
    activations.py  sigmoid, softmax, log_softmax
    params.py       parameter names, gate order, shapes, PyTorch's initialisation
    validate.py     argument checks that raise ValueError naming argument and shape
    fast.py         the tricks that make the sequence functions fast
    kinds.py        forward(kind, ...) and backward(kind, ...) for any of the three
    multi.py        stacked and bidirectional networks, padded batches, dropout
                    between layers: multi_forward, multi_backward (09)
    multi_params.py their parameter names and shapes (PyTorch's multi-layer keys)

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

from . import fast, validate
from .activations import log_softmax, sigmoid, softmax
from .gru import gru_backward, gru_cell, gru_forward, gru_jacobian, gru_step
from .kinds import backward, forward
from .lstm import (
    lstm_backward,
    lstm_cell,
    lstm_forward,
    lstm_jacobian,
    lstm_step,
)
from .multi import check_lengths, multi_backward, multi_forward, reverse_padded
from .multi_params import (
    init_multi_params,
    layer_params,
    multi_layout,
    multi_param_keys,
    multi_param_shapes,
)
from .one_unit import fixed_points, one_unit_rnn, regime
from .params import (
    GATE_ORDER,
    KINDS,
    N_BLOCKS,
    PARAM_KEYS,
    check_kind,
    init_params,
    param_shapes,
)
from .rnn import rnn_backward, rnn_forward, rnn_step

__all__ = [
    "GATE_ORDER",
    "KINDS",
    "N_BLOCKS",
    "PARAM_KEYS",
    "backward",
    "check_kind",
    "check_lengths",
    "fast",
    "fixed_points",
    "forward",
    "gru_backward",
    "gru_cell",
    "gru_forward",
    "gru_jacobian",
    "gru_step",
    "init_multi_params",
    "init_params",
    "layer_params",
    "log_softmax",
    "lstm_backward",
    "lstm_cell",
    "lstm_forward",
    "lstm_jacobian",
    "lstm_step",
    "multi_backward",
    "multi_forward",
    "multi_layout",
    "multi_param_keys",
    "multi_param_shapes",
    "one_unit_rnn",
    "param_shapes",
    "regime",
    "rnn_backward",
    "rnn_forward",
    "reverse_padded",
    "rnn_step",
    "sigmoid",
    "softmax",
    "validate",
]
