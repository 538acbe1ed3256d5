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


def cell_step_case(fn, name, label, *, args, n_blocks, variant, catalogue, fallback):
    """One hidden case of an exercise step -> (h_next, c_next) of an LSTM-like cell
    with n_blocks stacked blocks: call the student's function, validate, compare
    with variant(), the reference, and name the mistake with the catalogue of
    variant(**kwargs).

    args: the (name, value) pairs of the step's arguments, in its signature's order
    (calling.positional), x and h among them; fallback: the hint when no mistake of
    the catalogue explains the result.
    """
    given = dict(args)
    B, H = given["h"].shape
    dtype = given["x"].dtype
    result, _ = call_student(fn, name, args, {}, label)
    h_next, c_next = check_tuple(result, name, 2, "(h_next, c_next)")
    finite(name, label, {"h_next": h_next, "c_next": c_next})
    student = (
        check_array(h_next, name, "h_next", (B, H), dtype, label, k=n_blocks),
        check_array(c_next, name, "c_next", (B, H), dtype, label, k=n_blocks),
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
    *,
    args,
    kwargs=None,
    shapes,
    params,
    reference,
    catalogue,
    variant,
    fallback=BACKWARD_FALLBACK,
):
    """One hidden case of a step-backward exercise: call the student's function,
    validate what it returns, compare with the reference, name the mistake.

    args: the (name, value) pairs of the positional arguments, in the signature's
    order (calling.positional), x among them; kwargs: the keyword arguments;
    shapes: {name of each returned gradient before dparams: its shape};
    params: the parameters, whose keys and shapes dparams must have;
    reference: (tuple of those gradients, dparams) from utils.cells;
    catalogue: [(a mistake's kwargs, its hint)]; variant: function of a mistake's
    kwargs -> the wrong (*gradients, dparams); fallback: the hint when none of the
    mistakes explains the result.
    """
    x = dict(args)["x"]
    names, dtype = tuple(shapes), x.dtype
    what = f"({', '.join(names)}, dparams)"
    result, _ = call_student(fn, name, args, kwargs or {}, label)
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

    def flat_variant(kw):
        *d, dp = variant(kw)
        return flat_grads(d, dp)

    hint = diagnose(student, catalogue, flat_variant) or parts_hint(
        student, expected, names, x.shape[0]
    )
    outputs = named_outputs(names, student, expected)
    err = max_err(student, expected)
    raise wrong_values(name, label, err, hint, fallback, outputs)
