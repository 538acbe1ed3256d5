"""Stacked and bidirectional networks (utils.cells.multi): PyTorch's multi-layer
fixtures, gradient checks, the single-layer cells as the special case, packed
sequences, dropout between layers, validation."""

import numpy as np
import pytest

import utils
from utils import cells, data
from utils.gradients import multi_gradient_errors, rel_error

KINDS = ("rnn", "lstm", "gru")


def problem(kind, T=5, B=3, D=4, H=3, layers=2, bidirectional=True, seed=0):
    rng = np.random.default_rng(seed)
    params = cells.init_multi_params(kind, D, H, layers, bidirectional, rng)
    n = layers * (2 if bidirectional else 1)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((n, B, H))
    c0 = rng.standard_normal((n, B, H)) if kind == "lstm" else None
    return x, params, h0, c0


def split(kind, last):
    """(h_n, c_n) of any kind's final state (c_n None but for the LSTM)."""
    return last if kind == "lstm" else (last, None)


# ------------------------------------------------------------------ PyTorch fixtures


def run_fixture(name):
    f = data.load_fixture(name)
    kind = name.split("_")[0]
    out, last, cache = utils.multi_forward(
        kind, f["x"], f["params"], f["h0"], f.get("c0"), lengths=f.get("lengths")
    )
    grads = utils.multi_backward(f["dout"], cache, f["dh_n"], f.get("dc_n"))
    h_n, c_n = split(kind, last)
    got = {"out": out, "h_n": h_n, "dx": grads[0], "dh0": grads[2]}
    if kind == "lstm":
        got.update(c_n=c_n, dc0=grads[3])
    return f, got, grads[1]


@pytest.mark.parametrize("name", data.MULTI_FIXTURES)
def test_agreement_with_pytorch_multi_layer_fixtures(name):
    f, got, dparams = run_fixture(name)
    assert f["meta"]["torch_version"].startswith("2.13.0")
    assert f["meta"]["num_layers"] == 2 and f["meta"]["bidirectional"]
    for key, value in got.items():
        np.testing.assert_allclose(value, f[key], rtol=0, atol=1e-6, err_msg=key)
        assert rel_error(value, f[key]) < 1e-12, key
    assert list(dparams) == list(f["params"])  # PyTorch's order, every key
    for key, value in dparams.items():
        np.testing.assert_allclose(
            value, f["grads"][key], rtol=0, atol=1e-6, err_msg=key
        )
        assert rel_error(value, f["grads"][key]) < 1e-12, key


def test_packed_fixtures_are_really_padded():
    """The packed fixtures have short sequences, padding where out is 0 and a
    random dout there that must be ignored."""
    f = data.load_fixture("gru_packed")
    T = len(f["x"])
    assert sorted(f["lengths"]) != list(f["lengths"]) and min(f["lengths"]) == 1
    assert max(f["lengths"]) == T
    pad = np.arange(T)[:, None] >= f["lengths"]
    assert pad.any() and np.all(f["out"][pad] == 0) and np.all(f["dx"][pad] == 0)
    assert np.abs(f["dout"][pad]).min() > 0


# ------------------------------------------------------------------------ gradients


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lengths", [None, (4, 1, 3)], ids=["full", "padded"])
def test_gradient_check_float64_with_dropout_masks_fixed(kind, lengths):
    errors = multi_gradient_errors(
        kind, lengths=None if lengths is None else np.array(lengths), dropout=0.3
    )
    keys = cells.multi_param_keys(2, 2)
    assert set(errors) == {"x", "h0", *keys} | ({"c0"} if kind == "lstm" else set())
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_three_layers_one_direction_and_cho_gru():
    errors = multi_gradient_errors("gru", num_layers=3, bidirectional=False)
    assert max(errors.values()) < 1e-7, errors
    errors = multi_gradient_errors(
        "gru", reset_after=False, lengths=np.array([2, 4, 3])
    )
    assert max(errors.values()) < 1e-7, errors


# ---------------------------------------------------- the single layer, exactly


