"""A task that needs the past and the future at once, and a tagger trained on it
(notebook 09).

Every step holds a random bit; the target at step t is whether the bits just
before and just after it agree, x_{t-1} = x_{t+1}. A network that reads forwards
has not seen x_{t+1} at step t, which is independent of everything before, so it
cannot beat chance (50%). One bidirectional layer sees both bits, x_{t-1} in its
forward state and x_{t+1} in its reverse state, but a linear readout of the two
states adds a function of the past to a function of the future, and agreement is
no such sum; under the logistic loss the best such sum is a constant (agreement
is uncorrelated with either bit alone), chance again. A second bidirectional
layer reads both states together, through its nonlinearities. Batches are
padded: each sequence has its own length, so the packed-sequence computation is
exercised too.
"""

import time

import numpy as np

from .. import cells
from .optim import Adam, clip_grad_norm


def agreement_task(T, B, rng, min_length=None):
    """Padded sequences of random bits and, at each step, whether its two
    neighbours agree.

    -> x (T, B, 1): +-1 at the real steps, 0 at the padding; y (T, B) in {0, 1}:
    y[t, b] = 1 when x[t - 1, b] = x[t + 1, b]; mask (T, B): where y is defined,
    1 <= t <= L_b - 2; lengths (B,) uniform in [min_length, T] (default T // 2, at
    least 3).
    """
    if not isinstance(T, (int, np.integer)) or T < 3:
        raise ValueError(f"T must be an integer >= 3, got {T!r}")
    lo = max(3, T // 2) if min_length is None else min_length
    if not isinstance(lo, (int, np.integer)) or not 3 <= lo <= T:
        raise ValueError(f"min_length must lie in [3, T] = [3, {T}], got {lo!r}")
    lengths = rng.integers(lo, T + 1, B)
    t = np.arange(T)[:, None]
    bits = rng.choice([-1.0, 1.0], size=(T, B)) * (t < lengths)
    y = np.zeros((T, B), dtype=np.int64)
    y[1:-1] = bits[:-2] == bits[2:]
    mask = (t >= 1) & (t <= lengths - 2)
    return bits[..., None], y, mask, lengths


def tagger_loss(out, y, mask, w, b):
    """Mean logistic loss of a linear readout p_t = sigma(out_t w^T + b) over the
    masked steps -> loss, accuracy, dout (like out), dw (1, F), db (1,)."""
    logit = (out @ w.T)[..., 0] + b[0]  # (T, B)
    p = cells.sigmoid(logit)
    n = mask.sum()
    # -[y log p + (1 - y) log(1 - p)], written with log-sigmoids that cannot overflow
    nll = np.logaddexp(0, -logit) * y + np.logaddexp(0, logit) * (1 - y)
    loss = float((nll * mask).sum() / n)
    accuracy = float((((p > 0.5) == (y == 1)) & mask).sum() / n)
    dlogit = (p - y) * mask / n
    dout = dlogit[..., None] * w[0]
    dw = (dlogit[..., None] * out).sum(axis=(0, 1))[None]
    return loss, accuracy, dout, dw, np.array([dlogit.sum()])


def train_tagger(
    kind,
    bidirectional,
    H=8,
    T=12,
    num_layers=1,
    steps=300,
    batch=32,
    lr=1e-2,
    seed=0,
    eval_every=25,
    eval_size=512,
    progress=None,
):
    """Train a stacked, possibly bidirectional network of `kind` with a linear
    readout on the agreement task (Adam, clipping at 1, PyTorch's initialisation),
    over padded batches.

    -> dict with 'train' (loss per step, nats), 'eval_steps', 'eval_bits' (held-out
    loss in bits per masked step: 1 is chance) and 'eval_accuracy', 'params',
    'readout' (w, b) and 'seconds'. progress: an
    object with update(step, loss), e.g. utils.widgets.LiveLoss.
    Used in notebooks/09_deeper_and_bidirectional.ipynb.
    """
    cells.check_kind(kind)
    rng = np.random.default_rng(seed)
    dirs = 2 if bidirectional else 1
    net = cells.init_multi_params(kind, 1, H, num_layers, bidirectional, rng)
    bound = 1 / np.sqrt(dirs * H)
    params = dict(net, w=rng.uniform(-bound, bound, (1, dirs * H)), b=np.zeros(1))
    net = {k: params[k] for k in net}
    opt = Adam(params, lr=lr)
    x_eval, y_eval, m_eval, l_eval = agreement_task(
        T, eval_size, np.random.default_rng(10_000 + seed)
    )
    losses, eval_steps, bits, accuracies = [], [], [], []
    start = time.perf_counter()
    for step in range(steps + 1):
        if step % eval_every == 0 or step == steps:
            out = cells.multi_forward(kind, x_eval, net, lengths=l_eval)[0]
            loss, acc = tagger_loss(out, y_eval, m_eval, params["w"], params["b"])[:2]
            eval_steps.append(step)
            bits.append(loss / np.log(2))
            accuracies.append(acc)
        if step == steps:
            break
        x, y, mask, lengths = agreement_task(T, batch, rng)
        out, _, cache = cells.multi_forward(kind, x, net, lengths=lengths)
        loss, _, dout, dw, db = tagger_loss(out, y, mask, params["w"], params["b"])
        grads = cells.multi_backward(dout, cache)[1]
        grads, _ = clip_grad_norm(dict(grads, w=dw, b=db), 1.0)
        opt.step(grads)
        losses.append(loss)
        if progress is not None:
            progress.update(step + 1, loss)
    return {
        "train": np.array(losses),
        "eval_steps": np.array(eval_steps),
        "eval_bits": np.array(bits),
        "eval_accuracy": np.array(accuracies),
        "params": net,
        "readout": (params["w"], params["b"]),
        "seconds": time.perf_counter() - start,
    }
