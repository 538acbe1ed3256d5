"""Decoding an encoder-decoder without the true prefix: free-running greedy
decoding and beam search, and the log-probability of a given output.

Free-running, the decoder reads its own previous output instead of the true one.
Greedy decoding takes the likeliest token at every step. Beam search keeps the k
best prefixes by their summed log-probabilities; a prefix that ends with EOS is
set aside as finished, and the search stops once no live prefix can beat the k-th
best finished one (adding a token only lowers the sum). Notebook 10.
"""

from typing import NamedTuple

import numpy as np

from .. import cells
from .seq2seq import (
    BOS,
    EOS,
    V,
    check_model,
    check_tokens,
    encode,
    teacher_forced_logits,
)


class Hypothesis(NamedTuple):
    """One output of beam search: its tokens (ending with EOS if finished), the
    sum of their log-probabilities, and whether it ended with EOS."""

    tokens: np.ndarray
    score: float
    finished: bool


def decoder_step(model):
    """The decoder's step as a function step(tokens (B,), state) -> (state, logp),
    logp (B, V) the log-probabilities of the next token; BOS is never an output,
    so its log-probability is set to -inf after the softmax (the others keep the
    model's values). The step of the course's cells (gru_cell, lstm_cell) with
    the one-hot input term looked up as a row of W_ih^T.
    """
    check_model(model)
    p = model["decoder"]
    lookup = p["weight_ih_l0"].T + p["bias_ih_l0"]  # (V, kH): the term of token v
    W_hh, b_hh = p["weight_hh_l0"], p["bias_hh_l0"]
    w_out_T, b_out = model["w_out"].T, model["b_out"]
    lstm = model["kind"] == "lstm"
    W_hh_T = W_hh.T.copy()

    def step(tokens, state):
        if lstm:
            h, c, _ = cells.lstm_cell(
                lookup[tokens] + state[0] @ W_hh_T + b_hh, state[1]
            )
            state = (h, c)
        else:
            h, _ = cells.gru_cell(lookup[tokens], state, W_hh, b_hh, True)
            state = h
        logp = cells.log_softmax(h @ w_out_T + b_out)
        logp[:, BOS] = -np.inf
        return state, logp

    return step


def _check_max_len(max_len):
    if not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ValueError(f"max_len must be a positive integer, got {max_len!r}")
    return int(max_len)


def greedy_decode(model, src, max_len, trace=False):
    """Free-running greedy decoding of a batch.

    src (S, B) tokens, max_len: the most tokens to emit (EOS included)
    -> tokens (max_len, B), logp (max_len, B): the chosen tokens and their
    log-probabilities; after a sequence's EOS its tokens are EOS and its logp 0.
    With trace=True also {'h': (max_len, B, H) the decoder's state after reading
    each input, 'logp': (max_len, B, V) every next-token log-probability}.
    """
    max_len = _check_max_len(max_len)
    state, _ = encode(model, src)
    B = src.shape[1]
    step = decoder_step(model)
    tokens = np.full((max_len, B), EOS)
    logp = np.zeros((max_len, B))
    states, dists = [], []
    last, done = np.full(B, BOS), np.zeros(B, dtype=bool)
    for t in range(max_len):
        state, lp = step(last, state)
        last = lp.argmax(axis=1)
        tokens[t] = np.where(done, EOS, last)
        logp[t] = np.where(done, 0.0, lp[np.arange(B), last])
        if trace:
            states.append((state[0] if model["kind"] == "lstm" else state).copy())
            dists.append(lp)
        done |= last == EOS
        if done.all() and not trace:
            break
    if trace:
        return tokens, logp, {"h": np.stack(states), "logp": np.stack(dists)}
    return tokens, logp


def output_lengths(tokens):
    """The length of each decoded output up to and including its first EOS (the
    whole length when there is none): tokens (T, B) -> (B,) ints."""
    check_tokens("tokens", tokens)
    ended = tokens == EOS
    first = ended.argmax(axis=0)
    return np.where(ended.any(axis=0), first + 1, len(tokens))


