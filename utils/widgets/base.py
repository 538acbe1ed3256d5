"""What every explorer shares: the base class ``Explorer``, which redraws in place.

The pattern:

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

The controls every explorer builds its sliders and dropdowns with, and the
candidate sequences of the gate explorers (notebooks 03 and 05), are here too.
Serves every notebook with explorers; each notebook's own are in its module.
"""

import contextlib
import functools
import struct
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import (
    FigureCanvasAgg,
    RendererAgg,
    get_hinting_flag,
)
from matplotlib.figure import Figure
from PIL import Image

# matplotlib 3.11 rasterises text one glyph at a time from Python; earlier versions
# rasterise a line in one FreeType call
GLYPH_BY_GLYPH = hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")


class FrameCanvas(FigureCanvasAgg):
    """Matplotlib's Agg canvas, rasterising each line of plain text in one call.

    Since matplotlib 3.11, Agg lays out and rasterises text a glyph at a time from
    Python: a status line of 100 characters took 10 ms on a 2-core laptop, a third
    of an explorer's update. FreeType lays out and rasterises a whole line in one
    call (``FT2Font.set_text``, ``draw_glyphs_to_bitmap``), which is how matplotlib
    drew text up to 3.10; this canvas draws plain, unrotated text that way, in the
    same font, size, colour and place (``TextLines``). Mathtext and rotated text
    take matplotlib's own path, as everything does before matplotlib 3.11.
    """

    def get_renderer(self):
        renderer = super().get_renderer()
        if GLYPH_BY_GLYPH and "draw_text" not in vars(renderer):
            lines = TextLines(renderer)
            renderer.draw_text = lines.draw_text
            renderer.get_text_width_height_descent = lines.measure
        return renderer


class TextLines:
    """Lines of plain text rasterised in one FreeType call each, for one renderer.

    Matplotlib measures a line before it draws it, and both start by laying the
    line out (``set_text``, a few ms for 100 characters); one call here serves
    both, and a line seen again (a tick label, a status that did not change) is
    kept, up to SIZE lines.
    """

    SIZE = 1024

    def __init__(self, renderer):
        self.renderer, self.kept = renderer, {}
        self.draw_glyphs = renderer.draw_text  # matplotlib's own, for the rest
        self.measure_math = renderer.get_text_width_height_descent

    def line(self, s, prop):
        """-> (coverage (h, w) uint8, bitmap offsets x and y, descent, width,
        height), the numbers in 1/64 pixel, as FT2Font gives them."""
        key = (s, prop.copy())  # a copy: FontProperties can change under a key
        line = self.kept.get(key)
        if line is None:
            if len(self.kept) >= self.SIZE:
                self.kept.clear()
            font = self.renderer._prepare_font(prop)  # the layout's font and size
            font.set_text(s, 0, flags=get_hinting_flag())
            font.draw_glyphs_to_bitmap(antialiased=True)
            line = (np.array(font.get_image()), *font.get_bitmap_offset())
            line += (font.get_descent(), *font.get_width_height())
            self.kept[key] = line
        return line

    def measure(self, s, prop, ismath):
        """RendererAgg.get_text_width_height_descent -> pixels."""
        if ismath:
            return self.measure_math(s, prop, ismath)
        _, _, _, descent, width, height = self.line(s, prop)
        return width / 64, height / 64, descent / 64

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        """RendererAgg.draw_text; (x, y) is where the baseline starts, y down."""
        if ismath or angle or not gc.get_antialiased():
            return self.draw_glyphs(gc, x, y, s, prop, angle, ismath, mtext)
        if not s:
            return None
        coverage, dx, dy, descent, _, _ = self.line(s, prop)
        # the bitmap may start left of x, and hangs below the baseline by the
        # descent; draw_text_image takes its left and bottom edges
        left = round(x + dx / 64)
        bottom = round(y + (dy + descent) / 64) + 1
        self.renderer._renderer.draw_text_image(coverage, left, bottom, 0, gc)
        return None


class PNGWriter:
    """RGBA frames, (height, width, 4) uint8, -> PNG bytes of their RGB, fast.

    Pillow's PNG encoder tries up to five filters on every row before deflating
    (about 10 ms for a 900 x 480 frame on a 2-core laptop). This writes unfiltered
    rows deflated at level 1, at about half the time and a similar size, and keeps
    the deflated bytes of each band of BAND rows: a band that did not change since
    the previous frame (the margins, the static panels) is not compressed again.
    Each band is deflated on its own and ends on a byte boundary (a sync flush),
    so that the bands join into one valid stream.
    """

    BAND = 16  # rows

    def __init__(self):
        self._rows, self._bands = None, []

    def __call__(self, rgba):
        height, width, _ = rgba.shape
        rgb = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        rows = np.empty((height, 1 + 3 * width), np.uint8)
        rows[:, 0] = 0  # each row starts with its filter type: 0, none
        rows[:, 1:] = np.asarray(rgb.convert("RGB")).reshape(height, 3 * width)
        old = self._rows
        if old is not None and old.shape != rows.shape:
            old = None
        bands = []
        for k, top in enumerate(range(0, height, self.BAND)):
            band = rows[top : top + self.BAND]
            if old is not None and np.array_equal(band, old[top : top + self.BAND]):
                bands.append(self._bands[k])
            else:
                deflate = zlib.compressobj(1, zlib.DEFLATED, -15)  # raw deflate
                bands.append(deflate.compress(band) + deflate.flush(zlib.Z_SYNC_FLUSH))
        self._rows, self._bands = rows, bands
        # a zlib stream: its header, the bands, an empty final block, the checksum
        idat = b"".join([b"\x78\x01", *bands, b"\x03\x00"])
        idat += struct.pack(">I", zlib.adler32(rows))
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return b"".join(
            [
                b"\x89PNG\r\n\x1a\n",
                *(
                    _chunk(tag, data)
                    for tag, data in (
                        (b"IHDR", header),
                        (b"IDAT", idat),
                        (b"IEND", b""),
                    )
                ),
            ]
        )


def _chunk(tag, data):
    """A PNG chunk: length, tag, data, CRC of tag and data."""
    crc = struct.pack(">I", zlib.crc32(tag + data))
    return struct.pack(">I", len(data)) + tag + data + crc


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
    OpenBLAS keeps it spinning. On 2 cores the sampler's update took 96 ms of CPU
    for 48 ms of wall clock with two threads, 37 ms with one. course.py and Binder
    start the kernel with one thread (OPENBLAS_NUM_THREADS); this holds the
    explorers to it when a kernel was started otherwise."""
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
        """The current frame as PNG bytes (PNGWriter: about 4 ms where Pillow's
        encoder at its fastest level takes 10)."""
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
