"""Notebook 08's explorer: the learning curves of the stored ablation runs.

Serves notebooks/08_lstm_ablation.ipynb.
"""

import numpy as np

from ..charlm import diverged, vocabulary
from ..data import load_ablation, load_text
from ..plots import COLORS
from ..variants import VARIANTS
from .base import Explorer, dropdown


class AblationExplorer(Explorer):
    """Learning curves of one LSTM variant beside the vanilla LSTM, from
    data/results/ablation.npz, every seed. Used in notebooks/08_lstm_ablation.ipynb.
    """

    figsize = (9, 3.6)

    def make_controls(self):
        return {
            "variant": dropdown("variant", VARIANTS[1:], "NFG"),
            "curve": dropdown(
                "curve", ("held-out bits/char", "training bits/char"), None
            ),
        }

    def setup(self, fig):
        self.results = load_ablation()
        self.V = len(vocabulary(load_text("train")))
        meta = self.results["meta"]
        ax = fig.add_subplot()
        seeds = sorted({s for _, s in self.results["runs"]})
        self.lines = {}
        for who, color in (("vanilla", COLORS["ref"]), ("variant", COLORS["h"])):
            for seed in seeds:
                self.lines[who, seed] = ax.plot(
                    [], [], color=color, lw=1.5, label=who if seed == 0 else None
                )[0]
        ax.set(
            xlim=(0, meta["steps"]),
            ylim=(1.5, 6.5),
            xlabel="training step",
            ylabel="bits per character",
        )
        self.legend = ax.legend(loc="upper right")
        self.status = ax.set_title("", fontsize=9.5, loc="left")
        self.dynamic = [*self.lines.values(), self.status, self.legend]

    def draw(self, variant, curve):
        runs, meta = self.results["runs"], self.results["meta"]
        stride = meta["train_stride"]
        finals = {"vanilla": [], "variant": []}
        failed = [
            seed
            for (who, seed) in self.lines
            if who == "variant" and diverged(runs[variant, seed]["train"], self.V)
        ]
        for (who, seed), line in self.lines.items():
            run = runs["vanilla" if who == "vanilla" else variant, seed]
            if curve.startswith("held-out"):
                x, y = self.results["eval_steps"], run["eval"]
            else:
                y = run["train"]
                x = stride * np.arange(len(y)) + stride / 2
            line.set_data(x, np.clip(y, 0, 50))
            finals[who].append(run["eval"][-1])
        self.legend.get_texts()[1].set_text(variant)
        v, b = np.array(finals["variant"]), np.array(finals["vanilla"])
        look = (
            f"does {variant} (blue) learn as fast as vanilla (grey)? "
            f"{len(v)} seeds each, {curve}"
        )
        # always three lines: the layout is fixed at the first draw
        look += (
            f"\n{variant} seed {', '.join(map(str, failed))} diverged: its "
            f"training loss ends above log2 V = {np.log2(self.V):.2f}"
            if failed
            else f"\nno {variant} run diverged (none ends above log2 V)"
        )
        self.status.set_text(
            f"{look}\nheld-out at the end: {variant} {v.mean():.3f} ± "
            f"{v.std(ddof=1):.3f}, vanilla {b.mean():.3f} ± {b.std(ddof=1):.3f} "
            f"bits/char (mean ± sd of {len(v)} seeds)"
        )


def ablation_explorer(**initial):
    """Dropdowns for the variant and the curve of the stored ablation runs."""
    return AblationExplorer(**initial)
