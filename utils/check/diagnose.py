"""Comparing a student's values with the answer, naming the mistake that reproduces
them, and the message when none does: which output and element are off, by how much.
"""

import itertools

import numpy as np

from .. import cells
from .harness import Fail

_TOL = {np.dtype(np.float64): (1e-7, 1e-9), np.dtype(np.float32): (1e-4, 1e-5)}


def close(a, b):
    """Whether a equals b in shape and, within b's dtype's tolerance, in value."""
    rtol, atol = _TOL[np.dtype(b.dtype)]
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def diagnose(student, candidates, compute):
    """The hint of the mistake (or pair of mistakes) that reproduces the student's
    output, or None. candidates: [(kwargs for compute, hint)].

    A guess must be unambiguous: when mistakes with different hints all reproduce
    the output on this case, none is named as the mistake; up to three are offered
    as "one of these", more give None."""
    hints = _matching_hints(student, candidates, compute)
    if len(hints) == 1:
        return hints[0]
    if 1 < len(hints) <= 3 and not any(h.startswith("two mistakes") for h in hints):
        listed = "".join(f"\n  {i}. {h}" for i, h in enumerate(hints, 1))
        return (
            "one of these mistakes explains it (on this hidden case they give the "
            f"same numbers):{listed}"
        )
    return None


def _matching_hints(student, candidates, compute):
    """The distinct hints of the single mistakes that reproduce the student's
    output; if there are none, of the pairs of mistakes that do."""

    def matches(kwargs):
        try:
            with np.errstate(all="ignore"):
                out = compute(kwargs)
        except (ValueError, IndexError):  # e.g. a transposed weight that cannot fit
            return False
        outs = out if isinstance(out, tuple) else (out,)
        return all(
            close(s, np.asarray(o, dtype=s.dtype))
            for s, o in zip(student, outs, strict=False)
        )

    single = [hint for kwargs, hint in candidates if matches(kwargs)]
    if single:
        return list(dict.fromkeys(single))
    pairs = {}
    for (kw1, hint1), (kw2, hint2) in itertools.combinations(candidates, 2):
        key = frozenset((hint1, hint2))
        if key not in pairs and not set(kw1) & set(kw2) and matches({**kw1, **kw2}):
            pairs[key] = (
                f"two mistakes together explain it.\n  1. {hint1}\n  2. {hint2}"
            )
    return list(pairs.values())


def wrong_values(name, label, err, hint, fallback, outputs=None):
    """The failure of wrong values. outputs: optional [(name of an output, the
    student's array, the expected one)], in the order returned; when no known
    mistake explains the result (hint None), the message says which output and
    element are off and by how much, before the fallback's where to look."""
    where = _where_wrong(outputs) if hint is None and outputs else ""
    return Fail(
        f"{name} gives wrong values on the hidden case {label} (largest error "
        f"{err:.3g}).{where}\nHint: {hint or fallback}"
    )


def _where_wrong(outputs):
    """'\\n  h_next[2, 1] is 0.31 where the answer is 0.56 (...)' for the first
    wrong output, at its largest error, and which other outputs are right."""
    wrong, right = [], []
    for what, s, r in outputs:
        s, r = np.asarray(s), np.asarray(r)
        (right if s.shape == r.shape and close(s, r) else wrong).append((what, s, r))
    if not wrong:
        return ""
    what, s, r = wrong[0]
    if s.shape != r.shape:
        return f"\n  {what} has shape {s.shape}, expected {r.shape}."
    rtol, atol = _TOL[np.dtype(r.dtype)] if r.dtype in _TOL else (1e-7, 1e-9)
    with np.errstate(all="ignore"):
        diff = np.abs(s.astype(np.float64) - r.astype(np.float64))
        off = ~np.isclose(s, r, rtol=rtol, atol=atol)
    flat = int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)))
    index = np.unravel_index(flat, s.shape) if s.ndim else ()
    at = f"[{', '.join(str(int(i)) for i in index)}]" if index else ""
    yours, answer = s.flat[flat], r.flat[flat]
    by = yours - answer
    text = (
        f"\n  {what}{at} is {yours:.6g} where the answer is {answer:.6g} (off by "
        f"{by:+.3g})"
    )
    if s.size > 1:
        text += f"; {int(off.sum())} of its {s.size} entries are off"
    others = [w for w, _, _ in wrong[1:]]
    if others:
        text += f"; also wrong: {', '.join(others)}"
    if right:
        text += f"; right: {', '.join(w for w, _, _ in right)}"
    return text + "."


def flat_grads(dx_like, dparams):
    """(*dx_like, *dparams in PARAM_KEYS order): a backward pass's results as one
    tuple of arrays."""
    return (*dx_like, *(dparams[k] for k in cells.PARAM_KEYS))


def named_outputs(names, student, reference):
    """flat_grads's results as wrong_values's outputs: [(name, student's,
    expected)]; names: the leading results' names, the parameter gradients follow
    in PARAM_KEYS order."""
    names = [*names, *(f"dparams[{k!r}]" for k in cells.PARAM_KEYS)]
    return list(zip(names, student, reference, strict=True))


def parts_hint(student, reference, names, batch):
    """When only some results of a backward pass are wrong, say which (and spot a
    bias gradient averaged instead of summed). names: the leading results' names;
    the parameter gradients follow in PARAM_KEYS order. -> hint or None."""
    names = [*names, *(f"dparams[{k!r}]" for k in cells.PARAM_KEYS)]
    wrong = [
        n for n, s, r in zip(names, student, reference, strict=True) if not close(s, r)
    ]
    if not wrong or len(wrong) == len(names):
        return None
    biases = [n for n in wrong if "bias" in n]
    if biases == wrong and all(
        close(s * batch, r)
        for n, s, r in zip(names, student, reference, strict=True)
        if n in wrong
    ):
        return (
            "the bias gradients are means over the batch; the loss adds up the "
            "batch, so sum: db = da.sum(axis=0)."
        )
    verb = "is" if len(wrong) == 1 else "are"
    return f"only {', '.join(wrong)} {verb} wrong; everything else matches. " + (
        "A bias receives the batch sum of the gradient of the pre-activation "
        "it is added to, times anything that multiplies it on the way (for "
        "the GRU's b_hn, the reset gate r)."
        if biases == wrong
        else "Follow that result's own path back through the step."
    )


def compare_all(student, reference):
    """Whether every array of student is close to its reference."""
    return all(close(s, r) for s, r in zip(student, reference, strict=True))


def max_err(student, reference):
    """The largest absolute difference over all the pairs of arrays."""
    return max(
        float(np.abs(s - r).max()) for s, r in zip(student, reference, strict=True)
    )
