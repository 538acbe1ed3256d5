"""Explorers: moving a control redraws in place with the values the equations give."""

import ast
import itertools
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

from utils import cells, plots, widgets


def test_activation_explorer_draws_the_equations():
    e = widgets.activation_explorer()
    first_image, first_lines = e.image.value, e.lines["sigmoid"]
    e.set(w=4.0, b=-2.0)
    assert e.lines["sigmoid"] is first_lines  # updated in place, not rebuilt
    assert e.image.value != first_image
    a = e.a
    x, y = e.lines["sigmoid"].get_data()
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-(4 * a - 2))))
    np.testing.assert_allclose(e.lines["tanh"].get_ydata(), np.tanh(4 * a - 2))
    s = cells.sigmoid(4 * a - 2)
    np.testing.assert_allclose(e.lines["dsigmoid"].get_ydata(), 4 * s * (1 - s))
    assert e.lines["mid"].get_xdata()[0] == pytest.approx(
        0.5
    )  # sigma = 1/2 at a = -b/w
    signal, m = e.signal()
    np.testing.assert_allclose(
        e.gated_line.get_ydata(), cells.sigmoid(4 * m - 2) * signal
    )
    assert f"{cells.sigmoid(2.0):.3f}" in e.status.get_text()


def test_activation_explorer_extremes_stay_finite():
    e = widgets.activation_explorer()
    w_range = (e.controls["w"].min, e.controls["w"].max)
    b_range = (e.controls["b"].min, e.controls["b"].max)
    for w, b in itertools.product(w_range, b_range):
        e.set(w=w, b=b)
        for line in [*e.lines.values(), e.gate_line, e.gated_line]:
            assert np.isfinite(np.asarray(line.get_ydata(), float)).all()


def test_one_unit_explorer_without_recurrence_follows_the_input():
    e = widgets.one_unit_rnn_explorer()
    e.set(w_hh=0.0, w_ih=1.3, b=0.2, pattern="square wave")
    x = widgets.input_pattern("square wave")
    np.testing.assert_allclose(e.x_line.get_ydata(), x)
    np.testing.assert_allclose(e.h_line.get_ydata(), np.tanh(1.3 * x + 0.2))


def test_one_unit_explorer_regimes():
    e = widgets.one_unit_rnn_explorer(pattern="no input", w_ih=0.0, b=0.0, h0=0.8)
    e.set(w_hh=0.5)
    h = e.h_line.get_ydata()
    assert abs(h[-1]) < 1e-6 and "decay" in e.title.get_text()  # |w| < 1 forgets
    e.set(w_hh=2.0)
    h = e.h_line.get_ydata()
    fixed = max(p for p, _ in cells.fixed_points(2.0, 0.0))
    assert h[-1] == pytest.approx(fixed) and "saturation" in e.title.get_text()
    e.set(w_hh=-2.0)
    h = e.h_line.get_ydata()
    assert np.all(np.sign(h[1:]) == -np.sign(h[:-1]))  # flips every step
    assert "oscillation" in e.title.get_text()
    # the map panel shows tanh(w_hh h + b) and fixed points on the diagonal
    grid, y = e.map_line.get_data()
    np.testing.assert_allclose(y, np.tanh(-2.0 * grid))
    fx, fy = e.fixed.get_data()
    np.testing.assert_allclose(fx, fy)


def test_one_unit_explorer_recurrence_matches_reference_cell():
    e = widgets.one_unit_rnn_explorer(
        w_hh=1.2, w_ih=-0.7, b=0.1, h0=-0.3, pattern="noise"
    )
    x = widgets.input_pattern("noise")
    params = {
        "weight_ih_l0": np.array([[-0.7]]),
        "weight_hh_l0": np.array([[1.2]]),
        "bias_ih_l0": np.array([0.1]),
        "bias_hh_l0": np.array([0.0]),
    }
    out, _, _ = cells.rnn_forward(x[:, None, None], params, np.array([[-0.3]]))
    np.testing.assert_allclose(e.h_line.get_ydata(), out[:, 0, 0], rtol=1e-12)


