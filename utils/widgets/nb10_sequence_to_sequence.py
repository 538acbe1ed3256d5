"""Notebook 10's explorer: step through a decoding of the stored encoder-decoder,
with the decoder's state, the next token's top candidates and the beam.

Serves notebooks/10_sequence_to_sequence.ipynb.
"""

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Patch, Rectangle

from ..data import verified_path
from ..plots import COLORS
from ..training import decoding, seq2seq
from .base import Explorer, dropdown, int_slider

# Source strings to decode: two of the training lengths (1-8), four longer ones.
INPUTS = (
    "4711",
    "31415926",
    "5507322143",
    "6264819379",
    "0137778608",
    "299792458314",
)
TOP = 5  # candidates shown
K_MAX = 6  # the widest beam
MAX_STEPS = max(len(s) for s in INPUTS) + 1  # the longest output, EOS included


def stored_model():
    """The encoder-decoder stored by scripts/train_seq2seq.py -> model dict."""
    return seq2seq.load_model(verified_path("models/seq2seq_lstm.npz"))[0]


class DecodingExplorer(Explorer):
    """Greedy decoding of one source string, one step at a time: the decoder's
    hidden state after each token it read (a column per step) and the
    probabilities of the next token's top candidates, drawn; below the figure, as
    text, the outputs and the beam of the chosen width after the same step (text
    in a figure costs about 0.1 ms a character to redraw, in HTML nothing).
    Used in notebooks/10_sequence_to_sequence.ipynb.
    """

    figsize = (11, 4.2)

    def __init__(self, **initial):
        super().__init__(**initial)
        self.widget.children = (*self.widget.children, self.text)

    def make_controls(self):
        self.model = stored_model()
        self._greedy, self._beams = {}, {}
        self.text = widgets.HTML()
        return {
            "source": dropdown("source string", INPUTS, INPUTS[2]),
            "step": int_slider("output step t", 1, 1, MAX_STEPS),
            "k": int_slider("beam width k", 2, 1, K_MAX),
        }

    def greedy(self, source):
        """(tokens (MAX_STEPS,), logp (MAX_STEPS, V), states (MAX_STEPS, H)) of the
        greedy decoding of source, computed once per string."""
        if source not in self._greedy:
            tokens, _, trace = decoding.greedy_decode(
                self.model, seq2seq.from_text(source), MAX_STEPS, trace=True
            )
            self._greedy[source] = (tokens[:, 0], trace["logp"][:, 0], trace["h"][:, 0])
        return self._greedy[source]

    def beam(self, source, k):
        """The beam after each step: [(live, finished)] of decoding.beam_search."""
        if (source, k) not in self._beams:
            steps = []
            decoding.beam_search(
                self.model, seq2seq.from_text(source), k, MAX_STEPS, trace=steps
            )
            self._beams[source, k] = steps
        return self._beams[source, k]

    def setup(self, fig):
        H = self.model["w_out"].shape[1]
        grid = fig.add_gridspec(1, 3, width_ratios=(1.6, 1, 0.9))
        ax = fig.add_subplot(grid[0, 0])
        # a QuadMesh redraws about ten times faster than an image of the same cells
        self.state = ax.pcolormesh(
            np.arange(MAX_STEPS + 1) + 0.5,
            np.arange(H + 1) - 0.5,
            np.full((H, MAX_STEPS), np.nan),
            cmap="coolwarm",
            vmin=-1,
            vmax=1,
        )
        ax.set_ylim(H - 0.5, -0.5)
        fig.colorbar(self.state, ax=ax, pad=0.02, fraction=0.04)
        ax.set(
            xlabel="output step t",
            ylabel="unit of the decoder's h",
            xticks=range(1, MAX_STEPS + 1),
        )
        ax.grid(False)
        ax.set_title("decoder state $s_t$, from the encoder's final state", fontsize=10)
        self.now = Rectangle((0.5, -0.5), 1, H, fill=False, ec="k", lw=2)
        ax.add_patch(self.now)
        bars = fig.add_subplot(grid[0, 1])
        y = np.arange(TOP)
        self.bars = bars.barh(y, np.zeros(TOP), color=COLORS["h"]).patches
        self.labels = [
            bars.text(0.02, i, "", va="center", family="monospace") for i in y
        ]
        bars.set(
            xlim=(0, 1),
            ylim=(TOP - 0.5, -0.5),
            yticks=[],
            xlabel="probability",
        )
        bars.set_title("$p(y_t \\mid y_{<t}, x)$: the top candidates", fontsize=10)
        beam = fig.add_subplot(grid[0, 2])
        slots = np.arange(2 * K_MAX) + 1
        colors = [COLORS["h"]] * K_MAX + [COLORS["aux"]] * K_MAX
        self.beam_bars = beam.bar(slots, np.zeros(2 * K_MAX), color=colors).patches
        beam.set(
            xlim=(0.3, 2 * K_MAX + 0.7),
            ylim=(-16, 0.5),
            xticks=slots,
            xlabel="hypothesis (as listed below)",
            ylabel="summed log-probability",
        )
        beam.legend(
            handles=[
                Patch(color=COLORS["h"], label="live"),
                Patch(color=COLORS["aux"], label="finished"),
            ],
            loc="lower right",
            fontsize=8,
        )
        beam.set_title("the beam after step t", fontsize=10)
        self.status = fig.suptitle("", fontsize=10)
        self.dynamic = [
            self.state,
            self.now,
            *self.bars,
            *self.labels,
            *self.beam_bars,
            self.status,
        ]

    def draw(self, source, step, k):
        tokens, logp, states = self.greedy(source)
        n = int(decoding.output_lengths(tokens[:, None])[0])  # EOS included
        t = min(step, n)
        shown = np.full(states.T.shape, np.nan)
        shown[:, :t] = states[:t].T
        self.state.set_array(np.ma.masked_invalid(shown))
        read = seq2seq.to_text(np.array([seq2seq.BOS, *tokens[: t - 1]]))
        self.now.set_x(t - 0.5)
        p = np.exp(logp[t - 1])
        top = np.argsort(-p, kind="stable")[:TOP]
        for bar, label, v in zip(self.bars, self.labels, top, strict=True):
            bar.set_width(p[v])
            inside = p[v] > 0.6  # on a long bar in white, else right of it
            label.set_x(0.02 if inside else p[v] + 0.02)
            label.set_color("white" if inside else "black")
            label.set_text(
                f"{seq2seq.SYMBOLS[v]}  "
                + (f"{p[v]:.4f}" if p[v] >= 1e-3 else f"{p[v]:.1e}")
            )
        target = source[::-1] + "$"
        out = seq2seq.to_text(tokens[:n])
        steps = self.beam(source, k)
        live, ended = steps[min(t, len(steps)) - 1]
        ended = ended[:k]
        for j, bar in enumerate(self.beam_bars):  # live in slots 1..k, then finished
            group, i = (live, j) if j < K_MAX else (ended, j - K_MAX)
            bar.set_height(max(group[i][1], -16) if i < len(group) else 0)
            bar.set_x((i if j < K_MAX else len(live) + i) + 0.6)
        self.text.value = self.describe(source, target, out, read, k, live, ended)
        chose = seq2seq.SYMBOLS[tokens[t - 1]]
        last = "BOS" if t == 1 else f"'{read[-1]}'"
        p_chose = p[tokens[t - 1]]
        self.status.set_text(
            f"step {t}: read {last}, greedy picks '{chose}' (p = {p_chose:.3f})"
            + (f"; the output ended at step {n}" if step > n else "")
        )

    @staticmethod
    def describe(source, target, out, read, k, live, ended):
        """The text under the figure: the outputs, what the decoder has read up to
        step t = len(read), and the beam after step t."""
        t = len(read)
        verdict = "right" if out == target else "wrong"
        rows = [
            f"source {source}   target {target}   greedy output {out} ({verdict})",
            f"up to step {t} the decoder read {read} and greedy wrote {out[:t]}",
            f"the beam of width {k} after step {t} (scores: summed log-probabilities)",
        ]
        listed = [("live", p, s) for p, s in live] + [
            ("finished", p, s) for p, s in ended
        ]
        rows += [
            f"  {n:2d} {kind:9s} {seq2seq.to_text(p):14s} {s:9.4f}"
            for n, (kind, p, s) in enumerate(listed, 1)
        ]
        return (
            "<pre style='margin: 0; font-size: 12px; line-height: 1.3'>"
            + html.escape("\n".join(rows))
            + "</pre>"
        )


def decoding_explorer(**initial):
    """A source string, an output step and a beam width -> the decoder's state,
    the next token's top candidates and the beam, for the stored model."""
    return DecodingExplorer(**initial)
