"""Notebook 10's explorer: step through a decoding of the stored encoder-decoder,
with the decoder's state, the next token's probabilities and the beam.

Serves notebooks/10_sequence_to_sequence.ipynb.
"""

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PolyCollection
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
TOP = 5  # candidates listed in the text
K_MAX = 6  # the widest beam
MAX_STEPS = max(len(s) for s in INPUTS) + 1  # the longest output, EOS included
OUTPUTS = [*range(seq2seq.DIGITS), seq2seq.EOS]  # the tokens the decoder can write
P_MIN, SCORE_MIN = 1e-6, -16.0  # where the bars are cut off


def stored_model():
    """The encoder-decoder stored by scripts/train_seq2seq.py -> model dict."""
    return seq2seq.load_model(verified_path("models/seq2seq_lstm.npz"))[0]


def _bars(lo, hi, at, horizontal):
    """Vertices of bars from lo to hi at the positions at, 0.8 wide -> (n, 4, 2)."""
    lo, hi, at = np.broadcast_arrays(
        np.asarray(lo, float), np.asarray(hi, float), np.asarray(at, float)
    )
    a, b = at - 0.4, at + 0.4
    corners = [(lo, a), (hi, a), (hi, b), (lo, b)]
    verts = np.stack([np.stack(c, axis=-1) for c in corners], axis=1)
    return verts if horizontal else verts[..., ::-1]


class DecodingExplorer(Explorer):
    """Greedy decoding of one source string, one step at a time: the decoder's
    hidden state after each token it read (a column per step), the probability of
    every token it can write next (greedy's pick highlighted), and the summed
    log-probabilities of the hypotheses of a beam of the chosen width after the
    same step; below the figure, as text, the outputs, the top candidates and the
    beam's hypotheses (text in a figure costs tens of microseconds a character to
    lay out and draw, even a line at a time as frames.FrameCanvas draws it; in an
    HTML widget nothing). Used in notebooks/10_sequence_to_sequence.ipynb.
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
        grid = fig.add_gridspec(1, 3, width_ratios=(1.6, 0.9, 0.9))
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
        # every token the decoder can write, in a fixed row: the labels stay static
        probs = fig.add_subplot(grid[0, 1])
        rows = np.arange(len(OUTPUTS))
        self.token_bars = PolyCollection(_bars(P_MIN, P_MIN, rows, True))
        probs.add_collection(self.token_bars)
        probs.set(
            xscale="log",
            xlim=(P_MIN, 1.5),
            ylim=(len(OUTPUTS) - 0.5, -0.5),
            yticks=rows,
            yticklabels=[seq2seq.SYMBOLS[v] for v in OUTPUTS],
            xlabel="probability (log scale)",
            ylabel="next token",
        )
        probs.set_title("$p(y_t \\mid y_{<t}, x)$; orange: greedy's pick", fontsize=10)
        beam = fig.add_subplot(grid[0, 2])
        slots = np.arange(2 * K_MAX) + 1
        self.beam_bars = PolyCollection(_bars(0, 0, slots, False))
        beam.add_collection(self.beam_bars)
        beam.set(
            xlim=(0.3, 2 * K_MAX + 0.7),
            ylim=(SCORE_MIN, 0.5),
            xticks=slots,
            xlabel="hypothesis (as listed below)",
            ylabel="summed log-probability",
        )
        beam.tick_params(axis="x", labelsize=8)
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
            self.token_bars,
            self.beam_bars,
            self.status,
        ]

    @property
    def probabilities(self):
        """The token bars' lengths: p of each token of OUTPUTS (P_MIN at least)."""
        return np.array([path.vertices[1, 0] for path in self.token_bars.get_paths()])

    @property
    def scores(self):
        """The beam bars' heights, live hypotheses first, then finished ones."""
        return np.array([path.vertices[1, 1] for path in self.beam_bars.get_paths()])

    def draw(self, source, step, k):
        tokens, logp, states = self.greedy(source)
        n = int(decoding.output_lengths(tokens[:, None])[0])  # EOS included
        t = min(step, n)
        shown = np.full(states.T.shape, np.nan)
        shown[:, :t] = states[:t].T
        self.state.set_array(np.ma.masked_invalid(shown))
        self.now.set_x(t - 0.5)
        p = np.exp(logp[t - 1])
        rows = np.arange(len(OUTPUTS))
        self.token_bars.set_verts(
            _bars(P_MIN, np.maximum(p[OUTPUTS], P_MIN), rows, True)
        )
        picked = OUTPUTS.index(int(tokens[t - 1]))
        colors = [COLORS["aux"] if r == picked else COLORS["h"] for r in rows]
        self.token_bars.set_facecolors(colors)
        steps = self.beam(source, k)
        live, ended = steps[min(t, len(steps)) - 1]
        ended = ended[:k]
        heights = np.zeros(2 * K_MAX)
        listed = [s for _, s in live] + [s for _, s in ended]
        heights[: len(listed)] = np.maximum(listed, SCORE_MIN)
        self.beam_bars.set_verts(_bars(0, heights, np.arange(2 * K_MAX) + 1, False))
        kinds = [COLORS["h"]] * len(live) + [COLORS["aux"]] * (2 * K_MAX - len(live))
        self.beam_bars.set_facecolors(kinds)
        read = seq2seq.to_text(np.array([seq2seq.BOS, *tokens[: t - 1]]))
        top = np.argsort(-p, kind="stable")[:TOP]
        self.text.value = self.describe(
            source, seq2seq.to_text(tokens[:n]), read, [(v, p[v]) for v in top], k,
            live, ended,
        )  # fmt: skip
        last = "BOS" if t == 1 else f"'{read[-1]}'"
        p_chose = p[tokens[t - 1]]
        self.status.set_text(
            f"step {t}: read {last}, greedy picks "
            f"'{seq2seq.SYMBOLS[tokens[t - 1]]}' (p = {p_chose:.3f})"
            + (f"; the output ended at step {n}" if step > n else "")
        )

    @staticmethod
    def describe(source, out, read, top, k, live, ended):
        """The text under the figure: the outputs, what the decoder has read up to
        step t = len(read), the top candidates there, and the beam after step t."""
        t, target = len(read), source[::-1] + "$"
        verdict = "right" if out == target else "wrong"
        candidates = ", ".join(
            f"{seq2seq.SYMBOLS[v]} {q:.4f}"
            if q >= 1e-3
            else f"{seq2seq.SYMBOLS[v]} {q:.1e}"
            for v, q in top
        )
        rows = [
            f"source {source}   target {target}   greedy output {out} ({verdict})",
            f"up to step {t} the decoder read {read} and greedy wrote {out[:t]}",
            f"the likeliest tokens at step {t}: {candidates}",
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
    the next token's probabilities and the beam, for the stored model."""
    return DecodingExplorer(**initial)