@pytest.mark.parametrize(
    "kind,reset_after", [("rnn", True), ("lstm", True), ("gru", True), ("gru", False)]
)
def test_one_layer_one_direction_is_the_single_layer_cell_exactly(kind, reset_after):
    x, params, h0, c0 = problem(kind, layers=1, bidirectional=False)
    out, last, cache = cells.multi_forward(kind, x, params, h0, c0, reset_after)
    ref_out, ref_last, ref_cache = cells.forward(
        kind, x, params, h0[0], None if c0 is None else c0[0], reset_after
    )
    np.testing.assert_array_equal(out, ref_out)
    for mine, ref in zip(split(kind, last), split(kind, ref_last), strict=True):
        if ref is not None:
            np.testing.assert_array_equal(mine, ref[None])
    rng = np.random.default_rng(5)
    dout = rng.standard_normal(out.shape)
    dh_n = rng.standard_normal(h0.shape)
    dc_n = rng.standard_normal(h0.shape) if kind == "lstm" else None
    grads = cells.multi_backward(dout, cache, dh_n, dc_n)
    ref = cells.backward(
        kind, dout, ref_cache, dh_n[0], None if dc_n is None else dc_n[0]
    )
    np.testing.assert_array_equal(grads[0], ref[0])
    assert list(grads[1]) == list(ref[1])
    for key in ref[1]:
        np.testing.assert_array_equal(grads[1][key], ref[1][key])
    ref_states = ref[2] if kind == "lstm" else (ref[2],)
    for mine, r in zip(grads[2:], ref_states, strict=True):
        np.testing.assert_array_equal(mine, r[None])


@pytest.mark.parametrize("kind", KINDS)
def test_two_layers_both_directions_from_single_layer_calls(kind):
    """Layer 1 reads [forward states ; reverse states] of layer 0; the reverse
    direction is the cell run on x[::-1], its outputs reversed back; h_n is
    layer-major, direction-minor."""
    x, params, h0, c0 = problem(kind)
    out, last, _ = cells.multi_forward(kind, x, params, h0, c0)
    h_n = split(kind, last)[0]
    inp, finals = x, []
    for k in range(2):
        outs = []
        for d in range(2):
            i = 2 * k + d
            seq = inp[::-1] if d else inp
            o, final, _ = cells.forward(
                kind,
                seq,
                cells.layer_params(params, k, d),
                h0[i],
                None if c0 is None else c0[i],
            )
            outs.append(o[::-1] if d else o)
            finals.append(split(kind, final)[0])
        inp = np.concatenate(outs, axis=2)
    np.testing.assert_allclose(out, inp, rtol=0, atol=1e-14)
    np.testing.assert_allclose(h_n, np.stack(finals), rtol=0, atol=1e-14)
    H = h0.shape[2]
    np.testing.assert_allclose(h_n[2], out[-1, :, :H], atol=1e-14)  # top, forward
    np.testing.assert_allclose(h_n[3], out[0, :, H:], atol=1e-14)  # top, reverse


# ------------------------------------------------------------- packed sequences


@pytest.mark.parametrize("kind", KINDS)
def test_padded_batch_is_each_sequence_alone(kind):
    x, params, h0, c0 = problem(kind, T=6, B=4)
    lengths = np.array([3, 6, 1, 4])
    out, last, _ = cells.multi_forward(kind, x, params, h0, c0, lengths=lengths)
    h_n, c_n = split(kind, last)
    for b, L in enumerate(lengths):
        alone = cells.multi_forward(
            kind,
            x[:L, b : b + 1],
            params,
            h0[:, b : b + 1],
            None if c0 is None else c0[:, b : b + 1],
        )
        np.testing.assert_allclose(out[:L, b], alone[0][:, 0], atol=1e-13)
        assert np.all(out[L:, b] == 0)  # as pad_packed_sequence returns it
        for mine, ref in zip((h_n, c_n), split(kind, alone[1]), strict=True):
            if ref is not None:
                np.testing.assert_allclose(mine[:, b], ref[:, 0], atol=1e-13)


def test_the_reverse_direction_starts_at_each_sequences_own_end():
    x, params, h0, _ = problem("gru", T=5, B=2, layers=1)
    lengths = np.array([2, 5])
    _, h_n, _ = cells.multi_forward("gru", x, params, h0, lengths=lengths)
    p = cells.layer_params(params, 0, 1)
    own_end = cells.gru_forward(x[:2, :1][::-1], p, h0[1, :1])[1]
    from_padding = cells.gru_forward(x[:, :1][::-1], p, h0[1, :1])[1]
    np.testing.assert_allclose(h_n[1, :1], own_end, atol=1e-14)
    assert np.abs(h_n[1, :1] - from_padding).max() > 1e-3


