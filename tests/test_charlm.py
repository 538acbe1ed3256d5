"""The character-level language model: data handling, gradients, sampling."""

import numpy as np
import pytest

from utils import charlm, data
from utils.gradients import numerical_gradient, rel_error

TEXT = (
    "ROMEO:\nBut soft! what light\nthrough yonder window breaks?\n\nJULIET:\nAy me!\n"
)
CHARS = charlm.vocabulary(TEXT)


def test_vocabulary_encode_decode_one_hot():
    ids = charlm.encode(TEXT, CHARS)
    assert charlm.decode(ids, CHARS) == TEXT
    assert CHARS == "".join(sorted(set(TEXT)))
    x = charlm.one_hot(ids[:5], len(CHARS))
    assert x.shape == (5, len(CHARS)) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(-1), ids[:5])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        charlm.encode("Zounds", CHARS)
    with pytest.raises(ValueError, match="non-empty"):
        charlm.vocabulary("")
    with pytest.raises(ValueError, match="ids must lie"):
        charlm.one_hot(np.array([len(CHARS)]), len(CHARS))


def test_streams_and_windows_continue_each_stream():
    ids = np.arange(103)
    s = charlm.streams(ids, 4)
    assert s.shape == (25, 4)
    np.testing.assert_array_equal(s[:, 1], np.arange(25, 50))
    wins = list(charlm.windows(s, 6))
    assert len(wins) == 4
    for (x0, y0), (x1, _) in zip(wins, wins[1:], strict=False):
        np.testing.assert_array_equal(x1[0], x0[-1] + 1)  # the next window goes on
        np.testing.assert_array_equal(y0, x0 + 1)  # targets: the next character
    with pytest.raises(ValueError):
        charlm.streams(np.arange(5), 4)


@pytest.mark.parametrize("kind", charlm.KINDS)
def test_loss_gradients_float64(kind):
    rng = np.random.default_rng(0)
    model = charlm.init_model(kind, CHARS, 5, rng, dtype=np.float64)
    ids = charlm.encode(TEXT, CHARS)
    x, y = ids[:8].reshape(4, 2), ids[1:9].reshape(4, 2)
    state = charlm.zero_state(model, 2)
    loss, grads, _ = charlm.loss_and_grads(model, x, y, state)
    assert loss == pytest.approx(np.log(len(CHARS)), rel=0.1)  # near uniform at init
    for key, array in [*model["cell"].items(), ("w_out", model["w_out"])]:
        num = numerical_gradient(
            lambda: charlm.loss_and_grads(model, x, y, state)[0], array
        )
        assert rel_error(grads[key], num) < 1e-7, key


def test_bits_per_char_of_a_model_that_knows_nothing_is_log2_v():
    model = charlm.init_model("lstm", CHARS, 4, np.random.default_rng(0))
    model["w_out"][:] = 0  # every character equally likely
    ids = charlm.encode(TEXT * 4, CHARS)
    assert charlm.bits_per_char(model, ids, B=2, T=8) == pytest.approx(
        np.log2(len(CHARS)), rel=1e-6
    )


def test_softmax_temperature():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    p = charlm.softmax_temperature(logits, 1.0)
    np.testing.assert_allclose(p.sum(-1), 1)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    cold = charlm.softmax_temperature(logits, 0.01)
    np.testing.assert_allclose(cold[0], [0, 0, 1], atol=1e-12)
    hot = charlm.softmax_temperature(logits[:1], 1e6)
    np.testing.assert_allclose(hot, 1 / 3, atol=1e-5)
    for bad in (0, -1.0, np.nan):
        with pytest.raises(ValueError, match="temperature"):
            charlm.softmax_temperature(logits, bad)


def test_training_lowers_the_loss_and_sampling_is_seeded(tmp_path):
    model = charlm.init_model("gru", CHARS, 16, np.random.default_rng(1))
    ids = charlm.encode(TEXT * 20, CHARS)
    losses = charlm.train(model, ids, 60, T=16, B=4, lr=1e-2)
    assert losses[-10:].mean() < 0.7 * losses[:5].mean()
    text = charlm.sample(model, "ROMEO:\n", 40, temperature=0.5, seed=3)
    assert text.startswith("ROMEO:\n") and len(text) == 47
    assert set(text) <= set(CHARS)
    assert text == charlm.sample(model, "ROMEO:\n", 40, temperature=0.5, seed=3)
    p = charlm.next_char_probs(model, "ROMEO")
    assert p.shape == (len(CHARS),) and p.sum() == pytest.approx(1, abs=1e-5)
    charlm.save_model(tmp_path / "m.npz", model, note=3)
    again, meta = charlm.load_model(tmp_path / "m.npz")
    assert again["chars"] == CHARS and int(meta["note"]) == 3
    assert charlm.sample(again, "ROMEO:\n", 40, 0.5, seed=3) == text
    with pytest.raises(ValueError, match="prime"):
        charlm.sample(model, "", 5)
    with pytest.raises(ValueError, match="too short"):
        charlm.train(model, ids[:50], 5, T=16, B=4)


