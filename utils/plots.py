"""Plot style, the course's diagrams and the figures notebooks share, drawn with
matplotlib."""

import matplotlib as mpl
import matplotlib.patheffects
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

# The Okabe & Ito palette, told apart with every common colour-vision deficiency.
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
# One colour per quantity, used by every figure of the course.
COLORS = {
    "x": "0.55",  # inputs
    "h": OKABE_ITO[0],  # hidden state
    "c": OKABE_ITO[1],  # cell state
    "gate": OKABE_ITO[2],  # gates
    "aux": OKABE_ITO[3],  # a second curve: derivative, candidate, ...
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
            "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
            "image.cmap": "cividis",
        }
    )


def loss_axis(ax, task, baseline):
    """The y axis of a learning curve on one of notebook 06's tasks: the adding
    problem's MSE on a log scale down to 1e-5 (solved runs reach it); the copy
    task's cross-entropy on a linear scale to a little above the memoryless
    baseline, where the runs differ."""
    if task == "adding":
        ax.set(yscale="log", ylim=(1e-5, 4), ylabel="MSE")
    elif task == "copy":
        ax.set(
            yscale="linear",
            ylim=(0, 1.3 * baseline),
            ylabel="cross-entropy (nats per step)",
        )
    else:
        raise ValueError(f"task must be 'adding' or 'copy', got {task!r}")


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


