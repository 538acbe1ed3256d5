"""Interactive explorers: sliders that drive figures redrawn in place.

The pattern, shared by every explorer (the base class ``Explorer``):

1. the figure, its axes, labels and artists are built once (``setup``);
2. moving a control calls ``draw``, which only changes the data of the artists listed
   in ``self.dynamic`` (``set_data``, ``set_text``);
3. the static part of the figure was rendered once and is kept as a bitmap; each
   update restores it and draws only the dynamic artists over it (blitting);
4. the frame is encoded as PNG with a fast compression level and set as the value of
   an ``ipywidgets.Image``, which the browser swaps in place: no flicker.

Why an Image widget with blitting rather than ipympl or a plain ``interact``,
measured with ``scripts/bench_widgets.py --compare`` on a 2-core machine (the table
is in docs/widgets.md), kernel side per update: a new figure for every move, as
``interact`` makes, 130-160 ms (p95 up to 240 ms); the whole figure redrawn in place
and written by matplotlib's PNG writer 60-65 ms; ipympl's draw and diff image 45-55
ms, plus a round trip to the browser, because ipympl draws when the front end asks
for a frame; blitting with a fast PNG encoder 11-13 ms. The Image widget needs no
front-end extension beyond ipywidgets, so the explorers behave the same in
JupyterLab, in Voila and under nbval.
"""

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import cells, gradients
from .plots import COLORS


