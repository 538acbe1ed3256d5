"""Checks of notebooks/02_backprop_through_time.ipynb: exercise 2.1
(rnn_step_backward) and 2.2 (rnn_backward, backpropagation through time).

Their mistakes are in nb02_mistakes.py; exercise 2.3 (clipping) is nb02_clipping.py.
"""

import numpy as np

from .. import cells
from .calling import call_student, positional
from .cases import seq_cases, step_cases
from .diagnose import (
    compare_all,
    diagnose,
    flat_grads,
    max_err,
    named_outputs,
    parts_hint,
    wrong_values,
)
from .harness import exercise, report
from .nb02_mistakes import (
    rnn_backward_mistakes,
    rnn_backward_variant,
    rnn_step_backward_mistakes,
    rnn_step_backward_variant,
)
from .runners import backward_case
from .values import check_array, check_dparams, check_tuple


@exercise
def rnn_step_backward(fn):
    """Exercise 2.1: rnn_step_backward(dh_next, x, h_prev, params)
    -> (dx (B, D), dh_prev (B, H), dparams)."""
    name, labels = "rnn_step_backward", []
    for label, args, dtype, H in step_cases("rnn", seed=201):
        B = args["x"].shape[0]
        dh_next = np.random.default_rng(B * 7 + H).standard_normal((B, H)).astype(dtype)
        x, h_prev, params = args["x"], args["h"], args["params"]
        _, _, cache = cells.rnn_forward(x[None], params, h_prev)
        rdx, rdp, rdh = cells.rnn_backward(dh_next[None], cache)
        backward_case(
            fn,
            name,
            label,
            args=(
                ("dh_next", dh_next),
                ("x", x),
                ("h_prev", h_prev),
                ("params", params),
            ),
            shapes={"dx": x.shape, "dh_prev": (B, H)},
            params=params,
            reference=((rdx[0], rdh), rdp),
            catalogue=rnn_step_backward_mistakes(),
            variant=lambda kw, d=dh_next, x=x, h=h_prev, p=params: (
                rnn_step_backward_variant(d, x, h, p, **kw)
            ),
        )
        labels.append(label)
    report(name, labels)


def _numerical_rnn_errors(student, call):
    """Relative errors of a student's RNN gradients against centred differences.

    student: (dx, dparams, dh0); call: the arguments dout, x, params, h0 (float64).
    """
    from ..gradients import numerical_gradient, rel_error

    x, h0, dout = (np.array(call[k], dtype=np.float64) for k in ("x", "h0", "dout"))
    p = {k: np.array(v, dtype=np.float64) for k, v in call["params"].items()}
    targets = {"x": x, "h0": h0, **p}

    def loss():
        return float(np.sum(cells.rnn_forward(x, p, h0)[0] * dout))

    dx, dparams, dh0 = student
    analytic = {"x": dx, "h0": dh0, **dparams}
    return {
        k: rel_error(analytic[k], numerical_gradient(loss, t))
        for k, t in targets.items()
    }


@exercise
def rnn_backward(fn):
    """Exercise 2.2: rnn_backward(dout (T, B, H), x (T, B, D), params, h0 (B, H))
    -> (dx, dparams, dh0), for the loss sum(out * dout)."""
    name, labels, numeric = "rnn_backward", [], None
    for label, args, dtype, H in seq_cases("rnn", seed=202):
        T, B, _ = args["x"].shape
        rng = np.random.default_rng(T * 13 + B)
        h0 = args.get("h0", rng.uniform(-0.9, 0.9, (B, H)).astype(dtype))
        dout = rng.standard_normal((T, B, H)).astype(dtype)
        call = {"dout": dout, "x": args["x"], "params": args["params"], "h0": h0}
        label = label.replace(", h0 omitted", "")
        ordered = positional(call, "dout", "x", "params", "h0")
        result, _ = call_student(fn, name, ordered, {}, label)
        dx, dparams, dh0 = check_tuple(result, name, 3, "(dx, dparams, dh0)")
        dx = check_array(dx, name, "dx", args["x"].shape, dtype, label)
        dh0 = check_array(dh0, name, "dh0", (B, H), dtype, label)
        dparams = check_dparams(dparams, name, args["params"], label)
        _, _, cache = cells.rnn_forward(args["x"], args["params"], h0)
        rdx, rdp, rdh0 = cells.rnn_backward(dout, cache)
        student, reference = (
            flat_grads((dx, dh0), dparams),
            flat_grads((rdx, rdh0), rdp),
        )
        if not compare_all(student, reference):

            def variant(kw, call=call):
                dx_, dp_, dh0_ = rnn_backward_variant(
                    call["dout"], call["x"], call["params"], call["h0"], **kw
                )
                return flat_grads((dx_, dh0_), dp_)

            hint = diagnose(student, rnn_backward_mistakes(), variant) or parts_hint(
                student, reference, ("dx", "dh0"), B
            )
            raise wrong_values(
                name,
                label,
                max_err(student, reference),
                hint,
                "none of the usual mistakes explains it; check rnn_step_backward "
                "first, then how the loop carries dh and adds up dparams.",
                named_outputs(("dx", "dh0"), student, reference),
            )
        if numeric is None and dtype == np.float64:
            numeric = _numerical_rnn_errors((dx, dparams, dh0), call)
        labels.append(label)
    report(name, labels)
    print(
        f"Against centred differences (float64): largest relative error "
        f"{max(numeric.values()):.1e} over x, h0 and every parameter."
    )
