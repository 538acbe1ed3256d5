"""The mistakes of notebooks/10_sequence_to_sequence.ipynb's exercises 10.1 (the
negative log-likelihood of padded output sequences and its gradient) and 10.2 (one
step of beam search), for nb10_sequence_to_sequence.py. Each variant with every
mistake left at its default is the right answer.
"""

import numpy as np


def _log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def nll_variant(
    logits,
    targets,
    lengths,
    mask="right",
    grad_mask=None,
    norm="B",
    grad_norm=None,
    grad="right",
    sign=1.0,
    base="e",
    softmax_axis=-1,
    shift=False,
):
    """sequence_nll with the given mistakes -> (loss, dlogits), in float64.

    mask, grad_mask (default: mask): the steps that count, 'right' (t < lengths),
    'none' (every step), 'short' (EOS left out: t < lengths - 1) or 'long'
    (t <= lengths); norm, grad_norm (default: norm): what the sum is divided by,
    'B', 'tokens' (the number of real tokens), 'TB', 'sum' (nothing) or 'per_seq'
    (each sequence by its own length, then the mean over B); grad: 'right'
    (p - onehot), 'neg', 'no_softmax' (-onehot) or 'no_onehot' (p); sign: -1 for
    the log-likelihood itself; base: 'e' or '2' (the loss in bits); shift: targets
    moved one step earlier (np.roll by -1).
    """
    z = np.asarray(logits, dtype=np.float64)
    T, B, V = z.shape
    y = np.roll(targets, -1, axis=0) if shift else np.asarray(targets)
    lengths = np.asarray(lengths)
    t = np.arange(T)[:, None]
    masks = {
        "right": t < lengths,
        "none": np.ones((T, B), dtype=bool),
        "short": t < lengths - 1,
        "long": t <= lengths,
    }
    m, gm = masks[mask], masks[grad_mask or mask]
    logp = _log_softmax(z, axis=softmax_axis)
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]  # (T, B)

    def divide(total, how, used):  # total: (T, B) or (T, B, V) masked terms
        per_seq = np.maximum(used.sum(axis=0), 1)  # (B,)
        if how == "per_seq":
            return total / (per_seq if total.ndim == 2 else per_seq[:, None]) / B
        return total / {"B": B, "tokens": used.sum(), "TB": T * B, "sum": 1}[how]

    loss = float(divide(-picked * m, norm, m).sum())
    loss *= sign / (np.log(2) if base == "2" else 1.0)
    p = np.exp(logp)
    onehot = np.eye(V)[y]
    d = {
        "right": p - onehot,
        "neg": onehot - p,
        "no_softmax": -onehot,
        "no_onehot": p,
    }[grad] * gm[..., None]
    return loss, divide(d, grad_norm or norm, gm)


