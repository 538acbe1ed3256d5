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

from ..plots import COLORS


class LiveLoss:
    """A progress bar and a loss curve that grows while training runs.

    Call update(step, loss) every step; the bar, the label and the curve are sent
    to the browser about 100 times in all (every `every` steps), not at every step:
    each update is a message, and a kernel's output channel drops messages beyond
    1000 queued ones, which can stall a client that reads them late (nbval does).
    Show it by leaving the object at the end of a cell, or with display().
    """

    def __init__(self, total, title="training", every=None, ylim=None, baseline=None):
        every = every or max(1, total // 100)
        self.total, self.every, self.ylim = total, every, ylim
        self.bar = widgets.IntProgress(
            min=0, max=total, description=title, style={"description_width": "initial"}
        )
        self.label = widgets.Label()
        self.fig = Figure(figsize=(6, 2.6), dpi=100)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.line = self.ax.plot([], [], color=COLORS["h"], lw=1.2, label="loss")[0]
        if baseline is not None:
            self.ax.axhline(
                baseline, color=COLORS["ref"], ls="--", lw=1, label="baseline"
            )
        self.ax.set(xlim=(0, total), xlabel="step", ylabel="loss", title=title)
        self.ax.legend(loc="upper right")
        self.fig.tight_layout()
        self.image = widgets.Image(format="png")
        self.steps, self.losses, self.start = [], [], time.perf_counter()
        self.widget = widgets.VBox([widgets.HBox([self.bar, self.label]), self.image])
        self._draw()

    def update(self, step, loss):
        self.steps.append(step)
        self.losses.append(float(loss))
        if step % self.every == 0 or step == self.total:
            self.bar.value = step
            self.label.value = (
                f"step {step}/{self.total}  loss {loss:.4f}  "
                f"{time.perf_counter() - self.start:.1f} s"
            )
            self._draw()

    def _draw(self):
        self.line.set_data(self.steps, self.losses)
        if self.losses:
            top = self.ylim[1] if self.ylim else 1.05 * max(self.losses)
            self.ax.set_ylim(self.ylim[0] if self.ylim else 0, top)
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
