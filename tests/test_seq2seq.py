"""The encoder-decoder of notebook 10: shapes, validation, the gradient through the
decoder into the encoder, greedy decoding and beam search."""

import numpy as np
import pytest

from utils import data, gradients
from utils.training import decoding, seq2seq
from utils.training.seq2seq import BOS, EOS, V


def small_model(kind, H=4, seed=3):
    """A float64 model with weights larger than at initialisation, so that the
    gradient check sees every path."""
    model = seq2seq.init_model(kind, H, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    for part in ("encoder", "decoder"):
        for key, value in model[part].items():
            model[part][key] = 0.5 * rng.standard_normal(value.shape)
    model["w_out"] = rng.standard_normal(model["w_out"].shape)
    model["b_out"] = rng.standard_normal(V)
    return model


def stored():
    return seq2seq.load_model(data.verified_path("models/seq2seq_lstm.npz"))


def test_the_task_reverses_and_ends_with_eos():
    src, tgt = seq2seq.reversal_batch(5, 7, np.random.default_rng(0))
    assert src.shape == (5, 7) and tgt.shape == (6, 7)
    assert src.max() < 10 and (tgt[-1] == EOS).all()
    np.testing.assert_array_equal(tgt[:-1], src[::-1])
    sets = seq2seq.reversal_sets([3, 9], 4, seed=100)
    again = seq2seq.reversal_sets([9], 4, seed=100)
    np.testing.assert_array_equal(sets[9][0], again[9][0])  # one length's own draw
    assert seq2seq.to_text(tgt[:, 0]).endswith("$")
    np.testing.assert_array_equal(seq2seq.from_text("3141")[:, 0], [3, 1, 4, 1])
    assert seq2seq.to_text(np.array([BOS, 7, EOS])) == "^7$"


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: seq2seq.reversal_batch(0, 3, np.random.default_rng(0)), "length"),
        (lambda: seq2seq.reversal_batch(3, 0, np.random.default_rng(0)), "B must"),
        (lambda: seq2seq.init_model("rnn", 4, np.random.default_rng(0)), "kind"),
        (lambda: seq2seq.from_text("12a"), "string of digits"),
        (lambda: seq2seq.to_text(np.zeros((2, 2), int)), "1-D"),
        (lambda: seq2seq.check_tokens("src", np.zeros(3, int)), r"\(T, B\)"),
        (lambda: seq2seq.check_tokens("src", np.zeros((3, 2))), "integer"),
        (lambda: seq2seq.check_tokens("src", np.full((3, 2), V)), r"\[0, 12\)"),
        (lambda: seq2seq.check_tokens("src", np.zeros((0, 2), int)), "T, B >= 1"),
        (lambda: seq2seq.check_model({"kind": "gru"}), "model must be a dict"),
    ],
)
def test_bad_input_raises_a_value_error_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_model_functions_validate_their_arguments():
    model = small_model("gru")
    src, tgt = seq2seq.reversal_batch(3, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="same batch size"):
        seq2seq.loss_and_grads(model, src, tgt[:, :1])
    with pytest.raises(ValueError, match=r"tgt must be a 2-D"):
        seq2seq.loss_and_grads(model, src, tgt[:, 0])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        decoding.beam_search(model, src, 0, 5)
    with pytest.raises(ValueError, match="max_len"):
        decoding.greedy_decode(model, src, 0)
    with pytest.raises(ValueError, match="lengths must be a pair"):
        seq2seq.train(model, 3, lengths=(4, 2))
    with pytest.raises(ValueError, match="steps must be a positive"):
        seq2seq.train(model, 0)
    bad = dict(model, w_out=model["w_out"].T)
    with pytest.raises(ValueError, match=r"model\['w_out'\] must have shape \(12, 4\)"):
        seq2seq.teacher_forced_logits(bad, src, tgt)
    with pytest.raises(ValueError, match="same B"):
        decoding.matches(tgt, tgt[:, :1])


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_shapes_and_dtypes(kind):
    for dtype in (np.float32, np.float64):
        model = seq2seq.init_model(kind, 6, np.random.default_rng(0), dtype)
        src, tgt = seq2seq.reversal_batch(4, 3, np.random.default_rng(1))
        logits = seq2seq.teacher_forced_logits(model, src, tgt)
        assert logits.shape == (5, 3, V) and logits.dtype == dtype
        loss, grads = seq2seq.loss_and_grads(model, src, tgt)
        params = seq2seq.parameters(model)
        assert set(grads) == set(params)
        for key, value in params.items():
            assert grads[key].shape == value.shape and grads[key].dtype == dtype
        assert loss == pytest.approx(np.log(V), rel=0.2)  # near uniform at the start
        tokens, logp = decoding.greedy_decode(model, src, 7)
        assert tokens.shape == (7, 3) and logp.shape == (7, 3)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_gradient_check_through_decoder_and_encoder(kind):
    """Every parameter, the encoder's included (its only gradient arrives through
    the decoder's initial state), against centred differences in float64."""
    model = small_model(kind)
    src, tgt = seq2seq.reversal_batch(4, 3, np.random.default_rng(5))
    _, grads = seq2seq.loss_and_grads(model, src, tgt)
    for key, value in seq2seq.parameters(model).items():
        numeric = gradients.numerical_gradient(
            lambda: seq2seq.loss_and_grads(model, src, tgt)[0], value
        )
        assert gradients.rel_error(grads[key], numeric) < 1e-7, key
        assert np.abs(grads[key]).max() > 0, key  # every part learns


