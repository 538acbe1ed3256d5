"""Notebook 07's explorers: sampling from the stored character LSTM with a
temperature, and one unit's activity drawn over text.

Serves notebooks/07_char_language_model.ipynb.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.transforms import IdentityTransform

from .. import charlm
from ..data import load_text, verified_path
from ..plots import COLORS
from .base import Explorer, dropdown, int_slider, slider, text_box


def _stored_model():
    """The character LSTM stored by scripts/train_charlm.py, as a charlm model dict."""
    return charlm.load_model(verified_path("models/charlm_lstm.npz"))[0]


def glyph_atlas(chars, fontsize, dpi):
    """Each character of chars rendered once in the monospace font: -> (cell width,
    line height, {char: (line height, cell width) uint8 coverage}).

    Laying out and rasterising a few hundred glyphs costs matplotlib 10-20 ms per
    frame; pasting stored bitmaps into a grid costs well under one. The cells are
    whole pixels (the font's advance, rounded), so a line of n characters is
    n * width pixels long, within a few pixels of matplotlib's own layout."""
    size = fontsize * dpi / 72  # the em in pixels
    width, height, base = round(0.602 * size), round(1.25 * size), round(0.3 * size)
    atlas = Figure(
        figsize=(2 * width * len(chars) / dpi, (height + 0.5) / dpi), dpi=dpi
    )
    FigureCanvasAgg(atlas)
    atlas.patch.set_alpha(0)
    for k, ch in enumerate(chars):  # at whole pixels, two cells apart
        atlas.text(
            2 * width * k,
            base,
            ch,
            family="monospace",
            fontsize=fontsize,
            transform=IdentityTransform(),
            va="baseline",
        )
    atlas.canvas.draw()
    alpha = np.asarray(atlas.canvas.buffer_rgba())[..., 3]
    cells = {
        ch: alpha[:height, 2 * width * k : 2 * width * k + width].copy()
        for k, ch in enumerate(chars)
    }
    return width, height, cells


class SamplerExplorer(Explorer):
    """The stored character LSTM continues a priming text: the distribution of the
    next character at the chosen temperature (bars) and 200 sampled characters.
    Used in notebooks/07_char_language_model.ipynb.
    """

    figsize = (9, 4.8)
    LENGTH, COLUMNS, ROWS = 200, 100, 14  # characters sampled; lines of the text

    def make_controls(self):
        return {
            "temperature": slider("temperature", 0.8, 0.1, 2.0, step=0.05),
            "prime": text_box("priming text", "HAMLET:\\nThe "),
            "seed": int_slider("seed", 0, 0, 20),
        }

    def setup(self, fig):
        self.model = _stored_model()
        chars = self.model["chars"]
        self.labels = [{"\n": "\\n", " ": "␣"}.get(c, c) for c in chars]
        grid = fig.add_gridspec(2, 1, height_ratios=(1, 1.3))
        ax = fig.add_subplot(grid[0])
        # one PolyCollection of V rectangles: one artist to blit, not V
        self.x = np.arange(len(chars))
        self.bars = PolyCollection(self._verts(np.zeros(len(chars))), color=COLORS["h"])
        ax.add_collection(self.bars)
        ax.set_xticks(range(len(chars)), self.labels, fontsize=6.5)
        ax.set(ylim=(0, 1), xlim=(-0.7, len(chars) - 0.3), ylabel="p(next character)")
        self.status = ax.set_title("")
        self.text_ax = fig.add_subplot(grid[1])
        self.text_ax.axis("off")
        # the sample, as text (what it says); drawn by paint() from stored glyphs
        self.sample_text = self.text_ax.text(
            0, 1, "", va="top", family="monospace", fontsize=8.5, visible=False
        )
        self.cell_w, self.line_h, self.glyphs = glyph_atlas(chars, 8.5, fig.dpi)
        blank = np.zeros((1, self.line_h, self.cell_w), np.uint16)
        stack = [self.glyphs[ch] for ch in chars]
        self.glyph_stack = np.concatenate([np.stack(stack).astype(np.uint16), blank])
        self.glyph_index = {ch: k for k, ch in enumerate(chars)}
        self.lines = []
        self._probs = (None, None)  # (prime, temperature), their distribution
        self.dynamic = [self.bars, self.status]

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
        if self._probs[0] != (prime, temperature):  # a new seed keeps them
            p = charlm.next_char_probs(self.model, prime, temperature)
            self._probs = (prime, temperature), p
            self.bars.set_verts(self._verts(p))
        p = self._probs[1]
        text = charlm.sample(self.model, prime, self.LENGTH, temperature, seed)
        lines = []
        for line in text.split("\n"):
            while len(line) > self.COLUMNS:
                lines.append(line[: self.COLUMNS])
                line = line[self.COLUMNS :]
            lines.append(line)
        self.lines = lines[: self.ROWS]
        self.sample_text.set_text("\n".join(self.lines))
        top = np.argsort(p)[::-1][:3]
        best = ", ".join(f"'{self.labels[i]}' {p[i]:.2f}" for i in top)
        self.status.set_text(
            f"after the priming text, at temperature {temperature:.2f}: {best}; "
            f"entropy {-(p * np.log2(np.maximum(p, 1e-30))).sum():.2f} bits"
        )

    def paint(self, pixels):
        """The sample's characters in black, from the top left of the text axes:
        one gather of stored glyphs into a block, one blend of the pixels it
        covers."""
        ids = np.full((self.ROWS, self.COLUMNS), len(self.glyphs))  # a blank cell
        for row, line in enumerate(self.lines):
            ids[row, : len(line)] = [self.glyph_index.get(ch, -1) for ch in line]
        block = self.glyph_stack[ids]  # (rows, columns, line height, cell width)
        block = block.transpose(0, 2, 1, 3).reshape(
            self.ROWS * self.line_h, self.COLUMNS * self.cell_w
        )
        box = self.text_ax.bbox
        left, top = round(box.x0), pixels.shape[0] - round(box.y1)
        region = pixels[top : top + block.shape[0], left : left + block.shape[1], :3]
        block = block[: region.shape[0], : region.shape[1]]
        y, x = np.nonzero(block)  # the pixels a glyph covers; the rest stay
        cover = block[y, x, None]
        region[y, x] = (region[y, x] * (255 - cover) + 127) // 255


def sampler_explorer(**initial):
    """Temperature, priming text and seed -> the next-character distribution and a
    sample from the stored character LSTM."""
    return SamplerExplorer(**initial)


class TextActivationExplorer(Explorer):
    """One unit of the stored character LSTM drawn over held-out text: each
    character coloured by the unit's cell state (drawn as tanh(c), in (-1, 1) like
    h), hidden state or a gate after reading it. Used in
    notebooks/07_char_language_model.ipynb.
    """

    figsize = (9, 5.6)
    tight = False  # the axes are placed by hand
    COLUMNS, ROWS = 60, 24
    QUANTITIES = (
        "tanh of the cell state c",
        "hidden state h",
        "input gate",
        "forget gate",
        "output gate",
    )

    def make_controls(self):
        self.model = _stored_model()
        self.text = load_text("held_out")[:1500]
        acts = charlm.activations(self.model, self.text)
        self.acts = {
            "tanh of the cell state c": np.tanh(acts["c"]),  # in (-1, 1), like h
            "hidden state h": acts["h"],
            "input gate": acts["input"],
            "forget gate": acts["forget"],
            "output gate": acts["output"],
        }
        self.line_corr = charlm.correlations(acts["c"], charlm.line_position(self.text))
        strongest = int(np.abs(self.line_corr).argmax())
        return {
            "unit": int_slider("unit", strongest, 0, acts["h"].shape[1] - 1),
            "quantity": dropdown("quantity", self.QUANTITIES),
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
        self.grid.set_visible(False)  # its data and colours; paint() draws them
        # The characters lie on top of the colours, which change. Drawing 1500 text
        # artists per update would take ~100 ms, so they are rendered once into a
        # transparent layer of the figure's size, kept as coverage (0-255) ...
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
        coverage = np.asarray(layer.canvas.buffer_rgba())[..., 3]
        # ... and each update paints the cells' colours and these glyphs straight
        # into the frame (matplotlib's resampling of two images took ~25 ms):
        # pixel (y, x) of the axes shows cell cell_of[y, x], as imshow's
        # nearest-neighbour drawing does.
        height = coverage.shape[0]
        x0, x1 = ax.bbox.x0, ax.bbox.x1
        top, bottom = height - ax.bbox.y1, height - ax.bbox.y0  # rows from the top
        self.xs = slice(int(np.floor(x0)), int(np.ceil(x1)))
        self.ys = slice(int(np.floor(top)), int(np.ceil(bottom)))
        x = np.arange(self.xs.start, self.xs.stop) + 0.5
        y = np.arange(self.ys.start, self.ys.stop) + 0.5
        col = ((x - x0) * self.COLUMNS / (x1 - x0)).astype(int)
        row = ((y - top) * self.ROWS / (bottom - top)).astype(int)
        inside = np.outer(
            (row >= 0) & (row < self.ROWS), (col >= 0) & (col < self.COLUMNS)
        )
        blank = self.ROWS * self.COLUMNS  # the index of the background colour
        cell = row.clip(0, self.ROWS - 1)[:, None] * self.COLUMNS + col.clip(
            0, self.COLUMNS - 1
        )
        self.cell_of = np.where(inside, cell, blank)  # (h, w): the cell of a pixel
        self.background = np.array(fig.get_facecolor()[:3]) * 255
        # 1 + the share of the pixel not covered by a glyph, in 256ths: a pixel
        # becomes its cell's colour * keep >> 8 (exact where there is no glyph,
        # so only the 3% of pixels a glyph touches need it)
        keep = 256 - coverage[self.ys, self.xs].astype(np.uint16)
        y, x = np.nonzero(keep < 256)
        self.glyph_y, self.glyph_x = y + self.ys.start, x + self.xs.start
        self.glyph_cell, self.glyph_keep = self.cell_of[y, x], keep[y, x, None]
        cax = fig.add_axes((0.9, 0.1, 0.02, 0.78))
        fig.colorbar(self.grid, cax=cax)
        self.status = fig.text(0.01, 0.955, "", fontsize=9)
        self.dynamic = [self.status]

    def paint(self, pixels):
        """The cells' colours, and the characters in black over them."""
        values = np.ma.masked_invalid(self.grid.get_array()).ravel()
        rgba = self.grid.cmap(self.norm(values), bytes=True)  # (cells, 4)
        colours = np.vstack([rgba[:, :3], self.background]).astype(np.uint16)
        colours[np.flatnonzero(rgba[:, 3] == 0)] = self.background  # no character
        # each pixel its cell's colour, an RGBA pixel taken as one uint32 (a
        # gather of (h, w, 3) bytes took 9 ms, this one well under 1) ...
        opaque = np.full((len(colours), 4), 255, np.uint8)
        opaque[:, :3] = colours
        cell_colour = opaque.view(np.uint32)[:, 0]
        pixels.view(np.uint32)[self.ys, self.xs, 0] = cell_colour.take(self.cell_of)
        # ... then the pixels a glyph covers: colour * keep >> 8
        glyph = (colours[self.glyph_cell] * self.glyph_keep) >> 8
        pixels[self.glyph_y, self.glyph_x, :3] = glyph

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
