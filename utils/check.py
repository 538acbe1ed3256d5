"""Exercise checks: ``check.<exercise>(your_function)``.

Each check runs your function on hidden cases made from fixed seeds (several shapes
with D != H and B > 1, float32 and float64), prints a short report and raises
``AssertionError`` with a hint when something is wrong. A function that still
raises the ``NotImplementedError`` of its stub is reported as not attempted yet
(``NotAttempted``), never as a crash of the check.
"""

import functools
import inspect
import itertools
import linecache
import os
import re
import signal
import sys
import sysconfig
import threading
import warnings

import numpy as np

from . import cells, charlm, mistakes


class NotAttempted(Exception):
    """Raised by a check whose exercise still holds its NotImplementedError stub."""


class CheckFailed(AssertionError):
    """Raised by a check when the student's function is wrong; carries the hint."""


class _Fail(Exception):
    """A failed check; its message becomes the student's AssertionError."""


_TOL = {np.dtype(np.float64): (1e-7, 1e-9), np.dtype(np.float32): (1e-4, 1e-5)}

# A student's function gets this many seconds per hidden case (they are tiny); past
# that it is stopped, so that an endless loop cannot hang the notebook.
TIME_LIMIT = 10.0


class _TookTooLong(BaseException):
    """Raised by the alarm; a BaseException, so a student's `except Exception`
    cannot swallow it."""


def _alarm(signum, frame):
    raise _TookTooLong


def _exercise(check):
    """Wrap a check: validate the argument, turn _Fail into a short AssertionError."""

    @functools.wraps(check)
    def wrapper(fn):
        __tracebackhide__ = True  # IPython and pytest hide this frame
        name = check.__name__
        if not callable(fn):
            raise AssertionError(
                f"check.{name} takes your function itself, as in "
                f"check.{name}({name}); got {type(fn).__name__}"
            )
        try:
            check(fn)
        except NotAttempted as e:
            raise NotAttempted(str(e)) from None
        except _Fail as e:
            raise CheckFailed(str(e)) from None

    return wrapper


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    """IPython handler: show a check's error without the checker's own frames."""
    node = tb
    while node is not None and node.tb_next is not None:
        if node.tb_next.tb_frame.f_code.co_filename == __file__:
            node.tb_next = None  # keep the student's cell, drop the checker
            break
        node = node.tb_next
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def _install_ipython_hook():
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and not shell.custom_exceptions:
        shell.set_custom_exc((NotAttempted, CheckFailed), _short_traceback)


_install_ipython_hook()


# ----------------------------------------------------------------------------------
# The student's own work: references are unavailable while their function runs
# ----------------------------------------------------------------------------------

# For each check, the references in utils (as "module.attribute") that compute the
# whole answer: the same-named one and any other. While the student's function runs
# they raise, wherever the student reaches them (utils.rnn_step, utils.cells.rnn_step,
# `from utils import rnn_step as ref`); the check's own computations run outside and
# are unaffected. Wrappers that look a reference up when called (charlm.run,
# training._forward, gradients.hidden_state_gradients) are covered by the entry of
# what they call. A check not listed has no reference to block. In `mistakes` a
# variant with every mistake left at its default is the correct answer, so it is
# blocked only when called so.
# Not blocked, on purpose: references that compute a part the exercise builds on
# (utils.sigmoid inside a cell, utils.rnn_forward in rnn_backward, which exercise
# 2.2 allows, charlm.correlations in line_position_cell).
_REFERENCES = {
    "stable_sigmoid": ("cells.sigmoid",),
    "rnn_step": ("cells.rnn_step", "cells.rnn_forward", "mistakes.rnn_variant"),
    "rnn_forward": ("cells.rnn_forward",),
    "lstm_step": (
        "cells.lstm_step",
        "cells.lstm_forward",
        "cells._lstm_cell",
        "variants.forward",
        "mistakes.lstm_variant",
    ),
    "gru_step": (
        "cells.gru_step",
        "cells.gru_forward",
        "cells._gru_cell",
        "mistakes.gru_variant",
    ),
    "rnn_step_backward": (
        "cells.rnn_backward",
        "cells._rnn_backward",
        "gradients.numerical_gradient",
        "mistakes.rnn_step_backward_variant",
    ),
    "rnn_backward": (
        "cells.rnn_backward",
        "cells._rnn_backward",
        "gradients.numerical_gradient",
        "mistakes.rnn_backward_variant",
    ),
    "clip_by_norm": ("training.clip_grad_norm", "mistakes.clip_variant"),
    "lstm_forward": ("cells.lstm_forward", "variants.forward"),
    "lstm_step_backward": (
        "cells.lstm_backward",
        "cells._lstm_backward",
        "variants.backward",
        "gradients.numerical_gradient",
        "mistakes.lstm_step_backward_variant",
    ),
    "gru_step_backward": (
        "cells.gru_backward",
        "gradients.numerical_gradient",
        "mistakes.gru_step_backward_variant",
    ),
    "param_count": ("cells.init_params",),
    "cifg_step": ("mistakes.cifg_variant",),
    "softmax_temperature": (
        "charlm.softmax_temperature",
        "charlm.log_softmax",
        "mistakes._softmax",
    ),
    "bits_per_char": (
        "charlm.bits_per_char",
        "charlm.log_softmax",
        "mistakes._log2_softmax_at",
    ),
    "line_position_cell": ("charlm.line_position",),
    "peephole_step": ("variants.forward", "mistakes.peephole_variant"),
}

# Arguments of a `mistakes` variant that choose a case, not a mistake.
_NEUTRAL = frozenset({"reset_after", "axis"})


class _UsedReference(BaseException):
    """Raised by a blocked reference; a BaseException, so that a student's
    `except Exception` cannot swallow it."""


def _utils_modules():
    return [
        m
        for key, m in list(sys.modules.items())
        if m is not None and (key == __package__ or key.startswith(__package__ + "."))
    ]


def _public_name(module, attr, obj):
    """How a student reaches a reference: utils.rnn_step rather than utils.cells.."""
    top = sys.modules.get(__package__)
    if top is not None and getattr(top, attr, None) is obj:
        return f"{__package__}.{attr}"
    return f"{__package__}.{module}.{attr}"


def _names_a_mistake(ref, args, kwargs):
    """Whether a call of a `mistakes` variant asks for a mistake (any argument that
    is not at its default), so that it does not compute the correct answer."""
    try:
        bound = inspect.signature(ref).bind(*args, **kwargs)
    except TypeError:
        return True  # let the variant raise its own error
    simple = (str, bool, int, float, type(None))
    for name, param in inspect.signature(ref).parameters.items():
        if name not in bound.arguments or name in _NEUTRAL:
            continue
        value, default = bound.arguments[name], param.default
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            if value:
                return True
        elif default is not inspect.Parameter.empty and value is not default:
            if not (isinstance(value, simple) and value == default):
                return True
    return False


def _stand_in(ref, public, used, mistake_ok):
    @functools.wraps(ref)
    def blocked(*args, **kwargs):
        if mistake_ok and _names_a_mistake(ref, args, kwargs):
            return ref(*args, **kwargs)
        used.append(public)
        raise _UsedReference(public)

    return blocked


def _block_references(name, fn, used, undo):
    """Replace the references of check `name`, in utils and in the student's
    namespace, by stand-ins that raise; undo collects how to restore them."""
    modules = _utils_modules()
    for entry in _REFERENCES.get(name, ()):
        module, attr = entry.split(".")
        owner = sys.modules.get(f"{__package__}.{module}")
        ref = getattr(owner, attr, None)
        if ref is None:
            continue
        blocked = _stand_in(
            ref, _public_name(module, attr, ref), used, module == "mistakes"
        )
        spaces = [vars(m) for m in modules]
        spaces += [g for g in _student_globals(fn) if all(g is not s for s in spaces)]
        for space in spaces:
            for key, value in list(space.items()):
                if value is ref:
                    undo.append((space, key, ref, blocked))
                    space[key] = blocked
        for cell in _student_cells(fn):
            try:
                if cell.cell_contents is ref:
                    cell.cell_contents = blocked
                    undo.append((cell, None, ref, blocked))
            except ValueError:  # an empty cell
                pass


def _restore(undo):
    while undo:
        space, key, ref, blocked = undo.pop()
        if key is None:
            if space.cell_contents is blocked:
                space.cell_contents = ref
        elif space.get(key) is blocked:
            space[key] = ref


def _student_functions(fn):
    """fn and what it wraps (functools.partial, decorators), as plain functions."""
    seen, todo = [], [fn]
    while todo and len(seen) < 8:
        f = todo.pop()
        f = getattr(f, "func", f)  # functools.partial
        if any(f is s for s in seen):
            continue
        seen.append(f)
        if getattr(f, "__wrapped__", None) is not None:
            todo.append(f.__wrapped__)
    return seen


def _student_globals(fn):
    found = []
    for f in _student_functions(fn):
        g = getattr(f, "__globals__", None)
        if isinstance(g, dict) and all(g is not s for s in found):
            found.append(g)
    return found


def _student_cells(fn):
    found = []
    for f in _student_functions(fn):
        found.extend(getattr(f, "__closure__", None) or ())
    return found


def _own_work_failure(name, public, tb):
    where = _student_line(tb, name)
    return _Fail(
        f"{name} calls {public}, the course's reference"
        + (f" ({where})" if where else "")
        + ": the exercise is to write it yourself from the equations, so the check "
        "makes the reference unavailable while your function runs."
    )


# ----------------------------------------------------------------------------------
# Where in the student's code an error happened
# ----------------------------------------------------------------------------------


def _library_dirs():
    """Where code that is not the student's lives: utils, numpy, the standard
    library and the installed packages."""
    dirs = {os.path.dirname(os.path.abspath(__file__)), os.path.dirname(np.__file__)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            dirs.add(os.path.abspath(path))
    return tuple(d + os.sep for d in dirs)


_LIBRARY_DIRS = _library_dirs()


def _is_students(filename):
    if filename.startswith("<"):  # exec'd code: theirs only if its source is known
        return bool(linecache.getline(filename, 1)) and "frozen" not in filename
    return not os.path.abspath(filename).startswith(_LIBRARY_DIRS)


def _student_frames(tb):
    """The traceback entries in the student's own code, outermost first."""
    found = []
    while tb is not None:
        if _is_students(tb.tb_frame.f_code.co_filename):
            found.append(tb)
        tb = tb.tb_next
    return found


def _student_frame(tb):
    """The innermost traceback entry in the student's own code, or None."""
    found = _student_frames(tb)
    return found[-1] if found else None


def _student_line(tb, name):
    """'in your rnn_step, line 3: `...`' for the innermost line of the student's
    code in tb (a notebook cell's line number counts within the cell)."""
    entries = _student_frames(tb)
    if not entries:
        return ""
    entry, code = entries[-1], entries[-1].tb_frame.f_code
    filename, lineno = code.co_filename, entry.tb_lineno
    who = f"your {name}"
    if len(entries) > 1 and not code.co_name.startswith("<"):
        who = f"your function {code.co_name} (called from your {name})"
    text = linecache.getline(filename, lineno, entry.tb_frame.f_globals).strip()
    where = f"line {lineno}"
    if not (filename.startswith("<") or "ipykernel" in filename):
        where += f" of {os.path.basename(filename)}"  # a notebook cell has no name
    return f"in {who}, {where}" + (f": `{text}`" if text else "")


def _line_shapes(tb):
    """'x (3, 5), W_ih (12, 5)': the arrays named on the student's failing line."""
    entry = _student_frame(tb)
    if entry is None:
        return ""
    frame = entry.tb_frame
    text = linecache.getline(frame.f_code.co_filename, entry.tb_lineno, frame.f_globals)
    shapes = {}
    for word in re.findall(r"[A-Za-z_]\w*", text):
        value = frame.f_locals.get(word, frame.f_globals.get(word))
        if isinstance(value, np.ndarray) and word not in shapes:
            shapes[word] = f"{word} {tuple(value.shape)}"
    return ", ".join(shapes.values())


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


def _call(fn, name, args, kwargs, label):
    """Call the student's function on copies; return (result, warnings caught)."""
    given = {k: _copy(v) for k, v in args.items()}
    # SIGALRM exists on Linux and macOS and works in the main thread, where a
    # notebook kernel runs cells; elsewhere the function simply runs unlimited.
    timed = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    used, undo = [], []  # references the student called; how to restore them
    if timed:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        _block_references(name, fn, used, undo)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*given.values(), **kwargs)
    except _UsedReference as e:
        raise _own_work_failure(name, str(e), e.__traceback__) from None
    except _TookTooLong:
        raise _Fail(
            f"{name} ran for more than {TIME_LIMIT:g} s on the small hidden case "
            f"{label} and was stopped. Is there a loop that never ends (a while loop "
            "whose condition never changes)?"
        ) from None
    except NotImplementedError as e:
        stub = f" (its stub says: {e})" if str(e) else ""
        raise NotAttempted(
            f"{name} is not attempted yet{stub}. Replace the line "
            "`raise NotImplementedError(...)` with your code and run the check again."
        ) from None
    except Exception as e:  # any error in student code becomes a hint, not a crash
        if used:  # the reference's error, caught and turned into another one
            raise _own_work_failure(name, used[0], e.__traceback__) from None
        where = _student_line(e.__traceback__, name)
        raise _Fail(
            f"{name} raised {type(e).__name__}: {e}\n  on the hidden case {label}"
            + (f",\n  {where}" if where else "")
            + "."
            + _exception_hint(e, where, _line_shapes(e.__traceback__))
        ) from None
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        _restore(undo)
    if used:  # the student caught the reference's error and went on
        raise _own_work_failure(name, used[0], None)
    _untouched(name, given, args)
    return result, [w for w in caught if issubclass(w.category, RuntimeWarning)]


