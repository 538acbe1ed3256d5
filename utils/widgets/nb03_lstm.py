"""Notebook 03's explorers: the LSTM's gates on a memory trace, and the gradient
highway through the cell beside a tanh RNN's.

Serves notebooks/03_lstm.ipynb.
"""

import numpy as np

from .. import cells, gradients
from ..plots import COLORS
from .base import GATE_PATTERNS, Explorer, corner_text, dropdown, gate_inputs, slider


class GateExplorer(Explorer):
    """An LSTM cell with its gates held by sliders: c_t = f c_{t-1} + i g_t and
    h_t = o tanh(c_t), for a sequence of candidate values g_t.
    Used in notebooks/03_lstm.ipynb.
    """

    figsize = (9, 5.2)
    T = 60

    def make_controls(self):
        pattern = dropdown("candidate g", GATE_PATTERNS)
        return {
            "f": slider("forget gate f", 0.9, 0.0, 1.0, step=0.01),
            "i": slider("input gate i", 1.0, 0.0, 1.0, step=0.01),
            "o": slider("output gate o", 1.0, 0.0, 1.0, step=0.01),
            "pattern": pattern,
        }

    def setup(self, fig):
        axes = fig.subplots(3, 1, sharex=True)
        t = np.arange(1, self.T + 1)
        self.lines = {}
        for ax, key, label, color, lim in (
            (axes[0], "g", "candidate $g_t$ (what could be written)", COLORS["x"], 1.2),
            (axes[1], "c", "cell state $c_t$ (the memory)", COLORS["c"], 3.2),
            (
                axes[2],
                "h",
                "hidden state $h_t = o\\,\\tanh(c_t)$ (what is shown)",
                COLORS["h"],
                1.2,
            ),
        ):
            self.lines[key] = ax.plot(
                t,
                np.zeros(self.T),
                color=color,
                lw=2,
                drawstyle="steps-mid" if key == "g" else "default",
            )[0]
            ax.axhline(0, color=COLORS["ref"], lw=0.6)
            ax.set(ylim=(-lim, lim), ylabel=key)
            ax.set_title(label, fontsize=10, loc="left")
        axes[-1].set(xlim=(0, self.T + 1), xlabel="time step $t$")
        self.status = fig.suptitle("", fontsize=11)
        self.dynamic = [*self.lines.values(), self.status]

    def run(self, f, i, o, pattern):
        g = gate_inputs(pattern, self.T)
        c, cs = 0.0, np.empty(self.T)
        for t, g_t in enumerate(g):
            c = f * c + i * g_t
            cs[t] = c
        return g, cs, o * np.tanh(cs)

    def draw(self, f, i, o, pattern):
        g, c, h = self.run(f, i, o, pattern)
        self.lines["g"].set_ydata(g)
        self.lines["c"].set_ydata(np.clip(c, -3.2, 3.2))
        self.lines["h"].set_ydata(h)
        if f >= 1:
            memory = "f = 1: nothing is forgotten"
        elif f <= 0:
            memory = "f = 0: the cell forgets at every step"
        else:
            half_life = np.log(0.5) / np.log(f)
            memory = f"half-life of the memory ln(1/2)/ln(f) = {half_life:.1f} steps"
        self.status.set_text(f"{memory};  i = {i:.2f} writes, o = {o:.2f} shows")


def gate_explorer(**initial):
    """Sliders for an LSTM's forget, input and output gates, and the input pattern."""
    return GateExplorer(**initial)


class HighwayExplorer(Explorer):
    """The gradient through the cell, prod f_t, against the norm of a tanh RNN's
    gradient ||dL/dh|| (a vector, for a loss <h_T, v>, ||v|| = 1), over the lag.
    f_t = sigma(b_f + s eps_t) with fixed noise eps_t.
    Used in notebooks/03_lstm.ipynb.
    """

    figsize = (9, 3.6)
    LAGS = 100

    def make_controls(self):
        return {
            "b_f": slider("forget bias b_f", 3.0, -2.0, 8.0),
            "spread": slider("spread of f's input", 0.5, 0.0, 3.0),
            "rho": slider("RNN spectral radius", 0.9, 0.5, 1.5, step=0.01),
        }

    def setup(self, fig):
        self.eps = np.random.default_rng(4).standard_normal(self.LAGS)
        ax = fig.add_subplot()
        lags = np.arange(1, self.LAGS + 1)
        self.lstm_line = ax.plot(
            lags,
            np.ones(self.LAGS),
            color=COLORS["c"],
            lw=2,
            label=r"LSTM cell: $\prod f_t$",
        )[0]
        self.rnn_line = ax.plot(
            lags,
            np.ones(self.LAGS),
            color=COLORS["h"],
            lw=2,
            label=r"tanh RNN: $\|\partial L/\partial h\|$ (a vector norm)",
        )[0]
        ax.set(
            yscale="log",
            xlim=(1, self.LAGS),
            ylim=(1e-20, 1e3),
            xlabel="lag (steps between the loss and the state)",
            ylabel="gradient factor",
            title="how much gradient survives the lag",
        )
        ax.legend(loc="lower left")
        self.status = corner_text(ax)
        self.dynamic = [self.lstm_line, self.rnn_line, self.status]

    def draw(self, b_f, spread, rho):
        f = cells.sigmoid(b_f + spread * self.eps)
        lstm = np.cumprod(f)
        _, norms, _ = gradients.orthogonal_rnn_gradients(rho, self.LAGS, 0.5)
        rnn = norms[-2::-1]  # norms[T - lag] is lag steps back
        floor = 1e-300
        self.lstm_line.set_ydata(np.maximum(lstm, floor))
        self.rnn_line.set_ydata(np.maximum(rnn, floor))
        self.status.set_text(
            f"at lag 50: LSTM {lstm[49]:.1e}, RNN {rnn[49]:.1e};  "
            f"mean f = {f.mean():.3f}"
        )


def highway_explorer(**initial):
    """Sliders for the forget bias and spread, and the RNN's spectral radius."""
    return HighwayExplorer(**initial)
