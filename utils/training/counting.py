"""Counting (notebook 06): what a cell trained on a^n b^n predicts far beyond the
counts it was trained on, and the state it counts with.

A model trained by ``train(kind, "counting", N, ...)`` reads a^n and then b's and
says, after each symbol, whether the sequence ends next (tasks.counting_task). Here
it reads a^n followed by 2n b's, so that both stopping early and stopping late
show: its count of n is the number of b's after which it first says "ends".
"""

import numpy as np

from .. import cells
from .tasks import counting_sequences


def split_model(params):
    """A trained model's dict (train's 'params') -> (cell params, w_out, b_out)."""
    missing = [k for k in (*cells.PARAM_KEYS, "w_out", "b_out") if k not in params]
    if missing:
        raise ValueError(
            f"params must be a trained model's dict (cell keys, 'w_out', 'b_out'); "
            f"missing {missing}"
        )
    return {k: params[k] for k in cells.PARAM_KEYS}, params["w_out"], params["b_out"]


def count_run(kind, params, ns):
    """Run a trained counting model on a^n b^(2n) for each n in ns.

    kind: 'rnn', 'lstm' or 'gru'; params: train's 'params'; ns: 1-D array of
    counts >= 1 -> dict with
      'ns' (B,); 'count' (B,): the number of b's after which the model first says
      "ends" (0 if it says so during the a's, -1 if never within 2n b's);
      'correct' (B,) bool: count == n, i.e. right at every step of a^n b^n;
      'margin' (3 n_max, B): logit of "ends" minus logit of "goes on", every step;
      'h' (3 n_max, B, H) the hidden states, 'gates' (3 n_max, B, kH) every step's
      gates as the forward cache holds them (None for the RNN), and for the LSTM
      'c' the cells.
    Steps after a sequence's own 3n are padding (zero inputs).
    Used by notebooks/06_lstm_vs_gru.ipynb and scripts/counting.py.
    """
    cells.check_kind(kind)
    cell, w_out, b_out = split_model(params)
    ns = np.asarray(ns)
    if ns.ndim != 1 or ns.size == 0 or not np.issubdtype(ns.dtype, np.integer):
        raise ValueError(f"ns must be a 1-D array of integers, got shape {ns.shape}")
    if ns.min() < 1:
        raise ValueError(f"ns must be counts of at least 1, got {ns.min()}")
    T = 3 * int(ns.max())
    x, _ = counting_sequences(ns, 2 * int(ns.max()))
    x = np.concatenate([x, np.zeros((T - len(x),) + x.shape[1:])])
    t = np.arange(T)[:, None]
    x[:, :, 1] = (t >= ns) & (t < 3 * ns)  # 2n b's after the a's
    x = x.astype(w_out.dtype)
    out, _, cache = cells.forward(kind, x, cell)
    logits = out @ w_out.T + b_out
    margin = logits[..., 1] - logits[..., 0]
    says_end = (margin > 0) & (t < 3 * ns)
    first = np.where(says_end.any(0), says_end.argmax(0), -1)  # the step, or -1
    count = np.where(first >= 0, first + 1 - ns, -1)
    count = np.where((first >= 0) & (first < ns), 0, count)  # ended among the a's
    result = {"ns": ns, "count": count, "correct": count == ns, "margin": margin}
    result["h"], result["gates"] = out, cache.get("gates")
    if kind == "lstm":
        result["c"] = cache["cs"][1:]
    return result


def correct_up_to(ns, correct):
    """The largest n such that every count from ns[0] to n is right (0 if the first
    is wrong): ns sorted, consecutive."""
    wrong = np.flatnonzero(~np.asarray(correct))
    return int(ns[wrong[0]] - 1) if wrong.size else int(ns[-1])
