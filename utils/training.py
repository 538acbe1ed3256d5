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


def train_first_bit(
    forget_bias, T=40, H=8, steps=300, lr=1e-2, batch=32, seed=0, progress=None
):
    """Train an LSTM plus a linear readout of h_T on first_bit_task.

    forget_bias is added to both forget-gate bias blocks at initialisation (on top
    of PyTorch's default init). -> array of the training MSE per step.
    progress: a LiveLoss to update, or None.
    """
    rng = np.random.default_rng(seed)
    params = cells.init_params("lstm", 2, H, rng)
    for key in ("bias_ih_l0", "bias_hh_l0"):
        params[key][H : 2 * H] += forget_bias / 2  # the two biases add up
    params["w_out"] = rng.uniform(-0.3, 0.3, (1, H))
    params["b_out"] = np.zeros(1)
    opt = Adam(params, lr=lr)
    cell = {k: params[k] for k in cells.PARAM_KEYS}
    losses = np.empty(steps)
    for step in range(steps):
        x, y = first_bit_task(T, batch, rng)
        out, (h_n, _), cache = cells.lstm_forward(x, cell)
        pred = h_n @ params["w_out"].T + params["b_out"]
        err = pred - y
        losses[step] = np.mean(err**2)
        dpred = 2 * err / batch
        _, grads, _, _ = cells.lstm_backward(None, cache, dpred @ params["w_out"])
        grads["w_out"] = dpred.T @ h_n
        grads["b_out"] = dpred.sum(0)
        grads, _ = clip_grad_norm(grads, 1.0)
        opt.step(grads)
        if progress is not None:
            progress.update(step + 1, losses[step])
    return losses
