"""The three cells behind one name: ``forward(kind, ...)`` and ``backward(kind, ...)``
for code that trains or compares any of them (utils.training, utils.charlm,
utils.gradients). The one place that dispatches on the cell's kind.
"""

from .gru import gru_backward, gru_forward
from .lstm import lstm_backward, lstm_forward
from .params import check_kind
from .rnn import rnn_backward, rnn_forward


def forward(kind, x, params, h0=None, c0=None, reset_after=True):
    """Run `kind` ('rnn', 'lstm' or 'gru') over x (T, B, D).

    -> out (T, B, H), the final state (h_n, or (h_n, c_n) for the LSTM), cache.
    c0 is the LSTM's only; reset_after the GRU's only.
    """
    check_kind(kind)
    if kind == "lstm":
        return lstm_forward(x, params, h0, c0)
    if c0 is not None:
        raise ValueError(f"c0 is the LSTM's initial cell state; a {kind} has none")
    if kind == "gru":
        return gru_forward(x, params, h0, reset_after=reset_after)
    return rnn_forward(x, params, h0)


def backward(kind, dout, cache, dh_n=None, dc_n=None):
    """Backpropagation through time for `kind`, from forward()'s cache.

    -> dx, dparams, and the initial state's gradient (dh0, or (dh0, dc0) for the
    LSTM), so that every kind returns three things.
    """
    check_kind(kind)
    if kind == "lstm":
        dx, dparams, dh0, dc0 = lstm_backward(dout, cache, dh_n, dc_n)
        return dx, dparams, (dh0, dc0)
    if dc_n is not None:
        raise ValueError(f"dc_n is the LSTM's cell-state gradient; a {kind} has none")
    if kind == "gru":
        return gru_backward(dout, cache, dh_n)
    return rnn_backward(dout, cache, dh_n)
