"""Plot style and the course's diagrams, drawn with matplotlib."""

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

# One colour per quantity, used by every figure of the course.
COLORS = {
    "x": "0.55",  # inputs
    "h": "#1f77b4",  # hidden state
    "c": "#d62728",  # cell state
    "gate": "#2ca02c",  # gates
    "aux": "#ff7f0e",  # a second curve: derivative, candidate, ...
    "ref": "0.3",  # reference lines
}


def use_course_style():
    """Set the matplotlib defaults of the course (called by every setup cell)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 3.4),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "font.size": 10,
        }
    )


def _box(ax, xy, text, color, w=0.8, h=0.5):
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.05",
            fc=color,
            ec="0.2",
            alpha=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax, start, end, label=None, offset=(0, 0), **kw):
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, color="0.2", lw=1.2, **kw
        )
    )
    if label:
        mx, my = (
            (start[0] + end[0]) / 2 + offset[0],
            (start[1] + end[1]) / 2 + offset[1],
        )
        ax.text(mx, my, label, ha="center", va="center", fontsize=9, color="0.25")


def unrolled_rnn_diagram(T=4):
    """The RNN folded (one cell with a loop) and unrolled over T steps.

    Every unrolled step carries the same W_ih, W_hh and b: parameter sharing.
    Returns a pyplot Figure (shown at the end of a notebook cell).
    Drawn in notebooks/01_vanilla_rnn.ipynb.
    """
    if not isinstance(T, int) or not 1 <= T <= 8:
        raise ValueError(f"T must be an integer from 1 to 8, got {T!r}")
    fig = plt.figure(figsize=(2.2 + 1.6 * T, 2.8))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.4, 3.4 + 1.6 * T)
    ax.set_ylim(-0.6, 2.6)
    ax.axis("off")
    hx, xc = (
        mpl.colors.to_rgba(COLORS["h"], 0.35),
        mpl.colors.to_rgba(COLORS["x"], 0.35),
    )
    # folded
    _box(ax, (0.4, 1.4), "$h$", hx)
    _box(ax, (0.4, 0.0), "$x$", xc)
    _arrow(ax, (0.4, 0.3), (0.4, 1.1), "$W_{ih}$", (-0.35, 0))
    ax.add_patch(
        FancyArrowPatch(
            (0.8, 1.5),
            (0.8, 1.3),
            connectionstyle="arc3,rad=-2.5",
            arrowstyle="-|>",
            mutation_scale=12,
            color="0.2",
        )
    )
    ax.text(1.0, 1.85, "$W_{hh}$", fontsize=9, color="0.25", ha="center")
    ax.text(1.75, 1.4, "=", fontsize=18, ha="center", va="center")
    # unrolled
    x0 = 2.7
    _box(ax, (x0, 1.4), "$h_0$", "white")
    for t in range(1, T + 1):
        cx = x0 + 1.6 * t
        _box(ax, (cx, 1.4), f"$h_{t}$", hx)
        _box(ax, (cx, 0.0), f"$x_{t}$", xc)
        _arrow(ax, (cx, 0.3), (cx, 1.1), "$W_{ih}$", (-0.35, 0))
        _arrow(ax, (cx - 1.2, 1.4), (cx - 0.45, 1.4), "$W_{hh}$", (0, 0.25))
        _arrow(ax, (cx, 1.7), (cx, 2.3))
        ax.text(cx, 2.45, f"out[{t - 1}]", ha="center", fontsize=9)
    ax.text(
        x0 + 0.8 * (T + 1),
        -0.5,
        "the same $W_{ih}, W_{hh}, b$ at every step",
        ha="center",
        fontsize=9,
        style="italic",
    )
    return fig
