"""Checks of notebooks/10_sequence_to_sequence.ipynb: exercise 10.1 (the negative
log-likelihood of padded output sequences and its gradient with respect to the
logits) and 10.2 (one step of beam search). The mistakes they recognise are in
nb10_mistakes.py.
"""

import numpy as np

from .calling import call_student
from .diagnose import close, diagnose, max_err, wrong_values
from .harness import Fail, exercise, report
from .nb10_mistakes import BEAM_MISTAKES, NLL_MISTAKES, beam_step_variant, nll_variant
from .values import check_array, check_tuple

# ------------------------------------------- exercise 10.1: sequence_nll


def _nll_cases():
    """(label, logits, targets, lengths): lengths differ within every batch (and
    are not all T), the padding's targets and logits are random."""
    shapes = (  # T, B, V, dtype, lengths, scale
        (6, 4, 5, np.float64, (6, 3, 1, 4), 2.0),
        (5, 3, 7, np.float64, (2, 5, 3), 2.0),
        (4, 5, 6, np.float32, (4, 1, 2, 3, 3), 2.0),
        (3, 2, 4, np.float64, (3, 2), 400.0),  # logits up to about 1000
        (4, 3, 5, np.float32, (2, 4, 1), 40.0),  # exp overflows float32 above 88
    )
    for n, (T, B, V, dtype, lengths, scale) in enumerate(shapes):
        rng = np.random.default_rng(1010 + n)
        logits = (scale * rng.standard_normal((T, B, V))).astype(dtype)
        targets = rng.integers(0, V, (T, B))
        size = "large logits, " if scale > 10 else ""
        label = (
            f"{np.dtype(dtype).name}, {size}T={T}, B={B}, V={V}, lengths "
            f"{list(lengths)}"
        )
        yield label, logits, targets, np.array(lengths)


_NLL_FALLBACK = (
    "-log p(y | x) of sequence b is the sum over its real steps t < lengths[b] of "
    "-log softmax(logits[t, b])[targets[t, b]]; the loss is the mean of that over "
    "the B sequences. Its gradient: (softmax(logits[t, b]) - onehot(targets[t, "
    "b])) / B on the real steps, 0 on the padding."
)


@exercise
def sequence_nll(fn):
    """Exercise 10.1: sequence_nll(logits (T, B, V), targets (T, B), lengths (B,))
    -> (loss, dlogits): the mean over the B sequences of -log p(y_b | x_b), the
    sum over the real steps t < lengths[b], and its gradient (T, B, V)."""
    name, labels = "sequence_nll", []
    for label, logits, targets, lengths in _nll_cases():
        args = (("logits", logits), ("targets", targets), ("lengths", lengths))
        result, caught = call_student(fn, name, args, {}, label)
        if caught:
            raise Fail(
                f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
                "Hint: take log-probabilities as z - log(sum(exp(z))) with z the "
                "logits minus their maximum over the last axis (the log-sum-exp "
                "trick of notebook 07): exp never overflows and log never sees 0."
            )
        loss, dlogits = check_tuple(result, name, 2, "(loss, dlogits)")
        if isinstance(loss, np.ndarray) and loss.size > 1:
            raise Fail(
                f"{name} returned a loss of shape {loss.shape} on {label}; return "
                "one number, the mean over the B sequences."
            )
        try:
            loss = float(loss)
        except (TypeError, ValueError):
            raise Fail(
                f"{name} returned {type(loss).__name__} as the loss; return a number."
            ) from None
        dtype = logits.dtype
        dlogits = check_array(dlogits, name, "dlogits", logits.shape, dtype, label)
        ref_loss, ref_d = nll_variant(logits, targets, lengths)
        student = (np.asarray(loss, dtype=dtype), dlogits)
        expected = (np.asarray(ref_loss, dtype=dtype), ref_d.astype(dtype))
        if np.isfinite(loss) and all(
            close(s, e) for s, e in zip(student, expected, strict=True)
        ):
            labels.append(label)
            continue

        def variant(kw, z=logits, y=targets, n=lengths):
            return nll_variant(z, y, n, **kw)

        hint = diagnose(student, NLL_MISTAKES, variant)
        outputs = [
            ("loss", student[0], expected[0]),
            ("dlogits", dlogits, expected[1]),
        ]
        raise wrong_values(
            name, label, max_err(student, expected), hint, _NLL_FALLBACK, outputs
        )
    report(name, labels)


# ----------------------------------------------- exercise 10.2: beam_step


