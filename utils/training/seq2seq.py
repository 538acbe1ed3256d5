"""An encoder-decoder (sequence to sequence) on the course's GRU and LSTM, and its
task: reverse a string of digits.

The encoder reads the source x_1 .. x_S (one-hot tokens) and its final state starts
the decoder, a cell of the same kind, which reads BOS, y_1, .., y_{T-1} and
predicts y_1 .. y_T through a softmax readout: p(y | x) = prod_t p(y_t | y_<t, x).
Trained with teacher forcing (the true prefix as the decoder's input): the whole
backward pass through the decoder and, from the gradient of the decoder's initial
state, through the encoder; Adam and global-norm clipping. Derived in
notebooks/10_sequence_to_sequence.ipynb. Greedy decoding and beam search are in
decoding.py.

Tokens 0-9 are the digits, BOS (10) starts the decoder's input and EOS (11) ends
every target, so that the decoder itself says when the output is over. Sequences
are time-major like every input of the course: src (S, B) and tgt (T, B) ints; for
the reversal task T = S + 1, the reversed digits, then EOS.

A model is a dict: 'kind' ('gru' or 'lstm'), 'encoder' and 'decoder' (PyTorch-style
parameter dicts of input size V), 'w_out' (V, H), 'b_out' (V,).
"""

import numpy as np

from .. import cells
from .optim import Adam, clip_grad_norm

KINDS = ("gru", "lstm")
DIGITS, BOS, EOS = 10, 10, 11
V = 12  # the digits, BOS, EOS
SYMBOLS = "0123456789^$"  # how tokens print: ^ is BOS, $ is EOS


# ----------------------------------------------------------------------------------
# The task
# ----------------------------------------------------------------------------------


def check_tokens(name, tokens, allowed=V):
    """tokens itself, after checking it is a (T, B) integer array of ids < allowed."""
    if not isinstance(tokens, np.ndarray) or tokens.ndim != 2:
        shape = getattr(tokens, "shape", None)
        raise ValueError(
            f"{name} must be a 2-D integer array of shape (T, B), time first, got "
            f"{type(tokens).__name__}" + (f" of shape {shape}" if shape else "")
        )
    if not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(
            f"{name} must hold integer token ids, got dtype {tokens.dtype} (shape "
            f"{tokens.shape})"
        )
    if 0 in tokens.shape:
        raise ValueError(f"{name} must have T, B >= 1, got shape {tokens.shape}")
    if tokens.min() < 0 or tokens.max() >= allowed:
        raise ValueError(
            f"{name} must hold token ids in [0, {allowed}), got {tokens.min()}.."
            f"{tokens.max()} (shape {tokens.shape})"
        )
    return tokens


def reversal_batch(length, B, rng):
    """B random digit strings of one length and their reversals.

    -> src (length, B) digits, tgt (length + 1, B): src reversed along time, then
    EOS.
    """
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    if not isinstance(B, (int, np.integer)) or B < 1:
        raise ValueError(f"B must be a positive integer, got {B!r}")
    src = rng.integers(0, DIGITS, (length, B))
    tgt = np.concatenate([src[::-1], np.full((1, B), EOS)])
    return src, tgt


def reversal_sets(lengths, B, seed):
    """A fixed test set per length: {length: (src, tgt)}, each of B strings, drawn
    from np.random.default_rng(seed + length), so one length's set does not depend
    on which other lengths are asked for."""
    return {
        int(n): reversal_batch(int(n), B, np.random.default_rng(seed + int(n)))
        for n in lengths
    }


def to_text(tokens):
    """A 1-D sequence of token ids as text: digits, ^ for BOS, $ for EOS."""
    tokens = np.asarray(tokens)
    if tokens.ndim != 1:
        raise ValueError(f"tokens must be 1-D, got shape {tokens.shape}")
    return "".join(SYMBOLS[int(t)] for t in tokens)


def from_text(text):
    """Digits as text -> (len(text), 1) src tokens; the inverse of to_text."""
    if (
        not isinstance(text, str)
        or not text
        or not text.isdigit()
        or not text.isascii()
    ):
        raise ValueError(f"text must be a non-empty string of digits, got {text!r}")
    return np.array([int(c) for c in text])[:, None]


# ----------------------------------------------------------------------------------
# The model, its loss and its gradients
# ----------------------------------------------------------------------------------