def _exception_hint(e, where="", shapes=""):
    """A hint for an exception of the student's code. where: the student's line
    (from _student_line); shapes: the arrays named on it (from _line_shapes)."""
    text = str(e)
    if isinstance(e, TypeError) and "argument" in text:
        return (
            "\nHint: keep the signature given in the exercise; the check calls "
            "your function exactly that way."
        )
    if not isinstance(e, ValueError):
        return ""
    line = " on that line" if where else ""
    arrays = f" The arrays named{line}: {shapes}." if shapes else ""
    found = re.findall(r"\((\d+(?:, ?\d+)*,?)\)", text)
    operands = " and ".join(f"({s})" for s in found[:2])
    inner = re.search(r"size (\d+) is different from (\d+)", text)
    if "matmul" in text or "not aligned" in text:
        sizes = ""
        if len(found) >= 2:
            sizes = f" (operands {operands})"
        elif inner:
            sizes = f" (A has {inner[2]} columns, B has {inner[1]} rows)"
        return (
            f"\nHint: a matrix product{line} does not fit{sizes}: in A @ B the "
            f"columns of A must match the rows of B.{arrays} A shape mismatch in a "
            "product often means a weight used the wrong way round. Weights are "
            "stored (out, in): W_ih is (kH, D) and x is (B, D), so the input term "
            "is x @ W_ih.T, of shape (B, kH); likewise h @ W_hh.T. The hidden cases "
            "have D != H, where this shows."
        )
    if "broadcast" in text:
        sizes = f" of shapes {operands}" if len(found) >= 2 else ""
        return (
            f"\nHint: an elementwise operation (+, -, *, /){line} met arrays"
            f"{sizes} that do not fit together: numpy needs each dimension to be "
            f"equal, or 1 in one of them.{arrays} Find the term whose shape is not "
            "what you expect: every state and gate is (B, H), and one block of a "
            "stacked (B, kH) pre-activation or (kH,) bias is H wide."
        )
    return ""


def _untouched(name, after, before):
    """Fail if the student's function modified any argument in place."""
    for arg, value in before.items():
        if isinstance(value, dict):
            if set(after[arg]) != set(value):
                raise _Fail(
                    f"{name} added or removed keys of {arg}; leave it as given."
                )
            for key, v in value.items():
                if not np.array_equal(after[arg][key], v):
                    raise _Fail(
                        f"{name} changed {arg}[{key!r}] in place (for example with "
                        "`+=` on it or on a slice of it). Compute new arrays "
                        "instead, so that the caller's parameters stay as they were."
                    )
        elif isinstance(value, np.ndarray) and not np.array_equal(after[arg], value):
            raise _Fail(
                f"{name} changed its argument {arg} in place. Compute a new array "
                f"(h_next = ...) instead of updating {arg}."
            )


def _array(result, name, what, shape, dtype, label, k=1):
    """Check that a returned value is a finite array of the right shape and dtype."""
    if result is None:
        raise _Fail(f"{name} returned None: did you forget `return {what}`?")
    if isinstance(result, (tuple, list)):
        raise _Fail(
            f"{name} returned a {type(result).__name__} of {len(result)} items where "
            f"{what} should be one array of shape {shape}."
        )
    if not isinstance(result, np.ndarray):
        raise _Fail(
            f"{name} returned a {type(result).__name__} for {what}; "
            "return a numpy array."
        )
    if result.shape != shape:
        hint = ""
        if result.shape == shape[::-1]:
            hint = (
                " That is the transpose: rows are the batch items, so the "
                "result is (B, H)."
            )
        elif (
            result.shape[:-1] == shape[:-1]
            and k > 1
            and result.shape[-1] == k * shape[-1]
        ):
            hint = (
                f" The width {k} x H is all {k} stacked blocks: split the "
                f"pre-activation into {k} blocks of H columns."
            )
        elif result.ndim < len(shape):
            hint = " A dimension is missing (the batch dimension?)."
        raise _Fail(
            f"{what} from {name} has shape {result.shape} on the hidden case "
            f"{label}; expected {shape}.{hint}"
        )
    if result.dtype != dtype:
        raise _Fail(
            f"{name} returned {what} as {result.dtype} for {dtype} inputs ({label}). "
            "Keep the input's dtype: np.zeros(shape) is float64 unless you pass "
            "dtype=x.dtype, and in NumPy 2 a float32 array times a np.float64 scalar "
            "is float64 (use a Python float: float(scale))."
        )
    if not np.isfinite(result).all():
        raise _Fail(
            f"{name} returned NaN or inf in {what} on the hidden case {label}. "
            "Did np.exp overflow? Use a numerically stable sigmoid."
        )
    return result


def _pair(result, name, what):
    """Check that a function returned a pair (or, where allowed, a longer tuple)."""
    if result is None:
        raise _Fail(f"{name} returned None: did you forget `return {what}`?")
    if not isinstance(result, (tuple, list)) or len(result) < 2:
        got = (
            f"a {type(result).__name__} of {len(result)} items"
            if isinstance(result, (tuple, list))
            else f"a {type(result).__name__}"
        )
        raise _Fail(f"{name} returned {got}; it should return the pair {what}.")
    return result


def _close(a, b):
    rtol, atol = _TOL[np.dtype(b.dtype)]
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def _diagnose(student, candidates, compute):
    """The hint of the mistake (or pair of mistakes) that reproduces the student's
    output, or None. candidates: [(kwargs for compute, hint)].

    A guess must be unambiguous: when mistakes with different hints all reproduce
    the output on this case, none is named as the mistake; up to three are offered
    as "one of these", more give None."""
    hints = _matching_hints(student, candidates, compute)
    if len(hints) == 1:
        return hints[0]
    if 1 < len(hints) <= 3 and not any(h.startswith("two mistakes") for h in hints):
        listed = "".join(f"\n  {i}. {h}" for i, h in enumerate(hints, 1))
        return (
            "one of these mistakes explains it (on this hidden case they give the "
            f"same numbers):{listed}"
        )
    return None


def _matching_hints(student, candidates, compute):
    """The distinct hints of the single mistakes that reproduce the student's
    output; if there are none, of the pairs of mistakes that do."""

    def matches(kwargs):
        try:
            with np.errstate(all="ignore"):
                out = compute(kwargs)
        except (ValueError, IndexError):  # e.g. a transposed weight that cannot fit
            return False
        outs = out if isinstance(out, tuple) else (out,)
        return all(
            _close(s, np.asarray(o, dtype=s.dtype))
            for s, o in zip(student, outs, strict=False)
        )

    single = [hint for kwargs, hint in candidates if matches(kwargs)]
    if single:
        return list(dict.fromkeys(single))
    pairs = {}
    for (kw1, hint1), (kw2, hint2) in itertools.combinations(candidates, 2):
        key = frozenset((hint1, hint2))
        if key not in pairs and not set(kw1) & set(kw2) and matches({**kw1, **kw2}):
            pairs[key] = (
                f"two mistakes together explain it.\n  1. {hint1}\n  2. {hint2}"
            )
    return list(pairs.values())


def _wrong(name, label, err, hint, fallback, outputs=None):
    """The failure of wrong values. outputs: optional [(name of an output, the
    student's array, the expected one)], in the order returned; when no known
    mistake explains the result (hint None), the message says which output and
    element are off and by how much, before the fallback's where to look."""
    where = _where_wrong(outputs) if hint is None and outputs else ""
    return _Fail(
        f"{name} gives wrong values on the hidden case {label} (largest error "
        f"{err:.3g}).{where}\nHint: {hint or fallback}"
    )


def _where_wrong(outputs):
    """'\\n  h_next[2, 1] is 0.31 where the answer is 0.56 (...)' for the first
    wrong output, at its largest error, and which other outputs are right."""
    wrong, right = [], []
    for what, s, r in outputs:
        s, r = np.asarray(s), np.asarray(r)
        (right if s.shape == r.shape and _close(s, r) else wrong).append((what, s, r))
    if not wrong:
        return ""
    what, s, r = wrong[0]
    if s.shape != r.shape:
        return f"\n  {what} has shape {s.shape}, expected {r.shape}."
    rtol, atol = _TOL[np.dtype(r.dtype)] if r.dtype in _TOL else (1e-7, 1e-9)
    with np.errstate(all="ignore"):
        diff = np.abs(s.astype(np.float64) - r.astype(np.float64))
        off = ~np.isclose(s, r, rtol=rtol, atol=atol)
    flat = int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)))
    index = np.unravel_index(flat, s.shape) if s.ndim else ()
    at = f"[{', '.join(str(int(i)) for i in index)}]" if index else ""
    yours, answer = s.flat[flat], r.flat[flat]
    by = yours - answer
    text = (
        f"\n  {what}{at} is {yours:.6g} where the answer is {answer:.6g} (off by "
        f"{by:+.3g})"
    )
    if s.size > 1:
        text += f"; {int(off.sum())} of its {s.size} entries are off"
    others = [w for w, _, _ in wrong[1:]]
    if others:
        text += f"; also wrong: {', '.join(others)}"
    if right:
        text += f"; right: {', '.join(w for w, _, _ in right)}"
    return text + "."


def _report(name, labels):
    print(f"check.{name}: {len(labels)} hidden cases")
    for label in labels:
        print(f"  ok  {label}")
    print(f"All correct: {name} passes.")


# ----------------------------------------------------------------------------------
# Hidden cases
# ----------------------------------------------------------------------------------

# (B, D, H, dtype); square first, so that a transposed weight shows as wrong values
# (with a clear hint) before the D != H cases where it would raise a shape error.
_STEP_SHAPES = (
    (3, 4, 4, np.float64),
    (4, 5, 3, np.float64),
    (1, 2, 5, np.float64),
    (2, 6, 4, np.float32),
    (3, 3, 3, np.float32),
)


def _random_params(kind, D, H, dtype, rng):
    k = cells.N_BLOCKS[kind]
    shapes = {
        "weight_ih_l0": (k * H, D),
        "weight_hh_l0": (k * H, H),
        "bias_ih_l0": (k * H,),
        "bias_hh_l0": (k * H,),
    }
    return {
        key: (0.6 * rng.standard_normal(s)).astype(dtype) for key, s in shapes.items()
    }


def _label(dtype, **dims):
    return f"{np.dtype(dtype).name}, " + ", ".join(f"{k}={v}" for k, v in dims.items())


def _step_cases(kind, seed):
    """Hidden cases of a single step: (label, args dict, dtype, H)."""
    rng = np.random.default_rng(seed)
    for B, D, H, dtype in _STEP_SHAPES:
        args = {
            "x": rng.standard_normal((B, D)).astype(dtype),
            "h": rng.uniform(-0.9, 0.9, (B, H)).astype(dtype),
        }
        if kind == "lstm":
            args["c"] = rng.standard_normal((B, H)).astype(dtype)
        args["params"] = _random_params(kind, D, H, dtype, rng)
        yield _label(dtype, B=B, D=D, H=H), args, np.dtype(dtype), H


# ----------------------------------------------------------------------------------
# Notebook 00: sigmoid
# ----------------------------------------------------------------------------------


def _activation_cases():
    rng = np.random.default_rng(0)
    # -600 (float64), -87 and -80 (float32): tiny results, where full relative
    # precision is asked for (down to the atol of stable_sigmoid).
    wide = [-1000, -750, -700, -600, -50, -20, -1, -1e-8, 0, 1e-8, 1, 20, 50]
    wide += [700, 750, 1000]
    narrow = [-1000, -100, -89, -87, -80, -50, -10, 0, 10, 89, 100, 1000]
    return [
        ("float64 values from -1000 to 1000", np.array(wide, dtype=np.float64)),
        ("float32 values from -1000 to 1000", np.array(narrow, dtype=np.float32)),
        ("a (3, 4) float64 array", 10 * rng.standard_normal((3, 4))),
        ("a 0-d float64 array", np.array(-3.0)),
    ]


def _overflow_hint(name, caught, label):
    return _Fail(
        f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
        "Hint: np.exp(-a) overflows for large negative a (above about 709 in "
        "float64 and 88 in float32). Compute e = np.exp(-np.abs(a)), which is at "
        "most 1, and use 1 / (1 + e) where a >= 0 and e / (1 + e) where a < 0. "
        "Note that np.where(cond, A, B) computes both A and B for every element, so "
        "an overflowing expression inside it still warns."
    )


