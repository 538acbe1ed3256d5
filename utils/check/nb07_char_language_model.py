"""Checks of notebooks/07_char_language_model.ipynb: exercise 7.1 (softmax with a
temperature), 7.2 (bits per character) and 7.3 (the unit that tracks line
breaks). The mistakes of 7.1 and 7.2 are in nb07_mistakes.py.
"""

import numpy as np

from .. import charlm
from .calling import call_student
from .diagnose import close, max_err, wrong_values
from .harness import Fail, exercise, report
from .nb07_mistakes import (
    bits_per_char_mistakes,
    log2_softmax_at,
    softmax_temperature_mistakes,
)
from .values import check_array


def _softmax_cases():
    # square first: a sum or max without keepdims then gives wrong values (with
    # its hint) rather than a broadcast error
    square = 3 * np.random.default_rng(700).standard_normal((5, 5))
    yield "float64, 5 rows of 5, temperature 0.5", square, 0.5
    rng = np.random.default_rng(701)
    yield "float64, 4 rows of 7, temperature 1", 3 * rng.standard_normal((4, 7)), 1.0
    yield "float64, 3 rows of 5, temperature 0.5", 3 * rng.standard_normal((3, 5)), 0.5
    z = (3 * rng.standard_normal((2, 6))).astype(np.float32)
    yield "float32, 2 rows of 6, temperature 2", z, 2.0
    # 3-D before 1-D: an axis=1 written for 2-D logits shows as wrong values here
    z3 = 2 * np.random.default_rng(706).standard_normal((2, 3, 5))
    yield "float64, (2, 3, 5) logits, temperature 0.8", z3, 0.8
    yield "float64, one row of 9, temperature 0.7", rng.standard_normal(9), 0.7
    big = np.array([[900.0, 1000.0, -50.0, 0.0], [0.0, 10.0, 20.0, 30.0]])
    yield "float64, logits up to 1000, temperature 0.1", big, 0.1
    # logits / temperature up to 2000: exp overflows float32 above about 88
    big32 = np.array([[100, 95, -100, 0], [0, 1, 2, 3], [-5, 5, 2, 80]], np.float32)
    yield "float32, logits up to 100, temperature 0.05", big32, 0.05


_EXP_OVERFLOW = (
    "Hint: np.exp overflows above about 709 (float64) or 88 (float32), and "
    "logits / temperature gets large at low temperatures. Subtract each row's "
    "largest value first: softmax is unchanged when every entry of a row moves by "
    "the same amount, and then exp is at most 1."
)


@exercise
def softmax_temperature(fn):
    """Exercise 7.1: softmax_temperature(logits, temperature) -> probabilities over
    the last axis of logits / temperature."""
    name, labels = "softmax_temperature", []
    for label, z, T in _softmax_cases():
        result, caught = call_student(
            fn, name, (("logits", z), ("temperature", T)), {}, label
        )
        if caught:
            raise Fail(
                f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
                + _EXP_OVERFLOW
            )
        result = check_array(result, name, "the probabilities", z.shape, z.dtype, label)
        ref = charlm.softmax_temperature(z, T)
        if not close(result, ref):
            hint = None
            for variant, text in softmax_temperature_mistakes():
                try:
                    with np.errstate(all="ignore"):
                        guess = variant(z.astype(np.float64), T)
                except (ValueError, IndexError):  # cannot happen on this shape
                    continue
                if guess.shape == ref.shape and close(result, guess.astype(z.dtype)):
                    hint = text
                    break
            sums = result.sum(axis=-1)
            if hint is None and not np.allclose(sums, 1, rtol=0, atol=1e-3):
                row = np.unravel_index(np.abs(sums - 1).argmax(), sums.shape)
                hint = (
                    f"your probabilities do not sum to 1 over the last axis (row "
                    f"{tuple(int(r) for r in row)} sums to {float(sums[row]):.4g}): "
                    "divide the exponentials by their sum over that axis, after "
                    "every other step."
                )
            raise wrong_values(
                name,
                label,
                max_err((result,), (ref,)),
                hint,
                "divide the logits by the temperature, subtract each row's maximum, "
                "exponentiate and divide by the row's sum (axis=-1, keepdims=True).",
                [("the probabilities", result, ref)],
            )
        labels.append(label)
    report(name, labels)


