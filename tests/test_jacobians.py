"""The Jacobians of one step, dh_t/dh_{t-1} (GRU) and d(h, c)_t/d(h, c)_{t-1}
(LSTM): against centred differences of the step, against the course's backward
passes (which never form a Jacobian), and their products over a sequence."""

import numpy as np
import pytest

import utils
from utils import cells
from utils.cells.validate import FLOATS


def problem(kind, B=3, D=4, H=5, dtype=np.float64, seed=0, scale=0.8):
    """Parameters larger than PyTorch's init (so every term of J matters), an input
    and a state; D != H so that a transposed weight cannot fit."""
    rng = np.random.default_rng(seed)
    params = {
        k: (scale * rng.standard_normal(v.shape)).astype(dtype)
        for k, v in cells.init_params(kind, D, H, rng).items()
    }
    x = rng.standard_normal((B, D)).astype(dtype)
    h = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
    c = (2 * rng.standard_normal((B, H))).astype(dtype)
    return x, h, c, params


def centred_jacobian(step, state, eps=1e-6):
    """d step(state) / d state by centred differences, one column per unit of
    state: state (B, S) -> (B, S_out, S)."""
    cols = []
    for j in range(state.shape[1]):
        e = np.zeros_like(state)
        e[:, j] = eps
        cols.append((step(state + e) - step(state - e)) / (2 * eps))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_jacobian_matches_centred_differences(reset_after):
    x, h, _, params = problem("gru")
    J = cells.gru_jacobian(x, h, params, reset_after=reset_after)
    assert J.shape == (3, 5, 5) and J.dtype == np.float64
    num = centred_jacobian(lambda s: cells.gru_step(x, s, params, reset_after), h)
    assert utils.gradients.rel_error(J, num) < 1e-8
    # rows are units of h_t, columns units of h_{t-1}: J @ dh predicts the change
    dh = 1e-7 * np.random.default_rng(1).standard_normal(h.shape)
    moved = cells.gru_step(x, h + dh, params, reset_after) - cells.gru_step(
        x, h, params, reset_after
    )
    np.testing.assert_allclose(np.einsum("bij,bj->bi", J, dh), moved, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_jacobian_rows_are_what_the_backward_pass_sends_back(reset_after):
    """gru_backward of one step with dh_n = e_i returns dh0 = e_i J, the i-th row
    of J, without forming J: an independent derivation of the same numbers."""
    x, h, _, params = problem("gru", seed=2)
    J = cells.gru_jacobian(x, h, params, reset_after=reset_after)
    H = h.shape[1]
    _, _, cache = cells.gru_forward(x[None], params, h, reset_after=reset_after)
    for i in range(H):
        e = np.zeros_like(h)
        e[:, i] = 1
        dh0 = cells.gru_backward(None, cache, dh_n=e)[2]
        np.testing.assert_allclose(dh0, J[:, i, :], rtol=1e-12, atol=1e-14)


def test_gru_jacobian_terms():
    """With z = 1 (update bias large) the step copies h: J = I; with z = 0 and the
    candidate saturated, J = 0; and the placements differ only through r."""
    x, h, _, params = problem("gru", seed=3)
    H = h.shape[1]
    keep = dict(params, bias_ih_l0=params["bias_ih_l0"].copy())
    keep["bias_ih_l0"][H : 2 * H] = 60.0
    np.testing.assert_allclose(
        cells.gru_jacobian(x, h, keep), np.eye(H)[None] + 0 * h[:, :, None], atol=1e-15
    )
    shut = dict(params, bias_ih_l0=params["bias_ih_l0"].copy())
    shut["bias_ih_l0"][H : 2 * H] = -60.0
    shut["bias_ih_l0"][2 * H :] = 60.0
    np.testing.assert_allclose(cells.gru_jacobian(x, h, shut), 0, atol=1e-15)
    one_r = dict(params, bias_ih_l0=params["bias_ih_l0"].copy())
    one_r["bias_ih_l0"][:H] = 60.0  # r = 1: both placements are the same function
    np.testing.assert_allclose(
        cells.gru_jacobian(x, h, one_r, reset_after=True),
        cells.gru_jacobian(x, h, one_r, reset_after=False),
        atol=1e-14,
    )


def test_gru_jacobian_product_over_a_sequence():
    """dh_T/dh_0 = J_T ... J_1 (each J at its own step), against the backward pass
    through the whole sequence."""
    rng = np.random.default_rng(4)
    T, B, D, H = 6, 2, 3, 4
    params = cells.init_params("gru", D, H, rng)
    x, h0 = rng.standard_normal((T, B, D)), rng.uniform(-0.5, 0.5, (B, H))
    out, _, cache = cells.gru_forward(x, params, h0)
    states = np.concatenate([h0[None], out])  # h_0 .. h_T
    P = np.broadcast_to(np.eye(H), (B, H, H))
    for t in range(T):  # P = J_t ... J_1
        P = cells.gru_jacobian(x[t], states[t], params) @ P
    g = rng.standard_normal((B, H))
    dh0 = cells.gru_backward(None, cache, dh_n=g)[2]
    np.testing.assert_allclose(np.einsum("bi,bij->bj", g, P), dh0, rtol=1e-10)


def test_lstm_jacobian_matches_centred_differences_and_has_the_carousel():
    x, h, c, params = problem("lstm")
    H = h.shape[1]
    J = cells.lstm_jacobian(x, h, c, params)
    assert J.shape == (3, 2 * H, 2 * H)

    def step(s):
        h_next, c_next = cells.lstm_step(x, s[:, :H], s[:, H:], params)
        return np.concatenate([h_next, c_next], axis=1)

    num = centred_jacobian(step, np.concatenate([h, c], axis=1))
    assert utils.gradients.rel_error(J, num) < 1e-8
    a = x @ params["weight_ih_l0"].T + params["bias_ih_l0"]
    a = a + h @ params["weight_hh_l0"].T + params["bias_hh_l0"]
    f = cells.sigmoid(a[:, H : 2 * H])
    np.testing.assert_allclose(J[:, H:, H:], f[:, :, None] * np.eye(H))  # diag(f)


def test_lstm_jacobian_rows_are_what_the_backward_pass_sends_back():
    x, h, c, params = problem("lstm", seed=5)
    H = h.shape[1]
    J = cells.lstm_jacobian(x, h, c, params)
    _, _, cache = cells.lstm_forward(x[None], params, h, c)
    for i in range(2 * H):
        e = np.zeros((x.shape[0], 2 * H))
        e[:, i] = 1
        _, _, dh0, dc0 = cells.lstm_backward(
            None, cache, dh_n=e[:, :H].copy(), dc_n=e[:, H:].copy()
        )
        np.testing.assert_allclose(
            np.concatenate([dh0, dc0], axis=1), J[:, i], rtol=1e-12, atol=1e-14
        )


@pytest.mark.parametrize("dtype", FLOATS)
def test_jacobians_keep_the_dtype_and_validate(dtype):
    x, h, c, params = problem("gru", dtype=dtype)
    assert cells.gru_jacobian(x, h, params).dtype == dtype
    with pytest.raises(ValueError, match=r"h_prev must have shape \(B, H\)"):
        cells.gru_jacobian(x, h[:, :2], params)
    with pytest.raises(ValueError, match=r"x must have shape \(B, D\)"):
        cells.gru_jacobian(x[None], h, params)
    with pytest.raises(ValueError, match="reset_after must be True"):
        cells.gru_jacobian(x, h, params, reset_after=1)
    xl, hl, cl, pl = problem("lstm", dtype=dtype)
    assert cells.lstm_jacobian(xl, hl, cl, pl).dtype == dtype
    with pytest.raises(ValueError, match=r"c_prev must have shape \(B, H\)"):
        cells.lstm_jacobian(xl, hl, cl[:1], pl)
    with pytest.raises(ValueError, match="params is missing key"):
        cells.lstm_jacobian(xl, hl, cl, {"weight_ih_l0": pl["weight_ih_l0"]})
    assert utils.gru_jacobian is cells.gru_jacobian
    assert utils.lstm_jacobian is cells.lstm_jacobian