def _elementwise(fn, name, reference, variants, tol64, tol32, explain=None):
    """Check an elementwise function on the activation cases.

    tol64, tol32: (rtol, atol) for float64 and float32 inputs; variants: [(wrong
    function, hint)]; explain(a, result, ref, i) may return a hint for the first
    wrong element i when no variant matches.
    """
    labels = []
    for label, a in _activation_cases():
        result, caught = _call(fn, name, {"a": a}, {}, label)
        if caught:
            raise _overflow_hint(name, caught, label)
        if isinstance(result, (float, np.generic)) and a.ndim == 0:
            result = np.asarray(result)  # a numpy scalar is fine for a 0-d input
        result = _array(result, name, "the result", a.shape, a.dtype, label)
        with np.errstate(all="ignore"):
            ref = reference(a)
        tol = tol64 if a.dtype == np.float64 else tol32
        if not np.allclose(result, ref, rtol=tol[0], atol=tol[1]):
            bad = np.argmax(~np.isclose(result, ref, rtol=tol[0], atol=tol[1]))
            where = (
                f" At a = {a.flat[bad]:g} you return {result.flat[bad]:.6g}, "
                f"the answer is {ref.flat[bad]:.6g}."
            )
            hint = None
            for variant, text in variants:
                with np.errstate(all="ignore"):
                    v = variant(a)
                if np.allclose(result, v, rtol=tol[0], atol=tol[1], equal_nan=True):
                    hint = text
                    break
            if hint is None and explain is not None:
                hint = explain(a.ravel(), result.ravel(), ref.ravel(), bad)
            raise _Fail(
                f"{name} gives wrong values on {label}.{where}\n"
                f"Hint: {hint or 'compare your formula with the derivation.'}"
            )
        labels.append(label)
    _report(name, labels)


def _cancellation(a, result, ref, i):
    if a[i] < 0 and result[i] == 0 and ref[i] > 0:
        return (
            "for negative a your formula subtracts two numbers that are both "
            "almost 1 (as in 1 - sigmoid(-a) or 0.5 * (1 + tanh(a / 2))), which "
            "cancels to exactly 0: sigmoid(-50) is about 2e-22, but "
            "1 - sigmoid(50) is 0 in float64. Use exp(a) / (1 + exp(a)) there: "
            "exp(a) is small and exact."
        )
    return None


@_exercise
def stable_sigmoid(fn):
    """Exercise 0.1: sigmoid(a) = 1 / (1 + exp(-a)) without overflow, any shape."""
    _elementwise(
        fn,
        "stable_sigmoid",
        cells.sigmoid,
        [
            (
                lambda a: cells.sigmoid(-a),
                "the sign is flipped: sigmoid(a) = 1 / (1 + exp(-a)) goes to 1 "
                "for large a.",
            ),
            (
                lambda a: np.exp(-a) / (1 + np.exp(-a)),
                "that is exp(-a) / (1 + exp(-a)) = 1 - sigmoid(a); swap the two "
                "branches.",
            ),
        ]
        + [
            (
                lambda a, L=limit: cells.sigmoid(np.clip(a, -L, L)),
                f"you clip a to [-{limit}, {limit}], which flattens the tails: "
                f"sigmoid(-{limit}) = {cells.sigmoid(-float(limit)):.1e} is not "
                f"sigmoid(a) for a < -{limit}, which is smaller (tiny results must "
                "keep their relative precision). Clip only far out, just short of "
                "where exp overflows (700 in float64, 80 in float32), or, better, "
                "take exp only of -|a|.",
            )
            for limit in (5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 70, 75)
            + (100, 200, 300, 400, 500, 600, 650, 690)
        ],
        # atol: results below it may be lost (a clip at 700 in float64 or at 80 in
        # float32 is fine); above it, relative precision is asked for.
        tol64=(1e-12, 1e-300),
        tol32=(1e-6, 1e-34),
        explain=_cancellation,
    )


def _factor_or_approximation(a, result, ref, i):
    """sigmoid_grad: a result off by one constant factor, or only slightly off."""
    with np.errstate(all="ignore"):
        big = ref > 1e-3
        ratio = result[big] / ref[big]
    if (
        big.sum() >= 2
        and np.allclose(ratio, ratio[0], rtol=1e-6)
        and abs(ratio[0] - 1) > 1e-3
    ):
        return (
            f"your result is {ratio[0]:.6g} times the derivative everywhere: a "
            "constant factor is off. sigmoid'(a) = sigmoid(a) * (1 - sigmoid(a))."
        )
    if np.allclose(result, ref, rtol=1e-3, atol=1e-6):
        return (
            "your values are close to the derivative but not exact: a finite "
            "difference (sigmoid(a + h) - sigmoid(a - h)) / 2h only approximates "
            "it. The identity sigmoid'(a) = sigmoid(a) * (1 - sigmoid(a)) is exact."
        )
    return None


