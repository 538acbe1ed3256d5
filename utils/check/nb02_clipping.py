"""Check of notebooks/02_backprop_through_time.ipynb's exercise 2.3 (clipping by the
global norm), with the mistakes it recognises: each a variant of the function the
notebook teaches, utils.training.clip_grad_norm.
"""

import numpy as np

from .. import cells, training
from .calling import call_student
from .diagnose import close
from .harness import Fail, exercise, report
from .values import check_dparams, check_tuple


def global_norm(grads):
    """The norm over all the arrays of grads together, the squares summed in
    float64 as the reference training.clip_grad_norm sums them."""
    squares = (np.sum(np.square(g, dtype=np.float64)) for g in grads.values())
    return float(np.sqrt(sum(squares)))


def clip_variant(grads, max_norm, how="global"):
    """training.clip_grad_norm, the function notebook 02 teaches, with the given
    mistake -> (clipped, norm).

    how='global' is clip_grad_norm itself; the mistakes compute the norm as it does
    (global_norm), except how='native', which sums the squares in the arrays' own
    dtype, where float32 squares can overflow. (They do not call clip_grad_norm,
    which is unavailable while a student's function runs.)
    """
    if how == "global":
        return training.clip_grad_norm(grads, max_norm)
    norm = global_norm(grads)
    if how == "native":
        norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
        scale = max_norm / norm if norm > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "never":
        return dict(grads), norm
    if how == "reversed":  # scales up when below max_norm
        scale = max_norm / norm if norm < max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "inverted":
        scale = norm / max_norm if norm > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "squared_test":  # the squared norm compared with max_norm
        scale = max_norm / norm if norm**2 > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "squared":  # no square root at all
        sq = norm**2
        scale = max_norm / sq if sq > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, sq
    if how == "per_array":
        out = {}
        for k, g in grads.items():
            n = np.linalg.norm(g.astype(np.float64))
            out[k] = g * (max_norm / n) if n > max_norm else g
        return out, norm
    if how == "always":
        return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
    if how == "max_abs":
        top = max(np.abs(g).max() for g in grads.values())
        scale = max_norm / top if top > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, norm
    if how == "norm_after":
        scale = max_norm / norm if norm > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, min(norm, max_norm)
    if how == "sum_of_norms":
        total = float(sum(np.linalg.norm(g.astype(np.float64)) for g in grads.values()))
        scale = max_norm / total if total > max_norm else 1.0
        return {k: g * scale for k, g in grads.items()}, total
    raise ValueError(f"no clipping mistake {how!r}")


def clip_mistakes():
    """[(kwargs for clip_variant, hint)]."""
    return [
        (
            {"how": "per_array"},
            "you clipped each array by its own norm; clipping by "
            "norm uses one global norm over all the gradients, so that their direction "
            "is kept: scale every array by max_norm / total_norm.",
        ),
        (
            {"how": "always"},
            "you rescale even when the norm is below max_norm; only "
            "a norm above max_norm is scaled down, smaller gradients pass unchanged.",
        ),
        (
            {"how": "max_abs"},
            "you used the largest absolute entry; the norm is the "
            "square root of the sum of squares of all entries of all arrays.",
        ),
        (
            {"how": "norm_after"},
            "return the norm before clipping (it is what a "
            "training loop logs to see explosions), not after.",
        ),
        (
            {"how": "sum_of_norms"},
            "you added the arrays' norms; the global norm is "
            "sqrt(sum of the squared norms).",
        ),
        (
            {"how": "never"},
            "the norm is above max_norm, yet every array came back unscaled: "
            "multiply every array by the same factor max_norm / total_norm.",
        ),
        (
            {"how": "reversed"},
            "the condition is the wrong way round: you rescale when total_norm "
            "is below max_norm (scaling small gradients up) and leave large ones "
            "as they are; clip only when total_norm > max_norm.",
        ),
        (
            {"how": "inverted"},
            "the factor is max_norm / total_norm, not total_norm / max_norm "
            "(which makes large gradients larger still).",
        ),
        (
            {"how": "squared_test"},
            "you compare the squared norm (the sum of squares) with max_norm; "
            "compare the norm itself, or the squares with max_norm ** 2.",
        ),
        (
            {"how": "squared"},
            "your total_norm is the sum of squares: the norm is its square "
            "root, np.sqrt(sum of squares).",
        ),
        (
            {"how": "native"},
            "your norm is computed in float32, where the squares of large "
            "gradients overflow (1e20 squared is 1e40, above float32's 3.4e38) and "
            "the norm becomes inf; sum the squares in float64: "
            "np.sum(g.astype(np.float64) ** 2).",
        ),
    ]


