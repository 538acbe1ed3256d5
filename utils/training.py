"""Training: gradient clipping, Adam, a live progress display, and small tasks."""

import io
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import cells
from .plots import COLORS


def clip_grad_norm(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is <= max_norm.

    grads: {name: array} -> (clipped {name: array}, norm before clipping). The
    direction of the whole gradient is kept. Derived in
    notebooks/02_backprop_through_time.ipynb.
    """
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    norm = float(
        np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values()))
    )
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * np.asarray(scale, dtype=g.dtype) for k, g in grads.items()}, norm


class Adam:
    """Adam (Kingma & Ba 2015) on a dict of numpy arrays, updated in place.

    params: {name: array}; step(grads) applies one update with bias correction.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        if lr <= 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        for k, p in self.params.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * grads[k]
            self.v[k] = b2 * self.v[k] + (1 - b2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - b1**self.t)
            v_hat = self.v[k] / (1 - b2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class LiveLoss:
    """A progress bar and a loss curve that grows while training runs.

    Call update(step, loss) every step; the bar, the label and the curve are sent
    to the browser about 100 times in all (every `every` steps), not at every step:
    each update is a message, and a kernel's output channel drops messages beyond
    1000 queued ones, which can stall a client that reads them late (nbval does).
    Show it by leaving the object at the end of a cell, or with display().
    """

    def __init__(self, total, title="training", every=None, ylim=None, baseline=None):
        every = every or max(1, total // 100)
        self.total, self.every, self.ylim = total, every, ylim
        self.bar = widgets.IntProgress(
            min=0, max=total, description=title, style={"description_width": "initial"}
        )
        self.label = widgets.Label()
        self.fig = Figure(figsize=(6, 2.6), dpi=100)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.line = self.ax.plot([], [], color=COLORS["h"], lw=1.2, label="loss")[0]
        if baseline is not None:
            self.ax.axhline(
                baseline, color=COLORS["ref"], ls="--", lw=1, label="baseline"
            )
        self.ax.set(xlim=(0, total), xlabel="step", ylabel="loss", title=title)
        self.ax.legend(loc="upper right")
        self.fig.tight_layout()
        self.image = widgets.Image(format="png")
        self.steps, self.losses, self.start = [], [], time.perf_counter()
        self.widget = widgets.VBox([widgets.HBox([self.bar, self.label]), self.image])
        self._draw()

    def update(self, step, loss):
        self.steps.append(step)
        self.losses.append(float(loss))
        if step % self.every == 0 or step == self.total:
            self.bar.value = step
            self.label.value = (
                f"step {step}/{self.total}  loss {loss:.4f}  "
                f"{time.perf_counter() - self.start:.1f} s"
            )
            self._draw()

    def _draw(self):
        self.line.set_data(self.steps, self.losses)
        if self.losses:
            top = self.ylim[1] if self.ylim else 1.05 * max(self.losses)
            self.ax.set_ylim(self.ylim[0] if self.ylim else 0, top)
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# ----------------------------------------------------------------------------------
# A long-lag task: remember the first input's sign
# ----------------------------------------------------------------------------------


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


def _forward(kind, x, cell):
    if kind == "rnn":
        out, _, cache = cells.rnn_forward(x, cell)
    elif kind == "lstm":
        out, _, cache = cells.lstm_forward(x, cell)
    elif kind == "gru":
        out, _, cache = cells.gru_forward(x, cell)
    else:
        raise ValueError(f"kind must be 'rnn', 'lstm' or 'gru', got {kind!r}")
    return out, cache


def _backward(kind, dout, cache):
    backward = {
        "rnn": cells.rnn_backward,
        "lstm": cells.lstm_backward,
        "gru": cells.gru_backward,
    }[kind]
    return backward(dout, cache)[1]


def task_loss(task, out, y, w_out, b_out):
    """Loss and its gradients for a linear readout of the states.

    first_bit, adding: MSE of a readout of the last state; copy: mean cross-entropy
    per step.
    -> loss, dout (like out), dw_out, db_out.
    """
    if task in ("first_bit", "adding"):
        h = out[-1]
        err = h @ w_out.T + b_out - y
        dpred = 2 * err / len(y)
        dout = np.zeros_like(out)
        dout[-1] = dpred @ w_out
        return float(np.mean(err**2)), dout, dpred.T @ h, dpred.sum(0)
    logits = out @ w_out.T + b_out  # (L, B, C)
    logits = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=-1, keepdims=True)
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
    -> dict with 'train' (loss per step taken), 'eval_steps', 'eval' and 'seconds'.
    Used by notebooks/04_lstm_backward.ipynb and 06_lstm_vs_gru.ipynb,
    scripts/compare_models.py and scripts/bench_kernels.py.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {tuple(TASKS)}, got {task!r}")
    if kind not in cells.N_BLOCKS:
        raise ValueError(f"kind must be 'rnn', 'lstm' or 'gru', got {kind!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    if forget_bias and kind != "lstm":
        raise ValueError(f"forget_bias is for the LSTM, not the {kind.upper()}")
    make = TASKS[task]
    rng = np.random.default_rng(seed)
    D = COPY_SYMBOLS + 2 if task == "copy" else 2
    C = COPY_SYMBOLS + 2 if task == "copy" else 1
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
    if task != "copy":  # targets in the model's dtype; the copy task's are classes
        y_eval = y_eval.astype(dtype)
    losses, eval_steps, evals = [], [], []
    start = time.perf_counter()
    for step in range(steps):
        last = step == steps - 1
        if step % eval_every == 0 or last:
            out, _ = _forward(kind, x_eval, cell)
            evals.append(
                task_loss(task, out, y_eval, params["w_out"], params["b_out"])[0]
            )
            eval_steps.append(step)
            over = time_limit is not None and time.perf_counter() - start > time_limit
            if (target is not None and evals[-1] < target) or over:
                break
        x, y = make(T, batch, rng)
        if task != "copy":
            y = y.astype(dtype)
        out, cache = _forward(kind, x.astype(dtype), cell)
        loss, dout, dw, db = task_loss(task, out, y, params["w_out"], params["b_out"])
        grads = _backward(kind, dout, cache)
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
    }