def test_one_unit_explorer_extremes_stay_finite_and_every_pattern_draws():
    e = widgets.one_unit_rnn_explorer()
    c = e.controls
    corners = itertools.product(
        *[(c[k].min, c[k].max) for k in ("w_hh", "w_ih", "b", "h0")]
    )
    for w_hh, w_ih, b, h0 in corners:
        e.set(w_hh=w_hh, w_ih=w_ih, b=b, h0=h0)
        assert np.isfinite(e.h_line.get_ydata()).all()
        assert np.abs(e.h_line.get_ydata()).max() <= 1
    images = set()
    for pattern in widgets.PATTERNS:
        e.set(pattern=pattern)
        images.add(e.image.value)
        np.testing.assert_allclose(e.x_line.get_ydata(), widgets.input_pattern(pattern))
    assert len(images) == len(widgets.PATTERNS)


def test_explorer_redraws_once_per_change_and_rejects_unknown_controls():
    e = widgets.one_unit_rnn_explorer()
    before = e.renders
    e.set(w_hh=1.1)
    assert e.renders == before + 1
    with pytest.raises(ValueError, match="unknown control 'gain'"):
        e.set(gain=2)
    with pytest.raises(ValueError, match="unknown control"):
        widgets.one_unit_rnn_explorer(gain=2)
    with pytest.raises(ValueError, match="pattern must be one of"):
        widgets.input_pattern("sawtooth")


