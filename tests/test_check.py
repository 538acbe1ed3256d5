"""The exercise checks: every listed mistake gets its hint; correct code in any
equivalent form passes; a stub is "not attempted"; a broken function never crashes
the checker."""

import itertools
from pathlib import Path

import numpy as np
import pytest

import utils.charlm
from utils import check
from utils.check import NotAttempted


def sig(a):
    return 1 / (1 + np.exp(-a))


def P(params):
    """The four arrays of a parameter dict."""
    return (
        params[k] for k in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    )


def fails(check_fn, student, *hints):
    """Assert that the check raises AssertionError mentioning every hint."""
    with pytest.raises(AssertionError) as info:
        check_fn(student)
    for hint in hints:
        assert hint in str(info.value), f"{hint!r} not in:\n{info.value}"
    return str(info.value)


# --------------------------------------------------------------------------- sigmoid


def sigmoid_ok(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_expm1(a):  # another stable form: exp of a non-positive number only
    e = np.exp(np.minimum(a, -a))
    return np.where(a < 0, e, 1) / (1 + e)


def sigmoid_clip(a):  # clipping far enough out is fine in float64 and float32
    limit = 80 if a.dtype == np.float32 else 700
    return 1 / (1 + np.exp(-np.clip(a, -limit, limit)))


@pytest.mark.parametrize("student", [sigmoid_ok, sigmoid_expm1, sigmoid_clip])
def test_stable_sigmoid_accepts_correct_forms(student, capsys):
    check.stable_sigmoid(student)
    assert "All correct" in capsys.readouterr().out


def test_stable_sigmoid_hints():
    fails(check.stable_sigmoid, sig, "RuntimeWarning", "np.exp(-np.abs(a))")

    def both_branches(a):
        return np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))

    fails(check.stable_sigmoid, both_branches, "np.where(cond, A, B) computes both")

    def cancel(a):
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), 1 - 1 / (1 + e))

    fails(check.stable_sigmoid, cancel, "cancels to exactly 0")
    fails(
        check.stable_sigmoid,
        lambda a: 0.5 * (1 + np.tanh(0.5 * a)),
        "cancels to exactly 0",
    )

    def flipped(a):
        return sigmoid_ok(-a)

    fails(check.stable_sigmoid, flipped, "sign is flipped")

    def float64_out(a):
        return sigmoid_ok(a.astype(np.float64))

    fails(check.stable_sigmoid, float64_out, "float64 for float32 inputs")

    def in_place(a):
        np.clip(a, -500, 500, out=a)
        return sigmoid_ok(a)

    fails(check.stable_sigmoid, in_place, "changed its argument a in place")


def test_sigmoid_grad():
    check.sigmoid_grad(lambda a: sigmoid_ok(a) * (1 - sigmoid_ok(a)))
    check.sigmoid_grad(lambda a: sigmoid_ok(a) * sigmoid_ok(-a))
    fails(check.sigmoid_grad, lambda a: 1 - sigmoid_ok(a) ** 2, "pattern of tanh'")
    fails(check.sigmoid_grad, sigmoid_ok, "sigmoid(a) itself")


# ---------------------------------------------------------------------- robustness


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 1.1: a single RNN step - not attempted yet")


@pytest.mark.parametrize(
    "name",
    [
        "stable_sigmoid",
        "sigmoid_grad",
        "rnn_step",
        "rnn_forward",
        "latch",
        "lstm_step",
        "gru_step",
    ],
)
def test_stub_is_not_attempted(name):
    with pytest.raises(NotAttempted, match="not attempted yet"):
        getattr(check, name)(stub)


@pytest.mark.parametrize(
    "name", ["stable_sigmoid", "rnn_step", "rnn_forward", "lstm_step", "gru_step"]
)
def test_broken_functions_get_messages_not_crashes(name):
    check_fn = getattr(check, name)
    fails(check_fn, lambda *a, **k: None, "returned None")
    fails(check_fn, lambda *a, **k: 1 / 0, "raised ZeroDivisionError")
    fails(check_fn, lambda *a, **k: "hello")
    with pytest.raises(AssertionError, match="takes your function itself"):
        check_fn(np.zeros(3))


def test_nan_result_is_reported():
    def nan_step(x, h, params):
        return np.full((x.shape[0], h.shape[1]), np.nan, dtype=x.dtype)

    fails(check.rnn_step, nan_step, "NaN or inf")


# ------------------------------------------------------------------------- rnn_step


