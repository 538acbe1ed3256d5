"""Checks of notebooks/01_vanilla_rnn.ipynb: exercise 1.1 (rnn_step), 1.2
(rnn_forward) and 1.3 (a one-bit memory), with the RNN step's mistakes.
"""

import numpy as np

from .. import cells
from ..cells import sigmoid
from .calling import call_student, positional
from .cases import SEQ_SHAPES, seq_cases, step_cases
from .common_mistakes import blocks, identity, shared_mistakes
from .diagnose import close, diagnose, wrong_values
from .harness import Fail, exercise, report
from .values import check_array, check_pair


def _relu(a):
    return np.maximum(a, 0)


def rnn_variant(x, h, p, act=np.tanh, swap_weights=False, act_on="all", **kw):
    """h' = act(x M_i + b_i + h M_h + b_h) with the given mistakes.

    act_on: what the nonlinearity covers: 'all' (right), 'input' (only the input
    term), 'each' (each term its own), 'weights' (the biases added after it).
    """
    M_i, M_h, b_i, b_h = blocks(p, "h", **kw)["h"]
    if swap_weights:  # W_hh on x and W_ih on h
        M_i, M_h = M_h, M_i
    if act_on == "input":
        return act(x @ M_i + b_i) + h @ M_h + b_h
    if act_on == "each":
        return act(x @ M_i + b_i) + act(h @ M_h + b_h)
    if act_on == "weights":
        return act(x @ M_i + h @ M_h) + b_i + b_h
    return act(x @ M_i + b_i + h @ M_h + b_h)


def rnn_mistakes():
    """[(kwargs for rnn_variant, hint)]."""
    eq = " The step is h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."
    return [
        ({"act": sigmoid}, "you used a sigmoid where the RNN uses tanh." + eq),
        ({"act": _relu}, "you used ReLU; nn.RNN's default nonlinearity is tanh." + eq),
        ({"act": identity}, "the tanh is missing: your step is linear." + eq),
        (
            {"swap_weights": True},
            "W_ih and W_hh are swapped: W_ih multiplies the input x, W_hh the "
            "previous hidden state h." + eq,
        ),
        (
            {"act_on": "input"},
            "your tanh covers only the input term (a parenthesis closes too "
            "early): the whole sum goes through one tanh." + eq,
        ),
        (
            {"act_on": "each"},
            "you gave each term its own tanh and added the results; the two "
            "terms are added first, then one tanh is taken." + eq,
        ),
        (
            {"act_on": "weights"},
            "the biases are added after the tanh; they belong inside it." + eq,
        ),
        *shared_mistakes(),
    ]


_RNN_FALLBACK = (
    "none of the usual mistakes explains it. The step is "
    "h_next = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh) with the four arrays of "
    "params; compare your code with it term by term."
)


@exercise
def rnn_step(fn):
    """Exercise 1.1: rnn_step(x (B, D), h (B, H), params) -> h_next (B, H)."""
    name, labels = "rnn_step", []
    for label, args, dtype, H in step_cases("rnn", seed=101):
        call = positional(args, "x", "h", "params")
        result, _ = call_student(fn, name, call, {}, label)
        B = args["x"].shape[0]
        h_next = check_array(result, name, "h_next", (B, H), dtype, label)
        ref = cells.rnn_step(**args)
        if not close(h_next, ref):
            hint = diagnose(
                (h_next,),
                rnn_mistakes(),
                lambda kw, a=args: rnn_variant(a["x"], a["h"], a["params"], **kw),
            )
            raise wrong_values(
                name,
                label,
                np.abs(h_next - ref).max(),
                hint,
                _RNN_FALLBACK,
                [("h_next", h_next, ref)],
            )
        labels.append(label)
    report(name, labels)


# and h0 omitted in float32 too, where np.zeros without a dtype shows
_RNN_SEQ_SHAPES = (*SEQ_SHAPES, (3, 2, 4, 3, np.float32, False))


def _unroll(step, x, h0):
    hs, h = [], h0
    for x_t in x:
        h = step(x_t, h)
        hs.append(h)
    return np.stack(hs)