@pytest.mark.parametrize("kind", charlm.KINDS)
def test_activations_and_line_position(kind):
    model = charlm.init_model(kind, CHARS, 6, np.random.default_rng(2))
    acts = charlm.activations(model, TEXT)
    names = {"lstm": {"c", "input", "forget", "output", "candidate"}, "gru": set()}
    names["gru"] = {"reset", "update", "new"}
    assert set(acts) == names[kind] | {"h"}
    assert all(a.shape == (len(TEXT), 6) for a in acts.values())
    pos = charlm.line_position("ab\ncd\n\ne")
    np.testing.assert_array_equal(pos, [0, 1, 2, 0, 1, 2, 0, 0])
    states, signal = acts["h"], charlm.line_position(TEXT)
    np.testing.assert_allclose(
        charlm.correlations(states, signal),
        [np.corrcoef(col, signal)[0, 1] for col in states.T],
        rtol=1e-5,  # float32 states
    )


def test_init_model_validation():
    with pytest.raises(ValueError, match="'lstm' or 'gru'"):
        charlm.init_model("rnn", CHARS, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="init_model"):
        charlm.run({"kind": "transformer"}, np.zeros((2, 1), int))
    assert "load_text" in dir(data)


def test_ngram_baselines_count_and_smooth_by_hand():
    train, held = np.array([0, 1, 0, 1, 0]), np.array([0, 1, 1])
    # unigram, add-one: counts of train[1:] = {0: 2, 1: 2}, V = 3 -> p = 3/7, 3/7, 1/7
    p_uni = np.array([3 / 7, 3 / 7])  # held[1], held[2] are both 1
    assert charlm.ngram_bits_per_char(train, held, 3, 1) == pytest.approx(
        -np.log2(p_uni).mean()
    )
    # bigram: after 0, 1 came twice (of 2); after 1, 0 came twice (of 2)
    p_bi = np.array([(2 + 1) / (2 + 3), (0 + 1) / (2 + 3)])  # 0 -> 1, 1 -> 1
    assert charlm.ngram_bits_per_char(train, held, 3, 2) == pytest.approx(
        -np.log2(p_bi).mean()
    )
    # an unseen context gets the uniform distribution
    assert charlm.ngram_bits_per_char(train, np.array([2, 0]), 3, 2) == pytest.approx(
        np.log2(3)
    )
    # on its own training text, more context predicts better
    ids = charlm.encode(TEXT * 3, CHARS)
    bits = [charlm.ngram_bits_per_char(ids, ids, len(CHARS), n) for n in (1, 2, 3)]
    assert bits[0] > bits[1] > bits[2]
    assert bits[0] < np.log2(len(CHARS))


def test_ngram_validation_and_progress_in_bits():
    ids = np.array([0, 1, 2])
    with pytest.raises(ValueError, match="eval_ids"):
        charlm.ngram_bits_per_char(ids, np.array([0, 5]), 3, 1)
    with pytest.raises(ValueError, match="train_ids"):
        charlm.ngram_bits_per_char(ids[:, None], ids, 3, 1)
    with pytest.raises(ValueError, match="order"):
        charlm.ngram_bits_per_char(ids, ids, 3, 0)
    with pytest.raises(ValueError, match="alpha"):
        charlm.ngram_bits_per_char(ids, ids, 3, 1, alpha=0)

    class Recorder:
        def update(self, step, loss):
            self.seen = (step, loss)

    recorder = Recorder()
    charlm.InBits(recorder).update(3, np.log(2) * 2.5)
    assert recorder.seen == (3, pytest.approx(2.5))


def test_diverged_means_worse_than_knowing_nothing_at_the_end():
    V = 64  # log2 V = 6
    falling = np.linspace(6.5, 3, 100)
    assert not charlm.diverged(falling, V)
    assert charlm.diverged(np.r_[falling[:90], np.full(10, 90.0)], V)
    assert charlm.diverged(np.r_[falling[:95], np.full(5, np.nan)], V)
    assert not charlm.diverged(np.r_[np.full(10, 500.0), falling], V)  # recovered
    with pytest.raises(ValueError, match="train_bits"):
        charlm.diverged([], V)
    with pytest.raises(ValueError, match="tail"):
        charlm.diverged(falling, V, tail=0)