def init_model(kind, H, rng, dtype=np.float64):
    """A new model with PyTorch's initialisation, U(-1/sqrt(H), 1/sqrt(H)).

    kind: 'gru' or 'lstm'; H: the hidden size of both cells; rng: a numpy Generator.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be 'gru' or 'lstm', got {kind!r}")
    return {
        "kind": kind,
        "encoder": cells.init_params(kind, V, H, rng, dtype),
        "decoder": cells.init_params(kind, V, H, rng, dtype),
        "w_out": (rng.uniform(-1, 1, (V, H)) / np.sqrt(H)).astype(dtype),
        "b_out": np.zeros(V, dtype),
    }


def check_model(model):
    """model itself, after checking it is a dict made by init_model."""
    keys = ("kind", "encoder", "decoder", "w_out", "b_out")
    if not isinstance(model, dict) or any(k not in model for k in keys):
        raise ValueError(
            "model must be a dict with keys 'kind', 'encoder', 'decoder', 'w_out', "
            "'b_out' (made by init_model)"
        )
    if model["kind"] not in KINDS:
        raise ValueError(
            f"model['kind'] must be 'gru' or 'lstm', got {model['kind']!r}"
        )
    H = model["decoder"]["weight_hh_l0"].shape[1]
    for key, shape in (("w_out", (V, H)), ("b_out", (V,))):
        if model[key].shape != shape:
            raise ValueError(
                f"model[{key!r}] must have shape {shape} for V = {V} tokens and "
                f"H = {H}, got {model[key].shape}"
            )
    return model


def parameters(model):
    """The model's arrays in one flat dict (the same arrays, not copies):
    'encoder.<key>', 'decoder.<key>', 'w_out', 'b_out'."""
    flat = {f"encoder.{k}": v for k, v in model["encoder"].items()}
    flat.update({f"decoder.{k}": v for k, v in model["decoder"].items()})
    flat.update(w_out=model["w_out"], b_out=model["b_out"])
    return flat


def one_hot(tokens, dtype):
    """(..., ) int tokens -> (..., V) one-hot rows."""
    return np.eye(V, dtype=dtype)[tokens]


def decoder_inputs(tgt):
    """Teacher forcing: the decoder reads <bos>, y_1, .., y_{T-1} -> (T, B) ints."""
    return np.concatenate([np.full((1, tgt.shape[1]), BOS), tgt[:-1]])


def encode(model, src):
    """Run the encoder over src (S, B) tokens -> (its final state, cache): h_S, or
    (h_S, c_S) for the LSTM; this state is the decoder's initial state."""
    check_model(model)
    check_tokens("src", src)
    x = one_hot(src, model["w_out"].dtype)
    _, state, cache = cells.forward(model["kind"], x, model["encoder"])
    return state, cache


def _decode_forward(model, dec_in, state):
    h0, c0 = state if model["kind"] == "lstm" else (state, None)
    x = one_hot(dec_in, model["w_out"].dtype)
    out, _, cache = cells.forward(model["kind"], x, model["decoder"], h0, c0)
    return out, cache


def teacher_forced_logits(model, src, tgt):
    """The decoder's logits when it reads the true prefix: src (S, B), tgt (T, B)
    -> logits (T, B, V); logits[t] scores tgt[t], after the decoder read BOS and
    tgt[:t]."""
    check_tokens("tgt", tgt)
    _check_batch(src, tgt)
    state, _ = encode(model, src)
    out, _ = _decode_forward(model, decoder_inputs(tgt), state)
    return out @ model["w_out"].T + model["b_out"]


def loss(model, src, tgt):
    """The teacher-forced loss of loss_and_grads alone (no backward pass): the mean
    over the T * B predictions of -log p(y_t | y_<t, x) -> a float."""
    logp = cells.log_softmax(teacher_forced_logits(model, src, tgt))
    return -float(np.take_along_axis(logp, tgt[..., None], axis=-1).mean())


