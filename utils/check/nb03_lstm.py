"""Checks of notebooks/03_lstm.ipynb: exercise 3.1 (lstm_step), 3.2 (lstm_forward,
also over a padded batch) and 3.3 (keep a pulse for 50 steps). Their mistakes are in
nb03_mistakes.py.
"""

import itertools

import numpy as np

from .. import cells
from .calling import call_student, positional
from .cases import (
    LARGE,
    LARGE_FALLBACK,
    case_label,
    finite,
    large_step_cases,
    random_params,
    seq_cases,
    step_cases,
)
from .diagnose import close, compare_all, diagnose, max_err, wrong_values
from .harness import Fail, exercise, report
from .nb03_mistakes import (
    lstm_mistakes,
    lstm_variant,
    masked_cases,
    masked_mistakes,
    masked_variant,
)
from .values import check_array, check_pair, check_tuple


@exercise
def lstm_step(fn):
    """Exercise 3.1: lstm_step(x, h, c, params) -> (h_next, c_next), each (B, H)."""
    name, labels = "lstm_step", []
    cases = itertools.chain(
        step_cases("lstm", seed=103), large_step_cases("lstm", seed=1103)
    )
    for label, args, dtype, H in cases:
        call = positional(args, "x", "h", "c", "params")
        result, _ = call_student(fn, name, call, {}, label)
        result = check_pair(result, name, "(h_next, c_next)")
        if len(result) != 2:
            raise Fail(
                f"{name} returned {len(result)} items; it should return the "
                "pair (h_next, c_next)."
            )
        finite(name, label, {"h_next": result[0], "c_next": result[1]})
        B = args["x"].shape[0]
        h_next = check_array(result[0], name, "h_next", (B, H), dtype, label, k=4)
        c_next = check_array(result[1], name, "c_next", (B, H), dtype, label, k=4)
        ref_h, ref_c = cells.lstm_step(**args)
        if close(h_next, ref_h) and close(c_next, ref_c):
            labels.append(label)
            continue
        if close(h_next, ref_c) and close(c_next, ref_h):
            raise Fail(
                f"{name} returned (c_next, h_next); return (h_next, c_next), "
                "in the order PyTorch uses for (h, c)."
            )
        hint = diagnose(
            (h_next, c_next),
            lstm_mistakes(),
            lambda kw, a=args: lstm_variant(a["x"], a["h"], a["c"], a["params"], **kw),
        )
        if LARGE in label:
            fallback = LARGE_FALLBACK
        elif close(c_next, ref_c):
            fallback = (
                "c_next is right but h_next is not: h_next = o * tanh(c_next), "
                "with o the sigmoid of the fourth block."
            )
        else:
            fallback = (
                "none of the usual mistakes explains it. Compute the "
                "pre-activation a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh "
                "(B, 4H), split it into i, f, g, o blocks of H columns, then "
                "c_next = f * c + i * g and h_next = o * tanh(c_next)."
            )
        err = max(np.abs(h_next - ref_h).max(), np.abs(c_next - ref_c).max())
        outputs = [("h_next", h_next, ref_h), ("c_next", c_next, ref_c)]
        raise wrong_values(name, label, err, hint, fallback, outputs)
    report(name, labels)


def _lstm_seq_cases(seed):
    """The sequence cases of lstm_forward: seq_cases's, then each of h0 and c0
    left out alone (passed as None, or omitted) and both omitted in float32."""
    yield from seq_cases("lstm", seed)
    rng = np.random.default_rng(seed + 1000)
    for T, B, D, H, dtype, given in (
        (3, 2, 3, 4, np.float32, ()),
        (4, 3, 2, 5, np.float64, ("c0",)),
        (3, 2, 4, 3, np.float32, ("c0",)),
        (4, 2, 3, 5, np.float64, ("h0",)),
        (3, 3, 5, 2, np.float32, ("h0",)),
    ):
        args = {
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": random_params("lstm", D, H, dtype, rng),
        }
        h0 = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
        c0 = rng.standard_normal((B, H)).astype(dtype)
        if given == ("c0",):
            args.update(h0=None, c0=c0)  # positional, as lstm_forward(x, p, None, c0)
            extra = ", h0 omitted (None), c0 given"
        elif given == ("h0",):
            args["h0"] = h0
            extra = ", h0 given, c0 omitted"
        else:
            extra = ", h0 and c0 omitted"
        yield case_label(dtype, T=T, B=B, D=D, H=H) + extra, args, np.dtype(dtype), H


