"""The stored training runs of notebooks 06, 07, 08 and 10 reproduce on any build.

On the build that made a file (recorded in it) a rerun must give its numbers bit for
bit; on another build (another BLAS kernel) within a measured tolerance, which is
still far smaller than the difference a real change makes (another seed).
"""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from utils import data, reproduce

ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(ROOT / "scripts"))
import ablation  # noqa: E402
import compare_models  # noqa: E402

# Two OpenBLAS kernels every x86-64 CPU with AVX2 runs: the one the stored files
# were made with and an older one whose matrix products round differently.
KERNELS = ("Haswell", "Sandybridge")
# One run of each script, the longest first: two run at a time and finish together.
RUNS = [
    ("counting.py", "lstm/3"),
    ("ablation.py", "CIFG/0"),
    ("train_charlm.py", "100"),
    ("compare_models.py", "adding/30/rnn/0.01/0"),
    ("train_seq2seq.py", "500"),
]


def curves(run):
    return [run["train"], run["eval"]]


def test_build_names_numpy_blas_and_platform():
    b = reproduce.build()
    assert set(b) == set(reproduce.BUILD_KEYS)
    assert b["numpy"].startswith(np.__version__)
    assert platform.machine() in b["platform"]
    meta = {k.split("/")[1]: v.item() for k, v in reproduce.build_meta().items()}
    assert reproduce.stored_build(meta) == b
    assert reproduce.stored_build({"steps": 3}) is None


def test_verdict_demands_bits_on_the_same_build_and_tolerance_elsewhere():
    stored = [np.linspace(1.0, 0.001, 40), np.array([2.0, 1.5, 1.0])]
    rounding = [stored[0] * (1 + 1e-9), stored[1]]
    amplified = [stored[0] * (1 + 0.05 * np.cos(np.arange(40) * 3)), stored[1]]
    changed = [stored[0] * 1.5, stored[1]]
    same = {f"build_{k}": v for k, v in reproduce.build().items()}
    other = {**same, "build_blas": "openblas 0.3.0 Prescott"}
    ok, dev, text = reproduce.verdict(stored, stored, same, 0.1, 0.01)
    assert ok and dev == 0 and "bit for bit, same build" in text
    ok, dev, text = reproduce.verdict(stored, rounding, same, 0.1, 0.01)
    assert not ok and "must be identical bit for bit" in text
    ok, dev, text = reproduce.verdict(stored, stored, other, 0.1, 0.01)
    assert ok and "bit for bit" in text and "Prescott stored" in text
    ok, dev, text = reproduce.verdict(stored, rounding, other, 0.1, 0.01)
    assert ok and "agrees to rounding" in text and dev <= reproduce.ROUNDING
    ok, dev, text = reproduce.verdict(stored, amplified, other, 0.1, 0.01)
    assert ok and "agrees in its course" in text and "amplifies rounding" in text
    assert dev < 0.05  # the means over fifths smooth the wiggle out
    ok, dev, text = reproduce.verdict(stored, changed, other, 0.1, 0.01)
    assert not ok and "DIFFERENT" in text and "more than the 0.1 allowed" in text
    ok, _, text = reproduce.verdict(stored, rounding, {}, 0.1, 0.01)
    assert ok and "records no build" in text
    # a run measured to be unstable is not comparable on another build ...
    ok, _, text = reproduce.verdict(stored, changed, other, 0.1, 0.01, "it diverges")
    assert ok and text.startswith("not comparable on another build: it diverges")
    # ... but on its own build it must still be identical
    ok, _, text = reproduce.verdict(stored, changed, same, 0.1, 0.01, "it diverges")
    assert not ok and "must be identical bit for bit" in text