def _clip_grads(rng, dtype, scale=1.0, norms=None):
    """Random gradients of the clip cases; norms: each array's exact norm."""
    shapes = cells.param_shapes("lstm", 3, 2)  # (8, 3), (8, 2), (8,), (8,)
    grads = {k: scale * rng.standard_normal(s) for k, s in shapes.items()}
    if norms is not None:
        pairs = zip(grads.items(), norms, strict=True)
        grads = {k: g * (n / np.linalg.norm(g)) for (k, g), n in pairs}
    return {k: g.astype(dtype) for k, g in grads.items()}


def _clip_case(grads, max_norm, what):
    norm = global_norm(grads)
    word = "above" if norm > max_norm else "below" if norm < max_norm else "equal to"
    dtype = next(iter(grads.values())).dtype
    label = f"{dtype.name}, norm {norm:.6g} {word} max_norm {max_norm:g}"
    return (label + (f" ({what})" if what else ""), grads, max_norm)


def _clip_cases():
    """Both sides of the threshold, near it and at it, where the squared norm and
    the norm fall on different sides of max_norm, and float32 squares that
    overflow. The first case is below max_norm, so that a mistake that only
    shows above it is told apart from one that only shows below."""
    first = _clip_grads(np.random.default_rng(204), np.float64, 0.05)
    cases = [_clip_case(first, 1.0, "")]
    rng = np.random.default_rng(203)
    for scale, max_norm, dtype in (
        (3.0, 1.0, np.float64),
        (0.05, 1.0, np.float64),
        (10.0, 5.0, np.float32),
        (1.0, 0.5, np.float64),
    ):
        cases.append(_clip_case(_clip_grads(rng, dtype, scale), max_norm, ""))
    rng = np.random.default_rng(205)
    f64 = np.float64
    for norms, max_norm, what in (
        ((1.01,) * 4, 2.0, "just above, while every array's norm is below it"),
        ((2.0, 1.5, 1.2, 1.0), 3.0, "just below"),
        ((2.4, 1.2, 0.9, 0.6), 4.0, "where the squared norm is above max_norm"),
        ((0.3, 0.2, 0.1, 0.1), 0.25, "where the squared norm is below max_norm"),
    ):
        grads = _clip_grads(rng, f64, norms=norms)
        cases.append(_clip_case(grads, max_norm, what))
    grads = _clip_grads(rng, f64)
    cases.append(_clip_case(grads, global_norm(grads), ""))
    cases.append(_clip_case(_clip_grads(rng, np.float32, 0.05), 1.0, ""))
    cases.append(
        _clip_case(
            _clip_grads(rng, np.float32, 1e20),
            1.0,
            "values of 1e20, whose squares overflow float32",
        )
    )
    yield from cases


def _clip_close(a, b):
    rtol = 2e-5 if np.dtype(b.dtype) == np.float64 else 1e-4
    with np.errstate(all="ignore"):
        return a.shape == b.shape and np.allclose(
            a, b, rtol=rtol, atol=1e-9 * float(np.abs(b).max(initial=0.0))
        )


def _clip_matches(student, grads, max_norm, kw):
    """Does the clip mistake kw reproduce (clipped, norm) on this case?"""
    with np.errstate(all="ignore"):
        out, n = clip_variant(grads, max_norm, **kw)
    clipped, norm = student
    same_norm = np.isclose(norm, n, rtol=1e-5) or (np.isinf(norm) and np.isinf(n))
    return same_norm and all(
        _clip_close(clipped[k], np.asarray(out[k], dtype=clipped[k].dtype))
        for k in grads
    )


