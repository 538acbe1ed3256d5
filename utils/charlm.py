"""A character-level language model on the course's LSTM and GRU.

The model: one-hot characters x_t (V,) -> an LSTM or GRU with H units ->
logits y_t = W_y h_t + b_y (V,) -> softmax, trained to predict character t + 1
with the cross-entropy, by truncated backpropagation through time with carried
state, Adam and global-norm clipping. Derived in
notebooks/07_char_language_model.ipynb.

A model is a dict: 'kind' ('lstm' or 'gru'), 'cell' (a PyTorch-style parameter
dict), 'w_out' (V, H), 'b_out' (V,), 'chars' (the vocabulary, a string).
"""

import numpy as np

from . import cells, variants
from .training import Adam, clip_grad_norm

KINDS = ("lstm", "gru")


# ----------------------------------------------------------------------------------
# Characters and batches
# ----------------------------------------------------------------------------------


def vocabulary(text):
    """The sorted distinct characters of text, as one string."""
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string")
    return "".join(sorted(set(text)))


def encode(text, chars):
    """text -> int array of indices into chars; ValueError names unknown ones."""
    index = {c: i for i, c in enumerate(chars)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ValueError(f"text has characters outside the vocabulary: {unknown!r}")
    return np.array([index[c] for c in text], dtype=np.int64)


def decode(ids, chars):
    return "".join(chars[i] for i in np.asarray(ids).ravel())


def one_hot(ids, V, dtype=np.float32):
    """(...,) int ids -> (..., V) one-hot rows."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        raise ValueError(f"ids must lie in [0, {V}), got {ids.min()}..{ids.max()}")
    out = np.zeros((*ids.shape, V), dtype=dtype)
    np.put_along_axis(out, ids[..., None], 1, axis=-1)
    return out


def streams(ids, B):
    """Cut a 1-D id sequence into B equal contiguous streams -> (L, B).

    Column b is the b-th stretch of the text, so consecutive windows of the
    rows continue each stream: the state left by one window is the right start
    for the next (truncated BPTT with carried state).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or B < 1 or len(ids) < 2 * B:
        raise ValueError(f"need a 1-D id array of at least 2B = {2 * B} ids")
    L = len(ids) // B
    return ids[: L * B].reshape(B, L).T


def windows(stream_ids, T):
    """Consecutive (inputs, targets) windows of T steps over (L, B) streams.

    Yields x (T, B) ids and y (T, B) ids, y[t] = x[t + 1] in the text; the last
    partial window is dropped.
    """
    L = len(stream_ids)
    for start in range(0, L - T - 1 + 1, T):
        yield stream_ids[start : start + T], stream_ids[start + 1 : start + T + 1]


# ----------------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------------


def init_model(kind, chars, H, rng, dtype=np.float32, forget_bias=1.0, variant=None):
    """A new model: PyTorch's initialisation; the LSTM's forget bias raised.

    variant: for kind 'lstm', one of utils.variants.VARIANTS (notebook 08); the
    model then runs utils.variants.forward and backward instead of the fast cell.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be 'lstm' or 'gru', got {kind!r}")
    if variant is not None and kind != "lstm":
        raise ValueError("variants are variants of the LSTM: use kind='lstm'")
    V = len(chars)
    if variant is None:
        cell = cells.init_params(kind, V, H, rng, dtype)
    else:
        cell = variants.init_params(variant, V, H, rng, dtype)
    if kind == "lstm":
        cell["bias_ih_l0"][H : 2 * H] += forget_bias  # notebook 04
    model = {
        "kind": kind,
        "cell": cell,
        "w_out": (rng.uniform(-1, 1, (V, H)) / np.sqrt(H)).astype(dtype),
        "b_out": np.zeros(V, dtype),
        "chars": chars,
    }
    if variant is not None:
        model["variant"] = variant
    return model


def _check_model(model):
    if not isinstance(model, dict) or model.get("kind") not in KINDS:
        raise ValueError("model must be a dict made by init_model or load_model")


def zero_state(model, B):
    H = model["cell"]["weight_hh_l0"].shape[1]
    dtype = model["w_out"].dtype
    if model["kind"] == "lstm":
        return (np.zeros((B, H), dtype), np.zeros((B, H), dtype))
    return np.zeros((B, H), dtype)


def run(model, x_ids, state=None):
    """Forward over (T, B) ids -> out (T, B, H), the final state, cache."""
    _check_model(model)
    x = one_hot(x_ids, len(model["chars"]), model["w_out"].dtype)
    if state is None:
        state = zero_state(model, x.shape[1])
    if "variant" in model:
        return variants.forward(x, model["cell"], model["variant"], *state)
    h0, c0 = state if model["kind"] == "lstm" else (state, None)
    return cells.forward(model["kind"], x, model["cell"], h0, c0)


def loss_and_grads(model, x_ids, y_ids, state=None):
    """Mean cross-entropy (nats per character) of one window and its gradients.

    -> loss, grads (keys of the cell dict plus 'w_out', 'b_out'), final state
    (detached: carry it into the next window, gradients stop there).
    """
    out, last, cache = run(model, x_ids, state)
    T, B, H = out.shape
    logits = out @ model["w_out"].T + model["b_out"]
    logp = cells.log_softmax(logits)
    loss = -np.take_along_axis(logp, y_ids[..., None], axis=-1).mean()
    dlogits = np.exp(logp)  # softmax: dL/dlogits = (p - onehot(y)) / (T B)
    np.put_along_axis(
        dlogits,
        y_ids[..., None],
        np.take_along_axis(dlogits, y_ids[..., None], -1) - 1,
        -1,
    )
    dlogits /= T * B
    flat_d, flat_h = dlogits.reshape(T * B, -1), out.reshape(T * B, H)
    dout = dlogits @ model["w_out"]
    if "variant" in model:
        grads = variants.backward(dout, cache)[1]
    else:
        grads = cells.backward(model["kind"], dout, cache)[1]
    grads["w_out"] = flat_d.T @ flat_h
    grads["b_out"] = flat_d.sum(0)
    return float(loss), grads, last


def bits_per_char(model, ids, B=16, T=256):
    """Average -log2 p(next character) over a text, carrying the state along B
    parallel streams (so every prediction sees the text before it, up to the
    start of its stream)."""
    total, count, state = 0.0, 0, None
    for x, y in windows(streams(ids, B), T):
        out, state, _ = run(model, x, state)
        logp = cells.log_softmax(out @ model["w_out"].T + model["b_out"])
        total -= np.take_along_axis(logp, y[..., None], axis=-1).sum()
        count += y.size
    return total / count / np.log(2)


def train(model, ids, steps, T=64, B=32, lr=2e-3, clip=5.0, progress=None, seed=0):
    """Truncated BPTT: B streams, windows of T steps, the state carried from one
    window to the next and reset at each pass over the text. Adam, global-norm
    clipping. -> losses (nats per character) per step."""
    _check_model(model)
    if len(ids) < B * (T + 1) + T:  # every pass must hold at least one window
        raise ValueError(
            f"the text is too short for {B} streams of windows of {T}: it needs at "
            f"least {B * (T + 1) + T} characters, got {len(ids)}"
        )
    params = {**model["cell"], "w_out": model["w_out"], "b_out": model["b_out"]}
    opt = Adam(params, lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    while len(losses) < steps:
        offset = int(rng.integers(0, T))  # a new cut of the windows each pass
        state = None
        for x, y in windows(streams(ids[offset:], B), T):
            loss, grads, state = loss_and_grads(model, x, y, state)
            grads, _ = clip_grad_norm(grads, clip)
            opt.step(grads)
            losses.append(loss)
            if progress is not None:
                progress.update(len(losses), loss)
            if len(losses) == steps:
                break
    return np.array(losses)


# ----------------------------------------------------------------------------------
# Baselines, and the loss in bits
# ----------------------------------------------------------------------------------


def ngram_bits_per_char(train_ids, eval_ids, V, order, alpha=1.0):
    """Held-out bits per character of an n-gram model counted on train_ids.

    p(c | the order - 1 characters before it) = (n(context, c) + alpha) /
    (n(context) + alpha V): counts of the training text, add-alpha smoothed
    (alpha = 1 is Laplace's add-one), so an unseen pair still gets some
    probability. order 1 is the unigram model (no context), 2 the bigram, ...
    -> the average -log2 p over every character of eval_ids that has order - 1
    characters before it (all but the first for the unigram and the bigram).
    Notebook 07's baselines.
    """
    train_ids, eval_ids = np.asarray(train_ids), np.asarray(eval_ids)
    for name, a in (("train_ids", train_ids), ("eval_ids", eval_ids)):
        if a.ndim != 1 or len(a) < max(2, order):
            raise ValueError(
                f"{name} must be a 1-D id array of at least "
                f"{max(2, order)} ids, got shape {a.shape}"
            )
        if a.min() < 0 or a.max() >= V:
            raise ValueError(f"{name} must lie in [0, {V}), got {a.min()}..{a.max()}")
    if not isinstance(order, int) or order < 1 or V**order >= 2**62:
        raise ValueError(
            f"order must be a positive int (V^order < 2^62), got {order!r}"
        )
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha!r}")

    first = max(order - 1, 1)  # the first predicted character

    def codes(ids):  # each prediction's (context, next) as one int: context V + next
        code = np.zeros(len(ids) - first, np.int64)
        for back in range(order - 1, -1, -1):
            code = code * V + ids[first - back : len(ids) - back]
        return code

    pairs, pair_counts = np.unique(codes(train_ids), return_counts=True)
    contexts, where = np.unique(pairs // V, return_inverse=True)
    context_counts = np.bincount(where, weights=pair_counts)
    query = codes(eval_ids)

    def lookup(keys, table, counts):
        i = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        return np.where(table[i] == keys, counts[i], 0)

    n_pair = lookup(query, pairs, pair_counts)
    n_context = lookup(query // V, contexts, context_counts)
    p = (n_pair + alpha) / (n_context + alpha * V)
    return float(-np.log2(p).mean())


def diverged(train_bits, V, tail=0.1):
    """Did a training run diverge? -> True when its training loss over the last
    `tail` of the run (bits per character, in time order) is above log2 V, worse
    than a model that knows nothing. Notebook 08 counts such a run as a failure.
    """
    train_bits = np.asarray(train_bits, dtype=np.float64)
    if train_bits.ndim != 1 or not len(train_bits):
        raise ValueError(
            f"train_bits must be a non-empty 1-D curve, got shape {train_bits.shape}"
        )
    if not 0 < tail <= 1:
        raise ValueError(f"tail must lie in (0, 1], got {tail!r}")
    last = train_bits[-max(1, int(round(tail * len(train_bits)))) :]
    return bool(not np.all(np.isfinite(last)) or last.mean() > np.log2(V))


class InBits:
    """A progress object for train that passes the loss on in bits per character.

    train reports nats per character; wrap a progress bar (utils.widgets.LiveLoss)
    to draw the unit the notebooks use: InBits(live).update(step, loss) calls
    live.update(step, loss / ln 2). Notebook 07.
    """

    def __init__(self, progress):
        self.progress = progress

    def update(self, step, loss):
        self.progress.update(step, loss / np.log(2))


# ----------------------------------------------------------------------------------
# Sampling and looking inside
# ----------------------------------------------------------------------------------


def _check_temperature(temperature):
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")


def softmax_temperature(logits, temperature):
    """p_i = exp(l_i / tau) / sum_j exp(l_j / tau) over the last axis; tau > 0."""
    _check_temperature(temperature)
    return cells.softmax(logits / temperature)


def next_char_probs(model, prime, temperature=1.0):
    """The model's distribution of the character after prime -> (V,)."""
    ids = encode(prime, model["chars"])
    out, _, _ = run(model, ids[:, None])
    return softmax_temperature(
        out[-1, 0] @ model["w_out"].T + model["b_out"], temperature
    )


def sample(model, prime, n, temperature=1.0, seed=0):
    """prime followed by n sampled characters.

    The loop is the cell's step without argument checks (they are done once): a
    one-hot input times W_ih^T is row i of W_ih^T, so the input term is a lookup.
    """
    _check_model(model)
    if not prime:
        raise ValueError("prime must be at least one character")
    _check_temperature(temperature)
    rng = np.random.default_rng(seed)
    chars, V = model["chars"], len(model["chars"])
    out, state, _ = run(model, encode(prime, chars)[:, None])
    h = out[-1]
    p = model["cell"]
    lookup = p["weight_ih_l0"].T + p["bias_ih_l0"]  # (V, kH): input term of char i
    W_hh, b_hh = p["weight_hh_l0"], p["bias_hh_l0"]
    W_hh_T = W_hh.T.copy()
    c = state[1] if model["kind"] == "lstm" else None
    w_out_T, b_out = model["w_out"].T.astype(np.float64), model["b_out"]
    generated = []
    for u in rng.random(n):
        cdf = cells.softmax((h[0] @ w_out_T + b_out) / temperature).cumsum()
        i = min(int(np.searchsorted(cdf, u * cdf[-1], side="right")), V - 1)
        generated.append(chars[i])
        if model["kind"] == "lstm":
            h, c, _ = cells.lstm_cell(lookup[i][None] + h @ W_hh_T + b_hh, c)
        else:
            h, _ = cells.gru_cell(lookup[i][None], h, W_hh, b_hh, True)
    return prime + "".join(generated)


def activations(model, text):
    """Run over text (one stream) -> dict of (len(text), H) arrays: 'h', and for
    the LSTM 'c', 'input', 'forget', 'output', 'candidate'; for the GRU 'reset',
    'update', 'new'. Row t is the state after reading character t."""
    ids = encode(text, model["chars"])
    out, _, cache = run(model, ids[:, None])
    H = out.shape[2]
    gates = cache["gates"][:, 0]
    result = {"h": out[:, 0]}
    names = (
        ("input", "forget", "candidate", "output")
        if model["kind"] == "lstm"
        else ("reset", "update", "new")
    )
    for j, name in enumerate(names):
        result[name] = gates[:, j * H : (j + 1) * H]
    if model["kind"] == "lstm":
        result["c"] = cache["cs"][1:, 0]
    return result


def correlations(states, signal):
    """Pearson correlation of each unit's column of states (N, H) with a signal
    (N,) -> (H,)."""
    s = states - states.mean(0)
    g = signal - signal.mean()
    return (s * g[:, None]).sum(0) / np.sqrt((s**2).sum(0) * (g**2).sum())


def line_position(text):
    """For each character, how many characters precede it on its line."""
    pos, out = 0, np.empty(len(text))
    for t, ch in enumerate(text):
        out[t] = pos
        pos = 0 if ch == "\n" else pos + 1
    return out


# ----------------------------------------------------------------------------------
# The stored model
# ----------------------------------------------------------------------------------


def save_model(path, model, **extra):
    arrays = {f"cell.{k}": v for k, v in model["cell"].items()}
    arrays.update(w_out=model["w_out"], b_out=model["b_out"])
    arrays.update(kind=np.array(model["kind"]), chars=np.array(model["chars"]))
    arrays.update({f"meta.{k}": np.asarray(v) for k, v in extra.items()})
    np.savez_compressed(path, **arrays)


def load_model(path):
    """-> (model, meta) from a file written by save_model."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    model = {
        "kind": str(arrays["kind"]),
        "chars": str(arrays["chars"]),
        "cell": {k[5:]: v for k, v in arrays.items() if k.startswith("cell.")},
        "w_out": arrays["w_out"],
        "b_out": arrays["b_out"],
    }
    meta = {k[5:]: v for k, v in arrays.items() if k.startswith("meta.")}
    return model, meta
