"""LiveLoss: a progress bar and a loss curve that grows while training runs.

Serves notebooks/04_lstm_backward.ipynb, 06_lstm_vs_gru.ipynb and
07_char_language_model.ipynb; the training loops themselves (utils.training,
utils.charlm) are numpy only and call back into it.
"""

import io
import time

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..plots import COLORS


class LiveLoss:
    """A progress bar and a loss curve that grows while training runs.

    Call update(step, loss) every step; the bar, the label and the curve are sent
    to the browser about 100 times in all (every `every` steps), not at every step:
    each update is a message, and a kernel's output channel drops messages beyond
    1000 queued ones, which can stall a client that reads them late (nbval does).
    Show it by leaving the object at the end of a cell, or with display().

    total: the number of steps; title: the bar's label, and the figure's title
    unless `axes_title` is given; ylabel: what the loss is, in the unit the
    notebook uses ("bits per character"), also shown beside the bar; ylim: fixed
    (bottom, top), else 0 to the largest loss; baseline: a dashed reference line,
    named by `baseline_label` in the margin to the right of the axes, where no
    curve can cover it.

    The figure is drawn at twice its on-screen size (WIDTH_PX CSS pixels wide, or
    the output's width if narrower) and shown at that size, so that it stays crisp
    on high-density screens and is never stretched.
    """

    WIDTH_PX, FIGSIZE, PIXEL_RATIO = 900, (9, 3.2), 2

    def __init__(
        self,
        total,
        title="training",
        every=None,
        ylim=None,
        baseline=None,
        ylabel="loss",
        axes_title=None,
        baseline_label="baseline",
    ):
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ValueError(f"total must be a positive int, got {total!r}")
        if ylim is not None and (len(ylim) != 2 or not ylim[0] < ylim[1]):
            raise ValueError(
                f"ylim must be (bottom, top) with bottom < top, got {ylim}"
            )
        every = every or max(1, total // 100)
        self.total, self.every, self.ylim, self.ylabel = total, every, ylim, ylabel
        self.bar = widgets.IntProgress(
            min=0, max=total, description=title, style={"description_width": "initial"}
        )
        self.label = widgets.Label()
        dpi = self.PIXEL_RATIO * self.WIDTH_PX / self.FIGSIZE[0]
        self.fig = Figure(figsize=self.FIGSIZE, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.line = self.ax.plot([], [], color=COLORS["h"], lw=1.2, label=ylabel)[0]
        if baseline is not None:
            self.ax.axhline(baseline, color=COLORS["ref"], ls="--", lw=1)
            self.ax.annotate(
                f"{baseline_label}\n{baseline:.3g}",
                xy=(1, baseline),
                xycoords=("axes fraction", "data"),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=9,
                color=COLORS["ref"],
                annotation_clip=True,
            )
        self.ax.set(
            xlim=(0, total), xlabel="step", ylabel=ylabel, title=axes_title or title
        )
        self.ax.set_ylim(*(ylim or (0, 1)))
        self.fig.tight_layout()
        self.image = widgets.Image(
            format="png",
            layout=widgets.Layout(
                width=f"{self.WIDTH_PX}px", max_width="100%", height="auto"
            ),
        )
        self.steps, self.losses, self.start = [], [], time.perf_counter()
        self.widget = widgets.VBox(
            [widgets.HBox([self.bar, self.label]), self.image],
            layout=widgets.Layout(align_items="flex-start"),  # no stretched image
        )
        self._draw()

    def update(self, step, loss):
        self.steps.append(step)
        self.losses.append(float(loss))
        if step % self.every == 0 or step == self.total:
            self.bar.value = step
            self.label.value = (
                f"step {step}/{self.total}  {self.ylabel} {loss:.3f}  "
                f"{time.perf_counter() - self.start:.1f} s"
            )
            self._draw()

    def _draw(self):
        self.line.set_data(self.steps, self.losses)
        if self.losses and not self.ylim:
            top = 1.05 * max(self.losses)
            self.ax.set_ylim(0, top if top > 0 else 1)
        canvas = self.fig.canvas
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        frame = Image.frombuffer(
            "RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buf = io.BytesIO()
        frame.convert("RGB").save(buf, format="PNG", compress_level=1)  # fast
        self.image.value = buf.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
