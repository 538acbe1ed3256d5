"""Time the utils LSTM and GRU (forward + backward) against PyTorch on the CPU.

    python scripts/bench_kernels.py               # kernels, then the adding problem
    python scripts/bench_kernels.py --kernels     # the kernel table only
    python scripts/bench_kernels.py --adding      # the adding-problem table only
    python scripts/bench_kernels.py --threads 2   # both libraries at 2 threads

Kernels: for each configuration (T, B, D, H) one forward and one backward pass in
float32, ours (utils.lstm_forward + utils.lstm_backward, and the GRU's) and
PyTorch's (nn.LSTM / nn.GRU, output.backward) on the same weights and inputs,
measured side by side in this process: the two alternate, and the ratio reported is
the median of the per-pair ratios ours / PyTorch's, so a busy moment on the machine
slows both sides of a pair. Both libraries use the same number of threads (1 by
default: at 2 threads each, their thread pools interfere when alternated). GFLOP/s
counts the six matmuls of forward + backward (input and recurrent projections,
their input gradients and the weight gradients); the matmul peak is numpy's best
float32 square matmul at the same thread count. *Best ratio* is the time those six
matmuls would take at that peak, divided by PyTorch's time: no numpy implementation
that does them can have a smaller ratio, so above 1 PyTorch cannot be matched. PyTorch
is optional: without it, only our numbers are printed.

Adding problem: time until the utils LSTM, GRU and vanilla RNN (utils.training.train,
float32) reach a held-out MSE below 0.01 on the adding problem of notebook 06,
against 1/6 for predicting the mean, evaluated every 25 steps on 1000 held-out
sequences; several seeds per row.
"""

import argparse
import functools
import os
import sys
import time
from pathlib import Path

THREADS = "1"
if "--threads" in sys.argv:  # thread pools are sized when numpy is first imported
    THREADS = sys.argv[sys.argv.index("--threads") + 1]
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = THREADS

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import utils  # noqa: E402
from utils import training  # noqa: E402

CONFIGS = [(100, 32, 64, 128), (200, 64, 32, 256), (50, 1, 10, 32)]
BLOCKS = {"lstm": 4, "gru": 3}
# adding problem: (kind, T, learning rate); hidden size 32, batch 32, float32. The
# vanilla RNN gets the learning rate that works for it (notebook 06's sweep).
ADDING = [
    ("lstm", 100, 1e-2),
    ("gru", 100, 1e-2),
    ("rnn", 100, 1e-3),
    ("lstm", 200, 1e-2),
    ("gru", 200, 1e-2),
]
ADDING_H, ADDING_BATCH, SOLVED = 32, 32, 0.01


def matmul_peak(repeats=5):
    """numpy's best float32 GFLOP/s over a few square sizes."""
    best = 0.0
    for n in (256, 512, 1024, 2048):
        a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
        a @ a
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            a @ a
            times.append(time.perf_counter() - start)
        best = max(best, 2 * n**3 / min(times) / 1e9)
    return best


def flops(kind, T, B, D, H):
    """Multiply-adds x 2 of the six matmuls in forward + backward."""
    return 3 * 2 * T * B * BLOCKS[kind] * H * (D + H)


def ours(kind, x, params, dout):
    if kind == "lstm":
        out, _, cache = utils.lstm_forward(x, params)
        return utils.lstm_backward(dout, cache)
    out, _, cache = utils.gru_forward(x, params)
    return utils.gru_backward(dout, cache)


def torch_runner(torch, kind, x, params, dout):
    D = x.shape[2]
    H = params["weight_hh_l0"].shape[1]
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](D, H)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in params.items()})
    tx, tdout = torch.from_numpy(x), torch.from_numpy(dout)

    def run():
        xx = tx.detach().requires_grad_(True)
        out, _ = module(xx)
        module.zero_grad(set_to_none=True)
        out.backward(tdout)
        return xx.grad

    return run


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def call_costs(B, H, repeats=2000):
    """Microseconds of one numpy call at a step's size, into a preallocated output:
    the (B, H) x (H, 4H) gate matmul, a tanh of the (B, 4H) gates, a (B, H) product."""
    rng = np.random.default_rng(0)
    h = rng.standard_normal((B, H), dtype=np.float32)
    w = rng.standard_normal((H, 4 * H), dtype=np.float32)
    a = np.empty((B, 4 * H), dtype=np.float32)
    c = np.empty((B, H), dtype=np.float32)
    costs = []
    calls = (
        lambda: np.matmul(h, w, out=a),
        lambda: np.tanh(a, out=a),
        lambda: np.multiply(h, h, out=c),
    )
    for call in calls:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeats):
                call()
            times.append((time.perf_counter() - start) / repeats)
        costs.append(1e6 * min(times))
    return costs


def bench_kernels(torch, repeats):
    peak = matmul_peak()
    print(f"numpy float32 matmul peak at {THREADS} thread(s): {peak:.1f} GFLOP/s\n")
    print(
        "| cell | T, B, D, H | ours (ms) | PyTorch (ms) | ratio | ours GFLOP/s "
        "| of peak | PyTorch GFLOP/s | best ratio |"
    )
    print("|" + "---|" * 9)
    tiny = None
    for kind in BLOCKS:
        for T, B, D, H in CONFIGS:
            rng = np.random.default_rng(0)
            params = utils.init_params(kind, D, H, rng, dtype=np.float32)
            x = rng.standard_normal((T, B, D), dtype=np.float32)
            dout = rng.standard_normal((T, B, H), dtype=np.float32)
            mine = functools.partial(ours, kind, x, params, dout)
            theirs = None
            if torch is not None:
                theirs = torch_runner(torch, kind, x, params, dout)
                dx = theirs().numpy()
                err = np.abs(mine()[0] - dx).max() / np.abs(dx).max()
                if err > 1e-4:
                    sys.exit(
                        f"{kind} {T, B, D, H}: ours and PyTorch's dx differ: {err}"
                    )
            mine()
            n = repeats if T * B * H < 1_000_000 else max(5, repeats // 4)
            t_ours, t_torch, ratios = [], [], []
            for _ in range(n):
                t_ours.append(timed(mine))
                if theirs is not None:
                    t_torch.append(timed(theirs))
                    ratios.append(t_ours[-1] / t_torch[-1])
            ms = 1000 * np.median(t_ours)
            gflops = flops(kind, T, B, D, H) / np.median(t_ours) / 1e9
            cells = [kind.upper(), f"{T}, {B}, {D}, {H}", f"{ms:.2f}"]
            if theirs is not None:
                cells += [
                    f"{1000 * np.median(t_torch):.2f}",
                    f"{np.median(ratios):.2f}",
                ]
            else:
                cells += ["-", "-"]
            cells += [f"{gflops:.1f}", f"{gflops / peak:.0%}"]
            if theirs is not None:
                torch_rate = flops(kind, T, B, D, H) / np.median(t_torch) / 1e9
                cells += [f"{torch_rate:.1f}", f"{torch_rate / peak:.2f}"]
            else:
                cells += ["-", "-"]
            print("| " + " | ".join(cells) + " |", flush=True)
            if theirs is not None and B == 1 and kind == "lstm":
                tiny = (T, H, np.median(t_torch))
    if tiny is not None:
        T, H, t_torch = tiny
        matmul_us, tanh_us, multiply_us = call_costs(1, H)
        print(
            f"\nAt B = 1, H = {H}, one numpy call costs {matmul_us:.2f} µs (the gate "
            f"matmul), {tanh_us:.2f} µs (a tanh of the gates) or {multiply_us:.2f} µs "
            f"(a product of two states); PyTorch's LSTM takes "
            f"{1e6 * t_torch / T:.1f} µs a step, forward and backward."
        )


def bench_adding(limit, seeds):
    print(
        f"\nAdding problem, H = {ADDING_H}, batch {ADDING_BATCH}, float32, seeds "
        f"{', '.join(map(str, seeds))}; solved: held-out MSE < {SOLVED} (predicting "
        f"1 scores {training.baseline('adding', 2):.3f}); at most {limit:.0f} s a run"
        "\n\n| cell | T | lr | solved | steps (median) | seconds (median) | "
        "seconds (range) |\n|---|---|---|---|---|---|---|"
    )
    for kind, T, lr in ADDING:
        runs = [
            training.train(
                kind,
                "adding",
                T,
                H=ADDING_H,
                lr=lr,
                batch=ADDING_BATCH,
                seed=seed,
                steps=1_000_000,
                eval_every=25,
                eval_size=1000,
                target=SOLVED,
                time_limit=limit,
                dtype=np.float32,
            )
            for seed in seeds
        ]
        solved = sum(run["eval"][-1] < SOLVED for run in runs)
        seconds = [run["seconds"] for run in runs]
        cells = [kind.upper(), T, lr, f"{solved} of {len(runs)}"]
        cells += [int(np.median([run["eval_steps"][-1] for run in runs]))]
        cells += [f"{np.median(seconds):.1f}", f"{min(seconds):.1f}-{max(seconds):.1f}"]
        print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1", help="threads for both libraries")
    parser.add_argument("--repeats", type=int, default=40, help="pairs per config")
    parser.add_argument("--kernels", action="store_true", help="kernel table only")
    parser.add_argument("--adding", action="store_true", help="adding problem only")
    parser.add_argument("--no-torch", action="store_true", help="ours only")
    parser.add_argument(
        "--time-limit", type=float, default=120, help="seconds per adding run"
    )
    parser.add_argument("--seeds", type=int, default=3, help="adding runs per row")
    args = parser.parse_args()
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: printing our numbers only.\n")
    if torch is not None:
        torch.set_num_threads(int(THREADS))
        print(f"PyTorch {torch.__version__}, ", end="")
    coretype = os.environ.get("OPENBLAS_CORETYPE", "detected by OpenBLAS")
    print(f"numpy {np.__version__}, {THREADS} thread(s), OpenBLAS kernels: {coretype}")
    if not args.adding:
        bench_kernels(torch, args.repeats)
    if not args.kernels:
        bench_adding(args.time_limit, range(args.seeds))


if __name__ == "__main__":
    main()