@pytest.mark.parametrize("kind", KINDS)
def test_full_lengths_equal_no_lengths_and_padding_gets_no_gradient(kind):
    x, params, h0, c0 = problem(kind)
    T, B = x.shape[:2]
    a = cells.multi_forward(kind, x, params, h0, c0)
    b = cells.multi_forward(kind, x, params, h0, c0, lengths=np.full(B, T))
    np.testing.assert_allclose(a[0], b[0], atol=1e-14)
    lengths = np.array([2, 5, 3])
    out, _, cache = cells.multi_forward(kind, x, params, h0, c0, lengths=lengths)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    pad = np.arange(T)[:, None] >= lengths
    dout_clean = np.where(pad[..., None], 0.0, dout)
    g = cells.multi_backward(dout, cache)
    g_clean = cells.multi_backward(dout_clean, cache)
    np.testing.assert_array_equal(g[0], g_clean[0])  # dout at the padding ignored
    assert np.all(g[0][pad] == 0)  # padded inputs reach nothing
    none = cells.multi_backward(None, cache, np.ones_like(h0))
    zeros = cells.multi_backward(np.zeros_like(dout), cache, np.ones_like(h0))
    np.testing.assert_array_equal(none[0], zeros[0])


def test_reverse_padded_is_its_own_inverse_and_keeps_the_padding():
    seq = np.arange(12.0).reshape(4, 3)
    lengths = [4, 2, 1]
    rev = cells.reverse_padded(seq, lengths)
    np.testing.assert_array_equal(rev[:, 0], seq[::-1, 0])
    np.testing.assert_array_equal(
        rev[:, 1], [seq[1, 1], seq[0, 1], seq[2, 1], seq[3, 1]]
    )
    np.testing.assert_array_equal(rev[:, 2], seq[:, 2])
    np.testing.assert_array_equal(cells.reverse_padded(rev, lengths), seq)


# ------------------------------------------------------------------------- dropout


def test_dropout_between_layers_train_and_eval():
    x, params, h0, c0 = problem("lstm", T=20, B=8, H=16, layers=3)
    plain = cells.multi_forward("lstm", x, params, h0, c0)[0]
    evaluated = cells.multi_forward("lstm", x, params, h0, c0, dropout=0.5)[0]
    np.testing.assert_array_equal(plain, evaluated)  # eval: no dropout at all
    out, _, cache = cells.multi_forward(
        "lstm", x, params, h0, c0, dropout=0.5, training=True, rng=3
    )
    again = cells.multi_forward(
        "lstm", x, params, h0, c0, dropout=0.5, training=True, rng=3
    )[0]
    np.testing.assert_array_equal(out, again)  # the seed fixes the masks
    assert np.abs(out - plain).max() > 0.01
    masks = cache["masks"]
    assert masks[0] is None and all(m.shape == (20, 8, 32) for m in masks[1:])
    for m in masks[1:]:  # inverted dropout: 0 or 1 / (1 - p), about half dropped
        assert set(np.unique(m)) == {0.0, 2.0}
        assert 0.4 < np.mean(m == 0) < 0.6
    # layer 1 reads the mask times layer 0's outputs: recompute it by hand
    one = {k: v for k, v in params.items() if "_l0" in k}
    out0 = cells.multi_forward("lstm", x, one, h0[:2], c0[:2])[0]
    two = {k.replace("_l1", "_l0"): v for k, v in params.items() if "_l1" in k}
    out1 = cells.multi_forward("lstm", out0 * masks[1], two, h0[2:4], c0[2:4])[0]
    mid = cells.multi_forward(
        "lstm",
        x,
        {k: v for k, v in params.items() if "_l2" not in k},
        h0[:4],
        c0[:4],
        dropout=0.5,
        training=True,
        rng=3,
    )[0]
    np.testing.assert_allclose(mid, out1, atol=1e-14)
    single = problem("gru", layers=1)
    a = cells.multi_forward(
        "gru", single[0], single[1], dropout=0.5, training=True, rng=0
    )
    assert a[2]["masks"] == [None]  # one layer: nothing between layers


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x, params, h0, c0 = problem("lstm")
    x = x.astype(dtype)
    out, (h_n, c_n), cache = cells.multi_forward(
        "lstm", x, params, lengths=[5, 2, 3], dropout=0.2, training=True, rng=0
    )
    assert out.dtype == h_n.dtype == c_n.dtype == dtype
    dx, dparams, dh0, dc0 = cells.multi_backward(np.ones_like(out), cache)
    assert dx.dtype == dh0.dtype == dc0.dtype == dtype
    assert all(v.dtype == dtype for v in dparams.values())