def _clip_results(fn, name):
    """The student's (clipped, norm) on every clip case where it returns a valid
    one: [(result, grads, max_norm)]."""
    out = []
    for label, grads, max_norm in _clip_cases():
        args = (("grads", grads), ("max_norm", max_norm))
        try:
            with np.errstate(all="ignore"):
                result, _ = call_student(fn, name, args, {}, label)
            clipped, norm = result
            clipped = {k: np.asarray(clipped[k]) for k in grads}
            if all(clipped[k].shape == g.shape for k, g in grads.items()):
                out.append(((clipped, float(norm)), grads, max_norm))
        except Exception:  # noqa: BLE001 - a case it fails on says nothing here
            continue
    return out


def _clip_hint(fn, name, student, grads, max_norm):
    """The hint of the clip mistake that gives the student's result on this case;
    where several do, the one that also gives it on the most other cases (so that
    mistakes which agree on one case are told apart by another); None if none,
    or if that does not single one out."""
    found = [
        (kw, hint)
        for kw, hint in clip_mistakes()
        if _clip_matches(student, grads, max_norm, kw)
    ]
    if len({hint for _, hint in found}) > 1:
        others = _clip_results(fn, name)
        score = {
            hint: sum(_clip_matches(r, g, m, kw) for r, g, m in others)
            for kw, hint in found
        }
        best = max(score.values())
        found = [(kw, hint) for kw, hint in found if score[hint] == best]
    hints = {hint for _, hint in found}
    return hints.pop() if len(hints) == 1 else None


@exercise
def clip_by_norm(fn):
    """Exercise 2.3: clip_by_norm(grads, max_norm) -> (clipped dict, total_norm)."""
    name, labels = "clip_by_norm", []
    for label, grads, max_norm in _clip_cases():
        result, _ = call_student(
            fn, name, (("grads", grads), ("max_norm", max_norm)), {}, label
        )
        clipped, norm = check_tuple(result, name, 2, "(clipped, total_norm)")
        if isinstance(clipped, dict):
            bad = [
                k
                for k, v in clipped.items()
                if isinstance(v, np.ndarray)
                and np.issubdtype(v.dtype, np.floating)
                and not np.isfinite(v).all()
            ]
            if bad:
                raise Fail(
                    f"{name} returned inf or NaN in clipped[{bad[0]!r}] on the hidden "
                    f"case {label}. Did the norm overflow, or divide by 0?"
                )
        clipped = check_dparams(clipped, name, grads, label, what="clipped", of="grads")
        ref, ref_norm = training.clip_grad_norm(grads, max_norm)
        try:
            norm = float(norm)
        except (TypeError, ValueError):
            raise Fail(
                f"{name} returned {type(norm).__name__} for total_norm; return "
                "a number."
            ) from None
        if _clip_matches((clipped, norm), grads, max_norm, {}):
            labels.append(label)
            continue
        hint = _clip_hint(fn, name, (clipped, norm), grads, max_norm)
        unscaled = [
            k for k in grads if ref_norm > max_norm and close(clipped[k], grads[k])
        ]
        if hint is None and not np.isfinite(norm):
            hint = (
                "your total_norm is not finite: in float32 the squares of large "
                "gradients overflow (1e20 squared is 1e40, above float32's 3.4e38); "
                "sum the squares in float64: np.sum(g.astype(np.float64) ** 2)."
            )
        elif hint is None and np.isclose(norm, ref_norm**2, rtol=1e-5):
            hint = (
                "your total_norm is the sum of squares: the norm is its square "
                "root, np.sqrt(sum of squares)."
            )
        elif hint is None and unscaled:
            hint = (
                f"the norm is above max_norm, yet {', '.join(unscaled)} came "
                "back unscaled: every array is multiplied by the same factor "
                "max_norm / norm."
            )
        raise Fail(
            f"{name} is wrong on the hidden case {label} (total_norm: yours "
            f"{norm:.6g}, expected {ref_norm:.6g}).\nHint: "
            + (
                hint
                or "if the global norm exceeds max_norm, multiply every array "
                "by max_norm / norm; otherwise return the gradients unchanged."
            )
        )
    report(name, labels)
