r"""Mutation suites: wrong solutions, written the way students write them, must be
rejected with a hint that names the mistake; correct ones written differently must
pass.

Each exercise's suite is a list of (student function, words the hint must contain)
and a list of correct functions. tests/test_check.py holds more cases for the step
exercises and the robustness cases every check shares (stubs, None, exceptions,
wrong types, NaN, functions that never return). This file covers, per exercise:

| exercise | check | wrong solutions here | caught | hints named |
|---|---|---|---|---|
| 0.1 | `stable_sigmoid` | 10 (and 3 correct) | 10 | RuntimeWarning; computes both; cancels to exactly 0; sign is flipped; float64 for float32 inputs; in place; you clip a to [-10, 10]; you clip a to [-500, 500]; you clip a to [-50, 50] |
| 0.2 | `sigmoid_grad` | 13 (and 2 correct) | 13 | tanh'; sign slipped; sigmoid(a) itself; 1 - sigmoid(a); tanh's derivative; sigmoid(a) * (1 - sigmoid(a)); float64; 4 times; 2 times; clips a to [-10, 10]; finite difference |
| 1.1 | `rnn_step` | 13 (and 2 correct) | 13 | sigmoid where the RNN uses tanh; ReLU; tanh is missing; left out b_ih; left out b_hh; both biases; W_hh instead of W_hh^T; W_ih and W_hh instead of their transposes; swapped; two mistakes; tanh covers only the input term; each term its own tanh; biases are added after the tanh |
| 1.2 | `rnn_forward` | 14 (and 2 correct) | 14 | shifted by one step; ignores h0; time-major; includes h0; h_n must be the last hidden state; your steps are wrong; same array T times; float64; backwards in time; skips x[0]; one step early |
| 1.3 | `latch` | 13 (and 2 correct) | 13 | \|w_hh\| = 0.9 <= 1; \|w_hh\| = 1 <= 1; oscillation; switches itself on; too weak; three numbers; non-finite; 'on' state; negative |
| 2.1 | `rnn_step_backward` | 17 (and 2 correct) | 17 | slope at h_prev; sigmoid's slope; dh_prev = da @ W_hh; dW_hh = da^T h_prev; means over the batch; transposed; wrong sign; bias_hh_l0; slope is missing; tanh twice; pre-activation a; divided by the batch size; recompute; h_prev @ W_hh.T; dx = da @ W_ih |
| 2.2 | `rnn_backward` | 18 (and 2 correct) | 18 | from the future; forward in time; weights are shared; h_{t-1}; slope; dh0; in place; starts from zeros; stops before t = 0; out[-1]; 1 - out[t]**2; after the tanh's slope; batch; number of steps; da @ W_hh; left out b_hh |
| 2.3 | `clip_by_norm` | 15 (and 3 correct) | 15 | in place; float(scale); came back unscaled; largest absolute entry; before clipping; added the arrays' norms; square root; (clipped, total_norm); squared norm; overflow; each array by its own norm; wrong way round; max_norm / total_norm, not total_norm / max_norm |
| 3.1 | `lstm_step` | 17 (and 2 correct) | 17 | gate order; sigmoid and tanh are swapped; gates use tanh; candidate g uses a sigmoid; missing the tanh; forget gate multiplies h; old cell state; left out b_ih; left out b_hh; W_hh instead of W_hh^T; wrong way round; two mistakes; NaN; W_ih and W_hh are swapped; left out both biases |
| 3.2 | `lstm_forward` | 25 (and 3 correct) | 25 | out is right but h_n; ignores h0 and c0; ignores c0; cell states; shifted by one step; gate order; tanh; (h_n, c_n); float64; ignores h0 and starts the hidden state; backwards in time; ignores lengths; state runs on through the padding; hold h at the padding but not c; hold c at the padding but not h; repeats the held state; set the state to zero; h_n is out[-1]; off by one; puts the padding first; zeroing the padded inputs |
| 3.3 | `pulse_memory` | 13 (and 5 correct) | 13 | forget gate; input gate is open for small; lets in only; three numbers; non-finite; at step 50 |
| 4.1 | `lstm_backward` | 29 (and 3 correct) | 29 | cell gradient is not carried back; hidden-state gradient is not carried back; dout is never added; one step late; forwards in time; only one step's gradients; divided by the number of steps; ignores dh_n; ignores dc_n; dh0 and dc0 are what arrived at step 0; states after step t; forward pass starts from zeros; leaves out the path through h_next; df uses c_next; carried through the forget gate; candidate g is a tanh; are sigmoids; do uses tanh(c_prev); missing the output gate; stacked as i, f, o, g; means over the batch; dc_next; 1 - tanh(c_next)^2; slope of the candidate; b_hh; bias_hh_l0; dc_prev = dc * f |
| 5.1 | `gru_step` | 13 (and 2 correct) | 13 | interpolation is reversed; reset gate in the wrong place; multiplies the input term; reset gate is missing; gate order; left out b_ih; left out b_hh; left out b_hn; b_hn; reset_after left out; NaN |
| 5.2 | `gru_step_backward` | 15 (and 2 correct) | 15 | wrong sign; direct path; multiplied by r; reset gate gets no gradient; candidate n is a tanh; other reset placement; bias_hh_l0; reset_after left out; slope of the candidate; means over the batch; b_hh; reversed interpolation; NaN |
| 5.3 | `param_count` | 14 (and 2 correct) | 14 | left out the biases; two bias vectors; multiply by k; not D * D; return an integer; wrong number of blocks; stacked like the weights; a float; not H * D; left out W_hh; 32-bit; a bool |
| 5.4 | `flip_interpolation` | 17 (and 3 correct) | 17 | are the originals; reset block; candidate's block; as well as the update block; negated every parameter; but not its biases; only the update block's biases; only the input side; only the hidden side; params['bias_hh_l0'] unchanged; params['weight_ih_l0'] unchanged; by 1 - v; D = weight_ih_l0.shape[1]; columns [H:2H]; in place; float64; lacks |
| 6.1 | `cifg_step` | 21 (and 2 correct) | 21 | coupling is reversed; output gate is missing; candidate g is a tanh; block order; left out b_hh; left out b_ih; left out both biases; W_hh instead of W_hh^T; gates f and o are sigmoids; missing the tanh; old cell state; multiplies h instead of c; (c_next, h_next); two mistakes; NaN; hundreds |
| 6.3 | `gru_jacobian` | 24 (and 2 correct) | 24 | direct path; not the identity; reversed interpolation; lacks the factor (1 - z); tanh's slope; not n (1 - n); lacks diag(r); through the reset gate; r (1 - r); left out b_hn; Cho; through the update gate; wrong sign; z (1 - z); transposed in J; your J is transposed; gate order; left out b_hh; left out both biases; two mistakes; float64; NaN; expected (3, 4, 4) |
| 7.1 | `softmax_temperature` | 13 (and 2 correct) | 13 | multiplied the logits; no effect; without normalising again; over axis 0; every element at once; log-probabilities; RuntimeWarning; same scaled logits; float64; row sums without keepdims; row maxima without keepdims; over axis 1; do not sum to 1 |
| 7.2 | `bits_per_char` | 16 (and 2 correct) | 16 | nats; log base 10; summed over the characters; sign is flipped; most likely character; averaged the probabilities before the log; shifted by one; RuntimeWarning; one number; np.roll; (N, N) table; log_p[targets] picks rows; every entry; over axis 0; multiplied by ln 2 |
| 7.3 | `line_position_cell` | 13 (and 4 correct) | 13 | absolute value; covariances; whether the character is a newline; never goes back to 0; np.corrcoef; one integer; another; off by one at the newline; left the newline characters out; not the index of a unit |
| 8.1 | `peephole_step` | 23 (and 2 correct) | 23 | output gate's peephole reads c_prev; multiply the hidden state; added the peephole weights themselves; peepholes went to the wrong gates; missing the tanh; gate order; left out b_hh; two mistakes; left out b_ih; left out both biases; no peepholes; output gate has no peephole; input and forget gates have no peephole; forget gate has no peephole; gates use tanh; candidate g uses a sigmoid; multiplies h instead of c; old cell state; (c_next, h_next); NaN; hundreds |
| 9.1 | `bigru_forward` | 18 (and 3 correct) | 18 | reads the sequence forwards; not put back in time order; parameters are swapped; [reverse ; forward]; h_n[0] must be the forward; h_n is out[-1]; yours are swapped; ignores h0; both directions start from h0[0]; ignores lengths; starts at the padding; out must be 0 at the padding; run on through the padding; zeroing the padded inputs; side by side; one direction's states; float64; two mistakes |
| 9.2 | `deep_bigru_backward` | 16 (and 2 correct) | 16 | dout is not reversed in time; not put back in time order; only the forward direction's part; gradient of the top layer's outputs; dout plus layer 1's input gradient; direction-major; ignores dh_n; only the top layer's directions get their dh_n; halves are swapped; filed under each other's keys; as if h_n were out[-1]; forward pass starts from zeros; changed its argument dout in place; has shape (2,; lacks; two mistakes |
| 10.1 | `sequence_nll` | 20 (and 2 correct) | 20 | counted the padding; your loss counts the padding; not zero at the padding; its EOS; one step too many; number of real tokens; T * B; summed over the batch; its own length; loss is right but dlogits; sign of dlogits; only -onehot(y); without the -onehot(y); wrong sign; in bits; over axis 0; one step off; RuntimeWarning; float64; one number |
| 10.2 | `beam_step` | 18 (and 2 correct) | 18 | new token's log-probability alone; multiplied the log-probabilities; its best token only; kept the worst; wrong arithmetic on the flat index; swapped // and %; stayed in the beam; dropped the EOS candidates; took places in the beam; finished every prefix's EOS candidate; new beam is not best first; finished hypotheses are not best first; k + 1; k - 1; only log p(EOS); integers; in place |

Exercise 6.2 asks for predictions in words, answered in the notebook; it has no
function to check. (The table is generated from the suites below by ``python -m tests.test_mutations``,
run from the repository's root, and a test fails when it is out of date.)
"""

import numpy as np
import pytest

import utils
from utils import check

# ----------------------------------------------------------------------- helpers


def sig(a):
    return 1 / (1 + np.exp(-a))


def P(params):
    return (
        params[k] for k in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    )


def grads_from(da, x, h_prev):
    return {
        "weight_ih_l0": da.T @ x,
        "weight_hh_l0": da.T @ h_prev,
        "bias_ih_l0": da.sum(0),
        "bias_hh_l0": da.sum(0),
    }


# ------------------------------------------------------------ 0.2 sigmoid_grad


def sg_ok(a):
    s = 1 / (1 + np.exp(-np.abs(a)))
    s = np.where(a >= 0, s, 1 - s)
    return s * (1 - s)


def sg_ok_exp(a):  # e / (1 + e)^2 with e = exp(-|a|), symmetric in a
    e = np.exp(-np.abs(a))
    return e / (1 + e) ** 2


