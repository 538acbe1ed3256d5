"""Write the PyTorch reference fixtures in data/fixtures/ and their checksums.

Development only: needs torch==2.13.0 (pip install -r requirements-dev.txt).
Run from the repository root:

    python scripts/make_fixtures.py

For each cell, a single-layer PyTorch module in float64 with a fixed seed runs a
random sequence; the loss sum(out * dout) + sum(h_n * dh_n) (+ sum(c_n * dc_n))
is backpropagated, and inputs, parameters, outputs and all gradients are saved.
nn.GRU only has the reset-after form, so the Cho et al. (2014) form is computed
by torch autograd on an explicit loop over the same parameters; the same loop in
the reset-after form is first checked against nn.GRU.

The multi-layer fixtures (notebook 09) do the same for nn.RNN, nn.LSTM and nn.GRU
with num_layers=2, bidirectional=True: <kind>_multi on a full batch, and
<kind>_packed on a padded batch of sequences of different lengths, run through
pack_padded_sequence and padded again with pad_packed_sequence(total_length=T).

Name fixtures to write only those (the others keep their bytes):

    python scripts/make_fixtures.py rnn_multi lstm_multi gru_multi
"""

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from utils import data  # noqa: E402

OUT = ROOT / "data" / "fixtures"
T, B, D, H = 5, 3, 4, 6  # D != H so that a transposed weight cannot pass
SEED = 2013
LAYERS, LENGTHS = 2, (3, 5, 1)  # the packed batch: unsorted, one full, one of 1
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def gru_loop(x, h0, p, reset_after):
    """A GRU written out step by step with torch ops, differentiable by autograd."""
    W_ir, W_iz, W_in = p["weight_ih_l0"].chunk(3)
    W_hr, W_hz, W_hn = p["weight_hh_l0"].chunk(3)
    b_ir, b_iz, b_in = p["bias_ih_l0"].chunk(3)
    b_hr, b_hz, b_hn = p["bias_hh_l0"].chunk(3)
    h, outs = h0, []
    for x_t in x:
        r = torch.sigmoid(x_t @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = torch.sigmoid(x_t @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        if reset_after:
            n = torch.tanh(x_t @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
        else:
            n = torch.tanh(x_t @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return torch.stack(outs), h


def make(kind, reset_after=True):
    torch.manual_seed(SEED)
    module = MODULES[kind](D, H, dtype=torch.float64)
    params = dict(module.named_parameters())
    g = torch.Generator().manual_seed(SEED + 1)

    def randn(*shape, grad=False):
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=grad)

    x, h0 = randn(T, B, D, grad=True), randn(1, B, H, grad=True)
    c0 = randn(1, B, H, grad=True) if kind == "lstm" else None
    dout, dh_n = randn(T, B, H), randn(1, B, H)
    dc_n = randn(1, B, H) if kind == "lstm" else None

    if kind == "lstm":
        out, (h_n, c_n) = module(x, (h0, c0))
    elif kind == "gru" and not reset_after:
        ref_out, _ = module(x, h0)
        check_out, _ = gru_loop(x, h0[0], params, reset_after=True)
        assert torch.allclose(ref_out, check_out, rtol=0, atol=1e-12), "loop != nn.GRU"
        out, h_last = gru_loop(x, h0[0], params, reset_after=False)
        h_n, c_n = h_last[None], None
    else:
        out, h_n = module(x, h0)
        c_n = None
    loss = (out * dout).sum() + (h_n * dh_n).sum()
    if c_n is not None:
        loss = loss + (c_n * dc_n).sum()
    loss.backward()

    arrays = {
        "x": x,
        "h0": h0[0],
        "dout": dout,
        "dh_n": dh_n[0],
        "out": out,
        "h_n": h_n[0],
        "dx": x.grad,
        "dh0": h0.grad[0],
    }
    if kind == "lstm":
        arrays.update(c0=c0[0], dc_n=dc_n[0], c_n=c_n[0], dc0=c0.grad[0])
    for name, p in params.items():
        arrays[f"param.{name}"] = p
        arrays[f"grad.{name}"] = p.grad
    arrays = {k: v.detach().numpy().copy() for k, v in arrays.items()}
    arrays["meta.torch_version"] = np.array(torch.__version__)
    arrays["meta.reset_after"] = np.array(reset_after)
    return arrays


def make_multi(kind, packed):
    """nn.RNN / nn.LSTM / nn.GRU with two layers, both directions, in float64; with
    packed, over a padded batch of LENGTHS through pack_padded_sequence."""
    torch.manual_seed(SEED)
    module = MODULES[kind](
        D, H, num_layers=LAYERS, bidirectional=True, dtype=torch.float64
    )
    params = dict(module.named_parameters())
    g = torch.Generator().manual_seed(SEED + 2)

    def randn(*shape, grad=False):
        return torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=grad)

    n = 2 * LAYERS
    x, h0 = randn(T, B, D, grad=True), randn(n, B, H, grad=True)
    c0 = randn(n, B, H, grad=True) if kind == "lstm" else None
    dout, dh_n = randn(T, B, 2 * H), randn(n, B, H)
    dc_n = randn(n, B, H) if kind == "lstm" else None
    state = (h0, c0) if kind == "lstm" else h0
    rnn = torch.nn.utils.rnn
    if packed:
        seq = rnn.pack_padded_sequence(x, torch.tensor(LENGTHS), enforce_sorted=False)
        out, last = module(seq, state)
        out, _ = rnn.pad_packed_sequence(out, total_length=T)
    else:
        out, last = module(x, state)
    h_n, c_n = last if kind == "lstm" else (last, None)
    loss = (out * dout).sum() + (h_n * dh_n).sum()
    if c_n is not None:
        loss = loss + (c_n * dc_n).sum()
    loss.backward()
    arrays = {"x": x, "h0": h0, "dout": dout, "dh_n": dh_n, "out": out, "h_n": h_n}
    arrays.update(dx=x.grad, dh0=h0.grad)
    if kind == "lstm":
        arrays.update(c0=c0, dc_n=dc_n, c_n=c_n, dc0=c0.grad)
    for name, p in params.items():
        arrays[f"param.{name}"] = p
        arrays[f"grad.{name}"] = p.grad
    arrays = {k: v.detach().numpy().copy() for k, v in arrays.items()}
    if packed:
        arrays["lengths"] = np.array(LENGTHS, dtype=np.int64)
    arrays["meta.torch_version"] = np.array(torch.__version__)
    arrays["meta.reset_after"] = np.array(True)
    arrays["meta.num_layers"] = np.array(LAYERS)
    arrays["meta.bidirectional"] = np.array(True)
    return arrays


JOBS = {
    "rnn": lambda: make("rnn"),
    "lstm": lambda: make("lstm"),
    "gru_reset_after": lambda: make("gru", True),
    "gru_reset_before": lambda: make("gru", False),
    **{
        f"{kind}_{how}": (lambda kind=kind, how=how: make_multi(kind, how == "packed"))
        for how in ("multi", "packed")
        for kind in ("rnn", "lstm", "gru")
    },
}


def main(names):
    if not torch.__version__.startswith("2.13.0"):
        sys.exit(f"expected torch 2.13.0, found {torch.__version__}")
    unknown = set(names) - set(JOBS)
    if unknown:
        sys.exit(f"unknown fixtures {sorted(unknown)}; choose from {list(JOBS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or JOBS:
        path = OUT / f"{name}.npz"
        np.savez(path, **JOBS[name]())
        (digest,) = data.record_checksums(f"fixtures/{name}.npz").values()
        print(f"wrote {path.relative_to(ROOT)}  sha256 {digest[:16]}...")
    print("updated data/SHA256SUMS")


if __name__ == "__main__":
    main(sys.argv[1:])