@exercise
def rnn_forward(fn):
    """Exercise 1.2: rnn_forward(x (T, B, D), params, h0=None) -> (out, h_n)."""
    name, labels = "rnn_forward", []
    for label, args, dtype, H in seq_cases("rnn", 102, _RNN_SEQ_SHAPES):
        call = positional(args, "x", "params", "h0")
        result, _ = call_student(fn, name, call, {}, label)
        result = check_pair(
            result, name, "(out, h_n)"
        )  # a third item (a cache) is fine
        T, B, _ = args["x"].shape
        if isinstance(result[0], np.ndarray) and result[0].shape == (T + 1, B, H):
            raise Fail(
                f"out from {name} has T + 1 = {T + 1} steps: it includes h0. "
                "Like PyTorch, out holds h_1 ... h_T, the states after each "
                "input."
            )
        if (
            isinstance(result[0], np.ndarray)
            and result[0].shape == (B, T, H)
            and B != T
        ):
            raise Fail(
                f"out from {name} has shape (B, T, H) = {(B, T, H)}; the "
                "course is time-major like PyTorch: out is (T, B, H)."
            )
        out = check_array(result[0], name, "out", (T, B, H), dtype, label)
        h_n = check_array(result[1], name, "h_n", (B, H), dtype, label)
        ref_out, ref_h, _ = cells.rnn_forward(**args)
        p = args["params"]
        h0 = args.get("h0", np.zeros((B, H), dtype))
        if T > 1 and not close(out, ref_out) and close(out, np.stack([ref_h] * T)):
            raise Fail(
                f"every step of out from {name} holds the last state h_T: the list "
                "holds the same array T times. Your loop changes h in place (h[:] = "
                "..., or +=) after appending it; give each step a new array, e.g. "
                "h = np.tanh(...), or append h.copy()."
            )
        if not close(out, ref_out):
            candidates = [
                (
                    {"shift": True},
                    "out is shifted by one step: out[t] must be the state *after* "
                    "input x[t], i.e. h_{t+1} when h0 is the state before the first "
                    "input.",
                ),
                (
                    {"h0": np.zeros_like(h0)},
                    "your loop ignores h0 and starts from zeros; start from h0 when "
                    "it is given (zeros only when h0 is None).",
                ),
                (
                    {"no_recurrence": True},
                    "every step uses h0 instead of the previous "
                    "step's state: feed h_t back in as h for step t + 1.",
                ),
                *(
                    (
                        {"reverse": how},
                        "your loop runs backwards in time, from x[T - 1] to x[0]; "
                        "the forward pass starts at x[0] (from h0) and goes up to "
                        "x[T - 1], with out[t] the state after x[t].",
                    )
                    for how in ("index", "append")
                ),
                (
                    {"skip": "first"},
                    "your loop skips x[0] (range(1, T) starts at the second "
                    "input): the first step consumes x[0], from h0, and gives "
                    "out[0].",
                ),
                (
                    {"skip": "last"},
                    "your loop stops one step early (range(T - 1)): it must "
                    "consume every input x[0] ... x[T - 1], and out[T - 1] = h_n "
                    "is the state after the last one.",
                ),
            ] + [
                ({"step": kw}, "your steps are wrong: " + hint)
                for kw, hint in rnn_mistakes()
            ]

            def variant(kw, x=args["x"], h0=h0, p=p):
                def step(x_t, h):
                    h_in = h0 if kw.get("no_recurrence") else h
                    return rnn_variant(x_t, h_in, p, **kw.get("step", {}))

                if kw.get("reverse"):
                    seq = _unroll(step, x[::-1], h0)
                    return seq[::-1] if kw["reverse"] == "index" else seq
                if kw.get("skip"):  # into a preallocated np.zeros
                    seq = np.zeros((len(x), *h0.shape), h0.dtype)
                    part = slice(1, None) if kw["skip"] == "first" else slice(0, -1)
                    seq[part] = _unroll(step, x[part], h0)
                    return seq
                seq = _unroll(step, x, kw.get("h0", h0))
                if kw.get("shift"):
                    seq = np.concatenate([h0[None], seq[:-1]])
                return seq

            hint = diagnose((out,), candidates, variant)
            raise wrong_values(
                name,
                label,
                np.abs(out - ref_out).max(),
                hint,
                _RNN_FALLBACK + " Check rnn_step first, then the loop.",
                [("out", out, ref_out), ("h_n", h_n, ref_h)],
            )
        if not close(h_n, ref_h):
            hint = (
                "h_n must be the last hidden state, out[-1]."
                if close(h_n, ref_out[0]) or close(h_n, h0)
                else None
            )
            raise wrong_values(
                name,
                label,
                np.abs(h_n - ref_h).max(),
                hint,
                "h_n must be the last hidden state, out[-1].",
                [("h_n", h_n, ref_h)],
            )
        labels.append(label)
    report(name, labels)


def latch_run(w_hh, w_ih, b, pulses, T=60):
    """The one-unit RNN from h_0 = 0 with inputs {step: value}, 0 elsewhere -> (T,)."""
    x = np.zeros(T)
    for t, value in pulses.items():
        x[t] = value
    return cells.one_unit_rnn(w_hh, w_ih, b, x)


