"""Train the encoder-decoder whose weights notebook 10 reads.

    python scripts/train_seq2seq.py            # about half a minute on one core
    python scripts/train_seq2seq.py --check    # rerun the first 500 steps, compare

An LSTM encoder and an LSTM decoder with 64 units each (utils.training.seq2seq),
trained with teacher forcing to reverse strings of 1 to 8 digits: each step a
batch of 32 strings of one length drawn uniformly, Adam (lr 5e-3), gradients
clipped at global norm 1, float32, seed 0. Every 500 steps the greedy decoding of
a fixed validation set (200 strings of each length 1-8) is scored. Writes
data/models/seq2seq_lstm.npz (weights, training curve, validation accuracy, the
settings, the build) and its line in data/SHA256SUMS. BLAS runs on one thread.
`--check` reruns the first steps and compares the training losses with the file:
bit for bit on the build of numpy and BLAS that made it (recorded in it), on
another build to rounding or in its course within TOLERANCE (utils.reproduce;
measured with OPENBLAS_CORETYPE, see data/README.md).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: exact reruns
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from utils import data, reproduce  # noqa: E402
from utils.training import decoding, seq2seq  # noqa: E402

OUT = "models/seq2seq_lstm.npz"
KIND, H, STEPS, LR, BATCH, CLIP, SEED = "lstm", 64, 4000, 5e-3, 32, 1.0, 0
LENGTHS, EVAL_EVERY, VALID_SEED = (1, 8), 500, 500
# On another build, the course of the first 500 steps (reproduce.deviation of the
# means over fifths: relative, or in nats below SCALE) may move by this much: reruns
# under OpenBLAS's Sandybridge and Nehalem kernels moved by 2.7e-3, while another
# seed moves it by 0.13 and a learning rate of 3e-3 by 0.49 (data/README.md).
TOLERANCE, SCALE = 0.02, 0.1


class Report:
    """Prints the running loss and the validation accuracy every EVAL_EVERY steps."""

    def __init__(self, model, steps):
        self.model, self.steps = model, steps
        lengths = range(LENGTHS[0], LENGTHS[1] + 1)
        self.valid = seq2seq.reversal_sets(lengths, 200, VALID_SEED)
        self.start, self.eval_steps, self.eval_accuracy = time.perf_counter(), [], []

    def update(self, step, loss):
        if step % EVAL_EVERY == 0 or step == self.steps:
            right = [
                decoding.matches(
                    decoding.greedy_decode(self.model, src, len(tgt))[0], tgt
                ).mean()
                for src, tgt in self.valid.values()
            ]
            self.eval_steps.append(step)
            self.eval_accuracy.append(np.mean(right))
            print(
                f"step {step:5d}  train {loss:.4f} nats/token  validation "
                f"{np.mean(right):.1%} of the strings reversed exactly  "
                f"{time.perf_counter() - self.start:5.1f} s",
                flush=True,
            )


def train(steps):
    """Train the model from its seed for steps -> (model, report, losses)."""
    model = seq2seq.init_model(KIND, H, np.random.default_rng(SEED), np.float32)
    report = Report(model, steps)
    losses = seq2seq.train(
        model, steps, LENGTHS, BATCH, LR, CLIP, seed=SEED, progress=report
    )
    return model, report, losses


def check(steps):
    """Rerun the first steps and compare their losses with the stored model's
    -> exit status 0 when they reproduce."""
    _, meta = seq2seq.load_model(data.verified_path(OUT))
    if not 0 < steps <= len(meta["train_loss"]):
        sys.exit(f"--check takes 1 to {len(meta['train_loss'])} steps, got {steps}")
    print(reproduce.builds_header(meta))
    _, _, losses = train(steps)
    ok, _, sentence = reproduce.verdict(
        [meta["train_loss"][:steps]], [losses], meta, TOLERANCE, SCALE
    )
    print(f"the first {steps} steps: {sentence}")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument(
        "--check",
        nargs="?",
        type=int,
        const=EVAL_EVERY,
        metavar="STEPS",
        help=f"rerun the first STEPS (default {EVAL_EVERY}) and compare with the file",
    )
    args = parser.parse_args()
    if args.check is not None:
        return check(args.check)
    model, report, losses = train(args.steps)
    (data.DATA_DIR / "models").mkdir(exist_ok=True)
    seq2seq.save_model(
        data.DATA_DIR / OUT,
        model,
        train_loss=losses,
        eval_steps=np.array(report.eval_steps),
        eval_accuracy=np.array(report.eval_accuracy),
        steps=args.steps,
        hidden=H,
        lengths=np.array(LENGTHS),
        batch=BATCH,
        lr=LR,
        clip=CLIP,
        seed=SEED,
        seconds=time.perf_counter() - report.start,
        **{f"build_{k}": v for k, v in reproduce.build().items()},
    )
    data.record_checksums(OUT)
    print(f"wrote data/{OUT} and its line in data/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