class Explorer:
    """Base of every explorer: controls, a figure built once, redraw in place.

    Subclasses define ``make_controls()`` (-> {name: widget}), ``setup(fig)``, which
    builds the axes and artists and lists the artists that change in
    ``self.dynamic``, and ``draw(**values)``, which updates those artists from the
    control values. Axis limits stay fixed, so that the background stays valid.
    """

    figsize = (9, 3.4)
    tight = True  # tight_layout once after the first draw

    def __init__(self, **initial):
        self.controls = self.make_controls()
        unknown = set(initial) - set(self.controls)
        if unknown:
            raise ValueError(
                f"unknown control(s) {sorted(unknown)}; the controls are "
                f"{sorted(self.controls)}"
            )
        for name, value in initial.items():
            self.controls[name].value = value
        self.fig = Figure(figsize=self.figsize, dpi=100)
        FigureCanvasAgg(self.fig)
        self.dynamic = []
        self.setup(self.fig)
        if not self.dynamic:
            raise ValueError(
                f"{type(self).__name__}.setup must list its dynamic artists"
            )
        for artist in self.dynamic:
            artist.set_animated(True)  # left out of the background, drawn per update
        self.image = widgets.Image(format="png")
        self.renders = 0
        self.draw(**self.values)
        if self.tight:  # once, so that later redraws keep every artist still
            self.fig.tight_layout()
        self._background = None
        self.refresh()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        box = widgets.HBox if len(self.controls) <= 2 else widgets.VBox  # 400 px each
        self.widget = widgets.VBox(
            [box(list(self.controls.values())), self.image],
            layout=widgets.Layout(align_items="flex-start"),
        )

    def make_controls(self):
        raise NotImplementedError

    def setup(self, fig):
        raise NotImplementedError

    def draw(self, **values):
        raise NotImplementedError

    @property
    def values(self):
        """The current control values, {name: value}."""
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values):
        """Move controls as a user would (each change redraws); for tests, scripts."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(
                    f"unknown control {name!r}; the controls are "
                    f"{sorted(self.controls)}"
                )
            self.controls[name].value = value
        return self

    def _on_change(self, change):
        self.refresh()

    def refresh(self):
        """Update the artists from the controls and re-render the image."""
        self.draw(**self.values)
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()  # everything static, once
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            self.fig.draw_artist(artist)
        self.image.value = self.png()
        self.renders += 1

    def png(self):
        """The current frame as PNG bytes (fast compression: ~6 ms, not ~45 ms)."""
        width, height = self.fig.canvas.get_width_height(physical=True)
        rgba = self.fig.canvas.buffer_rgba()
        frame = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        frame.convert("RGB").save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _slider(description, value, lo, hi, step=0.05, fmt=".2f"):
    return widgets.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=True,
        style={"description_width": "150px"},  # one width, so the sliders line up
        layout=widgets.Layout(width="400px"),
    )


def _corner_text(ax):
    """An empty text in the lower right corner of ax, for a one-line status."""
    return ax.text(
        0.99, 0.03, "", transform=ax.transAxes, ha="right", va="bottom", fontsize=9
    )


def _dropdown(description, options, value=None):
    return widgets.Dropdown(
        options=options,
        value=value if value is not None else options[0],
        description=description,
        style={"description_width": "150px"},
        layout=widgets.Layout(width="400px"),
    )


GATE_PATTERNS = ("pulses +1, -1, +1", "noise", "step")


# ----------------------------------------------------------------------------------
# Notebook 00: sigmoid and tanh as soft switches
# ----------------------------------------------------------------------------------


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
            "w": _slider("slope w", 1.0, 0.2, 8.0),
            "b": _slider("bias b", 0.0, -6.0, 6.0),
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
        self.status = _corner_text(ax2)
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


# ----------------------------------------------------------------------------------
# Notebook 01: the one-unit RNN
# ----------------------------------------------------------------------------------

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
        pattern = _dropdown("input x", PATTERNS, "single pulse")
        return {
            "w_hh": _slider("recurrent weight w_hh", 0.5, -2.5, 2.5),
            "w_ih": _slider("input weight w_ih", 1.5, -3.0, 3.0),
            "b": _slider("bias b", 0.0, -2.0, 2.0),
            "h0": _slider("initial state h0", 0.0, -1.0, 1.0),
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


# ----------------------------------------------------------------------------------
# Notebook 02: vanishing and exploding gradients
# ----------------------------------------------------------------------------------


def _int_slider(description, value, lo, hi, step=1):
    return widgets.IntSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=True,
        style={"description_width": "150px"},
        layout=widgets.Layout(width="400px"),
    )


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
            "rho": _slider("spectral radius rho", 0.9, 0.5, 1.5, step=0.01),
            "T": _int_slider("sequence length T", 50, 5, self.T_MAX),
            "scale": _slider("input scale", 0.5, 0.0, 3.0),
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
        self.status = _corner_text(ax)
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


# ----------------------------------------------------------------------------------
# Notebook 03: the LSTM's gates and the gradient highway
# ----------------------------------------------------------------------------------


def gate_inputs(pattern, T=60):
    """Candidate values g_t for the gate explorer -> (T,)."""
    t = np.arange(T)
    if pattern == "pulses +1, -1, +1":
        return (t == 5) - (t == 25).astype(float) + (t == 45)
    if pattern == "noise":
        return np.tanh(np.random.default_rng(3).standard_normal(T))
    if pattern == "step":
        return (t >= 5).astype(float)
    raise ValueError(
        f"pattern must be 'pulses +1, -1, +1', 'noise' or 'step', got {pattern!r}"
    )


class GateExplorer(Explorer):
    """An LSTM cell with its gates held by sliders: c_t = f c_{t-1} + i g_t and
    h_t = o tanh(c_t), for a sequence of candidate values g_t.
    Used in notebooks/03_lstm.ipynb.
    """

    figsize = (9, 5.2)
    T = 60

    def make_controls(self):
        pattern = _dropdown("candidate g", GATE_PATTERNS)
        return {
            "f": _slider("forget gate f", 0.9, 0.0, 1.0, step=0.01),
            "i": _slider("input gate i", 1.0, 0.0, 1.0, step=0.01),
            "o": _slider("output gate o", 1.0, 0.0, 1.0, step=0.01),
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
    """The gradient through the cell, prod f_t, against the tanh RNN's Jacobian
    product, over the lag. f_t = sigma(b_f + s eps_t) with fixed noise eps_t.
    Used in notebooks/03_lstm.ipynb.
    """

    figsize = (9, 3.6)
    LAGS = 100

    def make_controls(self):
        return {
            "b_f": _slider("forget bias b_f", 3.0, -2.0, 8.0),
            "spread": _slider("spread of f's input", 0.5, 0.0, 3.0),
            "rho": _slider("RNN spectral radius", 0.9, 0.5, 1.5, step=0.01),
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
            label=r"tanh RNN: $\|\prod \mathrm{diag}(1-h^2) W_{hh}\|$",
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
        self.status = _corner_text(ax)
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


# ----------------------------------------------------------------------------------
# Notebook 04: the forget-gate bias and the gradient through a real LSTM
# ----------------------------------------------------------------------------------


class ForgetBiasExplorer(Explorer):
    """||dL/dc_k|| over the steps back for a freshly initialised LSTM (PyTorch's
    init, H = 16) whose forget-gate bias is shifted by a slider; the loss is on c_T.
    Used in notebooks/04_lstm_backward.ipynb.
    """

    figsize = (9, 3.6)
    H, T_MAX = 16, 100

    def make_controls(self):
        return {
            "b_f": _slider("forget bias shift", 0.0, -2.0, 5.0),
            "T": _int_slider("sequence length T", 60, 5, self.T_MAX),
        }

    def setup(self, fig):
        rng = np.random.default_rng(5)
        self.params = cells.init_params("lstm", 2, self.H, rng)
        self.x = rng.standard_normal((self.T_MAX, 1, 2))
        v = rng.standard_normal((1, self.H))
        self.v = v / np.linalg.norm(v)
        ax = fig.add_subplot()
        self.line = ax.plot(
            [], [], color=COLORS["c"], lw=2, label=r"$\|\partial L/\partial c_k\|$"
        )[0]
        self.highway = ax.plot(
            [],
            [],
            color=COLORS["ref"],
            ls="--",
            lw=1.2,
            label=r"carousel alone: $\prod f_t$",
        )[0]
        ax.set(
            yscale="log",
            xlim=(0, self.T_MAX),
            ylim=(1e-30, 3),
            xlabel="steps back from the loss, $T - k$",
            ylabel=r"$\|\partial L/\partial c_k\|$",
            title="gradient through a freshly initialised LSTM's cell",
        )
        ax.legend(loc="lower left")
        self.status = _corner_text(ax)
        self.dynamic = [self.line, self.highway, self.status]

    def shifted(self, b_f):
        p = {k: v.copy() for k, v in self.params.items()}
        p["bias_ih_l0"][self.H : 2 * self.H] += b_f
        return p

    def draw(self, b_f, T):
        p = self.shifted(b_f)
        x = self.x[:T]
        grads = gradients.cell_state_gradients(
            x, p, np.zeros((1, self.H)), np.zeros((1, self.H)), self.v
        )
        norms = np.linalg.norm(grads[:, 0], axis=1)
        _, _, cache = cells.lstm_forward(x, p)
        f = cache["gates"][:, 0, self.H : 2 * self.H]  # (T, H) forget gates
        carousel = np.linalg.norm(np.cumprod(f[::-1], axis=0) * self.v, axis=1)
        back = np.arange(T, -1, -1)
        self.line.set_data(back, np.maximum(norms, 1e-300))
        self.highway.set_data(np.arange(1, T + 1), np.maximum(carousel, 1e-300))
        self.status.set_text(
            f"mean forget gate {f.mean():.3f};  {T} steps back: {norms[0]:.1e}"
        )


def forget_bias_explorer(**initial):
    """Sliders for the forget-gate bias shift and the sequence length of an LSTM."""
    return ForgetBiasExplorer(**initial)


# ----------------------------------------------------------------------------------
# Notebook 05: the GRU's gates, and a coupled-gate LSTM beside a GRU
# ----------------------------------------------------------------------------------

W_IN, W_REC = 2.0, 1.5  # the one-unit cells' input and recurrent weights


class GRUGateExplorer(Explorer):
    """A one-unit GRU with its gates held by sliders: the candidate
    n_t = tanh(2 x_t + r 1.5 h_{t-1}) and h_t = (1 - z) n_t + z h_{t-1}.
    Used in notebooks/05_gru.ipynb.
    """

    figsize = (9, 3.8)
    T = 60

    def make_controls(self):
        pattern = _dropdown("input x", GATE_PATTERNS)
        return {
            "z": _slider("update gate z", 0.9, 0.0, 1.0, step=0.01),
            "r": _slider("reset gate r", 0.0, 0.0, 1.0, step=0.01),
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
        pattern = _dropdown("input x", GATE_PATTERNS)
        return {
            "z": _slider("update z (= f = 1 - i)", 0.6, 0.0, 1.0, step=0.01),
            "r": _slider("GRU reset gate r", 1.0, 0.0, 1.0, step=0.01),
            "w": _slider("state weight w", 1.5, 0.0, 2.0),
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


# ----------------------------------------------------------------------------------
# Notebook 06: browse the stored comparison
# ----------------------------------------------------------------------------------

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
            "experiment": _dropdown(
                "experiment", tuple(EXPERIMENTS), "adding, T = 100"
            ),
            "lr": _dropdown("learning rate", ("0.01", "0.001"), "0.01"),
            "curve": _dropdown(
                "curve", ("held-out loss", "training loss"), "held-out loss"
            ),
        }

    def setup(self, fig):
        from .data import load_comparison
        from .training import baseline

        self.results, self.baseline = load_comparison(), baseline
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
        b = self.baseline(task, T)
        self.base.set_ydata([b, b])
        self.status.set_text(
            f"{experiment}, lr {lr}: final held-out loss (seed 0) "
            + ", ".join(finals)
            + f"; baseline {b:.3g}"
        )


def results_explorer(**initial):
    """Dropdowns for the experiment, learning rate and curve of the stored runs."""
    return ResultsExplorer(**initial)


# ----------------------------------------------------------------------------------
# Notebook 07: a character-level language model
# ----------------------------------------------------------------------------------


def _stored_model():
    from . import charlm
    from .data import verified_path

    return charlm.load_model(verified_path("models/charlm_lstm.npz"))[0]


def _text_box(description, value):
    return widgets.Text(
        value=value,
        description=description,
        continuous_update=False,  # sample when Enter is pressed or the box is left
        style={"description_width": "150px"},
        layout=widgets.Layout(width="400px"),
    )


class SamplerExplorer(Explorer):
    """The stored character LSTM continues a priming text: the distribution of the
    next character at the chosen temperature (bars) and 240 sampled characters.
    Used in notebooks/07_char_language_model.ipynb.
    """

    figsize = (9, 4.8)
    LENGTH = 200

    def make_controls(self):
        return {
            "temperature": _slider("temperature", 0.8, 0.1, 2.0, step=0.05),
            "prime": _text_box("priming text", "HAMLET:\\nThe "),
            "seed": _int_slider("seed", 0, 0, 20),
        }

    def setup(self, fig):
        from . import charlm

        self.charlm, self.model = charlm, _stored_model()
        chars = self.model["chars"]
        self.labels = [{"\n": "\\n", " ": "␣"}.get(c, c) for c in chars]
        grid = fig.add_gridspec(2, 1, height_ratios=(1, 1.3))
        ax = fig.add_subplot(grid[0])
        # one PolyCollection of V rectangles: one artist to blit, not V
        from matplotlib.collections import PolyCollection

        self.x = np.arange(len(chars))
        self.bars = PolyCollection(self._verts(np.zeros(len(chars))), color=COLORS["h"])
        ax.add_collection(self.bars)
        ax.set_xticks(range(len(chars)), self.labels, fontsize=6.5)
        ax.set(ylim=(0, 1), xlim=(-0.7, len(chars) - 0.3), ylabel="p(next character)")
        self.status = ax.set_title("")
        text_ax = fig.add_subplot(grid[1])
        text_ax.axis("off")
        self.sample_text = text_ax.text(
            0,
            1,
            "",
            va="top",
            ha="left",
            family="monospace",
            fontsize=8.5,
            transform=text_ax.transAxes,
        )
        self.dynamic = [self.bars, self.status, self.sample_text]

    def _verts(self, heights):
        left, right = self.x - 0.4, self.x + 0.4
        zero = np.zeros_like(heights)
        corners = [(left, zero), (left, heights), (right, heights), (right, zero)]
        return np.stack([np.stack(c, axis=-1) for c in corners], axis=1)

    @property
    def heights(self):
        """The bars' heights: the next character's probabilities."""
        return np.array([path.vertices[1, 1] for path in self.bars.get_paths()])

    def draw(self, temperature, prime, seed):
        prime = "".join(
            c for c in prime.replace("\\n", "\n") if c in self.model["chars"]
        )
        prime = prime or "\n"
        p = self.charlm.next_char_probs(self.model, prime, temperature)
        self.bars.set_verts(self._verts(p))
        text = self.charlm.sample(self.model, prime, self.LENGTH, temperature, seed)
        lines = []
        for line in text.split("\n"):
            while len(line) > 100:
                lines.append(line[:100])
                line = line[100:]
            lines.append(line)
        self.sample_text.set_text("\n".join(lines[:14]))
        top = np.argsort(p)[::-1][:3]
        best = ", ".join(f"'{self.labels[i]}' {p[i]:.2f}" for i in top)
        self.status.set_text(
            f"after the priming text, at temperature {temperature:.2f}: {best}; "
            f"entropy {-(p * np.log2(np.maximum(p, 1e-30))).sum():.2f} bits"
        )


def sampler_explorer(**initial):
    """Temperature, priming text and seed -> the next-character distribution and a
    sample from the stored character LSTM."""
    return SamplerExplorer(**initial)


class TextActivationExplorer(Explorer):
    """One unit of the stored character LSTM drawn over held-out text: each
    character coloured by the unit's cell state, hidden state or a gate after
    reading it. Used in notebooks/07_char_language_model.ipynb.
    """

    figsize = (9, 5.6)
    tight = False  # the axes are placed by hand
    COLUMNS, ROWS = 60, 24
    QUANTITIES = (
        "cell state c",
        "hidden state h",
        "input gate",
        "forget gate",
        "output gate",
    )

    def make_controls(self):
        from . import charlm
        from .data import load_text

        self.model = _stored_model()
        self.text = load_text("held_out")[:1500]
        acts = charlm.activations(self.model, self.text)
        self.acts = {
            "cell state c": np.tanh(acts["c"]),  # tanh(c): in (-1, 1), like h
            "hidden state h": acts["h"],
            "input gate": acts["input"],
            "forget gate": acts["forget"],
            "output gate": acts["output"],
        }
        self.line_corr = charlm.correlations(acts["c"], charlm.line_position(self.text))
        strongest = int(np.abs(self.line_corr).argmax())
        return {
            "unit": _int_slider("unit", strongest, 0, acts["h"].shape[1] - 1),
            "quantity": _dropdown("quantity", self.QUANTITIES),
        }

    def _layout(self):
        """Character grid: (row, column) of each drawn character of the text."""
        where, row, col = [], 0, 0
        for t, ch in enumerate(self.text):
            if row >= self.ROWS:
                break
            where.append((t, row, col))
            if ch == "\n" or col == self.COLUMNS - 1:
                row, col = row + 1, 0
            else:
                col += 1
        return where

    def setup(self, fig):
        from matplotlib.colors import TwoSlopeNorm

        ax = fig.add_axes((0.01, 0.06, 0.86, 0.86))
        ax.set_axis_off()
        self.cells_at = self._layout()
        grid = np.full((self.ROWS, self.COLUMNS), np.nan)
        self.norm = TwoSlopeNorm(0, -1, 1)
        self.grid = ax.imshow(
            grid,
            cmap="coolwarm",
            norm=self.norm,
            aspect="auto",
            interpolation="nearest",
        )
        # The characters must lie on top of the colours, which change; drawing 1500
        # text artists per update would take ~100 ms, so they are rendered once into
        # a transparent layer of the figure's size and drawn as one image instead.
        layer = Figure(figsize=self.figsize, dpi=fig.dpi)
        FigureCanvasAgg(layer)
        layer.patch.set_alpha(0)
        lax = layer.add_axes(ax.get_position())
        lax.set_axis_off()
        lax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())
        for t, row, col in self.cells_at:
            if self.text[t] != "\n":
                lax.text(
                    col,
                    row,
                    self.text[t],
                    ha="center",
                    va="center",
                    family="monospace",
                    fontsize=7.5,
                )
        layer.canvas.draw()
        glyphs = np.asarray(layer.canvas.buffer_rgba()).copy()
        self.glyphs = fig.figimage(glyphs, 0, 0, origin="upper", zorder=3)
        cax = fig.add_axes((0.9, 0.1, 0.02, 0.78))
        fig.colorbar(self.grid, cax=cax)
        self.status = fig.text(0.01, 0.955, "", fontsize=9)
        self.dynamic = [self.grid, self.glyphs, self.status]

    def draw(self, unit, quantity):
        values = self.acts[quantity][:, unit]
        grid = np.full((self.ROWS, self.COLUMNS), np.nan)
        for t, row, col in self.cells_at:
            grid[row, col] = values[t]
        gate = quantity.endswith("gate")
        self.grid.set_data(2 * grid - 1 if gate else grid)  # gates (0, 1) -> (-1, 1)
        scale = "0 (blue) to 1 (red)" if gate else "-1 (blue) to 1 (red)"
        self.status.set_text(
            f"unit {unit}, {quantity}, from {scale}; its cell state's correlation "
            f"with the position in the line: {self.line_corr[unit]:+.2f}"
        )


def text_activation_explorer(**initial):
    """A unit slider and a quantity dropdown -> one unit's activity over text."""
    return TextActivationExplorer(**initial)


