"""Training utilities: clipping, Adam, the tasks, their losses and the train loop."""

import numpy as np
import pytest

from utils import training
from utils.gradients import numerical_gradient, rel_error


def test_clip_grad_norm_scales_all_gradients_together():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = training.clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    np.testing.assert_allclose(clipped["b"], [[0.8]])
    same, norm = training.clip_grad_norm(grads, 10.0)
    assert norm == pytest.approx(5.0) and same["a"] is not grads["a"]
    np.testing.assert_array_equal(same["a"], grads["a"])
    f32, _ = training.clip_grad_norm({"a": np.ones(3, np.float32)}, 0.5)
    assert f32["a"].dtype == np.float32
    for bad in (0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="max_norm"):
            training.clip_grad_norm(grads, bad)


def test_adam_first_step_and_convergence():
    p = {"w": np.array([1.0, -2.0])}
    opt = training.Adam(p, lr=0.1)
    opt.step({"w": np.array([0.5, -3.0])})
    # the first bias-corrected step is lr * g / (|g| + eps): lr in the sign of g
    np.testing.assert_allclose(p["w"], [0.9, -1.9], rtol=1e-6)
    for _ in range(500):  # minimise |w - 3|^2
        opt.step({"w": 2 * (p["w"] - 3)})
    np.testing.assert_allclose(p["w"], 3, atol=1e-3)
    with pytest.raises(ValueError, match="lr"):
        training.Adam(p, lr=0)


def test_adding_problem_and_copy_task():
    rng = np.random.default_rng(0)
    x, y = training.adding_problem(20, 5, rng)
    assert x.shape == (20, 5, 2) and y.shape == (5, 1)
    marks = x[:, :, 1]
    assert (marks.sum(0) == 2).all()
    assert (marks[:10].sum(0) == 1).all() and (marks[10:].sum(0) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * marks).sum(0))
    x, y = training.copy_task(5, 3, rng)
    assert x.shape == (25, 3, 10) and y.shape == (25, 3)
    np.testing.assert_array_equal(y[-10:], x[:10].argmax(-1))
    assert (y[:-10] == 0).all() and (x[14].argmax(-1) == 9).all()  # the marker
    assert training.baseline("adding", 50) == pytest.approx(1 / 6)
    assert training.baseline("copy", 10) == pytest.approx(10 * np.log(8) / 30)
    for bad in (
        lambda: training.adding_problem(1, 2, rng),
        lambda: training.copy_task(0, 2, rng),
        lambda: training.baseline("sort", 5),
    ):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.parametrize("task", ["adding", "copy"])
def test_task_loss_gradients(task):
    rng = np.random.default_rng(1)
    x, y = (training.adding_problem if task == "adding" else training.copy_task)(
        4, 3, rng
    )
    C = 1 if task == "adding" else 10
    out = rng.standard_normal((len(x), 3, 5))
    w, b = rng.standard_normal((C, 5)), rng.standard_normal(C)
    _, dout, dw, db = training.task_loss(task, out, y, w, b)
    for arr, grad in ((out, dout), (w, dw), (b, db)):
        num = numerical_gradient(lambda: training.task_loss(task, out, y, w, b)[0], arr)
        assert rel_error(grad, num) < 1e-7


def test_train_stops_early_keeps_dtype_and_repeats_exactly():
    run = training.train("gru", "adding", 10, H=8, steps=40, eval_every=10)
    assert len(run["train"]) == 40 and list(run["eval_steps"]) == [0, 10, 20, 30, 39]
    again = training.train("gru", "adding", 10, H=8, steps=40, eval_every=10)
    np.testing.assert_array_equal(run["train"], again["train"])
    stop = training.train("lstm", "adding", 10, H=8, steps=40, target=10.0)
    assert len(stop["train"]) == 0 and list(stop["eval_steps"]) == [0]
    out_of_time = training.train("rnn", "copy", 5, H=8, steps=40, time_limit=0)
    assert list(out_of_time["eval_steps"]) == [0]
    f32 = training.train("lstm", "adding", 10, H=8, steps=5, dtype=np.float32)
    assert np.isfinite(f32["train"]).all() and f32["seconds"] > 0
    with pytest.raises(ValueError, match="task"):
        training.train("lstm", "sort", 10)
    with pytest.raises(ValueError, match="kind"):
        training.train("transformer", "adding", 10)
    with pytest.raises(ValueError, match="dtype"):
        training.train("lstm", "adding", 10, dtype=np.float16)
    with pytest.raises(ValueError, match="forget_bias is for the LSTM"):
        training.train("gru", "first_bit", 10, forget_bias=1.0)


def test_forget_bias_on_the_first_bit_task():
    """notebook 04's experiment: a raised forget bias is split between the two
    bias vectors, and it lets the LSTM learn a 30-step dependency in 300 steps."""
    runs = {
        shift: training.train(
            "lstm",
            "first_bit",
            30,
            H=8,
            lr=1e-2,
            steps=300,
            seed=2,
            forget_bias=shift,
            eval_every=300,
        )
        for shift in (0.0, 3.0)
    }
    assert runs[0.0]["train"][-30:].mean() > 0.9  # stuck at the baseline, 1
    assert runs[3.0]["train"][-30:].mean() < 0.1
    assert training.baseline("first_bit", 30) == 1.0


def test_benchmark_script_runs_without_torch(run_script):
    """scripts/bench_kernels.py prints its table with our numbers only (no torch)."""
    result = run_script("bench_kernels.py", "--kernels", "--no-torch", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 6  # header and LSTM, GRU at three sizes
    assert all(row.count("|") == 10 for row in rows)
    for row in rows[1:]:  # PyTorch's time, the ratio, its GFLOP/s and the best ratio
        cells = [cell.strip() for cell in row.strip("| ").split("|")]
        assert [cells[i] for i in (3, 4, 7, 8)] == ["-"] * 4, row
