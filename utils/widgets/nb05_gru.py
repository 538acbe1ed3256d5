"""Notebook 05's explorers: the GRU's gates, and a coupled-gate LSTM beside a GRU.

Serves notebooks/05_gru.ipynb.
"""

import numpy as np

from ..plots import COLORS
from .base import GATE_PATTERNS, Explorer, dropdown, gate_inputs, slider

W_IN, W_REC = 2.0, 1.5  # the one-unit cells' input and recurrent weights


class GRUGateExplorer(Explorer):
    """A one-unit GRU with its gates held by sliders: the candidate
    n_t = tanh(2 x_t + r 1.5 h_{t-1}) and h_t = (1 - z) n_t + z h_{t-1}.
    Used in notebooks/05_gru.ipynb.
    """

    figsize = (9, 3.8)
    T = 60

    def make_controls(self):
        pattern = dropdown("input x", GATE_PATTERNS)
        return {
            "z": slider("update gate z", 0.9, 0.0, 1.0, step=0.01),
            "r": slider("reset gate r", 0.0, 0.0, 1.0, step=0.01),
            "pattern": pattern,
        }

    def setup(self, fig):
        ax = fig.add_subplot()
        t = np.arange(1, self.T + 1)
        self.x_line = ax.plot(
            t,
            np.zeros(self.T),
            color=COLORS["x"],
            lw=1,
            drawstyle="steps-mid",
            label="input $x_t$",
        )[0]
        self.n_line = ax.plot(
            t,
            np.zeros(self.T),
            color=COLORS["aux"],
            lw=1,
            ls="--",
            label="candidate $n_t$",
        )[0]
        self.h_line = ax.plot(
            t, np.zeros(self.T), color=COLORS["h"], lw=2, label="state $h_t$"
        )[0]
        ax.axhline(0, color=COLORS["ref"], lw=0.6)
        ax.set(
            xlim=(0, self.T + 1),
            ylim=(-1.2, 1.6),
            xlabel="time step $t$",
            ylabel="value",
            title="",
        )
        ax.legend(loc="upper right", ncol=3)
        self.status = ax.set_title("")
        self.dynamic = [self.x_line, self.n_line, self.h_line, self.status]

    def run(self, z, r, pattern):
        x = gate_inputs(pattern, self.T)
        h, hs, ns = 0.0, np.empty(self.T), np.empty(self.T)
        for t, x_t in enumerate(x):
            n = np.tanh(W_IN * x_t + r * W_REC * h)
            h = (1 - z) * n + z * h
            hs[t], ns[t] = h, n
        return x, ns, hs

    def draw(self, z, r, pattern):
        x, n, h = self.run(z, r, pattern)
        self.x_line.set_ydata(x)
        self.n_line.set_ydata(n)
        self.h_line.set_ydata(h)
        keep = "keeps h unchanged" if z >= 1 else f"keeps {z:.0%} of h per step"
        self.status.set_text(
            f"z = {z:.2f} {keep};  r = {r:.2f}: the candidate sees {r:.0%} of h"
        )


def gru_gate_explorer(**initial):
    """Sliders for a one-unit GRU's update and reset gates and the input pattern."""
    return GRUGateExplorer(**initial)


class CoupledExplorer(Explorer):
    """An LSTM with coupled gates (f = z, i = 1 - z, o = 1) beside a GRU, one unit
    each, the same update value z and the same input weight. The LSTM's candidate
    reads its exposed state tanh(c_{t-1}) with weight w; the GRU's reads r h_{t-1}
    with weight w. With w = 0 the LSTM's cell equals the GRU's state exactly; what
    the LSTM exposes is tanh(c). Used in notebooks/05_gru.ipynb.
    """

    figsize = (9, 3.8)
    T = 60

    def make_controls(self):
        pattern = dropdown("input x", GATE_PATTERNS)
        return {
            "z": slider("update z (= f = 1 - i)", 0.6, 0.0, 1.0, step=0.01),
            "r": slider("GRU reset gate r", 1.0, 0.0, 1.0, step=0.01),
            "w": slider("state weight w", 1.5, 0.0, 2.0),
            "pattern": pattern,
        }

    def setup(self, fig):
        ax = fig.add_subplot()
        t = np.arange(1, self.T + 1)
        self.lines = {
            "c": ax.plot(
                t,
                np.zeros(self.T),
                color=COLORS["c"],
                lw=2,
                label="coupled LSTM: cell $c_t$",
            )[0],
            "h_lstm": ax.plot(
                t,
                np.zeros(self.T),
                color=COLORS["c"],
                lw=1.2,
                ls="--",
                label=r"coupled LSTM: $h_t = \tanh(c_t)$",
            )[0],
            "h_gru": ax.plot(
                t,
                np.zeros(self.T),
                color=COLORS["h"],
                lw=1.5,
                ls=":",
                label="GRU: $h_t$",
            )[0],
        }
        ax.axhline(0, color=COLORS["ref"], lw=0.6)
        ax.set(
            xlim=(0, self.T + 1),
            ylim=(-1.2, 1.7),
            xlabel="time step $t$",
            ylabel="value",
        )
        ax.legend(loc="upper right", ncol=3, fontsize=8)
        self.status = ax.set_title("")
        self.dynamic = [*self.lines.values(), self.status]

    def run(self, z, r, w, pattern):
        x = gate_inputs(pattern, self.T)
        c, h, cs, hs = 0.0, 0.0, np.empty(self.T), np.empty(self.T)
        for t, x_t in enumerate(x):
            c = z * c + (1 - z) * np.tanh(W_IN * x_t + w * np.tanh(c))
            h = z * h + (1 - z) * np.tanh(W_IN * x_t + r * w * h)
            cs[t], hs[t] = c, h
        return cs, np.tanh(cs), hs

    def draw(self, z, r, w, pattern):
        c, h_lstm, h_gru = self.run(z, r, w, pattern)
        self.lines["c"].set_ydata(c)
        self.lines["h_lstm"].set_ydata(h_lstm)
        self.lines["h_gru"].set_ydata(h_gru)
        gap = np.abs(c - h_gru).max()
        self.status.set_text(
            f"largest |LSTM cell - GRU state| = {gap:.3f}"
            + ("  (identical: the candidates ignore the state)" if gap < 1e-12 else "")
        )


def coupled_explorer(**initial):
    """Sliders for z, the GRU's reset gate and the candidate's recurrent weight."""
    return CoupledExplorer(**initial)
