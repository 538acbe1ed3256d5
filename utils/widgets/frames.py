"""How an explorer's figure becomes a frame quickly: its text drawn a line per
FreeType call (``FrameCanvas``, ``TextLines``), the frame written as PNG without
Pillow's search for row filters (``PNGWriter``). What they bought is measured in
docs/widgets.md.

Serves utils/widgets/base.py, the base of every explorer.
"""

import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import (
    FigureCanvasAgg,
    RendererAgg,
    get_hinting_flag,
)
from PIL import Image

# matplotlib 3.11 rasterises text one glyph at a time from Python; earlier versions
# rasterise a line in one FreeType call. The fast path below uses two private
# methods of Agg's renderer: without them (another matplotlib), or should they
# fail, text takes matplotlib's own path.
GLYPH_BY_GLYPH = hasattr(RendererAgg, "_draw_text_glyphs_and_boxes") and hasattr(
    RendererAgg, "_prepare_font"
)


class FrameCanvas(FigureCanvasAgg):
    """Matplotlib's Agg canvas, rasterising each line of plain text in one call.

    Since matplotlib 3.11, Agg lays out and rasterises text a glyph at a time from
    Python: a status line of 100 characters took 9-12 ms on a 2-core laptop, a third
    of an explorer's update. FreeType lays out and rasterises a whole line in one
    call (``FT2Font.set_text``, ``draw_glyphs_to_bitmap``), which is how matplotlib
    drew text up to 3.10; this canvas draws plain, unrotated text that way, in the
    same font, size, colour and place within a pixel (``TextLines``): about 3 ms for
    that line, nothing when it did not change. Mathtext and rotated text take
    matplotlib's own path, as everything does before matplotlib 3.11.
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
        self.renderer, self.kept, self.works = renderer, {}, True
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
        if ismath or not self.works:
            return self.measure_math(s, prop, ismath)
        try:
            _, _, _, descent, width, height = self.line(s, prop)
        except (AttributeError, TypeError):  # a matplotlib whose internals differ
            self.works = False
            return self.measure_math(s, prop, ismath)
        return width / 64, height / 64, descent / 64

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        """RendererAgg.draw_text; (x, y) is where the baseline starts, y down."""
        if ismath or angle or not gc.get_antialiased() or not self.works:
            return self.draw_glyphs(gc, x, y, s, prop, angle, ismath, mtext)
        if not s:
            return None
        try:
            coverage, dx, dy, descent, _, _ = self.line(s, prop)
            # the bitmap may start left of x, and hangs below the baseline by the
            # descent; draw_text_image takes its left and bottom edges
            left = round(x + dx / 64)
            bottom = round(y + (dy + descent) / 64) + 1
            self.renderer._renderer.draw_text_image(coverage, left, bottom, 0, gc)
        except (AttributeError, TypeError):  # a matplotlib whose internals differ
            self.works = False
            return self.draw_glyphs(gc, x, y, s, prop, angle, ismath, mtext)
        return None


class PNGWriter:
    """RGBA frames, (height, width, 4) uint8, -> PNG bytes of their RGB, fast.

    Pillow's PNG encoder tries up to five filters on every row before deflating:
    8-16 ms for an explorer's 900 x 420-560 frame on a 2-core laptop, even at
    compression level 1. This writes unfiltered rows deflated at level 1, in 3-6
    ms and about as many bytes (measured over seven explorers' sweeps), and keeps
    the deflated bytes of each band of BAND rows: a band that did not change since
    the previous frame (the margins, a panel that did not move) is not compressed
    again. Each band is deflated on its own and ends on a byte boundary (a sync
    flush), so that the bands join into one stream.
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
        chunks = (b"IHDR", header), (b"IDAT", idat), (b"IEND", b"")
        return b"\x89PNG\r\n\x1a\n" + b"".join(_chunk(*c) for c in chunks)


def _chunk(tag, data):
    """A PNG chunk: length, tag, data, CRC of tag and data."""
    crc = struct.pack(">I", zlib.crc32(tag + data))
    return struct.pack(">I", len(data)) + tag + data + crc