def _node(ax, xy, text, r=0.22, color="white"):
    ax.add_patch(mpl.patches.Circle(xy, r, fc=color, ec="0.2", lw=1.2, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=11, zorder=4)


def lstm_cell_diagram():
    """One LSTM step: the cell line c_{t-1} -> x f -> + i g -> c_t; h_t = o tanh(c_t).

    The blocks stand left to right in PyTorch's row order (i, f, g, o: rows 0:H,
    H:2H, 2H:3H, 3H:4H of the weights); all read x_t and h_{t-1}, and h_t comes back
    as the next step's h_{t-1}. Returns a pyplot Figure. Drawn in
    notebooks/03_lstm.ipynb.
    """
    fig = plt.figure(figsize=(8.5, 4.6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.8, 10.2)
    ax.set_ylim(-1.5, 4.4)
    ax.axis("off")
    cell, gate = (
        mpl.colors.to_rgba(COLORS["c"], 0.25),
        mpl.colors.to_rgba(COLORS["gate"], 0.3),
    )
    hx = mpl.colors.to_rgba(COLORS["h"], 0.3)
    # the cell line along the top
    ax.text(-0.3, 3.5, "$c_{t-1}$", ha="center", va="center", fontsize=12)
    _arrow(ax, (0.0, 3.5), (2.98, 3.5))
    _node(ax, (3.2, 3.5), r"$\times$")
    _arrow(ax, (3.42, 3.5), (5.08, 3.5))
    _node(ax, (5.3, 3.5), "$+$")
    _arrow(ax, (5.52, 3.5), (9.0, 3.5))
    ax.text(9.25, 3.5, "$c_t$", ha="center", va="center", fontsize=12)
    ax.text(
        4.2,
        3.85,
        "the cell: no weights, no squashing",
        ha="center",
        fontsize=9,
        style="italic",
        color=COLORS["c"],
    )
    # the four blocks, in PyTorch's row order
    for x, label, color, rows in (
        (1.8, r"$i=\sigma$", gate, "0:H"),
        (3.2, r"$f=\sigma$", gate, "H:2H"),
        (4.6, r"$g=\tanh$", cell, "2H:3H"),
        (6.6, r"$o=\sigma$", gate, "3H:4H"),
    ):
        _box(ax, (x, 1.2), label, color, w=1.0, h=0.5)
        ax.text(x + 0.08, 0.42, f"rows {rows}", ha="left", fontsize=8, color="0.3")
        _arrow(ax, (x, -0.1), (x, 0.95))
    _arrow(ax, (3.2, 1.45), (3.2, 3.28))  # f multiplies c_{t-1}
    _node(ax, (4.0, 2.5), r"$\times$")  # i * g
    # i's arrow crosses f's: drawn with a white halo so the two stay apart
    ax.add_patch(
        FancyArrowPatch(
            (1.8, 1.45),
            (3.8, 2.38),
            arrowstyle="-|>",
            mutation_scale=12,
            color="0.2",
            lw=1.2,
            connectionstyle="arc3,rad=-0.15",
            path_effects=[mpl.patheffects.withStroke(linewidth=4, foreground="white")],
            zorder=2.5,
        )
    )
    _arrow(ax, (4.6, 1.45), (4.15, 2.32))
    _arrow(ax, (4.15, 2.65), (5.15, 3.33))
    # output
    _box(ax, (8.3, 2.6), r"$\tanh$", cell, w=0.8, h=0.45)
    _arrow(ax, (8.3, 3.5), (8.3, 2.85))
    _node(ax, (8.3, 1.2), r"$\times$")
    _arrow(ax, (8.3, 2.37), (8.3, 1.42))
    _arrow(ax, (7.1, 1.2), (8.08, 1.2))
    _arrow(ax, (8.52, 1.2), (9.0, 1.2))
    ax.text(9.25, 1.2, "$h_t$", ha="center", va="center", fontsize=12)
    # shared input of the blocks
    ax.add_patch(
        FancyBboxPatch(
            (1.1, -0.55), 6.2, 0.42, boxstyle="round,pad=0.03", fc=hx, ec="0.2"
        )
    )
    ax.text(
        4.2,
        -0.34,
        r"$[x_t,\ h_{t-1}]$: each block $= x_t W_{i\cdot}^\top + h_{t-1} "
        r"W_{h\cdot}^\top + b$",
        ha="center",
        va="center",
        fontsize=10,
    )
    # the recurrence: h_t is the next step's h_{t-1}
    ax.add_patch(
        FancyArrowPatch(
            (9.55, 1.2),
            (7.3, -0.45),
            arrowstyle="-|>",
            mutation_scale=12,
            color=COLORS["h"],
            lw=1.4,
            ls="--",
            connectionstyle="angle,angleA=-90,angleB=0,rad=8",
        )
    )
    ax.text(
        7.4,
        -1.15,
        "$h_t$ is the next step's $h_{t-1}$ (and $c_t$ its $c_{t-1}$)",
        ha="center",
        fontsize=9,
        style="italic",
        color=COLORS["h"],
    )
    return fig


def counting_figure(ns, counts, n_train, colors):
    """What models trained to count a^n b^n (n <= n_train) count far beyond it.

    ns: (K,) the counts tested; counts: {(model, seed): (K,) the model's count of
    each n (training.count_run's 'count')}; colors: {model: colour}. Left: each
    run's count against n, with the diagonal a counter follows; right: the share
    of seeds that count each n right. -> a pyplot Figure.
    Drawn in notebooks/06_lstm_vs_gru.ipynb.
    """
    models = list(dict.fromkeys(model for model, _ in counts))
    styles = dict(zip(models, ("-", "--", "-.", ":"), strict=False))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    top = ns.max()
    for ax in (left, right):
        ax.axvspan(0, n_train, color="0.9", lw=0)
        ax.text(
            n_train / 2,
            0.03,
            "trained",
            transform=ax.get_xaxis_transform(),
            ha="center",
            fontsize=8,
            color="0.35",
        )
        ax.set_xlim(0, top)
    left.plot(
        [0, top], [0, top], color="k", ls=":", lw=1, label="count = n (a counter)"
    )
    for model in models:
        seeds = sorted(s for m, s in counts if m == model)
        for k, seed in enumerate(seeds):
            left.plot(
                ns,
                counts[model, seed],
                color=colors[model],
                ls=styles[model],
                lw=1.2,
                label=f"{model.upper()}, {len(seeds)} seeds" if k == 0 else None,
            )
        share = np.mean([counts[model, s] == ns for s in seeds], axis=0)
        right.step(
            ns,
            share,
            where="mid",
            color=colors[model],
            ls=styles[model],
            lw=1.8,
            label=model.upper(),
        )
    left.set(
        ylim=(-5, 1.1 * top),
        xlabel="n (n a's, then b's)",
        ylabel="b's read when it first says 'ends'",
        title="each run's count of n, far beyond the training range",
    )
    left.legend(loc="upper left", fontsize=8)
    right.set(
        ylim=(-0.03, 1.05),
        xlabel="n",
        ylabel="share of seeds right at n",
        title="right at every step of $a^n b^n$",
    )
    right.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def counting_states_figure(ns, lstm_c, unit, n_gru, gru_h, moves, colors):
    """The states that count a^n b^n: an LSTM's counting unit, a GRU's state.

    ns: the n of the LSTM's traces; lstm_c: one (3n,) trace of its cell `unit` over
    a^n b^(2n) per n; n_gru, gru_h: a GRU's (3 n_gru, H) states over a^n b^(2n);
    moves: {model: (K,) how far one more a moves the state after n = 1..K a's};
    colors: {model: colour}. -> a pyplot Figure.
    Drawn in notebooks/06_lstm_vs_gru.ipynb.
    """
    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(13, 3.8))
    styles = ("-", "--", "-.", ":")
    for k, (n, c) in enumerate(zip(ns, lstm_c, strict=True)):
        t = np.arange(1, len(c) + 1)
        left.plot(
            t, c, color=colors["lstm"], ls=styles[k % 4], lw=1.5, label=f"n = {n}"
        )
        left.axvline(2 * n, color="0.5", ls=":", lw=0.8)
    left.axhline(0, color=COLORS["ref"], lw=0.6)
    left.set(
        xlabel="step t (n a's, then b's)",
        ylabel=f"cell $c_t$ of unit {unit}",
        title="LSTM: one cell moves one way per a, back per b",
    )
    left.legend(loc="best", fontsize=8)
    t = np.arange(1, len(gru_h) + 1)
    for j in range(gru_h.shape[1]):
        mid.plot(
            t,
            gru_h[:, j],
            color=colors["gru"],
            ls=styles[j % 4],
            lw=1.3,
            label=f"unit {j}",
        )
    mid.axvline(2 * n_gru, color="0.5", ls=":", lw=0.8)
    mid.set(
        ylim=(-1.05, 1.05),
        xlabel=f"step t ({n_gru} a's, then b's)",
        ylabel="state $h_t$",
        title="GRU: every unit stays inside (-1, 1)",
    )
    mid.legend(loc="best", fontsize=8)
    for model, step in moves.items():
        right.semilogy(
            np.arange(1, len(step) + 1),
            step,
            color=colors[model],
            ls=styles[list(moves).index(model)],
            lw=1.8,
            label=f"{model.upper()} ({'cell c' if model == 'lstm' else 'h'})",
        )
    right.set(
        xlabel="n (a's read)",
        ylabel="$\\|s_{n+1} - s_n\\|$",
        title="how far one more a moves the state",
    )
    right.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig
