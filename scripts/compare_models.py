"""Train RNN, LSTM and GRU on the adding and copy tasks; store the learning curves.

    python scripts/compare_models.py                # every run -> data/results/
    python scripts/compare_models.py --check KEY..  # rerun runs, compare with the file
    python scripts/compare_models.py --check all    # rerun the whole sweep

Every run is seeded and BLAS runs on one thread per process. On the build of numpy
and BLAS that made the file (recorded in it) a rerun gives the stored numbers bit for
bit; on another build (another CPU's BLAS kernel, MKL, Accelerate) every point within
1e-6, or for a run that amplifies rounding its course within TOLERANCE
(utils.reproduce says why; scripts/kernel_drift.py measures it). The grid: 3 models
x 2 tasks x 2 lags x 2 learning rates x 2 seeds, hidden size 32, batch 32, Adam,
gradients clipped at norm 1. It takes a few minutes on 2 cores (one process per
core). Results are read by notebooks/06_lstm_vs_gru.ipynb.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: exact reruns
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from multiprocessing import Pool  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from utils import data, reproduce, training  # noqa: E402

OUT = ROOT / "data" / "results" / "comparison.npz"
MODELS = ("rnn", "lstm", "gru")
LAGS = {"adding": (30, 100), "copy": (10, 30)}
LRS = (1e-2, 1e-3)
SEEDS = (0, 1)
STEPS, H, BATCH, EVAL_EVERY, TRAIN_STRIDE = 3000, 32, 32, 100, 10
# On another build, the course of a run that amplifies rounding (reproduce.deviation
# of its means over fifths, with the task's baseline loss as the scale) may move by
# this much: reruns under two other OpenBLAS kernels moved by up to 0.15, while
# a run that solved its task and one that did not differ by at least 0.43
# (scripts/kernel_drift.py, tests/test_reproduce.py; data/README.md).
TOLERANCE = 0.25


def grid():
    return [
        (task, T, model, lr, seed)
        for task, lags in LAGS.items()
        for T in lags
        for model in MODELS
        for lr in LRS
        for seed in SEEDS
    ]


def key(task, T, model, lr, seed):
    return f"{task}/{T}/{model}/{lr:g}/{seed}"


def run(config):
    task, T, model, lr, seed = config
    start = time.perf_counter()
    result = training.train(
        model,
        task,
        T,
        H=H,
        lr=lr,
        steps=STEPS,
        batch=BATCH,
        seed=seed,
        eval_every=EVAL_EVERY,
    )
    # the training loss averaged over windows of TRAIN_STRIDE steps keeps files small
    train = result["train"].reshape(-1, TRAIN_STRIDE).mean(axis=1)
    seconds = time.perf_counter() - start
    print(
        f"{key(*config):28s} eval {result['eval'][-1]:.4f} "
        f"(baseline {training.baseline(task, T):.4f})  {seconds:.0f} s",
        flush=True,
    )
    return config, train, result["eval_steps"], result["eval"], seconds


def check(keys):
    """Rerun the stored runs named by keys ('all': every one) and compare each with
    the file -> exit status 0 when every one reproduces."""
    stored = data.load_comparison()
    configs = grid() if keys == ["all"] else [parse(k) for k in keys]
    missing = [key(*c) for c in configs if c not in stored["runs"]]
    if missing:
        sys.exit(f"not in {OUT.name}: {', '.join(missing)}")
    print(reproduce.builds_header(stored["meta"]))
    failed = 0
    with Pool(min(2, len(configs))) as pool:
        for config, train, _, evals, _ in pool.imap(run, configs):
            run_ = stored["runs"][config]
            ok, dev, sentence = reproduce.verdict(
                [run_["train"], run_["eval"]],
                [train, evals],
                stored["meta"],
                TOLERANCE,
                training.baseline(config[0], config[1]),
            )
            failed += not ok
            print(f"{key(*config)}: {sentence}", flush=True)
    print(f"{len(configs) - failed} of {len(configs)} runs reproduce")
    return 1 if failed else 0


def parse(text):
    """'adding/30/rnn/0.01/0' -> ('adding', 30, 'rnn', 0.01, 0)."""
    try:
        task, T, model, lr, seed = text.split("/")
        return (task, int(T), model, float(lr), int(seed))
    except ValueError:
        sys.exit(
            f"a run is named task/T/model/lr/seed, e.g. adding/30/rnn/0.01/0; "
            f"got {text!r}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        metavar="KEY",
        nargs="+",
        help="rerun stored runs and compare, e.g. adding/30/rnn/0.01/0, or 'all'",
    )
    args = parser.parse_args()
    if args.check:
        return check(args.check)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    with Pool(2) as pool:
        for config, train, eval_steps, evals, seconds in pool.imap(run, grid()):
            k = key(*config)
            arrays[f"{k}/train"], arrays[f"{k}/eval"] = train, evals
            arrays[f"{k}/seconds"] = np.array(seconds)
            arrays["eval_steps"] = eval_steps
    arrays["meta/steps"], arrays["meta/hidden"] = np.array(STEPS), np.array(H)
    arrays["meta/batch"], arrays["meta/train_stride"] = (
        np.array(BATCH),
        np.array(TRAIN_STRIDE),
    )
    arrays.update(reproduce.build_meta())
    np.savez_compressed(OUT, **arrays)
    data.record_checksums(OUT.relative_to(ROOT / "data").as_posix())
    print(f"wrote {OUT.relative_to(ROOT)} and its line in data/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
