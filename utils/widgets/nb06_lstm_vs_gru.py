"""Notebook 06's explorers: browse the stored comparison of RNN, LSTM and GRU, and
the gradient paths back through time of a GRU's state and an LSTM's cell.

Serves notebooks/06_lstm_vs_gru.ipynb.
"""

import functools

import numpy as np
from matplotlib.lines import Line2D

from .. import cells, gradients
from ..data import load_comparison
from ..plots import COLORS, OKABE_ITO, loss_axis
from ..training import baseline
from .base import Explorer, corner_text, dropdown, int_slider, slider

EXPERIMENTS = {
    "adding, T = 30": ("adding", 30),
    "adding, T = 100": ("adding", 100),
    "copy, T = 10": ("copy", 10),
    "copy, T = 30": ("copy", 30),
}
# the LSTM at forget-gate bias 0 and +1 in the same hue family, told apart by
# lightness as well as hue
MODEL_COLORS = {
    "rnn": COLORS["x"],
    "lstm": COLORS["c"],
    "lstm_fb1": OKABE_ITO[4],
    "gru": COLORS["h"],
}
MODEL_LABELS = {
    "rnn": "RNN",
    "lstm": "LSTM",
    "lstm_fb1": "LSTM, forget bias +1",
    "gru": "GRU",
}
SEED_STYLES = {0: "-", 1: "--"}


def learning_rates(runs):
    """The learning rates of a stored sweep, largest first, as the dropdown shows
    them ('0.1', '0.03', ...)."""
    return tuple(f"{lr:g}" for lr in sorted({k[3] for k in runs}, reverse=True))


class ResultsExplorer(Explorer):
    """Learning curves of the RNN, the LSTM (forget-gate bias 0 and +1) and the GRU
    from data/results/comparison.npz, by experiment, learning rate and curve
    (held-out or training loss), with the memoryless baseline; seed 0 solid, seed 1
    dashed. Used in notebooks/06_lstm_vs_gru.ipynb.
    """

    figsize = (9, 4.2)
    tight = False  # the axes' labels change with the task; the layout must not

    def make_controls(self):
        self.results = load_comparison()
        lrs = learning_rates(self.results["runs"])
        return {
            "experiment": dropdown("experiment", tuple(EXPERIMENTS), "adding, T = 100"),
            "lr": dropdown("learning rate", lrs, "0.01" if "0.01" in lrs else lrs[0]),
            "curve": dropdown(
                "curve", ("held-out loss", "training loss"), "held-out loss"
            ),
        }

    def setup(self, fig):
        steps = self.results["meta"]["steps"]
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.11, top=0.88)
        runs = self.results["runs"]
        models = [m for m in MODEL_COLORS if any(k[2] == m for k in runs)]
        self.lines = {}
        for model in models:
            for seed, ls in SEED_STYLES.items():
                self.lines[model, seed] = ax.plot(
                    [], [], color=MODEL_COLORS[model], lw=1.6, ls=ls
                )[0]
        self.base = ax.plot([0, steps], [1, 1], color="k", lw=1, ls=":")[0]
        ax.set(xlim=(0, steps), xlabel="training step")
        self.ax = ax
        handles = [self.lines[m, 0] for m in models] + [
            Line2D([], [], color="0.3", lw=1.6, ls=ls) for ls in SEED_STYLES.values()
        ]
        labels = [MODEL_LABELS[m] for m in models] + [
            f"seed {seed}" for seed in SEED_STYLES
        ]
        handles.append(self.base)
        labels.append("memoryless baseline")
        ax.legend(handles, labels, loc="lower left", ncol=4, fontsize=8)
        self.status = ax.set_title("", fontsize=9.5, loc="left")
        self.dynamic = [*self.lines.values(), self.base, self.status]

    def background_key(self):
        """The y axis, which follows the task: one log axis for both adding tasks,
        a linear one up to a little above the baseline for each copy task."""
        task, T = EXPERIMENTS[self.controls["experiment"].value]
        return (task, None) if task == "adding" else (task, T)

    def background_values(self):
        """Every task's background is rendered as the explorer is built: each takes
        50-100 ms (the log axis's ticks, the legend), more than an update may."""
        return [{"experiment": experiment} for experiment in EXPERIMENTS]

    def draw(self, experiment, lr, curve):
        task, T = EXPERIMENTS[experiment]
        loss_axis(self.ax, task, baseline(task, T))
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
                finals.append(f"{MODEL_LABELS[model]} {run['eval'][-1]:.2g}")
        b = baseline(task, T)
        self.base.set_ydata([b, b])
        self.status.set_text(
            f"{experiment}, lr {lr}: {curve} of each model, two seeds\n"
            f"final held-out loss (seed 0): "
            + ", ".join(finals)
            + f"; baseline {b:.3g}"
        )


def results_explorer(**initial):
    """Dropdowns for the experiment, learning rate and curve of the stored runs."""
    return ResultsExplorer(**initial)


