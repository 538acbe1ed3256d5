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

from . import cells
from .plots import COLORS


class Explorer:
    """Base of every explorer: controls, a figure built once, redraw in place.

    Subclasses define ``make_controls()`` (-> {name: widget}), ``setup(fig)``, which
    builds the axes and artists and lists the artists that change in
    ``self.dynamic``, and ``draw(**values)``, which updates those artists from the
    control values. Axis limits stay fixed, so that the background stays valid.
    """

    figsize = (9, 3.4)

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
        self.fig.tight_layout()  # once, so that later redraws keep every artist still
        self._background = None
        self.refresh()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        box = widgets.HBox if len(self.controls) <= 3 else widgets.VBox
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
        self.status = ax2.text(
            0.99, 0.02, "", transform=ax2.transAxes, ha="right", va="bottom", fontsize=9
        )
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
        pattern = widgets.Dropdown(
            options=PATTERNS,
            value="single pulse",
            description="input x",
            style={"description_width": "150px"},
            layout=widgets.Layout(width="400px"),
        )
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


# Every explorer of the course, by name: the benchmark, the tests and the
# presentation page (present/explorers.ipynb) go through this list.
EXPLORERS = {
    "activation": activation_explorer,
    "one_unit_rnn": one_unit_rnn_explorer,
}
