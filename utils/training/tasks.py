"""The small memory tasks the cells are trained on, and each task's baseline.

first_bit (notebook 04), the adding problem, the copy task and counting (a^n b^n)
(notebook 06).
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


IGNORE = -1  # a target class that no loss counts: the steps after a sequence ends


def counting_task(N, B, rng):
    """a^n b^n with n uniform in 1..N: predict at every step whether the sequence
    ends after this symbol (Gers & Schmidhuber 2001's next-symbol prediction
    reduced to its one hard part; Weiss, Goldberg & Yahav 2018).

    x (2N, B, 2): one-hot a (channel 0) for n steps, then b (channel 1) for n
    steps, then zeros. y (2N, B): class 1 at the last b (t = 2n - 1), 0 before,
    IGNORE after. Only a model that counts the a's knows which b is the last.
    """
    if N < 1:
        raise ValueError(f"N must be at least 1, got {N}")
    n = rng.integers(1, N + 1, B)
    return counting_sequences(n, 2 * N)


def counting_sequences(n, T):
    """a^n b^n for each n in the 1-D integer array n, padded to T steps
    -> x (T, B, 2), y (T, B) as in counting_task."""
    n = np.asarray(n)
    if n.ndim != 1 or n.size == 0 or n.min() < 1 or 2 * n.max() > T:
        raise ValueError(
            f"n must be a 1-D array of counts 1..T/2 = {T // 2}, got shape "
            f"{n.shape} with values {n.min() if n.size else None}.."
            f"{n.max() if n.size else None}"
        )
    t = np.arange(T)[:, None]  # (T, 1) against n (B,)
    x = np.zeros((T, len(n), 2))
    x[:, :, 0] = t < n
    x[:, :, 1] = (t >= n) & (t < 2 * n)
    y = np.where(t < 2 * n - 1, 0, IGNORE)
    y[t == 2 * n - 1] = 1
    return x, y


def baseline(task, T):
    """The loss of the best memoryless prediction (the dashed line on the curves)."""
    if task == "first_bit":
        return 1.0  # predict 0 for a bit of +-1
    if task == "adding":
        return 1 / 6
    if task == "copy":
        return COPY_LENGTH * np.log(COPY_SYMBOLS) / (T + 2 * COPY_LENGTH)
    if task == "counting":
        return counting_baseline(T)
    raise ValueError(
        f"task must be 'first_bit', 'adding', 'copy' or 'counting', got {task!r}"
    )


def counting_baseline(N):
    """The cross-entropy of the best memoryless prediction: after an a, "does not
    end" (exactly right); after any b, "ends" with the share of b's that are last,
    p = 1 / E[n] = 2 / (N + 1). Per counted step (the 2n of each sequence), as
    task_loss averages them: (-(E[n] - 1) ln(1 - p) - ln p) / E[2n]."""
    mean_n = (N + 1) / 2
    p = 1 / mean_n
    nats = -np.log(p) - ((mean_n - 1) * np.log1p(-p) if p < 1 else 0.0)
    return float(nats / (2 * mean_n))


TASKS = {
    "first_bit": first_bit_task,
    "adding": adding_problem,
    "copy": copy_task,
    "counting": counting_task,
}