def rnn_ok(x, h, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def rnn_concat(x, h, params):  # one matrix on [x, h]
    W_ih, W_hh, b_ih, b_hh = P(params)
    W = np.concatenate([W_ih, W_hh], axis=1)
    return np.tanh(np.concatenate([x, h], axis=1) @ W.T + (b_ih + b_hh))


def rnn_einsum(x, h, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    a = np.einsum("bd,hd->bh", x, W_ih) + np.einsum("bk,hk->bh", h, W_hh)
    return np.tanh(b_hh + a + b_ih)


@pytest.mark.parametrize("student", [rnn_ok, rnn_concat, rnn_einsum])
def test_rnn_step_accepts_correct_forms(student, capsys):
    check.rnn_step(student)
    assert "All correct" in capsys.readouterr().out


def test_rnn_step_hints():
    def sigmoid_act(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return sig(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)

    fails(check.rnn_step, sigmoid_act, "sigmoid where the RNN uses tanh")

    def transposed(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh)

    fails(check.rnn_step, transposed, "W_hh instead of W_hh^T")

    def no_b_ih(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_ih.T + h @ W_hh.T + b_hh)

    fails(check.rnn_step, no_b_ih, "left out b_ih")

    def no_b_hh(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)

    fails(check.rnn_step, no_b_hh, "left out b_hh")

    def in_place(x, h, params):
        params["bias_ih_l0"] += params["bias_hh_l0"]
        return np.tanh(
            x @ params["weight_ih_l0"].T
            + params["bias_ih_l0"]
            + h @ params["weight_hh_l0"].T
        )

    fails(check.rnn_step, in_place, "changed params['bias_ih_l0'] in place")

    def h_in_place(x, h, params):
        h[:] = rnn_ok(x, h, params)
        return h

    fails(check.rnn_step, h_in_place, "changed its argument h in place")

    def column_major(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(W_ih @ x.T + b_ih[:, None] + W_hh @ h.T + b_hh[:, None])

    fails(check.rnn_step, column_major, "That is the transpose")

    def tuple_out(x, h, params):
        return rnn_ok(x, h, params), None

    fails(check.rnn_step, tuple_out, "returned a tuple of 2 items")

    def float64_out(x, h, params):
        out = np.zeros((x.shape[0], h.shape[1]))
        out[:] = rnn_ok(x, h, params)
        return out

    fails(check.rnn_step, float64_out, "float64 for float32 inputs")

    def swapped(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_hh.T + b_ih + h @ W_ih.T + b_hh)

    fails(check.rnn_step, swapped, "W_ih and W_hh are swapped")

    def shape_error(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_ih + b_ih + h @ W_hh.T + b_hh)

    # the first (square) case shows it as values, so the hint is specific
    fails(check.rnn_step, shape_error, "W_ih instead of W_ih^T")


def test_two_mistakes_are_named_together():
    def two(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return sig(x @ W_ih.T + h @ W_hh.T + b_hh)

    fails(check.rnn_step, two, "two mistakes", "sigmoid where", "left out b_ih")


def test_shape_error_hint_on_non_square_case():
    def only_fails_when_d_ne_h(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(np.einsum("bd,dh->bh", x, W_ih) + b_ih + h @ W_hh.T + b_hh)

    with pytest.raises(AssertionError) as info:
        check.rnn_step(
            lambda x, h, p: (
                rnn_ok if x.shape[1] == h.shape[1] else only_fails_when_d_ne_h
            )(x, h, p)
        )
    assert "shape mismatch" in str(info.value) or "raised" in str(info.value)


def test_check_report_is_short_and_names_cases(capsys):
    check.rnn_step(rnn_ok)
    out = capsys.readouterr().out
    assert "float32" in out and "float64" in out and "D=5, H=3" in out
    assert len(out.splitlines()) <= 8


# ---------------------------------------------------------------------- rnn_forward


def forward_ok(x, params, h0=None):
    h = (
        np.zeros((x.shape[1], params["weight_hh_l0"].shape[1]), x.dtype)
        if h0 is None
        else h0
    )
    out = []
    for x_t in x:
        h = rnn_ok(x_t, h, params)
        out.append(h)
    return np.stack(out), h


def test_rnn_forward():
    check.rnn_forward(forward_ok)

    def off_by_one(x, params, h0=None):
        out, h = forward_ok(x, params, h0)
        first = np.zeros_like(h) if h0 is None else h0
        return np.concatenate([first[None], out[:-1]]), h

    fails(check.rnn_forward, off_by_one, "shifted by one step")

    def ignores_h0(x, params, h0=None):
        return forward_ok(x, params, None)

    fails(check.rnn_forward, ignores_h0, "ignores h0")

    def batch_major(x, params, h0=None):
        out, h = forward_ok(x, params, h0)
        return out.transpose(1, 0, 2), h

    fails(check.rnn_forward, batch_major, "time-major")

    def with_h0(x, params, h0=None):
        out, h = forward_ok(x, params, h0)
        return np.concatenate([h0[None], out]), h

    fails(check.rnn_forward, with_h0, "includes h0")

    def first_as_last(x, params, h0=None):
        out, _ = forward_ok(x, params, h0)
        return out, out[0]

    fails(check.rnn_forward, first_as_last, "h_n must be the last hidden state")

    def no_b_hh_steps(x, params, h0=None):
        p = dict(params, bias_hh_l0=np.zeros_like(params["bias_hh_l0"]))
        return forward_ok(x, p, h0)

    fails(check.rnn_forward, no_b_hh_steps, "your steps are wrong", "left out b_hh")

    fails(
        check.rnn_forward,
        lambda x, params, h0=None: forward_ok(x, params, h0)[0],
        "should return the pair",
    )


# ---------------------------------------------------------------------------- latch


def test_latch():
    check.latch(lambda: (2.0, 4.0, 0.0))
    fails(check.latch, lambda: (0.9, 4.0, 0.0), "|w_hh| = 0.9 <= 1")
    fails(check.latch, lambda: (-2.0, 4.0, 0.0), "oscillation")
    fails(check.latch, lambda: (2.0, 4.0, 1.5), "switches itself on")
    fails(check.latch, lambda: (3.0, 1.0, 0.0), "too weak")
    fails(check.latch, lambda: 2.0, "three numbers")


# ------------------------------------------------------------------------ lstm_step


def lstm_ok(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = (
        sig(a[:, :H]),
        sig(a[:, H : 2 * H]),
        np.tanh(a[:, 2 * H : 3 * H]),
        sig(a[:, 3 * H :]),
    )
    c_next = f * c + i * g
    return o * np.tanh(c_next), c_next


def lstm_per_gate(
    x, h, c, params
):  # slices each gate's weights, einsum, other op order
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]

    def gate(k, act):
        rows = slice(k * H, (k + 1) * H)
        pre = (
            np.einsum("bd,hd->bh", x, W_ih[rows])
            + np.einsum("bk,hk->bh", h, W_hh[rows])
            + b_hh[rows]
            + b_ih[rows]
        )
        return act(pre)

    half_tanh = lambda a: 0.5 + 0.5 * np.tanh(0.5 * a)  # noqa: E731 - the sigmoid, another way
    i, f, g, o = (
        gate(0, half_tanh),
        gate(1, half_tanh),
        gate(2, np.tanh),
        gate(3, half_tanh),
    )
    c_next = i * g + c * f
    return np.tanh(c_next) * o, c_next


def lstm_concat(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    W = np.hstack([W_ih, W_hh])
    a = np.hstack([x, h]) @ W.T + b_ih + b_hh
    i, f, g, o = np.split(a, 4, axis=1)
    c_next = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c_next), c_next


@pytest.mark.parametrize("student", [lstm_ok, lstm_per_gate, lstm_concat])
def test_lstm_step_accepts_correct_forms(student, capsys):
    check.lstm_step(student)
    assert "All correct" in capsys.readouterr().out


def test_lstm_step_hints():
    """What the step returns and changes; the mistakes inside the step are in the
    mutation suite (tests/test_mutations.py, 3.1)."""
    fails(
        check.lstm_step,
        lambda x, h, c, p: lstm_ok(x, h, c, p)[::-1],
        "returned (c_next, h_next)",
    )
    fails(
        check.lstm_step,
        lambda x, h, c, p: lstm_ok(x, h, c, p)[0],
        "should return the pair",
    )

    def gates_out(x, h, c, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        return a, c

    fails(check.lstm_step, gates_out, "all 4 stacked blocks")

    def in_place(x, h, c, params):
        c *= 1.0  # harmless, but then:
        params["weight_hh_l0"] *= 1.0001
        return lstm_ok(x, h, c, params)

    fails(check.lstm_step, in_place, "changed params['weight_hh_l0'] in place")

    def c_in_place(x, h, c, params):
        h_next, c_next = lstm_ok(x, h, c, params)
        c[:] = c_next
        return h_next, c

    fails(check.lstm_step, c_in_place, "changed its argument c in place")


# ------------------------------------------------------------------------- gru_step


def gru_with(
    order="rzn",
    gate=sig,
    cand=np.tanh,
    reversed_interp=False,
    placement=None,
    b_hh=True,
    transpose_hh=False,
):
    def student(x, h, params, reset_after=True):
        W_ih, W_hh, b_ih, bh = P(params)
        H = h.shape[1]
        bh = bh if b_hh else np.zeros_like(bh)
        blocks = {}
        for k, name in enumerate(order):
            rows = slice(k * H, (k + 1) * H)
            Wh = W_hh[rows] if transpose_hh else W_hh[rows].T
            blocks[name] = (W_ih[rows].T, Wh, b_ih[rows], bh[rows])
        (Wir, Whr, bir, bhr), (Wiz, Whz, biz, bhz) = blocks["r"], blocks["z"]
        Win, Whn, bin_, bhn = blocks["n"]
        r = gate(x @ Wir + bir + h @ Whr + bhr)
        z = gate(x @ Wiz + biz + h @ Whz + bhz)
        where = placement or ("after" if reset_after else "before")
        if where == "after":
            n = cand(x @ Win + bin_ + r * (h @ Whn + bhn))
        elif where == "before":
            n = cand(x @ Win + bin_ + (r * h) @ Whn + bhn)
        else:  # on the input
            n = cand(r * (x @ Win + bin_) + h @ Whn + bhn)
        return z * n + (1 - z) * h if reversed_interp else (1 - z) * n + z * h

    return student


def gru_einsum(x, h, params, reset_after=True):
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    gi = np.einsum("bd,gd->bg", x, W_ih) + b_ih
    gh_rz = np.einsum("bk,gk->bg", h, W_hh[: 2 * H]) + b_hh[: 2 * H]
    r, z = np.split(sig(gi[:, : 2 * H] + gh_rz), 2, axis=1)
    W_hn, b_hn = W_hh[2 * H :], b_hh[2 * H :]
    inner = r * (h @ W_hn.T + b_hn) if reset_after else (r * h) @ W_hn.T + b_hn
    n = np.tanh(gi[:, 2 * H :] + inner)
    return n + z * (h - n)  # = (1 - z) n + z h


@pytest.mark.parametrize("student", [gru_with(), gru_einsum])
def test_gru_step_accepts_correct_forms(student, capsys):
    check.gru_step(student)
    out = capsys.readouterr().out
    assert "reset_after=False" in out and "All correct" in out


def test_gru_step_hints():
    fails(check.gru_step, gru_with(reversed_interp=True), "interpolation is reversed")
    fails(
        check.gru_step,
        gru_with(placement="after"),
        "reset gate in the wrong place",
        "reset_after=False",
    )
    fails(
        check.gru_step,
        gru_with(placement="before"),
        "reset gate in the wrong place",
        "reset_after=True",
    )
    fails(check.gru_step, gru_with(placement="input"), "multiplies the input term")
    fails(check.gru_step, gru_with(order="zrn"), "gate order", "update, reset, new")
    fails(
        check.gru_step, gru_with(gate=np.tanh, cand=sig), "sigmoid and tanh are swapped"
    )
    fails(check.gru_step, gru_with(b_hh=False), "left out b_hh")
    fails(check.gru_step, gru_with(transpose_hh=True), "W_hh instead of W_hh^T")

    def no_flag(x, h, params):
        return gru_with()(x, h, params)

    fails(check.gru_step, no_flag, "unexpected keyword argument", "keep the signature")

    def in_place(x, h, params, reset_after=True):
        params["bias_hh_l0"][:1] = 0
        return gru_with()(x, h, params, reset_after)

    fails(check.gru_step, in_place, "changed params['bias_hh_l0'] in place")


def test_ipython_traceback_hides_the_checker_frames():
    """In a notebook a failed check shows the student's line and the hint only."""
    import os
    import sys

    shown = {}

    class Shell:
        def showtraceback(self, exc_tuple, tb_offset=None):
            shown["tb"] = exc_tuple[2]

    def cell():
        check.rnn_step(lambda x, h, p: None)

    try:
        cell()
    except check.CheckFailed:
        etype, value, tb = sys.exc_info()
    check.harness._short_traceback(Shell(), etype, value, tb)
    files = []
    node = shown["tb"]
    while node is not None:
        files.append(node.tb_frame.f_code.co_filename)
        node = node.tb_next
    package = os.path.dirname(os.path.abspath(check.__file__))
    assert files and all(os.path.dirname(f) != package for f in files)
    assert isinstance(value, AssertionError) and "returned None" in str(value)


# ------------------------------------------------------------ backward passes (02, 04)


def rnn_step_backward_ok(dh_next, x, h_prev, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    da = dh_next * (1 - h**2)
    db = da.sum(0)
    grads = {
        "weight_ih_l0": da.T @ x,
        "weight_hh_l0": da.T @ h_prev,
        "bias_ih_l0": db,
        "bias_hh_l0": db.copy(),
    }
    return da @ W_ih, da @ W_hh, grads


def test_rnn_step_backward_hints():
    def no_slope(dh_next, x, h_prev, params):
        W_ih, W_hh, *_ = P(params)
        da = dh_next
        db = da.sum(0)
        return (
            da @ W_ih,
            da @ W_hh,
            {
                "weight_ih_l0": da.T @ x,
                "weight_hh_l0": da.T @ h_prev,
                "bias_ih_l0": db,
                "bias_hh_l0": db,
            },
        )

    fails(check.rnn_step_backward, no_slope, "slope is missing")

    def transposed_dw(dh_next, x, h_prev, params):
        dx, dh, g = rnn_step_backward_ok(dh_next, x, h_prev, params)
        return dx, dh, dict(g, weight_ih_l0=g["weight_ih_l0"].T)

    fails(check.rnn_step_backward, transposed_dw, "weight gradients are transposed")

    def unsummed_bias(dh_next, x, h_prev, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
        da = dh_next * (1 - h**2)
        dx, dh, g = rnn_step_backward_ok(dh_next, x, h_prev, params)
        return dx, dh, dict(g, bias_ih_l0=da)

    fails(check.rnn_step_backward, unsummed_bias, "not summed over the batch")

    def wrong_dh_prev(dh_next, x, h_prev, params):
        dx, dh, g = rnn_step_backward_ok(dh_next, x, h_prev, params)
        W_ih, W_hh, b_ih, b_hh = P(params)
        h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
        return dx, (dh_next * (1 - h**2)) @ W_hh.T, g

    fails(check.rnn_step_backward, wrong_dh_prev, "dh_prev = da @ W_hh")


def rnn_backward_ok(dout, x, params, h0):
    out, _, _ = forward_ok(x, params, h0), None, None
    states = np.concatenate([h0[None], out[0]])
    dx, dh = np.zeros_like(x), np.zeros_like(h0)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for t in range(len(x) - 1, -1, -1):
        dx[t], dh, step = rnn_step_backward_ok(dout[t] + dh, x[t], states[t], params)
        for k in grads:
            grads[k] += step[k]
    return dx, grads, dh


def test_rnn_backward():
    check.rnn_backward(rnn_backward_ok)

    def no_carry(dout, x, params, h0):
        states = np.concatenate([h0[None], forward_ok(x, params, h0)[0]])
        dx, dh = np.zeros_like(x), np.zeros_like(h0)
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        for t in range(len(x) - 1, -1, -1):
            dx[t], dh, step = rnn_step_backward_ok(dout[t], x[t], states[t], params)
            for k in grads:
                grads[k] += step[k]
        return dx, grads, dh

    fails(
        check.rnn_backward, no_carry, "dropped the gradient that comes from the future"
    )

    def last_grads_only(dout, x, params, h0):
        states = np.concatenate([h0[None], forward_ok(x, params, h0)[0]])
        dx, dh = np.zeros_like(x), np.zeros_like(h0)
        for t in range(len(x) - 1, -1, -1):
            dx[t], dh, step = rnn_step_backward_ok(
                dout[t] + dh, x[t], states[t], params
            )
            if t == len(x) - 1:
                grads = step
        return dx, grads, dh

    fails(check.rnn_backward, last_grads_only, "weights are shared")


def test_clip_by_norm():
    def ok(grads, max_norm):
        norm = float(np.sqrt(sum((g.astype(float) ** 2).sum() for g in grads.values())))
        return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}, norm

    def ok_flat(grads, max_norm):
        flat = np.concatenate([g.ravel() for g in grads.values()]).astype(np.float64)
        norm = np.linalg.norm(flat)
        factor = max_norm / norm if norm > max_norm else 1
        return {k: (factor * g).astype(g.dtype) for k, g in grads.items()}, norm

    check.clip_by_norm(ok)
    check.clip_by_norm(ok_flat)

    def per_array(grads, max_norm):
        out = {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}
        return out, np.sqrt(sum((g**2).sum() for g in grads.values()))

    fails(check.clip_by_norm, per_array, "each array by its own norm")

    def always(grads, max_norm):
        norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
        return {k: g * max_norm / norm for k, g in grads.items()}, norm

    fails(check.clip_by_norm, always, "even when the norm is below")

    def in_place(grads, max_norm):
        norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
        for g in grads.values():
            g *= min(1.0, max_norm / norm)
        return grads, norm

    fails(check.clip_by_norm, in_place, "in place")

    def numpy_scalar(grads, max_norm):  # float32 * np.float64 is float64 in NumPy 2
        norm = np.sqrt(sum((g.astype(float) ** 2).sum() for g in grads.values()))
        return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}, norm

    fails(check.clip_by_norm, numpy_scalar, "float(scale)")
    fails(
        check.clip_by_norm,
        lambda grads, max_norm: ({}, 1.0),
        "clipped from clip_by_norm lacks",
        "every key of grads",
    )


def test_lstm_forward():
    def ok(x, params, h0=None, c0=None, lengths=None):
        B, H = x.shape[1], params["weight_hh_l0"].shape[1]
        h = np.zeros((B, H), x.dtype) if h0 is None else h0
        c = np.zeros((B, H), x.dtype) if c0 is None else c0
        L = np.full(B, len(x)) if lengths is None else lengths
        out = []
        for t, x_t in enumerate(x):
            h_new, c_new = lstm_ok(x_t, h, c, params)
            real = (t < L)[:, None]
            h, c = np.where(real, h_new, h), np.where(real, c_new, c)
            out.append(np.where(real, h, 0))
        return np.stack(out), (h, c)

    check.lstm_forward(ok)

    def c_not_carried(x, params, h0=None, c0=None):
        B, H = x.shape[1], params["weight_hh_l0"].shape[1]
        h = np.zeros((B, H), x.dtype) if h0 is None else h0
        c_start = np.zeros((B, H), x.dtype) if c0 is None else c0
        out = []
        for x_t in x:
            h, c = lstm_ok(x_t, h, c_start, params)
            out.append(h)
        return np.stack(out), (h, c)

    fails(check.lstm_forward, c_not_carried, "cell state is not carried")

    def swapped(x, params, h0=None, c0=None):
        out, (h, c) = ok(x, params, h0, c0)
        return out, (c, h)

    fails(check.lstm_forward, swapped, "the pair is (h_n, c_n)")


def test_pulse_memory():
    check.pulse_memory(lambda: (6.0, 12.0, -7.0))
    check.pulse_memory(lambda: (8.0, 20.0, -12.0))
    fails(check.pulse_memory, lambda: (2.0, 12.0, -7.0), "forget gate")
    fails(check.pulse_memory, lambda: (6.0, 12.0, 0.0), "input gate is open for small")
    fails(check.pulse_memory, lambda: (6.0, 1.0, -3.0), "lets in only")
    fails(check.pulse_memory, lambda: None, "three numbers")


def test_gru_step_backward_and_param_count():
    from tests.test_mutations import gsb_ok_stacked

    def through_reference(dh_next, x, h_prev, params, reset_after=True):
        # one step of the reference forward and backward: not the student's work
        from utils import cells

        _, _, cache = cells.gru_forward(
            x[None], params, h_prev, reset_after=reset_after
        )
        dx, dparams, dh = cells.gru_backward(dh_next[None], cache)
        return dx[0], dh, dparams

    check.gru_step_backward(gsb_ok_stacked)
    fails(check.gru_step_backward, through_reference, "write it yourself")
    for kw, hint in check.nb05_mistakes.gru_step_backward_mistakes(True)[:2]:

        def wrong(*a, reset_after=True, kw=kw):
            return check.nb05_mistakes.gru_step_backward_variant(
                *a, reset_after=reset_after, **kw
            )

        fails(check.gru_step_backward, wrong, hint[:30])

    check.param_count(
        lambda kind, D, H: (
            {"rnn": 1, "lstm": 4, "gru": 3}[kind] * (H * D + H * H + 2 * H)
        )
    )
    fails(
        check.param_count,
        lambda kind, D, H: {"rnn": 1, "lstm": 4, "gru": 3}[kind] * (H * D + H * H),
        "left out the biases",
    )
    fails(
        check.param_count,
        lambda kind, D, H: {"rnn": 1, "lstm": 4, "gru": 3}[kind] * (H * D + H * H + H),
        "two bias vectors",
    )
    fails(check.param_count, lambda kind, D, H: H * D + H * H + 2 * H, "multiply by k")
    fails(check.param_count, lambda kind, D, H: "many", "return an integer")


def test_cifg_step():
    def ok(x, h, c, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        f, g, o = np.split(x @ W_ih.T + h @ W_hh.T + b_ih + b_hh, 3, axis=1)
        f = sig(f)
        c_next = c + (1 - f) * (np.tanh(g) - c)  # = f c + (1 - f) g
        return sig(o) * np.tanh(c_next), c_next

    check.cifg_step(ok)

    def reversed_coupling(x, h, c, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        f, g, o = np.split(x @ W_ih.T + h @ W_hh.T + b_ih + b_hh, 3, axis=1)
        c_next = (1 - sig(f)) * c + sig(f) * np.tanh(g)
        return sig(o) * np.tanh(c_next), c_next

    fails(check.cifg_step, reversed_coupling, "coupling is reversed")

    def no_output_gate(x, h, c, params):
        _, c_next = ok(x, h, c, params)
        return np.tanh(c_next), c_next

    fails(check.cifg_step, no_output_gate, "output gate is missing")


def _distinct(outputs, reference, close):
    """The (hint, output) pairs that agree with the reference or with each other."""
    bad = [(hint, "the right answer") for hint, out in outputs if close(out, reference)]
    for (h1, o1), (h2, o2) in itertools.combinations(outputs, 2):
        if close(o1, o2) and not close(o1, reference):
            bad.append((h1, h2))
    return bad


def _step_outputs(call, variant, catalogue):
    out = []
    for kw, hint in catalogue:
        try:
            with np.errstate(all="ignore"):
                out.append((hint, variant(*call.values(), **kw)))
        except ValueError:  # a transposed weight that cannot fit: a shape error
            pass
    return out


@pytest.mark.parametrize(
    "cases,variant,catalogue",
    [
        (
            check.nb06_lstm_vs_gru._cifg_cases,
            check.nb06_lstm_vs_gru.cifg_variant,
            check.nb06_lstm_vs_gru.cifg_mistakes,
        ),
        (
            check.nb08_lstm_ablation._peephole_cases,
            check.nb08_lstm_ablation.peephole_variant,
            check.nb08_lstm_ablation.peephole_mistakes,
        ),
    ],
    ids=["cifg_step", "peephole_step"],
)
def test_cifg_step_and_peephole_step_mistakes_differ_on_every_case(
    cases, variant, catalogue
):
    """Each mistake in the catalogue gives its own outputs on each hidden case, so
    that the hint it names is the only one that explains them."""

    def close(a, b):
        return check.diagnose.compare_all(
            a, tuple(np.asarray(v, a[0].dtype) for v in b)
        )

    for label, call in cases():
        ref = variant(*call.values())
        outputs = _step_outputs(call, variant, catalogue())
        singles = [(h, o) for h, o in outputs if not close(o, ref)]
        assert not _distinct(singles, ref, close), label


def test_softmax_temperature_and_bits_per_char_mistakes_differ_on_every_case():
    for label, z, T in check.nb07_char_language_model._softmax_cases():
        ref = utils.charlm.softmax_temperature(z, T)
        outputs = []
        for variant, hint in check.nb07_mistakes.softmax_temperature_mistakes():
            try:
                with np.errstate(all="ignore"):
                    guess = variant(z.astype(np.float64), T)
            except (ValueError, IndexError):
                continue
            if guess.shape == ref.shape:
                outputs.append((hint, guess.astype(z.dtype)))
        outputs = [(h, g) for h, g in outputs if not check.diagnose.close(g, ref)]
        assert not _distinct(outputs, ref, check.diagnose.close), label
    for i, (label, z, V) in enumerate(check.nb07_char_language_model._bpc_cases()):
        y = np.random.default_rng(703 + i).integers(0, V, len(z))
        y[0] = z[0].argmin()
        zz = z.astype(np.float64)
        ref = float(-check.nb07_mistakes.log2_softmax_at(zz, y).mean())
        tol = 1e-6 if z.dtype == np.float64 else 1e-4

        def close(a, b, tol=tol):
            return bool(np.isclose(a, b, rtol=tol, atol=tol))

        outputs = [
            (hint, float(variant(zz, y)))
            for variant, hint in check.nb07_mistakes.bits_per_char_mistakes()
        ]
        assert not _distinct(outputs, ref, close), label


def test_line_position_cell_decoys_are_distinct_and_not_the_answer():
    """Each mistake's unit is its own, the answer is none of them and not unit 0,
    and the check's answer is what the statement's position gives."""
    for (
        label,
        states,
        text,
        answer,
        picks,
    ) in check.nb07_char_language_model._line_cell_cases():
        assert len({answer, *picks.values()}) == len(picks) + 1, label
        assert answer > 0
        position, p = np.empty(len(text)), 0
        for t, ch in enumerate(text):
            position[t] = p
            p = 0 if ch == "\n" else p + 1
        corr = np.abs(np.corrcoef(states.T, position)[-1, :-1])
        assert int(np.argmax(corr)) == answer, label


@pytest.mark.parametrize("name", ["stable_sigmoid", "rnn_step", "lstm_step", "latch"])
def test_a_function_that_never_returns_is_stopped(name, monkeypatch):
    monkeypatch.setattr(check, "TIME_LIMIT", 0.3)

    def forever(*args, **kwargs):
        while True:
            try:
                pass
            except Exception:  # a student's broad except must not swallow the stop
                pass

    fails(getattr(check, name), forever, "was stopped", "never ends")
    # and the alarm is off again: a slow but finite function afterwards is fine
    check.rnn_step(rnn_ok)


# ------------------------------------------------ the student's own work (issue 13)


def _cheat_rnn(x, h, params):
    import utils

    return utils.rnn_step(x, h, params)


def _cheat_gru(x, h, params, reset_after=True):
    import utils.cells

    return utils.cells.gru_step(x, h, params, reset_after=reset_after)


def _cheat_sigmoid(a):
    import utils

    return utils.sigmoid(a)


def _cheat_clip(grads, max_norm):
    from utils import training

    return training.clip_grad_norm(grads, max_norm)


def _cheat_softmax(logits, temperature):
    from utils.charlm import softmax_temperature

    return softmax_temperature(logits, temperature)


def _cheat_mistakes(x, h, params):  # the checker's model with no mistake in it
    from utils.check import nb01_vanilla_rnn

    return nb01_vanilla_rnn.rnn_variant(x, h, params)


def _cheat_swallowed(x, h, params):  # catches the refusal and answers anyway
    import utils

    try:
        return utils.rnn_step(x, h, params)
    except BaseException:
        return rnn_ok(x, h, params)


@pytest.mark.parametrize(
    "name,reference",
    [
        ("rnn_step", "rnn_step"),
        ("stable_sigmoid", "sigmoid"),
        ("lstm_step", "lstm_step"),
        ("rnn_forward", "rnn_forward"),
    ],
)
def test_handing_over_the_reference_itself_is_refused(name, reference):
    """`rnn_step = utils.rnn_step` (or a partial of it) is not the student's work."""
    import functools

    import utils

    ref = getattr(utils, reference)
    for student in (ref, functools.partial(ref)):
        message = fails(getattr(check, name), student, "write it yourself")
        assert "All correct" not in message
    assert getattr(utils, reference) is ref


@pytest.mark.parametrize(
    "name,student,reference",
    [
        ("rnn_step", _cheat_rnn, "utils.rnn_step"),
        ("gru_step", _cheat_gru, "utils.gru_step"),
        ("stable_sigmoid", _cheat_sigmoid, "utils.sigmoid"),
        ("clip_by_norm", _cheat_clip, "utils.training.clip_grad_norm"),
        ("softmax_temperature", _cheat_softmax, "utils.charlm.softmax_temperature"),
        ("rnn_step", _cheat_mistakes, "utils.check.nb01_vanilla_rnn.rnn_variant"),
        ("rnn_step", _cheat_swallowed, "utils.rnn_step"),
    ],
)
def test_calling_the_reference_is_refused(name, student, reference):
    import utils

    before = {k: getattr(utils, k) for k in utils.__all__}
    message = fails(
        getattr(check, name),
        student,
        f"{name} calls {reference}, the course's reference",
        "write it yourself",
    )
    assert "All correct" not in message
    assert {k: getattr(utils, k) for k in utils.__all__} == before
    x, h = np.ones((2, 3)), np.zeros((2, 4))
    params = utils.init_params("rnn", 3, 4, np.random.default_rng(0))
    assert utils.rnn_step(x, h, params).shape == (2, 4)  # works again
    assert utils.cells.sigmoid is utils.sigmoid is utils.check.nb03_mistakes.sigmoid


def test_a_reference_imported_before_the_check_is_refused_too():
    """`from utils import lstm_step as ref` in the notebook (the function's globals)
    or in an enclosing function (a closure), then ref(...) in the exercise."""
    import utils
    from utils import lstm_step as ref

    def closure(x, h, c, params):
        return ref(x, h, c, params)

    notebook = {"ref": ref}  # a notebook's namespace: the function's globals
    exec("def lstm_step(x, h, c, params):\n    return ref(x, h, c, params)\n", notebook)
    for student in (closure, notebook["lstm_step"]):
        fails(check.lstm_step, student, "calls utils.lstm_step", "write it yourself")
    assert notebook["ref"] is ref is utils.lstm_step is utils.cells.lstm_step
    assert closure.__closure__[0].cell_contents is ref


def test_a_reference_kept_as_a_default_argument_is_refused_too():
    """`def rnn_step(x, h, params, _ref=utils.rnn_step)` (or a keyword-only default)
    captured the reference before the check ran; it is refused all the same, and
    the defaults are the reference again afterwards."""
    import utils

    def positional(x, h, params, _ref=utils.rnn_step):
        return _ref(x, h, params)

    def keyword(x, h, params, *, _ref=utils.rnn_step):
        return _ref(x, h, params)

    for student in (positional, keyword):
        fails(check.rnn_step, student, "calls utils.rnn_step", "write it yourself")
    assert positional.__defaults__ == (utils.rnn_step,)
    assert keyword.__kwdefaults__ == {"_ref": utils.rnn_step}


def test_a_reference_reached_through_its_own_module_is_refused_too():
    """utils.cells.lstm.lstm_step is the function utils.cells.lstm_step names: every
    module of utils that holds it is covered, and it comes back afterwards."""
    import utils.cells.lstm

    def submodule(x, h, c, params):
        return utils.cells.lstm.lstm_step(x, h, c, params)

    fails(check.lstm_step, submodule, "calls utils.lstm_step", "write it yourself")
    assert utils.cells.lstm.lstm_step is utils.cells.lstm_step is utils.lstm_step


def test_references_that_are_only_a_part_of_the_answer_stay_available(capsys):
    import utils

    def lstm_with_the_course_sigmoid(x, h, c, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
        c_next = utils.sigmoid(f) * c + utils.sigmoid(i) * np.tanh(g)
        return utils.sigmoid(o) * np.tanh(c_next), c_next

    check.lstm_step(lstm_with_the_course_sigmoid)

    def backward_with_the_course_forward(dout, x, params, h0):  # exercise 2.2 allows it
        out, _, _ = utils.rnn_forward(x, params, h0)
        states = np.concatenate([h0[None], out])
        dx, dh = np.zeros_like(x), np.zeros_like(h0)
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        for t in range(len(x) - 1, -1, -1):
            dx[t], dh, step = rnn_step_backward_ok(
                dout[t] + dh, x[t], states[t], params
            )
            for k in grads:
                grads[k] += step[k]
        return dx, grads, dh

    check.rnn_backward(backward_with_the_course_forward)
    assert capsys.readouterr().out.count("All correct") == 2


def test_the_references_come_back_after_a_stop_or_an_interrupt(monkeypatch):
    import utils

    rnn_step = utils.rnn_step
    monkeypatch.setattr(check, "TIME_LIMIT", 0.2)

    def forever(x, h, params):
        while True:
            pass

    def interrupted(x, h, params):
        raise KeyboardInterrupt

    fails(check.rnn_step, forever, "was stopped")
    with pytest.raises(KeyboardInterrupt):
        check.rnn_step(interrupted)
    assert utils.rnn_step is rnn_step and utils.cells.rnn_step is rnn_step


def test_the_table_of_references_names_real_functions_of_real_checks():
    import importlib

    for name, entries in check.references.REFERENCES.items():
        assert getattr(getattr(check, name), "__wrapped__", None), name
        for entry in entries:
            module, attr = entry.rsplit(".", 1)
            assert callable(getattr(importlib.import_module(f"utils.{module}"), attr))


# ----------------------------------------------- where the student's code raised


def test_an_error_shows_the_students_own_line():
    import inspect

    def rnn_step(x, h, params):
        W_ih = params["weight_ih_l0"]
        a = x @ W_ih.T + params["bias_ih_l0"][:2]
        return np.tanh(a)

    line = inspect.getsourcelines(rnn_step)[1] + 2
    message = fails(
        check.rnn_step,
        rnn_step,
        f"in your rnn_step, line {line} of test_check.py",
        '`a = x @ W_ih.T + params["bias_ih_l0"][:2]`',
    )
    assert "utils" not in message and "check.py," not in message
    checker = Path(check.__file__).parent.glob("*.py")
    assert not any(f"of {p.name}" in message for p in checker)


def test_an_error_in_a_notebook_cell_shows_the_line_of_the_cell():
    """Notebook code lives in files like /tmp/ipykernel_*/*.py whose source is in
    linecache only; the line number counts within the cell."""
    import linecache

    source = (
        "def helper(a, b):\n"
        "    return a * b\n"
        "\n"
        "def rnn_step(x, h, params):\n"
        "    W_ih = params['weight_ih_l0']\n"
        "    a = helper(x @ W_ih.T, params['bias_ih_l0'][:2])\n"
        "    return np.tanh(a)\n"
    )
    filename = "/tmp/ipykernel_4242/2718281828.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    cell = {"np": np}
    exec(compile(source, filename, "exec"), cell)
    message = fails(
        check.rnn_step,
        cell["rnn_step"],
        "in your function helper (called from your rnn_step), line 2: `return a * b`",
        "an elementwise operation",
    )
    assert "2718281828.py" not in message and "wrong way round" not in message


def test_an_error_inside_utils_shows_the_students_call():
    import utils

    def rnn_step(x, h, params):  # the wrong cell: utils raises on the params
        return utils.lstm_step(x, h, h, params)

    message = fails(
        check.rnn_step, rnn_step, "`return utils.lstm_step(x, h, h, params)`"
    )
    assert "cells.py" not in message and "in your rnn_step, line" in message
    assert not any(
        p.name in message for p in Path(utils.cells.__file__).parent.glob("*.py")
    )


# ------------------------------------------------------------- hints never mislead


def test_a_broadcast_error_is_not_blamed_on_a_weight():
    def rnn_step(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_ih.T + np.concatenate([b_ih, b_hh]) + h @ W_hh.T)

    message = fails(
        check.rnn_step,
        rnn_step,
        "an elementwise operation (+, -, *, /) on that line",
        "of shapes (3,4) and (8,)",
        "W_ih (4, 4)",
    )
    assert "wrong way round" not in message


def test_a_matmul_error_names_the_sizes_and_the_usual_cause():
    def rnn_step(x, h, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        return np.tanh(x @ W_hh.T @ W_ih + b_ih + b_hh)  # (B, D) @ (H, H) with D != H

    def square_first(x, h, params):  # right where D = H, so that D != H is reached
        return (rnn_ok if x.shape[1] == h.shape[1] else rnn_step)(x, h, params)

    fails(
        check.rnn_step,
        square_first,
        "a matrix product on that line does not fit (A has 5 columns, B has 3 rows)",
        "wrong way round",
        "in your function rnn_step (called from your rnn_step)",
    )


def test_unexplained_wrong_values_say_which_output_element_and_by_how_much():
    def one_entry_off(x, h, params):
        h_next = rnn_ok(x, h, params)
        h_next[1, 2] += 0.25
        return h_next

    message = fails(
        check.rnn_step,
        one_entry_off,
        "h_next[1, 2] is ",
        "(off by +0.25); 1 of its 12 entries are off.",
        "none of the usual mistakes explains it",
    )
    assert message.index("h_next[1, 2]") < message.index("Hint:")

    def h_off(x, h, c, params):
        h_next, c_next = lstm_ok(x, h, c, params)
        return h_next * 1.5, c_next

    fails(check.lstm_step, h_off, "h_next[", "right: c_next.", "c_next is right")

    def all_off(dh_next, x, h_prev, params):
        dx, dh, g = rnn_step_backward_ok(dh_next, x, h_prev, params)
        return dx + 0.5, dh + 0.5, {k: v + 0.5 for k, v in g.items()}

    fails(
        check.rnn_step_backward,
        all_off,
        "(off by +0.5)",
        "also wrong: dh_prev, dparams['weight_ih_l0']",
        "Go backwards through the forward pass",
    )


def test_a_guess_is_named_only_when_it_is_the_only_one():
    student = (np.ones(3),)

    def compute(kw):
        return np.ones(3) if kw.get("same") else np.zeros(3)

    one = [({"same": 1}, "hint A"), ({"other": 1}, "hint B")]
    assert check.diagnose.diagnose(student, one, compute) == "hint A"
    alike = [({"same": 1}, "hint A"), ({"same": 2}, "hint A")]
    assert check.diagnose.diagnose(student, alike, compute) == "hint A"
    two = [({"same": 1}, "hint A"), ({"same": 2}, "hint B")]
    both = check.diagnose.diagnose(student, two, compute)
    assert "one of these" in both and "hint A" in both and "hint B" in both
    many = [({"same": k}, f"hint {k}") for k in range(1, 5)]
    assert check.diagnose.diagnose(student, many, compute) is None

    def pairs(kw):
        return np.ones(3) if len(kw) == 2 else np.zeros(3)

    two_pairs = [({"a": 1}, "A"), ({"b": 1}, "B"), ({"c": 1}, "C")]
    assert check.diagnose.diagnose(student, two_pairs, pairs) is None
    assert "two mistakes" in check.diagnose.diagnose(student, two_pairs[:2], pairs)


# ------------------------------ every catalogued mistake gets its own hint (00-02)


def _as_student(name, kw):
    """A student whose function is the catalogued mistake kw of exercise name."""
    if name == "rnn_step":
        return lambda x, h, params: check.nb01_vanilla_rnn.rnn_variant(
            x, h, params, **kw
        )
    if name == "rnn_step_backward":
        return lambda dh_next, x, h_prev, params: (
            check.nb02_mistakes.rnn_step_backward_variant(
                dh_next, x, h_prev, params, **kw
            )
        )
    if name == "rnn_backward":
        return lambda dout, x, params, h0: check.nb02_mistakes.rnn_backward_variant(
            dout, x, params, h0, **kw
        )
    return lambda grads, max_norm: check.nb02_clipping.clip_variant(
        grads, max_norm, **kw
    )


_CATALOGUES = {
    "rnn_step": check.nb01_vanilla_rnn.rnn_mistakes,
    "rnn_step_backward": check.nb02_mistakes.rnn_step_backward_mistakes,
    "rnn_backward": check.nb02_mistakes.rnn_backward_mistakes,
    "clip_by_norm": check.nb02_clipping.clip_mistakes,
}


@pytest.mark.parametrize(
    "name,kw,hint",
    [
        pytest.param(name, kw, hint, id=f"{name}-{i}")
        for name, catalogue in _CATALOGUES.items()
        for i, (kw, hint) in enumerate(catalogue())
    ],
)
def test_each_catalogued_mistake_is_named_alone(name, kw, hint):
    """Submitted as a student's function, each mistake of the catalogue is caught
    and named by its own hint alone: the hidden case where it first shows tells it
    apart from every other mistake."""
    with pytest.raises(AssertionError) as info:
        getattr(check, name)(_as_student(name, kw))
    message = str(info.value)
    assert hint in message, message
    assert "two mistakes" not in message and "one of these" not in message, message


# ------------------------------ every catalogued mistake gets its own hint (03-05)


def _as_cell_student(name, kw, reset_after=None):
    """A student whose function is the catalogued mistake kw of exercise name; for
    the GRU, only in the placement reset_after (right in the other)."""
    if name == "lstm_step":
        return lambda x, h, c, params: check.nb03_mistakes.lstm_variant(
            x, h, c, params, **kw
        )
    if name == "lstm_backward":
        return lambda *args, **k: check.nb04_lstm_backward.lstm_backward_variant(
            *args, **k, **kw
        )
    if name == "gru_step":

        def gru(x, h, params, reset_after=True, ra=reset_after):
            if reset_after != ra:  # right here (the variant itself is blocked)
                return gru_with()(x, h, params, reset_after)
            return check.nb05_mistakes.gru_variant(x, h, params, reset_after, **kw)

        return gru

    def gru_backward(dh_next, x, h_prev, params, reset_after=True, ra=reset_after):
        if reset_after != ra:  # right here
            from tests.test_mutations import gsb_ok_stacked

            return gsb_ok_stacked(dh_next, x, h_prev, params, reset_after)
        return check.nb05_mistakes.gru_step_backward_variant(
            dh_next, x, h_prev, params, reset_after=reset_after, **kw
        )

    return gru_backward


_CELL_CATALOGUES = [
    ("lstm_step", None, check.nb03_mistakes.lstm_mistakes()),
    ("lstm_backward", None, check.nb04_lstm_backward.lstm_backward_mistakes()),
    *(("gru_step", ra, check.nb05_mistakes.gru_mistakes(ra)) for ra in (True, False)),
    *(
        ("gru_step_backward", ra, check.nb05_mistakes.gru_step_backward_mistakes(ra))
        for ra in (True, False)
    ),
]


@pytest.mark.parametrize(
    "name,reset_after,kw,hint",
    [
        pytest.param(name, ra, kw, hint, id=f"{name}-{ra}-{i}")
        for name, ra, catalogue in _CELL_CATALOGUES
        for i, (kw, hint) in enumerate(catalogue)
    ],
)
def test_each_catalogued_cell_mistake_is_named_alone(name, reset_after, kw, hint):
    """Notebooks 03-05: each mistake of a cell catalogue, submitted as a student's
    function, is caught and named by its own hint alone on the case shown."""
    with pytest.raises(AssertionError) as info:
        getattr(check, name)(_as_cell_student(name, kw, reset_after))
    message = str(info.value)
    assert hint in message, message
    assert "two mistakes" not in message and "one of these" not in message, message


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_large_cases_overflow_exp_in_every_block(kind):
    """Batch item 1 of the large cases: every pre-activation beyond the point where
    np.exp overflows in its dtype, both signs in every block; the others ordinary."""
    for label, args, dtype, H in check.cases.large_step_cases(kind, seed=1103):
        p = {k: v.astype(np.float64) for k, v in args["params"].items()}
        x, h = args["x"].astype(np.float64), args["h"].astype(np.float64)
        a = x @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T
        a += p["bias_hh_l0"]
        limit = 89 if dtype == np.float32 else 710
        assert np.abs(a[1]).min() > limit, label
        for block in np.split(a[1], a.shape[1] // H):
            assert block.max() > limit and block.min() < -limit, label
        assert np.abs(a[[0, 2]]).max() < 10, label


def test_lstm_forward_leaves_out_each_state_in_each_dtype():
    """h0 and c0 each left out alone and together, in float32 and float64."""
    seen = set()
    for _, args, dtype, _ in check.nb03_lstm._lstm_seq_cases(seed=302):
        given = tuple(k for k in ("h0", "c0") if args.get(k) is not None)
        seen.add((dtype.name, given))
    for dtype in ("float32", "float64"):
        for given in ((), ("h0",), ("c0",), ("h0", "c0")):
            assert (dtype, given) in seen, (dtype, given)


def test_param_count_guesses_are_unambiguous():
    """On every case of param_count, no two guessed mistakes give the same count,
    and the last case has more parameters than a 32-bit integer holds."""
    for kind, D, H in check.nb05_gru._PARAM_COUNT_CASES:
        values = [v for v, _ in check.nb05_gru._param_count_guesses(kind, D, H)]
        texts = {}
        for v, t in check.nb05_gru._param_count_guesses(kind, D, H):
            assert texts.setdefault(v, t) == t, (kind, D, H, v)
        assert values
    kind, D, H = check.nb05_gru._PARAM_COUNT_CASES[-1]
    assert 4 * H * (D + H + 2) > 2**31 - 1
