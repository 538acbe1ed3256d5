"""Reference cells: contract (shapes, dtypes, keys), validation, gradients, PyTorch."""

import numpy as np
import pytest

import utils
from utils import cells, data
from utils.gradients import cell_gradient_errors, numerical_gradient, rel_error

KINDS = ("rnn", "lstm", "gru")


def setup(kind, T=3, B=2, D=5, H=4, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    params = cells.init_params(kind, D, H, rng, dtype)
    x = rng.standard_normal((T, B, D)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype)
    return x, params, h0


def forward(kind, x, params, h0=None, **kw):
    """Uniform wrapper: -> out, h_n, cache."""
    if kind == "rnn":
        return cells.rnn_forward(x, params, h0)
    if kind == "lstm":
        out, (h_n, _), cache = cells.lstm_forward(x, params, h0, kw.get("c0"))
        return out, h_n, cache
    return cells.gru_forward(x, params, h0, reset_after=kw.get("reset_after", True))


def test_public_names_importable_from_package():
    for name in (
        "rnn_forward",
        "rnn_backward",
        "lstm_forward",
        "lstm_backward",
        "gru_forward",
        "gru_backward",
        "rnn_step",
        "lstm_step",
        "gru_step",
    ):
        assert callable(getattr(utils, name))
    from utils import check

    assert callable(check.rnn_step) and callable(check.lstm_step)
    assert callable(check.gru_step)


@pytest.mark.parametrize("kind,k", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_init_params_has_pytorch_keys_and_shapes(kind, k):
    p = cells.init_params(kind, 5, 4, np.random.default_rng(0))
    assert list(p) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert [v.shape for v in p.values()] == [(4 * k, 5), (4 * k, 4), (4 * k,), (4 * k,)]
    assert all(np.abs(v).max() <= 0.5 for v in p.values())  # U(-1/sqrt(H), 1/sqrt(H))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_shapes_and_dtype(kind, dtype):
    x, params, h0 = setup(kind, dtype=dtype)
    out, h_n, _ = forward(kind, x, params, h0)
    assert out.shape == (3, 2, 4) and h_n.shape == (2, 4)
    assert out.dtype == dtype and h_n.dtype == dtype
    np.testing.assert_array_equal(out[-1], h_n)


@pytest.mark.parametrize("kind", KINDS)
def test_backward_shapes_keys_and_dtype(kind):
    x, params, h0 = setup(kind, dtype=np.float32)
    _, _, cache = forward(kind, x, params, h0)
    backward = getattr(cells, f"{kind}_backward")
    dx, dparams, dh0, *rest = backward(
        np.ones_like(np.zeros((3, 2, 4), np.float32)), cache
    )
    assert dx.shape == x.shape and dh0.shape == h0.shape
    assert list(dparams) == list(params)
    for key in params:
        assert dparams[key].shape == params[key].shape
        assert dparams[key].dtype == np.float32
    assert dx.dtype == np.float32


def test_float32_params_follow_input_dtype():
    x, params, h0 = setup("lstm", dtype=np.float32)
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    out, _, _ = cells.lstm_forward(x, p64, h0)
    assert out.dtype == np.float32


@pytest.mark.parametrize("kind", KINDS)
def test_steps_agree_with_forward(kind):
    x, params, h0 = setup(kind)
    out, _, _ = forward(kind, x, params, h0)
    h, c = h0, np.zeros_like(h0)
    for t in range(x.shape[0]):
        if kind == "rnn":
            h = cells.rnn_step(x[t], h, params)
        elif kind == "lstm":
            h, c = cells.lstm_step(x[t], h, c, params)
        else:
            h = cells.gru_step(x[t], h, params)
        np.testing.assert_allclose(h, out[t], rtol=1e-12)


def test_zero_initial_state_by_default():
    x, params, h0 = setup("lstm")
    a = cells.lstm_forward(x, params)[0]
    b = cells.lstm_forward(x, params, np.zeros_like(h0), np.zeros_like(h0))[0]
    np.testing.assert_array_equal(a, b)


def test_gru_placements_differ_and_agree_without_reset():
    x, params, h0 = setup("gru")
    after = cells.gru_forward(x, params, h0, reset_after=True)[0]
    before = cells.gru_forward(x, params, h0, reset_after=False)[0]
    assert np.abs(after - before).max() > 1e-3
    # With r = 1 everywhere (a huge reset bias) the two placements coincide.
    H = 4
    params["bias_ih_l0"][:H] = 50.0
    after = cells.gru_forward(x, params, h0, reset_after=True)[0]
    before = cells.gru_forward(x, params, h0, reset_after=False)[0]
    np.testing.assert_allclose(after, before, atol=1e-12)


def test_lstm_forget_one_input_zero_keeps_cell():
    """With f = 1 and i = 0 the cell state is carried unchanged: the carousel."""
    x, params, h0 = setup("lstm", T=20)
    H = 4
    params["bias_ih_l0"][:H] = -60.0  # input gate closed
    params["bias_ih_l0"][H : 2 * H] = 60.0  # forget gate open
    c0 = np.random.default_rng(1).standard_normal((2, H))
    _, (_, c_n), _ = cells.lstm_forward(x, params, h0, c0)
    np.testing.assert_allclose(c_n, c0, rtol=1e-12)


def test_inputs_are_not_modified():
    x, params, h0 = setup("gru")
    copies = (x.copy(), {k: v.copy() for k, v in params.items()}, h0.copy())
    out, h_n, cache = cells.gru_forward(x, params, h0)
    cells.gru_backward(np.ones_like(out), cache, np.ones_like(h_n))
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(h0, copies[2])
    for k in params:
        np.testing.assert_array_equal(params[k], copies[1][k])


# ----------------------------------------------------------------------- validation


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_raises_value_error_naming_argument(kind):
    x, params, h0 = setup(kind)
    fwd = getattr(cells, f"{kind}_forward")
    with pytest.raises(
        ValueError, match=r"x must have shape \(T, B, D\).*got shape \(2, 5\)"
    ):
        fwd(x[0], params)
    with pytest.raises(ValueError, match=r"params is missing key 'bias_hh_l0'"):
        fwd(x, {k: v for k, v in params.items() if k != "bias_hh_l0"})
    with pytest.raises(
        ValueError, match=r"weight_ih_l0'\] must have shape .* got \(\d+, 5\)"
    ):
        fwd(x[:, :, :3], params)
    with pytest.raises(
        ValueError, match=r"h0 must have shape \(B, H\) = \(2, 4\), got \(2, 3\)"
    ):
        fwd(x, params, h0[:, :3])
    with pytest.raises(ValueError, match=r"x contains NaN or inf"):
        fwd(np.full_like(x, np.nan), params)
    with pytest.raises(
        ValueError, match=r"x must be float32 or float64, got dtype int64"
    ):
        fwd(x.astype(np.int64), params)
    with pytest.raises(ValueError, match=r"x must be a numpy array"):
        fwd(x.tolist(), params)
    bad = dict(params, weight_hh_l0=params["weight_hh_l0"][:, :3])
    with pytest.raises(ValueError, match=r"weight_hh_l0'\] must have shape"):
        fwd(x, bad)
    with pytest.raises(ValueError, match=r"bias_ih_l0'\] must have shape"):
        fwd(x, dict(params, bias_ih_l0=params["bias_ih_l0"][:-1]))
    with pytest.raises(ValueError, match=r"params must be a dict"):
        fwd(x, list(params.values()))


def test_step_and_backward_validation():
    x, params, h0 = setup("lstm")
    with pytest.raises(ValueError, match=r"c must have shape \(B, H\)"):
        cells.lstm_step(x[0], h0, h0[:1], params)
    with pytest.raises(ValueError, match=r"x must have shape \(B, D\)"):
        cells.lstm_step(x, h0, h0, params)
    out, _, cache = cells.lstm_forward(x, params, h0)
    with pytest.raises(
        ValueError, match=r"dout must have shape \(3, 2, 4\).*got shape \(3, 2\)"
    ):
        cells.lstm_backward(out[:, :, 0], cache)
    with pytest.raises(
        ValueError, match=r"cache must be the cache returned by rnn_forward"
    ):
        cells.rnn_backward(out, cache)
    with pytest.raises(ValueError, match="reset_after must be True"):
        cells.gru_step(
            x[0],
            h0,
            cells.init_params("gru", 5, 4, np.random.default_rng()),
            reset_after="yes",
        )
    with pytest.raises(ValueError, match="kind must be one of"):
        cells.init_params("transformer", 3, 3, np.random.default_rng())


def test_sigmoid_is_stable_and_keeps_dtype():
    with np.errstate(
        over="raise", invalid="raise", divide="raise"
    ):  # underflow is fine
        s = cells.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        s32 = cells.sigmoid(np.array([-1000.0, 1000.0], dtype=np.float32))
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])
    assert s32.dtype == np.float32


