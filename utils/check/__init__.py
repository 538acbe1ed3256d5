"""Exercise checks: ``check.<exercise>(your_function)``.

Each check runs your function on hidden cases made from fixed seeds (several shapes
with D != H and B > 1, float32 and float64), prints a short report and raises
``AssertionError`` with a hint when something is wrong. A function that still
raises the ``NotImplementedError`` of its stub is reported as not attempted yet
(``NotAttempted``), never as a crash of the check.

A small harness, then one module per notebook with its checks and the mistakes
they recognise (in a notebook's ``_mistakes`` module where both do not fit in one):

    harness.py         the exercise wrapper, NotAttempted, CheckFailed, the report
    calling.py         calling the student's function: copies, a time limit, hints
    references.py      the references unavailable while the student's code runs
    where.py           the student's own line in a traceback
    values.py          what a function returned: type, length, shape, dtype, keys
    diagnose.py        comparing with the answer, naming the mistake, the message
    cases.py           the hidden cases several notebooks share
    runners.py         one hidden case of a step or a step-backward exercise
    common_mistakes.py the mistakes every cell shares, and the variants' pieces

    nb00_start_here.py             exercises 0.1, 0.2
    nb01_vanilla_rnn.py            1.1, 1.2, 1.3
    nb02_backprop_through_time.py  2.1, 2.2 (nb02_mistakes.py); nb02_clipping.py 2.3
    nb03_lstm.py                   3.1, 3.2, 3.3 (nb03_mistakes.py)
    nb04_lstm_backward.py          4.1 (through time)
    nb05_gru.py                    5.1, 5.2, 5.3, 5.4 (nb05_mistakes.py)
    nb06_lstm_vs_gru.py            6.1, 6.3 (nb06_mistakes.py)
    nb07_char_language_model.py    7.1, 7.2, 7.3 (nb07_mistakes.py)
    nb08_lstm_ablation.py          8.1
    nb09_deeper_and_bidirectional.py  9.1, 9.2 (nb09_mistakes.py)
    nb10_sequence_to_sequence.py   10.1, 10.2 (nb10_mistakes.py)
"""

from .harness import CheckFailed, NotAttempted
from .nb00_start_here import sigmoid_grad, stable_sigmoid
from .nb01_vanilla_rnn import latch, latch_run, rnn_forward, rnn_step
from .nb02_backprop_through_time import rnn_backward, rnn_step_backward
from .nb02_clipping import clip_by_norm
from .nb03_lstm import (
    lstm_forward,
    lstm_step,
    pulse_memory,
    pulse_memory_inputs,
    pulse_memory_run,
)
from .nb04_lstm_backward import lstm_backward
from .nb05_gru import flip_interpolation, gru_step, gru_step_backward, param_count
from .nb06_lstm_vs_gru import cifg_step, gru_jacobian
from .nb07_char_language_model import (
    bits_per_char,
    line_position_cell,
    softmax_temperature,
)
from .nb08_lstm_ablation import peephole_step
from .nb09_deeper_and_bidirectional import bigru_forward, deep_bigru_backward
from .nb10_sequence_to_sequence import beam_step, sequence_nll

# A student's function gets this many seconds per hidden case (they are tiny); past
# that it is stopped, so that an endless loop cannot hang the notebook. Read when a
# case starts, so that `check.TIME_LIMIT = 30` takes effect at once.
TIME_LIMIT = 10.0

__all__ = [
    "TIME_LIMIT",
    "CheckFailed",
    "NotAttempted",
    "bigru_forward",
    "beam_step",
    "bits_per_char",
    "cifg_step",
    "deep_bigru_backward",
    "clip_by_norm",
    "flip_interpolation",
    "gru_jacobian",
    "gru_step",
    "gru_step_backward",
    "latch",
    "latch_run",
    "line_position_cell",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "param_count",
    "peephole_step",
    "pulse_memory",
    "pulse_memory_inputs",
    "pulse_memory_run",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
    "rnn_step_backward",
    "sequence_nll",
    "sigmoid_grad",
    "softmax_temperature",
    "stable_sigmoid",
]
