"""The activations every cell and readout uses: the logistic sigmoid and the softmax.

Derived in notebooks/00_start_here.ipynb (sigmoid, tanh) and
notebooks/07_char_language_model.ipynb (softmax).
"""

import numpy as np


def sigmoid(a):
    """Logistic function 1 / (1 + exp(-a)) without overflow, elementwise.

    a: any shape, float32 or float64 -> same shape and dtype. exp is only ever
    taken of -|a| <= 0, so it lies in (0, 1] and cannot overflow.
    Derived in notebooks/00_start_here.ipynb.
    """
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def log_softmax(logits, axis=-1):
    """log p_i = l_i - log sum_j exp(l_j) over one axis, without overflow.

    logits: any shape -> same shape and dtype. The maximum is subtracted first, so
    exp only sees numbers <= 0.
    """
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits, axis=-1):
    """p_i = exp(l_i) / sum_j exp(l_j) over one axis, without overflow.

    logits: any shape -> same shape and dtype, each slice along axis summing to 1.
    Derived in notebooks/07_char_language_model.ipynb.
    """
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