# ------------------------------------------------------------------------ gradients


@pytest.mark.parametrize(
    "kind,reset_after", [("rnn", True), ("lstm", True), ("gru", True), ("gru", False)]
)
def test_gradient_check_float64(kind, reset_after):
    errors = cell_gradient_errors(kind, reset_after=reset_after)
    expected = {"x", "h0", "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    assert set(errors) == expected | ({"c0"} if kind == "lstm" else set())
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    """The check can fail: a backward pass that drops the carousel term is caught."""
    real = cells.lstm_backward

    def broken(dout, cache, dh_n=None, dc_n=None):
        dx, dparams, dh0, dc0 = real(dout, cache, dh_n, dc_n)
        dparams["weight_hh_l0"] = dparams["weight_hh_l0"] * 1.01
        return dx, dparams, dh0, dc0

    # cell_gradient_errors reaches the LSTM through the dispatch on kind
    monkeypatch.setattr(cells.kinds, "lstm_backward", broken)
    errors = cell_gradient_errors("lstm")
    assert errors["weight_hh_l0"] > 1e-3 and errors["x"] < 1e-7


def test_numerical_gradient_and_rel_error():
    x = np.array([0.3, -1.2, 2.0])
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert rel_error(g, 3 * x**2) < 1e-9
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, x.astype(np.float32))
    with pytest.raises(ValueError, match="one shape"):
        rel_error(np.zeros(2), np.zeros(3))


