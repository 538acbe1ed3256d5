"""Notebook 04's explorer: the forget-gate bias and the gradient through a freshly
initialised LSTM's cell.

Serves notebooks/04_lstm_backward.ipynb.
"""

import numpy as np

from .. import cells, gradients
from ..plots import COLORS
from .base import Explorer, corner_text, int_slider, slider


class ForgetBiasExplorer(Explorer):
    """||dL/dc_k|| over the steps back for a freshly initialised LSTM (PyTorch's
    init, H = 16) whose forget-gate bias is shifted by a slider; the loss is on c_T.
    Used in notebooks/04_lstm_backward.ipynb.
    """

    figsize = (9, 3.6)
    H, T_MAX = 16, 100

    def make_controls(self):
        return {
            "b_f": slider("forget bias shift", 0.0, -2.0, 5.0),
            "T": int_slider("sequence length T", 60, 5, self.T_MAX),
        }

    def setup(self, fig):
        rng = np.random.default_rng(5)
        self.params = cells.init_params("lstm", 2, self.H, rng)
        k = cells.GATE_ORDER["lstm"].index("forget")
        self.forget = slice(k * self.H, (k + 1) * self.H)  # its rows of the 4H
        self.x = rng.standard_normal((self.T_MAX, 1, 2))
        v = rng.standard_normal((1, self.H))
        self.v = v / np.linalg.norm(v)
        ax = fig.add_subplot()
        self.line = ax.plot(
            [], [], color=COLORS["c"], lw=2, label=r"$\|\partial L/\partial c_k\|$"
        )[0]
        self.highway = ax.plot(
            [],
            [],
            color=COLORS["ref"],
            ls="--",
            lw=1.2,
            label=r"carousel alone: $\prod f_t$",
        )[0]
        ax.set(
            yscale="log",
            xlim=(0, self.T_MAX),
            ylim=(1e-30, 3),
            xlabel="steps back from the loss, $T - k$",
            ylabel=r"$\|\partial L/\partial c_k\|$",
            title="gradient through a freshly initialised LSTM's cell",
        )
        ax.legend(loc="lower left")
        self.status = corner_text(ax)
        self.dynamic = [self.line, self.highway, self.status]

    def shifted(self, b_f):
        p = {k: v.copy() for k, v in self.params.items()}
        p["bias_ih_l0"][self.forget] += b_f
        return p

    def draw(self, b_f, T):
        p = self.shifted(b_f)
        x = self.x[:T]
        grads = gradients.cell_state_gradients(
            x, p, np.zeros((1, self.H)), np.zeros((1, self.H)), self.v
        )
        norms = np.linalg.norm(grads[:, 0], axis=1)
        _, _, cache = cells.lstm_forward(x, p)
        f = cache["gates"][:, 0, self.forget]  # (T, H) forget gates
        carousel = np.linalg.norm(np.cumprod(f[::-1], axis=0) * self.v, axis=1)
        back = np.arange(T, -1, -1)
        self.line.set_data(back, np.maximum(norms, 1e-300))
        self.highway.set_data(np.arange(1, T + 1), np.maximum(carousel, 1e-300))
        self.status.set_text(
            f"mean forget gate {f.mean():.3f};  {T} steps back: {norms[0]:.1e}"
        )


def forget_bias_explorer(**initial):
    """Sliders for the forget-gate bias shift and the sequence length of an LSTM."""
    return ForgetBiasExplorer(**initial)