def loss_and_grads(model, src, tgt):
    """The teacher-forced loss and its gradient with respect to every parameter.

    src (S, B), tgt (T, B) tokens (tgt ends with <eos>) -> (loss, grads): the mean
    over the T * B predictions of -log p(y_t | y_<t, x), and a dict with the keys
    of parameters(model). The backward pass: dL/dlogits = (p - onehot(y)) / (T B);
    the decoder's BPTT from dout = dlogits W_out; the gradient of the decoder's
    initial state is the gradient of the encoder's final state, dh_n of the
    encoder's BPTT (the encoder's outputs are not used, so its dout is None).
    """
    check_tokens("tgt", tgt)
    _check_batch(src, tgt)
    kind = model["kind"]
    state, enc_cache = encode(model, src)
    out, dec_cache = _decode_forward(model, decoder_inputs(tgt), state)
    T, B, H = out.shape
    logp = cells.log_softmax(out @ model["w_out"].T + model["b_out"])  # (T, B, V)
    picked = np.take_along_axis(logp, tgt[..., None], axis=-1)[..., 0]
    loss = -float(picked.mean())
    dlogits = np.exp(logp)
    np.put_along_axis(
        dlogits, tgt[..., None], np.take_along_axis(dlogits, tgt[..., None], -1) - 1, -1
    )
    dlogits /= T * B
    flat_d, flat_h = dlogits.reshape(T * B, V), out.reshape(T * B, H)
    grads = {"w_out": flat_d.T @ flat_h, "b_out": flat_d.sum(0)}
    _, d_dec, d_state = cells.backward(kind, dlogits @ model["w_out"], dec_cache)
    dh_n, dc_n = d_state if kind == "lstm" else (d_state, None)
    _, d_enc, _ = cells.backward(kind, None, enc_cache, dh_n, dc_n)
    grads.update({f"encoder.{k}": v for k, v in d_enc.items()})
    grads.update({f"decoder.{k}": v for k, v in d_dec.items()})
    return loss, grads


def _check_batch(src, tgt):
    check_tokens("src", src)
    if src.shape[1] != tgt.shape[1]:
        raise ValueError(
            f"src (S, B) and tgt (T, B) must have the same batch size, got shapes "
            f"{src.shape} and {tgt.shape}"
        )


def train(
    model,
    steps,
    lengths=(1, 8),
    batch=32,
    lr=5e-3,
    clip=1.0,
    seed=0,
    progress=None,
):
    """Teacher forcing on the reversal task: each step a batch of `batch` strings of
    one length drawn uniformly from lengths (lo, hi), Adam, global-norm clipping.

    progress: None, or an object with update(step, loss) (utils.widgets.LiveLoss)
    -> the training loss of every step (mean nats per predicted token).
    """
    check_model(model)
    lo, hi = _check_lengths(lengths)
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    params = parameters(model)
    opt = Adam(params, lr=lr)
    rng = np.random.default_rng(seed)
    losses = np.empty(steps)
    for step in range(steps):
        src, tgt = reversal_batch(int(rng.integers(lo, hi + 1)), batch, rng)
        losses[step], grads = loss_and_grads(model, src, tgt)
        grads, _ = clip_grad_norm(grads, clip)
        opt.step(grads)
        if progress is not None:
            progress.update(step + 1, losses[step])
    return losses


def _check_lengths(lengths):
    if (
        not isinstance(lengths, (tuple, list))
        or len(lengths) != 2
        or not all(isinstance(n, (int, np.integer)) for n in lengths)
        or not 1 <= lengths[0] <= lengths[1]
    ):
        raise ValueError(
            f"lengths must be a pair (lo, hi) of integers, 1 <= lo <= hi, got "
            f"{lengths!r}"
        )
    return int(lengths[0]), int(lengths[1])


def save_model(path, model, **meta):
    """Write a model and its metadata (numbers, strings, arrays) to an .npz file."""
    check_model(model)
    arrays = {
        f"{part}.{k}": v
        for part in ("encoder", "decoder")
        for k, v in model[part].items()
    }
    arrays.update(
        w_out=model["w_out"], b_out=model["b_out"], kind=np.array(model["kind"])
    )
    arrays.update({f"meta.{k}": np.asarray(v) for k, v in meta.items()})
    np.savez_compressed(path, **arrays)


def load_model(path):
    """-> (model, meta) from a file written by save_model."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    model = {
        "kind": str(arrays["kind"]),
        "w_out": arrays["w_out"],
        "b_out": arrays["b_out"],
    }
    for part in ("encoder", "decoder"):
        n = len(part) + 1
        model[part] = {k[n:]: v for k, v in arrays.items() if k.startswith(part + ".")}
    meta = {k[5:]: v for k, v in arrays.items() if k.startswith("meta.")}
    return check_model(model), meta
