"""The mistakes of notebooks/07_char_language_model.ipynb's exercises 7.1 (softmax
with a temperature) and 7.2 (bits per character), for
nb07_char_language_model.py.
"""

import numpy as np

from ..cells import log_softmax, softmax


def softmax_temperature_mistakes():
    """[(wrong function of (logits, temperature), hint)]."""
    return [
        (
            lambda z, T: softmax(z * T),
            "you multiplied the logits by the temperature; divide: "
            "softmax(logits / temperature), so that a low temperature sharpens.",
        ),
        (
            lambda z, T: softmax(z),
            "the temperature has no effect in your function: divide the logits "
            "by it before the exponential (after it, it cancels in the "
            "normalisation).",
        ),
        (
            lambda z, T: softmax(z) ** (1 / T),
            "you raised the probabilities to the power 1/temperature without "
            "normalising again; they must sum to 1 (softmax(logits / temperature) "
            "does both).",
        ),
        (
            lambda z, T: softmax(z / T, axis=0),
            "you normalised over axis 0; each row is one distribution over the "
            "vocabulary, so normalise over the last axis (axis=-1).",
        ),
        (
            lambda z, T: (
                np.exp(z / T - (z / T).max()) / np.exp(z / T - (z / T).max()).sum()
            ),
            "you normalised over every element at once; each row is one "
            "distribution: sum over the last axis with keepdims=True.",
        ),
        (
            lambda z, T: softmax(z / T, axis=1),
            "you normalised over axis 1; for logits of more than two dimensions "
            "that is not the vocabulary: normalise over the last axis (axis=-1), "
            "which works for any number of dimensions.",
        ),
        (
            lambda z, T: (
                np.exp(z / T - (z / T).max(-1, keepdims=True))
                / np.exp(z / T - (z / T).max(-1, keepdims=True)).sum(-1)
            ),
            "you divided by the row sums without keepdims: e.sum(axis=-1) has one "
            "entry per row and broadcasts along the columns (each column is divided "
            "by the sum of another row). Use e.sum(axis=-1, keepdims=True).",
        ),
        (
            lambda z, T: softmax(z / T - (z / T).max(-1)),
            "you subtracted the row maxima without keepdims: z.max(axis=-1) has "
            "one entry per row and broadcasts along the columns, so each column "
            "moves by a different amount. Use z.max(axis=-1, keepdims=True).",
        ),
        (
            lambda z, T: np.log(softmax(z / T)),
            "you returned log-probabilities; return the probabilities themselves.",
        ),
        (
            lambda z, T: np.exp(z / T) / np.exp(z).sum(axis=-1, keepdims=True),
            "the normaliser must use the same scaled logits: "
            "exp(l_i / tau) / sum_j exp(l_j / tau).",
        ),
    ]


def _log2_softmax(logits, axis=-1):
    return log_softmax(logits, axis=axis) / np.log(2)


def log2_softmax_at(logits, targets):
    """log2 of softmax(logits) (N, V) at each row's target -> (N,): what exercise
    7.2 averages, with its sign flipped."""
    return _log2_softmax(logits)[np.arange(len(targets)), targets]


def bits_per_char_mistakes():
    """[(wrong function of (logits, targets), hint)]."""
    return [
        (
            lambda z, y: -log2_softmax_at(z, y).mean() * np.log(2),
            "that is the cross-entropy in nats (natural log); bits use log base "
            "2: divide by ln 2.",
        ),
        (
            lambda z, y: -log2_softmax_at(z, y).mean() * np.log10(2),
            "you used log base 10; bits are log base 2.",
        ),
        (
            lambda z, y: -log2_softmax_at(z, y).sum(),
            "you summed over the characters; bits per character is the mean.",
        ),
        (
            lambda z, y: log2_softmax_at(z, y).mean(),
            "the sign is flipped: the cost of a character is -log2 p, a positive "
            "number.",
        ),
        (
            lambda z, y: -log2_softmax_at(z, z.argmax(-1)).mean(),
            "you took the probability of the most likely character; take the "
            "probability the model gave the *actual* next character, targets[n].",
        ),
        (
            lambda z, y: -np.log2(softmax(z)[np.arange(len(y)), y].mean()),
            "you averaged the probabilities before the log; average the "
            "log-probabilities: mean of -log2 p.",
        ),
        (
            lambda z, y: -log2_softmax_at(z[:-1], y[1:]).mean(),
            "your targets are shifted by one: logits[n] already predicts "
            "targets[n] (the next character); pair them as given.",
        ),
        (
            lambda z, y: -log2_softmax_at(z[1:], y[:-1]).mean(),
            "your targets are shifted by one (logits[n + 1] with targets[n]): "
            "logits[n] already predicts targets[n] (the next character); pair "
            "them as given.",
        ),
        (
            lambda z, y: -log2_softmax_at(z, np.roll(y, -1)).mean(),
            "you moved the targets along by one with np.roll; they are already "
            "the next characters: logits[n] predicts targets[n], pair them as "
            "given.",
        ),
        (
            lambda z, y: -_log2_softmax(z)[:, y].mean(),
            "log_p[:, targets] is an (N, N) table (every row at every target); "
            "pick one entry per row with log_p[np.arange(N), targets].",
        ),
        (
            lambda z, y: -_log2_softmax(z)[y].mean(),
            "log_p[targets] picks rows (row targets[n] for each n), not one entry "
            "per row; pick log_p[np.arange(N), targets].",
        ),
        (
            lambda z, y: -_log2_softmax(z).mean(),
            "you averaged -log2 p over every entry of the (N, V) table; only the "
            "entry of the true next character counts in each row: "
            "log_p[np.arange(N), targets].",
        ),
        (
            lambda z, y: -(_log2_softmax(z, axis=0)[np.arange(len(y)), y]).mean(),
            "you normalised over axis 0; each row of logits is one distribution "
            "over the vocabulary: log-softmax over the last axis (axis=-1).",
        ),
        (
            lambda z, y: -log2_softmax_at(z, y).mean() * np.log(2) ** 2,
            "you multiplied by ln 2; log2 p = ln p / ln 2, so divide the "
            "natural-log cross-entropy by ln 2.",
        ),
    ]