# ------------------------------------------------------------------ PyTorch fixtures


def run_fixture(name):
    f = data.load_fixture(name)
    p = f["params"]
    if name == "lstm":
        out, (h_n, c_n), cache = cells.lstm_forward(f["x"], p, f["h0"], f["c0"])
        dx, dp, dh0, dc0 = cells.lstm_backward(f["dout"], cache, f["dh_n"], f["dc_n"])
        got = {"out": out, "h_n": h_n, "c_n": c_n, "dx": dx, "dh0": dh0, "dc0": dc0}
    elif name == "rnn":
        out, h_n, cache = cells.rnn_forward(f["x"], p, f["h0"])
        dx, dp, dh0 = cells.rnn_backward(f["dout"], cache, f["dh_n"])
        got = {"out": out, "h_n": h_n, "dx": dx, "dh0": dh0}
    else:
        out, h_n, cache = cells.gru_forward(
            f["x"], p, f["h0"], reset_after=f["meta"]["reset_after"]
        )
        dx, dp, dh0 = cells.gru_backward(f["dout"], cache, f["dh_n"])
        got = {"out": out, "h_n": h_n, "dx": dx, "dh0": dh0}
    return f, got, dp


@pytest.mark.parametrize("name", data.FIXTURES)
def test_agreement_with_pytorch_fixtures(name):
    f, got, dparams = run_fixture(name)
    assert f["meta"]["torch_version"].startswith("2.13.0")
    for key, value in got.items():
        np.testing.assert_allclose(value, f[key], rtol=0, atol=1e-6, err_msg=key)
        assert rel_error(value, f[key]) < 1e-12, key
    assert set(dparams) == set(f["grads"])
    for key, value in dparams.items():
        np.testing.assert_allclose(
            value, f["grads"][key], rtol=0, atol=1e-6, err_msg=key
        )
    assert f["meta"]["reset_after"] == (name != "gru_reset_before")