NLL_MISTAKES = [
    (
        {"mask": "none"},
        "you counted the padding: the steps t >= lengths[b] are not part of "
        "sequence b. Leave them out of the loss and give their logits zero "
        "gradient (a mask t < lengths[b]).",
    ),
    (
        {"mask": "none", "grad_mask": "right"},
        "your dlogits is right but your loss counts the padding steps "
        "t >= lengths[b]; mask the loss as you masked the gradient.",
    ),
    (
        {"grad_mask": "none"},
        "your loss is right but dlogits is not zero at the padding steps "
        "t >= lengths[b]: they do not enter the loss, so their gradient is 0.",
    ),
    (
        {"mask": "short"},
        "you left out the last real step of each sequence, its EOS: the EOS is a "
        "token of the output too (the model must learn where to stop), so count "
        "t < lengths[b], EOS included.",
    ),
    (
        {"mask": "long"},
        "you counted one step too many (t <= lengths[b]): sequence b has "
        "lengths[b] real tokens, at t = 0 .. lengths[b] - 1.",
    ),
    (
        {"norm": "tokens"},
        "you divided by the number of real tokens (a mean per token); the loss "
        "asked for is the mean over the B sequences of each sequence's whole "
        "-log p(y | x), a sum over its tokens: divide by B.",
    ),
    (
        {"norm": "TB"},
        "you divided by T * B, padding included; the loss is the mean over the B "
        "sequences of each sequence's sum over its own tokens: divide by B.",
    ),
    (
        {"norm": "sum"},
        "you summed over the batch; take the mean over the B sequences (divide "
        "the loss and dlogits by B).",
    ),
    (
        {"norm": "per_seq"},
        "you divided each sequence's sum by its own length (a mean per token "
        "within each sequence); -log p(y | x) is the sum over the sequence's "
        "tokens, so only the mean over the batch divides, by B.",
    ),
    (
        {"grad_norm": "tokens"},
        "your loss is right but dlogits is divided by the number of real tokens; "
        "it must be the gradient of your loss, which divides by B.",
    ),
    (
        {"grad": "neg"},
        "the sign of dlogits is flipped: the gradient of -log p_y with respect to "
        "the logits is p - onehot(y), not onehot(y) - p.",
    ),
    (
        {"grad": "no_softmax"},
        "dlogits is only -onehot(y): that is the gradient of -z_y alone. "
        "-log p_y = log sum_j exp(z_j) - z_y, and the log-sum-exp adds p: "
        "dlogits = p - onehot(y) on the real steps.",
    ),
    (
        {"grad": "no_onehot"},
        "dlogits is p without the -onehot(y): -log p_y = log sum_j exp(z_j) - "
        "z_y, and the -z_y term gives -1 at the true token.",
    ),
    (
        {"sign": -1.0},
        "your loss has the wrong sign: it is the negative log-likelihood, "
        "-sum log p, a positive number.",
    ),
    (
        {"base": "2"},
        "your loss is in bits (log base 2); this one is in nats, the natural log, "
        "of which p - onehot is the gradient.",
    ),
    (
        {"softmax_axis": 0},
        "you normalised the probabilities over axis 0 (time); each logits[t, b] "
        "is one distribution over the V tokens: the last axis.",
    ),
    (
        {"softmax_axis": 1},
        "you normalised the probabilities over axis 1 (the batch); each "
        "logits[t, b] is one distribution over the V tokens: the last axis.",
    ),
    (
        {"shift": True},
        "your targets are one step off: logits[t] already scores targets[t] "
        "(teacher forcing: the decoder read y_{t-1} at step t and predicts y_t), "
        "so pair them as given.",
    ),
]


