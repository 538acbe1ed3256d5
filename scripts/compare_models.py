"""Train RNN, LSTM and GRU on the adding and copy tasks; store the learning curves.

    python scripts/compare_models.py              # every run -> data/results/
    python scripts/compare_models.py --check KEY  # rerun one, compare with the file

Every run is seeded and BLAS runs on one thread per process, so a rerun reproduces
the stored numbers exactly. The grid: 3 models x 2 tasks x 2 lags x 2 learning rates
x 2 seeds, hidden size 32, batch 32, Adam, gradients clipped at norm 1. It takes a
few minutes on 2 cores (one process per core). Results are read by
notebooks/06_lstm_vs_gru.ipynb.
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
from utils import data, training  # noqa: E402

OUT = ROOT / "data" / "results" / "comparison.npz"
MODELS = ("rnn", "lstm", "gru")
LAGS = {"adding": (30, 100), "copy": (10, 30)}
LRS = (1e-2, 1e-3)
SEEDS = (0, 1)
STEPS, H, BATCH, EVAL_EVERY, TRAIN_STRIDE = 3000, 32, 32, 100, 10


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", metavar="KEY", help="rerun one run, e.g. adding/30/rnn/0.01/0"
    )
    args = parser.parse_args()
    if args.check:
        task, T, model, lr, seed = args.check.split("/")
        config = (task, int(T), model, float(lr), int(seed))
        _, train, _, evals, _ = run(config)
        with np.load(OUT) as stored:
            same = np.array_equal(
                stored[f"{args.check}/train"], train
            ) and np.array_equal(stored[f"{args.check}/eval"], evals)
        print(
            "identical to the stored run" if same else "DIFFERENT from the stored run"
        )
        return 0 if same else 1
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
    np.savez_compressed(OUT, **arrays)
    data.record_checksums(OUT.relative_to(ROOT / "data").as_posix())
    print(f"wrote {OUT.relative_to(ROOT)} and its line in data/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
