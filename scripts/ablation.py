"""Train every LSTM variant of notebook 08 on the Shakespeare text; store the results.

    python scripts/ablation.py                  # every run -> data/results/ablation.npz
    python scripts/ablation.py --check NFG/1    # rerun one, compare with the file

Each run: a character-level LSTM variant (utils.variants) with 64 units, 1500 steps
of truncated BPTT (windows of 32 characters, 32 streams, state carried), Adam at
lr 3e-3, clipping at norm 5, float32, on data/text/shakespeare.txt; the held-out bits
per character on the first 20,000 characters of The Tempest every 250 steps. Eight
variants x three seeds, one process per core (about 3 minutes on 2 cores). BLAS on
one thread per process, so a rerun reproduces a run exactly on the same machine.
Read by notebooks/08_lstm_ablation.ipynb.
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
from utils import charlm, data, variants  # noqa: E402

OUT = "results/ablation.npz"
SEEDS = (0, 1, 2)
H, STEPS, T, B, LR, CLIP, EVAL_EVERY, HELD_OUT = (
    64,
    1500,
    32,
    32,
    3e-3,
    5.0,
    250,
    20_000,
)
TRAIN_STRIDE = 10


def texts():
    text = data.load_text("train")
    chars = charlm.vocabulary(text)
    held = charlm.encode(data.load_text("held_out")[:HELD_OUT], chars)
    return chars, charlm.encode(text, chars), held


class Evaluator:
    def __init__(self, model, held):
        self.model, self.held, self.steps, self.bpc = model, held, [], []

    def update(self, step, loss):
        if step % EVAL_EVERY == 0:
            self.steps.append(step)
            self.bpc.append(charlm.bits_per_char(self.model, self.held, B=8, T=128))


def run(config):
    variant, seed = config
    start = time.perf_counter()
    chars, ids, held = texts()
    model = charlm.init_model(
        "lstm", chars, H, np.random.default_rng(seed), variant=variant
    )
    evaluator = Evaluator(model, held)
    losses = charlm.train(
        model, ids, STEPS, T=T, B=B, lr=LR, clip=CLIP, progress=evaluator, seed=seed
    )
    train = (losses / np.log(2)).reshape(-1, TRAIN_STRIDE).mean(axis=1)
    seconds = time.perf_counter() - start
    print(
        f"{variant}/{seed}: held-out {evaluator.bpc[-1]:.3f} bits/char {seconds:.0f} s",
        flush=True,
    )
    return config, train, np.array(evaluator.bpc), np.array(evaluator.steps), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="KEY", help="rerun one run, e.g. NFG/1")
    args = parser.parse_args()
    path = data.DATA_DIR / OUT
    if args.check:
        variant, seed = args.check.split("/")
        _, train, bpc, _, _ = run((variant, int(seed)))
        with np.load(path) as stored:
            same = np.array_equal(
                stored[f"{args.check}/train"], train.astype(np.float32)
            )
            same = same and np.array_equal(stored[f"{args.check}/eval"], bpc)
        print(
            "identical to the stored run" if same else "DIFFERENT from the stored run"
        )
        return 0 if same else 1
    arrays = {}
    grid = [(v, s) for v in variants.VARIANTS for s in SEEDS]
    with Pool(2) as pool:
        for (variant, seed), train, bpc, steps, seconds in pool.imap(run, grid):
            arrays[f"{variant}/{seed}/train"] = train.astype(np.float32)
            arrays[f"{variant}/{seed}/eval"] = bpc
            arrays[f"{variant}/{seed}/seconds"] = np.array(seconds)
            arrays["eval_steps"] = steps
    meta = dict(hidden=H, steps=STEPS, window=T, streams=B, lr=LR, clip=CLIP)
    meta.update(held_out_chars=HELD_OUT, train_stride=TRAIN_STRIDE)
    arrays.update({f"meta/{k}": np.array(v) for k, v in meta.items()})
    path.parent.mkdir(exist_ok=True)
    np.savez_compressed(path, **arrays)
    data.record_checksums(OUT)
    print(f"wrote data/{OUT} and its line in data/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