def beam_step_variant(
    scores,
    log_probs,
    k,
    eos,
    score="sum",
    pool="all",
    order="best",
    decode="right",
    ends="right",
    sort_live=True,
    width=0,
    done_score="sum",
    sort_done=True,
):
    """beam_step with the given mistakes -> (parents, tokens, new_scores),
    (done_parents, done_scores).

    score: 'sum' (right), 'token' (the token's log-probability alone) or 'product';
    pool: 'all' (right) or 'best' (each prefix by its best token only); order:
    'best' (right) or 'worst'; decode: 'right', 'mod_n' (parent = f % n, token =
    f // n), 'swapped' (parent = f % V, token = f // V) or 'flat' (token = f);
    ends: 'right', 'keep' (EOS stays live), 'drop' (EOS never finishes), 'count'
    (finished ones count towards k) or 'all' (every EOS candidate finishes);
    width: k + width kept; done_score: 'sum' or 'token'; sort_live, sort_done:
    False returns them in the order of the flat index.
    """
    scores, log_probs = np.asarray(scores), np.asarray(log_probs)
    n, V = log_probs.shape
    if score == "sum":
        cand = scores[:, None] + log_probs
    elif score == "token":
        cand = log_probs + 0 * scores[:, None]
    else:
        cand = scores[:, None] * log_probs
    flat = cand.ravel()
    if pool == "best":
        pool_idx = np.arange(n) * V + log_probs.argmax(axis=1)
    else:
        pool_idx = np.arange(n * V)
    ranked = pool_idx[np.argsort(-flat[pool_idx], kind="stable")]
    if order == "worst":
        ranked = ranked[::-1]
    keep = k + width
    live, done = [], []
    for f in ranked:
        f = int(f)
        if decode == "mod_n":
            parent, token = f % n, f // n
        elif decode == "swapped":
            parent, token = f % V, f // V
        elif decode == "flat":
            parent, token = f // V, f
        else:
            parent, token = f // V, f % V
        is_end = token == eos  # as decoded, right or wrong
        if is_end and ends in ("right", "count", "all"):
            s = flat[f] if done_score == "sum" else log_probs[f // V, eos]
            done.append((f, parent, s))
        elif not is_end or ends == "keep":
            live.append((f, parent, token, flat[f]))
        if len(live) == keep or (ends == "count" and len(live) + len(done) == keep):
            break
    if ends == "all":
        done = [
            (p * V + eos, p, flat[p * V + eos] if done_score == "sum" else
             log_probs[p, eos])
            for p in range(n)
        ]  # fmt: skip
        done.sort(key=lambda d: -d[2])
    if not sort_live:
        live.sort(key=lambda c: c[0])
    if not sort_done:
        done.sort(key=lambda d: d[0])
    dtype = log_probs.dtype
    parents = np.array([c[1] for c in live], dtype=np.int64)
    tokens = np.array([c[2] for c in live], dtype=np.int64)
    new_scores = np.array([c[3] for c in live], dtype=dtype)
    done_parents = np.array([d[1] for d in done], dtype=np.int64)
    done_scores = np.array([d[2] for d in done], dtype=dtype)
    return (parents, tokens, new_scores), (done_parents, done_scores)


BEAM_MISTAKES = [
    (
        {"score": "token"},
        "you ranked the candidates by the new token's log-probability alone; a "
        "candidate's score is its whole prefix's: scores[i] + log_probs[i, v], "
        "summed log-probabilities.",
    ),
    (
        {"score": "product"},
        "you multiplied the log-probabilities; probabilities multiply, so their "
        "logarithms add: scores[i] + log_probs[i, v].",
    ),
    (
        {"pool": "best"},
        "you extended each prefix by its best token only (that is greedy decoding "
        "n times); all n x V candidates compete for the k places, so two children "
        "of one prefix may both stay and another prefix none.",
    ),
    (
        {"order": "worst"},
        "you kept the worst candidates: sort by score from the highest (least "
        "negative) down, e.g. np.argsort(-candidates).",
    ),
    (
        {"decode": "mod_n"},
        "your parents and tokens come from the wrong arithmetic on the flat index: "
        "in the (n, V) table flattened row by row, index f is row f // V (the "
        "parent) and column f % V (the token).",
    ),
    (
        {"decode": "swapped"},
        "you swapped // and % on the flat index: f = parent * V + token, so "
        "parent = f // V and token = f % V.",
    ),
    (
        {"decode": "flat"},
        "your tokens are flat indices into the (n, V) table; the token is the "
        "column, f % V (np.unravel_index gives both).",
    ),
    (
        {"ends": "keep"},
        "an EOS candidate stayed in the beam as a live prefix; EOS ends its "
        "hypothesis: put it among the finished ones and keep taking candidates "
        "until the beam has k live prefixes.",
    ),
    (
        {"ends": "drop"},
        "you dropped the EOS candidates; they are the hypotheses that finish at "
        "this step: return each one that ranks above the k-th live candidate, "
        "with its parent and score.",
    ),
    (
        {"ends": "count"},
        "your finished hypotheses took places in the beam: you stopped after k "
        "candidates of either kind. Finished ones leave the beam, so keep taking "
        "candidates until k live ones (not EOS) are in it.",
    ),
    (
        {"ends": "all"},
        "you finished every prefix's EOS candidate; only those that rank above "
        "the k-th live candidate finish at this step (the others fall below the "
        "beam, as a non-EOS candidate there would).",
    ),
    (
        {"sort_live": False},
        "your new beam is not best first: return it sorted by score, highest first.",
    ),
    (
        {"sort_done": False},
        "your finished hypotheses are not best first: sort them by score, highest "
        "first.",
    ),
    (
        {"width": 1},
        "your beam holds k + 1 prefixes; it holds k (fewer only when there are "
        "not k candidates that are not EOS).",
    ),
    (
        {"width": -1},
        "your beam holds k - 1 prefixes; it holds k (fewer only when there are "
        "not k candidates that are not EOS).",
    ),
    (
        {"done_score": "token"},
        "a finished hypothesis's score is only log p(EOS) in yours; it is its "
        "prefix's score plus that: scores[i] + log_probs[i, eos].",
    ),
]