JACOBIAN_H, JACOBIAN_D, JACOBIAN_T_MAX = 8, 4, 200


@functools.cache
def jacobian_cells():
    """The explorer's freshly initialised GRU and LSTM (PyTorch's init) and its
    random inputs (T_MAX, D), fixed by a seed."""
    rng = np.random.default_rng(6)
    params = {
        kind: cells.init_params(kind, JACOBIAN_D, JACOBIAN_H, rng)
        for kind in ("gru", "lstm")
    }
    return params, rng.standard_normal((JACOBIAN_T_MAX, JACOBIAN_D))


def jacobian_paths(b_z=0.0, b_f=0.0, T=100):
    """What the Jacobian explorer draws -> {path: (T + 1,) array indexed by the lag
    T - k}: 'gru_h' ||dh_T/dh_k||, 'lstm_c' ||dc_T/dc_k||, 'lstm_h' ||dh_T/dh_k||
    (spectral norms of the products of step Jacobians, gradients.jacobian_products)
    and the direct paths alone, 'gru_z' ||prod diag(z_t)|| = max over units of
    prod z_t and 'lstm_f' the carousel's max prod f_t. b_z, b_f: shifts of the
    update-gate and forget-gate biases (rows [H:2H] of b_ih in both); T <= T_MAX.
    """
    if not 1 <= T <= JACOBIAN_T_MAX:
        raise ValueError(f"T must be from 1 to {JACOBIAN_T_MAX}, got {T}")
    params, x = jacobian_cells()
    H, x = JACOBIAN_H, x[:T]
    products, direct = {}, {}
    for kind, shift in (("gru", b_z), ("lstm", b_f)):
        p = {k: v.copy() for k, v in params[kind].items()}
        p["bias_ih_l0"][H : 2 * H] += shift
        P, gates = gradients.jacobian_products(kind, x, p)
        products[kind] = P[::-1]  # by lag: P[T - lag]
        kept = np.cumprod(gates[::-1, H : 2 * H], axis=0).max(axis=1)
        direct[kind] = np.concatenate([[1.0], kept])

    blocks = np.concatenate(
        [products["gru"], products["lstm"][:, H:, H:], products["lstm"][:, :H, :H]]
    )
    # every spectral norm at once: the largest eigenvalue of P^T P, its square root
    # (half the time of a stacked SVD)
    top = np.linalg.eigvalsh(np.swapaxes(blocks, 1, 2) @ blocks)[:, -1]
    gru_h, lstm_c, lstm_h = np.sqrt(np.maximum(top, 0)).reshape(3, -1)
    return {
        "gru_h": gru_h,
        "gru_z": direct["gru"],
        "lstm_c": lstm_c,
        "lstm_f": direct["lstm"],
        "lstm_h": lstm_h,
    }


class JacobianExplorer(Explorer):
    """How much of a perturbation of the state at step k reaches step T: the
    spectral norm of the product of step Jacobians, for a GRU's h (dh_t/dh_{t-1},
    cells.gru_jacobian) and an LSTM's c and h (cells.lstm_jacobian), beside the
    direct paths alone: the GRU's prod diag(z_t) and the LSTM's carousel
    prod diag(f_t) (jacobian_paths). Freshly initialised cells (PyTorch's init,
    H = 8) on the same random inputs, from zero states; sliders shift the
    update-gate and forget-gate biases. Used in notebooks/06_lstm_vs_gru.ipynb.
    """

    figsize = (9, 4.0)
    FLOOR = 1e-30

    def make_controls(self):
        return {
            "b_z": slider("GRU update bias shift", 0.0, -2.0, 6.0),
            "b_f": slider("LSTM forget bias shift", 0.0, -2.0, 6.0),
            "T": int_slider("sequence length T", 100, 10, JACOBIAN_T_MAX),
        }

    def setup(self, fig):
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
            xlim=(0, JACOBIAN_T_MAX),
            ylim=(1e-24, 1e8),
            xlabel="lag $T - k$ (steps between the state and step $T$)",
            ylabel="spectral norm",
            title="gradient paths back through time: what reaches step T from step k",
        )
        ax.axhline(1, color=COLORS["ref"], lw=0.6)
        ax.legend(loc="upper center", ncol=3, fontsize=8)
        self.status = corner_text(ax)
        self.dynamic = [*self.lines.values(), self.status]

    def draw(self, b_z, b_f, T):
        paths = jacobian_paths(b_z, b_f, T)
        lags = np.arange(T + 1)
        for key, norms in paths.items():
            self.lines[key].set_data(lags, np.maximum(norms, self.FLOOR))
        lag = min(50, T)
        self.status.set_text(
            f"{lag} steps back: GRU h {paths['gru_h'][lag]:.1e}, LSTM c "
            f"{paths['lstm_c'][lag]:.1e}, LSTM h {paths['lstm_h'][lag]:.1e}"
        )


def jacobian_explorer(**initial):
    """Sliders for the GRU's update bias, the LSTM's forget bias and the length."""
    return JacobianExplorer(**initial)