def test_teacher_forcing_reads_the_true_prefix():
    model = small_model("lstm")
    src, tgt = seq2seq.reversal_batch(3, 2, np.random.default_rng(6))
    dec_in = seq2seq.decoder_inputs(tgt)
    assert (dec_in[0] == BOS).all()
    np.testing.assert_array_equal(dec_in[1:], tgt[:-1])
    # the logits at t depend on the targets before t only
    changed = tgt.copy()
    changed[2] = (changed[2] + 1) % 10
    a = seq2seq.teacher_forced_logits(model, src, tgt)
    b = seq2seq.teacher_forced_logits(model, src, changed)
    np.testing.assert_array_equal(a[:3], b[:3])
    assert not np.allclose(a[3], b[3])


def reference_beam(model, column, k, max_len):
    """Beam search as the docstring says it, one prefix at a time."""
    state, _ = seq2seq.encode(model, column[:, None])
    step = decoding.decoder_step(model)
    live, finished = [((), 0.0, state)], []
    for _ in range(max_len):
        candidates = []
        for n, (prefix, score, st) in enumerate(live):
            new_state, logp = step(np.array([prefix[-1] if prefix else BOS]), st)
            for v in range(V):
                if np.isfinite(logp[0, v]):
                    candidates.append((score + logp[0, v], n, v, new_state))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        new = []
        for score, n, v, st in candidates:
            prefix = (*live[n][0], v)
            if v == EOS:
                finished.append((np.array(prefix), score))
            else:
                new.append((prefix, score, st))
                if len(new) == k:
                    break
        live = new
        finished.sort(key=lambda f: -f[1])
        if len(finished) >= k and (not live or live[0][1] <= finished[k - 1][1]):
            break
    best = [(t, s, True) for t, s in finished[:k]]
    return best + [(np.array(p), s, False) for p, s, _ in live[: k - len(best)]]


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_beam_search_is_the_search_it_describes(kind):
    model = small_model(kind, H=5)
    src, _ = seq2seq.reversal_batch(4, 6, np.random.default_rng(7))
    for k in (1, 2, 3, 5):
        found = decoding.beam_search(model, src, k, 6)
        for b in range(src.shape[1]):
            expected = reference_beam(model, src[:, b], k, 6)
            assert len(found[b]) == len(expected) == k
            for hyp, (tokens, score, done) in zip(found[b], expected, strict=True):
                np.testing.assert_array_equal(hyp.tokens, tokens)
                assert hyp.score == pytest.approx(score, abs=1e-9)
                assert hyp.finished == done


def test_beam_width_one_is_greedy_decoding():
    model, _ = stored()
    src, _ = seq2seq.reversal_batch(11, 50, np.random.default_rng(8))
    tokens, logp = decoding.greedy_decode(model, src, 15)
    lengths = decoding.output_lengths(tokens)
    for b, (hyp,) in enumerate(decoding.beam_search(model, src, 1, 15)):
        np.testing.assert_array_equal(hyp.tokens, tokens[: lengths[b], b])
        assert hyp.score == pytest.approx(logp[:, b].sum(), abs=1e-6)


def test_beam_search_returns_hypotheses_best_first():
    model, _ = stored()
    src, tgt = seq2seq.reversal_batch(10, 40, np.random.default_rng(9))
    greedy = decoding.greedy_decode(model, src, 14)[1].sum(axis=0)
    for b, hyps in enumerate(decoding.beam_search(model, src, 4, 14)):
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert len(hyps) == 4 and all(h.finished for h in hyps)
        assert all(h.tokens[-1] == EOS and EOS not in h.tokens[:-1] for h in hyps)
        assert hyps[0].score >= greedy[b] - 1e-4  # float32: never worse than greedy
        # the score is the model's log-probability of the hypothesis
        logp = decoding.sequence_logprob(
            model, src[:, b : b + 1], hyps[0].tokens[:, None]
        )
        assert logp[0] == pytest.approx(hyps[0].score, abs=1e-4)