def test_course_and_deviation():
    assert np.allclose(reproduce.course(np.arange(20.0)), np.arange(5) * 4 + 1.5)
    assert len(reproduce.course(np.ones(3))) == 3  # fewer points than fifths
    with pytest.raises(ValueError, match="1-D"):
        reproduce.course(np.ones((2, 3)))
    assert reproduce.deviation([np.array([100.0])], [np.array([101.0])], 0.01) == (
        pytest.approx(1 / 100.01)
    )
    # a solved task's loss near 0: 1e-4 against 2e-4 is a deviation of about 1e-2
    assert reproduce.deviation([np.array([1e-4])], [np.array([2e-4])], 0.01) == (
        pytest.approx(1e-4 / 0.0101)
    )
    assert reproduce.deviation([np.array([1.0])], [np.array([np.nan])], 0.01) == (
        np.inf
    )
    with pytest.raises(ValueError, match="shape"):
        reproduce.deviation([np.ones(3)], [np.ones(4)], 0.01)
    with pytest.raises(ValueError, match="scale"):
        reproduce.deviation([np.ones(3)], [np.ones(3)], 0)


def _scaled_run(factor):  # a stand-in training run, at module level for the pool
    return factor, np.linspace(1.0, 0.1, 8) * factor


def test_check_runs_prints_a_verdict_per_run_and_the_count(capsys):
    """The scripts' --check loop: the builds, a line per run with its note, the
    count; a run that does not reproduce makes the exit status 1."""
    same = {f"build_{k}": v for k, v in reproduce.build().items()}

    def compare(result):
        factor, curve = result
        return reproduce.Rerun(
            f"run/{factor}", [np.linspace(1.0, 0.1, 8)], [curve], 0.1, note="; noted"
        )

    status = reproduce.check_runs([1.0, 2.0], _scaled_run, compare, same, 0.1)
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[0].startswith("this build: ") and lines[1].startswith("stored by: ")
    assert lines[2] == (
        "run/1.0: identical to the stored run (bit for bit, same build); noted"
    )
    assert lines[3].startswith("run/2.0: DIFFERENT") and lines[3].endswith("; noted")
    assert lines[4:] == ["1 of 2 runs reproduce"]
    assert reproduce.check_runs([1.0], _scaled_run, compare, same, 0.1) == 0


def _course_deviation(a, b, scale):
    return reproduce.deviation(
        [reproduce.course(c) for c in curves(a)],
        [reproduce.course(c) for c in curves(b)],
        scale,
    )


def test_the_tolerance_still_tells_a_solved_run_from_an_unsolved_one():
    """Notebook 06 reads from each run whether it solved its task. Every pair of a
    run that did (held-out loss below a tenth of the baseline) and one that did not
    (above half of it), on the same task, is further apart in its course than the
    tolerance allows, whichever of the two is the stored one."""
    from utils import training

    stored = data.load_comparison()
    assert reproduce.stored_build(stored["meta"]) is not None
    runs, pairs = stored["runs"], 0
    for a, run_a in runs.items():
        base = training.baseline(*a[:2])
        for b, run_b in runs.items():
            solved, unsolved = run_a["eval"][-1], run_b["eval"][-1]
            if a[:2] != b[:2] or not (solved < 0.1 * base and unsolved > 0.5 * base):
                continue
            pairs += 1
            for x, y in ((run_a, run_b), (run_b, run_a)):
                dev = _course_deviation(x, y, base)
                assert dev > compare_models.TOLERANCE, (a, b, dev)
    assert pairs > 50


def test_the_tolerance_still_tells_the_ablations_variants_apart():
    """Notebook 08 compares variants by their held-out bits per character. Runs
    whose final held-out results differ by more than 0.1 bit are further apart in
    their course than the tolerance allows."""
    stored = data.load_ablation()
    assert reproduce.stored_build(stored["meta"]) is not None
    runs, pairs = stored["runs"], 0
    for a, run_a in runs.items():
        for b, run_b in runs.items():
            if abs(run_a["eval"][-1] - run_b["eval"][-1]) > 0.1:
                pairs += 1
                dev = _course_deviation(run_a, run_b, ablation.SCALE)
                assert dev > ablation.TOLERANCE, (a, b, dev)
    assert pairs > 100