def test_explorer_displays_as_a_widget():
    bundle = widgets.activation_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_one_unit_rnn_validation_and_diagram():
    with pytest.raises(ValueError, match="w_hh must be a finite number"):
        cells.one_unit_rnn(np.nan, 1.0, 0.0, np.zeros(3))
    with pytest.raises(ValueError, match="x must be a finite 1-d sequence"):
        cells.one_unit_rnn(1.0, 1.0, 0.0, np.zeros((3, 1)))
    fig = plots.unrolled_rnn_diagram(3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$h_3$" in texts and texts.count("$W_{hh}$") == 4  # folded + 3 unrolled
    plt.close(fig)
    with pytest.raises(ValueError, match="T must be an integer"):
        plots.unrolled_rnn_diagram(0)


@pytest.mark.parametrize("name", list(widgets.EXPLORERS))
def test_blitted_frame_equals_a_fresh_drawing(name):
    """Moving controls leaves nothing stale: the frame equals a fresh explorer's."""
    moved = widgets.EXPLORERS[name]()
    background, key = moved._background, moved.background_key()
    targets = {}
    for key, control in moved.controls.items():
        if hasattr(control, "max"):
            targets[key] = control.min + 0.7 * (control.max - control.min)
            moved.set(**{key: control.min})  # pass through an extreme first
        elif hasattr(control, "options"):
            targets[key] = control.options[-1]
        else:  # a text box
            targets[key] = "ROMEO:"
    moved.set(**targets)
    if moved.background_key() == key:
        assert moved._background is background, "the static background is reused"
    fresh = widgets.EXPLORERS[name](**moved.values)
    assert moved.image.value == fresh.image.value


def test_every_explorer_lists_dynamic_artists():
    for factory in widgets.EXPLORERS.values():
        e = factory()
        assert e.dynamic and all(a.get_animated() for a in e.dynamic)


def test_gradient_norm_explorer_matches_the_theory():
    e = widgets.gradient_norm_explorer(scale=0.0, T=40, rho=0.8)
    back, measured = e.measured.get_data()
    _, bound = e.bound.get_data()
    # with no input the states stay 0, tanh' = 1: the RNN is linear and W = rho Q is
    # rho times orthogonal, so the gradient norm is exactly rho^(T - k)
    np.testing.assert_allclose(measured, 0.8**back, rtol=1e-10)
    np.testing.assert_allclose(bound, 0.8**back)
    e.set(scale=3.0, rho=1.3)
    back, measured = e.measured.get_data()
    assert np.all(measured <= 1.3**back * (1 + 1e-9))  # the bound holds with tanh
    assert len(back) == 41 and back[0] == 40


def test_gate_explorer_cell_follows_the_gates():
    e = widgets.gate_explorer(f=1.0, i=0.0, o=1.0, pattern="noise")
    np.testing.assert_array_equal(e.lines["c"].get_ydata(), 0)  # nothing written
    e.set(i=1.0, pattern="pulses +1, -1, +1")
    c = e.lines["c"].get_ydata()
    assert c[10] == pytest.approx(1.0) and c[30] == pytest.approx(0.0)  # kept, then -1
    e.set(f=0.5)
    c = e.lines["c"].get_ydata()
    assert c[7] == pytest.approx(0.25)  # halved at every step after the pulse at t = 5
    e.set(o=0.0)
    np.testing.assert_array_equal(e.lines["h"].get_ydata(), 0)  # hidden: nothing shown
    assert "half-life" in e.status.get_text()


def test_highway_explorer_products():
    e = widgets.highway_explorer(b_f=3.0, spread=0.0)
    lags, lstm = e.lstm_line.get_data()
    np.testing.assert_allclose(lstm, cells.sigmoid(3.0) ** lags, rtol=1e-12)
    e.set(b_f=8.0)
    assert e.lstm_line.get_ydata()[-1] > 0.9  # f near 1: the highway keeps the gradient


def test_forget_bias_explorer_more_bias_more_gradient():
    e = widgets.forget_bias_explorer(b_f=0.0, T=60)
    low = e.line.get_ydata()[0]
    e.set(b_f=4.0)
    high = e.line.get_ydata()[0]
    assert high > 1e3 * low
    assert "mean forget gate" in e.status.get_text()


@pytest.mark.parametrize("name", list(widgets.EXPLORERS))
def test_every_explorer_stays_finite_at_every_extreme(name):
    e = widgets.EXPLORERS[name]()
    sliders = {k: c for k, c in e.controls.items() if hasattr(c, "max")}
    for corner in itertools.product(*[(c.min, c.max) for c in sliders.values()]):
        e.set(**dict(zip(sliders, corner, strict=True)))
        for artist in e.dynamic:
            if hasattr(artist, "get_ydata"):
                assert np.isfinite(np.asarray(artist.get_ydata(), float)).all()


def test_live_loss_sends_a_bounded_number_of_updates():
    live = widgets.LiveLoss(total=2700, baseline=1.0)
    sent = []
    live.bar.observe(lambda change: sent.append(change), names="value")
    live.image.observe(lambda change: sent.append(change), names="value")
    for step in range(1, 2701):
        live.update(step, 1.0 / step)
    assert len(sent) <= 2 * 101, "about 100 updates of the bar and of the curve"
    assert live.bar.value == 2700 and "2700/2700" in live.label.value
    x, y = live.line.get_data()
    assert len(x) == 2700 and y[-1] == 1.0 / 2700


def test_live_loss_speaks_the_notebooks_unit_and_keeps_its_baseline_clear():
    live = widgets.LiveLoss(
        total=300,
        title="LSTM",
        ylabel="bits per character",
        axes_title="training loss",
        baseline=5.98,
        baseline_label="log2 V",
        ylim=(0, 6.5),
    )
    live.update(300, 2.5)
    assert "bits per character 2.500" in live.label.value
    assert live.ax.get_ylabel() == "bits per character"
    assert live.ax.get_title() == "training loss" and live.bar.description == "LSTM"
    assert live.ax.get_legend() is None  # nothing drawn over the curve or baseline
    (note,) = live.ax.texts
    assert note.get_text() == "log2 V\n5.98"
    live.fig.canvas.draw()
    renderer = live.fig.canvas.get_renderer()
    axes_right = live.ax.get_window_extent(renderer).x1
    assert note.get_window_extent(renderer).x0 > axes_right  # in the margin
    assert note.get_window_extent(renderer).x1 <= live.fig.bbox.x1  # and in the figure


def test_live_loss_is_drawn_at_twice_the_size_it_is_shown():
    live = widgets.LiveLoss(total=10)
    png = live.image.value
    width = int.from_bytes(png[16:20], "big")  # the PNG header's width
    shown = int(live.image.layout.width.removesuffix("px"))
    assert width == live.PIXEL_RATIO * shown and png[:4] == b"\x89PNG"
    assert live.widget.layout.align_items == "flex-start"  # not stretched to fit
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="total"):
            widgets.LiveLoss(total=bad)
    with pytest.raises(ValueError, match="ylim"):
        widgets.LiveLoss(total=10, ylim=(1, 0))


