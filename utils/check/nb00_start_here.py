"""Checks of notebooks/00_start_here.ipynb: exercise 0.1 (a stable sigmoid) and
0.2 (its derivative), with the mistakes they recognise.
"""

import numpy as np

from .. import cells
from .calling import call_student
from .harness import Fail, exercise, report
from .values import check_array


def _activation_cases():
    rng = np.random.default_rng(0)
    # -600 (float64), -87 and -80 (float32): tiny results, where full relative
    # precision is asked for (down to the atol of stable_sigmoid).
    wide = [-1000, -750, -700, -600, -50, -20, -1, -1e-8, 0, 1e-8, 1, 20, 50]
    wide += [700, 750, 1000]
    narrow = [-1000, -100, -89, -87, -80, -50, -10, 0, 10, 89, 100, 1000]
    return [
        ("float64 values from -1000 to 1000", np.array(wide, dtype=np.float64)),
        ("float32 values from -1000 to 1000", np.array(narrow, dtype=np.float32)),
        ("a (3, 4) float64 array", 10 * rng.standard_normal((3, 4))),
        ("a 0-d float64 array", np.array(-3.0)),
    ]


def _overflow_hint(name, caught, label):
    return Fail(
        f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
        "Hint: np.exp(-a) overflows for large negative a (above about 709 in "
        "float64 and 88 in float32). Compute e = np.exp(-np.abs(a)), which is at "
        "most 1, and use 1 / (1 + e) where a >= 0 and e / (1 + e) where a < 0. "
        "Note that np.where(cond, A, B) computes both A and B for every element, so "
        "an overflowing expression inside it still warns."
    )


def _elementwise(fn, name, reference, variants, tol64, tol32, explain=None):
    """Check an elementwise function on the activation cases.

    tol64, tol32: (rtol, atol) for float64 and float32 inputs; variants: [(wrong
    function, hint)]; explain(a, result, ref, i) may return a hint for the first
    wrong element i when no variant matches.
    """
    labels = []
    for label, a in _activation_cases():
        result, caught = call_student(fn, name, (("a", a),), {}, label)
        if caught:
            raise _overflow_hint(name, caught, label)
        if isinstance(result, (float, np.generic)) and a.ndim == 0:
            result = np.asarray(result)  # a numpy scalar is fine for a 0-d input
        result = check_array(result, name, "the result", a.shape, a.dtype, label)
        with np.errstate(all="ignore"):
            ref = reference(a)
        tol = tol64 if a.dtype == np.float64 else tol32
        if not np.allclose(result, ref, rtol=tol[0], atol=tol[1]):
            bad = np.argmax(~np.isclose(result, ref, rtol=tol[0], atol=tol[1]))
            where = (
                f" At a = {a.flat[bad]:g} you return {result.flat[bad]:.6g}, "
                f"the answer is {ref.flat[bad]:.6g}."
            )
            hint = None
            for variant, text in variants:
                with np.errstate(all="ignore"):
                    v = variant(a)
                if np.allclose(result, v, rtol=tol[0], atol=tol[1], equal_nan=True):
                    hint = text
                    break
            if hint is None and explain is not None:
                hint = explain(a.ravel(), result.ravel(), ref.ravel(), bad)
            raise Fail(
                f"{name} gives wrong values on {label}.{where}\n"
                f"Hint: {hint or 'compare your formula with the derivation.'}"
            )
        labels.append(label)
    report(name, labels)


def _cancellation(a, result, ref, i):
    if a[i] < 0 and result[i] == 0 and ref[i] > 0:
        return (
            "for negative a your formula subtracts two numbers that are both "
            "almost 1 (as in 1 - sigmoid(-a) or 0.5 * (1 + tanh(a / 2))), which "
            "cancels to exactly 0: sigmoid(-50) is about 2e-22, but "
            "1 - sigmoid(50) is 0 in float64. Use exp(a) / (1 + exp(a)) there: "
            "exp(a) is small and exact."
        )
    return None