def _bpc_cases():
    rng = np.random.default_rng(702)
    yield "float64, 20 characters, vocabulary 7", 3 * rng.standard_normal((20, 7)), 7
    z = (2 * rng.standard_normal((13, 5))).astype(np.float32)
    yield "float32, 13 characters, vocabulary 5", z, 5
    big = np.array([[1000.0, 0, -1000], [0, 800, 0], [-900, 0, 900], [5, 5, 5]])
    yield "float64, logits up to 1000", big, 3
    # exp(100) overflows float32 (above about 88); rows of 4 with N = 6 != V
    big32 = 100 * np.random.default_rng(707).uniform(-1, 1, (6, 4))
    yield "float32, logits up to 100", big32.astype(np.float32), 4


@exercise
def bits_per_char(fn):
    """Exercise 7.2: bits_per_char(logits (N, V), targets (N,)) -> the mean of
    -log2 softmax(logits[n])[targets[n]]."""
    name, labels = "bits_per_char", []
    for i, (label, z, V) in enumerate(_bpc_cases()):
        y = np.random.default_rng(703 + i).integers(0, V, len(z))
        y[0] = z[0].argmin()  # a surprise, so that the argmax mistake shows
        result, caught = call_student(
            fn, name, (("logits", z), ("targets", y)), {}, label
        )
        if caught:
            raise Fail(
                f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
                "Hint: compute log-probabilities as z - log(sum(exp(z))) with z = "
                "logits minus each row's maximum (the log-sum-exp trick): exp then "
                "never overflows and log never sees 0."
            )
        if isinstance(result, np.ndarray) and result.ndim == 1:
            raise Fail(
                f"{name} returned an array of shape {result.shape} on {label}; return "
                "one number, the mean over the characters."
            )
        try:
            value = float(result)
        except (TypeError, ValueError):
            raise Fail(
                f"{name} returned {type(result).__name__}; return a number."
            ) from None
        zz = z.astype(np.float64)
        ref = float(-log2_softmax_at(zz, y).mean())
        tol = 1e-6 if z.dtype == np.float64 else 1e-4
        if not np.isfinite(value) or not np.isclose(value, ref, rtol=tol, atol=tol):
            hint = None
            for variant, text in bits_per_char_mistakes():
                try:
                    with np.errstate(all="ignore"):
                        guess = float(variant(zz, y))
                except (ValueError, IndexError):  # cannot happen on this shape
                    continue
                if np.isfinite(value) and np.isclose(value, guess, rtol=tol, atol=tol):
                    hint = text
                    break
            raise Fail(
                f"{name} gives {value:.6g} on the hidden case {label}; the answer is "
                f"{ref:.6g}.\nHint: "
                + (
                    hint
                    or "log-softmax each row, pick the entry of the true next "
                    "character, negate, average, and divide by ln 2."
                )
            )
        labels.append(label)
    report(name, labels)


_LINE_TEXT = (
    "PROSPERO:\nNow does my project gather to a head:\nMy charms crack not; my "
    "spirits obey; and time\nGoes upright with his carriage. How's the day?\n\n"
    "ARIEL:\nOn the sixth hour; at which time, my lord,\nYou said our work should "
    "cease.\n\nPROSPERO:\nI did say so,\nWhen first I raised the tempest.\n"
)