def test_gru_gate_explorer_extremes():
    e = widgets.gru_gate_explorer(z=1.0, r=0.0, pattern="pulses +1, -1, +1")
    np.testing.assert_array_equal(e.h_line.get_ydata(), 0)  # z = 1 keeps h = 0
    e.set(z=0.0)
    x = widgets.gate_inputs("pulses +1, -1, +1")
    np.testing.assert_allclose(e.h_line.get_ydata(), np.tanh(2 * x))  # h = n
    np.testing.assert_allclose(e.n_line.get_ydata(), np.tanh(2 * x))


def test_coupled_lstm_equals_gru_when_the_candidate_ignores_the_state():
    e = widgets.coupled_explorer(w=0.0, pattern="noise")
    c, h_lstm, h_gru = (line.get_ydata() for line in e.lines.values())
    np.testing.assert_allclose(c, h_gru, atol=1e-15)
    np.testing.assert_allclose(h_lstm, np.tanh(c))
    assert "identical" in e.status.get_text()
    e.set(w=1.5)
    c, _, h_gru = (line.get_ydata() for line in e.lines.values())
    assert np.abs(c - h_gru).max() > 0.01


def test_results_explorer_draws_the_stored_runs():
    from utils import data, training

    e = widgets.results_explorer(experiment="copy, T = 30", lr="0.001")
    runs = data.load_comparison()["runs"]
    np.testing.assert_allclose(
        e.lines["gru", 1].get_ydata(),
        np.maximum(runs["copy", 30, "gru", 0.001, 1]["eval"], 1e-12),
    )
    assert e.base.get_ydata()[0] == pytest.approx(training.baseline("copy", 30))
    e.set(curve="training loss")
    assert len(e.lines["rnn", 0].get_ydata()) == len(
        runs["copy", 30, "rnn", 0.001, 0]["train"]
    )


def test_results_explorer_keeps_one_background_per_task():
    e = widgets.results_explorer()
    first = e._background
    e.set(experiment="copy, T = 10")
    assert e.ax.get_yscale() == "linear" and e._background is not first
    e.set(experiment="adding, T = 100")
    assert e.ax.get_yscale() == "log" and e._background is first


@pytest.mark.parametrize("name", list(widgets.EXPLORERS))
def test_every_control_moves_the_figure_at_the_defaults(name):
    """A student who moves any one control first sees the figure respond."""
    for key in widgets.EXPLORERS[name]().controls:
        e = widgets.EXPLORERS[name]()
        control, before = e.controls[key], e.image.value
        if hasattr(control, "options"):
            e.set(**{key: next(o for o in control.options if o != control.value)})
        elif isinstance(control.value, str):  # a text box
            e.set(**{key: control.value + "e"})
        else:
            span = control.max - control.min
            up = control.value + 0.2 * span
            target = up if up <= control.max else control.value - 0.2 * span
            e.set(**{key: type(control.value)(target)})
        assert e.image.value != before, f"{name}: moving {key} changed nothing"


def test_sampler_explorer_temperature_sharpens_and_prime_is_cleaned():
    e = widgets.EXPLORERS["sampler"](temperature=0.1)
    cold = e.heights.max()
    e.set(temperature=2.0)
    hot = e.heights.max()
    assert cold > hot and cold > 0.5
    total = e.heights.sum()
    assert total == pytest.approx(1, abs=1e-4)
    e.set(prime="ROMEO:\\n{}")  # typed \n is a newline; unknown characters dropped
    assert e.sample_text.get_text().startswith("ROMEO:\n")
    e.set(prime="")  # nothing usable: starts from a newline
    assert "entropy" in e.status.get_text()


