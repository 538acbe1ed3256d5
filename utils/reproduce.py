"""Rerunning a stored training run, and what "reproduces" means on another machine.

A training run is seeded, so on one build of the numerical libraries it gives the
same bits every time. Another build rounds differently: another BLAS kernel (OpenBLAS
picks one per CPU: Haswell, SkylakeX, Zen, ...; MKL and Accelerate have their own),
another SIMD target of numpy's own loops, another C library. What a difference of
1e-16 becomes depends on the run (measured with scripts/kernel_drift.py; the numbers
are in data/README.md): about half of notebook 06's runs end within 1e-6 of the
stored curve on another kernel, while the others amplify rounding, as training on a
plateau does, and after a few hundred steps follow curves as different as another
seed's. So a rerun is judged in three ways, and the check says which one applied:

- on the build that made the stored file (recorded in it, see ``build``): identical,
  bit for bit;
- on another build, "to rounding": every point within ROUNDING (relative);
- on another build, a run that amplifies rounding, "in its course": the curves
  averaged over each fifth of the run within the tolerance the script sets from
  the same measurement.

Used by the ``--check`` of scripts/compare_models.py, counting.py and ablation.py
(through check_runs) and of train_charlm.py and train_seq2seq.py, for the stored runs
of notebooks 06, 07, 08 and 10.
"""

import platform
from multiprocessing import Pool
from typing import NamedTuple

import numpy as np

BUILD_KEYS = ("numpy", "blas", "platform")
ROUNDING = 1e-6  # a run that does not amplify rounding stays this close (relative)
WINDOWS = 5  # "in its course": the mean of each fifth of a curve


def _blas():
    """'openblas 0.3.31 Haswell' for the BLAS numpy calls, or 'unknown'."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - threadpoolctl is in requirements.txt
        return "unknown (threadpoolctl not installed)"
    for info in threadpool_info():
        if info.get("user_api") == "blas":
            parts = (info.get("internal_api"), info.get("version"))
            arch = info.get("architecture")
            return " ".join(str(p) for p in (*parts, arch) if p)
    return "unknown"


def _simd():
    """The widest SIMD target numpy's own loops dispatch to on this CPU."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # pragma: no cover - numpy < 2 (not supported)
        return "unknown"
    supported = [t for t in umath.__cpu_dispatch__ if umath.__cpu_features__.get(t)]
    return (
        supported[-1] if supported else "baseline " + "+".join(umath.__cpu_baseline__)
    )


def build():
    """What decides the rounding of a run on this machine -> {key: str}.

    numpy: numpy's version and the SIMD target of its elementwise loops; blas: the
    library, its version and the kernel it chose (OPENBLAS_CORETYPE changes it);
    platform: machine, operating system and C library (its libm rounds exp, tanh).
    """
    libc = " ".join(platform.libc_ver()).strip()
    return {
        "numpy": f"{np.__version__} (SIMD {_simd()})",
        "blas": _blas(),
        "platform": " ".join(
            p for p in (platform.machine(), platform.system(), libc) if p
        ),
    }


def build_meta():
    """build() as arrays for a stored file: {'meta/build_<key>': 0-d str array}."""
    return {f"meta/build_{k}": np.array(v) for k, v in build().items()}


def stored_build(meta):
    """The build recorded in a stored file's meta dict, or None if none is."""
    if not all(f"build_{k}" in meta for k in BUILD_KEYS):
        return None
    return {k: str(meta[f"build_{k}"]) for k in BUILD_KEYS}


def course(curve, windows=WINDOWS):
    """The means of a curve over `windows` consecutive parts of (nearly) equal
    length -> (min(windows, len(curve)),)."""
    curve = np.asarray(curve, np.float64)
    if curve.ndim != 1 or len(curve) == 0:
        raise ValueError(f"curve must be a non-empty 1-D array, got {curve.shape}")
    return np.array(
        [part.mean() for part in np.array_split(curve, windows) if len(part)]
    )


