"""Time every explorer: move each control through its range, report per update.

    python scripts/bench_widgets.py            # the table for every explorer
    python scripts/bench_widgets.py sampler    # or only those named
    python scripts/bench_widgets.py --compare  # plus the alternatives, measured

Kernel-side time from setting a control's value to the explorer's image holding
the new frame (the observer runs synchronously, so this is the whole update the
kernel does). Sliders are moved through 25 evenly spaced values and back;
dropdowns through every option. Goal: median <= 40 ms, p95 <= 80 ms per update.
The last column is the median CPU time of the process per update: on a machine
that other programs keep busy the wall-clock times grow and it does not, much.
With --compare, the one-unit RNN explorer is also timed with the alternatives the
widget pattern was chosen against (see utils/widgets/base.py).
"""

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from utils import plots, widgets  # noqa: E402

GOAL_MEDIAN, GOAL_P95 = 40.0, 80.0


def sweep(control, n=25):
    """The values a user passes through when moving this control end to end."""
    if hasattr(control, "options"):
        return list(control.options[1:]) + [control.options[0]]
    if isinstance(control.value, str):  # a text box: a few things a user types
        return ["ROMEO:", "JULIET:\\n", "To be, or not", control.value]
    up = list(np.linspace(control.min, control.max, n))
    return up + up[::-1][1:]


def time_updates(explorer, name, values, cpu=None):
    """Milliseconds per update for each value of one control (wall clock); the
    process's CPU milliseconds are appended to `cpu` if given."""
    times = []
    for value in values:
        before = explorer.renders
        start, start_cpu = time.perf_counter(), time.process_time()
        explorer.controls[name].value = value
        elapsed = time.perf_counter() - start
        if explorer.renders > before:  # a value equal to the current one is no move
            times.append(1000 * elapsed)
            if cpu is not None:
                cpu.append(1000 * (time.process_time() - start_cpu))
    return times


def stats(times):
    return np.median(times), np.percentile(times, 95)


def row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def explorers_table(names=None):
    """The table for every explorer (or those named)."""
    print(
        row("explorer", "control", "updates", "median ms", "p95 ms", "goal", "CPU ms")
    )
    print(row(*["---"] * 7))
    for key, factory in widgets.EXPLORERS.items():
        if names and key not in names:
            continue
        explorer = factory()
        everything, everything_cpu = [], []
        for name, control in explorer.controls.items():
            cpu = []
            times = time_updates(explorer, name, sweep(control), cpu)
            everything += times
            everything_cpu += cpu
            med, p95 = stats(times)
            ok = "ok" if med <= GOAL_MEDIAN and p95 <= GOAL_P95 else "over"
            cells = (
                len(times),
                f"{med:.1f}",
                f"{p95:.1f}",
                ok,
                f"{np.median(cpu):.1f}",
            )
            print(row(key, name, *cells))
        med, p95 = stats(everything)
        ok = "ok" if med <= GOAL_MEDIAN and p95 <= GOAL_P95 else "over"
        cpu = f"{np.median(everything_cpu):.1f}"
        print(
            row(
                f"**{key}**",
                "all",
                len(everything),
                f"{med:.1f}",
                f"{p95:.1f}",
                ok,
                cpu,
            )
        )


def compare(n=25):
    """The alternatives, on the one-unit RNN explorer moving w_hh."""
    cls = widgets.OneUnitRNNExplorer
    base = cls()
    values = sweep(base.controls["w_hh"], n)
    results = {"blit + fast PNG (used)": time_updates(base, "w_hh", values)}

    def new_figure(value):  # what interact does: a new figure, drawn and encoded
        fig = Figure(figsize=cls.figsize, dpi=100)
        FigureCanvasAgg(fig)
        shadow = cls.__new__(cls)
        shadow.setup(fig)
        shadow.draw(**{**base.values, "w_hh": value})
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")

    def full_redraw(value):  # in place, but the whole figure and matplotlib's PNG
        base.draw(**{**base.values, "w_hh": value})
        for artist in base.dynamic:
            artist.set_animated(False)
        base.fig.savefig(io.BytesIO(), format="png")
        for artist in base.dynamic:
            artist.set_animated(True)

    for label, fn in (
        ("new figure per move (interact)", new_figure),
        ("full redraw in place, savefig PNG", full_redraw),
    ):
        times = []
        for value in values:
            start = time.perf_counter()
            fn(value)
            times.append(1000 * (time.perf_counter() - start))
        results[label] = times
    try:
        from ipympl.backend_nbagg import Canvas

        fig = Figure(figsize=cls.figsize, dpi=100)
        canvas = Canvas(fig)
        shadow = cls.__new__(cls)
        shadow.setup(fig)
        times = []
        for value in values:
            start = time.perf_counter()
            shadow.draw(**{**base.values, "w_hh": value})
            # what ipympl's canvas does when the browser asks for a frame (without
            # the manager that sends it): draw the whole figure, encode the change
            canvas._png_is_old = True
            FigureCanvasAgg.draw(canvas)
            canvas.get_diff_image()
            times.append(1000 * (time.perf_counter() - start))
        results["ipympl draw + diff image (+ browser round trip)"] = times
    except ImportError:
        print("(ipympl is not installed: its row is left out)")
    print(row("strategy (one-unit RNN explorer, w_hh)", "median ms", "p95 ms"))
    print(row("---", "---", "---"))
    for label, times in results.items():
        med, p95 = stats(times)
        print(row(label, f"{med:.1f}", f"{p95:.1f}"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="time the alternatives")
    parser.add_argument(
        "names",
        nargs="*",
        help=f"explorers to time (default all: {', '.join(widgets.EXPLORERS)})",
    )
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(widgets.EXPLORERS))
    if unknown:
        parser.error(f"no explorer named {', '.join(unknown)}")
    plots.use_course_style()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}\n"
    )
    explorers_table(args.names)
    if args.compare:
        print()
        compare()


if __name__ == "__main__":
    main()