@exercise
def lstm_forward(fn):
    """Exercise 3.2: lstm_forward(x, params, h0=None, c0=None, lengths=None)
    -> out, (h_n, c_n); with lengths (B,), over a padded batch: the state held and
    out 0 where t >= lengths[b]. The cases without lengths come first."""
    name, labels = "lstm_forward", []
    for label, args, dtype, H in _lstm_seq_cases(seed=302):
        call = positional(args, "x", "params", "h0", "c0")
        result, _ = call_student(fn, name, call, {}, label)
        out, last = check_tuple(result, name, 2, "(out, (h_n, c_n))")
        h_n, c_n = check_tuple(
            last, name, 2, "(out, (h_n, c_n)) with the pair (h_n, c_n)"
        )
        T, B, _ = args["x"].shape
        out = check_array(out, name, "out", (T, B, H), dtype, label)
        h_n = check_array(h_n, name, "h_n", (B, H), dtype, label)
        c_n = check_array(c_n, name, "c_n", (B, H), dtype, label)
        ref_out, (ref_h, ref_c), cache = cells.lstm_forward(**args)
        student, reference = (out, h_n, c_n), (ref_out, ref_h, ref_c)
        if compare_all(student, reference):
            labels.append(label)
            continue
        if close(h_n, ref_c) and close(c_n, ref_h):
            raise Fail(f"{name} returned (out, (c_n, h_n)); the pair is (h_n, c_n).")
        if close(out, ref_out) and not (close(h_n, ref_h) and close(c_n, ref_c)):
            which = "h_n" if not close(h_n, ref_h) else "c_n"
            raise Fail(
                f"{name}: out is right but {which} is not: h_n and c_n are the hidden "
                "and cell states after the *last* step (h_n equals out[-1])."
            )
        p, zeros = args["params"], np.zeros((B, H), dtype)
        h0, c0 = args.get("h0"), args.get("c0")
        given = [k for k, v in (("h0", h0), ("c0", c0)) if v is not None]
        h0 = zeros if h0 is None else h0
        c0 = zeros if c0 is None else c0
        separately = (
            " Here h0 is None but c0 is given: test each of them for None separately."
            if given == ["c0"]
            else ""
        )
        starts = [
            (
                {"h0": zeros, "c0": zeros},
                "your loop ignores h0 and c0 and starts from "
                "zeros; start from them when they are given.",
            ),
            (
                {"h0": zeros},
                "your loop ignores h0 and starts the hidden state from zeros; "
                "start from h0 when it is given.",
            ),
            (
                {"c0": zeros},
                "your loop ignores c0 and starts the cell from zeros." + separately,
            ),
        ]
        backwards = (
            "your loop runs backwards in time, from x[T-1] to x[0]; the LSTM reads "
            "the sequence forwards: for t in range(T), and out[t] is the state "
            "after x[0] ... x[t]."
        )
        candidates = [
            (
                {"c_reset": True},
                "the cell state is not carried: each step must start "
                "from the previous step's c, not from c0.",
            ),
            *((kw, hint) for kw, hint in starts if set(kw) <= set(given)),
            ({"reverse": "store"}, backwards),
            ({"reverse": "append"}, backwards),
            (
                {"out_c": True},
                "out holds the cell states; like PyTorch's, it holds "
                "the hidden states h_1 ... h_T.",
            ),
            (
                {"shift": True},
                "out is shifted by one step: out[t] is the state after input x[t].",
            ),
        ] + [
            ({"step": kw}, "your steps are wrong: " + hint)
            for kw, hint in lstm_mistakes()
        ]

        def variant(kw, x=args["x"], h0=h0, c0=c0, p=p):
            h, c, hs, cs = kw.get("h0", h0), kw.get("c0", c0), [], []
            for x_t in x[::-1] if kw.get("reverse") else x:
                h, c = lstm_variant(
                    x_t,
                    h,
                    kw.get("c0", c0) if kw.get("c_reset") else c,
                    p,
                    **kw.get("step", {}),
                )
                hs.append(h)
                cs.append(c)
            if kw.get("reverse") == "store":  # out[t] = h for t = T-1 ... 0
                hs, cs = hs[::-1], cs[::-1]
            seq = np.stack(cs if kw.get("out_c") else hs)
            if kw.get("shift"):
                seq = np.concatenate([kw.get("h0", h0)[None], seq[:-1]])
            return seq, h, c

        hint = diagnose(student, candidates, variant)
        raise wrong_values(
            name,
            label,
            max_err(student, reference),
            hint,
            "none of the usual mistakes explains it; check lstm_step first, "
            "then that the loop carries both h and c.",
            list(zip(("out", "h_n", "c_n"), student, reference, strict=True)),
        )
    for label, args, lengths, dtype, H in masked_cases(seed=312):
        _masked_case(fn, name, label, args, lengths, dtype, H)
        labels.append(label)
    report(name, labels)