def test_text_activation_explorer_colours_the_chosen_unit():
    e = widgets.EXPLORERS["text_activation"]()
    corr = e.line_corr
    assert e.controls["unit"].value == int(np.abs(corr).argmax())
    assert abs(corr[e.controls["unit"].value]) > 0.5  # a unit that tracks lines
    first = np.array(e.grid.get_array(), dtype=float)
    e.set(quantity="forget gate")
    gates = np.array(e.grid.get_array(), dtype=float)
    assert not np.allclose(first, gates, equal_nan=True)
    assert np.nanmin(gates) >= -1 and np.nanmax(gates) <= 1


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")),
    ids=lambda p: p.stem,
)
def test_each_notebooks_explorers_live_in_its_module(path):
    """One hop: an explorer a notebook shows is defined in utils/widgets/nbNN_*.py."""
    code = "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.source
    )
    for name in set(re.findall(r"utils\.widgets\.(\w+)\(", code)) - {"LiveLoss"}:
        module = getattr(widgets, name).__module__
        assert module == f"utils.widgets.nb{path.stem}", (path.name, name, module)


def test_widget_modules_share_only_public_names():
    for path in sorted((ROOT / "utils" / "widgets").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private}"


def test_text_activation_explorer_title_names_what_it_draws():
    """The first quantity is tanh(c), not c: the title says so."""
    from utils import charlm

    e = widgets.EXPLORERS["text_activation"]()
    e.set(quantity=e.QUANTITIES[0], unit=3)
    drawn = np.array(e.grid.get_array(), dtype=float)
    t, row, col = e.cells_at[0]
    c = charlm.activations(e.model, e.text)["c"]
    assert drawn[row, col] == pytest.approx(np.tanh(c[t, 3]), abs=1e-6)
    assert "tanh" in e.status.get_text()


def test_ablation_explorer_title_names_a_diverged_run():
    e = widgets.EXPLORERS["ablation"]()
    e.set(variant="NOAF")
    assert "NOAF seed 1 diverged" in e.status.get_text()
    e.set(variant="NFG")
    assert "no NFG run diverged" in e.status.get_text()
    assert e.status.get_text().count("\n") == 2  # the layout is fixed at the first draw


def test_jacobian_explorer_draws_the_products_of_step_jacobians():
    """The lines are the spectral norms of the Jacobian products the cells give;
    moving a slider changes the figure's data; with the gates shut open (z = 1, the
    update bias far up) the GRU's state keeps everything: J = I at every step."""
    from utils import gradients

    e = widgets.jacobian_explorer(b_z=0.0, b_f=0.0, T=40)
    lags, gru = e.lines["gru_h"].get_data()
    assert list(lags) == list(range(41)) and gru[0] == pytest.approx(1.0)
    params, x = widgets.nb06_lstm_vs_gru.jacobian_cells()
    P, gates = gradients.jacobian_products("gru", x[:40], params["gru"])
    np.testing.assert_allclose(gru[10], np.linalg.norm(P[30], 2), rtol=1e-12)
    H = widgets.nb06_lstm_vs_gru.JACOBIAN_H
    z = gates[:, H : 2 * H]
    np.testing.assert_allclose(
        e.lines["gru_z"].get_ydata()[5], np.prod(z[-5:], axis=0).max(), rtol=1e-12
    )
    first_image, before = e.image.value, e.lines["lstm_c"].get_ydata().copy()
    e.set(b_f=4.0)
    after = e.lines["lstm_c"].get_ydata()
    assert e.image.value != first_image and after[30] > 100 * before[30]
    np.testing.assert_array_equal(e.lines["gru_h"].get_ydata(), gru)  # GRU untouched
    e.set(b_z=6.0, T=200)
    assert len(e.lines["gru_h"].get_xdata()) == 201
    open_gru = widgets.jacobian_paths(b_z=60.0, T=20)["gru_h"]
    np.testing.assert_allclose(open_gru, 1.0, rtol=1e-12)
    assert "50 steps back" in e.status.get_text()
    with pytest.raises(ValueError, match="T must be from 1 to 200"):
        widgets.jacobian_paths(T=500)


