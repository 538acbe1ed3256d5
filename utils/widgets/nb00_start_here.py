"""Notebook 00's explorer: sigmoid and tanh as soft switches, and a gate at work.

Serves notebooks/00_start_here.ipynb.
"""

import numpy as np

from .. import cells
from ..plots import COLORS
from .base import Explorer, corner_text, slider


class ActivationExplorer(Explorer):
    """sigma(w a + b) and tanh(w a + b) with their slopes, and a gate at work.

    Left: both curves over a and their derivatives with respect to a. Right: a
    signal s(t) multiplied by the gate sigma(w m(t) + b), where the control m(t)
    switches between -1 and +1. Used in notebooks/00_start_here.ipynb.
    """

    figsize = (9.5, 3.4)
    a = np.linspace(-6, 6, 241)
    t = np.arange(120)

    def make_controls(self):
        return {
            "w": slider("slope w", 1.0, 0.2, 8.0),
            "b": slider("bias b", 0.0, -6.0, 6.0),
        }

    def signal(self):
        """s(t) a sine, and m(t) the +-1 control that opens and shuts the gate."""
        return np.sin(2 * np.pi * self.t / 20), np.where(
            (self.t // 30) % 2 == 0, 1.0, -1.0
        )

    def setup(self, fig):
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        self.lines = {
            "sigmoid": ax1.plot(
                [], [], color=COLORS["gate"], lw=2, label=r"$\sigma(wa+b)$"
            )[0],
            "tanh": ax1.plot([], [], color=COLORS["h"], lw=2, label=r"$\tanh(wa+b)$")[
                0
            ],
            "dsigmoid": ax1.plot(
                [], [], color=COLORS["gate"], ls="--", lw=1, label=r"$d\sigma/da$"
            )[0],
            "dtanh": ax1.plot(
                [], [], color=COLORS["h"], ls="--", lw=1, label=r"$d\tanh/da$"
            )[0],
            "mid": ax1.axvline(0, color=COLORS["ref"], lw=0.8, ls=":"),
        }
        ax1.set(
            xlim=(-6, 6),
            ylim=(-1.15, 1.6),
            xlabel="input $a$",
            ylabel="output",
            title="steeper with $w$, shifted by $b$",
        )
        ax1.legend(loc="lower right")
        s, m = self.signal()
        ax2.plot(self.t, s, color=COLORS["x"], lw=1, label="signal $s(t)$")
        ax2.plot(
            self.t,
            1.1 * m,
            color="0.8",
            lw=1,
            drawstyle="steps-mid",
            label="control $m(t)$",
        )
        self.gate_line = ax2.plot(
            [],
            [],
            color=COLORS["gate"],
            lw=1.5,
            drawstyle="steps-mid",
            label=r"gate $\sigma(wm+b)$",
        )[0]
        self.gated_line = ax2.plot(
            [], [], color=COLORS["aux"], lw=2, label=r"gated $\sigma(wm+b)\,s(t)$"
        )[0]
        ax2.set(
            xlim=(0, self.t[-1]),
            ylim=(-1.3, 1.9),
            xlabel="time step $t$",
            title="a gate multiplies a signal",
        )
        ax2.legend(loc="upper left", ncol=2)
        self.status = corner_text(ax2)
        self.dynamic = [
            *self.lines.values(),
            self.gate_line,
            self.gated_line,
            self.status,
        ]

    def draw(self, w, b):
        z = w * self.a + b
        sg, th = cells.sigmoid(z), np.tanh(z)
        self.lines["sigmoid"].set_data(self.a, sg)
        self.lines["tanh"].set_data(self.a, th)
        self.lines["dsigmoid"].set_data(self.a, w * sg * (1 - sg))
        self.lines["dtanh"].set_data(self.a, w * (1 - th**2))
        self.lines["mid"].set_xdata([-b / w, -b / w])
        s, m = self.signal()
        gate = cells.sigmoid(w * m + b)
        self.gate_line.set_data(self.t, gate)
        self.gated_line.set_data(self.t, gate * s)
        self.status.set_text(
            f"open (m=+1): {cells.sigmoid(w + b):.3f}   "
            f"shut (m=-1): {cells.sigmoid(-w + b):.3f}"
        )


def activation_explorer(w=1.0, b=0.0):
    """Sliders for the slope w and bias b of sigma(w a + b) and tanh(w a + b)."""
    return ActivationExplorer(w=w, b=b)