@_exercise
def sigmoid_grad(fn):
    """Exercise 0.2: the derivative sigmoid'(a) = sigmoid(a) (1 - sigmoid(a))."""
    s = cells.sigmoid
    _elementwise(
        fn,
        "sigmoid_grad",
        lambda a: s(a) * s(-a),
        [
            (
                lambda a: 1 - s(a) ** 2,
                "1 - sigmoid(a)^2 is the pattern of tanh' = 1 - tanh^2; for the "
                "sigmoid it is sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: s(a) * (1 + s(a)),
                "a sign slipped: sigmoid' = sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (s, "you returned sigmoid(a) itself, not its derivative."),
            (
                lambda a: 1 - np.tanh(a) ** 2,
                "1 - tanh(a)^2 is tanh's derivative; the sigmoid's is "
                "sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: s(a) ** 2,
                "you squared sigmoid(a); the derivative is "
                "sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: s(a) * s(-a) / 2,
                "there is no factor 1/2: the derivative is "
                "sigmoid(a) * (1 - sigmoid(a)) (1/2 belongs to tanh(a/2) forms).",
            ),
            (
                lambda a: -s(a) * s(-a),
                "the sign is flipped: the sigmoid rises everywhere, so its "
                "derivative sigmoid(a) * (1 - sigmoid(a)) is positive.",
            ),
            (
                lambda a: 1 - s(a),
                "you returned 1 - sigmoid(a); multiply it by sigmoid(a).",
            ),
            (
                lambda a: 4 * s(a) * s(-a),
                "your result is 4 times the derivative: 1 - tanh(a/2)^2 is "
                "4 sigmoid'(a), so sigmoid'(a) = (1 - tanh(a/2)^2) / 4 = "
                "sigmoid(a) * (1 - sigmoid(a)).",
            ),
            (
                lambda a: 2 * s(a) * s(-a),
                "your result is 2 times the derivative: sigmoid'(a) = "
                "sigmoid(a) * (1 - sigmoid(a)) = (1 - tanh(a/2)^2) / 4.",
            ),
        ]
        + [
            (
                lambda a, L=limit: s(np.clip(a, -L, L)) * s(-np.clip(a, -L, L)),
                f"your sigmoid clips a to [-{limit}, {limit}]: beyond it the "
                f"derivative stays at sigmoid'({limit}) = "
                f"{float(s(limit) * s(-limit)):.1e} instead of going to 0. Use your "
                "stable_sigmoid, which takes exp only of -|a|.",
            )
            for limit in (5, 6, 8, 10, 15, 20, 30, 40, 50)
        ],
        tol64=(1e-9, 1e-15),
        tol32=(1e-5, 1e-6),
        explain=_factor_or_approximation,
    )  # s * (1 - s) loses digits in float32


# ----------------------------------------------------------------------------------
# Notebook 01: the vanilla RNN
# ----------------------------------------------------------------------------------

_RNN_FALLBACK = (
    "none of the usual mistakes explains it. The step is "
    "h_next = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh) with the four arrays of "
    "params; compare your code with it term by term."
)


@_exercise
def rnn_step(fn):
    """Exercise 1.1: rnn_step(x (B, D), h (B, H), params) -> h_next (B, H)."""
    name, labels = "rnn_step", []
    for label, args, dtype, H in _step_cases("rnn", seed=101):
        result, _ = _call(fn, name, args, {}, label)
        B = args["x"].shape[0]
        h_next = _array(result, name, "h_next", (B, H), dtype, label)
        ref = cells.rnn_step(**args)
        if not _close(h_next, ref):
            hint = _diagnose(
                (h_next,),
                mistakes.rnn_mistakes(),
                lambda kw, args=args: mistakes.rnn_variant(*args.values(), **kw),
            )
            raise _wrong(
                name,
                label,
                np.abs(h_next - ref).max(),
                hint,
                _RNN_FALLBACK,
                [("h_next", h_next, ref)],
            )
        labels.append(label)
    _report(name, labels)


_SEQ_SHAPES = (  # (T, B, D, H, dtype, with h0)
    (6, 3, 4, 4, np.float64, True),
    (1, 2, 3, 5, np.float64, True),
    (5, 2, 5, 3, np.float64, False),
    (4, 3, 6, 4, np.float32, True),
)
# and h0 omitted in float32 too, where np.zeros without a dtype shows
_RNN_SEQ_SHAPES = (*_SEQ_SHAPES, (3, 2, 4, 3, np.float32, False))


def _seq_cases(kind, seed, shapes=_SEQ_SHAPES):
    """Hidden sequence cases: (label, args dict, dtype, H); h0 omitted in one."""
    rng = np.random.default_rng(seed)
    for T, B, D, H, dtype, with_h0 in shapes:
        args = {
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": _random_params(kind, D, H, dtype, rng),
        }
        if with_h0:
            args["h0"] = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
            if kind == "lstm":
                args["c0"] = rng.standard_normal((B, H)).astype(dtype)
        extra = "" if with_h0 else ", h0 omitted"
        yield _label(dtype, T=T, B=B, D=D, H=H) + extra, args, np.dtype(dtype), H


def _unroll(step, x, h0):
    hs, h = [], h0
    for x_t in x:
        h = step(x_t, h)
        hs.append(h)
    return np.stack(hs)


@_exercise
def rnn_forward(fn):
    """Exercise 1.2: rnn_forward(x (T, B, D), params, h0=None) -> (out, h_n)."""
    name, labels = "rnn_forward", []
    for label, args, dtype, H in _seq_cases("rnn", 102, _RNN_SEQ_SHAPES):
        result, _ = _call(fn, name, args, {}, label)
        result = _pair(result, name, "(out, h_n)")  # a third item (a cache) is fine
        T, B, _ = args["x"].shape
        if isinstance(result[0], np.ndarray) and result[0].shape == (T + 1, B, H):
            raise _Fail(
                f"out from {name} has T + 1 = {T + 1} steps: it includes h0. "
                "Like PyTorch, out holds h_1 ... h_T, the states after each "
                "input."
            )
        if (
            isinstance(result[0], np.ndarray)
            and result[0].shape == (B, T, H)
            and B != T
        ):
            raise _Fail(
                f"out from {name} has shape (B, T, H) = {(B, T, H)}; the "
                "course is time-major like PyTorch: out is (T, B, H)."
            )
        out = _array(result[0], name, "out", (T, B, H), dtype, label)
        h_n = _array(result[1], name, "h_n", (B, H), dtype, label)
        ref_out, ref_h, _ = cells.rnn_forward(**args)
        p = args["params"]
        h0 = args.get("h0", np.zeros((B, H), dtype))
        if T > 1 and not _close(out, ref_out) and _close(out, np.stack([ref_h] * T)):
            raise _Fail(
                f"every step of out from {name} holds the last state h_T: the list "
                "holds the same array T times. Your loop changes h in place (h[:] = "
                "..., or +=) after appending it; give each step a new array, e.g. "
                "h = np.tanh(...), or append h.copy()."
            )
        if not _close(out, ref_out):
            candidates = [
                (
                    {"shift": True},
                    "out is shifted by one step: out[t] must be the state *after* "
                    "input x[t], i.e. h_{t+1} when h0 is the state before the first "
                    "input.",
                ),
                (
                    {"h0": np.zeros_like(h0)},
                    "your loop ignores h0 and starts from zeros; start from h0 when "
                    "it is given (zeros only when h0 is None).",
                ),
                (
                    {"no_recurrence": True},
                    "every step uses h0 instead of the previous "
                    "step's state: feed h_t back in as h for step t + 1.",
                ),
                *(
                    (
                        {"reverse": how},
                        "your loop runs backwards in time, from x[T - 1] to x[0]; "
                        "the forward pass starts at x[0] (from h0) and goes up to "
                        "x[T - 1], with out[t] the state after x[t].",
                    )
                    for how in ("index", "append")
                ),
                (
                    {"skip": "first"},
                    "your loop skips x[0] (range(1, T) starts at the second "
                    "input): the first step consumes x[0], from h0, and gives "
                    "out[0].",
                ),
                (
                    {"skip": "last"},
                    "your loop stops one step early (range(T - 1)): it must "
                    "consume every input x[0] ... x[T - 1], and out[T - 1] = h_n "
                    "is the state after the last one.",
                ),
            ] + [
                ({"step": kw}, "your steps are wrong: " + hint)
                for kw, hint in mistakes.rnn_mistakes()
            ]

            def variant(kw, x=args["x"], h0=h0, p=p):
                def step(x_t, h):
                    h_in = h0 if kw.get("no_recurrence") else h
                    return mistakes.rnn_variant(x_t, h_in, p, **kw.get("step", {}))

                if kw.get("reverse"):
                    seq = _unroll(step, x[::-1], h0)
                    return seq[::-1] if kw["reverse"] == "index" else seq
                if kw.get("skip"):  # into a preallocated np.zeros
                    seq = np.zeros((len(x), *h0.shape), h0.dtype)
                    part = slice(1, None) if kw["skip"] == "first" else slice(0, -1)
                    seq[part] = _unroll(step, x[part], h0)
                    return seq
                seq = _unroll(step, x, kw.get("h0", h0))
                if kw.get("shift"):
                    seq = np.concatenate([h0[None], seq[:-1]])
                return seq

            hint = _diagnose((out,), candidates, variant)
            raise _wrong(
                name,
                label,
                np.abs(out - ref_out).max(),
                hint,
                _RNN_FALLBACK + " Check rnn_step first, then the loop.",
                [("out", out, ref_out), ("h_n", h_n, ref_h)],
            )
        if not _close(h_n, ref_h):
            hint = (
                "h_n must be the last hidden state, out[-1]."
                if _close(h_n, ref_out[0]) or _close(h_n, h0)
                else None
            )
            raise _wrong(
                name,
                label,
                np.abs(h_n - ref_h).max(),
                hint,
                "h_n must be the last hidden state, out[-1].",
                [("h_n", h_n, ref_h)],
            )
        labels.append(label)
    _report(name, labels)


def latch_run(w_hh, w_ih, b, pulses, T=60):
    """The one-unit RNN from h_0 = 0 with inputs {step: value}, 0 elsewhere -> (T,)."""
    x = np.zeros(T)
    for t, value in pulses.items():
        x[t] = value
    return cells.one_unit_rnn(w_hh, w_ih, b, x)


def _latch_state(w_hh, b, h):
    """The stable state that h = tanh(w_hh h + b) settles in from h (no input)."""
    for _ in range(5000):
        h = np.tanh(w_hh * h + b)
    return float(h)


def _latch_why(w_hh, w_ih, b, sign):
    """Why a latch with w_hh > 1 fails to hold after the pulse of this sign."""
    need = (np.arctanh(0.5) - sign * b) / 0.5  # w_hh for a state at +-0.5
    state = _latch_state(w_hh, b, float(sign))
    name, bound = ("'on'", "above 0.5") if sign > 0 else ("'off'", "below -0.5")
    if sign * state <= 0.5:
        return (
            f"the memory's {name} state, where h = tanh(w_hh h + b) settles with "
            f"no input, is h* = {state:.3f}, not {bound}: raise w_hh (above "
            f"about {need:.2f} with b = {b:g}) and keep b near 0."
        )
    if w_ih <= 0:
        return (
            f"w_ih = {w_ih:g} is {'negative' if w_ih < 0 else 'zero'}: a +1 pulse "
            f"{'pushes h down instead of up' if w_ih < 0 else 'does not reach h'}, "
            "so it is far too weak to set the memory. Use w_ih > 0, larger than w_hh."
        )
    if sign > 0:
        return (
            f"the +1 pulse is too weak: from h = 0 it gives h = tanh(w_ih + b) = "
            f"{np.tanh(w_ih + b):.3f}, which does not get past the middle (unstable) "
            "fixed point, so h falls back. Make w_ih larger."
        )
    on = _latch_state(w_hh, b, 1.0)
    return (
        f"the -1 pulse is too weak to overcome w_hh * h: from the 'on' state "
        f"h* = {on:.3f} it gives h = tanh(w_hh h* - w_ih + b) = "
        f"{np.tanh(w_hh * on - w_ih + b):.3f}, and h goes back up. Make w_ih "
        "larger than w_hh."
    )


@_exercise
def latch(fn):
    """Exercise 1.3: fn() -> (w_hh, w_ih, b) of a one-unit RNN that is a 1-bit memory.

    A +1 pulse at t = 0 must set h above 0.5 for the next 29 steps, a -1 pulse at
    t = 30 must set it below -0.5 until t = 59, and with no input h stays in
    (-0.5, 0.5).
    """
    name = "latch"
    result, _ = _call(fn, name, {}, {}, "the latch simulation")
    try:
        w_hh, w_ih, b = (float(v) for v in result)
    except (TypeError, ValueError):
        raise _Fail(
            f"{name} should return three numbers (w_hh, w_ih, b), got {result!r}."
        ) from None
    if not all(np.isfinite([w_hh, w_ih, b])):
        raise _Fail(f"{name} returned a non-finite number: {(w_hh, w_ih, b)}.")
    # "stays below 0.5": long enough for any bias b != 0 to show (h grows at least
    # like w_hh^t once w_hh is large enough to hold a state above 0.5)
    quiet = latch_run(w_hh, w_ih, b, {}, T=10_000)
    flip = latch_run(w_hh, w_ih, b, {0: 1.0, 30: -1.0})
    if np.abs(quiet).max() >= 0.5:
        t = int(np.argmax(np.abs(quiet) >= 0.5))
        raise _Fail(
            f"with no input at all h reaches {quiet[t]:.3f} at step {t}: the "
            "unit switches itself on. Keep the bias small (|b| well below 1, or "
            "0), so that only a pulse can set the memory."
        )
    for start, stop, sign, word in ((1, 30, 1, "+1"), (31, 60, -1, "-1")):
        held = sign * flip[start:stop]
        if held.min() > 0.5:
            continue
        t = start + int(np.argmax(held <= 0.5))
        if abs(w_hh) <= 1:
            why = (
                f"with |w_hh| = {abs(w_hh):g} <= 1 the only fixed point is near 0 "
                "and every pulse decays: the unit forgets. Move w_hh above 1 "
                "in the explorer and watch the state saturate instead."
            )
        elif w_hh < -1:
            why = (
                "a negative w_hh flips the sign of h at every step: that is "
                "oscillation, not memory. Use w_hh > 1."
            )
        else:
            why = _latch_why(w_hh, w_ih, b, sign)
        raise _Fail(
            f"after the {word} pulse, h is {flip[t]:.3f} at step {t}, not "
            f"{'above 0.5' if sign > 0 else 'below -0.5'}.\nHint: {why}"
        )
    print(
        f"check.{name}: the unit is off without input "
        f"(|h| <= {np.abs(quiet).max():.3f}), holds +1 (h >= {flip[1:30].min():.3f}) "
        f"and -1 (h <= {flip[31:].max():.3f})."
    )
    print(f"All correct: {name} passes.")


# ----------------------------------------------------------------------------------
# Notebooks 03 and 05: LSTM and GRU steps
# ----------------------------------------------------------------------------------

# The step checks of notebooks 03-05 end with these cases: batch item 1 gets inputs
# so large that every one of its pre-activations is beyond +-scale (both signs in
# every block), where np.exp overflows (exp(89) is inf in float32, exp(710) in
# float64); items 0 and 2 stay ordinary. (B, D, H, dtype, scale).
_LARGE_SHAPES = ((3, 5, 4, np.float32, 120.0), (3, 3, 4, np.float64, 1200.0))
_LARGE = "large inputs in batch item 1"


def _large_step_cases(kind, seed):
    """Hidden cases of a single step with large inputs: (label, args, dtype, H).

    W_ih gets a rank-one change so that W_ih e = t for the unit vector e of
    x[1] = scale e, with |t| in [1, 2] and signs mixed in each block: every
    pre-activation of item 1 saturates (its gates are exactly 0 or 1 and every
    slope 0, in any correct formula), and a sigmoid or tanh built from np.exp
    overflows."""
    rng = np.random.default_rng(seed)
    for B, D, H, dtype, scale in _LARGE_SHAPES:
        k = cells.N_BLOCKS[kind]
        params = _random_params(kind, D, H, np.float64, rng)
        e = rng.standard_normal(D)
        e /= np.linalg.norm(e)
        signs = np.concatenate([rng.permutation([1, -1] * (H // 2)) for _ in range(k)])
        t = signs * rng.uniform(1.0, 2.0, k * H)
        W = params["weight_ih_l0"]
        params["weight_ih_l0"] = W + np.outer(t - W @ e, e)
        x = rng.standard_normal((B, D))
        x[1] = scale * e
        args = {
            "x": x.astype(dtype),
            "h": rng.uniform(-0.9, 0.9, (B, H)).astype(dtype),
        }
        if kind == "lstm":
            args["c"] = rng.standard_normal((B, H)).astype(dtype)
        args["params"] = {key: v.astype(dtype) for key, v in params.items()}
        yield f"{_label(dtype, B=B, D=D, H=H)}, {_LARGE}", args, np.dtype(dtype), H


def _finite(name, label, outputs):
    """Name an overflow on a case with large inputs. outputs: {what: value}."""
    if _LARGE not in label:
        return  # NaN elsewhere: _array's own message
    for what, value in outputs.items():
        if (
            isinstance(value, np.ndarray)
            and value.dtype.kind == "f"
            and not np.isfinite(value).all()
        ):
            raise _Fail(
                f"{name} returned NaN or inf in {what} on the hidden case {label}, "
                "whose pre-activations reach the hundreds: most likely a sigmoid "
                "or tanh (or a slope) written with np.exp overflows there (exp(89) "
                "is inf in float32, exp(710) in float64), and inf / inf is NaN."
                "\nHint: use "
                "np.tanh, and the stable sigmoid of notebook 00 (utils.sigmoid), "
                "which never takes exp of a large positive number; write slopes "
                "from the activations: s (1 - s), 1 - t^2."
            )


_LARGE_FALLBACK = (
    "right on the cases with ordinary inputs, wrong on this one, whose batch item 1 "
    "has pre-activations in the hundreds. Do you clip or rescale them? The sigmoid "
    "and tanh simply saturate there (to 0, 1 and -1, 1); np.tanh and a stable "
    "sigmoid give those values without any special case."
)


@_exercise
def lstm_step(fn):
    """Exercise 3.1: lstm_step(x, h, c, params) -> (h_next, c_next), each (B, H)."""
    name, labels = "lstm_step", []
    cases = itertools.chain(
        _step_cases("lstm", seed=103), _large_step_cases("lstm", seed=1103)
    )
    for label, args, dtype, H in cases:
        result, _ = _call(fn, name, args, {}, label)
        result = _pair(result, name, "(h_next, c_next)")
        if len(result) != 2:
            raise _Fail(
                f"{name} returned {len(result)} items; it should return the "
                "pair (h_next, c_next)."
            )
        _finite(name, label, {"h_next": result[0], "c_next": result[1]})
        B = args["x"].shape[0]
        h_next = _array(result[0], name, "h_next", (B, H), dtype, label, k=4)
        c_next = _array(result[1], name, "c_next", (B, H), dtype, label, k=4)
        ref_h, ref_c = cells.lstm_step(**args)
        if _close(h_next, ref_h) and _close(c_next, ref_c):
            labels.append(label)
            continue
        if _close(h_next, ref_c) and _close(c_next, ref_h):
            raise _Fail(
                f"{name} returned (c_next, h_next); return (h_next, c_next), "
                "in the order PyTorch uses for (h, c)."
            )
        hint = _diagnose(
            (h_next, c_next),
            mistakes.lstm_mistakes(),
            lambda kw, args=args: mistakes.lstm_variant(*args.values(), **kw),
        )
        if _LARGE in label:
            fallback = _LARGE_FALLBACK
        elif _close(c_next, ref_c):
            fallback = (
                "c_next is right but h_next is not: h_next = o * tanh(c_next), "
                "with o the sigmoid of the fourth block."
            )
        else:
            fallback = (
                "none of the usual mistakes explains it. Compute the "
                "pre-activation a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh "
                "(B, 4H), split it into i, f, g, o blocks of H columns, then "
                "c_next = f * c + i * g and h_next = o * tanh(c_next)."
            )
        err = max(np.abs(h_next - ref_h).max(), np.abs(c_next - ref_c).max())
        outputs = [("h_next", h_next, ref_h), ("c_next", c_next, ref_c)]
        raise _wrong(name, label, err, hint, fallback, outputs)
    _report(name, labels)


@_exercise
def gru_step(fn):
    """Exercise 5.1: gru_step(x, h, params, reset_after=True) -> h_next (B, H).

    Both reset placements are checked on every case.
    """
    name, labels = "gru_step", []
    cases = itertools.chain(
        _step_cases("gru", seed=105), _large_step_cases("gru", seed=1105)
    )
    for label, args, dtype, H in cases:
        for reset_after in (True, False, None):  # None: the argument left out
            case = f"{label}, reset_after={reset_after}"
            kwargs = {"reset_after": reset_after}
            if reset_after is None:
                case, kwargs, reset_after = f"{label}, reset_after left out", {}, True
            result, _ = _call(fn, name, args, kwargs, case)
            _finite(name, case, {"h_next": result})
            B = args["x"].shape[0]
            h_next = _array(result, name, "h_next", (B, H), dtype, case, k=3)
            ref = cells.gru_step(**args, reset_after=reset_after)
            if not kwargs and not _close(h_next, ref):
                other = cells.gru_step(**args, reset_after=False)
                raise _Fail(
                    f"{name} gives other values with reset_after left out than with "
                    f"reset_after=True, on the hidden case {case}.\nHint: the "
                    "signature's default is reset_after=True (PyTorch's placement): "
                    "def gru_step(x, h, params, reset_after=True)."
                    + (
                        " Your default gives the values of reset_after=False."
                        if _close(h_next, other)
                        else ""
                    )
                )
            if not _close(h_next, ref):
                hint = _diagnose(
                    (h_next,),
                    mistakes.gru_mistakes(reset_after),
                    lambda kw, args=args, ra=reset_after: mistakes.gru_variant(
                        *args.values(), ra, **kw
                    ),
                )
                raise _wrong(
                    name,
                    case,
                    np.abs(h_next - ref).max(),
                    hint,
                    _LARGE_FALLBACK
                    if _LARGE in label
                    else "none of the usual mistakes explains it. Compare with "
                    "r = sigmoid(.), z = sigmoid(.), n = tanh(.) and "
                    "h_next = (1 - z) * n + z * h, block by block.",
                    [("h_next", h_next, ref)],
                )
            labels.append(case)
    _report(name, labels)


# ----------------------------------------------------------------------------------
# Notebooks 02 and 04: backward passes and clipping
# ----------------------------------------------------------------------------------


def _dparams(value, name, params, label, what="dparams", of="params"):
    """Check a returned dict of arrays: the keys, shapes and dtypes of `params`.

    what: the name of the returned dict in messages; of: the name of `params`.
    """
    if not isinstance(value, dict):
        raise _Fail(
            f"{name} returned {type(value).__name__} for {what}; return a dict "
            f"with the keys of {of}."
        )
    missing = [k for k in params if k not in value]
    if missing:
        raise _Fail(f"{what} from {name} lacks {missing}; it needs every key of {of}.")
    out = {}
    for key, p in params.items():
        g = value[key]
        if isinstance(g, np.ndarray) and g.shape != p.shape:
            if g.shape == p.shape[::-1]:
                raise _Fail(
                    f"{what}[{key!r}] from {name} has shape {g.shape}, the transpose "
                    f"of the weight's {p.shape}. A gradient has its parameter's shape: "
                    "dW = da.T @ x, (kH, B) @ (B, D)."
                )
            if p.ndim == 1 and g.ndim == 2:
                raise _Fail(
                    f"{what}[{key!r}] from {name} has shape {g.shape}: not summed "
                    "over the batch. db = da.sum(axis=0), shape (kH,)."
                )
        out[key] = _array(g, name, f"{what}[{key!r}]", p.shape, p.dtype, label)
    return out


def _flat(dx_like, dparams):
    return (*dx_like, *(dparams[k] for k in cells.PARAM_KEYS))


def _named(names, student, reference):
    """_flat's results as _wrong's outputs: [(name, student's, expected)]; names:
    the leading results' names, the parameter gradients follow in PARAM_KEYS order."""
    names = [*names, *(f"dparams[{k!r}]" for k in cells.PARAM_KEYS)]
    return list(zip(names, student, reference, strict=True))


def _parts_hint(student, reference, names, batch):
    """When only some results of a backward pass are wrong, say which (and spot a
    bias gradient averaged instead of summed). names: the leading results' names;
    the parameter gradients follow in PARAM_KEYS order. -> hint or None."""
    names = [*names, *(f"dparams[{k!r}]" for k in cells.PARAM_KEYS)]
    wrong = [
        n for n, s, r in zip(names, student, reference, strict=True) if not _close(s, r)
    ]
    if not wrong or len(wrong) == len(names):
        return None
    biases = [n for n in wrong if "bias" in n]
    if biases == wrong and all(
        _close(s * batch, r)
        for n, s, r in zip(names, student, reference, strict=True)
        if n in wrong
    ):
        return (
            "the bias gradients are means over the batch; the loss adds up the "
            "batch, so sum: db = da.sum(axis=0)."
        )
    verb = "is" if len(wrong) == 1 else "are"
    return f"only {', '.join(wrong)} {verb} wrong; everything else matches. " + (
        "A bias receives the batch sum of the gradient of the pre-activation "
        "it is added to, times anything that multiplies it on the way (for "
        "the GRU's b_hn, the reset gate r)."
        if biases == wrong
        else "Follow that result's own path back through the step."
    )


def _tuple(result, name, n, what):
    if result is None:
        raise _Fail(f"{name} returned None: did you forget `return {what}`?")
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = (
            f"{len(result)} items"
            if isinstance(result, (tuple, list))
            else f"a {type(result).__name__}"
        )
        raise _Fail(f"{name} returned {got}; it should return {what}.")
    return result


def _compare_all(student, reference):
    return all(_close(s, r) for s, r in zip(student, reference, strict=True))


def _max_err(student, reference):
    return max(
        float(np.abs(s - r).max()) for s, r in zip(student, reference, strict=True)
    )


_BACKWARD_FALLBACK = (
    "none of the usual mistakes explains it. Go backwards through the forward "
    "pass: each forward operation y = f(u) sends back du = dy * f'(u), a product "
    "y = u @ W.T sends back du = dy @ W and dW = dy.T @ u."
)


def _cell_step_case(fn, name, label, call, k, variant, catalogue, fallback):
    """One hidden case of an exercise step -> (h_next, c_next) of a k-block LSTM-like
    cell: call the student's function, validate, compare with variant(), the
    reference, and name the mistake with the catalogue of variant(**kwargs)."""
    B, H = call["h"].shape
    dtype = call["x"].dtype
    result, _ = _call(fn, name, call, {}, label)
    h_next, c_next = _tuple(result, name, 2, "(h_next, c_next)")
    _finite(name, label, {"h_next": h_next, "c_next": c_next})
    student = (
        _array(h_next, name, "h_next", (B, H), dtype, label, k=k),
        _array(c_next, name, "c_next", (B, H), dtype, label, k=k),
    )
    ref = variant()
    if not _compare_all(student, ref):
        hint = _diagnose(student, catalogue, lambda kw: variant(**kw))
        if _LARGE in label:  # right on the ordinary cases, wrong where they saturate
            fallback = _LARGE_FALLBACK
        outputs = list(zip(("h_next", "c_next"), student, ref, strict=True))
        raise _wrong(name, label, _max_err(student, ref), hint, fallback, outputs)


def _backward_case(
    fn,
    name,
    label,
    call,
    kwargs,
    shapes,
    params,
    reference,
    hints,
    fallback=_BACKWARD_FALLBACK,
):
    """One hidden case of a step-backward exercise: call the student's function,
    validate what it returns, compare with the reference, name the mistake.

    shapes: {name of each returned gradient before dparams: its shape};
    reference: (tuple of those gradients, dparams) from utils.cells;
    hints: (catalogue of mistakes, function of a mistake's kwargs -> the wrong
    (*gradients, dparams)); fallback: the hint when none of them explains it.
    """
    names, dtype = tuple(shapes), call["x"].dtype
    what = f"({', '.join(names)}, dparams)"
    result, _ = _call(fn, name, call, kwargs, label)
    *grads, dparams = _tuple(result, name, len(names) + 1, what)
    _finite(name, label, dict(zip(names, grads, strict=True)))  # large cases only
    if isinstance(dparams, dict):
        _finite(name, label, {f"dparams[{k!r}]": v for k, v in dparams.items()})
    grads = [
        _array(g, name, n, shape, dtype, label)
        for g, (n, shape) in zip(grads, shapes.items(), strict=True)
    ]
    student = _flat(grads, _dparams(dparams, name, params, label))
    expected = _flat(*reference)
    if _compare_all(student, expected):
        return
    catalogue, wrong = hints

    def variant(kw):
        *d, dp = wrong(kw)
        return _flat(d, dp)

    hint = _diagnose(student, catalogue, variant) or _parts_hint(
        student, expected, names, call["x"].shape[0]
    )
    outputs = _named(names, student, expected)
    err = _max_err(student, expected)
    raise _wrong(name, label, err, hint, fallback, outputs)


@_exercise
def rnn_step_backward(fn):
    """Exercise 2.1: rnn_step_backward(dh_next, x, h_prev, params)
    -> (dx (B, D), dh_prev (B, H), dparams)."""
    name, labels = "rnn_step_backward", []
    for label, args, dtype, H in _step_cases("rnn", seed=201):
        B = args["x"].shape[0]
        dh_next = np.random.default_rng(B * 7 + H).standard_normal((B, H)).astype(dtype)
        call = {"dh_next": dh_next, "x": args["x"], "h_prev": args["h"]}
        call["params"] = args["params"]
        _, _, cache = cells.rnn_forward(args["x"][None], args["params"], args["h"])
        rdx, rdp, rdh = cells.rnn_backward(dh_next[None], cache)
        _backward_case(
            fn,
            name,
            label,
            call,
            {},
            {"dx": args["x"].shape, "dh_prev": (B, H)},
            args["params"],
            ((rdx[0], rdh), rdp),
            (
                mistakes.rnn_step_backward_mistakes(),
                lambda kw, c=call: mistakes.rnn_step_backward_variant(
                    *c.values(), **kw
                ),
            ),
        )
        labels.append(label)
    _report(name, labels)


def _numerical_rnn_errors(student, call):
    """Relative errors of a student's RNN gradients against centred differences.

    student: (dx, dparams, dh0); call: the arguments dout, x, params, h0 (float64).
    """
    from .gradients import numerical_gradient, rel_error

    x, h0, dout = (np.array(call[k], dtype=np.float64) for k in ("x", "h0", "dout"))
    p = {k: np.array(v, dtype=np.float64) for k, v in call["params"].items()}
    targets = {"x": x, "h0": h0, **p}

    def loss():
        return float(np.sum(cells.rnn_forward(x, p, h0)[0] * dout))

    dx, dparams, dh0 = student
    analytic = {"x": dx, "h0": dh0, **dparams}
    return {
        k: rel_error(analytic[k], numerical_gradient(loss, t))
        for k, t in targets.items()
    }


@_exercise
def rnn_backward(fn):
    """Exercise 2.2: rnn_backward(dout (T, B, H), x (T, B, D), params, h0 (B, H))
    -> (dx, dparams, dh0), for the loss sum(out * dout)."""
    name, labels, numeric = "rnn_backward", [], None
    for label, args, dtype, H in _seq_cases("rnn", seed=202):
        T, B, _ = args["x"].shape
        rng = np.random.default_rng(T * 13 + B)
        h0 = args.get("h0", rng.uniform(-0.9, 0.9, (B, H)).astype(dtype))
        dout = rng.standard_normal((T, B, H)).astype(dtype)
        call = {"dout": dout, "x": args["x"], "params": args["params"], "h0": h0}
        label = label.replace(", h0 omitted", "")
        result, _ = _call(fn, name, call, {}, label)
        dx, dparams, dh0 = _tuple(result, name, 3, "(dx, dparams, dh0)")
        dx = _array(dx, name, "dx", args["x"].shape, dtype, label)
        dh0 = _array(dh0, name, "dh0", (B, H), dtype, label)
        dparams = _dparams(dparams, name, args["params"], label)
        _, _, cache = cells.rnn_forward(args["x"], args["params"], h0)
        rdx, rdp, rdh0 = cells.rnn_backward(dout, cache)
        student, reference = _flat((dx, dh0), dparams), _flat((rdx, rdh0), rdp)
        if not _compare_all(student, reference):

            def variant(kw, call=call):
                dx_, dp_, dh0_ = mistakes.rnn_backward_variant(*call.values(), **kw)
                return _flat((dx_, dh0_), dp_)

            hint = _diagnose(
                student, mistakes.rnn_backward_mistakes(), variant
            ) or _parts_hint(student, reference, ("dx", "dh0"), B)
            raise _wrong(
                name,
                label,
                _max_err(student, reference),
                hint,
                "none of the usual mistakes explains it; check rnn_step_backward "
                "first, then how the loop carries dh and adds up dparams.",
                _named(("dx", "dh0"), student, reference),
            )
        if numeric is None and dtype == np.float64:
            numeric = _numerical_rnn_errors((dx, dparams, dh0), call)
        labels.append(label)
    _report(name, labels)
    print(
        f"Against centred differences (float64): largest relative error "
        f"{max(numeric.values()):.1e} over x, h0 and every parameter."
    )


def _clip_grads(rng, dtype, scale=1.0, norms=None):
    """Random gradients of the clip cases; norms: each array's exact norm."""
    shapes = {
        "weight_ih_l0": (8, 3),
        "weight_hh_l0": (8, 2),
        "bias_ih_l0": (8,),
        "bias_hh_l0": (8,),
    }
    grads = {k: scale * rng.standard_normal(s) for k, s in shapes.items()}
    if norms is not None:
        pairs = zip(grads.items(), norms, strict=True)
        grads = {k: g * (n / np.linalg.norm(g)) for (k, g), n in pairs}
    return {k: g.astype(dtype) for k, g in grads.items()}


def _clip_case(grads, max_norm, what):
    norm = mistakes._global_norm(grads)
    word = "above" if norm > max_norm else "below" if norm < max_norm else "equal to"
    dtype = next(iter(grads.values())).dtype
    label = f"{dtype.name}, norm {norm:.6g} {word} max_norm {max_norm:g}"
    return (label + (f" ({what})" if what else ""), grads, max_norm)


def _clip_cases():
    """Both sides of the threshold, near it and at it, where the squared norm and
    the norm fall on different sides of max_norm, and float32 squares that
    overflow. The first case is below max_norm, so that a mistake that only
    shows above it is told apart from one that only shows below."""
    first = _clip_grads(np.random.default_rng(204), np.float64, 0.05)
    cases = [_clip_case(first, 1.0, "")]
    rng = np.random.default_rng(203)
    for scale, max_norm, dtype in (
        (3.0, 1.0, np.float64),
        (0.05, 1.0, np.float64),
        (10.0, 5.0, np.float32),
        (1.0, 0.5, np.float64),
    ):
        cases.append(_clip_case(_clip_grads(rng, dtype, scale), max_norm, ""))
    rng = np.random.default_rng(205)
    f64 = np.float64
    for norms, max_norm, what in (
        ((1.01,) * 4, 2.0, "just above, while every array's norm is below it"),
        ((2.0, 1.5, 1.2, 1.0), 3.0, "just below"),
        ((2.4, 1.2, 0.9, 0.6), 4.0, "where the squared norm is above max_norm"),
        ((0.3, 0.2, 0.1, 0.1), 0.25, "where the squared norm is below max_norm"),
    ):
        grads = _clip_grads(rng, f64, norms=norms)
        cases.append(_clip_case(grads, max_norm, what))
    grads = _clip_grads(rng, f64)
    cases.append(_clip_case(grads, mistakes._global_norm(grads), ""))
    cases.append(_clip_case(_clip_grads(rng, np.float32, 0.05), 1.0, ""))
    cases.append(
        _clip_case(
            _clip_grads(rng, np.float32, 1e20),
            1.0,
            "values of 1e20, whose squares overflow float32",
        )
    )
    yield from cases


def _clip_close(a, b):
    rtol = 2e-5 if np.dtype(b.dtype) == np.float64 else 1e-4
    with np.errstate(all="ignore"):
        return a.shape == b.shape and np.allclose(
            a, b, rtol=rtol, atol=1e-9 * float(np.abs(b).max(initial=0.0))
        )


def _clip_matches(student, grads, max_norm, kw):
    """Does the clip mistake kw reproduce (clipped, norm) on this case?"""
    with np.errstate(all="ignore"):
        out, n = mistakes.clip_variant(grads, max_norm, **kw)
    clipped, norm = student
    same_norm = np.isclose(norm, n, rtol=1e-5) or (np.isinf(norm) and np.isinf(n))
    return same_norm and all(
        _clip_close(clipped[k], np.asarray(out[k], dtype=clipped[k].dtype))
        for k in grads
    )


def _clip_results(fn, name):
    """The student's (clipped, norm) on every clip case where it returns a valid
    one: [(result, grads, max_norm)]."""
    out = []
    for label, grads, max_norm in _clip_cases():
        args = {"grads": grads, "max_norm": max_norm}
        try:
            with np.errstate(all="ignore"):
                result, _ = _call(fn, name, args, {}, label)
            clipped, norm = result
            clipped = {k: np.asarray(clipped[k]) for k in grads}
            if all(clipped[k].shape == g.shape for k, g in grads.items()):
                out.append(((clipped, float(norm)), grads, max_norm))
        except Exception:  # noqa: BLE001 - a case it fails on says nothing here
            continue
    return out


def _clip_hint(fn, name, student, grads, max_norm):
    """The hint of the clip mistake that gives the student's result on this case;
    where several do, the one that also gives it on the most other cases (so that
    mistakes which agree on one case are told apart by another); None if none,
    or if that does not single one out."""
    found = [
        (kw, hint)
        for kw, hint in mistakes.clip_mistakes()
        if _clip_matches(student, grads, max_norm, kw)
    ]
    if len({hint for _, hint in found}) > 1:
        others = _clip_results(fn, name)
        score = {
            hint: sum(_clip_matches(r, g, m, kw) for r, g, m in others)
            for kw, hint in found
        }
        best = max(score.values())
        found = [(kw, hint) for kw, hint in found if score[hint] == best]
    hints = {hint for _, hint in found}
    return hints.pop() if len(hints) == 1 else None


@_exercise
def clip_by_norm(fn):
    """Exercise 2.3: clip_by_norm(grads, max_norm) -> (clipped dict, total_norm)."""
    name, labels = "clip_by_norm", []
    for label, grads, max_norm in _clip_cases():
        result, _ = _call(fn, name, {"grads": grads, "max_norm": max_norm}, {}, label)
        clipped, norm = _tuple(result, name, 2, "(clipped, total_norm)")
        if isinstance(clipped, dict):
            bad = [
                k
                for k, v in clipped.items()
                if isinstance(v, np.ndarray)
                and np.issubdtype(v.dtype, np.floating)
                and not np.isfinite(v).all()
            ]
            if bad:
                raise _Fail(
                    f"{name} returned inf or NaN in clipped[{bad[0]!r}] on the hidden "
                    f"case {label}. Did the norm overflow, or divide by 0?"
                )
        clipped = _dparams(clipped, name, grads, label, what="clipped", of="grads")
        ref, ref_norm = mistakes.clip_variant(grads, max_norm)
        try:
            norm = float(norm)
        except (TypeError, ValueError):
            raise _Fail(
                f"{name} returned {type(norm).__name__} for total_norm; return "
                "a number."
            ) from None
        if _clip_matches((clipped, norm), grads, max_norm, {}):
            labels.append(label)
            continue
        hint = _clip_hint(fn, name, (clipped, norm), grads, max_norm)
        unscaled = [
            k for k in grads if ref_norm > max_norm and _close(clipped[k], grads[k])
        ]
        if hint is None and not np.isfinite(norm):
            hint = (
                "your total_norm is not finite: in float32 the squares of large "
                "gradients overflow (1e20 squared is 1e40, above float32's 3.4e38); "
                "sum the squares in float64: np.sum(g.astype(np.float64) ** 2)."
            )
        elif hint is None and np.isclose(norm, ref_norm**2, rtol=1e-5):
            hint = (
                "your total_norm is the sum of squares: the norm is its square "
                "root, np.sqrt(sum of squares)."
            )
        elif hint is None and unscaled:
            hint = (
                f"the norm is above max_norm, yet {', '.join(unscaled)} came "
                "back unscaled: every array is multiplied by the same factor "
                "max_norm / norm."
            )
        raise _Fail(
            f"{name} is wrong on the hidden case {label} (total_norm: yours "
            f"{norm:.6g}, expected {ref_norm:.6g}).\nHint: "
            + (
                hint
                or "if the global norm exceeds max_norm, multiply every array "
                "by max_norm / norm; otherwise return the gradients unchanged."
            )
        )
    _report(name, labels)


# ----------------------------------------------------------------------------------
# Notebook 03: the LSTM forward pass and a memory puzzle
# ----------------------------------------------------------------------------------


def _lstm_seq_cases(seed):
    """The sequence cases of lstm_forward: _seq_cases's, then each of h0 and c0
    left out alone (passed as None, or omitted) and both omitted in float32."""
    yield from _seq_cases("lstm", seed)
    rng = np.random.default_rng(seed + 1000)
    for T, B, D, H, dtype, given in (
        (3, 2, 3, 4, np.float32, ()),
        (4, 3, 2, 5, np.float64, ("c0",)),
        (3, 2, 4, 3, np.float32, ("c0",)),
        (4, 2, 3, 5, np.float64, ("h0",)),
        (3, 3, 5, 2, np.float32, ("h0",)),
    ):
        args = {
            "x": rng.standard_normal((T, B, D)).astype(dtype),
            "params": _random_params("lstm", D, H, dtype, rng),
        }
        h0 = rng.uniform(-0.9, 0.9, (B, H)).astype(dtype)
        c0 = rng.standard_normal((B, H)).astype(dtype)
        if given == ("c0",):
            args.update(h0=None, c0=c0)  # positional, as lstm_forward(x, p, None, c0)
            extra = ", h0 omitted (None), c0 given"
        elif given == ("h0",):
            args["h0"] = h0
            extra = ", h0 given, c0 omitted"
        else:
            extra = ", h0 and c0 omitted"
        yield _label(dtype, T=T, B=B, D=D, H=H) + extra, args, np.dtype(dtype), H


@_exercise
def lstm_forward(fn):
    """Exercise 3.2: lstm_forward(x, params, h0=None, c0=None) -> out, (h_n, c_n)."""
    name, labels = "lstm_forward", []
    for label, args, dtype, H in _lstm_seq_cases(seed=302):
        result, _ = _call(fn, name, args, {}, label)
        out, last = _tuple(result, name, 2, "(out, (h_n, c_n))")
        h_n, c_n = _tuple(last, name, 2, "(out, (h_n, c_n)) with the pair (h_n, c_n)")
        T, B, _ = args["x"].shape
        out = _array(out, name, "out", (T, B, H), dtype, label)
        h_n = _array(h_n, name, "h_n", (B, H), dtype, label)
        c_n = _array(c_n, name, "c_n", (B, H), dtype, label)
        ref_out, (ref_h, ref_c), cache = cells.lstm_forward(**args)
        student, reference = (out, h_n, c_n), (ref_out, ref_h, ref_c)
        if _compare_all(student, reference):
            labels.append(label)
            continue
        if _close(h_n, ref_c) and _close(c_n, ref_h):
            raise _Fail(f"{name} returned (out, (c_n, h_n)); the pair is (h_n, c_n).")
        if _close(out, ref_out) and not (_close(h_n, ref_h) and _close(c_n, ref_c)):
            which = "h_n" if not _close(h_n, ref_h) else "c_n"
            raise _Fail(
                f"{name}: out is right but {which} is not: h_n and c_n are the hidden "
                "and cell states after the *last* step (h_n equals out[-1])."
            )
        p, zeros = args["params"], np.zeros((B, H), dtype)
        h0, c0 = args.get("h0"), args.get("c0")
        given = [k for k, v in (("h0", h0), ("c0", c0)) if v is not None]
        h0 = zeros if h0 is None else h0
        c0 = zeros if c0 is None else c0
        separately = (
            " Here h0 is None but c0 is given: test each of them for None separately."
            if given == ["c0"]
            else ""
        )
        starts = [
            (
                {"h0": zeros, "c0": zeros},
                "your loop ignores h0 and c0 and starts from "
                "zeros; start from them when they are given.",
            ),
            (
                {"h0": zeros},
                "your loop ignores h0 and starts the hidden state from zeros; "
                "start from h0 when it is given.",
            ),
            (
                {"c0": zeros},
                "your loop ignores c0 and starts the cell from zeros." + separately,
            ),
        ]
        backwards = (
            "your loop runs backwards in time, from x[T-1] to x[0]; the LSTM reads "
            "the sequence forwards: for t in range(T), and out[t] is the state "
            "after x[0] ... x[t]."
        )
        candidates = [
            (
                {"c_reset": True},
                "the cell state is not carried: each step must start "
                "from the previous step's c, not from c0.",
            ),
            *((kw, hint) for kw, hint in starts if set(kw) <= set(given)),
            ({"reverse": "store"}, backwards),
            ({"reverse": "append"}, backwards),
            (
                {"out_c": True},
                "out holds the cell states; like PyTorch's, it holds "
                "the hidden states h_1 ... h_T.",
            ),
            (
                {"shift": True},
                "out is shifted by one step: out[t] is the state after input x[t].",
            ),
        ] + [
            ({"step": kw}, "your steps are wrong: " + hint)
            for kw, hint in mistakes.lstm_mistakes()
        ]

        def variant(kw, x=args["x"], h0=h0, c0=c0, p=p):
            h, c, hs, cs = kw.get("h0", h0), kw.get("c0", c0), [], []
            for x_t in x[::-1] if kw.get("reverse") else x:
                h, c = mistakes.lstm_variant(
                    x_t,
                    h,
                    kw.get("c0", c0) if kw.get("c_reset") else c,
                    p,
                    **kw.get("step", {}),
                )
                hs.append(h)
                cs.append(c)
            if kw.get("reverse") == "store":  # out[t] = h for t = T-1 ... 0
                hs, cs = hs[::-1], cs[::-1]
            seq = np.stack(cs if kw.get("out_c") else hs)
            if kw.get("shift"):
                seq = np.concatenate([kw.get("h0", h0)[None], seq[:-1]])
            return seq, h, c

        hint = _diagnose(student, candidates, variant)
        raise _wrong(
            name,
            label,
            _max_err(student, reference),
            hint,
            "none of the usual mistakes explains it; check lstm_step first, "
            "then that the loop carries both h and c.",
            list(zip(("out", "h_n", "c_n"), student, reference, strict=True)),
        )
    _report(name, labels)


def pulse_memory_run(b_f, w_i, b_i, x):
    """A one-unit LSTM cell with o = 1, g = tanh(2 x), i = sigma(w_i x + b_i) and a
    constant forget gate f = sigma(b_f), from c_0 = 0 -> c (T,), c[t] after x[t]."""
    f, c, cs = cells.sigmoid(np.float64(b_f)), 0.0, np.empty(len(x))
    for t, x_t in enumerate(x):
        c = f * c + cells.sigmoid(w_i * x_t + b_i) * np.tanh(2 * x_t)
        cs[t] = c
    return cs


def pulse_memory_inputs():
    """The two input sequences of exercise 3.3: (with the pulse, noise only), (51,)."""
    noise = np.random.default_rng(303).uniform(-0.3, 0.3, 51)
    noise[0] = 0.0
    return np.r_[1.0, noise[1:]], noise


@_exercise
def pulse_memory(fn):
    """Exercise 3.3: fn() -> (b_f, w_i, b_i) so the cell keeps a pulse for 50 steps.

    With a pulse x = 1 at t = 0 and noise |x| <= 0.3 after it, c_t must stay in
    [0.5, 1.5] for t = 1 ... 50; with the noise alone, |c_t| < 0.25.
    """
    name = "pulse_memory"
    result, _ = _call(fn, name, {}, {}, "the pulse simulation")
    try:
        b_f, w_i, b_i = (float(v) for v in result)
    except (TypeError, ValueError):
        raise _Fail(
            f"{name} should return three numbers (b_f, w_i, b_i), got {result!r}."
        ) from None
    if not all(np.isfinite([b_f, w_i, b_i])):
        raise _Fail(f"{name} returned a non-finite number: {(b_f, w_i, b_i)}.")
    with_pulse, noise_only = pulse_memory_inputs()
    kept = pulse_memory_run(b_f, w_i, b_i, with_pulse)[1:]
    quiet = pulse_memory_run(b_f, w_i, b_i, noise_only)
    f = float(cells.sigmoid(np.float64(b_f)))
    written = float(cells.sigmoid(w_i + b_i) * np.tanh(2.0))
    leak = float(cells.sigmoid(0.3 * abs(w_i) + b_i))
    if np.abs(quiet).max() >= 0.25:
        raise _Fail(
            f"the noise alone moves the cell to {quiet[np.abs(quiet).argmax()]:+.3f}.\n"
            f"Hint: the input gate is open for small inputs (i = sigma(0.3 w_i + b_i) "
            f"= {leak:.3f} at |x| = 0.3). Make b_i negative enough to shut it for "
            "|x| <= 0.3 while w_i + b_i stays large for the pulse."
        )
    if kept.min() < 0.5 or kept.max() > 1.5:
        t = int(np.argmax((kept < 0.5) | (kept > 1.5))) + 1
        # with the same noise after the pulse, c_t = f^t c_0 + (the noise's c_t)
        gate = (
            f"the input gate lets in only i = {cells.sigmoid(w_i + b_i):.3f} of "
            f"the pulse (c_0 = {written:.3f}); make w_i + b_i large."
        )
        forget = (
            f"the forget gate f = sigma(b_f) = {f:.4f} keeps f^50 = {f**50:.3g} "
            "of the pulse after 50 steps; raise b_f until f^50 c_0 > 0.5"
        )
        if f**50 * np.tanh(2.0) < 0.5:  # even a fully open input gate would fail
            why = forget + (
                f". The input gate also lets in only i = "
                f"{cells.sigmoid(w_i + b_i):.3f} of the pulse (c_0 = {written:.3f})."
                if written < 0.6
                else f" (c_0 = {written:.3f})."
            )
        elif f**50 * written < 0.5:
            why = gate if written < 0.6 else f"{forget}, or write more of it: {gate}"
        else:  # the pulse alone would stay above 0.5: the noise pulled c down
            why = (
                f"f^50 c_0 = {f**50 * written:.3f} would stay above 0.5, but the noise "
                f"adds {quiet[t]:+.3f} by step {t}; shut the input gate for "
                "|x| <= 0.3 (b_i more negative)."
            )
        raise _Fail(
            f"with the pulse, c is {kept[t - 1]:+.3f} at step {t}, outside "
            f"[0.5, 1.5].\nHint: {why}"
        )
    print(
        f"check.{name}: the pulse is written (c_0 = {written:.3f}) and kept "
        f"(c stays in [{kept.min():.3f}, {kept.max():.3f}] for 50 steps, f = {f:.4f}); "
        f"the noise alone moves c at most {np.abs(quiet).max():.3f}."
    )
    print(f"All correct: {name} passes.")


@_exercise
def lstm_step_backward(fn):
    """Exercise 4.1: lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, params)
    -> (dx, dh_prev, dc_prev, dparams)."""
    name, labels = "lstm_step_backward", []
    cases = itertools.chain(
        _step_cases("lstm", seed=401), _large_step_cases("lstm", seed=1401)
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        rng = np.random.default_rng(B * 11 + H)
        dh_next, dc_next = (rng.standard_normal((B, H)).astype(dtype) for _ in range(2))
        call = {"dh_next": dh_next, "dc_next": dc_next, "x": args["x"]}
        call.update(h_prev=args["h"], c_prev=args["c"], params=args["params"])
        _, _, cache = cells.lstm_forward(
            args["x"][None], args["params"], args["h"], args["c"]
        )
        rdx, rdp, rdh, rdc = cells.lstm_backward(None, cache, dh_next, dc_next)
        _backward_case(
            fn,
            name,
            label,
            call,
            {},
            {"dx": args["x"].shape, "dh_prev": (B, H), "dc_prev": (B, H)},
            args["params"],
            ((rdx[0], rdh, rdc), rdp),
            (
                mistakes.lstm_step_backward_mistakes(),
                lambda kw, c=call: mistakes.lstm_step_backward_variant(
                    *c.values(), **kw
                ),
            ),
            _LARGE_FALLBACK if _LARGE in label else _BACKWARD_FALLBACK,
        )
        labels.append(label)
    _report(name, labels)


# ----------------------------------------------------------------------------------
# Notebook 05: the GRU backward step and parameter counts
# ----------------------------------------------------------------------------------


@_exercise
def gru_step_backward(fn):
    """Exercise 5.2: gru_step_backward(dh_next, x, h_prev, params, reset_after=True)
    -> (dx, dh_prev, dparams), for both reset placements."""
    name, labels = "gru_step_backward", []
    cases = itertools.chain(
        _step_cases("gru", seed=502), _large_step_cases("gru", seed=1502)
    )
    default = (
        "the signature's default is reset_after=True (PyTorch's placement): "
        "def gru_step_backward(dh_next, x, h_prev, params, reset_after=True)."
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        dh_next = np.random.default_rng(B * 5 + H).standard_normal((B, H)).astype(dtype)
        call = {"dh_next": dh_next, "x": args["x"], "h_prev": args["h"]}
        call["params"] = args["params"]
        for reset_after in (True, False, None):  # None: the argument left out
            case = f"{label}, reset_after={reset_after}"
            kwargs = {"reset_after": reset_after}
            catalogue = mistakes.gru_step_backward_mistakes(reset_after)
            fallback = _LARGE_FALLBACK if _LARGE in label else _BACKWARD_FALLBACK
            if reset_after is None:  # its explicit True and False cases passed
                case, kwargs, reset_after = f"{label}, reset_after left out", {}, True
                catalogue = [
                    (
                        {"placement": "before"},
                        "with reset_after left out your function gives the values "
                        "of reset_after=False; " + default,
                    )
                ]
                fallback = (
                    "with reset_after left out your function gives other values "
                    "than with reset_after=True; " + default
                )
            _, _, cache = cells.gru_forward(
                args["x"][None], args["params"], args["h"], reset_after=reset_after
            )
            rdx, rdp, rdh = cells.gru_backward(dh_next[None], cache)
            _backward_case(
                fn,
                name,
                case,
                call,
                kwargs,
                {"dx": args["x"].shape, "dh_prev": (B, H)},
                args["params"],
                ((rdx[0], rdh), rdp),
                (
                    catalogue,
                    lambda kw, c=call, ra=reset_after: (
                        mistakes.gru_step_backward_variant(
                            *c.values(), reset_after=ra, **kw
                        )
                    ),
                ),
                fallback,
            )
            labels.append(case)
    _report(name, labels)


# D != H both ways round, and shapes on which no two of the mistakes guessed
# below give the same count (they do at D = 3, H = 5, or D = 10, H = 32)
_PC_SHAPES = ((3, 8), (16, 32), (64, 128), (100, 64))
# (kind, D, H); the last has more than 2**31 - 1 parameters.
_PARAM_COUNT_CASES = (
    *((kind, D, H) for kind in ("rnn", "lstm", "gru") for D, H in _PC_SHAPES),
    ("lstm", 20000, 30000),
)


def _param_count_guesses(kind, D, H):
    """[(a wrong count, the mistake that gives it)], for the case given."""
    k = cells.N_BLOCKS[kind]
    guesses = [
        (k * (H * D + H * H), "you left out the biases"),
        (k * (H * D + H * H + H), "PyTorch has two bias vectors: b_ih, b_hh"),
        (
            H * D + H * H + 2 * H,
            f"a {kind.upper()} stacks {k} blocks (one per gate or candidate); "
            "multiply by k",
        ),
        (k * (H * D + D * D + 2 * H), "W_hh is (kH, H): H * H per block, not D * D"),
        (k * (2 * H * D + 2 * H), "W_hh is (kH, H): H * H per block, not H * D"),
        (
            k * (H * D + 2 * H),
            "you left out W_hh: each block has H * D input weights and H * H "
            "recurrent ones",
        ),
        (
            k * (H * D + H * H) + 2 * H,
            "the biases are stacked like the weights: b_ih and b_hh are each "
            "(kH,), so the biases add k * 2H",
        ),
    ] + [
        (
            b * (H * D + H * H + 2 * H),
            "wrong number of blocks: the LSTM has 4 (i, f, g, o), the GRU 3 "
            "(r, z, n), the RNN 1",
        )
        for b in (2, 3, 4, 5)
        if b != k
    ]
    true = k * (H * D + H * H + 2 * H)
    return [(value, text) for value, text in guesses if value != true]


@_exercise
def param_count(fn):
    """Exercise 5.3: param_count(kind, D, H) -> the number of parameters of a
    single-layer PyTorch RNN, LSTM or GRU (kind 'rnn', 'lstm', 'gru')."""
    name, labels = "param_count", []
    for kind, D, H in _PARAM_COUNT_CASES:
        label = f"{kind}, D={D}, H={H}"
        result, _ = _call(fn, name, {"kind": kind, "D": D, "H": H}, {}, label)
        if D * H < 10**6:  # count a real parameter dict
            rng = np.random.default_rng(0)
            true = sum(v.size for v in cells.init_params(kind, D, H, rng).values())
        else:  # too big to allocate: the same shapes, multiplied out in Python ints
            kH = cells.N_BLOCKS[kind] * H
            true = kH * D + kH * H + kH + kH
        if isinstance(result, (bool, np.bool_)):
            raise _Fail(
                f"{name} returned a bool, {result}, for {label}; return the number "
                "of parameters, an int."
            )
        if isinstance(result, (float, np.floating)):
            raise _Fail(
                f"{name}({kind!r}, {D}, {H}) returned a float, {result!r}; a count "
                "is an int. Use integer arithmetic (// rather than /, no float()), "
                "or convert the result with int(...)."
            )
        if not isinstance(result, (int, np.integer)):
            raise _Fail(
                f"{name} returned {type(result).__name__} for {label}; "
                "return an integer."
            )
        if result != true:
            k = cells.N_BLOCKS[kind]
            if true > 2**31 - 1 and (int(result) - true) % 2**32 == 0:
                hint = (
                    "the count overflowed 32-bit integers: np.int32 holds at most "
                    f"2**31 - 1 = {2**31 - 1}, and this count is {true}. Compute "
                    "with Python ints (D, H and their products are), not with "
                    "np.int32 arrays"
                )
            else:
                texts = {t for v, t in _param_count_guesses(kind, D, H) if v == result}
                hint = (
                    texts.pop()
                    if len(texts) == 1
                    else f"the count is k (H D + H H + 2 H) with k = {k} for {kind}"
                )
            raise _Fail(
                f"{name}({kind!r}, {D}, {H}) returned {result}, but the "
                f"parameter dict has {true} numbers.\nHint: {hint}."
            )
        labels.append(label)
    _report(name, labels)


# ----------------------------------------------------------------------------------
# Notebook 06: a coupled input-forget gate LSTM
# ----------------------------------------------------------------------------------


def _cifg_cases():
    """(label, {x, h, c, params}) of the CIFG step."""
    cases = itertools.chain(  # 3-block params
        _step_cases("gru", seed=601), _large_step_cases("gru", seed=1601)
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        c = np.random.default_rng(B + H).standard_normal((B, H)).astype(dtype)
        if _LARGE in label:  # a cell state in the hundreds: tanh(c_next) saturates
            c[1] *= 150
        yield label, {"x": args["x"], "h": args["h"], "c": c, "params": args["params"]}


@_exercise
def cifg_step(fn):
    """Exercise 6.1: cifg_step(x, h, c, params) -> (h_next, c_next) for an LSTM whose
    input gate is 1 - f; params have 3 blocks (forget, cell candidate, output)."""
    name, labels = "cifg_step", []
    for label, call in _cifg_cases():
        _cell_step_case(
            fn,
            name,
            label,
            call,
            3,
            lambda given=call, **kw: mistakes.cifg_variant(*given.values(), **kw),
            mistakes.cifg_mistakes(),
            "compute a = x W_ih^T + b_ih + h W_hh^T + b_hh, split it into "
            "f, g, o; c_next = f * c + (1 - f) * g; h_next = o * "
            "tanh(c_next).",
        )
        labels.append(label)
    _report(name, labels)


# ----------------------------------------------------------------------------------
# Notebook 07: a character-level language model
# ----------------------------------------------------------------------------------


def _softmax_cases():
    # square first: a sum or max without keepdims then gives wrong values (with
    # its hint) rather than a broadcast error
    square = 3 * np.random.default_rng(700).standard_normal((5, 5))
    yield "float64, 5 rows of 5, temperature 0.5", square, 0.5
    rng = np.random.default_rng(701)
    yield "float64, 4 rows of 7, temperature 1", 3 * rng.standard_normal((4, 7)), 1.0
    yield "float64, 3 rows of 5, temperature 0.5", 3 * rng.standard_normal((3, 5)), 0.5
    z = (3 * rng.standard_normal((2, 6))).astype(np.float32)
    yield "float32, 2 rows of 6, temperature 2", z, 2.0
    # 3-D before 1-D: an axis=1 written for 2-D logits shows as wrong values here
    z3 = 2 * np.random.default_rng(706).standard_normal((2, 3, 5))
    yield "float64, (2, 3, 5) logits, temperature 0.8", z3, 0.8
    yield "float64, one row of 9, temperature 0.7", rng.standard_normal(9), 0.7
    big = np.array([[900.0, 1000.0, -50.0, 0.0], [0.0, 10.0, 20.0, 30.0]])
    yield "float64, logits up to 1000, temperature 0.1", big, 0.1
    # logits / temperature up to 2000: exp overflows float32 above about 88
    big32 = np.array([[100, 95, -100, 0], [0, 1, 2, 3], [-5, 5, 2, 80]], np.float32)
    yield "float32, logits up to 100, temperature 0.05", big32, 0.05


_EXP_OVERFLOW = (
    "Hint: np.exp overflows above about 709 (float64) or 88 (float32), and "
    "logits / temperature gets large at low temperatures. Subtract each row's "
    "largest value first: softmax is unchanged when every entry of a row moves by "
    "the same amount, and then exp is at most 1."
)


@_exercise
def softmax_temperature(fn):
    """Exercise 7.1: softmax_temperature(logits, temperature) -> probabilities over
    the last axis of logits / temperature."""
    name, labels = "softmax_temperature", []
    for label, z, T in _softmax_cases():
        result, caught = _call(fn, name, {"logits": z, "temperature": T}, {}, label)
        if caught:
            raise _Fail(
                f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
                + _EXP_OVERFLOW
            )
        result = _array(result, name, "the probabilities", z.shape, z.dtype, label)
        ref = charlm.softmax_temperature(z, T)
        if not _close(result, ref):
            hint = None
            for variant, text in mistakes.softmax_temperature_mistakes():
                try:
                    with np.errstate(all="ignore"):
                        guess = variant(z.astype(np.float64), T)
                except (ValueError, IndexError):  # cannot happen on this shape
                    continue
                if guess.shape == ref.shape and _close(result, guess.astype(z.dtype)):
                    hint = text
                    break
            sums = result.sum(axis=-1)
            if hint is None and not np.allclose(sums, 1, rtol=0, atol=1e-3):
                row = np.unravel_index(np.abs(sums - 1).argmax(), sums.shape)
                hint = (
                    f"your probabilities do not sum to 1 over the last axis (row "
                    f"{tuple(int(r) for r in row)} sums to {float(sums[row]):.4g}): "
                    "divide the exponentials by their sum over that axis, after "
                    "every other step."
                )
            raise _wrong(
                name,
                label,
                _max_err((result,), (ref,)),
                hint,
                "divide the logits by the temperature, subtract each row's maximum, "
                "exponentiate and divide by the row's sum (axis=-1, keepdims=True).",
                [("the probabilities", result, ref)],
            )
        labels.append(label)
    _report(name, labels)


def _bpc_cases():
    rng = np.random.default_rng(702)
    yield "float64, 20 characters, vocabulary 7", 3 * rng.standard_normal((20, 7)), 7
    z = (2 * rng.standard_normal((13, 5))).astype(np.float32)
    yield "float32, 13 characters, vocabulary 5", z, 5
    big = np.array([[1000.0, 0, -1000], [0, 800, 0], [-900, 0, 900], [5, 5, 5]])
    yield "float64, logits up to 1000", big, 3
    # exp(100) overflows float32 (above about 88); rows of 4 with N = 6 != V
    big32 = 100 * np.random.default_rng(707).uniform(-1, 1, (6, 4))
    yield "float32, logits up to 100", big32.astype(np.float32), 4


@_exercise
def bits_per_char(fn):
    """Exercise 7.2: bits_per_char(logits (N, V), targets (N,)) -> the mean of
    -log2 softmax(logits[n])[targets[n]]."""
    name, labels = "bits_per_char", []
    for i, (label, z, V) in enumerate(_bpc_cases()):
        y = np.random.default_rng(703 + i).integers(0, V, len(z))
        y[0] = z[0].argmin()  # a surprise, so that the argmax mistake shows
        result, caught = _call(fn, name, {"logits": z, "targets": y}, {}, label)
        if caught:
            raise _Fail(
                f"{name} raised a RuntimeWarning on {label}: {caught[0].message}.\n"
                "Hint: compute log-probabilities as z - log(sum(exp(z))) with z = "
                "logits minus each row's maximum (the log-sum-exp trick): exp then "
                "never overflows and log never sees 0."
            )
        if isinstance(result, np.ndarray) and result.ndim == 1:
            raise _Fail(
                f"{name} returned an array of shape {result.shape} on {label}; return "
                "one number, the mean over the characters."
            )
        try:
            value = float(result)
        except (TypeError, ValueError):
            raise _Fail(
                f"{name} returned {type(result).__name__}; return a number."
            ) from None
        zz = z.astype(np.float64)
        ref = float(-mistakes._log2_softmax_at(zz, y).mean())
        tol = 1e-6 if z.dtype == np.float64 else 1e-4
        if not np.isfinite(value) or not np.isclose(value, ref, rtol=tol, atol=tol):
            hint = None
            for variant, text in mistakes.bits_per_char_mistakes():
                try:
                    with np.errstate(all="ignore"):
                        guess = float(variant(zz, y))
                except (ValueError, IndexError):  # cannot happen on this shape
                    continue
                if np.isfinite(value) and np.isclose(value, guess, rtol=tol, atol=tol):
                    hint = text
                    break
            raise _Fail(
                f"{name} gives {value:.6g} on the hidden case {label}; the answer is "
                f"{ref:.6g}.\nHint: "
                + (
                    hint
                    or "log-softmax each row, pick the entry of the true next "
                    "character, negate, average, and divide by ln 2."
                )
            )
        labels.append(label)
    _report(name, labels)


_LINE_TEXT = (
    "PROSPERO:\nNow does my project gather to a head:\nMy charms crack not; my "
    "spirits obey; and time\nGoes upright with his carriage. How's the day?\n\n"
    "ARIEL:\nOn the sixth hour; at which time, my lord,\nYou said our work should "
    "cease.\n\nPROSPERO:\nI did say so,\nWhen first I raised the tempest.\n"
)


def _line_cell_cases():
    """(label, states, text, answer, {mistake: the cell it picks})."""
    text = _LINE_TEXT
    N = len(text)
    pos = charlm.line_position(text)
    t = np.arange(N, dtype=float)
    newline = np.array([c == "\n" for c in text], dtype=float)
    # the position recorded after the counter moved: 0 at the newline, then 1, 2..
    late = np.empty(N)
    late[0] = 0 if text[0] == "\n" else 1
    for t in range(1, N):
        late[t] = 0 if text[t] == "\n" else late[t - 1] + 1
    for H, seed in ((12, 704), (9, 705)):
        rng = np.random.default_rng(seed)
        states = 0.3 * rng.standard_normal((N, H))
        cells_ = rng.permutation(H)[:7]
        answer, positive, covariance, indicator, running, shifted, skipping = (
            int(c) for c in cells_
        )
        states[:, answer] = -pos / pos.max() + 0.05 * rng.standard_normal(N)
        states[:, positive] = 0.6 * pos / pos.max() + 0.2 * rng.standard_normal(N)
        states[:, covariance] = 40 * (0.2 * pos / pos.max() + rng.standard_normal(N))
        states[:, indicator] = newline + 0.05 * rng.standard_normal(N)
        states[:, running] = t / N + 0.02 * rng.standard_normal(N)
        # follows the off-by-one position: wins only for a counter off at newlines
        states[:, shifted] = -late / late.max() + 0.05 * rng.standard_normal(N)
        # follows the position closely except at the newlines themselves, where it
        # is far off: wins only when the newline characters are left out
        close = -pos / pos.max() + 0.01 * rng.standard_normal(N)
        states[:, skipping] = np.where(newline == 1, 0.5, close)
        picks = {
            "no_abs": positive,
            "covariance": covariance,
            "newline": indicator,
            "no_reset": running,
            "late": shifted,
            "skip_newlines": skipping,
        }
        yield f"{N} characters, H = {H}", states, text, answer, picks


_LINE_HINTS = {
    "no_abs": "you took the largest correlation, not the largest in absolute value; "
    "a cell that falls along the line (correlation near -1) tracks it as well as one "
    "that rises: use np.abs.",
    "covariance": "you compared covariances; a cell with large values wins them "
    "without following the line. Normalise: the correlation divides by both "
    "standard deviations (np.corrcoef, or standardise the columns first).",
    "newline": "you correlated with whether the character is a newline; the target "
    "is the position within the line: 0 after each newline, then 1, 2, ...",
    "no_reset": "your position never goes back to 0: it counts from the start of the "
    "text. Reset it after each newline.",
    "late": "your position is off by one at the newline: you chose the unit that "
    "follows a count which is 0 at the newline itself. The newline ends its line, "
    "so it takes the next position of that line ('ab\\n' is 0, 1, 2) and the "
    "character after it is 0: record each character's position before you move "
    "the counter.",
    "skip_newlines": "you left the newline characters out (of the positions or of "
    "the correlation); you chose a unit that follows the position everywhere "
    "except at the newlines. Every character counts, the newline too: it ends its "
    "line ('ab\\n' is 0, 1, 2).",
}


@_exercise
def line_position_cell(fn):
    """Exercise 7.3: line_position_cell(states (N, H), text) -> the index of the unit
    whose state correlates most strongly, in absolute value, with each character's
    position within its line."""
    name, labels = "line_position_cell", []
    for label, states, text, answer, picks in _line_cell_cases():
        result, _ = _call(fn, name, {"states": states, "text": text}, {}, label)
        if isinstance(result, bool) or not isinstance(result, (int, np.integer)):
            raise _Fail(
                f"{name} returned {type(result).__name__} "
                f"{np.asarray(result).ravel()[:3]}...; return one integer, the "
                "index of the unit (np.argmax gives it; int(...) makes it an int)."
                if isinstance(result, np.ndarray)
                else f"{name} returned {result!r}; return one integer index."
            )
        H = states.shape[1]
        if not 0 <= int(result) < H:
            itself = (
                " If you took np.argmax of a row of np.corrcoef(states.T, position), "
                "its last entry is the position's correlation with itself (always "
                "1): leave it out, e.g. np.corrcoef(states.T, position)[-1, :-1]."
                if int(result) == H
                else " (A negative index counts from the end in Python, but the "
                "check wants the index itself.)"
            )
            raise _Fail(
                f"{name} returned {int(result)} on the hidden case {label}: that is "
                f"not the index of a unit; states has H = {H} units, numbered 0 to "
                f"{H - 1}.{itself}"
            )
        if int(result) != answer:
            hint = next(
                (_LINE_HINTS[k] for k, cell in picks.items() if cell == int(result)),
                "for each unit, correlate its column of states with the positions "
                "(np.corrcoef) and return the index of the largest absolute value.",
            )
            raise _Fail(
                f"{name} returned unit {int(result)} on the hidden case {label}; the "
                f"unit that tracks the line position is another.\nHint: {hint}"
            )
        labels.append(label)
    _report(name, labels)


# ----------------------------------------------------------------------------------
# Notebook 08: LSTM variants
# ----------------------------------------------------------------------------------


def _peephole_cases():
    """(label, {x, h, c, params with peep_i, peep_f, peep_o}) of the peephole step."""
    cases = itertools.chain(
        _step_cases("lstm", seed=801), _large_step_cases("lstm", seed=1801)
    )
    for label, args, dtype, H in cases:
        B = args["x"].shape[0]
        rng = np.random.default_rng(B * 7 + H)
        params = dict(args["params"])
        for key in ("peep_i", "peep_f", "peep_o"):
            params[key] = rng.uniform(-1, 1, H).astype(dtype)
        c = args["c"].copy()
        if _LARGE in label:  # a cell state in the hundreds: tanh(c_next) saturates
            c[1] *= 150
        yield label, {"x": args["x"], "h": args["h"], "c": c, "params": params}


@_exercise
def peephole_step(fn):
    """Exercise 8.1: peephole_step(x, h, c, params) -> (h_next, c_next) for the LSTM
    with peepholes: params is the LSTM dict plus peep_i, peep_f, peep_o (H,)."""
    name, labels = "peephole_step", []
    for label, call in _peephole_cases():
        _cell_step_case(
            fn,
            name,
            label,
            call,
            4,
            lambda given=call, **kw: mistakes.peephole_variant(*given.values(), **kw),
            mistakes.peephole_mistakes(),
            "i = sigmoid(a_i + p_i * c), f = sigmoid(a_f + p_f * c), "
            "g = tanh(a_g), c_next = f * c + i * g, o = sigmoid(a_o + p_o * "
            "c_next), h_next = o * tanh(c_next), with a = x W_ih^T + b_ih + "
            "h W_hh^T + b_hh split i, f, g, o.",
        )
        labels.append(label)
    _report(name, labels)