def test_fixture_checksum_and_missing_file(tmp_path, monkeypatch):
    src = data.DATA_DIR
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "SHA256SUMS").write_text((src / "SHA256SUMS").read_text())
    blob = bytearray((src / "fixtures" / "rnn.npz").read_bytes())
    blob[200] ^= 0xFF
    (tmp_path / "fixtures" / "rnn.npz").write_bytes(bytes(blob))
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"data/fixtures/rnn.npz is corrupted"):
        data.load_fixture("rnn")
    with pytest.raises(FileNotFoundError, match=r"data/fixtures/lstm.npz is missing"):
        data.load_fixture("lstm")
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_fixture("transformer")


def test_every_data_file_is_listed_and_documented():
    listed = set(data.checksums())
    on_disk = {
        p.relative_to(data.DATA_DIR).as_posix()
        for p in data.DATA_DIR.rglob("*")
        if p.is_file() and p.name not in ("README.md", "SHA256SUMS")
    }
    assert listed == on_disk
    readme = (data.DATA_DIR / "README.md").read_text()
    for name in listed:
        assert name in readme, f"{name} is not described in data/README.md"
        data.verified_path(name)


@pytest.mark.parametrize(
    "kind,reset_after", [("rnn", True), ("lstm", True), ("gru", True), ("gru", False)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_preactivations_stay_finite_without_warnings(kind, reset_after, dtype):
    """Pre-activations of +-1e4: every output and gradient finite, no overflow."""
    x, params, h0 = setup(kind, T=4, dtype=dtype)
    params = {k: (v * 1e4 / np.abs(v).max()).astype(dtype) for k, v in params.items()}
    x = np.sign(x).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        out, h_n, cache = forward(kind, x, params, h0, reset_after=reset_after)
        grads = getattr(cells, f"{kind}_backward")(np.ones_like(out), cache)
        steps = {
            "rnn": lambda: cells.rnn_step(x[0], h0, params),
            "lstm": lambda: cells.lstm_step(x[0], h0, h0, params),
            "gru": lambda: cells.gru_step(x[0], h0, params, reset_after),
        }
        step = steps[kind]()
    pre = x[0] @ params["weight_ih_l0"].T + params["bias_ih_l0"]
    assert np.abs(pre).max() >= 1e4  # the pre-activations really are this large
    flat = [out, h_n, grads[0], grads[2], *grads[1].values()]
    flat += list(step) if isinstance(step, tuple) else [step]
    assert all(np.isfinite(a).all() for a in flat)


def test_helpers_stay_finite_at_extremes():
    rng = np.random.default_rng(3)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        s = cells.sigmoid(np.array([-1e4, 1e4]))
        h = cells.one_unit_rnn(2.5, 3.0, 2.0, np.full(50, 1e4))
        p = cells.init_params("rnn", 2, 3, rng)
        g = utils.gradients.hidden_state_gradients(
            1e4 * np.ones((5, 1, 2)), p, np.zeros((1, 3)), np.ones((1, 3))
        )
    assert np.isfinite(s).all() and np.isfinite(h).all() and np.isfinite(g).all()


@pytest.mark.parametrize(
    "kind,reset_after", [("rnn", True), ("lstm", True), ("gru", True), ("gru", False)]
)
def test_backward_is_the_same_for_any_chunking_and_without_dout(
    kind, reset_after, monkeypatch
):
    """The fast backward passes batch work over chunks of steps; chunk sizes of one
    step, of three steps (uneven: T = 7) and of the whole sequence give identical
    gradients, and dout=None is the same as zeros."""
    x, params, h0 = setup(kind, T=7, dtype=np.float64)
    B, H = h0.shape
    k = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    _, _, cache = forward(kind, x, params, h0, reset_after=reset_after)
    backward = getattr(cells, f"{kind}_backward")
    dout = np.random.default_rng(1).standard_normal((7, B, H))
    dh_n = np.random.default_rng(2).standard_normal((B, H))
    results = []
    for elements in (1, 3 * B * k * H, 10**9):
        monkeypatch.setattr(cells.fast, "CHUNK_ELEMENTS", elements)
        results.append(backward(dout, cache, dh_n))
    none = backward(None, cache, dh_n)
    zeros = backward(np.zeros_like(dout), cache, dh_n)
    for got in [*results[1:], none]:
        ref = results[0] if got is not none else zeros
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[2], ref[2])
        for key in params:
            np.testing.assert_array_equal(got[1][key], ref[1][key])


def test_forward_does_not_keep_a_view_of_its_outputs():
    """Changing the returned out in place must not change what backward uses."""
    x, params, h0 = setup("lstm")
    out, _, cache = cells.lstm_forward(x, params, h0)
    ref = cells.lstm_backward(np.ones_like(out), cache)[1]
    out[:] = 0
    again = cells.lstm_backward(np.ones_like(out), cache)[1]
    for key in ref:
        np.testing.assert_array_equal(ref[key], again[key])


def test_texts_load_verified_and_held_out_uses_the_training_alphabet():
    train, held_out = data.load_text("train"), data.load_text("held_out")
    assert len(train) > 900_000 and len(held_out) > 50_000
    assert set(held_out) <= set(train)
    assert train.startswith("BERNARDO:\nWho's there?\n")
    assert "PROSPERO:" in held_out and "PROSPERO:" not in train
    with pytest.raises(ValueError, match="'train' or 'held_out'"):
        data.load_text("test")


def test_corpus_conversion_keeps_speeches_and_drops_directions():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "make_corpus.py"
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    markdown = (
        "# Macbeth\n\n## ACT I\n\n_Thunder. Enter three Witches_\n\n"
        "**First Witch**  \nWhen shall we three meet again  \n_Aside_  \n"
        "In thunder\\--or in rain?\n\n**ALL**  \nFair is foul \u2014 and foul is fair\n"
    )
    assert corpus.speeches(markdown) == [
        "FIRST WITCH:\nWhen shall we three meet again\nIn thunder--or in rain?",
        "ALL:\nFair is foul -- and foul is fair",
    ]


def test_orthogonal_rnn_gradients_any_lag():
    """One norm per step back for any T: lags beyond 100 continue the same inputs
    (they used to be cut at 100 silently); bad arguments raise ValueError."""
    from utils.gradients import orthogonal_rnn_gradients

    for T in (1, 100, 150):
        back, norms, bound = orthogonal_rnn_gradients(0.9, T, 1.0)
        assert back.shape == norms.shape == bound.shape == (T + 1,)
        assert back[0] == T and back[-1] == 0 and np.isfinite(norms).all()
    short = orthogonal_rnn_gradients(0.9, 100, 1.0)[1]
    long = orthogonal_rnn_gradients(0.9, 150, 1.0)[1]
    assert np.isclose(short[-1], long[-1])  # dL/dh_T has norm 1 for both
    for bad in ({"T": 0}, {"T": 2.5}, {"rho": np.nan}):
        args = {"rho": 0.9, "T": 10, "scale": 1.0, **bad}
        with pytest.raises(ValueError):
            orthogonal_rnn_gradients(**args)
