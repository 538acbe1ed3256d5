"""The training loop of notebooks 04 and 06: a cell with a linear readout, trained
on one of the tasks with Adam and clipping, the held-out loss measured as it goes.
"""

import time

import numpy as np

from .. import cells
from .optim import Adam, clip_grad_norm
from .tasks import COPY_SYMBOLS, IGNORE, TASKS

# (input size D, readout size C) of each task; the classification tasks' targets
# are classes, the others' numbers in the model's dtype
SIZES = {
    "first_bit": (2, 1),
    "adding": (2, 1),
    "copy": (COPY_SYMBOLS + 2, COPY_SYMBOLS + 2),
    "counting": (2, 2),
}
CLASSES = ("copy", "counting")


def task_loss(task, out, y, w_out, b_out):
    """Loss and its gradients for a linear readout of the states.

    first_bit, adding: MSE of a readout of the last state; copy: mean cross-entropy
    per step; counting: mean cross-entropy over the steps whose target is not
    IGNORE.
    -> loss, dout (like out), dw_out, db_out.
    """
    if task == "counting":
        return _masked_cross_entropy(out, y, w_out, b_out)
    if task in ("first_bit", "adding"):
        h = out[-1]
        err = h @ w_out.T + b_out - y
        dpred = 2 * err / len(y)
        dout = np.zeros_like(out)
        dout[-1] = dpred @ w_out
        return float(np.mean(err**2)), dout, dpred.T @ h, dpred.sum(0)
    p = cells.softmax(out @ w_out.T + b_out)  # (L, B, C)
    L, B = y.shape
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    loss = float(-np.mean(np.log(picked + 1e-300)))
    dlogits = p.copy()
    np.put_along_axis(
        dlogits, y[..., None], np.take_along_axis(p, y[..., None], -1) - 1, axis=-1
    )
    dlogits /= L * B
    dout = dlogits @ w_out
    flat_h, flat_d = (
        out.reshape(-1, out.shape[-1]),
        dlogits.reshape(-1, dlogits.shape[-1]),
    )
    return loss, dout, flat_d.T @ flat_h, flat_d.sum(0)


def _masked_cross_entropy(out, y, w_out, b_out):
    """The copy task's loss over the steps with y != IGNORE only."""
    counted = y != IGNORE  # (L, B)
    classes = np.where(counted, y, 0)[..., None]
    p = cells.softmax(out @ w_out.T + b_out)  # (L, B, C)
    picked = np.take_along_axis(p, classes, axis=-1)[..., 0]
    m = max(int(counted.sum()), 1)
    loss = float(-np.log(picked[counted] + 1e-300).sum() / m)
    dlogits = p.copy()
    np.put_along_axis(dlogits, classes, picked[..., None] - 1, axis=-1)
    dlogits *= counted[..., None] / m
    flat_h, flat_d = out.reshape(-1, out.shape[-1]), dlogits.reshape(-1, p.shape[-1])
    return loss, dlogits @ w_out, flat_d.T @ flat_h, flat_d.sum(0)


def train(
    kind,
    task,
    T,
    H=32,
    lr=1e-3,
    steps=1000,
    batch=32,
    seed=0,
    clip=1.0,
    eval_every=50,
    progress=None,
    eval_size=256,
    target=None,
    time_limit=None,
    dtype=np.float64,
    forget_bias=0.0,
):
    """Train an RNN, LSTM or GRU with a linear readout on a task of TASKS.

    Adam, global-norm clipping, PyTorch's initialisation; forget_bias is added to
    the LSTM's forget-gate biases (split between b_ih and b_hh). Every eval_every steps
    the loss on a fixed held-out batch of eval_size sequences is recorded; training
    stops early once it is below target (if given) or after time_limit seconds (if
    given). dtype: float64 (the course's default) or float32 (twice as fast).
    -> dict with 'train' (loss per step taken), 'eval_steps', 'eval', 'seconds' and
    'params' (the trained cell's dict with the readout's 'w_out' and 'b_out').
    Used by notebooks/04_lstm_backward.ipynb and 06_lstm_vs_gru.ipynb,
    scripts/compare_models.py and scripts/bench_kernels.py.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {tuple(TASKS)}, got {task!r}")
    cells.check_kind(kind)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    if forget_bias and kind != "lstm":
        raise ValueError(f"forget_bias is for the LSTM, not the {kind.upper()}")
    make = TASKS[task]
    rng = np.random.default_rng(seed)
    D, C = SIZES[task]
    cell = cells.init_params(kind, D, H, rng)
    if kind == "lstm":
        for key in ("bias_ih_l0", "bias_hh_l0"):  # the two biases add up
            cell[key][H : 2 * H] += forget_bias / 2
    params = dict(
        cell, w_out=rng.uniform(-1, 1, (C, H)) / np.sqrt(H), b_out=np.zeros(C)
    )
    params = {k: v.astype(dtype) for k, v in params.items()}
    cell = {k: params[k] for k in cell}
    opt = Adam(params, lr=lr)
    x_eval, y_eval = make(T, eval_size, np.random.default_rng(10_000 + seed))
    x_eval = x_eval.astype(dtype)
    if task not in CLASSES:  # targets in the model's dtype, unless they are classes
        y_eval = y_eval.astype(dtype)
    losses, eval_steps, evals = [], [], []
    start = time.perf_counter()
    for step in range(steps):
        last = step == steps - 1
        if step % eval_every == 0 or last:
            out, _, _ = cells.forward(kind, x_eval, cell)
            evals.append(
                task_loss(task, out, y_eval, params["w_out"], params["b_out"])[0]
            )
            eval_steps.append(step)
            over = time_limit is not None and time.perf_counter() - start > time_limit
            if (target is not None and evals[-1] < target) or over:
                break
        x, y = make(T, batch, rng)
        if task not in CLASSES:
            y = y.astype(dtype)
        out, _, cache = cells.forward(kind, x.astype(dtype), cell)
        loss, dout, dw, db = task_loss(task, out, y, params["w_out"], params["b_out"])
        _, grads, _ = cells.backward(kind, dout, cache)
        grads.update(w_out=dw, b_out=db)
        grads, _ = clip_grad_norm(grads, clip)
        opt.step(grads)
        losses.append(loss)
        if progress is not None:
            progress.update(step + 1, loss)
    return {
        "train": np.array(losses),
        "eval_steps": np.array(eval_steps),
        "eval": np.array(evals),
        "seconds": time.perf_counter() - start,
        "params": params,
    }
