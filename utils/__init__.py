"""The course's Python package.

Reference cells (``rnn_forward`` ... ``gru_step``), gradient checks, exercise checks
(``from utils import check``), widgets, plots and the shipped data. The module
layout is an implementation detail: the names below are the public interface.
"""

from . import (
    cells,
    charlm,
    check,
    data,
    gradients,
    mistakes,
    plots,
    training,
    variants,
    widgets,
)
from .cells import (
    gru_backward,
    gru_forward,
    gru_step,
    init_params,
    lstm_backward,
    lstm_forward,
    lstm_step,
    rnn_backward,
    rnn_forward,
    rnn_step,
    sigmoid,
)
from .gradients import numerical_gradient, rel_error

__all__ = [
    "cells",
    "charlm",
    "check",
    "data",
    "gradients",
    "mistakes",
    "plots",
    "training",
    "variants",
    "widgets",
    "rnn_step",
    "rnn_forward",
    "rnn_backward",
    "lstm_step",
    "lstm_forward",
    "lstm_backward",
    "gru_step",
    "gru_forward",
    "gru_backward",
    "init_params",
    "sigmoid",
    "numerical_gradient",
    "rel_error",
]