def deviation(stored, rerun, scale):
    """Largest |rerun - stored| / (|stored| + scale) over all points of all curves.

    stored, rerun: lists of arrays of the same shapes; scale (> 0): the size below
    which a difference is judged absolutely rather than relatively, so that a loss
    near 0 (a solved task) is not held to a relative bound.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    worst = 0.0
    for s, r in zip(stored, rerun, strict=True):
        s, r = np.asarray(s, np.float64), np.asarray(r, np.float64)
        if s.shape != r.shape:
            raise ValueError(f"a curve of shape {r.shape} against stored {s.shape}")
        if not np.isfinite(r).all() and not np.array_equal(
            np.isfinite(r), np.isfinite(s)
        ):
            return np.inf
        both = np.isfinite(s) & np.isfinite(r)
        if both.any():
            rel = np.abs(r[both] - s[both]) / (np.abs(s[both]) + scale)
            worst = max(worst, float(rel.max()))
    return worst


def verdict(stored, rerun, meta, tolerance, scale, unstable=None):
    """Compare a rerun with the stored run -> (passed, deviation, a sentence saying
    which test applied and how it came out).

    stored, rerun: lists of arrays (the curves, in the same order); meta: the
    stored file's meta dict (its build); tolerance: the largest deviation() of the
    curves' courses allowed on another build; scale: see deviation(); unstable:
    None, or why this run is known (measured) not to reproduce on another build
    at all, e.g. because its training diverges at a step that rounding decides:
    such a run is then reported as not comparable there, not as a failure.
    """
    here, made = build(), stored_build(meta)
    same_bits = all(
        np.array_equal(np.asarray(s), np.asarray(r))
        for s, r in zip(stored, rerun, strict=True)
    )
    point = 0.0 if same_bits else deviation(stored, rerun, scale)
    if made == here:
        if same_bits:
            return True, 0.0, "identical to the stored run (bit for bit, same build)"
        why = (
            "DIFFERENT from the stored run: this is the build that made it, where "
            f"it must be identical bit for bit, and it deviates by up to {point:.2e}"
        )
        return False, point, why
    differs = "the stored file records no build"
    if made is not None:
        differs = "; ".join(
            f"{k}: {here[k]} here, {made[k]} stored"
            for k in BUILD_KEYS
            if here[k] != made[k]
        )
    if same_bits:
        return True, 0.0, f"identical to the stored run (bit for bit; {differs})"
    if point <= ROUNDING:
        why = (
            f"agrees to rounding on another build: every point within {point:.1e} "
            f"(allowed {ROUNDING:g}; {differs})"
        )
        return True, point, why
    smooth = deviation([course(s) for s in stored], [course(r) for r in rerun], scale)
    fifths = f"the means over each fifth of it differ by {smooth:.2e}"
    if smooth <= tolerance:
        why = (
            "agrees in its course on another build: this run amplifies rounding "
            f"(its points differ by up to {point:.2g}) and {fifths}, within the "
            f"{tolerance:g} allowed ({differs})"
        )
        return True, smooth, why
    if unstable:
        why = f"not comparable on another build: {unstable} ({fifths}; {differs})"
        return True, smooth, why
    why = (
        f"DIFFERENT from the stored run: {fifths}, more than the {tolerance:g} "
        f"allowed for another build ({differs})"
    )
    return False, smooth, why


def describe(build_info=None):
    """One line naming a build, for the scripts' output."""
    b = build_info or build()
    return f"numpy {b['numpy']}, BLAS {b['blas']}, {b['platform']}"


def builds_header(meta):
    """The two lines every --check opens with: this build, and the stored file's
    (from its meta dict)."""
    made = stored_build(meta)
    return (
        f"this build: {describe()}\n"
        f"stored by:  {describe(made) if made else 'no build recorded'}"
    )


class Rerun(NamedTuple):
    """A rerun set beside its stored run, for check_runs: the run's name, the stored
    and the rerun curves (lists of arrays, as verdict takes them), verdict's scale
    and unstable, and a note printed after the verdict."""

    name: str
    stored: list
    rerun: list
    scale: float
    unstable: str | None = None
    note: str = ""


def add_check_option(parser, example):
    """The --check KEY ... option of the scripts whose runs check_runs reruns;
    example: one run's key, e.g. 'lstm/0'."""
    parser.add_argument(
        "--check",
        metavar="KEY",
        nargs="+",
        help=f"rerun stored runs and compare, e.g. {example}, or 'all'",
    )


def check_runs(configs, run, compare, meta, tolerance):
    """Rerun stored runs and print a verdict on each -> exit status 0 when every one
    reproduces (the --check of scripts/compare_models.py, counting.py, ablation.py).

    configs: the runs to redo, each handed to run(config) in a pool of at most two
    processes (run must be a module-level function); compare(run's result) -> a
    Rerun; meta: the stored file's meta dict; tolerance: see verdict(). Prints the
    builds, a line "name: verdict" per run as it finishes, and "N of M runs
    reproduce".
    """
    print(builds_header(meta))
    failed = 0
    with Pool(min(2, len(configs))) as pool:
        for result in pool.imap(run, configs):
            r = compare(result)
            ok, _, sentence = verdict(
                r.stored, r.rerun, meta, tolerance, r.scale, unstable=r.unstable
            )
            failed += not ok
            print(f"{r.name}: {sentence}{r.note}", flush=True)
    print(f"{len(configs) - failed} of {len(configs)} runs reproduce")
    return 1 if failed else 0
