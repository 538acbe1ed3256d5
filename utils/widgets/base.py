"""What every explorer shares: the base class ``Explorer``, which redraws in place.

The pattern:

1. the figure, its axes, labels and artists are built once (``setup``);
2. moving a control calls ``draw``, which only changes the data of the artists listed
   in ``self.dynamic`` (``set_data``, ``set_text``);
3. the static part of the figure was rendered once and is kept as a bitmap; each
   update restores it and draws only the dynamic artists over it (blitting);
4. the frame is encoded as PNG, fast (``PNGWriter``), and set as the value of an
   ``ipywidgets.Image``, which the browser swaps in place: no flicker.

Text is drawn by ``FrameCanvas`` a line per FreeType call (matplotlib 3.11 draws
it a glyph at a time, which made text the largest cost of an update), and an
update runs its BLAS calls on one thread (``one_blas_thread``).

Why an Image widget with blitting rather than ipympl or a plain ``interact``,
measured with ``scripts/bench_widgets.py --compare`` on a 2-core machine (the tables
are in docs/widgets.md), kernel side per update of the one-unit RNN explorer: a new
figure for every move, as ``interact`` makes, about 550 ms (p95 about 1 s, 130-160
ms on the faster machine of 2026-11-24); the whole figure redrawn in place and
written by matplotlib's PNG writer about 160 ms (60-65); ipympl's draw and diff
image 45-55 ms on that machine, plus a round trip to the browser, because ipympl
draws when the front end asks for a frame; blitting, as here, 11 ms (11-13). The
Image widget needs no front-end extension beyond ipywidgets, so the explorers
behave the same in JupyterLab, in Voila and under nbval.

The controls every explorer builds its sliders and dropdowns with, and the
candidate sequences of the gate explorers (notebooks 03 and 05), are here too.
Serves every notebook with explorers; each notebook's own are in its module.
"""

import contextlib
import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .frames import FrameCanvas, PNGWriter


@functools.cache
def _blas_threads():
    """threadpoolctl's handle on the BLAS numpy calls, or None without it."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is in requirements.txt
        return None
    return ThreadpoolController().select(user_api="blas")


def one_blas_thread():
    """A context in which BLAS calls run on one thread.

    An update's matrices are small (the sampler's 200 steps multiply a (1, 256) row
    by a (256, 1024) matrix): a second BLAS thread only waits for the first, and
    OpenBLAS keeps it spinning. On 2 cores, before this, the sampler's update took
    84-126 ms (127-167 ms of CPU) with two threads, 54-74 ms with one. course.py
    and Binder start the kernel with one thread (OPENBLAS_NUM_THREADS); this holds
    the explorers to it when a kernel was started otherwise."""
    blas = _blas_threads()
    return blas.limit(limits=1) if blas else contextlib.nullcontext()


class Explorer:
    """Base of every explorer: controls, a figure built once, redraw in place.

    Subclasses define ``make_controls()`` (-> {name: widget}), ``setup(fig)``, which
    builds the axes and artists and lists the artists that change in
    ``self.dynamic``, and ``draw(**values)``, which updates those artists from the
    control values; ``paint(pixels)`` may write pixels directly. Axis limits stay
    fixed, so that the background stays valid; an explorer whose limits follow a
    control (a different scale per task) says what they depend on in
    ``background_key()``, and each key's background is rendered once and kept,
    the keys ``background_values()`` lists as the explorer is built.
    """

    figsize = (9, 3.4)
    dpi = 100  # pixels per inch of the figure; the presentation page draws at 150
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
        self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
        FrameCanvas(self.fig)
        self._png = PNGWriter()
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
        self._backgrounds = {}
        self._prerender()
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

    def paint(self, pixels):
        """Write into the frame, pixels (height, width, 4) uint8 RGBA with row 0 at
        the top, over the static part and under the dynamic artists: for what
        matplotlib would draw too slowly (notebook 07's grid of characters).
        By default nothing."""

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

    def background_key(self):
        """What the static part of the figure depends on: None (nothing), or the
        value of the control that sets the axis limits."""
        return None

    def background_values(self):
        """Control values, [{name: value}, ...], whose backgrounds are rendered as
        the explorer is built rather than at their first visit: a full render can
        take longer than an update may. By default none."""
        return []

    def _prerender(self):
        """Render and keep the backgrounds of background_values() (before the
        controls are observed: setting them here draws nothing)."""
        start = self.values
        for values in self.background_values():
            for name, value in values.items():
                self.controls[name].value = value
            if self._background is None:
                with one_blas_thread():
                    self.draw(**self.values)
                self._keep_background()
        for name, value in start.items():
            self.controls[name].value = value

    def _keep_background(self):
        """Render everything static and keep it under the current key."""
        canvas = self.fig.canvas
        canvas.draw()
        self._backgrounds[self.background_key()] = canvas.copy_from_bbox(self.fig.bbox)

    @property
    def _background(self):
        """The static part of the figure as it stands now (a bitmap), or None."""
        return self._backgrounds.get(self.background_key())

    def _on_change(self, change):
        self.refresh()

    def refresh(self):
        """Update the artists from the controls and re-render the image."""
        with one_blas_thread():
            self.draw(**self.values)
        canvas = self.fig.canvas
        if self._background is None:
            self._keep_background()  # everything static, once (per background key)
        else:
            canvas.restore_region(self._background)
        self.paint(np.asarray(canvas.buffer_rgba()))
        for artist in self.dynamic:
            self.fig.draw_artist(artist)
        self.image.value = self.png()
        self.renders += 1

    def png(self):
        """The current frame as PNG bytes (PNGWriter: 3-6 ms where Pillow's encoder
        at its fastest level takes 8-16)."""
        return self._png(np.asarray(self.fig.canvas.buffer_rgba()))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def slider(description, value, lo, hi, step=0.05, fmt=".2f"):
    """A float slider from lo to hi, 400 px wide, its label 150 px: they line up."""
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


def corner_text(ax):
    """An empty text in the lower right corner of ax, for a one-line status."""
    return ax.text(
        0.99, 0.03, "", transform=ax.transAxes, ha="right", va="bottom", fontsize=9
    )


def dropdown(description, options, value=None):
    """A dropdown of options, value (default the first) chosen, as wide as a slider."""
    return widgets.Dropdown(
        options=options,
        value=value if value is not None else options[0],
        description=description,
        style={"description_width": "150px"},
        layout=widgets.Layout(width="400px"),
    )


def int_slider(description, value, lo, hi, step=1):
    """An integer slider from lo to hi, laid out like slider()."""
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


def text_box(description, value):
    """A one-line text box (sends its value on Enter), as wide as the sliders."""
    return widgets.Text(
        value=value,
        description=description,
        continuous_update=False,  # sample when Enter is pressed or the box is left
        style={"description_width": "150px"},
        layout=widgets.Layout(width="400px"),
    )


GATE_PATTERNS = ("pulses +1, -1, +1", "noise", "step")


def gate_inputs(pattern, T=60):
    """Candidate values g_t (LSTM, notebook 03) or inputs x_t (GRU, 05) -> (T,).

    pattern: one of GATE_PATTERNS.
    """
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
