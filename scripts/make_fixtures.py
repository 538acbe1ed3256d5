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
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        D, H, dtype=torch.float64
    )
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


def main():
    if not torch.__version__.startswith("2.13.0"):
        sys.exit(f"expected torch 2.13.0, found {torch.__version__}")
    OUT.mkdir(parents=True, exist_ok=True)
    jobs = {
        "rnn": ("rnn", True),
        "lstm": ("lstm", True),
        "gru_reset_after": ("gru", True),
        "gru_reset_before": ("gru", False),
    }
    for name, (kind, reset_after) in jobs.items():
        path = OUT / f"{name}.npz"
        np.savez(path, **make(kind, reset_after))
        (digest,) = data.record_checksums(f"fixtures/{name}.npz").values()
        print(f"wrote {path.relative_to(ROOT)}  sha256 {digest[:16]}...")
    print("updated data/SHA256SUMS")


if __name__ == "__main__":
    main()
