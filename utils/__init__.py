"""The course's Python package, arranged as the course is.

    cells/      the equations of the RNN, LSTM and GRU (notebooks 01-05), stacked
                and bidirectional (09), numpy only
    training/   optimiser, memory tasks and training loop (02, 04, 06), the
                encoder-decoder, its decoding (10), numpy only
    gradients   gradient checks and the gradient-flow measurements (02, 04)
    charlm      the character language model (07)
    variants    the LSTM variants of the ablation (08)
    data        the shipped data files, checksum verified
    reproduce   what "a stored run reproduces" means on another machine
    check/      the exercise checks, one module per notebook, with the mistakes
                they recognise: ``from utils import check``
    widgets/    the explorers, one module per notebook, and the live loss curve
    plots       figures shared by notebooks and widgets
    release     student copies of the solution notebooks

Imports point one way: cells -> (training, gradients, variants, charlm, data) ->
(check, widgets) -> notebooks. ``import utils`` is cheap: a submodule is imported
the first time one of its names is used (PEP 562), so the maths never loads
ipywidgets or matplotlib.
"""

import importlib

_SUBMODULES = (
    "cells",
    "charlm",
    "check",
    "data",
    "gradients",
    "plots",
    "release",
    "reproduce",
    "training",
    "variants",
    "widgets",
)
# name -> the submodule that defines it
_NAMES = {
    **dict.fromkeys(
        (
            "rnn_step",
            "rnn_forward",
            "rnn_backward",
            "lstm_step",
            "lstm_forward",
            "lstm_backward",
            "gru_step",
            "gru_forward",
            "gru_backward",
            "gru_jacobian",
            "lstm_jacobian",
            "init_params",
            "multi_forward",
            "multi_backward",
            "init_multi_params",
            "sigmoid",
        ),
        "cells",
    ),
    "numerical_gradient": "gradients",
    "rel_error": "gradients",
}

__all__ = [*_SUBMODULES, *_NAMES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        module = importlib.import_module(f".{_NAMES[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value  # found once, then an ordinary attribute
        return value
    raise AttributeError(f"module 'utils' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