def _latch_state(w_hh, b, h):
    """The stable state that h = tanh(w_hh h + b) settles in from h (no input)."""
    for _ in range(5000):
        h = np.tanh(w_hh * h + b)
    return float(h)


def _latch_why(w_hh, w_ih, b, sign):
    """Why a latch with w_hh > 1 fails to hold after the pulse of this sign."""
    need = (np.arctanh(0.5) - sign * b) / 0.5  # w_hh for a state at +-0.5
    state = _latch_state(w_hh, b, float(sign))
    name, bound = ("'on'", "above 0.5") if sign > 0 else ("'off'", "below -0.5")
    if sign * state <= 0.5:
        return (
            f"the memory's {name} state, where h = tanh(w_hh h + b) settles with "
            f"no input, is h* = {state:.3f}, not {bound}: raise w_hh (above "
            f"about {need:.2f} with b = {b:g}) and keep b near 0."
        )
    if w_ih <= 0:
        return (
            f"w_ih = {w_ih:g} is {'negative' if w_ih < 0 else 'zero'}: a +1 pulse "
            f"{'pushes h down instead of up' if w_ih < 0 else 'does not reach h'}, "
            "so it is far too weak to set the memory. Use w_ih > 0, larger than w_hh."
        )
    if sign > 0:
        return (
            f"the +1 pulse is too weak: from h = 0 it gives h = tanh(w_ih + b) = "
            f"{np.tanh(w_ih + b):.3f}, which does not get past the middle (unstable) "
            "fixed point, so h falls back. Make w_ih larger."
        )
    on = _latch_state(w_hh, b, 1.0)
    return (
        f"the -1 pulse is too weak to overcome w_hh * h: from the 'on' state "
        f"h* = {on:.3f} it gives h = tanh(w_hh h* - w_ih + b) = "
        f"{np.tanh(w_hh * on - w_ih + b):.3f}, and h goes back up. Make w_ih "
        "larger than w_hh."
    )


@exercise
def latch(fn):
    """Exercise 1.3: fn() -> (w_hh, w_ih, b) of a one-unit RNN that is a 1-bit memory.

    A +1 pulse at t = 0 must set h above 0.5 for the next 29 steps, a -1 pulse at
    t = 30 must set it below -0.5 until t = 59, and with no input h stays in
    (-0.5, 0.5).
    """
    name = "latch"
    result, _ = call_student(fn, name, (), {}, "the latch simulation")
    try:
        w_hh, w_ih, b = (float(v) for v in result)
    except (TypeError, ValueError):
        raise Fail(
            f"{name} should return three numbers (w_hh, w_ih, b), got {result!r}."
        ) from None
    if not all(np.isfinite([w_hh, w_ih, b])):
        raise Fail(f"{name} returned a non-finite number: {(w_hh, w_ih, b)}.")
    # "stays below 0.5": long enough for any bias b != 0 to show (h grows at least
    # like w_hh^t once w_hh is large enough to hold a state above 0.5)
    quiet = latch_run(w_hh, w_ih, b, {}, T=10_000)
    flip = latch_run(w_hh, w_ih, b, {0: 1.0, 30: -1.0})
    if np.abs(quiet).max() >= 0.5:
        t = int(np.argmax(np.abs(quiet) >= 0.5))
        raise Fail(
            f"with no input at all h reaches {quiet[t]:.3f} at step {t}: the "
            "unit switches itself on. Keep the bias small (|b| well below 1, or "
            "0), so that only a pulse can set the memory."
        )
    for start, stop, sign, word in ((1, 30, 1, "+1"), (31, 60, -1, "-1")):
        held = sign * flip[start:stop]
        if held.min() > 0.5:
            continue
        t = start + int(np.argmax(held <= 0.5))
        if abs(w_hh) <= 1:
            why = (
                f"with |w_hh| = {abs(w_hh):g} <= 1 the only fixed point is near 0 "
                "and every pulse decays: the unit forgets. Move w_hh above 1 "
                "in the explorer and watch the state saturate instead."
            )
        elif w_hh < -1:
            why = (
                "a negative w_hh flips the sign of h at every step: that is "
                "oscillation, not memory. Use w_hh > 1."
            )
        else:
            why = _latch_why(w_hh, w_ih, b, sign)
        raise Fail(
            f"after the {word} pulse, h is {flip[t]:.3f} at step {t}, not "
            f"{'above 0.5' if sign > 0 else 'below -0.5'}.\nHint: {why}"
        )
    print(
        f"check.{name}: the unit is off without input "
        f"(|h| <= {np.abs(quiet).max():.3f}), holds +1 (h >= {flip[1:30].min():.3f}) "
        f"and -1 (h <= {flip[31:].max():.3f})."
    )
    print(f"All correct: {name} passes.")
