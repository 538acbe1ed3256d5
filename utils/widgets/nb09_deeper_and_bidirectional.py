"""Notebook 09's explorer: a bidirectional network's two states over a padded
sequence, and which inputs each state at step t can see, measured by gradients.

Serves notebooks/09_deeper_and_bidirectional.ipynb.
"""

import numpy as np
from matplotlib.patches import Rectangle

from .. import cells
from ..plots import COLORS
from .base import Explorer, dropdown, int_slider

LAYER_CHOICES = ("1 layer", "2 layers")


class BidirectionalExplorer(Explorer):
    """A bidirectional RNN, LSTM or GRU (one or two layers, PyTorch's init) over one
    sequence of T steps whose first L are real. Heat maps: the top layer's forward
    and reverse states; below, the influence of each input x_s on the two states at
    step t, ||d h->_t / d x_s|| and ||d h<-_t / d x_s|| (Frobenius norms of the
    Jacobians, from multi_backward), scaled by their largest value.
    Used in notebooks/09_deeper_and_bidirectional.ipynb.
    """

    figsize = (9, 5.8)
    T, D, H = 16, 2, 6

    def make_controls(self):
        return {
            "t": int_slider("time step t", 5, 0, self.T - 1),
            "L": int_slider("real length L", 12, 1, self.T),
            "kind": dropdown("cell", ("gru", "lstm", "rnn")),
            "layers": dropdown("layers", LAYER_CHOICES),
        }

    def setup(self, fig):
        rng = np.random.default_rng(9)
        self.x = rng.standard_normal((self.T, 1, self.D))
        self.params = {  # PyTorch's init, doubled: states of a visible size
            kind: {
                k: 2 * v
                for k, v in cells.init_multi_params(
                    kind, self.D, self.H, 2, True, np.random.default_rng(7)
                ).items()
            }
            for kind in ("rnn", "lstm", "gru")
        }
        self._computed = {}
        axes = fig.subplots(
            4, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.3, 1.3, 1.6]}
        )
        self.axes = axes
        s = np.arange(self.T)
        for j in range(self.D):
            axes[0].step(s, self.x[:, 0, j], where="mid", color=COLORS["x"], lw=1.5)
        axes[0].set(ylabel="$x_s$", ylim=(-3, 3))
        axes[0].set_title("the input sequence (grey: padding)", fontsize=10, loc="left")
        self.images, self.pads, self.marks = [], [], []
        edges_s, edges_u = np.arange(self.T + 1) - 0.5, np.arange(self.H + 1) - 0.5
        for ax, label in (
            (axes[1], r"forward states $\overrightarrow{h}_s$ of the top layer"),
            (axes[2], r"reverse states $\overleftarrow{h}_s$ of the top layer"),
        ):
            image = ax.pcolormesh(
                edges_s,
                edges_u,
                np.zeros((self.H, self.T)),
                cmap="RdBu_r",
                vmin=-1,
                vmax=1,
            )
            ax.set(ylabel="unit", yticks=[], ylim=(self.H - 0.5, -0.5))
            ax.grid(False)
            ax.set_title(label, fontsize=10, loc="left")
            self.images.append(image)
        for ax in axes:
            pad = ax.add_patch(
                Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), fc="0.6")
            )
            pad.set_alpha(0.5)
            self.pads.append(pad)
            self.marks.append(ax.axvline(0, color="k", lw=1.2, ls="--"))
        ax = axes[3]
        (self.forward_line,) = ax.plot(
            s, np.zeros(self.T), "o-", color=COLORS["h"], lw=1.5, ms=4,
            label=r"on the forward state $\overrightarrow{h}_t$",
        )  # fmt: skip
        (self.reverse_line,) = ax.plot(
            s, np.zeros(self.T), "s-", color=COLORS["aux"], lw=1.5, ms=4,
            label=r"on the reverse state $\overleftarrow{h}_t$",
        )  # fmt: skip
        ax.set(
            ylim=(-0.05, 1.1),
            xlim=(-0.5, self.T - 0.5),
            xlabel="input step $s$",
            ylabel="influence",
        )
        ax.set_title(
            r"influence of $x_s$ on the states at $t$: "
            r"$\|\partial h_t / \partial x_s\|$ / largest",
            fontsize=10,
            loc="left",
        )
        ax.legend(loc="upper right", fontsize=8)
        self.status = fig.suptitle("", fontsize=10)
        self.dynamic = [
            *self.images,
            *self.pads,
            *self.marks,
            self.forward_line,
            self.reverse_line,
            self.status,
        ]

    def compute(self, kind, layers, L):
        """The top layer's states (2, H, T) and the influences (2, t, s) of a
        network of `kind` with `layers` (1 or 2) over the sequence with L real
        steps; memoised."""
        key = (kind, layers, L)
        if key in self._computed:
            return self._computed[key]
        params = {
            k: v
            for k, v in self.params[kind].items()
            if layers == 2 or k.endswith(("_l0", "_l0_reverse"))
        }
        T, H = self.T, self.H
        out = cells.multi_forward(kind, self.x, params, lengths=[L])[0]  # (T, 1, 2H)
        states = np.stack([out[:, 0, :H].T, out[:, 0, H:].T])
        # one copy of the sequence per (t, unit): the gradient of out[t, unit] in
        # its own batch item gives a row of the Jacobian, all in one backward pass
        copies = np.repeat(self.x, T * H, axis=1)
        _, _, cache = cells.multi_forward(
            kind, copies, params, lengths=np.full(T * H, L)
        )
        influence = np.empty((2, T, T))
        item = np.arange(T * H)
        for d in range(2):
            dout = np.zeros((T, T * H, 2 * H))
            dout[item // H, item, d * H + item % H] = 1.0
            dx = cells.multi_backward(dout, cache)[0]  # (s, t * H + unit, D)
            jac = dx.reshape(T, T, H, self.D)  # (s, t, unit, D)
            influence[d] = np.sqrt((jac**2).sum(axis=(2, 3))).T  # (t, s)
        influence /= max(influence.max(), 1e-300)
        self._computed[key] = states, influence
        return states, influence

    def influence(self, t, L=None, kind=None, layers=None):
        """(forward, reverse) influences of each x_s on the states at step t, (T,)."""
        v = self.values
        states, influence = self.compute(
            kind or v["kind"],
            layers or LAYER_CHOICES.index(v["layers"]) + 1,
            L or v["L"],
        )
        return influence[0, t], influence[1, t]

    def draw(self, t, L, kind, layers):
        n_layers = LAYER_CHOICES.index(layers) + 1
        states, influence = self.compute(kind, n_layers, L)
        for image, s in zip(self.images, states, strict=True):
            image.set_array(s.ravel())
        for pad in self.pads:
            pad.set_x(L - 0.5)
            pad.set_width(self.T - L)
        for mark in self.marks:
            mark.set_xdata([t, t])
        self.forward_line.set_ydata(influence[0, t])
        self.reverse_line.set_ydata(influence[1, t])
        if t >= L:
            text = f"t = {t} is padding (L = {L}): out_t = 0, no input reaches it"
        elif n_layers == 1:
            text = (
                f"t = {t}: the forward state has read x_0..x_{t}, "
                f"the reverse state x_{t}..x_{L - 1}"
            )
        else:
            text = f"t = {t}, 2 layers: both states at t see all {L} inputs"
        self.status.set_text(f"{kind.upper()}, {text}")


def bidirectional_explorer(**initial):
    """Sliders for the time step and the real length; the cell and the layers."""
    return BidirectionalExplorer(**initial)