def _s(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


SIGMOID_GRAD = [
    (lambda a: 1 - _s(a) ** 2, ["tanh'"]),
    (lambda a: _s(a) * (1 + _s(a)), ["sign slipped"]),
    (_s, ["sigmoid(a) itself"]),
    (lambda a: 1 - _s(a), ["1 - sigmoid(a)"]),
    (lambda a: 1 - np.tanh(a) ** 2, ["tanh's derivative"]),
    (lambda a: _s(a) ** 2, ["sigmoid(a) * (1 - sigmoid(a))"]),
    (lambda a: _s(a) * (1 - _s(a)) / 2, ["sigmoid(a) * (1 - sigmoid(a))"]),
    (lambda a: (_s(a) * (1 - _s(a))).astype(np.float64), ["float64"]),
    (lambda a: -_s(a) * (1 - _s(a)), ["sigmoid(a) * (1 - sigmoid(a))"]),
    (lambda a: 1 - np.tanh(a / 2) ** 2, ["4 times", "(1 - tanh(a/2)^2) / 4"]),
    (lambda a: 0.5 * (1 - np.tanh(a / 2) ** 2), ["2 times"]),
    (lambda a: ss_narrow_clip(a) * (1 - ss_narrow_clip(a)), ["clips a to [-10, 10]"]),
    (lambda a: (_s(a + 1e-5) - _s(a - 1e-5)) / 2e-5, ["finite difference"]),
]


# ------------------------------------------------------- 2.1 rnn_step_backward


def rsb(
    slope="h_next",
    dh_W="W",
    dW_hh_from="h_prev",
    bias="sum",
    transpose=None,
    sign=1,
    dx_W="W",
    share_bias=True,
    mean=None,
    fwd_b_ih=True,
    fwd_b_hh=True,
    recurrent=True,
):
    """A student's tanh RNN step backward, with the named slip."""

    def student(dh_next, x, h_prev, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        a = x @ W_ih.T + (b_ih if fwd_b_ih else 0) + (b_hh if fwd_b_hh else 0)
        a = a + (h_prev @ W_hh.T if recurrent else 0)
        h = np.tanh(a)
        s = {"h_next": 1 - h * h, "h_prev": 1 - h_prev**2, "sig": h * (1 - h)}
        s.update(none=1.0, tanh_h=1 - np.tanh(h) ** 2, pre=1 - a**2)
        s = s[slope]
        da = sign * dh_next * s
        if mean == "da":
            da = da / len(x)
        g = grads_from(da, x, h if dW_hh_from == "h_next" else h_prev)
        if mean == "params":
            g = {k: v / len(x) for k, v in g.items()}
        if bias == "mean":
            g["bias_ih_l0"] = g["bias_hh_l0"] = da.mean(0)
        if not share_bias:
            g["bias_hh_l0"] = np.zeros_like(b_hh)
        if transpose:
            g[transpose] = g[transpose].T
        dx = da @ (W_ih if dx_W == "W" else W_hh)  # W_hh only fits when D = H
        dh = da @ (W_hh if dh_W == "W" else W_hh.T)
        return dx, dh, g

    return student


def rsb_ok_einsum(dh_next, x, h_prev, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    h = np.tanh(np.einsum("bd,hd->bh", x, W_ih) + h_prev @ W_hh.T + b_ih + b_hh)
    da = dh_next - dh_next * h * h
    grads = {
        "weight_ih_l0": np.einsum("bh,bd->hd", da, x),
        "weight_hh_l0": np.einsum("bh,bk->hk", da, h_prev),
        "bias_ih_l0": np.einsum("bh->h", da),
        "bias_hh_l0": np.einsum("bh->h", da),
    }
    return np.einsum("bh,hd->bd", da, W_ih), np.einsum("bh,hk->bk", da, W_hh), grads


RNN_STEP_BACKWARD = [
    (rsb(slope="h_prev"), ["slope at h_prev"]),
    (rsb(slope="sig"), ["sigmoid's slope"]),
    (rsb(dh_W="WT"), ["dh_prev = da @ W_hh"]),
    (rsb(dW_hh_from="h_next"), ["dW_hh = da^T h_prev"]),
    (rsb(bias="mean"), ["means over the batch"]),
    (rsb(transpose="weight_hh_l0"), ["transposed"]),
    (rsb(sign=-1), ["wrong sign"]),
    (rsb(share_bias=False), ["bias_hh_l0"]),
    (rsb(slope="none"), ["slope is missing", "1 - h_next^2"]),
    (rsb(slope="tanh_h"), ["tanh twice", "1 - h_next^2"]),
    (rsb(slope="pre"), ["pre-activation a", "1 - h_next^2"]),
    (rsb(mean="da"), ["divided by the batch size", "sum"]),
    (rsb(mean="params"), ["means over the batch", "weight"]),
    (rsb(fwd_b_hh=False), ["recompute", "left out b_hh"]),
    (rsb(fwd_b_ih=False), ["recompute", "left out b_ih"]),
    (rsb(recurrent=False), ["h_prev @ W_hh.T"]),
    (rsb(dx_W="WHH"), ["dx = da @ W_ih"]),
]


# ------------------------------------------------------------- 2.2 rnn_backward


def rnn_bptt(
    carry=True,
    forward_loop=False,
    last_only=False,
    h_t=False,
    slope=True,
    start=None,
    stop=-1,
    wrap=False,
    slope_prev=False,
    carry_after=False,
    mean=None,
    dh_WT=False,
    fwd_b_hh=True,
):
    """start: 'zeros' (the forward restarted from zeros) or 'zeros_h0' (from zeros,
    but h0 kept as the state before step 0); stop: where the backward loop ends;
    wrap: h_prev at t = 0 is out[-1]; mean: 'B', 'T' or 'TB' divides dparams."""

    def student(dout, x, params, h0):
        W_ih, W_hh, b_ih, b_hh = P(params)
        hs = [np.zeros_like(h0) if start else h0]
        for x_t in x:
            b = b_ih + (b_hh if fwd_b_hh else 0)
            hs.append(np.tanh(x_t @ W_ih.T + b + hs[-1] @ W_hh.T))
        if start == "zeros_h0":
            hs[0] = h0
        dx = np.zeros_like(x)
        g = {k: np.zeros_like(v) for k, v in params.items()}
        dh_future = np.zeros_like(h0)
        T, B = x.shape[:2]
        steps = range(T) if forward_loop else range(T - 1, stop, -1)
        for t in steps:
            dh = dout[t] + (dh_future if carry else 0)
            h_out = hs[t] if slope_prev else hs[t + 1]
            if carry_after:
                da = dout[t] * (1 - h_out**2) + dh_future
            else:
                da = dh * (1 - h_out**2) if slope else dh
            h_prev = hs[1:][t - 1] if wrap else hs[t]
            step = grads_from(da, x[t], hs[t + 1] if h_t else h_prev)
            for k in g:
                g[k] = step[k] if last_only else g[k] + step[k]
            dx[t] = da @ W_ih
            dh_future = da @ (W_hh.T if dh_WT else W_hh)
        if mean:
            n = {"B": B, "T": T, "TB": T * B}[mean]
            g = {k: v / n for k, v in g.items()}
        return dx, g, dh_future

    return student


def rnn_bptt_stacked(dout, x, params, h0):
    """Correct, vectorised: the loop only carries dh; weights after the loop."""
    W_ih, W_hh, b_ih, b_hh = P(params)
    hs = [h0]
    for x_t in x:
        hs.append(np.tanh(x_t @ W_ih.T + b_ih + hs[-1] @ W_hh.T + b_hh))
    hs = np.stack(hs)
    da = np.zeros_like(dout)
    dh = np.zeros_like(h0)
    for t in range(len(x) - 1, -1, -1):
        da[t] = (dout[t] + dh) * (1 - hs[t + 1] ** 2)
        dh = da[t] @ W_hh
    g = {
        "weight_ih_l0": np.einsum("tbh,tbd->hd", da, x),
        "weight_hh_l0": np.einsum("tbh,tbk->hk", da, hs[:-1]),
        "bias_ih_l0": da.sum((0, 1)),
        "bias_hh_l0": da.sum((0, 1)),
    }
    return da @ W_ih, g, dh


def rnn_bptt_dh0_wrong(dout, x, params, h0):
    dx, g, dh0 = rnn_bptt()(dout, x, params, h0)
    return dx, g, np.zeros_like(dh0)


def rnn_bptt_in_place(dout, x, params, h0):
    dout[-1] += 0  # harmless so far
    dout *= 1.0
    dout[0] = 0  # a student "resets" the first gradient in place
    return rnn_bptt()(dout, x, params, h0)


RNN_BACKWARD = [
    (rnn_bptt(carry=False), ["from the future"]),
    (rnn_bptt(forward_loop=True), ["forward in time"]),
    (rnn_bptt(last_only=True), ["weights are shared"]),
    (rnn_bptt(h_t=True), ["h_{t-1}"]),
    (rnn_bptt(slope=False), ["slope"]),
    (rnn_bptt(carry=False, slope=False), ["from the future", "slope"]),
    (rnn_bptt_dh0_wrong, ["dh0"]),
    (rnn_bptt_in_place, ["in place"]),
    (rnn_bptt(start="zeros"), ["starts from zeros", "h0"]),
    (rnn_bptt(start="zeros_h0"), ["starts from zeros", "h0"]),
    (rnn_bptt(stop=0), ["stops before t = 0"]),
    (rnn_bptt(wrap=True), ["out[-1]", "h0"]),
    (rnn_bptt(slope_prev=True), ["1 - out[t]**2"]),
    (rnn_bptt(carry_after=True), ["after the tanh's slope"]),
    (rnn_bptt(mean="B"), ["batch", "sum"]),
    (rnn_bptt(mean="T"), ["number of steps", "sum"]),
    (rnn_bptt(dh_WT=True), ["da @ W_hh"]),
    (rnn_bptt(fwd_b_hh=False), ["left out b_hh"]),
]


# ------------------------------------------------------------ 2.3 clip_by_norm


def global_norm(grads):
    return float(
        np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values()))
    )


def clip_ok(grads, max_norm):
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * np.asarray(scale, g.dtype) for k, g in grads.items()}, norm


def clip_ok_min(grads, max_norm):
    norm = global_norm(grads)
    scale = float(min(1.0, max_norm / max(norm, 1e-300)))
    return {k: (g * scale).astype(g.dtype) for k, g in grads.items()}, norm


def clip_max_abs(grads, max_norm):
    top = max(float(np.abs(g).max()) for g in grads.values())
    s = max_norm / top if top > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, global_norm(grads)


def clip_norm_after(grads, max_norm):
    clipped, norm = clip_ok(grads, max_norm)
    return clipped, min(norm, max_norm)


def clip_sum_norms(grads, max_norm):
    total = float(sum(np.linalg.norm(g) for g in grads.values()))
    s = max_norm / total if total > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, total


def clip_squared(grads, max_norm):  # forgot the square root
    sq = sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values())
    s = max_norm / sq if sq > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, sq


def clip_only_first(grads, max_norm):
    out = dict(grads)
    first = next(iter(grads))
    out[first] = clip_ok({first: grads[first]}, max_norm)[0][first]
    return out, global_norm(grads)


def clip_returns_dict_only(grads, max_norm):
    return clip_ok(grads, max_norm)[0]


def clip_in_place(grads, max_norm):
    norm = global_norm(grads)
    for g in grads.values():
        g *= min(1.0, max_norm / norm)
    return grads, norm


def clip_numpy_scalar(grads, max_norm):  # float32 * np.float64 is float64 in NumPy 2
    norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads.values()))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}, norm


def clip_never(grads, max_norm):
    return {k: g.copy() for k, g in grads.items()}, global_norm(grads)


def clip_squared_test(grads, max_norm):  # compares the squared norm with max_norm
    sq = sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values())
    s = max_norm / np.sqrt(sq) if sq > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, float(np.sqrt(sq))


def clip_float32_sum(grads, max_norm):  # the squares summed in the arrays' dtype
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    s = max_norm / norm if norm > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, norm


