"""Notebook 06's explorer: browse the stored comparison of RNN, LSTM and GRU.

Serves notebooks/06_lstm_vs_gru.ipynb.
"""

import numpy as np
from matplotlib.lines import Line2D

from ..data import load_comparison
from ..plots import COLORS, OKABE_ITO, loss_axis
from ..training import baseline
from .base import Explorer, dropdown

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
        return self.controls["experiment"].value  # the y axis follows the task

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
