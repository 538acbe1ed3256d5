"""One hidden case of a step exercise of an LSTM-like cell, or of a step-backward
exercise: call the student's function, validate, compare, name the mistake.
Used by notebooks 02, 04, 05, 06 and 08.
"""

from .calling import call_student
from .cases import LARGE, LARGE_FALLBACK, finite
from .diagnose import (
    compare_all,
    diagnose,
    flat_grads,
    max_err,
    named_outputs,
    parts_hint,
    wrong_values,
)
from .values import check_array, check_dparams, check_tuple

BACKWARD_FALLBACK = (
    "none of the usual mistakes explains it. Go backwards through the forward "
    "pass: each forward operation y = f(u) sends back du = dy * f'(u), a product "
    "y = u @ W.T sends back du = dy @ W and dW = dy.T @ u."
)


def cell_step_case(fn, name, label, call, k, variant, catalogue, fallback):
    """One hidden case of an exercise step -> (h_next, c_next) of a k-block LSTM-like
    cell: call the student's function, validate, compare with variant(), the
    reference, and name the mistake with the catalogue of variant(**kwargs)."""
    B, H = call["h"].shape
    dtype = call["x"].dtype
    result, _ = call_student(fn, name, call, {}, label)
    h_next, c_next = check_tuple(result, name, 2, "(h_next, c_next)")
    finite(name, label, {"h_next": h_next, "c_next": c_next})
    student = (
        check_array(h_next, name, "h_next", (B, H), dtype, label, k=k),
        check_array(c_next, name, "c_next", (B, H), dtype, label, k=k),
    )
    ref = variant()
    if not compare_all(student, ref):
        hint = diagnose(student, catalogue, lambda kw: variant(**kw))
        if LARGE in label:  # right on the ordinary cases, wrong where they saturate
            fallback = LARGE_FALLBACK
        outputs = list(zip(("h_next", "c_next"), student, ref, strict=True))
        raise wrong_values(name, label, max_err(student, ref), hint, fallback, outputs)


def backward_case(
    fn,
    name,
    label,
    call,
    kwargs,
    shapes,
    params,
    reference,
    hints,
    fallback=BACKWARD_FALLBACK,
):
    """One hidden case of a step-backward exercise: call the student's function,
    validate what it returns, compare with the reference, name the mistake.

    shapes: {name of each returned gradient before dparams: its shape};
    reference: (tuple of those gradients, dparams) from utils.cells;
    hints: (catalogue of mistakes, function of a mistake's kwargs -> the wrong
    (*gradients, dparams)); fallback: the hint when none of them explains it.
    """
    names, dtype = tuple(shapes), call["x"].dtype
    what = f"({', '.join(names)}, dparams)"
    result, _ = call_student(fn, name, call, kwargs, label)
    *grads, dparams = check_tuple(result, name, len(names) + 1, what)
    finite(name, label, dict(zip(names, grads, strict=True)))  # large cases only
    if isinstance(dparams, dict):
        finite(name, label, {f"dparams[{k!r}]": v for k, v in dparams.items()})
    grads = [
        check_array(g, name, n, shape, dtype, label)
        for g, (n, shape) in zip(grads, shapes.items(), strict=True)
    ]
    student = flat_grads(grads, check_dparams(dparams, name, params, label))
    expected = flat_grads(*reference)
    if compare_all(student, expected):
        return
    catalogue, wrong = hints

    def variant(kw):
        *d, dp = wrong(kw)
        return flat_grads(d, dp)

    hint = diagnose(student, catalogue, variant) or parts_hint(
        student, expected, names, call["x"].shape[0]
    )
    outputs = named_outputs(names, student, expected)
    err = max_err(student, expected)
    raise wrong_values(name, label, err, hint, fallback, outputs)
