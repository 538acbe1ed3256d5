"""Checks of notebooks/09_deeper_and_bidirectional.ipynb: exercise 9.1 (bigru_forward,
a bidirectional GRU layer over a padded batch) and 9.2 (deep_bigru_backward, the
backward pass of two bidirectional GRU layers). Their cases and mistakes are in
nb09_mistakes.py; the answers are computed with cells.multi_forward and
cells.multi_backward.
"""

import numpy as np

from .. import cells
from .calling import call_student, positional
from .diagnose import compare_all, diagnose, max_err, wrong_values
from .harness import Fail, exercise, report
from .nb09_mistakes import (
    NOT_ZERO_AT_PADDING,
    bigru_cases,
    bigru_mistakes,
    bigru_variant,
    deep_backward_cases,
    deep_backward_mistakes,
    deep_backward_variant,
)
from .values import check_array, check_dparams, check_tuple


def _stacked_states(name, h_n, B, H, what="h_n", n=2):
    """Name the common wrong shapes of a stack of final states (n, B, H)."""
    shape = getattr(h_n, "shape", None)
    where = (
        f"{what}[0] forward, {what}[1] reverse"
        if n == 2
        else f"{what}[2 k + d] for layer k's direction d"
    )
    if shape == (B, n * H):
        raise Fail(
            f"{what} from {name} has shape {shape}, the states side by side; PyTorch "
            f"stacks them along a first axis: shape ({n}, B, H) = {(n, B, H)}, "
            f"{where}."
        )
    if shape == (B, H):
        raise Fail(
            f"{what} from {name} has shape {shape}, one state; it holds every "
            f"layer's and direction's: shape ({n}, B, H) = {(n, B, H)}."
        )


@exercise
def bigru_forward(fn):
    """Exercise 9.1: bigru_forward(x, params, h0=None, lengths=None) -> (out
    (T, B, 2H), h_n (2, B, H)), a bidirectional GRU layer in PyTorch's layout; with
    lengths, computed as PyTorch's packed sequences are."""
    name, labels = "bigru_forward", []
    for label, args in bigru_cases(seed=901):
        x, params = args["x"], args["params"]
        T, B, _ = x.shape
        H, dtype = params["weight_hh_l0"].shape[1], x.dtype
        lengths = args.get("lengths")
        kwargs = {} if lengths is None else {"lengths": lengths.copy()}
        result, _ = call_student(
            fn, name, positional(args, "x", "params", "h0"), kwargs, label
        )
        out, h_n = check_tuple(result, name, 2, "(out, h_n)")
        if getattr(out, "shape", None) == (T, B, H):
            raise Fail(
                f"out from {name} has shape {out.shape}, one direction's states; it "
                f"holds both side by side, [forward ; reverse]: shape (T, B, 2H) = "
                f"{(T, B, 2 * H)}."
            )
        _stacked_states(name, h_n, B, H)
        student = (
            check_array(out, name, "out", (T, B, 2 * H), dtype, label),
            check_array(h_n, name, "h_n", (2, B, H), dtype, label),
        )
        ref_out, ref_h, _ = cells.multi_forward(
            "gru", x, params, args.get("h0"), lengths=lengths
        )
        if compare_all(student, (ref_out, ref_h)):
            labels.append(label)
            continue
        if lengths is not None:
            real = (np.arange(T)[:, None] < lengths)[..., None]
            if compare_all((student[0] * real, student[1]), (ref_out, ref_h)):
                raise Fail(f"{name}: on the hidden case {label}, {NOT_ZERO_AT_PADDING}")
        hint = diagnose(
            student,
            bigru_mistakes("h0" in args, lengths is not None),
            lambda kw, a=args: bigru_variant(
                a["x"], a["params"], a.get("h0"), a.get("lengths"), **kw
            ),
        )
        raise wrong_values(
            name,
            label,
            max_err(student, (ref_out, ref_h)),
            hint,
            "none of the usual mistakes explains it. Run utils.gru_forward once "
            "per direction, with that direction's keys renamed to those of a "
            "single layer (..._l0): the forward one over x, the reverse one over "
            "each sequence reversed within its own length, its outputs reversed "
            "back; out = [forward ; reverse], 0 at the padding, and h_n[d] each "
            "direction's state after the last step it reads.",
            [("out", student[0], ref_out), ("h_n", student[1], ref_h)],
        )
    report(name, labels)


@exercise
def deep_bigru_backward(fn):
    """Exercise 9.2: deep_bigru_backward(dout, x, params, h0=None, dh_n=None)
    -> (dx (T, B, D), dparams, dh0 (4, B, H)) of two bidirectional GRU layers, for
    the loss sum(out * dout) + sum(h_n * dh_n)."""
    name, labels = "deep_bigru_backward", []
    for label, call in deep_backward_cases(seed=902):
        x, params = call["x"], call["params"]
        T, B, _ = x.shape
        H, dtype = params["weight_hh_l0"].shape[1], x.dtype
        ordered = positional(call, "dout", "x", "params", "h0", "dh_n")
        result, _ = call_student(fn, name, ordered, {}, label)
        dx, dparams, dh0 = check_tuple(result, name, 3, "(dx, dparams, dh0)")
        _stacked_states(name, dh0, B, H, "dh0", n=4)
        dx = check_array(dx, name, "dx", x.shape, dtype, label)
        dh0 = check_array(dh0, name, "dh0", (4, B, H), dtype, label)
        dparams = check_dparams(dparams, name, params, label)
        _, _, cache = cells.multi_forward("gru", x, params, call.get("h0"))
        ref = cells.multi_backward(call["dout"], cache, call.get("dh_n"))
        keys = list(params)
        student = (dx, dh0, *(dparams[k] for k in keys))
        reference = (ref[0], ref[2], *(ref[1][k] for k in keys))
        if compare_all(student, reference):
            labels.append(label)
            continue

        def variant(kw, c=call, keys=keys):
            dx_, dp_, dh0_ = deep_backward_variant(
                c["dout"], c["x"], c["params"], c.get("h0"), c.get("dh_n"), **kw
            )
            return (dx_, dh0_, *(dp_[k] for k in keys))

        with_h0 = call.get("h0") is not None
        hint = diagnose(student, deep_backward_mistakes(with_h0), variant)
        if hint is None:
            wrong = [
                n
                for n, s, r in zip(
                    ["dx", "dh0", *keys], student, reference, strict=True
                )
                if not np.allclose(s, r, rtol=1e-4, atol=1e-5)
            ]
            if wrong and all("_l0" in n and "_l1" not in n for n in wrong):
                hint = (
                    f"only {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} "
                    "wrong: everything of layer 1 is right, so look at what layer "
                    "0 receives (its dout is layer 1's input gradient) and at how "
                    "its own gradients go back."
                )
        raise wrong_values(
            name,
            label,
            max_err(student, reference),
            hint,
            "none of the usual mistakes explains it. Run the forward pass layer by "
            "layer with utils.gru_forward, keeping each direction's cache; then "
            "from the top: split the gradient of the layer's output into the two "
            "directions' halves, run utils.gru_backward for each (the reverse one "
            "on its half reversed in time, its dx reversed back) from its dh_n, "
            "and add the two dx: that is the gradient of the layer below's output.",
            list(
                zip(
                    ["dx", "dh0", *(f"dparams[{k!r}]" for k in keys)],
                    student,
                    reference,
                    strict=True,
                )
            ),
        )
    report(name, labels)