def _blas_kernel(env):
    code = (
        "import numpy, threadpoolctl; print([i.get('architecture') for i in "
        "threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    return done.stdout.strip()


def _check(script, run, env):
    """Run one script's --check -> (exit status, its output)."""
    done = subprocess.run(
        [sys.executable, f"scripts/{script}", "--check", run],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def reruns():
    """Every check of RUNS, in this environment as it is (None) and under each of
    KERNELS, two subprocesses at a time -> {(kernel, script): (status, output)},
    and {kernel: the kernel threadpoolctl saw} under 'seen'. Where the environment
    as it is already runs one of KERNELS (this CPU's own choice, or
    OPENBLAS_CORETYPE set), its checks are that kernel's: the same library with
    the same kernel computes the same bits, so they are not run twice."""
    from concurrent.futures import ThreadPoolExecutor

    envs = {None: dict(os.environ, OPENBLAS_NUM_THREADS="1")}
    for kernel in KERNELS:
        envs[kernel] = dict(envs[None], OPENBLAS_CORETYPE=kernel)
    seen = {k: _blas_kernel(env) for k, env in envs.items()}
    same = [k for k in KERNELS if seen[k] == seen[None] == f"['{k}']"]
    jobs = {(k, s): (s, r, envs[k]) for s, r in RUNS for k in envs if k not in same}
    with ThreadPoolExecutor(2) as pool:
        futures = {key: pool.submit(_check, *job) for key, job in jobs.items()}
        results = {key: f.result() for key, f in futures.items()}
    results.update({(k, s): results[(None, s)] for k in same for s, _ in RUNS})
    results["seen"] = seen
    return results


VERDICTS = ("identical", "agrees", "not comparable", "DIFFERENT")
PASSED = ("identical", "agrees to rounding", "agrees in its course")


def _result_line(out, run):
    """The check's verdict line on run (its progress lines start with run too)."""
    lines = [
        x
        for x in out.splitlines()
        if (x.startswith(f"{run}: ") or x.startswith("the first"))
        and x.split(": ", 1)[1].startswith(VERDICTS)
    ]
    assert len(lines) == 1, out
    return lines[0]


@pytest.mark.parametrize("script,run", RUNS, ids=[s for s, _ in RUNS])
def test_stored_runs_reproduce_here(reruns, script, run):
    """Each script's --check passes in this environment as it is (whatever
    OPENBLAS_CORETYPE says); on the build that made the file, bit for bit."""
    status, out = reruns[(None, script)]
    assert status == 0, out
    lines = out.splitlines()
    here = next(x for x in lines if x.startswith("this build:")).split(": ", 1)[1]
    made = next(x for x in lines if x.startswith("stored by:")).split(": ", 1)[1]
    result = _result_line(out, run)
    if here == made.strip():
        assert "bit for bit, same build" in result, out
    else:
        assert result.split(": ", 1)[1].startswith(PASSED), out


@pytest.mark.parametrize("script,run", RUNS, ids=[s for s, _ in RUNS])
@pytest.mark.parametrize("kernel", KERNELS)
def test_stored_runs_reproduce_under_two_blas_kernels(reruns, kernel, script, run):
    """Each script's --check passes under both kernels, in subprocesses, and
    threadpoolctl confirms that OpenBLAS really ran the kernel asked for."""
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip(f"{kernel} is an x86-64 kernel; this is {platform.machine()}")
    seen = reruns["seen"][kernel]
    if seen == "[]":
        pytest.skip("numpy does not use OpenBLAS here; no kernel to choose")
    assert seen == f"['{kernel}']", f"OPENBLAS_CORETYPE={kernel} ran {seen}"
    status, out = reruns[(kernel, script)]
    assert status == 0, out
    assert "BLAS openblas" in out and f" {kernel}," in out, out
    assert _result_line(out, run).split(": ", 1)[1].startswith(PASSED), out


def test_the_two_kernels_round_differently(reruns):
    """The test means something only if the kernels differ: at least one of the
    reruns under the second kernel is not bit-identical to the stored run."""
    if reruns["seen"][KERNELS[1]] != f"['{KERNELS[1]}']":
        pytest.skip("OpenBLAS did not run the second kernel here")
    outputs = [reruns[(KERNELS[1], s)][1] for s, _ in RUNS]
    assert any("agrees" in out for out in outputs), outputs