def clip_linalg(grads, max_norm):  # np.linalg.norm of float32 overflows the same way
    flat = np.concatenate([g.ravel() for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    s = max_norm / norm if norm > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, norm


def clip_per_array_copy(grads, max_norm):
    out = {}
    for k, g in grads.items():
        n = float(np.linalg.norm(g.astype(np.float64)))
        out[k] = (g * (max_norm / n)).astype(g.dtype) if n > max_norm else g.copy()
    return out, global_norm(grads)


def clip_reversed(grads, max_norm):
    norm = global_norm(grads)
    s = max_norm / norm if norm < max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, norm


def clip_inverted(grads, max_norm):
    norm = global_norm(grads)
    s = norm / max_norm if norm > max_norm else 1.0
    return {k: (g * s).astype(g.dtype) for k, g in grads.items()}, norm


def clip_ok_torch(grads, max_norm):  # PyTorch's clip_grad_norm_, with its 1e-6
    norm = global_norm(grads)
    coef = min(max_norm / (norm + 1e-6), 1.0)
    return {k: (g * coef).astype(g.dtype) for k, g in grads.items()}, norm


CLIP_BY_NORM = [
    (clip_in_place, ["in place"]),
    (clip_numpy_scalar, ["float(scale)"]),
    (clip_never, ["came back unscaled"]),
    (clip_max_abs, ["largest absolute entry"]),
    (clip_norm_after, ["before clipping"]),
    (clip_sum_norms, ["added the arrays' norms"]),
    (clip_squared, ["square root"]),
    (clip_only_first, ["came back unscaled", "same factor"]),
    (clip_returns_dict_only, ["(clipped, total_norm)"]),
    (clip_squared_test, ["squared norm", "max_norm ** 2"]),
    (clip_float32_sum, ["overflow", "float64"]),
    (clip_linalg, ["overflow", "float64"]),
    (clip_per_array_copy, ["each array by its own norm"]),
    (clip_reversed, ["wrong way round"]),
    (clip_inverted, ["max_norm / total_norm, not total_norm / max_norm"]),
]


# ------------------------------------------------------------ 3.2 lstm_forward


def lstm_step_ok(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c


def lf(
    zeros=False,
    c_zero=False,
    out_c=False,
    shift=False,
    step=lstm_step_ok,
    return_last_c_first=False,
    h_zero=False,
    float64_zeros=False,
    h0_decides=False,
    backwards=None,
):
    """backwards: 'store' (out[t] = h, for t from T - 1 down to 0) or 'append'."""

    def student(x, params, h0=None, c0=None, lengths=None):
        if lengths is not None:  # the padded batch, right (lfm has its mistakes)
            return lfm()(x, params, h0, c0, lengths)
        B, H = x.shape[1], params["weight_hh_l0"].shape[1]
        z = np.zeros((B, H)) if float64_zeros else np.zeros((B, H), x.dtype)
        h = z if (h0 is None or zeros or h_zero) else h0
        c = z if (c0 is None or zeros or c_zero) else c0
        if h0_decides:  # one test for both states
            h, c = (z, z) if h0 is None else (h0, c0)
        out, prev = [], h
        steps = range(len(x) - 1, -1, -1) if backwards else range(len(x))
        for t in steps:
            prev = h
            h, c = step(x[t], h, c, params)
            out.append(c if out_c else (prev if shift else h))
        if backwards == "store":
            out = out[::-1]
        return np.stack(out), ((c, h) if return_last_c_first else (h, c))

    return student


def lstm_step_ifog(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    i, f, o, g = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c


def lstm_step_no_tanh_c(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * c, c


def lstm_forward_preallocated(x, params, h0=None, c0=None, lengths=None):
    """Correct, written with preallocated arrays and a float mask."""
    T, B, _ = x.shape
    H = params["weight_hh_l0"].shape[1]
    out = np.empty((T, B, H), x.dtype)
    h = np.zeros((B, H), x.dtype) if h0 is None else h0.copy()
    c = np.zeros((B, H), x.dtype) if c0 is None else c0.copy()
    L = np.full(B, T) if lengths is None else lengths
    for t in range(T):
        m = (t < L).astype(x.dtype)[:, None]
        h_new, c_new = lstm_step_ok(x[t], h, c, params)
        h = m * h_new + (1 - m) * h
        c = m * c_new + (1 - m) * c
        out[t] = m * h
    return out, (h, c)


def lfm(
    mask="t < L",
    hold_h=True,
    hold_c=True,
    zero_out=True,
    reset=False,
    h_n_last_out=False,
    float_mask=None,
    zero_inputs=False,
    per_sequence_last=False,
):
    """lstm_forward over a padded batch, with a student's mistakes (lengths given).
    mask: 'ignore', 't < L', 't <= L', 't < L - 1' or 'end' (the padding first)."""

    def student(x, params, h0=None, c0=None, lengths=None):
        T, B, _ = x.shape
        H = params["weight_hh_l0"].shape[1]
        h = np.zeros((B, H), x.dtype) if h0 is None else h0
        c = np.zeros((B, H), x.dtype) if c0 is None else c0
        L = np.full(B, T) if lengths is None else np.asarray(lengths)
        kind = "t < L" if lengths is None else mask  # without lengths: no mask
        out = []
        for t in range(T):
            real = {
                "ignore": np.ones(B, bool),
                "t < L": t < L,
                "t <= L": t <= L,
                "t < L - 1": t < L - 1,
                "end": t >= T - L,
            }[kind][:, None]
            x_t = np.where(real, x[t], 0) if zero_inputs else x[t]
            h_new, c_new = lstm_step_ok(x_t, h, c, params)
            if zero_inputs:
                h, c = h_new, c_new
            elif float_mask is not None:  # a float64 mask makes float32 float64
                m = real.astype(float_mask)
                h = m * h_new + (1 - m) * h
                c = m * c_new + (1 - m) * c
            elif reset:
                h, c = h_new * real, c_new * real
            else:
                h = np.where(real, h_new, h) if hold_h else h_new
                c = np.where(real, c_new, c) if hold_c else c_new
            out.append(np.where(real, h, 0) if zero_out else h)
        out = np.stack(out).astype(x.dtype) if float_mask is None else np.stack(out)
        if per_sequence_last:  # right: the state after each one's last real step
            h = out[L - 1, np.arange(B)]
        return out, ((out[-1] if h_n_last_out else h), c)

    return student


def lf_first_state(x, params, h0=None, c0=None):
    out, (h, c) = lf()(x, params, h0, c0)
    return out, (out[0], c)


LSTM_FORWARD = [
    (lf_first_state, ["out is right but h_n", "after the *last* step"]),
    (lf(zeros=True), ["ignores h0 and c0"]),
    (lf(c_zero=True), ["ignores c0"]),
    (lf(out_c=True), ["cell states"]),
    (lf(shift=True), ["shifted by one step"]),
    (lf(step=lstm_step_ifog), ["gate order"]),
    (lf(step=lstm_step_no_tanh_c), ["tanh"]),
    (lf(return_last_c_first=True), ["(h_n, c_n)"]),
    (lf(float64_zeros=True), ["float64", "dtype=x.dtype"]),
    (lf(h0_decides=True), ["ignores c0", "h0 omitted"]),
    (lf(h_zero=True), ["ignores h0 and starts the hidden state"]),
    (lf(backwards="store"), ["backwards in time"]),
    (lf(backwards="append"), ["backwards in time"]),
    # over a padded batch
    (lfm(mask="ignore"), ["ignores lengths"]),
    (lfm(hold_h=False, hold_c=False), ["state runs on through the padding"]),
    (lfm(hold_c=False), ["hold h at the padding but not c"]),
    (lfm(hold_h=False), ["hold c at the padding but not h"]),
    (lfm(zero_out=False), ["repeats the held state", "pad_packed_sequence"]),
    (lfm(reset=True), ["set the state to zero"]),
    (lfm(h_n_last_out=True), ["h_n is out[-1]"]),
    (lfm(mask="t <= L"), ["off by one", "lets in one step of padding"]),
    (lfm(mask="t < L - 1"), ["off by one", "drops each sequence's last real step"]),
    (lfm(mask="end"), ["puts the padding first"]),
    (lfm(zero_inputs=True, zero_out=False), ["zeroing the padded inputs"]),
    (lfm(float_mask=np.float64), ["float64", "dtype=x.dtype"]),
]


# ------------------------------------------------------- 3.3 pulse_memory

PULSE_MEMORY = [
    (lambda: (2.0, 12.0, -7.0), ["forget gate"]),
    (lambda: (6.0, 12.0, 0.0), ["input gate is open for small"]),
    (lambda: (6.0, 1.0, -3.0), ["lets in only"]),
    (lambda: None, ["three numbers"]),
    (lambda: (-6.0, 12.0, -7.0), ["forget gate"]),
    (lambda: (6.0, -12.0, -7.0), ["lets in only"]),
    (lambda: (6.0, 12.0, 7.0), ["input gate is open for small"]),
    (lambda: (6.0, 12.0, float("nan")), ["non-finite"]),
    (lambda: (6.0, 12.0), ["three numbers"]),
    # near the edges: c drops below 0.5 only at the last step, t = 50 ...
    (lambda: (4.198, 12.0, -7.0), ["at step 50", "forget gate"]),
    # ... the noise alone reaches 0.25 (b_i or w_i just too large)
    (lambda: (6.0, 12.0, -5.53), ["input gate is open for small"]),
    (lambda: (6.0, 18.4, -7.0), ["input gate is open for small"]),
    # a fully open input gate would not do either: the forget gate comes first
    (lambda: (2.0, 1.0, -3.0), ["forget gate", "also lets in only"]),
]
PULSE_MEMORY_EDGES = [  # just inside the same edges: these pass
    lambda: (4.206, 12.0, -7.0),
    lambda: (6.0, 12.0, -5.555),
    lambda: (6.0, 18.3, -7.0),
]


# ------------------------------- 4.1 lstm_backward (through time, from a step)


def lsb(
    tanh_path=True,
    df_c_next=False,
    carry=True,
    g_slope="tanh",
    gate_slope="sig",
    do_c_prev=False,
    o_in_path=True,
    order="ifgo",
    bias="sum",
    with_dc_next=True,
    c_slope=True,
    with_b_hh=True,
    dc_prev_from="dc",
):
    """g_slope: 'tanh', 'sig' or 'none'; gate_slope: 'sig', 'tanh' or 'exp' (the
    sigmoid's slope as exp(-a) / (1 + exp(-a))^2); bias: 'sum', 'mean' (the bias
    gradients), 'mean_all' (every parameter gradient divided by B) or 'zero_hh'."""

    def student(dh_next, dc_next, x, h_prev, c_prev, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        H = h_prev.shape[1]
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + (b_hh if with_b_hh else 0)
        i, f = sig(a[:, :H]), sig(a[:, H : 2 * H])
        g, o = np.tanh(a[:, 2 * H : 3 * H]), sig(a[:, 3 * H :])
        c = f * c_prev + i * g
        tc = np.tanh(c)
        do = dh_next * (np.tanh(c_prev) if do_c_prev else tc)
        dc = dc_next if with_dc_next else 0
        if tanh_path:
            dc = dc + dh_next * (o if o_in_path else 1) * (
                (1 - tc**2) if c_slope else 1
            )

        def slope(s, block):
            if gate_slope == "exp":
                e = np.exp(-a[:, block * H : (block + 1) * H])
                return e / (1 + e) ** 2
            return s * (1 - s) if gate_slope == "sig" else 1 - s**2

        g_slopes = {"tanh": 1 - g**2, "sig": g * (1 - g), "none": 1}
        blocks = {
            "i": dc * g * slope(i, 0),
            "f": dc * (c if df_c_next else c_prev) * slope(f, 1),
            "g": dc * i * g_slopes[g_slope],
            "o": do * slope(o, 3),
        }
        da = np.concatenate([blocks[k] for k in order], axis=1)
        grads = grads_from(da, x, h_prev)
        if bias == "mean":
            grads["bias_ih_l0"] = grads["bias_hh_l0"] = da.mean(0)
        if bias == "mean_all":
            grads = {k: v / len(x) for k, v in grads.items()}
        if bias == "zero_hh":
            grads["bias_hh_l0"] = np.zeros_like(b_hh)
        dc_prev = (dc if dc_prev_from == "dc" else dc_next) * f
        return da @ W_ih, da @ W_hh, dc_prev if carry else dc, grads

    return student


def lsb_ok_per_gate(dh_next, dc_next, x, h_prev, c_prev, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h_prev.shape[1]
    rows = [slice(k * H, (k + 1) * H) for k in range(4)]
    pre = [x @ W_ih[r].T + h_prev @ W_hh[r].T + b_ih[r] + b_hh[r] for r in rows]
    i, f, g, o = sig(pre[0]), sig(pre[1]), np.tanh(pre[2]), sig(pre[3])
    tc = np.tanh(i * g + f * c_prev)
    dc = dh_next * o * (1 - tc * tc) + dc_next
    parts = [dc * g * i * (1 - i), dc * c_prev * f * (1 - f)]
    parts += [dc * i * (1 - g * g), dh_next * tc * o * (1 - o)]
    grads = {
        "weight_ih_l0": np.vstack([p.T @ x for p in parts]),
        "weight_hh_l0": np.vstack([p.T @ h_prev for p in parts]),
        "bias_ih_l0": np.concatenate([p.sum(0) for p in parts]),
    }
    grads["bias_hh_l0"] = grads["bias_ih_l0"].copy()
    dx = sum(p @ W_ih[r] for p, r in zip(parts, rows, strict=True))
    dh = sum(p @ W_hh[r] for p, r in zip(parts, rows, strict=True))
    return dx, dh, f * dc, grads


LSTM_STEP_BACKWARD = [
    (lsb(tanh_path=False), ["leaves out the path through h_next"]),
    (lsb(df_c_next=True), ["df uses c_next", "c_prev"]),
    (lsb(carry=False), ["carried through the forget gate"]),
    (lsb(g_slope="sig"), ["candidate g is a tanh"]),
    (lsb(gate_slope="tanh"), ["are sigmoids"]),
    (lsb(do_c_prev=True), ["do uses tanh(c_prev)"]),
    (lsb(o_in_path=False), ["missing the output gate"]),
    (lsb(order="ifog"), ["stacked as i, f, o, g"]),
    (lsb(bias="mean"), ["means over the batch"]),
    (lsb(with_dc_next=False), ["dc_next", "ignores"]),
    (lsb(c_slope=False), ["1 - tanh(c_next)^2", "slope"]),
    (lsb(g_slope="none"), ["slope of the candidate", "1 - g^2"]),
    (lsb(bias="mean_all"), ["means over the batch", "sum"]),
    (lsb(with_b_hh=False), ["b_hh", "forward step"]),
    (lsb(bias="zero_hh"), ["bias_hh_l0", "same gradient as b_ih"]),
    (lsb(dc_prev_from="dc_next"), ["dc_prev = dc * f"]),
]


def bptt(
    step=None,
    carry_dc=True,
    carry_dh=True,
    with_dout=True,
    dout_after=False,
    forwards=False,
    keep="sum",
    with_dh_n=True,
    with_dc_n=True,
    return_arriving=False,
    states_after=False,
    from_zeros=False,
    mean_T=False,
):
    """4.1 lstm_backward through time, a loop over a step backward, with a
    student's mistakes; keep: 'sum', 'overwrite' (dparams = the last step's of the
    loop, t = 0) or 'first' (only t = T - 1's)."""

    step_backward = step or lsb()

    def student(dout, x, params, h0, c0, dh_n=None, dc_n=None):
        T, B, _ = x.shape
        H = h0.shape[1]
        hs, cs = (
            [np.zeros_like(h0) if from_zeros else h0],
            [np.zeros_like(c0) if from_zeros else c0],
        )
        for t in range(T):  # the forward pass, keeping every state
            h, c = lstm_step_ok(x[t], hs[-1], cs[-1], params)
            hs.append(h)
            cs.append(c)
        dh = (
            dh_n.copy() if dh_n is not None and with_dh_n else np.zeros((B, H), x.dtype)
        )
        dc = (
            dc_n.copy() if dc_n is not None and with_dc_n else np.zeros((B, H), x.dtype)
        )
        dx = np.zeros_like(x)
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        for n, t in enumerate(range(T) if forwards else reversed(range(T))):
            arriving = (dh + (dout[t] if with_dout and not dout_after else 0), dc)
            s = t + 1 if states_after else t
            dx[t], dh_prev, dc_prev, g = step_backward(
                *arriving, x[t], hs[s], cs[s], params
            )
            if keep == "sum" or (keep, n) in (("overwrite", T - 1), ("first", 0)):
                grads = {k: grads[k] + g[k] for k in grads}
            dh = (dh_prev if carry_dh else 0 * dh_prev) + (dout[t] if dout_after else 0)
            dc = dc_prev if carry_dc else np.zeros_like(dc_prev)
        if mean_T:
            grads = {k: v / T for k, v in grads.items()}
        return (dx, grads, *arriving) if return_arriving else (dx, grads, dh, dc)

    return student


def bptt_ok_stored(dout, x, params, h0, c0, dh_n=None, dc_n=None):
    """Correct, written differently: the gates stored in the forward pass, the
    weight gradients in one product over all steps after the loop."""
    T, B, D = x.shape
    H = h0.shape[1]
    W_ih, W_hh, b_ih, b_hh = P(params)
    hs = np.empty((T + 1, B, H), x.dtype)
    cs = np.empty((T + 1, B, H), x.dtype)
    hs[0], cs[0], gates = h0, c0, []
    for t in range(T):
        a = x[t] @ W_ih.T + b_ih + hs[t] @ W_hh.T + b_hh
        i, f, g, o = (
            sig(a[:, :H]),
            sig(a[:, H : 2 * H]),
            np.tanh(a[:, 2 * H : 3 * H]),
            sig(a[:, 3 * H :]),
        )
        cs[t + 1] = f * cs[t] + i * g
        hs[t + 1] = o * np.tanh(cs[t + 1])
        gates.append((i, f, g, o))
    dh = np.zeros((B, H), x.dtype) if dh_n is None else dh_n
    dc = np.zeros((B, H), x.dtype) if dc_n is None else dc_n
    da = np.empty((T, B, 4 * H), x.dtype)
    for t in range(T - 1, -1, -1):
        i, f, g, o = gates[t]
        dh = dh + dout[t]
        tc = np.tanh(cs[t + 1])
        dc = dc + dh * o * (1 - tc**2)
        da[t] = np.hstack(
            [
                dc * g * i * (1 - i),
                dc * cs[t] * f * (1 - f),
                dc * i * (1 - g**2),
                dh * tc * o * (1 - o),
            ]
        )
        dh, dc = da[t] @ W_hh, dc * f
    flat = da.reshape(T * B, 4 * H)
    grads = {
        "weight_ih_l0": flat.T @ x.reshape(T * B, D),
        "weight_hh_l0": flat.T @ hs[:-1].reshape(T * B, H),
        "bias_ih_l0": flat.sum(0),
        "bias_hh_l0": flat.sum(0),
    }
    return da @ W_ih, grads, dh, dc


LSTM_BACKWARD = [
    (bptt(carry_dc=False), ["cell gradient is not carried back"]),
    (bptt(carry_dh=False), ["hidden-state gradient is not carried back"]),
    (bptt(with_dout=False), ["dout is never added"]),
    (bptt(dout_after=True), ["one step late"]),
    (bptt(forwards=True), ["forwards in time"]),
    (bptt(keep="overwrite"), ["only one step's gradients", "add up"]),
    (bptt(keep="first"), ["only one step's gradients", "t = T - 1"]),
    (bptt(mean_T=True), ["divided by the number of steps"]),
    (bptt(with_dh_n=False), ["ignores dh_n"]),
    (bptt(with_dc_n=False), ["ignores dc_n"]),
    (bptt(return_arriving=True), ["dh0 and dc0 are what arrived at step 0"]),
    (bptt(states_after=True), ["states after step t"]),
    (bptt(from_zeros=True), ["forward pass starts from zeros"]),
    # the mistakes of one step, inside a right loop
    *((bptt(step=student), hints) for student, hints in LSTM_STEP_BACKWARD),
]


# ------------------------------------------------------ 5.2 gru_step_backward


def gsb(
    z_sign=1,
    direct=True,
    r_on_hn=True,
    reset_grad=True,
    n_slope="tanh",
    placement=None,
    bias_hh_n_plain=False,
    default=True,
    with_b_hh=True,
    gate_slope="sig",
    grads="sum",
    interp="zh",
):
    """A student's GRU step backward for both placements, with the named slip.

    n_slope: 'tanh', 'sig' or 'none'; gate_slope 'exp' writes the sigmoid's slope
    as exp(-a) / (1 + exp(-a))^2; grads: 'sum', 'mean_all' or 'zero_hh'; interp
    'zn' differentiates h_next = z n + (1 - z) h_prev."""

    def student(dh_next, x, h_prev, params, reset_after=default):
        W_ih, W_hh, b_ih, b_hh = P(params)
        H = h_prev.shape[1]
        if not with_b_hh:
            b_hh = np.zeros_like(b_hh)
        after = reset_after if placement is None else placement
        gx = x @ W_ih.T + b_ih
        a_r = gx[:, :H] + h_prev @ W_hh[:H].T + b_hh[:H]
        a_z = gx[:, H : 2 * H] + h_prev @ W_hh[H : 2 * H].T + b_hh[H : 2 * H]
        r, z = sig(a_r), sig(a_z)
        W_hn, b_hn = W_hh[2 * H :], b_hh[2 * H :]
        if after:
            hn = h_prev @ W_hn.T + b_hn
            n = np.tanh(gx[:, 2 * H :] + r * hn)
        else:
            rh = r * h_prev
            n = np.tanh(gx[:, 2 * H :] + rh @ W_hn.T + b_hn)
        keep = z if interp == "zh" else 1 - z
        n_slopes = {"tanh": 1 - n * n, "sig": n * (1 - n), "none": 1}
        dan = dh_next * (1 - keep) * n_slopes[n_slope]

        def slope(s, a):
            if gate_slope == "exp":
                return np.exp(-a) / (1 + np.exp(-a)) ** 2
            return s * (1 - s)

        daz = z_sign * dh_next * (h_prev - n) * slope(z, a_z)
        if interp != "zh":
            daz = -daz
        if after:
            dr = dan * hn
            dghn = dan * r if r_on_hn else dan
            dh_n_path = dghn @ W_hn
            dW_hn = dghn.T @ h_prev
            db_hn = (dan if bias_hh_n_plain else dghn).sum(0)
        else:
            drh = dan @ W_hn
            dr = drh * h_prev
            dh_n_path = drh * r
            dW_hn = dan.T @ rh
            db_hn = dan.sum(0)
        dar = dr * slope(r, a_r) if reset_grad else 0 * dr
        drz = np.concatenate([dar, daz], axis=1)
        dgi = np.concatenate([dar, daz, dan], axis=1)
        dh_prev = (dh_next * keep if direct else 0) + drz @ W_hh[: 2 * H] + dh_n_path
        g = {
            "weight_ih_l0": dgi.T @ x,
            "weight_hh_l0": np.concatenate([drz.T @ h_prev, dW_hn]),
            "bias_ih_l0": dgi.sum(0),
            "bias_hh_l0": np.concatenate([drz.sum(0), db_hn]),
        }
        if grads == "mean_all":
            g = {k: v / x.shape[0] for k, v in g.items()}
        if grads == "zero_hh":
            g["bias_hh_l0"] = 0 * g["bias_hh_l0"]
        return dgi @ W_ih, dh_prev, g

    return student


def gsb_ok_stacked(dh_next, x, h_prev, params, reset_after=True):
    """Correct, written differently: the three blocks as one (B, 3H) array, the
    sigmoid in its tanh form, both placements."""
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h_prev.shape[1]
    s = lambda a: 0.5 * (1 + np.tanh(0.5 * a))
    gi = x @ W_ih.T + b_ih  # (B, 3H)
    if reset_after:
        gh = h_prev @ W_hh.T + b_hh  # (B, 3H)
        r, z = s(gi[:, :H] + gh[:, :H]), s(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
    else:
        grz = h_prev @ W_hh[: 2 * H].T + b_hh[: 2 * H]
        r, z = s(gi[:, :H] + grz[:, :H]), s(gi[:, H : 2 * H] + grz[:, H:])
        n = np.tanh(gi[:, 2 * H :] + (r * h_prev) @ W_hh[2 * H :].T + b_hh[2 * H :])
    dan = dh_next * (1 - z) * (1 - n**2)
    daz = dh_next * (h_prev - n) * z * (1 - z)
    if reset_after:
        dar = dan * gh[:, 2 * H :] * r * (1 - r)
        dgh = np.concatenate([dar, daz, dan * r], axis=1)  # into h_prev @ W_hh.T
        dh_prev = dh_next * z + dgh @ W_hh
        dW_hh, db_hh = dgh.T @ h_prev, dgh.sum(0)
    else:
        drh = dan @ W_hh[2 * H :]
        dar = drh * h_prev * r * (1 - r)
        drz = np.concatenate([dar, daz], axis=1)
        dh_prev = dh_next * z + drz @ W_hh[: 2 * H] + drh * r
        dW_hh = np.concatenate([drz.T @ h_prev, dan.T @ (r * h_prev)])
        db_hh = np.concatenate([drz, dan], axis=1).sum(0)
    dgi = np.concatenate([dar, daz, dan], axis=1)
    grads = {"weight_ih_l0": dgi.T @ x, "weight_hh_l0": dW_hh}
    grads.update(bias_ih_l0=dgi.sum(0), bias_hh_l0=db_hh)
    return dgi @ W_ih, dh_prev, grads


GRU_STEP_BACKWARD = [
    (gsb(z_sign=-1), ["wrong sign"]),
    (gsb(direct=False), ["direct path"]),
    (gsb(r_on_hn=False), ["multiplied by r"]),
    (gsb(reset_grad=False), ["reset gate gets no gradient"]),
    (gsb(n_slope="sig"), ["candidate n is a tanh"]),
    (gsb(placement=False), ["other reset placement"]),
    (gsb(placement=True), ["other reset placement"]),
    (gsb(bias_hh_n_plain=True), ["bias_hh_l0", "b_hn"]),
    (gsb(default=False), ["reset_after left out", "default", "reset_after=True"]),
    (gsb(n_slope="none"), ["slope of the candidate", "1 - n^2"]),
    (gsb(grads="mean_all"), ["means over the batch", "sum"]),
    (gsb(grads="zero_hh"), ["bias_hh_l0", "is zero"]),
    (gsb(with_b_hh=False), ["b_hh", "forward step"]),
    (gsb(interp="zn"), ["reversed interpolation"]),
    (gsb(gate_slope="exp"), ["NaN", "large", "overflow"]),
]


# -------------------------------------------------------------- 5.3 param_count

K = {"rnn": 1, "lstm": 4, "gru": 3}


def pc_int32(kind, D, H):  # sizes held as 32-bit integers (NumPy 1 on Windows)
    sizes = np.array([H * D, H * H, H, H], dtype=np.int32) * K[kind]
    return int(sizes.sum())


PARAM_COUNT = [
    (lambda kind, D, H: K[kind] * (H * D + H * H), ["left out the biases"]),
    (lambda kind, D, H: K[kind] * (H * D + H * H + H), ["two bias vectors"]),
    (lambda kind, D, H: H * D + H * H + 2 * H, ["multiply by k"]),
    (lambda kind, D, H: K[kind] * (H * D + D * D + 2 * H), ["not D * D"]),
    (lambda kind, D, H: "many", ["return an integer"]),
    (
        lambda kind, D, H: (
            {"rnn": 1, "lstm": 4, "gru": 4}[kind] * (H * D + H * H + 2 * H)
        ),
        ["wrong number of blocks", "the GRU 3"],
    ),
    (
        lambda kind, D, H: (
            {"rnn": 1, "lstm": 3, "gru": 3}[kind] * (H * D + H * H + 2 * H)
        ),
        ["wrong number of blocks", "LSTM has 4"],
    ),
    (
        lambda kind, D, H: K[kind] * (H * D + H * H) + 2 * H,
        ["stacked like the weights"],
    ),
    (lambda kind, D, H: K[kind] * H * (D + H + 2) / 1, ["a float", "int"]),
    (lambda kind, D, H: float(K[kind] * (H * D + H * H + 2 * H)), ["a float"]),
    (lambda kind, D, H: K[kind] * (2 * H * D + 2 * H), ["not H * D"]),
    (lambda kind, D, H: K[kind] * (H * D + 2 * H), ["left out W_hh"]),
    (pc_int32, ["32-bit", "2147483647"]),
    (lambda kind, D, H: kind != "", ["a bool"]),
]


# ------------------------------------------------------- 5.4 flip_interpolation


def flip(rows="z", keys="WUbc", how="neg", block="H", cols=False, in_place=False):
    """A student's conversion between the interpolation conventions. keys: which
    arrays change (W weight_ih, U weight_hh, b bias_ih, c bias_hh)."""
    keys_in_full = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    names = dict(zip("WUbc", keys_in_full, strict=True))

    def student(params):
        H = params["weight_hh_l0"].shape[1]
        size = params["weight_ih_l0"].shape[1] if block == "D" else H
        new = params if in_place else {k: v.copy() for k, v in params.items()}
        for key in keys:
            v = new[names[key]]
            for gate in rows:
                j = "rzn".index(gate)
                s = slice(j * size, (j + 1) * size)
                at = (slice(None), s) if cols and v.ndim == 2 else s
                v[at] = -v[at] if how == "neg" else 1 - v[at]
        return new

    return student


def flip_ok_concat(params):  # a new array per key, built from the three blocks
    new = {}
    for key, v in params.items():
        r, z, n = np.split(v, 3)
        new[key] = np.concatenate([r, -z, n])
    return new


def flip_ok_shift(params):  # the update bias moved between b_iz and b_hz
    H = params["weight_hh_l0"].shape[1]
    new = {k: v.copy() for k, v in params.items()}
    for v in new.values():
        v[H : 2 * H] = -v[H : 2 * H]
    new["bias_ih_l0"][H : 2 * H] += 0.5
    new["bias_hh_l0"][H : 2 * H] -= 0.5
    return new


def flip_float64(params):
    return {k: v.astype(float) for k, v in flip()(params).items()}


def flip_only_changed(params):
    return {k: v for k, v in flip()(params).items() if "weight" in k}


FLIP_INTERPOLATION = [
    (flip(rows=""), ["are the originals"]),
    (flip(rows="r"), ["reset block", "rows [H:2H]"]),
    (flip(rows="n"), ["candidate's block", "rows [H:2H]"]),
    (flip(rows="zn"), ["as well as the update block"]),
    (flip(rows="rzn"), ["negated every parameter"]),
    (flip(keys="WU"), ["but not its biases"]),
    (flip(keys="bc"), ["only the update block's biases"]),
    (flip(keys="Wb"), ["only the input side"]),
    (flip(keys="Uc"), ["only the hidden side"]),
    (flip(keys="WUb"), ["params['bias_hh_l0'] unchanged"]),
    (flip(keys="Ubc"), ["params['weight_ih_l0'] unchanged"]),
    (flip(how="one_minus"), ["by 1 - v"]),
    (flip(block="D"), ["D = weight_ih_l0.shape[1]"]),
    (flip(cols=True), ["columns [H:2H]"]),
    (flip(in_place=True), ["in place"]),
    (flip_float64, ["float64", "float32"]),
    (flip_only_changed, ["lacks", "bias_ih_l0"]),
]


# ---------------------------------------------------------------- 6.1 cifg_step


def cifg(
    order="fgo",
    swap=False,
    output=True,
    cand=np.tanh,
    c_from="c",
    gate=sig,
    cell_act=np.tanh,
    h_from="new",
    biases="both",
    returns="hc",
):
    def student(x, h, c, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        b_ih = b_ih if biases in ("both", "ih") else 0
        b_hh = b_hh if biases in ("both", "hh") else 0
        blocks = dict(
            zip(
                order,
                np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 3, axis=1),
                strict=True,
            )
        )
        f, g = gate(blocks["f"]), cand(blocks["g"])
        keep = 1 - f if swap else f
        c_next = keep * (h if c_from == "h" else c) + (1 - keep) * g
        o = gate(blocks["o"]) if output else 1
        h_next = o * cell_act(c_next if h_from == "new" else c)
        return (c_next, h_next) if returns == "ch" else (h_next, c_next)

    return student


def sig_exp_over(a):  # exp(a) / (1 + exp(a)): inf / inf for large a
    return np.exp(a) / (1 + np.exp(a))


def sig_clipped(a):  # clipping at 10 is off by 4.5e-5 beyond it
    return sig(np.clip(a, -10, 10))


def tanh_exp(a):  # (e^2a - 1) / (e^2a + 1): inf / inf for large a
    return (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1)


def cifg_per_block_transposed_hh(x, h, c, params):  # h @ W (H, H) per block
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    a_x = x @ W_ih.T + b_ih + b_hh
    f, g, o = (
        a_x[:, k * H : (k + 1) * H] + h @ W_hh[k * H : (k + 1) * H] for k in range(3)
    )
    f = sig(f)
    c_next = f * c + (1 - f) * np.tanh(g)
    return sig(o) * np.tanh(c_next), c_next


def cifg_ok_lerp(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    a = x @ W_ih.T + h @ W_hh.T + b_ih + b_hh
    f = sig(a[:, :H])
    c_next = g = np.tanh(a[:, H : 2 * H])
    c_next = g + f * (c - g)
    return sig(a[:, 2 * H :]) * np.tanh(c_next), c_next


CIFG_STEP = [
    (cifg(swap=True), ["coupling is reversed"]),
    (cifg(output=False), ["output gate is missing"]),
    (cifg(cand=sig), ["candidate g is a tanh"]),
    (cifg(order="gfo"), ["block order"]),
    (cifg(order="fog"), ["block order"]),
    (cifg(order="ofg"), ["block order"]),
    (cifg(order="ogf"), ["block order"]),
    (cifg(order="gof"), ["block order"]),
    (cifg(biases="ih"), ["left out b_hh"]),
    (cifg(biases="hh"), ["left out b_ih"]),
    (cifg(biases="none"), ["left out both biases"]),
    (cifg_per_block_transposed_hh, ["W_hh instead of W_hh^T"]),
    (cifg(gate=np.tanh), ["gates f and o are sigmoids"]),
    (cifg(cell_act=lambda a: a), ["missing the tanh"]),
    (cifg(h_from="old"), ["old cell state"]),
    (cifg(c_from="h"), ["multiplies h instead of c"]),
    (cifg(returns="ch"), ["(c_next, h_next)"]),
    (cifg(swap=True, biases="ih"), ["two mistakes", "coupling", "b_hh"]),
    (cifg(gate=sig_exp_over), ["NaN", "stable sigmoid"]),
    (cifg(cand=tanh_exp), ["NaN", "np.tanh"]),
    (cifg(gate=sig_clipped), ["hundreds", "clip"]),
]


# ------------------------------------------------------------- 6.3 gru_jacobian


def gj(
    order="rzn",
    direct="z",
    n_weight=True,
    slope="tanh",
    r_own=True,
    reset=True,
    r_slope=True,
    b_hn=True,
    cho=False,
    update=True,
    sign=1,
    z_slope=True,
    transposed_W=False,
    layout="rows",
    biases="both",
    reversed_interp=False,
    gate=sig,
    eye_dtype=True,
):
    """A student's batched GRU Jacobian, with the named slip."""

    def student(x, h_prev, params):
        W_ih, W_hh, b_ih, b_hh = P(params)
        b_ih = b_ih if biases in ("both", "ih") else 0
        b_hh = b_hh if biases in ("both", "hh") else 0
        H = h_prev.shape[1]
        gi = dict(zip(order, np.split(x @ W_ih.T + b_ih, 3, axis=1), strict=True))
        hh = np.split(h_prev @ W_hh.T + b_hh, 3, axis=1)
        gh = dict(zip(order, hh, strict=True))
        W = dict(zip(order, np.split(W_hh, 3), strict=True))
        if transposed_W:
            W = {k: v.T for k, v in W.items()}
        r, z = gate(gi["r"] + gh["r"]), gate(gi["z"] + gh["z"])
        m = gh["n"]
        n = np.tanh(gi["n"] + r * m)
        keep = 1 - z if reversed_interp else z
        dn = {"tanh": 1 - n * n, "sig": n * (1 - n), "none": 1.0}[slope]
        dn = dn * (1 - keep if n_weight else 1)
        sr = r * (1 - r) if r_slope else r
        if cho:
            inner = W["n"] * r[:, None, :]
            if reset:
                inner = inner + np.einsum("ij,bj,jk->bik", W["n"], h_prev * sr, W["r"])
        else:
            inner = (r[:, :, None] if r_own else 1) * W["n"]
            if reset:
                m_used = m if b_hn else m - b_hh[2 * H :] if biases != "ih" else m
                inner = inner + (m_used * sr)[:, :, None] * W["r"]
        J = dn[:, :, None] * inner
        if update:
            dz = (n - h_prev) if reversed_interp else (h_prev - n)
            dz = sign * dz * (z * (1 - z) if z_slope else 1)
            J = J + dz[:, :, None] * W["z"]
        eye = np.eye(H, dtype=x.dtype) if eye_dtype else np.eye(H)
        if direct == "z":
            J = J + keep[:, :, None] * eye
        elif direct == "I":
            J = J + eye
        return np.transpose(J, (0, 2, 1)) if layout == "columns" else J

    return student


def gj_ok_per_example(x, h_prev, params):
    """Correct, written differently: one example at a time with np.diag, the
    sigmoid in its tanh form."""
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h_prev.shape[1]
    s = lambda a: 0.5 * (1 + np.tanh(0.5 * a))
    W_hr, W_hz, W_hn = W_hh[:H], W_hh[H : 2 * H], W_hh[2 * H :]
    out = []
    for x_b, h in zip(x, h_prev, strict=True):
        r = s(W_ih[:H] @ x_b + b_ih[:H] + W_hr @ h + b_hh[:H])
        z = s(W_ih[H : 2 * H] @ x_b + b_ih[H : 2 * H] + W_hz @ h + b_hh[H : 2 * H])
        m = W_hn @ h + b_hh[2 * H :]
        n = np.tanh(W_ih[2 * H :] @ x_b + b_ih[2 * H :] + r * m)
        bracket = np.diag(r) @ W_hn + np.diag(m * r * (1 - r)) @ W_hr
        out.append(
            np.diag(z)
            + np.diag((1 - z) * (1 - n**2)) @ bracket
            + np.diag((h - n) * z * (1 - z)) @ W_hz
        )
    return np.stack(out).astype(x.dtype)


def gj_one_example(x, h_prev, params):  # the Jacobian of example 0 only
    return gj()(x, h_prev, params)[0]


GRU_JACOBIAN = [
    (gj(direct=None), ["direct path"]),
    (gj(direct="I"), ["not the identity"]),
    (gj(reversed_interp=True), ["reversed interpolation"]),
    (gj(n_weight=False), ["lacks the factor (1 - z)"]),
    (gj(slope="none"), ["tanh's slope"]),
    (gj(slope="sig"), ["not n (1 - n)"]),
    (gj(r_own=False), ["lacks diag(r)"]),
    (gj(reset=False), ["through the reset gate"]),
    (gj(r_slope=False), ["r (1 - r)"]),
    (gj(b_hn=False), ["left out b_hn"]),
    (gj(cho=True), ["Cho"]),
    (gj(update=False), ["through the update gate"]),
    (gj(sign=-1), ["wrong sign"]),
    (gj(z_slope=False), ["z (1 - z)"]),
    (gj(transposed_W=True), ["transposed in J"]),
    (gj(layout="columns"), ["your J is transposed"]),
    (gj(order="zrn"), ["gate order"]),
    (gj(order="rnz"), ["gate order"]),
    (gj(biases="ih"), ["left out b_hh"]),
    (gj(biases="none"), ["left out both biases"]),
    (gj(direct=None, reset=False), ["two mistakes", "direct path", "reset gate"]),
    (gj(eye_dtype=False), ["float64", "float32"]),
    (gj(gate=sig_exp_over), ["NaN", "stable sigmoid"]),
    (gj_one_example, ["expected (3, 4, 4)", "dimension is missing"]),
]


# ---------------------------------------------------------- 0.1 stable_sigmoid


def ss_ok(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def ss_ok_split(a):  # the two branches on separate index sets: no wasted exp
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1 / (1 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1 + e)
    return out


def ss_naive(a):
    return 1 / (1 + np.exp(-a))


def ss_naive_other(a):
    return np.exp(a) / (1 + np.exp(a))


def ss_both_branches(a):
    return np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))


def ss_cancel(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), 1 - 1 / (1 + e))


def ss_flipped(a):
    return ss_ok(-a)


def ss_float64(a):
    return ss_ok(np.asarray(a, dtype=np.float64))


def ss_in_place(a):
    np.clip(a, -100, 100, out=a)
    return ss_ok(a)


def ss_narrow_clip(a):  # clipping to +-10 flattens the tails
    return 1 / (1 + np.exp(-np.clip(a, -10, 10)))


def ss_clip_500(a):  # a common recipe: fine for overflow, not for tiny results
    return 1 / (1 + np.exp(-np.clip(a, -500, 500)))


def ss_clip_by_dtype(a):  # right in float64, too narrow in float32
    limit = 700 if a.dtype == np.float64 else 50
    return 1 / (1 + np.exp(-np.clip(a, -limit, limit)))


def ss_ok_clip_at_overflow(a):  # clipped just short of overflow: nothing lost
    limit = 709 if a.dtype == np.float64 else 88.5
    return 1 / (1 + np.exp(-np.clip(a, -limit, limit)))


STABLE_SIGMOID = [
    (ss_naive, ["RuntimeWarning"]),
    (ss_naive_other, ["RuntimeWarning"]),
    (ss_both_branches, ["computes both"]),
    (ss_cancel, ["cancels to exactly 0"]),
    (ss_flipped, ["sign is flipped"]),
    (ss_float64, ["float64 for float32 inputs"]),
    (ss_in_place, ["in place"]),
    (ss_narrow_clip, ["you clip a to [-10, 10]"]),
    (ss_clip_500, ["you clip a to [-500, 500]"]),
    (ss_clip_by_dtype, ["you clip a to [-50, 50]", "float32"]),
]


# ------------------------------------------------------------------- 1.1 rnn_step


def rnn(act=np.tanh, b_ih=True, b_hh=True, t_ih=False, t_hh=False, swap=False):
    def student(x, h, params):
        W_ih, W_hh, bi, bh = P(params)
        A, Bm = (W_hh, W_ih) if swap else (W_ih, W_hh)
        a = x @ (A if t_ih else A.T) + h @ (Bm if t_hh else Bm.T)
        return act(a + (bi if b_ih else 0) + (bh if b_hh else 0))

    return student


def rnn_ok_stacked(x, h, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    xh = np.hstack([x, h])
    return np.tanh(xh @ np.hstack([W_ih, W_hh]).T + b_ih + b_hh)


def rnn_tanh_on_input(x, h, params):  # a parenthesis closed too early
    W_ih, W_hh, b_ih, b_hh = P(params)
    return np.tanh(x @ W_ih.T + b_ih) + h @ W_hh.T + b_hh


def rnn_tanh_each(x, h, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    return np.tanh(x @ W_ih.T + b_ih) + np.tanh(h @ W_hh.T + b_hh)


def rnn_bias_outside(x, h, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    return np.tanh(x @ W_ih.T + h @ W_hh.T) + b_ih + b_hh


RNN_STEP = [
    (rnn(act=sig), ["sigmoid where the RNN uses tanh"]),
    (rnn(act=lambda a: np.maximum(a, 0)), ["ReLU"]),
    (rnn(act=lambda a: a), ["tanh is missing"]),
    (rnn(b_ih=False), ["left out b_ih"]),
    (rnn(b_hh=False), ["left out b_hh"]),
    (rnn(b_ih=False, b_hh=False), ["both biases"]),
    (rnn(t_hh=True), ["W_hh instead of W_hh^T"]),
    (rnn(t_ih=True, t_hh=True), ["W_ih and W_hh instead of their transposes"]),
    (rnn(swap=True), ["swapped"]),
    (rnn(act=sig, b_hh=False), ["two mistakes", "sigmoid", "b_hh"]),
    (rnn_tanh_on_input, ["tanh covers only the input term"]),
    (rnn_tanh_each, ["each term its own tanh"]),
    (rnn_bias_outside, ["biases are added after the tanh"]),
]


# ---------------------------------------------------------------- 1.2 rnn_forward


def rnn_step_ok(x, h, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def rf(shift=False, zeros=False, with_h0=False, h_n_first=False, step=rnn_step_ok):
    def student(x, params, h0=None):
        B, H = x.shape[1], params["weight_hh_l0"].shape[1]
        h = np.zeros((B, H), x.dtype) if (h0 is None or zeros) else h0
        out = [h] if with_h0 else []
        for x_t in x:
            new = step(x_t, h, params)
            out.append(h if shift else new)
            h = new
        out = np.stack(out)
        return out, (out[0] if h_n_first else h)

    return student


def rf_batch_major(x, params, h0=None):
    out, h = rf()(x, params, h0)
    return out.transpose(1, 0, 2), h


def rf_aliased(x, params, h0=None):
    """Writes every step into one buffer and appends that buffer each time."""
    B, H = x.shape[1], params["weight_hh_l0"].shape[1]
    h = np.zeros((B, H), x.dtype) if h0 is None else h0.copy()
    out = []
    for x_t in x:
        h[:] = rnn_step_ok(x_t, h, params)
        out.append(h)
    return np.stack(out), h


def rf_float64_zeros(x, params, h0=None):  # np.zeros without dtype
    B, H = x.shape[1], params["weight_hh_l0"].shape[1]
    h = np.zeros((B, H)) if h0 is None else h0
    out = []
    for x_t in x:
        h = rnn_step_ok(x_t, h, params)
        out.append(h)
    return np.stack(out), h


def rf_loop(order="forward", skip=None):
    """A preallocated loop: order 'backward' (by index) or 'reversed' (x[::-1],
    appended); skip 'first' (range(1, T)) or 'last' (range(T - 1))."""

    def student(x, params, h0=None):
        T, B, _ = x.shape
        H = params["weight_hh_l0"].shape[1]
        h = np.zeros((B, H), x.dtype) if h0 is None else h0
        out = np.zeros((T, B, H), x.dtype)
        steps = {"first": range(1, T), "last": range(T - 1)}.get(skip, range(T))
        if order == "backward":
            steps = reversed(range(T))
        for i, t in enumerate(steps):
            x_t = x[T - 1 - t] if order == "reversed" else x[t]
            h = rnn_step_ok(x_t, h, params)
            out[i if order == "reversed" else t] = h
        return out, h

    return student


def rf_ok_preallocated(x, params, h0=None):
    T, B, _ = x.shape
    H = params["weight_hh_l0"].shape[1]
    out = np.zeros((T, B, H), x.dtype)
    h = np.zeros((B, H), x.dtype) if h0 is None else h0
    for t in range(T):
        out[t] = h = rnn_step_ok(x[t], h, params)
    return out, out[-1]


RNN_FORWARD = [
    (rf(shift=True), ["shifted by one step"]),
    (rf(zeros=True), ["ignores h0"]),
    (rf_batch_major, ["time-major"]),
    (rf(with_h0=True), ["includes h0"]),
    (rf(h_n_first=True), ["h_n must be the last hidden state"]),
    (rf(step=rnn(b_hh=False)), ["your steps are wrong", "left out b_hh"]),
    (rf(step=rnn(act=sig)), ["your steps are wrong", "sigmoid"]),
    (rf_aliased, ["same array T times", "in place"]),
    (rf_float64_zeros, ["float64", "dtype=x.dtype"]),
    (rf_loop(order="backward"), ["backwards in time"]),
    (rf_loop(order="reversed"), ["backwards in time"]),
    (rf_loop(skip="first"), ["skips x[0]"]),
    (rf_loop(skip="last"), ["one step early"]),
    (rf(step=rnn_tanh_on_input), ["your steps are wrong", "only the input term"]),
]


# ---------------------------------------------------------------------- 1.3 latch

LATCH = [
    (lambda: (0.9, 4.0, 0.0), ["|w_hh| = 0.9 <= 1"]),
    (lambda: (1.0, 4.0, 0.0), ["|w_hh| = 1 <= 1", "forgets"]),
    (lambda: (-2.0, 4.0, 0.0), ["oscillation"]),
    (lambda: (2.0, 4.0, 1.5), ["switches itself on"]),
    (lambda: (2.0, 4.0, -1.5), ["switches itself on", "bias small"]),
    (lambda: (3.0, 1.0, 0.0), ["too weak"]),
    (lambda: (2.0, 0.0, 0.0), ["too weak"]),
    (lambda: 2.0, ["three numbers"]),
    (lambda: (2.0, float("inf"), 0.0), ["non-finite"]),
    (lambda: (1.2, 4.0, 1e-7), ["switches itself on", "step"]),
    (lambda: (1.2, 4.0, -1e-7), ["switches itself on", "step"]),
    (lambda: (1.05, 4.0, 0.0), ["'on' state", "not above 0.5", "raise w_hh"]),
    (lambda: (2.0, -4.0, 0.0), ["negative", "pushes h down"]),
]


# ------------------------------------------------------------------ 3.1 lstm_step


def sig_by_exp(a):  # exp(a) / (1 + exp(a)): inf / inf = NaN once exp(a) overflows
    return np.exp(a) / (1 + np.exp(a))


def tanh_by_exp(a):  # the textbook formula: NaN once exp(|a|) overflows
    return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))


def lstm(
    order="ifgo",
    gate=sig,
    cand=np.tanh,
    cell_act=np.tanh,
    forget_on="c",
    out_from="new",
    b_ih=True,
    b_hh=True,
    t_hh=False,
    block_t=False,
    swap=False,
):
    def student(x, h, c, params):
        W_ih, W_hh, bi, bh = P(params)
        if swap:  # W_hh on x and W_ih on h: fits only when D = H
            W_ih, W_hh = W_hh, W_ih
        if block_t:  # each gate's (H, H) block transposed
            W_hh = np.concatenate([w.T for w in np.split(W_hh, 4)])
        a = x @ W_ih.T + h @ (W_hh if t_hh else W_hh.T)
        a = a + (bi if b_ih else 0) + (bh if b_hh else 0)
        blocks = dict(zip(order, np.split(a, 4, axis=1), strict=True))
        i, f, o = gate(blocks["i"]), gate(blocks["f"]), gate(blocks["o"])
        g = cand(blocks["g"])
        c_next = f * (c if forget_on == "c" else h) + i * g
        return o * cell_act(c_next if out_from == "new" else c), c_next

    return student


def lstm_ok_loop(x, h, c, params):
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    acts = [sig, sig, np.tanh, sig]
    i, f, g, o = (
        acts[k](
            x @ W_ih[k * H : (k + 1) * H].T
            + h @ W_hh[k * H : (k + 1) * H].T
            + b_ih[k * H : (k + 1) * H]
            + b_hh[k * H : (k + 1) * H]
        )
        for k in range(4)
    )
    c_next = f * c + i * g
    return o * np.tanh(c_next), c_next


LSTM_STEP = [
    (
        lstm(order="ifog"),
        ["gate order", "i, f, o, g", "input, forget, output, cell candidate", "CS231n"],
    ),
    (lstm(order="figo"), ["gate order"]),
    (lstm(gate=np.tanh, cand=sig), ["sigmoid and tanh are swapped"]),
    (lstm(gate=np.tanh), ["gates use tanh"]),
    (lstm(cand=sig), ["candidate g uses a sigmoid"]),
    (lstm(cell_act=lambda a: a), ["missing the tanh"]),
    (lstm(forget_on="h"), ["forget gate multiplies h"]),
    (lstm(out_from="old"), ["old cell state"]),
    (lstm(b_ih=False), ["left out b_ih"]),
    (lstm(b_hh=False), ["left out b_hh"]),
    (lstm(block_t=True), ["W_hh instead of W_hh^T"]),
    (lstm(t_hh=True), ["wrong way round", "h @ W_hh.T"]),
    (lstm(order="ifog", b_hh=False), ["two mistakes", "gate order", "left out b_hh"]),
    (lstm(gate=sig_by_exp), ["NaN", "large", "overflow"]),
    (lstm(cand=tanh_by_exp, cell_act=tanh_by_exp), ["NaN", "np.tanh"]),
    (lstm(swap=True), ["W_ih and W_hh are swapped"]),
    (lstm(b_ih=False, b_hh=False), ["left out both biases"]),
]


# -------------------------------------------------------------------- 5.1 gru_step


def gru(
    order="rzn",
    reset=None,
    interp="zh",
    b_ih=True,
    with_b_hh=True,
    with_b_hn=True,
    gate=sig,
    default=True,
):
    """reset: None (the placement asked for), 'after', 'before', 'input', 'none',
    'after_b_hn_out' (r * (W_hn h) + b_hn); with_b_hn False leaves out b_hh[2H:];
    default: the student's default for reset_after."""

    def student(x, h, params, reset_after=default):
        W_ih, W_hh, bi, b_hh = P(params)
        H = h.shape[1]
        if not with_b_hh:
            b_hh = 0 * b_hh
        if not with_b_hn:
            b_hh = np.concatenate([b_hh[: 2 * H], 0 * b_hh[2 * H :]])
        gx = x @ W_ih.T + (bi if b_ih else 0)
        gh = h @ W_hh.T + b_hh
        bx = dict(zip(order, np.split(gx, 3, axis=1), strict=True))
        bh = dict(zip(order, np.split(gh, 3, axis=1), strict=True))
        r, z = gate(bx["r"] + bh["r"]), gate(bx["z"] + bh["z"])
        where = reset or ("after" if reset_after else "before")
        rows = {"r": 0, "z": 1, "n": 2}["n"] if order == "rzn" else order.index("n")
        W_hn, b_hn = W_hh[rows * H : (rows + 1) * H], b_hh[rows * H : (rows + 1) * H]
        if where == "after":
            n = np.tanh(bx["n"] + r * bh["n"])
        elif where == "after_b_hn_out":
            n = np.tanh(bx["n"] + r * (h @ W_hn.T) + b_hn)
        elif where == "before":
            n = np.tanh(bx["n"] + (r * h) @ W_hn.T + b_hn)
        elif where == "input":
            n = np.tanh(r * bx["n"] + bh["n"])
        else:
            n = np.tanh(bx["n"] + bh["n"])
        return (1 - z) * n + z * h if interp == "zh" else z * n + (1 - z) * h

    return student


def gru_ok_lerp(x, h, params, reset_after=True):
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    gx = x @ W_ih.T + b_ih
    r = sig(gx[:, :H] + h @ W_hh[:H].T + b_hh[:H])
    z = sig(gx[:, H : 2 * H] + h @ W_hh[H : 2 * H].T + b_hh[H : 2 * H])
    if reset_after:
        n = np.tanh(gx[:, 2 * H :] + r * (h @ W_hh[2 * H :].T + b_hh[2 * H :]))
    else:
        n = np.tanh(gx[:, 2 * H :] + (r * h) @ W_hh[2 * H :].T + b_hh[2 * H :])
    return n + z * (h - n)


GRU_STEP = [
    (gru(interp="zn"), ["interpolation is reversed"]),
    (gru(reset="before"), ["reset gate in the wrong place"]),
    (gru(reset="after"), ["reset gate in the wrong place"]),
    (gru(reset="input"), ["multiplies the input term"]),
    (gru(reset="none"), ["reset gate is missing"]),
    (gru(order="zrn"), ["gate order", "update, reset, new"]),
    (gru(order="nrz"), ["gate order"]),
    (gru(b_ih=False), ["left out b_ih"]),
    (gru(with_b_hh=False), ["left out b_hh"]),
    (gru(with_b_hn=False), ["left out b_hn", "bias_hh_l0'][2H:]"]),
    (gru(reset="after_b_hn_out"), ["b_hn", "inside", "r * (W_hn h + b_hn)"]),
    (gru(default=False), ["reset_after left out", "default", "reset_after=True"]),
    (gru(gate=sig_by_exp), ["NaN", "large", "overflow"]),
]


# ------------------------------------------------------- 7.1 softmax_temperature


def st_ok(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def st_ok_shift_first(logits, temperature):  # shifting before dividing is the same
    z = (logits - np.max(logits, axis=-1, keepdims=True)) / temperature
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


def st(scale="divide", axis=-1, shift=True, log=False, power=False, norm_T=True):
    def student(logits, temperature):
        if power:
            z = logits - logits.max(axis=-1, keepdims=True)
            p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
            return p ** (1 / temperature)
        z = {"divide": logits / temperature, "multiply": logits * temperature}.get(
            scale, logits
        )
        if shift:
            z = z - (z.max() if axis is None else z.max(axis=axis, keepdims=True))
        e = np.exp(z)
        if not norm_T:
            return np.exp(logits / temperature) / np.exp(logits).sum(-1, keepdims=True)
        p = e / (e.sum() if axis is None else e.sum(axis=axis, keepdims=True))
        return np.log(p) if log else p

    return student


def st_no_keepdims(where="sum"):
    def student(logits, temperature):
        z = logits / temperature
        z = z - (z.max(axis=-1) if where == "max" else z.max(axis=-1, keepdims=True))
        e = np.exp(z)
        return e / (e.sum(axis=-1) if where == "sum" else e.sum(-1, keepdims=True))

    return student


def st_axis_1(logits, temperature):  # right for 2-D logits only
    z = logits / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def st_probabilities_over_T(logits, temperature):
    z = logits - logits.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True) / temperature


SOFTMAX_TEMPERATURE = [
    (st(scale="multiply"), ["multiplied the logits"]),
    (st(scale="none"), ["no effect"]),
    (st(power=True), ["without normalising again"]),
    (st(axis=0), ["over axis 0"]),
    (st(axis=None), ["every element at once"]),
    (st(log=True), ["log-probabilities"]),
    (st(shift=False), ["RuntimeWarning", "Subtract each row's largest value"]),
    (st(norm_T=False), ["same scaled logits"]),
    (
        lambda logits, temperature: st_ok(logits.astype(np.float64), temperature),
        ["float64"],
    ),
    (st_no_keepdims("sum"), ["row sums without keepdims"]),
    (st_no_keepdims("max"), ["row maxima without keepdims"]),
    (st_axis_1, ["over axis 1", "last axis"]),
    (st_probabilities_over_T, ["do not sum to 1"]),
]


# ------------------------------------------------------------- 7.2 bits_per_char


def bpc_ok(logits, targets):
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return float(-logp[np.arange(len(targets)), targets].mean() / np.log(2))


def bpc_ok_loop(logits, targets):
    total = 0.0
    for row, target in zip(logits.astype(np.float64), targets, strict=True):
        m = row.max()
        total += m + np.log(np.sum(np.exp(row - m))) - row[target]
    return total / len(targets) / np.log(2)


def bpc(log=np.log2, reduce="mean", sign=-1, pick="target", shift=True, avg_p=False):
    def student(logits, targets):
        z = logits - logits.max(axis=-1, keepdims=True) if shift else logits
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        rows = np.arange(len(targets))
        chosen = targets if pick == "target" else logits.argmax(-1)
        if pick == "shifted":
            rows, chosen = rows[:-1], targets[1:]
        if avg_p:
            return float(-log(p[rows, chosen].mean()))
        costs = sign * log(p[rows, chosen])
        return float(costs.mean() if reduce == "mean" else costs.sum())

    return student


def bpc_log_p(logits, targets, axis=-1):
    z = logits - logits.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def bpc_shifted_back(logits, targets):  # logits[1:] paired with targets[:-1]
    logp = bpc_log_p(logits, targets)
    return float(-logp[np.arange(1, len(targets)), targets[:-1]].mean() / np.log(2))


def bpc_rolled(logits, targets):  # "the next character": np.roll wraps around
    nxt = np.roll(targets, -1)
    logp = bpc_log_p(logits, targets)
    return float(-logp[np.arange(len(targets)), nxt].mean() / np.log(2))


def bpc_table(logits, targets):  # logp[:, targets] is an (N, N) table
    return float(-bpc_log_p(logits, targets)[:, targets].mean() / np.log(2))


def bpc_rows(logits, targets):  # logp[targets] picks whole rows
    return float(-bpc_log_p(logits, targets)[targets].mean() / np.log(2))


def bpc_all_entries(logits, targets):  # the mean over every entry of log p
    return float(-bpc_log_p(logits, targets).mean() / np.log(2))


def bpc_axis_0(logits, targets):
    logp = bpc_log_p(logits, targets, axis=0)
    return float(-logp[np.arange(len(targets)), targets].mean() / np.log(2))


def bpc_times_ln2(logits, targets):
    logp = bpc_log_p(logits, targets)
    return float(-logp[np.arange(len(targets)), targets].mean() * np.log(2))


BITS_PER_CHAR = [
    (bpc(log=np.log), ["nats"]),
    (bpc(log=np.log10), ["log base 10"]),
    (bpc(reduce="sum"), ["summed over the characters"]),
    (bpc(sign=1), ["sign is flipped"]),
    (bpc(pick="argmax"), ["most likely character"]),
    (bpc(avg_p=True), ["averaged the probabilities before the log"]),
    (bpc(pick="shifted"), ["shifted by one"]),
    (bpc(shift=False), ["RuntimeWarning", "log-sum-exp"]),
    (
        lambda logits, targets: (
            -np.log2(np.exp(logits) / np.exp(logits).sum(-1, keepdims=True))[
                np.arange(len(targets)), targets
            ]
        ),
        ["one number"],
    ),
    (bpc_shifted_back, ["shifted by one", "logits[n] already predicts"]),
    (bpc_rolled, ["np.roll"]),
    (bpc_table, ["(N, N) table"]),
    (bpc_rows, ["log_p[targets] picks rows"]),
    (bpc_all_entries, ["every entry"]),
    (bpc_axis_0, ["over axis 0"]),
    (bpc_times_ln2, ["multiplied by ln 2"]),
]


# --------------------------------------------------------- 7.3 line_position_cell


def positions(text, reset=True):
    out, p = [], 0
    for ch in text:
        out.append(p)
        p = 0 if (ch == "\n" and reset) else p + 1
    return np.array(out, dtype=float)


def lpc_ok(states, text):
    pos = positions(text)
    corr = [abs(np.corrcoef(states[:, j], pos)[0, 1]) for j in range(states.shape[1])]
    return int(np.argmax(corr))


def lpc_ok_standardised(states, text):
    pos = positions(text)
    zs = (states - states.mean(0)) / states.std(0)
    zp = (pos - pos.mean()) / pos.std()
    return int(np.abs(zs.T @ zp).argmax())


def lpc(target="position", measure="corr", use_abs=True, pick=np.argmax, reset=True):
    def student(states, text):
        if target == "newline":
            y = np.array([c == "\n" for c in text], dtype=float)
        else:
            y = positions(text, reset)
        if measure == "corr":
            score = np.array([np.corrcoef(col, y)[0, 1] for col in states.T])
        else:
            score = (states - states.mean(0)).T @ (y - y.mean()) / len(y)
        return int(pick(np.abs(score) if use_abs else score))

    return student


def lpc_ok_from_one(states, text):  # counting from 1 moves every position by 1
    pos = positions(text) + 1
    return int(np.argmax(np.abs(np.corrcoef(states.T, pos)[-1, :-1])))


def lpc_ok_split(states, text):  # each line's positions, its newline included
    lines = text.split("\n")
    pos = [p for line in lines[:-1] for p in range(len(line) + 1)]
    pos = np.array(pos + list(range(len(lines[-1]))), dtype=float)
    return int(np.argmax([abs(np.corrcoef(s, pos)[0, 1]) for s in states.T]))


def lpc_positions_after_update(states, text):  # the newline gets 0, then 1, 2, ...
    pos, p = [], 0
    for ch in text:
        p = 0 if ch == "\n" else p + 1
        pos.append(p)
    return int(np.argmax(np.abs(np.corrcoef(states.T, pos)[-1, :-1])))


def lpc_newline_starts_line(states, text):  # a newline is position 0 of the next
    pos, p = [], 0
    for ch in text:
        if ch == "\n":
            p = 0
        pos.append(p)
        p += 1
    return int(np.argmax(np.abs(np.corrcoef(states.T, pos)[-1, :-1])))


def lpc_without_newlines(states, text):  # drops the newline characters
    keep = np.array([ch != "\n" for ch in text])
    pos = [p for line in text.split("\n") for p in range(len(line))]
    corr = np.corrcoef(states[keep].T, pos)[-1, :-1]
    return int(np.argmax(np.abs(corr)))


def lpc_self_correlation(states, text):  # the last entry is pos with itself: 1
    return int(np.argmax(np.abs(np.corrcoef(states.T, positions(text))[-1])))


LINE_POSITION_CELL = [
    (lpc(use_abs=False), ["absolute value"]),
    (lpc(measure="cov"), ["covariances"]),
    (lpc(target="newline"), ["whether the character is a newline"]),
    (lpc(reset=False), ["never goes back to 0"]),
    (lpc(pick=np.argmin), ["np.corrcoef"]),
    (lambda states, text: float(lpc_ok(states, text)), ["one integer"]),
    (lambda states, text: np.array([lpc_ok(states, text)]), ["one integer"]),
    (lambda states, text: 3, ["another"]),
    (lpc_positions_after_update, ["off by one at the newline"]),
    (lpc_newline_starts_line, ["off by one at the newline"]),
    (lpc_without_newlines, ["left the newline characters out"]),
    (lpc_self_correlation, ["not the index of a unit", "with itself"]),
    (lambda states, text: -1, ["not the index of a unit"]),
]


# ------------------------------------------------------------- 8.1 peephole_step


def ph(
    o_sees="new",
    reads="c",
    peeps=("peep_i", "peep_f", "peep_o"),
    add=False,
    order="ifgo",
    cell_act=np.tanh,
    b_hh=True,
    b_ih=True,
    no_peep="",
    gate=sig,
    cand=np.tanh,
    c_from="c",
    h_from="new",
    returns="hc",
):
    def student(x, h, c, params):
        W_ih, W_hh, bi, bh = P(params)
        a = x @ W_ih.T + (bi if b_ih else 0) + h @ W_hh.T + (bh if b_hh else 0)
        blocks = dict(zip(order, np.split(a, 4, axis=1), strict=True))
        p_i, p_f, p_o = (params[k] for k in peeps)
        state = h if reads == "h" else c

        def peep(p, s, gate_name):
            if gate_name in no_peep:
                return 0
            return p if add else p * s

        i = gate(blocks["i"] + peep(p_i, state, "i"))
        f = gate(blocks["f"] + peep(p_f, state, "f"))
        c_next = f * (h if c_from == "h" else c) + i * cand(blocks["g"])
        seen = c if o_sees == "old" else (h if reads == "h" else c_next)
        o = gate(blocks["o"] + peep(p_o, seen, "o"))
        h_next = o * cell_act(c_next if h_from == "new" else c)
        return (c_next, h_next) if returns == "ch" else (h_next, c_next)

    return student


def ph_ok_per_gate(x, h, c, params):
    """Correct, written differently: each gate on its own rows, the sigmoid in its
    tanh form."""
    W_ih, W_hh, b_ih, b_hh = P(params)
    H = h.shape[1]
    s = lambda a: 0.5 * (1 + np.tanh(0.5 * a))

    def pre(k):
        rows = slice(k * H, (k + 1) * H)
        return x @ W_ih[rows].T + b_ih[rows] + h @ W_hh[rows].T + b_hh[rows]

    i = s(pre(0) + params["peep_i"] * c)
    f = s(pre(1) + params["peep_f"] * c)
    c_next = f * c + i * np.tanh(pre(2))
    o = s(pre(3) + params["peep_o"] * c_next)
    return o * np.tanh(c_next), c_next


PEEPHOLE_STEP = [
    (ph(o_sees="old"), ["output gate's peephole reads c_prev"]),
    (ph(reads="h"), ["multiply the hidden state"]),
    (ph(add=True), ["added the peephole weights themselves"]),
    (ph(peeps=("peep_f", "peep_i", "peep_o")), ["peepholes went to the wrong gates"]),
    (ph(peeps=("peep_o", "peep_f", "peep_i")), ["peepholes went to the wrong gates"]),
    (ph(cell_act=lambda a: a), ["missing the tanh"]),
    (ph(order="ifog"), ["gate order"]),
    (ph(b_hh=False), ["left out b_hh"]),
    (ph(o_sees="old", b_hh=False), ["two mistakes", "c_prev", "b_hh"]),
    (ph(b_ih=False), ["left out b_ih"]),
    (ph(b_ih=False, b_hh=False), ["left out both biases"]),
    (ph(no_peep="ifo"), ["no peepholes"]),
    (ph(no_peep="o"), ["output gate has no peephole"]),
    (ph(no_peep="if"), ["input and forget gates have no peephole"]),
    (ph(no_peep="f"), ["forget gate has no peephole"]),
    (ph(gate=np.tanh), ["gates use tanh"]),
    (ph(cand=sig), ["candidate g uses a sigmoid"]),
    (ph(c_from="h"), ["multiplies h instead of c"]),
    (ph(h_from="old"), ["old cell state"]),
    (ph(returns="ch"), ["(c_next, h_next)"]),
    (ph(gate=sig_exp_over), ["NaN", "stable sigmoid"]),
    (ph(cell_act=tanh_exp), ["NaN", "np.tanh"]),
    (ph(gate=sig_clipped), ["hundreds", "clip"]),
]


# ------------------------------------------- 9.1 bigru_forward (one layer, padded)

KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def bgf(
    reverse="own",
    back=True,
    swap_params=False,
    order="fr",
    h_n_order="fr",
    h_n="final",
    h0_use="right",
    hold=True,
    zero_pad=True,
    zero_x=False,
    h_n_cat=False,
    one_direction=False,
    float64=False,
):
    """9.1 as a student writes it over the whole padded batch (each direction one
    gru_forward, h_n read from out at each sequence's last step), with the named
    slips; reverse: 'own' (right, within each length), 'padding' (x[::-1]) or
    'none' (reads forwards)."""

    def student(x, params, h0=None, lengths=None):
        T, B, _ = x.shape
        H = params["weight_hh_l0"].shape[1]
        L = np.full(B, T) if lengths is None else np.asarray(lengths)
        h0 = np.zeros((2, B, H), x.dtype) if h0 is None else h0
        fwd = {k: params[k] for k in KEYS}
        rev = {k: params[k + "_reverse"] for k in KEYS}
        if swap_params:
            fwd, rev = rev, fwd
        h0f, h0r = {
            "right": (h0[0], h0[1]),
            "swap": (h0[1], h0[0]),
            "zeros": (np.zeros_like(h0[0]), np.zeros_like(h0[1])),
            "same": (h0[0], h0[0]),
        }[h0_use]
        t = np.arange(T)[:, None]
        real = (t < L)[..., None]
        xin = x * real if zero_x else x
        cols = np.arange(B)
        of, hf, _ = utils.gru_forward(xin, fwd, h0f)
        if hold:
            hf = of[L - 1, cols]
        if reverse == "own":
            idx = np.where(t < L, L - 1 - t, t)
            orr, _, _ = utils.gru_forward(xin[idx, cols], rev, h0r)
            hr = orr[L - 1, cols]
            if back:
                orr = orr[idx, cols]
        elif reverse == "padding":
            orr, hr, _ = utils.gru_forward(xin[::-1], rev, h0r)
            if back:
                orr = orr[::-1]
        else:
            orr, hr, _ = utils.gru_forward(xin, rev, h0r)
            if hold:
                hr = orr[L - 1, cols]
        if one_direction:
            return of * real, np.stack([hf, hr])
        halves = [of, orr] if order == "fr" else [orr, of]
        out = np.concatenate(halves, axis=2)
        if zero_pad:
            out = out * real
        if float64:
            out = out.astype(np.float64)
        if h_n == "out_last":
            hf, hr = out[-1, :, :H], out[-1, :, H:]
        if h_n_cat:
            return out, np.concatenate([hf, hr], axis=1)
        return out, np.stack([hf, hr] if h_n_order == "fr" else [hr, hf])

    return student


def bgf_ok_per_sequence(x, params, h0=None, lengths=None):
    """Correct, written differently: each sequence alone over its real steps."""
    T, B, _ = x.shape
    H = params["weight_hh_l0"].shape[1]
    h0 = np.zeros((2, B, H), x.dtype) if h0 is None else h0
    L = [T] * B if lengths is None else list(lengths)
    out, h_n = np.zeros((T, B, 2 * H), x.dtype), np.zeros((2, B, H), x.dtype)
    for d, suffix in enumerate(("", "_reverse")):
        p = {k: params[k + suffix] for k in KEYS}
        for b in range(B):
            seq = x[: L[b], b : b + 1]
            o, h, _ = utils.gru_forward(seq[::-1] if d else seq, p, h0[d, b : b + 1])
            out[: L[b], b, d * H : (d + 1) * H] = (o[::-1] if d else o)[:, 0]
            h_n[d, b] = h[0]
    return out, h_n


def bgf_ok_masked_steps(x, params, h0=None, lengths=None):
    """Correct, written differently: a masked loop of gru_step in each direction,
    the reverse one from t = T - 1 down, holding its state through the padding
    (which leaves it at h0 until the sequence's last real step)."""
    T, B, _ = x.shape
    H = params["weight_hh_l0"].shape[1]
    L = np.full(B, T) if lengths is None else np.asarray(lengths)
    h = [np.zeros((B, H), x.dtype), np.zeros((B, H), x.dtype)]
    if h0 is not None:
        h = [h0[0], h0[1]]
    out = np.zeros((T, B, 2 * H), x.dtype)
    for d, suffix in enumerate(("", "_reverse")):
        p = {k: params[k + suffix] for k in KEYS}
        for t in reversed(range(T)) if d else range(T):
            m = (t < L)[:, None]
            h[d] = np.where(m, utils.gru_step(x[t], h[d], p), h[d])
            out[t, :, d * H : (d + 1) * H] = np.where(m, h[d], 0)
    return out, np.stack(h)


BIGRU_FORWARD = [
    (bgf(reverse="none"), ["reads the sequence forwards"]),
    (bgf(back=False), ["not put back in time order"]),
    (bgf(swap_params=True), ["parameters are swapped"]),
    (bgf(order="rf"), ["[reverse ; forward]"]),
    (bgf(h_n_order="rf"), ["h_n[0] must be the forward"]),
    (bgf(h_n="out_last"), ["h_n is out[-1]", "out[0, :, H:]"]),
    (bgf(h0_use="swap"), ["yours are swapped"]),
    (bgf(h0_use="zeros"), ["ignores h0"]),
    (bgf(h0_use="same"), ["both directions start from h0[0]"]),
    (bgf(reverse="padding", hold=False, zero_pad=False), ["ignores lengths"]),
    (bgf(reverse="padding"), ["starts at the padding", "own length"]),
    (bgf(zero_pad=False), ["out must be 0 at the padding"]),
    (bgf(hold=False), ["run on through the padding"]),
    (bgf(zero_x=True, reverse="padding", hold=False), ["zeroing the padded inputs"]),
    (bgf(h_n_cat=True), ["side by side", "(2, B, H)"]),
    (bgf(one_direction=True), ["one direction's states", "(T, B, 2H)"]),
    (bgf(float64=True), ["float64", "Keep the input's dtype"]),
    (bgf(reverse="none", order="rf"), ["two mistakes", "reads the sequence forwards"]),
]


# ------------------------------ 9.2 deep_bigru_backward (two bidirectional layers)


def dbb(
    rev_dout=True,
    rev_dx=True,
    both_dx=True,
    lower="dx",
    order="layer",
    use_dh_n="all",
    split="fr",
    swap_dirs=False,
    start="given",
    rev_dh_n="final",
    in_place=False,
    top_dh0=False,
    keys_renamed=True,
):
    """9.2 as a student writes it: the forward pass with gru_forward, caches in a
    list, then gru_backward from the top, with the named slips."""

    def student(dout, x, params, h0=None, dh_n=None):
        T, B, _ = x.shape
        H = params["weight_hh_l0"].shape[1]
        h0 = np.zeros((4, B, H), x.dtype) if h0 is None or start == "zeros" else h0
        dh_n = np.zeros((4, B, H), x.dtype) if dh_n is None else dh_n

        def i(k, d):
            return 2 * k + d if order == "layer" else 2 * d + k

        def layer(k, d):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            return {key: params[key.replace("_l0", sfx)] for key in KEYS}

        caches, inp = [], x
        for k in range(2):
            o_f, _, c_f = utils.gru_forward(inp, layer(k, 0), h0[i(k, 0)])
            o_r, _, c_r = utils.gru_forward(inp[::-1], layer(k, 1), h0[i(k, 1)])
            caches.append((c_f, c_r))
            inp = np.concatenate([o_f, o_r[::-1]], axis=2)
        grads, dh0 = {}, np.zeros((4, B, H), x.dtype)
        g = dout
        for k in (1, 0):
            g_f, g_r = g[..., :H], g[..., H:]
            if split == "rf":
                g_f, g_r = g_r, g_f
            dn_f = dh_n[i(k, 0)] if use_dh_n == "all" or k == 1 else 0 * dh_n[0]
            dn_r = dh_n[i(k, 1)] if use_dh_n == "all" or k == 1 else 0 * dh_n[0]
            if use_dh_n == "none":
                dn_f, dn_r = 0 * dh_n[0], 0 * dh_n[0]
            if rev_dh_n == "out_last":
                if in_place:
                    g_r[-1] += dn_r  # changes dout itself (g_r is a view)
                else:
                    g_r = g_r.copy()
                    g_r[-1] = g_r[-1] + dn_r
                dn_r = 0 * dn_r
            dx_f, dp_f, dh0[i(k, 0)] = utils.gru_backward(g_f, caches[k][0], dn_f)
            dx_r, dp_r, dh0[i(k, 1)] = utils.gru_backward(
                g_r[::-1] if rev_dout else g_r, caches[k][1], dn_r
            )
            if rev_dx:
                dx_r = dx_r[::-1]
            d_in = dx_f + dx_r if both_dx else dx_f
            if swap_dirs:
                dp_f, dp_r = dp_r, dp_f
            for key in KEYS:
                new = key.replace("_l0", f"_l{k}") if keys_renamed else key
                grads[new] = dp_f[key]
                grads[new + "_reverse"] = dp_r[key]
            if k == 1:
                g = {"dx": d_in, "top": dout, "both": dout + d_in}[lower]
        if top_dh0:
            dh0 = dh0[2:]
        return d_in, grads, dh0

    return student


def dbb_ok_stacked(dout, x, params, h0=None, dh_n=None):
    """Correct, written differently: the directions' caches in a dict, the reverse
    direction's reversal written with np.flip, dh0 filled from a list."""
    T, B, _ = x.shape
    H = params["weight_hh_l0"].shape[1]
    h0 = np.zeros((4, B, H), x.dtype) if h0 is None else h0
    dh_n = np.zeros((4, B, H), x.dtype) if dh_n is None else dh_n
    names = {
        (k, d): f"_l{k}" + ("_reverse" if d else "") for k in (0, 1) for d in (0, 1)
    }
    cache, inp = {}, x
    for k in (0, 1):
        outs = []
        for d in (0, 1):
            p = {key: params[key.replace("_l0", names[k, d])] for key in KEYS}
            seq = np.flip(inp, 0) if d else inp
            o, _, cache[k, d] = utils.gru_forward(seq, p, h0[2 * k + d])
            outs.append(np.flip(o, 0) if d else o)
        inp = np.concatenate(outs, axis=-1)
    grads, dh0_list, g = {}, [None] * 4, dout
    for k in (1, 0):
        total = np.zeros((T, B, 2 * H if k else x.shape[2]), x.dtype)  # its input
        for d in (0, 1):
            part = g[:, :, d * H : (d + 1) * H]
            dxd, dp, dh0_list[2 * k + d] = utils.gru_backward(
                np.flip(part, 0) if d else part, cache[k, d], dh_n[2 * k + d]
            )
            total += np.flip(dxd, 0) if d else dxd
            for key in KEYS:
                grads[key.replace("_l0", names[k, d])] = dp[key]
        g = total
    return g, grads, np.stack(dh0_list)


DEEP_BIGRU_BACKWARD = [
    (dbb(rev_dout=False), ["dout is not reversed in time"]),
    (dbb(rev_dx=False), ["not put back in time order"]),
    (dbb(both_dx=False), ["only the forward direction's part"]),
    (dbb(lower="top"), ["gradient of the top layer's outputs", "layer 0 got dout"]),
    (dbb(lower="both"), ["dout plus layer 1's input gradient"]),
    (dbb(order="direction"), ["direction-major", "2 k + d"]),
    (dbb(use_dh_n="none"), ["ignores dh_n"]),
    (dbb(use_dh_n="top"), ["only the top layer's directions get their dh_n"]),
    (dbb(split="rf"), ["halves are swapped"]),
    (dbb(swap_dirs=True), ["filed under each other's keys"]),
    (dbb(rev_dh_n="out_last"), ["as if h_n were out[-1]"]),
    (dbb(start="zeros"), ["forward pass starts from zeros"]),
    (dbb(rev_dh_n="out_last", in_place=True), ["changed its argument dout in place"]),
    (dbb(top_dh0=True), ["has shape (2,", "expected (4,"]),
    (dbb(keys_renamed=False), ["lacks"]),
    (dbb(rev_dout=False, rev_dx=False), ["two mistakes", "not reversed in time"]),
]


# ------------------------------------------------------------ 10.1 sequence_nll


def snll(
    mask="right",
    loss_mask=True,
    grad_mask=True,
    norm="B",
    grad_norm=None,
    grad="right",
    stable=True,
    sign=1.0,
    log=np.log,
    axis=-1,
    shift=False,
    keep_dtype=True,
    per_sequence=False,
):
    """A student's padded sequence loss and its gradient, with the named slip."""

    def student(logits, targets, lengths):
        T, B, V = logits.shape
        t = np.arange(T)[:, None]
        real = {
            "right": t < lengths,
            "short": t < lengths - 1,
            "long": t <= lengths,
            "none": np.ones((T, B), dtype=bool),
        }[mask]
        z = logits - logits.max(axis=axis, keepdims=True) if stable else logits
        e = np.exp(z)
        p = e / e.sum(axis=axis, keepdims=True)
        y = np.roll(targets, -1, axis=0) if shift else targets
        p_y = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
        log_p_y = np.take_along_axis(
            z - np.log(e.sum(axis=axis, keepdims=True)), y[..., None], axis=-1
        )[..., 0]
        if log is np.log2:
            log_p_y = np.log2(p_y)
        terms = -sign * log_p_y * (real if loss_mask else 1)
        counts = {"B": B, "tokens": real.sum(), "TB": T * B, "sum": 1}
        if norm == "per_seq":
            per_seq = terms.sum(axis=0) / real.sum(axis=0)
            loss = per_seq if per_sequence else per_seq.mean()
        else:
            loss = terms.sum() / counts[norm]
            if per_sequence:
                loss = terms.sum(axis=0)
        onehot = np.eye(V)[y]
        d = {"right": p - onehot, "neg": onehot - p, "no_softmax": -onehot}.get(grad, p)
        d = d * (real[..., None] if grad_mask else 1)
        if (grad_norm or norm) == "per_seq":
            d = d / real.sum(axis=0)[:, None] / B
        else:
            d = d / counts[grad_norm or norm]
        return float(loss) if np.ndim(loss) == 0 else loss, (
            d.astype(logits.dtype) if keep_dtype else d.astype(np.float64)
        )

    return student


def snll_ok_loop(logits, targets, lengths):
    """Correct, written differently: one real step at a time, log-sum-exp by hand."""
    T, B, V = logits.shape
    loss, dlogits = 0.0, np.zeros_like(logits)
    for b in range(B):
        for t in range(lengths[b]):
            z = logits[t, b].astype(np.float64)
            lse = z.max() + np.log(np.exp(z - z.max()).sum())
            loss += lse - z[targets[t, b]]
            dlogits[t, b] = np.exp(z - lse)
            dlogits[t, b, targets[t, b]] -= 1
    return loss / B, dlogits / B


SEQUENCE_NLL = [
    (snll(mask="none"), ["counted the padding"]),
    (snll(loss_mask=False), ["your loss counts the padding"]),
    (snll(grad_mask=False), ["not zero at the padding"]),
    (snll(mask="short"), ["its EOS"]),
    (snll(mask="long"), ["one step too many"]),
    (snll(norm="tokens"), ["number of real tokens", "divide by B"]),
    (snll(norm="TB"), ["T * B"]),
    (snll(norm="sum"), ["summed over the batch"]),
    (snll(norm="per_seq"), ["its own length"]),
    (snll(grad_norm="tokens"), ["loss is right but dlogits"]),
    (snll(grad="neg"), ["sign of dlogits"]),
    (snll(grad="no_softmax"), ["only -onehot(y)"]),
    (snll(grad="no_onehot"), ["without the -onehot(y)"]),
    (snll(sign=-1.0), ["wrong sign"]),
    (snll(log=np.log2), ["in bits"]),
    (snll(axis=0), ["over axis 0"]),
    (snll(shift=True), ["one step off"]),
    (snll(stable=False), ["RuntimeWarning", "log-sum-exp"]),
    (snll(keep_dtype=False), ["float64"]),
    (snll(per_sequence=True), ["one number"]),
]


# --------------------------------------------------------------- 10.2 beam_step


def bs(
    score="sum",
    pool="all",
    order="best",
    decode="divmod",
    ends="right",
    sort_live=True,
    width=0,
    done_score="sum",
    sort_done=True,
    as_float=False,
    in_place=False,
):
    """A student's step of beam search, with the named slip."""

    def student(scores, log_probs, k, eos):
        n, V = log_probs.shape
        if in_place:
            log_probs += scores[:, None]
            cand = log_probs
        elif score == "sum":
            cand = scores[:, None] + log_probs
        elif score == "token":
            cand = log_probs.copy()
        else:
            cand = scores[:, None] * log_probs
        flat = cand.ravel()
        if pool == "best":
            ranked = np.arange(n) * V + log_probs.argmax(axis=1)
            ranked = ranked[np.argsort(-flat[ranked])]
        else:
            ranked = np.argsort(-flat)
        if order == "worst":
            ranked = ranked[::-1]
        live, done = [], []
        for f in ranked:
            if decode == "divmod":
                i, v = divmod(int(f), V)
            elif decode == "mod_n":
                i, v = int(f) % n, int(f) // n
            elif decode == "swapped":
                i, v = int(f) % V, int(f) // V
            else:  # np.unravel_index with the shape reversed
                v, i = np.unravel_index(f, (V, n))
            if v == eos and ends != "keep":
                if ends != "drop":
                    s = flat[f] if done_score == "sum" else log_probs[i, eos]
                    done.append((f, i, s))
            else:
                live.append((f, i, v, flat[f]))
            full = len(live) + (len(done) if ends == "count" else 0)
            if full == k + width:
                break
        if ends == "all":
            done = sorted(
                ((i * V + eos, i, flat[i * V + eos]) for i in range(n)),
                key=lambda d: -d[2],
            )
        if not sort_live:
            live.sort()
        if not sort_done:
            done.sort()
        kind = float if as_float else int
        parents = np.array([c[1] for c in live], dtype=kind)
        tokens = np.array([c[2] for c in live], dtype=kind)
        new = np.array([c[3] for c in live], dtype=log_probs.dtype)
        done_parents = np.array([d[1] for d in done], dtype=kind)
        done_scores = np.array([d[2] for d in done], dtype=log_probs.dtype)
        return (parents, tokens, new), (done_parents, done_scores)

    return student


def bs_ok_vectorised(scores, log_probs, k, eos):
    """Correct, written differently: no loop, cumulative counts of the live ones."""
    cand = scores[:, None] + log_probs
    order = np.argsort(-cand, axis=None, kind="stable")
    parent, token = np.unravel_index(order, cand.shape)
    ends = token == eos
    live_so_far = np.cumsum(~ends)
    cut = np.searchsorted(live_so_far, k)  # where the k-th live candidate stands
    keep = ~ends & (live_so_far <= k)
    done = ends & (np.arange(order.size) < cut)
    best = cand.ravel()[order]
    return (parent[keep], token[keep], best[keep]), (parent[done], best[done])


BEAM_STEP = [
    (bs(score="token"), ["new token's log-probability alone"]),
    (bs(score="product"), ["multiplied the log-probabilities"]),
    (bs(pool="best"), ["its best token only"]),
    (bs(order="worst"), ["kept the worst"]),
    (bs(decode="mod_n"), ["wrong arithmetic on the flat index"]),
    (bs(decode="swapped"), ["swapped // and %"]),
    (bs(decode="unravel_reversed"), ["wrong arithmetic on the flat index"]),
    (bs(ends="keep"), ["stayed in the beam"]),
    (bs(ends="drop"), ["dropped the EOS candidates"]),
    (bs(ends="count"), ["took places in the beam"]),
    (bs(ends="all"), ["finished every prefix's EOS candidate"]),
    (bs(sort_live=False), ["new beam is not best first"]),
    (bs(sort_done=False), ["finished hypotheses are not best first"]),
    (bs(width=1), ["k + 1"]),
    (bs(width=-1), ["k - 1"]),
    (bs(done_score="token"), ["only log p(EOS)"]),
    (bs(as_float=True), ["integers"]),
    (bs(in_place=True), ["in place"]),
]


SUITES = {
    "stable_sigmoid": (
        "0.1",
        STABLE_SIGMOID,
        [ss_ok, ss_ok_split, ss_ok_clip_at_overflow],
    ),
    "sigmoid_grad": ("0.2", SIGMOID_GRAD, [sg_ok, sg_ok_exp]),
    "rnn_step": ("1.1", RNN_STEP, [rnn(), rnn_ok_stacked]),
    "rnn_forward": ("1.2", RNN_FORWARD, [rf(), rf_ok_preallocated]),
    "latch": ("1.3", LATCH, [lambda: (2.0, 4.0, 0.0), lambda: (4.0, 8.0, 0.0)]),
    "rnn_step_backward": ("2.1", RNN_STEP_BACKWARD, [rsb(), rsb_ok_einsum]),
    "rnn_backward": ("2.2", RNN_BACKWARD, [rnn_bptt(), rnn_bptt_stacked]),
    "clip_by_norm": ("2.3", CLIP_BY_NORM, [clip_ok, clip_ok_min, clip_ok_torch]),
    "lstm_step": ("3.1", LSTM_STEP, [lstm(), lstm_ok_loop]),
    "lstm_forward": (
        "3.2",
        LSTM_FORWARD,
        [lf(), lstm_forward_preallocated, lfm(per_sequence_last=True)],
    ),
    "pulse_memory": (
        "3.3",
        PULSE_MEMORY,
        [lambda: (6.0, 12.0, -7.0), lambda: (8.0, 20.0, -12.0), *PULSE_MEMORY_EDGES],
    ),
    "lstm_backward": (
        "4.1",
        LSTM_BACKWARD,
        [bptt(), bptt(step=lsb_ok_per_gate), bptt_ok_stored],
    ),
    "gru_step": ("5.1", GRU_STEP, [gru(), gru_ok_lerp]),
    "gru_step_backward": ("5.2", GRU_STEP_BACKWARD, [gsb(), gsb_ok_stacked]),
    "param_count": (
        "5.3",
        PARAM_COUNT,
        [
            lambda kind, D, H: K[kind] * (H * D + H * H + 2 * H),
            lambda kind, D, H: int(K[kind] * H * (D + H + 2)),
        ],
    ),
    "flip_interpolation": (
        "5.4",
        FLIP_INTERPOLATION,
        [flip(), flip_ok_concat, flip_ok_shift],
    ),
    "cifg_step": ("6.1", CIFG_STEP, [cifg(), cifg_ok_lerp]),
    "gru_jacobian": ("6.3", GRU_JACOBIAN, [gj(), gj_ok_per_example]),
    "softmax_temperature": (
        "7.1",
        SOFTMAX_TEMPERATURE,
        [st_ok, st_ok_shift_first],
    ),
    "bits_per_char": ("7.2", BITS_PER_CHAR, [bpc_ok, bpc_ok_loop]),
    "line_position_cell": (
        "7.3",
        LINE_POSITION_CELL,
        [lpc_ok, lpc_ok_standardised, lpc_ok_from_one, lpc_ok_split],
    ),
    "peephole_step": ("8.1", PEEPHOLE_STEP, [ph(), ph_ok_per_gate]),
    "bigru_forward": (
        "9.1",
        BIGRU_FORWARD,
        [bgf(), bgf_ok_per_sequence, bgf_ok_masked_steps],
    ),
    "deep_bigru_backward": ("9.2", DEEP_BIGRU_BACKWARD, [dbb(), dbb_ok_stacked]),
    "sequence_nll": ("10.1", SEQUENCE_NLL, [snll(), snll_ok_loop]),
    "beam_step": ("10.2", BEAM_STEP, [bs(), bs_ok_vectorised]),
}

WRONG = [
    pytest.param(name, fn, hints, id=f"{name}-{i}")
    for name, (_, wrong, _) in SUITES.items()
    for i, (fn, hints) in enumerate(wrong)
]
RIGHT = [
    pytest.param(name, fn, id=f"{name}-{i}")
    for name, (_, _, right) in SUITES.items()
    for i, fn in enumerate(right)
]


@pytest.mark.parametrize("name,student,hints", WRONG)
def test_wrong_solution_is_rejected_with_its_hint(name, student, hints):
    with pytest.raises(AssertionError) as info:
        getattr(check, name)(student)
    message = str(info.value)
    for hint in hints:
        assert hint in message, f"{hint!r} not in the message:\n{message}"


@pytest.mark.parametrize("name,student,hints", WRONG)
def test_a_guess_by_value_is_unambiguous(name, student, hints, monkeypatch):
    """Where the check names a mistake because it reproduces the student's output,
    no mistake with a different hint reproduces it too, on the case shown."""
    matched, original = [], check.diagnose._matching_hints

    def record(*args):
        found = original(*args)
        matched.append(found)
        return found

    monkeypatch.setattr(check.diagnose, "_matching_hints", record)
    try:  # that it fails at all is test_wrong_solution_is_rejected_with_its_hint's
        getattr(check, name)(student)
    except AssertionError:
        pass
    for found in matched:
        assert len(found) <= 1, f"{len(found)} different hints match:\n" + "\n".join(
            found
        )


@pytest.mark.parametrize("name,student", RIGHT)
def test_correct_solution_passes(name, student, capsys):
    getattr(check, name)(student)
    assert "All correct" in capsys.readouterr().out


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise N.k: ... - not attempted yet")


@pytest.mark.parametrize("name", list(SUITES))
def test_any_broken_function_gets_a_message_never_a_crash(name):
    """Every check: a stub is "not attempted"; None, an exception, a string, NaN
    and a function of the wrong arity each give an AssertionError with a message."""
    check_fn = getattr(check, name)
    with pytest.raises(check.NotAttempted, match="not attempted yet"):
        check_fn(_stub)
    cases = [
        (lambda *a, **k: None, "None"),
        (lambda *a, **k: 1 / 0, "raised ZeroDivisionError"),
        (lambda *a, **k: "hello", name),
        (lambda *a, **k: float("nan"), name),
        (lambda: None, name),  # takes no arguments (or too few)
        (lambda a, b, c, d, e, f, g: None, name),  # takes too many
    ]
    for student, words in cases:
        with pytest.raises(AssertionError) as info:
            check_fn(student)
        assert words in str(info.value), str(info.value)


def summary_table():
    """The docstring's table rows, computed by running every suite."""
    import contextlib
    import io

    rows = []
    for name, (number, wrong, right) in SUITES.items():
        caught = 0
        for student, hints in wrong:
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    getattr(check, name)(student)
                except AssertionError as error:
                    caught += all(h in str(error) for h in hints)
        named = "; ".join(dict.fromkeys(hints[0] for _, hints in wrong))
        named = named.replace("|", "\\|")  # a pipe would end the table cell
        rows.append(
            f"| {number} | `{name}` | {len(wrong)} (and {len(right)} correct) "
            f"| {caught} | {named} |"
        )
    return "\n".join(rows)


def test_summary_table_is_current():
    """The table in this module's docstring is what the suites produce."""
    table = summary_table()
    assert table in __doc__, "run `python -m tests.test_mutations` to update it"
    for name, (_, wrong, right) in SUITES.items():
        assert len(wrong) >= 8 and len(right) >= 2, name


def test_every_exercise_has_a_suite():
    """One suite per exercise check, and every exercise check is used."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    called = set()
    for path in (root / "notebooks" / "solutions").glob("*.ipynb"):
        called |= set(re.findall(r"check\.([a-z_]+)\(", path.read_text()))
    exercises = {
        name
        for name, f in vars(check).items()
        if callable(f) and getattr(f, "__wrapped__", None) is not None
    }
    assert exercises == set(SUITES)
    assert exercises <= called


if __name__ == "__main__":  # rewrite the table in the docstring
    from pathlib import Path

    path = Path(__file__)
    text = path.read_text()
    head, rest = text.split("|---|---|---|---|---|\n", 1)
    old_rows = rest.split("\n\n", 1)
    path.write_text(
        head + "|---|---|---|---|---|\n" + summary_table() + "\n\n" + old_rows[1]
    )
    print(summary_table())
