"""Optimisation: global-norm gradient clipping and Adam, on dicts of arrays.

Clipping is derived in notebooks/02_backprop_through_time.ipynb.
"""

import numpy as np


def clip_grad_norm(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is <= max_norm.

    grads: {name: array} -> (clipped {name: array}, norm before clipping). The
    direction of the whole gradient is kept. Derived in
    notebooks/02_backprop_through_time.ipynb.
    """
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    norm = float(
        np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values()))
    )
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: g * np.asarray(scale, dtype=g.dtype) for k, g in grads.items()}, norm


class Adam:
    """Adam (Kingma & Ba 2015) on a dict of numpy arrays, updated in place.

    params: {name: array}; step(grads) applies one update with bias correction.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        if lr <= 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        for k, p in self.params.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * grads[k]
            self.v[k] = b2 * self.v[k] + (1 - b2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - b1**self.t)
            v_hat = self.v[k] / (1 - b2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
