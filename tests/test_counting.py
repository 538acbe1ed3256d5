"""Counting a^n b^n (notebook 06): the task, its loss and baseline, the measurement
of a trained model's counts, and the stored runs."""

import numpy as np
import pytest

from utils import data, training
from utils.gradients import numerical_gradient, rel_error


def test_counting_task_targets_and_padding():
    x, y = training.counting_sequences(np.array([1, 3]), 8)
    assert x.shape == (8, 2, 2) and y.shape == (8, 2)
    np.testing.assert_array_equal(x[:, 1].argmax(-1)[:6], [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(x[6:, 1], 0)  # padding: no symbol
    np.testing.assert_array_equal(y[:, 1], [0, 0, 0, 0, 0, 1, -1, -1])
    np.testing.assert_array_equal(y[:, 0], [0, 1, -1, -1, -1, -1, -1, -1])
    x, y = training.counting_task(7, 500, np.random.default_rng(0))
    assert x.shape == (14, 500, 2) and "counting" in training.TASKS
    n = x[..., 0].sum(0)
    assert n.min() == 1 and n.max() == 7 and (x[..., 1].sum(0) == n).all()
    assert ((y == 1).sum(0) == 1).all()  # exactly one last b per sequence
    for bad in (
        lambda: training.counting_task(0, 3, np.random.default_rng()),
        lambda: training.counting_sequences(np.array([5]), 8),
        lambda: training.counting_sequences(np.array([[1]]), 8),
        lambda: training.counting_sequences(np.array([0, 1]), 8),
    ):
        with pytest.raises(ValueError):
            bad()


def test_counting_baseline_is_the_memoryless_cross_entropy():
    """After an a 'no' is always right; after a b the best constant is the share of
    b's that are last. Simulated on many sequences, against the formula."""
    N = 12
    x, y = training.counting_task(N, 40_000, np.random.default_rng(3))
    reads_b, last = x[..., 1] == 1, y == 1
    p = last.sum() / reads_b.sum()
    nats = -np.log(p) * last.sum() - np.log(1 - p) * (reads_b & (y == 0)).sum()
    simulated = nats / (y != training.IGNORE).sum()
    assert simulated == pytest.approx(training.baseline("counting", N), rel=0.01)
    assert training.baseline("counting", 1) == 0.0  # n = 1: the first b is last


def test_counting_loss_gradients_and_ignored_steps():
    rng = np.random.default_rng(1)
    x, y = training.counting_task(3, 4, rng)
    out = rng.standard_normal((len(x), 4, 5))
    w, b = rng.standard_normal((2, 5)), rng.standard_normal(2)
    loss, dout, dw, db = training.task_loss("counting", out, y, w, b)
    for arr, grad in ((out, dout), (w, dw), (b, db)):
        num = numerical_gradient(
            lambda: training.task_loss("counting", out, y, w, b)[0], arr
        )
        assert rel_error(grad, num) < 1e-7
    ignored = y == training.IGNORE
    assert ignored.any() and (dout[ignored] == 0).all()
    moved = out.copy()
    moved[ignored] += 10.0  # what the model says after a sequence ends is not scored
    assert training.task_loss("counting", moved, y, w, b)[0] == loss


def counter(leak=0.0):
    """A one-unit LSTM built to count: i = o = 1, f = sigma(50 - leak) (exactly 1
    without a leak), g = +1 for a and -1 for b, so c = #a - #b; the readout says
    'ends' when h = tanh(c) < 0.38, i.e. when c = 0."""
    params = {
        "weight_ih_l0": np.array([[0.0, 0.0], [0.0, 0.0], [20.0, -20.0], [0.0, 0.0]]),
        "weight_hh_l0": np.zeros((4, 1)),
        "bias_ih_l0": np.array([50.0, 50.0 - leak, 0.0, 50.0]),
        "bias_hh_l0": np.zeros(4),
        "w_out": np.array([[0.0], [-10.0]]),
        "b_out": np.array([0.0, 3.8]),
    }
    return params


def test_count_run_reads_an_exact_counter_and_a_leaky_one():
    ns = np.arange(1, 301)
    exact = training.count_run("lstm", counter(), ns)
    np.testing.assert_array_equal(exact["count"], ns)
    assert (
        exact["correct"].all() and training.correct_up_to(ns, exact["correct"]) == 300
    )
    j = 99  # n = 100: the cell is the balance of a's and b's
    t = np.arange(200)
    np.testing.assert_allclose(
        exact["c"][:200, j, 0], np.where(t < 100, t + 1, 199 - t)
    )
    assert exact["gates"].shape == (900, 300, 4) and exact["h"].shape == (900, 300, 1)
    leaky = training.count_run("lstm", counter(leak=44.0), ns)  # f = sigma(6)
    assert training.correct_up_to(ns, leaky["correct"]) < 300
    late = ~leaky["correct"]
    assert (leaky["count"][late] < ns[late]).all()  # a leaking count ends early
    with pytest.raises(ValueError, match="ns must be"):
        training.count_run("lstm", counter(), np.array([0, 1]))
    with pytest.raises(ValueError, match="missing"):
        training.count_run("lstm", {"w_out": 1}, ns)


def test_a_short_run_learns_the_training_range():
    run = training.train(
        "lstm", "counting", 5, H=4, lr=1e-2, steps=300, dtype=np.float32, eval_every=100
    )
    assert run["eval"][-1] < 0.2 * training.baseline("counting", 5)
    assert set(run["params"]) >= {"weight_ih_l0", "w_out", "b_out"}
    counted = training.count_run("lstm", run["params"], np.arange(1, 6))
    assert counted["correct"].all()


def test_the_stored_runs():
    """What notebook 06 reads: ten trained models, each right on the whole training
    range, with the settings recorded (and the build: tests/test_reproduce.py)."""
    stored = data.load_counting()
    meta = stored["meta"]
    assert meta["n_train"] == 40 and meta["hidden"] == 4 and "build_blas" in meta
    assert set(stored["runs"]) == {(m, s) for m in ("lstm", "gru") for s in range(5)}
    ns = np.arange(1, meta["n_train"] + 1)
    for (model, _), run in stored["runs"].items():
        assert len(run["eval"]) == len(stored["eval_steps"])
        assert run["params"]["weight_hh_l0"].shape == (
            {"lstm": 16, "gru": 12}[model],
            4,
        )
        counted = training.count_run(model, run["params"], ns)
        assert counted["correct"].all()