def test_inputs_are_not_modified():
    x, params, h0, c0 = problem("lstm")
    copies = [x.copy(), h0.copy(), c0.copy(), {k: v.copy() for k, v in params.items()}]
    lengths = np.array([5, 2, 3])
    out, last, cache = cells.multi_forward("lstm", x, params, h0, c0, lengths=lengths)
    dout = np.ones_like(out)
    cells.multi_backward(dout, cache, np.ones_like(h0), np.ones_like(c0))
    for a, b in zip(copies[:3], (x, h0, c0), strict=True):
        np.testing.assert_array_equal(a, b)
    for k in params:
        np.testing.assert_array_equal(copies[3][k], params[k])
    assert np.all(dout == 1) and list(lengths) == [5, 2, 3]


def test_init_multi_params_has_pytorchs_keys_shapes_and_bound():
    f = data.load_fixture("lstm_multi")
    D, H = f["x"].shape[2], f["h0"].shape[2]
    p = cells.init_multi_params("lstm", D, H, 2, True, np.random.default_rng(0))
    assert list(p) == list(f["params"])
    assert all(p[k].shape == f["params"][k].shape for k in p)
    assert max(np.abs(v).max() for v in p.values()) <= 1 / np.sqrt(H)
    p32 = cells.init_multi_params(
        "gru", 3, 2, 1, False, np.random.default_rng(0), np.float32
    )
    assert (
        list(p32) == list(cells.PARAM_KEYS) and p32["weight_ih_l0"].dtype == np.float32
    )
    assert utils.init_multi_params is cells.init_multi_params
    assert utils.multi_forward is cells.multi_forward
    assert utils.multi_backward is cells.multi_backward


# ---------------------------------------------------------------------- validation


def test_bad_parameters_raise_value_errors_naming_the_key_and_shape():
    x, params, h0, c0 = problem("gru")
    fwd = cells.multi_forward
    missing = {k: v for k, v in params.items() if k != "bias_hh_l1_reverse"}
    with pytest.raises(ValueError, match=r"params is missing key 'bias_hh_l1_reverse'"):
        fwd("gru", x, missing)
    no_layer1 = {k: v for k, v in params.items() if "_l1" not in k}
    no_layer1.update(
        {k.replace("_l1", "_l2"): v for k, v in params.items() if "_l1" in k}
    )
    with pytest.raises(ValueError, match=r"missing key 'weight_ih_l1'"):
        fwd("gru", x, no_layer1)
    bad = dict(params, weight_ih_l1=params["weight_ih_l1"][:, :3])
    with pytest.raises(
        ValueError,
        match=r"params\['weight_ih_l1'\] must have shape \(kH, dirs\*H\) = \(9, 6\)"
        r".* got \(9, 3\)",
    ):
        fwd("gru", x, bad)
    with pytest.raises(
        ValueError,
        match=r"params\['weight_ih_l0'\] must have shape \(kH, D\) = \(9, 3\)",
    ):
        fwd("gru", x[:, :, :3], params)
    with pytest.raises(ValueError, match=r"'weight_hh_l0'\] must have shape \(3H, H\)"):
        fwd("gru", x, dict(params, weight_hh_l0=params["weight_hh_l0"][:8]))
    bad = dict(params, bias_ih_l0_reverse=params["bias_ih_l0_reverse"][:-1])
    with pytest.raises(ValueError, match=r"'bias_ih_l0_reverse'\] must have shape"):
        fwd("gru", x, bad)
    with pytest.raises(ValueError, match=r"not one of PyTorch's multi-layer keys"):
        fwd("gru", x, dict(params, weight_hr_l0=params["weight_hh_l0"]))
    with pytest.raises(ValueError, match=r"params must be a dict"):
        fwd("gru", x, list(params.values()))
    lstm_params = problem("lstm")[1]
    with pytest.raises(ValueError, match=r"'weight_hh_l0'\] must have shape \(3H, H\)"):
        fwd("gru", x, lstm_params)  # an LSTM's dict given to the GRU
    with pytest.raises(ValueError, match="kind must be one of"):
        fwd("transformer", x, params)