def beam_search(model, src, k, max_len, trace=None):
    """Beam search of width k for each source string, all strings at once.

    src (S, B) tokens, k >= 1, max_len: the most tokens of an output (EOS included);
    trace: None, or a list that receives, for the first source string, one entry
    per step: (live, finished), each a list of (tokens, score), best first
    -> for each of the B strings a list of up to k Hypothesis, best first; when
    fewer than k have finished by max_len, the best live prefixes fill the list
    (finished=False).

    One step: every live prefix is extended by every token (BOS excluded) and
    scored by its summed log-probability; the candidates are taken best first, an
    EOS candidate into the finished set, any other into the new beam, until the
    beam holds k. A string is done once k have finished and its best live prefix
    scores no more than the k-th best finished one. With k = 1: greedy decoding.
    """
    check_model(model)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    k, max_len = int(k), _check_max_len(max_len)
    state, _ = encode(model, src)
    B = src.shape[1]
    step = decoder_step(model)
    state = _take(state, np.repeat(np.arange(B), k))  # k slots per string
    scores = np.full((B, k), -np.inf)
    scores[:, 0] = 0.0  # one live prefix, the empty one
    last = np.full((B, k), BOS)
    parents, tokens = [], []  # per step (B, k): each slot's parent slot and token
    finished = [[] for _ in range(B)]  # (score, step, parent slot), in found order
    done = np.zeros(B, dtype=bool)
    for t in range(max_len):
        state, logp = step(last.ravel(), state)
        cand = (scores.reshape(B * k, 1) + logp).reshape(B, k * V)
        cand[done] = -np.inf
        order = np.argsort(-cand, axis=1, kind="stable")  # best first
        best = np.take_along_axis(cand, order, axis=1)
        slot, token = order // V, order % V
        live = np.isfinite(best) & (token != EOS)
        count = np.cumsum(live, axis=1)
        keep = live & (count <= k)
        # EOS candidates ranked above the k-th kept one are finished
        cut = np.where(count[:, -1] >= k, (count >= k).argmax(axis=1), k * V)
        ends = np.isfinite(best) & (token == EOS) & (np.arange(k * V) < cut[:, None])
        for b, j in zip(*np.nonzero(ends), strict=True):
            finished[b].append((float(best[b, j]), t, int(slot[b, j])))
        kept = np.argsort(~keep, axis=1, kind="stable")[:, :k]  # kept ones, in order
        valid = np.take_along_axis(keep, kept, axis=1)
        scores = np.where(valid, np.take_along_axis(best, kept, axis=1), -np.inf)
        parents.append(np.take_along_axis(slot, kept, axis=1))
        tokens.append(np.take_along_axis(token, kept, axis=1))
        last = np.where(valid, tokens[-1], BOS)
        state = _take(state, (np.arange(B)[:, None] * k + parents[-1]).ravel())
        for b in np.nonzero(~done)[0]:
            finished[b].sort(key=lambda f: -f[0])  # stable: found order breaks ties
            if len(finished[b]) >= k and scores[b, 0] <= finished[b][k - 1][0]:
                done[b] = True
        if trace is not None:
            trace.append(_beam_at(0, t, scores, parents, tokens, finished[0], k))
        if done.all():
            break
    t = len(tokens) - 1
    results = []
    for b in range(B):
        live, ended = _beam_at(b, t, scores, parents, tokens, finished[b], k)
        hyps = [Hypothesis(p, s, True) for p, s in ended[:k]]
        hyps += [Hypothesis(p, s, False) for p, s in live[: k - len(hyps)]]
        results.append(hyps)
    return results


def _take(state, rows):
    return (state[0][rows], state[1][rows]) if isinstance(state, tuple) else state[rows]


def _prefix(b, t, j, parents, tokens):
    """The tokens of slot j of string b after step t, read back along the parents."""
    out = []
    for s in range(t, -1, -1):
        out.append(int(tokens[s][b, j]))
        j = int(parents[s][b, j])
    return out[::-1]


def _beam_at(b, t, scores, parents, tokens, finished, k):
    """(live, finished) of string b after step t: lists of (tokens, score)."""
    live = [
        (np.array(_prefix(b, t, j, parents, tokens)), float(scores[b, j]))
        for j in range(k)
        if np.isfinite(scores[b, j])
    ]
    ended = [
        (np.array([*_prefix(b, s - 1, j, parents, tokens), EOS]), score)
        if s > 0
        else (np.array([EOS]), score)
        for score, s, j in finished
    ]
    return live, ended


def sequence_logprob(model, src, out):
    """log p(out | src) = sum_t log p(out_t | out_<t, src), teacher-forced.

    src (S, B), out (T, B) tokens (each column the whole output, EOS last)
    -> (B,) summed log-probabilities.
    """
    logp = cells.log_softmax(teacher_forced_logits(model, src, out))
    return np.take_along_axis(logp, out[..., None], axis=-1)[..., 0].sum(axis=0)


def matches(tokens, tgt):
    """Whether each decoded output is exactly its target: tokens (T', B) as
    greedy_decode returns them, tgt (T, B) ending with EOS -> (B,) bools; the output
    up to its first EOS must equal the target, EOS included."""
    check_tokens("tokens", tokens)
    check_tokens("tgt", tgt)
    if tokens.shape[1] != tgt.shape[1]:
        raise ValueError(
            f"tokens (T', B) and tgt (T, B) must have the same B, got shapes "
            f"{tokens.shape} and {tgt.shape}"
        )
    T = len(tgt)
    if len(tokens) < T:
        return np.zeros(tgt.shape[1], dtype=bool)
    return (tokens[:T] == tgt).all(axis=0) & (output_lengths(tokens) == T)