def _beam_cases():
    """(label, scores, log_probs, k, eos). Between them: the first step (one
    prefix), an EOS candidate that is the best of all, EOS candidates above and
    below the k-th live one, a beam that cannot be filled, float32."""
    specs = (  # n, k, V, eos, dtype, the EOS column's boost, seed
        (3, 3, 7, 2, np.float64, 1.5, 1020),
        (1, 3, 6, 5, np.float64, 1.0, 1021),
        (4, 2, 10, 0, np.float32, 0.5, 1022),
        (3, 2, 5, 4, np.float64, 2.0, 1023),
        (1, 4, 3, 1, np.float64, 0.0, 1024),
        (2, 3, 8, 7, np.float32, 3.0, 1025),
    )
    for n, k, V, eos, dtype, boost, seed in specs:
        rng = np.random.default_rng(seed)
        z = 1.5 * rng.standard_normal((n, V))
        z[:, eos] += boost
        z -= z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        scores = -np.cumsum(rng.exponential(1.0, n))  # best first, all < 0
        if n == 1:
            scores = np.zeros(1)  # the first step: the empty prefix
        label = f"{np.dtype(dtype).name}, n={n} prefixes, k={k}, V={V}, eos={eos}"
        yield label, scores.astype(dtype), log_probs.astype(dtype), k, eos


_BEAM_FALLBACK = (
    "score every candidate scores[i] + log_probs[i, v]; go through them from the "
    "best; one whose token is eos joins the finished (parent i and its score), any "
    "other joins the new beam (parent i, token v, score), until the beam has k."
)


def _as_index(value, name, what, label):
    a = np.asarray(value)
    if a.ndim != 1:
        raise Fail(
            f"{name} returned {what} of shape {a.shape} on {label}; it is a 1-D "
            "array, one entry per hypothesis."
        )
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise Fail(
            f"{name} returned {what} as {a.dtype}; they are indices, so return "
            "integers (f // V and f % V of an integer f are integers; np.argsort "
            "returns integers)."
        )
    return a.astype(np.float64)  # compared as exact small integers


def _as_scores(value, name, what, label):
    a = np.asarray(value, dtype=np.float64)
    if a.ndim != 1:
        raise Fail(
            f"{name} returned {what} of shape {a.shape} on {label}; it is a 1-D "
            "array, one score per hypothesis."
        )
    return a


def _flat(result):
    (p, t, s), (dp, ds) = result
    return (
        np.asarray(p, np.float64),
        np.asarray(t, np.float64),
        np.asarray(s, np.float64),
        np.asarray(dp, np.float64),
        np.asarray(ds, np.float64),
    )


@exercise
def beam_step(fn):
    """Exercise 10.2: beam_step(scores (n,), log_probs (n, V), k, eos)
    -> ((parents, tokens, new_scores), (done_parents, done_scores))."""
    name, labels = "beam_step", []
    names = ("parents", "tokens", "new_scores", "done_parents", "done_scores")
    for label, scores, log_probs, k, eos in _beam_cases():
        args = (("scores", scores), ("log_probs", log_probs), ("k", k), ("eos", eos))
        result, _ = call_student(fn, name, args, {}, label)
        live, done = check_tuple(
            result,
            name,
            2,
            "a pair: ((parents, tokens, new_scores), (done_parents, done_scores))",
        )
        live = check_tuple(live, name, 3, "(parents, tokens, new_scores) first")
        done = check_tuple(done, name, 2, "(done_parents, done_scores) second")
        student = (
            _as_index(live[0], name, "parents", label),
            _as_index(live[1], name, "tokens", label),
            _as_scores(live[2], name, "new_scores", label),
            _as_index(done[0], name, "done_parents", label),
            _as_scores(done[1], name, "done_scores", label),
        )
        expected = _flat(beam_step_variant(scores, log_probs, k, eos))
        tol = 1e-9 if scores.dtype == np.float64 else 1e-5

        def same(a, b, tol=tol):
            return a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol)

        if all(same(s, e) for s, e in zip(student, expected, strict=True)):
            labels.append(label)
            continue

        def variant(kw, c=(scores, log_probs, k, eos)):
            return _flat(beam_step_variant(*c, **kw))

        hint = diagnose(student, BEAM_MISTAKES, variant)
        outputs = list(zip(names, student, expected, strict=True))
        both = [
            (s, e)
            for s, e in zip(student, expected, strict=True)
            if s.shape == e.shape and s.size
        ] or [(np.zeros(1), np.zeros(1))]
        err = max_err(*zip(*both, strict=True))
        raise wrong_values(name, label, err, hint, _BEAM_FALLBACK, outputs)
    report(name, labels)