def test_bad_states_lengths_and_dropout_raise_value_errors():
    x, params, h0, c0 = problem("lstm")
    fwd = cells.multi_forward
    with pytest.raises(
        ValueError,
        match=r"h0 must have shape \(layers\*dirs, B, H\) = \(4, 3, 3\), got",
    ):
        fwd("lstm", x, params, h0[:2])
    with pytest.raises(ValueError, match=r"c0 must have shape \(layers\*dirs, B, H\)"):
        fwd("lstm", x, params, h0, c0[0])
    gru = problem("gru")
    with pytest.raises(ValueError, match="c0 is the LSTM's"):
        fwd("gru", gru[0], gru[1], gru[2], c0)
    with pytest.raises(ValueError, match=r"lengths must have shape \(B,\) = \(3,\)"):
        fwd("lstm", x, params, lengths=[5, 2])
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T\] = \[1, 5\]"):
        fwd("lstm", x, params, lengths=[5, 0, 2])
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T\]"):
        fwd("lstm", x, params, lengths=[6, 1, 2])
    with pytest.raises(ValueError, match="lengths must be integers"):
        fwd("lstm", x, params, lengths=[5.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\)"):
        fwd("lstm", x, params, dropout=1.0)
    with pytest.raises(ValueError, match="needs rng"):
        fwd("lstm", x, params, dropout=0.2, training=True)
    with pytest.raises(ValueError, match="training must be True or False"):
        fwd("lstm", x, params, dropout=0.2, training="yes")
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, D\)"):
        fwd("lstm", x[0], params)
    out, _, cache = fwd("lstm", x, params)
    with pytest.raises(ValueError, match=r"dout must have shape \(5, 3, 6\)"):
        cells.multi_backward(out[..., :3], cache)
    with pytest.raises(ValueError, match=r"dh_n must have shape \(4, 3, 3\)"):
        cells.multi_backward(out, cache, h0[0])
    with pytest.raises(ValueError, match="cache must be the cache returned by multi"):
        cells.multi_backward(
            out, cells.lstm_forward(x, cells.layer_params(params, 0, 0))[2]
        )
    with pytest.raises(ValueError, match="dc_n is the LSTM's"):
        cells.multi_backward(None, fwd("gru", gru[0], gru[1])[2], None, c0)
    with pytest.raises(ValueError, match=r"num_layers must be a positive integer"):
        cells.init_multi_params("gru", 3, 2, 0, True, np.random.default_rng())
    with pytest.raises(ValueError, match=r"bidirectional must be True or False"):
        cells.init_multi_params("gru", 3, 2, 1, 2, np.random.default_rng())
    with pytest.raises(ValueError, match=r"seq must be a numpy array"):
        cells.reverse_padded([1, 2], [1])


# ------------------------------------------------------ the agreement task (09, sec 7)


def test_agreement_task_targets_and_mask():
    from utils.training import agreement_task

    x, y, mask, lengths = agreement_task(12, 64, np.random.default_rng(0))
    assert x.shape == (12, 64, 1) and y.shape == mask.shape == (12, 64)
    assert lengths.min() >= 6 and lengths.max() <= 12
    for b, L in enumerate(lengths):
        bits = x[:, b, 0]
        assert np.all(np.abs(bits[:L]) == 1) and np.all(bits[L:] == 0)
        assert mask[:, b].tolist() == [1 <= t <= L - 2 for t in range(12)]
        for t in range(1, L - 1):
            assert y[t, b] == (bits[t - 1] == bits[t + 1])
    with pytest.raises(ValueError, match="T must be an integer >= 3"):
        agreement_task(2, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"min_length must lie in \[3, T\]"):
        agreement_task(8, 4, np.random.default_rng(0), min_length=9)


def test_tagger_loss_gradients_by_centred_differences():
    from utils.gradients import numerical_gradient
    from utils.training import agreement_task, tagger_loss

    rng = np.random.default_rng(1)
    _, y, mask, _ = agreement_task(7, 5, rng)
    out = rng.standard_normal((7, 5, 4))
    w, b = rng.standard_normal((1, 4)), rng.standard_normal(1)
    loss, accuracy, dout, dw, db = tagger_loss(out, y, mask, w, b)
    assert 0 <= accuracy <= 1 and loss > 0

    def f():
        return tagger_loss(out, y, mask, w, b)[0]

    for analytic, target in ((dout, out), (dw, w), (db, b)):
        assert rel_error(analytic, numerical_gradient(f, target)) < 1e-7
    assert np.all(dout[~mask] == 0)  # unmasked steps get no gradient