# ----------------------------------------------------------------------------------
# Notebook 08: the ablation study
# ----------------------------------------------------------------------------------


class AblationExplorer(Explorer):
    """Learning curves of one LSTM variant beside the vanilla LSTM, from
    data/results/ablation.npz, every seed. Used in notebooks/08_lstm_ablation.ipynb.
    """

    figsize = (9, 3.6)

    def make_controls(self):
        from .variants import VARIANTS

        return {
            "variant": _dropdown("variant", VARIANTS[1:], "NFG"),
            "curve": _dropdown(
                "curve", ("held-out bits/char", "training bits/char"), None
            ),
        }

    def setup(self, fig):
        from .data import load_ablation

        self.results = load_ablation()
        meta = self.results["meta"]
        ax = fig.add_subplot()
        seeds = sorted({s for _, s in self.results["runs"]})
        self.lines = {}
        for who, color in (("vanilla", COLORS["ref"]), ("variant", COLORS["h"])):
            for seed in seeds:
                self.lines[who, seed] = ax.plot(
                    [], [], color=color, lw=1.5, label=who if seed == 0 else None
                )[0]
        ax.set(
            xlim=(0, meta["steps"]),
            ylim=(1.5, 6.5),
            xlabel="training step",
            ylabel="bits per character",
        )
        self.legend = ax.legend(loc="upper right")
        self.status = ax.set_title("", fontsize=10)
        self.dynamic = [*self.lines.values(), self.status, self.legend]

    def draw(self, variant, curve):
        runs, meta = self.results["runs"], self.results["meta"]
        stride = meta["train_stride"]
        finals = {"vanilla": [], "variant": []}
        for (who, seed), line in self.lines.items():
            run = runs["vanilla" if who == "vanilla" else variant, seed]
            if curve.startswith("held-out"):
                x, y = self.results["eval_steps"], run["eval"]
            else:
                y = run["train"]
                x = stride * np.arange(len(y)) + stride / 2
            line.set_data(x, np.clip(y, 0, 50))
            finals[who].append(run["eval"][-1])
        self.legend.get_texts()[1].set_text(variant)
        v, b = np.array(finals["variant"]), np.array(finals["vanilla"])
        self.status.set_text(
            f"held-out at the end: {variant} {v.mean():.3f} ± {v.std(ddof=1):.3f}, "
            f"vanilla {b.mean():.3f} ± {b.std(ddof=1):.3f} bits/char "
            f"(mean ± sd of {len(v)} seeds)"
        )


def ablation_explorer(**initial):
    """Dropdowns for the variant and the curve of the stored ablation runs."""
    return AblationExplorer(**initial)


# Every explorer of the course, by name: the benchmark, the tests and the
# presentation page (present/explorers.ipynb) go through this list.
EXPLORERS = {
    "activation": activation_explorer,
    "one_unit_rnn": one_unit_rnn_explorer,
    "gradient_norm": gradient_norm_explorer,
    "gates": gate_explorer,
    "highway": highway_explorer,
    "forget_bias": forget_bias_explorer,
    "gru_gates": gru_gate_explorer,
    "coupled": coupled_explorer,
    "results": results_explorer,
    "sampler": sampler_explorer,
    "text_activation": text_activation_explorer,
    "ablation": ablation_explorer,
}