def _masked_reference(x, lengths, p, h0, c0):
    """Each sequence alone over its real steps, padded with zeros -> out, h_n, c_n."""
    T, B, _ = x.shape
    out, h_n, c_n = np.zeros((T, B, h0.shape[1]), x.dtype), h0.copy(), c0.copy()
    for b, L in enumerate(lengths):
        o, (h, c), _ = cells.lstm_forward(
            x[:L, b : b + 1], p, h0[b : b + 1], c0[b : b + 1]
        )
        out[:L, b], h_n[b], c_n[b] = o[:, 0], h[0], c[0]
    return out, h_n, c_n


def _masked_case(fn, name, label, args, lengths, dtype, H):
    """One hidden case of lstm_forward over a padded batch (lengths given)."""
    call = positional(args, "x", "params", "h0", "c0")
    kwargs = {"lengths": lengths.copy()}
    result, _ = call_student(fn, name, call, kwargs, label)
    out, last = check_tuple(result, name, 2, "(out, (h_n, c_n))")
    h_n, c_n = check_tuple(last, name, 2, "(out, (h_n, c_n)) with the pair (h_n, c_n)")
    T, B, _ = args["x"].shape
    student = (
        check_array(out, name, "out", (T, B, H), dtype, label),
        check_array(h_n, name, "h_n", (B, H), dtype, label),
        check_array(c_n, name, "c_n", (B, H), dtype, label),
    )
    zeros = np.zeros((B, H), dtype)
    h0, c0 = args.get("h0", zeros), args.get("c0", zeros)
    reference = _masked_reference(args["x"], lengths, args["params"], h0, c0)
    if compare_all(student, reference):
        return
    hint = diagnose(
        student,
        masked_mistakes(),
        lambda kw: masked_variant(args["x"], lengths, args["params"], h0, c0, **kw),
    )
    raise wrong_values(
        name,
        label,
        max_err(student, reference),
        hint,
        "none of the usual mistakes explains it. With m = (t < lengths)[:, None], "
        "the mask of step t, (B, 1): run the step, then h = np.where(m, h_new, h) "
        "and the same for c, and out[t] = np.where(m, h, 0).",
        list(zip(("out", "h_n", "c_n"), student, reference, strict=True)),
    )


def pulse_memory_run(b_f, w_i, b_i, x):
    """A one-unit LSTM cell with o = 1, g = tanh(2 x), i = sigma(w_i x + b_i) and a
    constant forget gate f = sigma(b_f), from c_0 = 0 -> c (T,), c[t] after x[t]."""
    f, c, cs = cells.sigmoid(np.float64(b_f)), 0.0, np.empty(len(x))
    for t, x_t in enumerate(x):
        c = f * c + cells.sigmoid(w_i * x_t + b_i) * np.tanh(2 * x_t)
        cs[t] = c
    return cs


