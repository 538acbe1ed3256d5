"""Notebook 06's explorers: browse the stored comparison of RNN, LSTM and GRU, and
the gradient paths back through time of a GRU's state and an LSTM's cell.

Serves notebooks/06_lstm_vs_gru.ipynb.
"""

import numpy as np

from .. import cells, gradients
from ..data import load_comparison
from ..plots import COLORS
from ..training import baseline
from .base import Explorer, corner_text, dropdown, int_slider, slider

EXPERIMENTS = {
    "adding, T = 30": ("adding", 30),
    "adding, T = 100": ("adding", 100),
    "copy, T = 10": ("copy", 10),
    "copy, T = 30": ("copy", 30),
}
MODEL_COLORS = {"rnn": COLORS["x"], "lstm": COLORS["c"], "gru": COLORS["h"]}


class ResultsExplorer(Explorer):
    """Learning curves of RNN, LSTM and GRU from data/results/comparison.npz, by
    experiment, learning rate and curve (held-out or training loss), with the
    memoryless baseline. Used in notebooks/06_lstm_vs_gru.ipynb.
    """

    figsize = (9, 3.8)

    def make_controls(self):
        return {
            "experiment": dropdown("experiment", tuple(EXPERIMENTS), "adding, T = 100"),
            "lr": dropdown("learning rate", ("0.01", "0.001"), "0.01"),
            "curve": dropdown(
                "curve", ("held-out loss", "training loss"), "held-out loss"
            ),
        }

    def setup(self, fig):
        self.results = load_comparison()
        steps = self.results["meta"]["steps"]
        ax = fig.add_subplot()
        self.lines = {}
        for model, color in MODEL_COLORS.items():
            for seed in (0, 1):
                self.lines[model, seed] = ax.plot(
                    [],
                    [],
                    color=color,
                    lw=1.6,
                    ls="-" if seed == 0 else "--",
                    label=f"{model.upper()}" if seed == 0 else None,
                )[0]
        self.base = ax.plot(
            [0, steps], [1, 1], color="k", lw=1, ls=":", label="memoryless baseline"
        )[0]
        ax.set(
            yscale="log",
            xlim=(0, steps),
            ylim=(1e-5, 4),
            xlabel="training step",
            ylabel="loss",
        )
        ax.legend(loc="lower left", ncol=4, fontsize=8)
        self.status = ax.set_title("")
        self.dynamic = [*self.lines.values(), self.base, self.status]

    def draw(self, experiment, lr, curve):
        task, T = EXPERIMENTS[experiment]
        runs, stride = self.results["runs"], self.results["meta"]["train_stride"]
        finals = []
        for (model, seed), line in self.lines.items():
            run = runs[task, T, model, float(lr), seed]
            if curve == "held-out loss":
                x, y = self.results["eval_steps"], run["eval"]
            else:
                y = run["train"]
                x = stride * np.arange(len(y)) + stride / 2
            line.set_data(x, np.maximum(y, 1e-12))
            if seed == 0:
                finals.append(f"{model.upper()} {run['eval'][-1]:.3g}")
        b = baseline(task, T)
        self.base.set_ydata([b, b])
        self.status.set_text(
            f"{experiment}, lr {lr}: final held-out loss (seed 0) "
            + ", ".join(finals)
            + f"; baseline {b:.3g}"
        )


def results_explorer(**initial):
    """Dropdowns for the experiment, learning rate and curve of the stored runs."""
    return ResultsExplorer(**initial)


