"""The LSTM variants of notebook 08: each is what its name says, and its
gradients pass a float64 check."""

import numpy as np
import pytest

from utils import cells, variants
from utils.gradients import numerical_gradient, rel_error


def setup(variant, T=4, B=2, D=3, H=5, seed=0):
    rng = np.random.default_rng(seed)
    params = variants.init_params(variant, D, H, rng)
    if variant == "PH":  # non-zero peepholes, so that their gradients are tested
        for key in variants.PEEPHOLES:
            params[key] = rng.uniform(-0.5, 0.5, H)
    x = rng.standard_normal((T, B, D))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    return x, params, h0, c0


@pytest.mark.parametrize("variant", variants.VARIANTS)
def test_gradient_check_float64(variant):
    x, params, h0, c0 = setup(variant)
    rng = np.random.default_rng(1)
    dout = rng.standard_normal((4, 2, 5))
    dh_n, dc_n = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))

    def loss():
        out, (h, c), _ = variants.forward(x, params, variant, h0, c0)
        return np.sum(out * dout) + np.sum(h * dh_n) + np.sum(c * dc_n)

    _, _, cache = variants.forward(x, params, variant, h0, c0)
    dx, grads, dh0, dc0 = variants.backward(dout, cache, dh_n, dc_n)
    assert set(grads) == set(params)
    for name, array, grad in [
        ("x", x, dx),
        ("h0", h0, dh0),
        ("c0", c0, dc0),
        *((k, params[k], grads[k]) for k in params),
    ]:
        err = rel_error(grad, numerical_gradient(loss, array))
        assert err < 1e-7, (variant, name, err)


def test_vanilla_is_the_course_lstm():
    x, params, h0, c0 = setup("vanilla")
    out, (h, c), _ = variants.forward(x, params, "vanilla", h0, c0)
    ref, (ref_h, ref_c), _ = cells.lstm_forward(x, params, h0, c0)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, ref_c, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "variant,block,equal",
    [
        ("NIG", 0, "input gate open: saturating its bias changes nothing"),
        ("NFG", 1, "forget gate open"),
        ("NOG", 3, "output gate open"),
    ],
)
def test_removed_gate_is_always_open(variant, block, equal):
    """Without a gate, the model equals the vanilla LSTM with that gate held at 1."""
    x, params, h0, c0 = setup(variant)
    out, (_, c), _ = variants.forward(x, params, variant, h0, c0)
    H = h0.shape[1]
    opened = {k: v.copy() for k, v in params.items()}
    rows = slice(block * H, (block + 1) * H)
    opened["weight_ih_l0"][rows] = 0
    opened["weight_hh_l0"][rows] = 0
    opened["bias_ih_l0"][rows] = 50.0  # sigmoid(50) = 1 in float64
    ref, (_, ref_c), _ = cells.lstm_forward(x, opened, h0, c0)
    np.testing.assert_allclose(out, ref, atol=1e-12, err_msg=equal)


def test_cifg_couples_and_niaf_noaf_drop_the_tanh():
    x, params, h0, c0 = setup("CIFG", T=1)
    H = h0.shape[1]
    a = x[0] @ params["weight_ih_l0"].T + params["bias_ih_l0"] + params["bias_hh_l0"]
    a = a + h0 @ params["weight_hh_l0"].T
    i, f, g, o = np.split(a, 4, axis=1)
    f = cells.sigmoid(f)
    _, (_, c), _ = variants.forward(x, params, "CIFG", h0, c0)
    np.testing.assert_allclose(c, f * c0 + (1 - f) * np.tanh(g))
    _, (_, c), _ = variants.forward(x, params, "NIAF", h0, c0)
    np.testing.assert_allclose(c, f * c0 + cells.sigmoid(i) * g)
    out, (h, c), _ = variants.forward(x, params, "NOAF", h0, c0)
    np.testing.assert_allclose(h, cells.sigmoid(o) * c)
    assert H == 5


def test_validation():
    x, params, h0, c0 = setup("vanilla")
    with pytest.raises(ValueError, match="variant must be one of"):
        variants.forward(x, params, "GRU")
    with pytest.raises(ValueError, match="peep_i"):
        variants.forward(x, params, "PH")
    with pytest.raises(ValueError, match="x must"):
        variants.forward(x[0], params, "NFG")


def test_character_model_runs_any_variant():
    """charlm trains a variant through utils.variants (tests/test_reproduce.py
    reruns the stored runs of scripts/ablation.py)."""
    from utils import charlm

    chars = "ab\n"
    ids = charlm.encode("ab\nba\n" * 40, chars)
    model = charlm.init_model("lstm", chars, 4, np.random.default_rng(0), variant="PH")
    assert set(variants.PEEPHOLES) <= set(model["cell"])
    losses = charlm.train(model, ids, 20, T=8, B=2, lr=1e-2)
    assert np.isfinite(losses).all() and losses[-5:].mean() < losses[:5].mean()
    with pytest.raises(ValueError, match="variants of the LSTM"):
        charlm.init_model("gru", chars, 4, np.random.default_rng(0), variant="NFG")