def pulse_memory_inputs():
    """The two input sequences of exercise 3.3: (with the pulse, noise only), (51,)."""
    noise = np.random.default_rng(303).uniform(-0.3, 0.3, 51)
    noise[0] = 0.0
    return np.r_[1.0, noise[1:]], noise


@exercise
def pulse_memory(fn):
    """Exercise 3.3: fn() -> (b_f, w_i, b_i) so the cell keeps a pulse for 50 steps.

    With a pulse x = 1 at t = 0 and noise |x| <= 0.3 after it, c_t must stay in
    [0.5, 1.5] for t = 1 ... 50; with the noise alone, |c_t| < 0.25.
    """
    name = "pulse_memory"
    result, _ = call_student(fn, name, (), {}, "the pulse simulation")
    try:
        b_f, w_i, b_i = (float(v) for v in result)
    except (TypeError, ValueError):
        raise Fail(
            f"{name} should return three numbers (b_f, w_i, b_i), got {result!r}."
        ) from None
    if not all(np.isfinite([b_f, w_i, b_i])):
        raise Fail(f"{name} returned a non-finite number: {(b_f, w_i, b_i)}.")
    with_pulse, noise_only = pulse_memory_inputs()
    kept = pulse_memory_run(b_f, w_i, b_i, with_pulse)[1:]
    quiet = pulse_memory_run(b_f, w_i, b_i, noise_only)
    f = float(cells.sigmoid(np.float64(b_f)))
    written = float(cells.sigmoid(w_i + b_i) * np.tanh(2.0))
    leak = float(cells.sigmoid(0.3 * abs(w_i) + b_i))
    if np.abs(quiet).max() >= 0.25:
        raise Fail(
            f"the noise alone moves the cell to {quiet[np.abs(quiet).argmax()]:+.3f}.\n"
            f"Hint: the input gate is open for small inputs (i = sigma(0.3 w_i + b_i) "
            f"= {leak:.3f} at |x| = 0.3). Make b_i negative enough to shut it for "
            "|x| <= 0.3 while w_i + b_i stays large for the pulse."
        )
    if kept.min() < 0.5 or kept.max() > 1.5:
        t = int(np.argmax((kept < 0.5) | (kept > 1.5))) + 1
        # with the same noise after the pulse, c_t = f^t c_0 + (the noise's c_t)
        gate = (
            f"the input gate lets in only i = {cells.sigmoid(w_i + b_i):.3f} of "
            f"the pulse (c_0 = {written:.3f}); make w_i + b_i large."
        )
        forget = (
            f"the forget gate f = sigma(b_f) = {f:.4f} keeps f^50 = {f**50:.3g} "
            "of the pulse after 50 steps; raise b_f until f^50 c_0 > 0.5"
        )
        if f**50 * np.tanh(2.0) < 0.5:  # even a fully open input gate would fail
            why = forget + (
                f". The input gate also lets in only i = "
                f"{cells.sigmoid(w_i + b_i):.3f} of the pulse (c_0 = {written:.3f})."
                if written < 0.6
                else f" (c_0 = {written:.3f})."
            )
        elif f**50 * written < 0.5:
            why = gate if written < 0.6 else f"{forget}, or write more of it: {gate}"
        else:  # the pulse alone would stay above 0.5: the noise pulled c down
            why = (
                f"f^50 c_0 = {f**50 * written:.3f} would stay above 0.5, but the noise "
                f"adds {quiet[t]:+.3f} by step {t}; shut the input gate for "
                "|x| <= 0.3 (b_i more negative)."
            )
        raise Fail(
            f"with the pulse, c is {kept[t - 1]:+.3f} at step {t}, outside "
            f"[0.5, 1.5].\nHint: {why}"
        )
    print(
        f"check.{name}: the pulse is written (c_0 = {written:.3f}) and kept "
        f"(c stays in [{kept.min():.3f}, {kept.max():.3f}] for 50 steps, f = {f:.4f}); "
        f"the noise alone moves c at most {np.abs(quiet).max():.3f}."
    )
    print(f"All correct: {name} passes.")