@exercise
def stable_sigmoid(fn):
    """Exercise 0.1: sigmoid(a) = 1 / (1 + exp(-a)) without overflow, any shape."""
    _elementwise(
        fn,
        "stable_sigmoid",
        cells.sigmoid,
        [
            (
                lambda a: cells.sigmoid(-a),
                "the sign is flipped: sigmoid(a) = 1 / (1 + exp(-a)) goes to 1 "
                "for large a.",
            ),
            (
                lambda a: np.exp(-a) / (1 + np.exp(-a)),
                "that is exp(-a) / (1 + exp(-a)) = 1 - sigmoid(a); swap the two "
                "branches.",
            ),
        ]
        + [
            (
                lambda a, L=limit: cells.sigmoid(np.clip(a, -L, L)),
                f"you clip a to [-{limit}, {limit}], which flattens the tails: "
                f"sigmoid(-{limit}) = {cells.sigmoid(-float(limit)):.1e} is not "
                f"sigmoid(a) for a < -{limit}, which is smaller (tiny results must "
                "keep their relative precision). Clip only far out, just short of "
                "where exp overflows (700 in float64, 80 in float32), or, better, "
                "take exp only of -|a|.",
            )
            for limit in (5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 70, 75)
            + (100, 200, 300, 400, 500, 600, 650, 690)
        ],
        # atol: results below it may be lost (a clip at 700 in float64 or at 80 in
        # float32 is fine); above it, relative precision is asked for.
        tol64=(1e-12, 1e-300),
        tol32=(1e-6, 1e-34),
        explain=_cancellation,
    )


def _factor_or_approximation(a, result, ref, i):
    """sigmoid_grad: a result off by one constant factor, or only slightly off."""
    with np.errstate(all="ignore"):
        big = ref > 1e-3
        ratio = result[big] / ref[big]
    if (
        big.sum() >= 2
        and np.allclose(ratio, ratio[0], rtol=1e-6)
        and abs(ratio[0] - 1) > 1e-3
    ):
        return (
            f"your result is {ratio[0]:.6g} times the derivative everywhere: a "
            "constant factor is off. sigmoid'(a) = sigmoid(a) * (1 - sigmoid(a))."
        )
    if np.allclose(result, ref, rtol=1e-3, atol=1e-6):
        return (
            "your values are close to the derivative but not exact: a finite "
            "difference (sigmoid(a + h) - sigmoid(a - h)) / 2h only approximates "
            "it. The identity sigmoid'(a) = sigmoid(a) * (1 - sigmoid(a)) is exact."
        )
    return None


@exercise
def sigmoid_grad(fn):
    """Exercise 0.2: the derivative sigmoid'(a) = sigmoid(a) (1 - sigmoid(a))."""
    s = cells.sigmoid
    _elementwise(
        fn,
        "sigmoid_grad",
        lambda a: s(a) * s(-a),
        [
            (
                lambda a: 1 - s(a) ** 2,
                "1 - sigmoid(a)^2 is the pattern of tanh' = 1 - tanh^2; for the "
                "sigmoid it is sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: s(a) * (1 + s(a)),
                "a sign slipped: sigmoid' = sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (s, "you returned sigmoid(a) itself, not its derivative."),
            (
                lambda a: 1 - np.tanh(a) ** 2,
                "1 - tanh(a)^2 is tanh's derivative; the sigmoid's is "
                "sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: s(a) ** 2,
                "you squared sigmoid(a); the derivative is "
                "sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: s(a) * s(-a) / 2,
                "there is no factor 1/2: the derivative is "
                "sigmoid(a) * (1 - sigmoid(a)) (1/2 belongs to tanh(a/2) forms).",
            ),
            (
                lambda a: -s(a) * s(-a),
                "the sign is flipped: the sigmoid rises everywhere, so its "
                "derivative sigmoid(a) * (1 - sigmoid(a)) is positive.",
            ),
            (
                lambda a: 1 - s(a),
                "you returned 1 - sigmoid(a); multiply it by sigmoid(a).",
            ),
            (
                lambda a: 4 * s(a) * s(-a),
                "your result is 4 times the derivative: 1 - tanh(a/2)^2 is "
                "4 sigmoid'(a), so sigmoid'(a) = (1 - tanh(a/2)^2) / 4 = "
                "sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: 2 * s(a) * s(-a),
                "your result is 2 times the derivative: sigmoid'(a) = "
                "sigmoid(a) * (1 - sigmoid(a)) = (1 - tanh(a/2)^2) / 4.",
            ),
        ]
        + [
            (
                lambda a, L=limit: s(np.clip(a, -L, L)) * s(-np.clip(a, -L, L)),
                f"your sigmoid clips a to [-{limit}, {limit}]: beyond it the "
                f"derivative stays at sigmoid'({limit}) = "
                f"{float(s(limit) * s(-limit)):.1e} instead of going to 0. Use your "
                "stable_sigmoid, which takes exp only of -|a|.",
            )
            for limit in (5, 6, 8, 10, 15, 20, 30, 40, 50)
        ],
        tol64=(1e-9, 1e-15),
        tol32=(1e-5, 1e-6),
        explain=_factor_or_approximation,
    )  # s * (1 - s) loses digits in float32