def test_beam_search_without_an_end_fills_up_with_live_prefixes():
    model = small_model("gru")
    model["b_out"][EOS] = -50.0  # the model never ends
    src, _ = seq2seq.reversal_batch(3, 2, np.random.default_rng(10))
    trace = []
    hyps = decoding.beam_search(model, src, 3, 4, trace=trace)
    assert all(len(h) == 3 and not any(x.finished for x in h) for h in hyps)
    assert all(len(x.tokens) == 4 for x in hyps[0])
    assert len(trace) == 4 and all(len(live) == 3 for live, _ in trace)
    live, finished = trace[-1]
    assert [tuple(t) for t, _ in live] == [tuple(h.tokens) for h in hyps[0]]


def test_greedy_decoding_stops_at_eos_and_pads_with_it():
    model, _ = stored()
    src, tgt = seq2seq.reversal_batch(6, 20, np.random.default_rng(11))
    tokens, logp = decoding.greedy_decode(model, src, 12)
    lengths = decoding.output_lengths(tokens)
    for b in range(20):
        assert (tokens[lengths[b] - 1 :, b] == EOS).all()
        assert (logp[lengths[b] :, b] == 0).all()
    right = decoding.matches(tokens, tgt)
    assert right.mean() > 0.9  # a length the model was trained on
    np.testing.assert_allclose(
        decoding.sequence_logprob(model, src[:, right], tgt[:, right]),
        logp[:, right].sum(axis=0),
        atol=1e-4,
    )
    tokens, _, trace = decoding.greedy_decode(model, src, 12, trace=True)
    assert trace["h"].shape == (12, 20, 64) and trace["logp"].shape == (12, 20, V)
    assert np.isneginf(trace["logp"][..., BOS]).all()  # BOS is never an output


def test_matches_needs_the_whole_output_and_its_end():
    tgt = np.array([[3], [1], [EOS]])
    assert decoding.matches(np.array([[3], [1], [EOS], [EOS]]), tgt)[0]
    assert not decoding.matches(np.array([[3], [1], [4], [EOS]]), tgt)[0]
    assert not decoding.matches(np.array([[3], [1]]), tgt)[0]
    np.testing.assert_array_equal(
        decoding.output_lengths(np.array([[EOS, 3], [4, 2]])), [1, 2]
    )


def test_training_is_seeded_and_learns():
    def run():
        model = seq2seq.init_model("lstm", 16, np.random.default_rng(0), np.float32)
        return seq2seq.train(model, 30, lengths=(1, 3), batch=16, seed=4)

    first, second = run(), run()
    np.testing.assert_allclose(first, second, rtol=1e-5)  # not bit for bit
    assert first[-10:].mean() < first[:10].mean()


def test_progress_receives_every_step():
    seen = []

    class Progress:
        def update(self, step, loss):
            seen.append((step, loss))

    model = seq2seq.init_model("gru", 8, np.random.default_rng(0), np.float32)
    losses = seq2seq.train(model, 5, progress=Progress())
    assert [s for s, _ in seen] == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal([x for _, x in seen], losses)


def test_save_and_load_round_trip(tmp_path):
    model = small_model("gru")
    seq2seq.save_model(tmp_path / "m.npz", model, steps=3, note="x")
    loaded, meta = seq2seq.load_model(tmp_path / "m.npz")
    assert loaded["kind"] == "gru" and int(meta["steps"]) == 3
    for key, value in seq2seq.parameters(model).items():
        np.testing.assert_array_equal(seq2seq.parameters(loaded)[key], value)


def test_the_stored_model_reverses_the_training_lengths():
    model, meta = stored()
    assert model["kind"] == "lstm" and model["w_out"].dtype == np.float32
    assert meta["eval_accuracy"][-1] > 0.99
    assert len(meta["train_loss"]) == int(meta["steps"])


def test_loss_alone_is_the_loss_of_loss_and_grads():
    model = small_model("lstm")
    src, tgt = seq2seq.reversal_batch(5, 3, np.random.default_rng(12))
    assert seq2seq.loss(model, src, tgt) == pytest.approx(
        seq2seq.loss_and_grads(model, src, tgt)[0], rel=1e-12
    )


def test_the_exercise_checks_refuse_the_course_own_functions():
    """Exercise 10.2 cannot be answered with utils' beam search, nor 10.1 with the
    model's loss; the message says so."""
    from utils import check

    def beam_step(scores, log_probs, k, eos):
        decoding.beam_search(None, np.zeros((1, 1), int), k, 3)

    with pytest.raises(AssertionError, match="the course's reference"):
        check.beam_step(beam_step)

    def sequence_nll(logits, targets, lengths):
        return seq2seq.loss_and_grads(None, targets, targets)

    with pytest.raises(AssertionError, match="the course's reference"):
        check.sequence_nll(sequence_nll)