def _line_cell_cases():
    """(label, states, text, answer, {mistake: the cell it picks})."""
    text = _LINE_TEXT
    N = len(text)
    pos = charlm.line_position(text)
    t = np.arange(N, dtype=float)
    newline = np.array([c == "\n" for c in text], dtype=float)
    # the position recorded after the counter moved: 0 at the newline, then 1, 2..
    late = np.empty(N)
    late[0] = 0 if text[0] == "\n" else 1
    for t in range(1, N):
        late[t] = 0 if text[t] == "\n" else late[t - 1] + 1
    for H, seed in ((12, 704), (9, 705)):
        rng = np.random.default_rng(seed)
        states = 0.3 * rng.standard_normal((N, H))
        cells_ = rng.permutation(H)[:7]
        answer, positive, covariance, indicator, running, shifted, skipping = (
            int(c) for c in cells_
        )
        states[:, answer] = -pos / pos.max() + 0.05 * rng.standard_normal(N)
        states[:, positive] = 0.6 * pos / pos.max() + 0.2 * rng.standard_normal(N)
        states[:, covariance] = 40 * (0.2 * pos / pos.max() + rng.standard_normal(N))
        states[:, indicator] = newline + 0.05 * rng.standard_normal(N)
        states[:, running] = t / N + 0.02 * rng.standard_normal(N)
        # follows the off-by-one position: wins only for a counter off at newlines
        states[:, shifted] = -late / late.max() + 0.05 * rng.standard_normal(N)
        # follows the position closely except at the newlines themselves, where it
        # is far off: wins only when the newline characters are left out
        close = -pos / pos.max() + 0.01 * rng.standard_normal(N)
        states[:, skipping] = np.where(newline == 1, 0.5, close)
        picks = {
            "no_abs": positive,
            "covariance": covariance,
            "newline": indicator,
            "no_reset": running,
            "late": shifted,
            "skip_newlines": skipping,
        }
        yield f"{N} characters, H = {H}", states, text, answer, picks


_LINE_HINTS = {
    "no_abs": "you took the largest correlation, not the largest in absolute value; "
    "a cell that falls along the line (correlation near -1) tracks it as well as one "
    "that rises: use np.abs.",
    "covariance": "you compared covariances; a cell with large values wins them "
    "without following the line. Normalise: the correlation divides by both "
    "standard deviations (np.corrcoef, or standardise the columns first).",
    "newline": "you correlated with whether the character is a newline; the target "
    "is the position within the line: 0 after each newline, then 1, 2, ...",
    "no_reset": "your position never goes back to 0: it counts from the start of the "
    "text. Reset it after each newline.",
    "late": "your position is off by one at the newline: you chose the unit that "
    "follows a count which is 0 at the newline itself. The newline ends its line, "
    "so it takes the next position of that line ('ab\\n' is 0, 1, 2) and the "
    "character after it is 0: record each character's position before you move "
    "the counter.",
    "skip_newlines": "you left the newline characters out (of the positions or of "
    "the correlation); you chose a unit that follows the position everywhere "
    "except at the newlines. Every character counts, the newline too: it ends its "
    "line ('ab\\n' is 0, 1, 2).",
}


@exercise
def line_position_cell(fn):
    """Exercise 7.3: line_position_cell(states (N, H), text) -> the index of the unit
    whose state correlates most strongly, in absolute value, with each character's
    position within its line."""
    name, labels = "line_position_cell", []
    for label, states, text, answer, picks in _line_cell_cases():
        result, _ = call_student(
            fn, name, (("states", states), ("text", text)), {}, label
        )
        if isinstance(result, bool) or not isinstance(result, (int, np.integer)):
            raise Fail(
                f"{name} returned {type(result).__name__} "
                f"{np.asarray(result).ravel()[:3]}...; return one integer, the "
                "index of the unit (np.argmax gives it; int(...) makes it an int)."
                if isinstance(result, np.ndarray)
                else f"{name} returned {result!r}; return one integer index."
            )
        H = states.shape[1]
        if not 0 <= int(result) < H:
            itself = (
                " If you took np.argmax of a row of np.corrcoef(states.T, position), "
                "its last entry is the position's correlation with itself (always "
                "1): leave it out, e.g. np.corrcoef(states.T, position)[-1, :-1]."
                if int(result) == H
                else " (A negative index counts from the end in Python, but the "
                "check wants the index itself.)"
            )
            raise Fail(
                f"{name} returned {int(result)} on the hidden case {label}: that is "
                f"not the index of a unit; states has H = {H} units, numbered 0 to "
                f"{H - 1}.{itself}"
            )
        if int(result) != answer:
            hint = next(
                (_LINE_HINTS[k] for k, cell in picks.items() if cell == int(result)),
                "for each unit, correlate its column of states with the positions "
                "(np.corrcoef) and return the index of the largest absolute value.",
            )
            raise Fail(
                f"{name} returned unit {int(result)} on the hidden case {label}; the "
                f"unit that tracks the line position is another.\nHint: {hint}"
            )
        labels.append(label)
    report(name, labels)
