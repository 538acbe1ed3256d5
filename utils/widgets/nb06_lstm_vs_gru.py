"""Notebook 06's explorer: browse the stored comparison of RNN, LSTM and GRU.

Serves notebooks/06_lstm_vs_gru.ipynb.
"""

import numpy as np

from ..data import load_comparison
from ..plots import COLORS
from ..training import baseline
from .base import Explorer, dropdown

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