def test_bidirectional_explorer_shows_what_each_direction_reads():
    e = widgets.bidirectional_explorer(t=5, L=12, kind="gru", layers="1 layer")
    forward, reverse = e.forward_line.get_ydata(), e.reverse_line.get_ydata()
    assert np.flatnonzero(forward).tolist() == list(range(6))  # x_0 .. x_5
    assert np.flatnonzero(reverse).tolist() == list(range(5, 12))  # x_5 .. x_11
    # the influences are Jacobian norms: two of them against centred differences
    params = {k: v for k, v in e.params["gru"].items() if "_l1" not in k}
    H, eps = e.H, 1e-6

    def jacobian_norm(t, s, half):
        columns = []
        for j in range(e.D):
            x = e.x.copy()
            x[s, 0, j] += eps
            up = cells.multi_forward("gru", x, params, lengths=[12])[0]
            x[s, 0, j] -= 2 * eps
            down = cells.multi_forward("gru", x, params, lengths=[12])[0]
            columns.append((up - down)[t, 0, half * H : (half + 1) * H] / (2 * eps))
        return np.linalg.norm(columns)

    ratio = jacobian_norm(5, 2, 0) / jacobian_norm(5, 9, 1)
    assert forward[2] / reverse[9] == pytest.approx(ratio, rel=1e-6)
    e.set(layers="2 layers")  # each direction of layer 1 reads both of layer 0's
    forward, reverse = e.forward_line.get_ydata(), e.reverse_line.get_ydata()
    assert np.all(forward[:12] > 0) and np.all(reverse[:12] > 0)
    assert np.all(forward[12:] == 0) and np.all(reverse[12:] == 0)
    assert "see all 12" in e.status.get_text()
    e.set(t=13)  # padding: out is 0 there and nothing reaches it
    assert not e.forward_line.get_ydata().any() and not e.reverse_line.get_ydata().any()
    assert "padding" in e.status.get_text()
    states = np.asarray(e.images[1].get_array()).reshape(e.H, e.T)
    assert np.all(states[:, 12:] == 0) and np.abs(states[:, :12]).max() > 0.1
    assert e.pads[0].get_x() == pytest.approx(11.5)


def test_decoding_explorer_steps_through_the_greedy_decoding():
    from utils.training import decoding, seq2seq
    from utils.widgets.nb10_sequence_to_sequence import OUTPUTS, P_MIN

    e = widgets.EXPLORERS["decoding"](source="6264819379", step=1, k=3)
    source = seq2seq.from_text("6264819379")
    tokens, logp, trace = decoding.greedy_decode(e.model, source, 11, trace=True)
    shown = np.ma.filled(e.state.get_array(), np.nan).reshape(-1, 13)
    assert np.isfinite(shown[:, 0]).all() and np.isnan(shown[:, 1:]).all()
    np.testing.assert_allclose(shown[:, 0], trace["h"][0, 0], rtol=1e-6)
    p = np.maximum(np.exp(trace["logp"][0, 0, OUTPUTS]), P_MIN)
    np.testing.assert_allclose(e.probabilities, p, rtol=1e-6)
    e.set(step=4)
    shown = np.ma.filled(e.state.get_array(), np.nan).reshape(-1, 13)
    assert np.isfinite(shown[:, :4]).all() and np.isnan(shown[:, 4:]).all()
    p = np.exp(trace["logp"][3, 0, OUTPUTS])
    np.testing.assert_allclose(e.probabilities, np.maximum(p, P_MIN), rtol=1e-6)
    assert OUTPUTS[int(np.argmax(e.probabilities))] == tokens[3, 0]  # greedy's pick
    assert "read '3'" in e.status.get_text()  # the third output, read back
    # the beam's bars and text follow the step and the width
    trace_beam = []
    decoding.beam_search(e.model, source, 3, 13, trace=trace_beam)
    live, ended = trace_beam[3]
    expected = [s for _, s in live] + [s for _, s in ended[:3]]
    np.testing.assert_allclose(e.scores[: len(expected)], expected, rtol=1e-6)
    assert (e.scores[len(expected) :] == 0).all()
    assert "after step 4" in e.text.value and "width 3" in e.text.value
    e.set(k=1)
    assert e.text.value.count(" live ") == 1
    # beyond the end of the output the last step stays on screen
    e.set(step=13)
    assert "ended at step 10" in e.status.get_text()  # 9 digits and EOS: one short
    assert "wrong" in e.text.value


def test_decoding_explorer_shows_its_text_below_the_figure():
    e = widgets.EXPLORERS["decoding"]()
    assert e.widget.children[-1] is e.text and e.image in e.widget.children
    before = e.text.value
    e.set(source="4711")
    assert e.text.value != before and "target 1174$" in e.text.value