class JacobianExplorer(Explorer):
    """How much of a perturbation of the state at step k reaches step T: the
    spectral norm of the product of step Jacobians, for a GRU's h (dh_t/dh_{t-1},
    cells.gru_jacobian) and an LSTM's c and h (cells.lstm_jacobian), beside the
    direct paths alone: the GRU's prod diag(z_t) and the LSTM's carousel
    prod diag(f_t). Freshly initialised cells (PyTorch's init, H = 16) on the same
    random inputs, from zero states; sliders shift the update-gate and forget-gate
    biases. Used in notebooks/06_lstm_vs_gru.ipynb.
    """

    figsize = (9, 4.0)
    H, D, T_MAX = 16, 4, 200
    FLOOR = 1e-30

    def make_controls(self):
        return {
            "b_z": slider("GRU update bias shift", 0.0, -2.0, 6.0),
            "b_f": slider("LSTM forget bias shift", 0.0, -2.0, 6.0),
            "T": int_slider("sequence length T", 100, 10, self.T_MAX),
        }

    def setup(self, fig):
        rng = np.random.default_rng(6)
        self.params = {k: cells.init_params(k, self.D, self.H, rng) for k in KINDS}
        self.x = rng.standard_normal((self.T_MAX, self.D))
        ax = fig.add_subplot()
        self.lines = {}
        for key, color, ls, label in (
            ("gru_h", COLORS["h"], "-", r"GRU $\|\partial h_T/\partial h_k\|$"),
            ("gru_z", COLORS["h"], "--", r"GRU direct path alone: $\prod z_t$"),
            ("lstm_c", COLORS["c"], "-", r"LSTM $\|\partial c_T/\partial c_k\|$"),
            ("lstm_f", COLORS["c"], "--", r"LSTM carousel alone: $\prod f_t$"),
            ("lstm_h", COLORS["c"], ":", r"LSTM $\|\partial h_T/\partial h_k\|$"),
        ):
            self.lines[key] = ax.plot([], [], color=color, ls=ls, lw=2, label=label)[0]
        ax.set(
            yscale="log",
            xlim=(0, self.T_MAX),
            ylim=(1e-24, 1e2),
            xlabel="lag $T - k$ (steps between the state and step $T$)",
            ylabel="spectral norm",
            title="gradient paths back through time: what reaches step T from step k",
        )
        ax.legend(loc="lower left", ncol=2, fontsize=8)
        self.status = corner_text(ax)
        self.dynamic = [*self.lines.values(), self.status]

    def shifted(self, kind, shift):
        """The kind's parameters with the update (GRU) or forget (LSTM) bias
        shifted; both blocks are rows [H:2H] of PyTorch's layout."""
        p = {k: v.copy() for k, v in self.params[kind].items()}
        p["bias_ih_l0"][self.H : 2 * self.H] += shift
        return p

    def paths(self, b_z, b_f, T):
        """{line: (lags, norms)} for the sliders' values."""
        H, x = self.H, self.x[:T]
        gru, lstm = self.shifted("gru", b_z), self.shifted("lstm", b_f)
        P_gru = gradients.jacobian_products("gru", x, gru)
        P_lstm = gradients.jacobian_products("lstm", x, lstm)
        z = cells.gru_forward(x[:, None], gru)[2]["gates"][:, 0, H : 2 * H]
        f = cells.lstm_forward(x[:, None], lstm)[2]["gates"][:, 0, H : 2 * H]
        lags = np.arange(T, -1, -1)  # P[k] is T - k steps back
        direct = np.arange(1, T + 1)  # a product of the last `lag` gates

        def norm(P):
            return np.linalg.norm(P, 2, axis=(1, 2))

        return {
            "gru_h": (lags, norm(P_gru)),
            "gru_z": (direct, np.cumprod(z[::-1], axis=0).max(axis=1)),
            "lstm_c": (lags, norm(P_lstm[:, H:, H:])),
            "lstm_f": (direct, np.cumprod(f[::-1], axis=0).max(axis=1)),
            "lstm_h": (lags, norm(P_lstm[:, :H, :H])),
        }

    def draw(self, b_z, b_f, T):
        paths = self.paths(b_z, b_f, T)
        for key, (lags, norms) in paths.items():
            self.lines[key].set_data(lags, np.maximum(norms, self.FLOOR))
        lag = min(50, T)
        at = {k: v[1][list(v[0]).index(lag)] for k, v in paths.items()}
        self.status.set_text(
            f"{lag} steps back: GRU h {at['gru_h']:.1e}, LSTM c {at['lstm_c']:.1e}, "
            f"LSTM h {at['lstm_h']:.1e}"
        )


KINDS = ("gru", "lstm")


def jacobian_explorer(**initial):
    """Sliders for the GRU's update bias, the LSTM's forget bias and the length."""
    return JacobianExplorer(**initial)
