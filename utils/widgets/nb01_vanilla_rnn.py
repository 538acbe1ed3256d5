"""Notebook 01's explorer: the one-unit RNN, over time and as a map.

Serves notebooks/01_vanilla_rnn.ipynb.
"""

import numpy as np

from .. import cells
from ..plots import COLORS
from .base import Explorer, dropdown, slider

T_STEPS = 40


def input_pattern(name, T=T_STEPS):
    """Input sequences for the one-unit RNN explorer -> (T,) array."""
    t = np.arange(T)
    patterns = {
        "single pulse": (t == 2).astype(float),
        "pulse +1, later -1": (t == 2) - (t == 22).astype(float),
        "step": (t >= 2).astype(float),
        "square wave": np.where((t // 5) % 2 == 0, 1.0, -1.0),
        "noise": np.random.default_rng(0).uniform(-1, 1, T),
        "no input": np.zeros(T),
    }
    if name not in patterns:
        raise ValueError(f"pattern must be one of {list(patterns)}, got {name!r}")
    return patterns[name]


PATTERNS = (
    "single pulse",
    "pulse +1, later -1",
    "step",
    "square wave",
    "noise",
    "no input",
)


class OneUnitRNNExplorer(Explorer):
    """h_t = tanh(w_hh h_{t-1} + w_ih x_t + b) for one unit, over time and as a map.

    Left: the input x_t and the state h_t over 40 steps. Right: the input-free map
    h_{t-1} -> tanh(w_hh h_{t-1} + b) with its fixed points, and the visited pairs
    (h_{t-1}, h_t). The title names the regime: decay, saturation or oscillation.
    Used in notebooks/01_vanilla_rnn.ipynb.
    """

    figsize = (11, 3.6)
    grid = np.linspace(-1, 1, 201)

    def make_controls(self):
        pattern = dropdown("input x", PATTERNS, "single pulse")
        return {
            "w_hh": slider("recurrent weight w_hh", 0.5, -2.5, 2.5),
            "w_ih": slider("input weight w_ih", 1.5, -3.0, 3.0),
            "b": slider("bias b", 0.0, -2.0, 2.0),
            "h0": slider("initial state h0", 0.0, -1.0, 1.0),
            "pattern": pattern,
        }

    def setup(self, fig):
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
        t = np.arange(1, T_STEPS + 1)
        self.x_line = ax1.plot(
            t,
            np.zeros(T_STEPS),
            color=COLORS["x"],
            lw=1,
            drawstyle="steps-mid",
            label="input $x_t$",
        )[0]
        self.h_line = ax1.plot(
            t,
            np.zeros(T_STEPS),
            color=COLORS["h"],
            lw=2,
            marker="o",
            ms=3,
            label="state $h_t$",
        )[0]
        ax1.axhline(0, color=COLORS["ref"], lw=0.6)
        ax1.set(
            xlim=(0, T_STEPS + 1),
            ylim=(-1.15, 1.5),
            xlabel="time step $t$",
            ylabel="value",
            title="the state over time",
        )
        ax1.set_yticks([-1, -0.5, 0, 0.5, 1])
        ax1.legend(loc="upper right", ncol=2)
        ax2.plot(
            [-1, 1],
            [-1, 1],
            color=COLORS["ref"],
            lw=0.8,
            ls=":",
            label="$h_t = h_{t-1}$",
        )
        self.map_line = ax2.plot(
            [], [], color=COLORS["aux"], lw=1.5, label=r"$\tanh(w_{hh}h+b)$"
        )[0]
        self.visits = ax2.plot(
            [], [], "o", color=COLORS["h"], ms=3, alpha=0.6, label="visited"
        )[0]
        self.fixed = ax2.plot(
            [], [], "s", mfc="white", mec="k", ms=7, label="fixed point"
        )[0]
        ax2.set(
            xlim=(-1.05, 1.05),
            ylim=(-1.05, 1.05),
            xlabel="$h_{t-1}$",
            ylabel="$h_t$",
            title="the map with no input",
        )
        ax2.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
        self.title = fig.suptitle("", fontsize=11)
        self.dynamic = [
            self.x_line,
            self.h_line,
            self.map_line,
            self.visits,
            self.fixed,
        ]
        self.dynamic.append(self.title)

    def run(self, w_hh, w_ih, b, h0, pattern):
        """x (T,) and h (T,) for the given controls."""
        x = input_pattern(pattern)
        return x, cells.one_unit_rnn(w_hh, w_ih, b, x, h0)

    def draw(self, w_hh, w_ih, b, h0, pattern):
        x, h = self.run(w_hh, w_ih, b, h0, pattern)
        self.x_line.set_ydata(x)
        self.h_line.set_ydata(h)
        self.map_line.set_data(self.grid, np.tanh(w_hh * self.grid + b))
        self.visits.set_data(np.concatenate([[h0], h[:-1]]), h)
        points = cells.fixed_points(w_hh, b)
        self.fixed.set_data([p for p, _ in points], [p for p, _ in points])
        self.title.set_text(cells.regime(w_hh, b))


def one_unit_rnn_explorer(**initial):
    """Sliders for w_hh, w_ih, b, h0 and the input pattern of a one-unit RNN."""
    return OneUnitRNNExplorer(**initial)
