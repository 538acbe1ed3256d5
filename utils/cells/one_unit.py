"""The one-unit RNN  h_t = tanh(w_hh h_{t-1} + w_ih x_t + b), with scalar weights:
its run, its fixed points and their stability, and a sentence naming its regime.

Derived in notebooks/01_vanilla_rnn.ipynb.
"""

import numpy as np


def one_unit_rnn(w_hh, w_ih, b, x, h0=0.0):
    """Run a one-unit tanh RNN with scalar weights.

    x: (T,) inputs -> h: (T,), h[t] the state after input x[t].
    Derived in notebooks/01_vanilla_rnn.ipynb.
    """
    for name, v in (("w_hh", w_hh), ("w_ih", w_ih), ("b", b), ("h0", h0)):
        if not np.isscalar(v) or not np.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.isfinite(x).all():
        raise ValueError(f"x must be a finite 1-d sequence (T,), got shape {x.shape}")
    h, hs = float(h0), np.empty(len(x))
    for t, x_t in enumerate(x):
        h = np.tanh(w_hh * h + w_ih * x_t + b)
        hs[t] = h
    return hs


def fixed_points(w_hh, b):
    """Fixed points h* = tanh(w_hh h* + b) of the input-free one-unit RNN.

    -> list of (h*, slope) with slope = w_hh (1 - h*^2), the derivative of the map
    at h*: the point is stable when |slope| < 1. Found by bisection on a grid.
    """

    def g(h):
        return np.tanh(w_hh * h + b) - h

    grid = np.linspace(-1, 1, 2001)
    vals = g(grid)
    points = []
    for lo, hi, v_lo, v_hi in zip(
        grid[:-1], grid[1:], vals[:-1], vals[1:], strict=True
    ):
        if v_lo == 0 or v_lo * v_hi < 0:
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if np.sign(g(mid)) == np.sign(g(lo)):
                    lo = mid
                else:
                    hi = mid
            h_star = 0.5 * (lo + hi)
            points.append((h_star, w_hh * (1 - h_star**2)))
    return points


def regime(w_hh, b):
    """A one-line description of the input-free one-unit RNN's long-run behaviour."""
    points = fixed_points(w_hh, b)
    stable = [(h, s) for h, s in points if abs(s) < 1]
    if len(stable) >= 2:
        lo, hi = min(h for h, _ in stable), max(h for h, _ in stable)
        return (
            f"saturation with memory: two stable states {lo:+.2f} and {hi:+.2f}; "
            "a pulse picks one"
        )
    if not stable:
        h, s = points[0]
        return f"oscillation: h flips sign every step around {h:+.2f} (slope {s:.2f})"
    h, s = stable[0]
    if abs(h) > 0.9:
        return (
            f"saturation: h is pinned near {h:+.2f} whatever comes in (slope {s:.2f})"
        )
    if s < 0:
        return f"decay with alternating sign: inputs fade, h returns to {h:+.2f}"
    return f"decay: inputs fade, h returns to {h:+.2f} (slope {s:.2f})"
