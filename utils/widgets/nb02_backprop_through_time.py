"""Notebook 02's explorer: vanishing and exploding gradients in a tanh RNN.

Serves notebooks/02_backprop_through_time.ipynb.
"""

import numpy as np

from .. import gradients
from ..plots import COLORS
from .base import Explorer, corner_text, int_slider, slider


class GradientNormExplorer(Explorer):
    """||dL/dh_k|| against the number of steps back, for a tanh RNN with
    W_hh = rho Q (Q orthogonal, so every singular value is rho), next to the bound
    ||dL/dh_T|| (gamma sigma_max)^(T - k) with gamma = 1 for tanh.
    Used in notebooks/02_backprop_through_time.ipynb.
    """

    figsize = (9, 3.6)
    H, T_MAX = 32, 100

    def make_controls(self):
        return {
            "rho": slider("spectral radius rho", 0.9, 0.5, 1.5, step=0.01),
            "T": int_slider("sequence length T", 50, 5, self.T_MAX),
            "scale": slider("input scale", 0.5, 0.0, 3.0),
        }

    def setup(self, fig):
        ax = fig.add_subplot()
        self.measured = ax.plot(
            [],
            [],
            color=COLORS["h"],
            lw=2,
            label=r"measured $\|\partial L/\partial h_k\|$ (tanh RNN)",
        )[0]
        self.bound = ax.plot(
            [],
            [],
            color=COLORS["ref"],
            ls="--",
            lw=1.5,
            label=r"bound $\sigma_{max}^{\,T-k}$ (= the linear RNN)",
        )[0]
        ax.axhline(1, color=COLORS["ref"], lw=0.6)
        ax.set(
            yscale="log",
            xlim=(0, self.T_MAX),
            ylim=(1e-16, 1e16),
            xlabel="steps back from the loss, $T - k$",
            ylabel=r"$\|\partial L/\partial h_k\|$",
            title="gradient reaching step k from a loss at step T",
        )
        ax.legend(loc="upper left")
        self.status = corner_text(ax)
        self.dynamic = [self.measured, self.bound, self.status]

    def draw(self, rho, T, scale):
        back, norms, bound = gradients.orthogonal_rnn_gradients(rho, T, scale, self.H)
        floor = 1e-300  # keep the log scale finite where a norm underflows to 0
        self.measured.set_data(back, np.maximum(norms, floor))
        self.bound.set_data(back, np.maximum(bound, floor))
        self.status.set_text(
            f"after T = {T} steps back: measured {norms[0]:.1e}, bound {bound[0]:.1e}"
        )


def gradient_norm_explorer(**initial):
    """Sliders for the spectral radius, sequence length and input scale of an RNN."""
    return GradientNormExplorer(**initial)
