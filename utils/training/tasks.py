"""The small memory tasks the cells are trained on, and each task's baseline.

first_bit (notebook 04), the adding problem and the copy task (notebook 06).
"""

import numpy as np


def first_bit_task(T, B, rng, noise=0.5):
    """x (T, B, 2): channel 0 holds a bit +-1 at t = 0 and zeros after; channel 1
    is noise N(0, noise^2) at every step. y (B, 1): the bit. Predicting 0 scores
    MSE 1. Used in notebooks/04_lstm_backward.ipynb.
    """
    bits = rng.choice([-1.0, 1.0], size=B)
    x = np.zeros((T, B, 2))
    x[0, :, 0] = bits
    x[:, :, 1] = noise * rng.standard_normal((T, B))
    return x, bits[:, None]


# ----------------------------------------------------------------------------------
# Long-lag benchmark tasks (notebook 06) and a generic training loop
# ----------------------------------------------------------------------------------


def adding_problem(T, B, rng):
    """The adding problem (Le, Jaitly & Hinton 2015; Arjovsky et al. 2016).

    x (T, B, 2): channel 0 values uniform in [0, 1], channel 1 a mask with one 1 in
    the first half and one in the second; y (B, 1): the sum of the two marked
    values. Predicting 1 scores MSE 1/6, the variance of the sum.
    """
    if T < 2:
        raise ValueError(f"T must be at least 2, got {T}")
    x = np.zeros((T, B, 2))
    x[:, :, 0] = rng.uniform(0, 1, (T, B))
    first = rng.integers(0, T // 2, B)
    second = rng.integers(T // 2, T, B)
    x[first, np.arange(B), 1] = 1
    x[second, np.arange(B), 1] = 1
    y = x[first, np.arange(B), 0] + x[second, np.arange(B), 0]
    return x, y[:, None]


COPY_SYMBOLS, COPY_LENGTH = 8, 10  # symbols 1..8; 0 is blank, 9 the marker


def copy_task(T, B, rng):
    """The copy-memory task of Arjovsky, Shah & Bengio (2016).

    10 symbols from an alphabet of 8, then T - 1 blanks, a marker, and 10 blanks
    during which the symbols must be reproduced. x (T + 20, B, 10) one-hot inputs;
    y (T + 20, B) target classes: blank everywhere but the last 10 steps. A model
    that outputs blanks and then guesses uniformly scores a cross-entropy of
    10 ln 8 / (T + 20) per step.
    """
    if T < 1:
        raise ValueError(f"T must be at least 1, got {T}")
    L = T + 2 * COPY_LENGTH
    symbols = rng.integers(1, COPY_SYMBOLS + 1, (COPY_LENGTH, B))
    seq = np.zeros((L, B), dtype=int)
    seq[:COPY_LENGTH] = symbols
    seq[COPY_LENGTH + T - 1] = COPY_SYMBOLS + 1  # the marker
    y = np.zeros((L, B), dtype=int)
    y[-COPY_LENGTH:] = symbols
    x = np.eye(COPY_SYMBOLS + 2)[seq]
    return x, y


def baseline(task, T):
    """The loss of the best memoryless prediction (the dashed line on the curves)."""
    if task == "first_bit":
        return 1.0  # predict 0 for a bit of +-1
    if task == "adding":
        return 1 / 6
    if task == "copy":
        return COPY_LENGTH * np.log(COPY_SYMBOLS) / (T + 2 * COPY_LENGTH)
    raise ValueError(f"task must be 'first_bit', 'adding' or 'copy', got {task!r}")


TASKS = {"first_bit": first_bit_task, "adding": adding_problem, "copy": copy_task}