def test_png_writer_frames_decode_to_the_pixels_as_bands_are_reused():
    import io

    from PIL import Image

    from utils.widgets.frames import PNGWriter

    rng = np.random.default_rng(0)
    write = PNGWriter()
    frame = np.full((50, 37, 4), 255, np.uint8)
    for step in range(4):  # a band changes, then none, then a new size
        if step == 1:
            frame[20:23, 5:9, :3] = rng.integers(0, 256, (3, 4, 3))
        if step == 3:
            frame = rng.integers(0, 256, (17, 9, 4), dtype=np.uint8)
        decoded = Image.open(io.BytesIO(write(frame)))
        assert decoded.mode == "RGB" and decoded.size == frame.shape[1::-1]
        assert np.array_equal(np.asarray(decoded), frame[..., :3])


def test_frame_canvas_draws_text_where_matplotlib_does():
    """Each line of plain text, drawn in one call, lands on matplotlib's own."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from utils.widgets.frames import FrameCanvas

    frames = []
    for canvas in (FigureCanvasAgg, FrameCanvas):
        fig = Figure(figsize=(4, 2), dpi=100)
        canvas(fig)
        fig.text(0.05, 0.8, "left: p(next) 0.23, entropy 3.1 bits", fontsize=9)
        fig.text(0.5, 0.5, "centred, two lines\nthe second", ha="center")
        fig.text(0.95, 0.1, "right, below", ha="right", va="bottom", color="C1")
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int))
    ink = [(255 - f).sum(axis=2) > 96 for f in frames]
    for axis in (0, 1):  # the rows and the columns with ink agree within a pixel
        a, b = (np.flatnonzero(i.any(axis=axis)) for i in ink)
        assert abs(a.min() - b.min()) <= 1 and abs(a.max() - b.max()) <= 1
        assert abs(len(a) - len(b)) <= 3
    assert np.abs(frames[0] - frames[1]).mean() < 2  # in grey levels of 255


def test_frame_canvas_falls_back_to_matplotlib_when_its_internals_differ(
    monkeypatch,
):
    """The fast text path uses private methods of Agg's renderer; should one be
    missing or fail (another matplotlib), text is drawn by matplotlib itself."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from utils.widgets.frames import FrameCanvas, TextLines

    def draw(canvas):
        fig = Figure(figsize=(3, 1), dpi=100)
        canvas(fig)
        fig.text(0.1, 0.5, "a status line, 0.23", fontsize=9)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()

    def differs(self, s, prop):
        raise AttributeError("'RendererAgg' object has no attribute '_prepare_font'")

    own = draw(FigureCanvasAgg)
    monkeypatch.setattr(TextLines, "line", differs)
    assert np.array_equal(draw(FrameCanvas), own)


def test_updates_run_on_one_blas_thread():
    from threadpoolctl import threadpool_info

    from utils.widgets.base import one_blas_thread

    with one_blas_thread():
        blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
        assert blas and all(i["num_threads"] == 1 for i in blas)


def test_sampler_explorer_shows_what_charlm_samples_from_the_prime():
    """The explorer keeps the distribution while the seed moves; the sample and the
    bars are charlm's."""
    from utils import charlm

    e = widgets.EXPLORERS["sampler"](temperature=0.7, seed=4)
    e.set(seed=5, temperature=1.3)
    prime = "HAMLET:\nThe "
    text = charlm.sample(e.model, prime, e.LENGTH, 1.3, 5)
    shown = e.sample_text.get_text().replace("\n", "")  # wrapped into lines
    assert len(shown) > 100 and text.replace("\n", "").startswith(shown)
    np.testing.assert_allclose(
        e.heights, charlm.next_char_probs(e.model, prime, 1.3), rtol=1e-6
    )


def test_results_explorer_renders_each_y_axis_once_as_it_is_built():
    e = widgets.results_explorer()
    assert sorted(e._backgrounds) == [("adding", None), ("copy", 10), ("copy", 30)]
    before = dict(e._backgrounds)
    for experiment in widgets.EXPERIMENTS:
        e.set(experiment=experiment)
    assert e._backgrounds == before  # no move rendered a background
