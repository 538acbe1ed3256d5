"""Calling the student's function: on copies of the arguments, with a time limit,
with the course's references unavailable, and every exception turned into a hint.
"""

import re
import signal
import sys
import threading
import warnings

import numpy as np

from .harness import Fail, NotAttempted
from .references import UsedReference, block_references, restore, stand_in_for
from .where import line_shapes, student_line


class _TookTooLong(BaseException):
    """Raised by the alarm; a BaseException, so a student's `except Exception`
    cannot swallow it."""


def _alarm(signum, frame):
    raise _TookTooLong


def _own_work_failure(name, public, tb):
    where = student_line(tb, name)
    return Fail(
        f"{name} calls {public}, the course's reference"
        + (f" ({where})" if where else "")
        + ": the exercise is to write it yourself from the equations, so the check "
        "makes the reference unavailable while your function runs."
    )


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


def positional(values, *names):
    """The arguments `names` of the dict `values` as (name, value) pairs, in the
    order given, the order of the exercise's signature; a name that values lacks
    (an optional argument left out) is skipped."""
    return tuple((n, values[n]) for n in names if n in values)


def call_student(fn, name, args, kwargs, label):
    """Call the student's function as fn(*values, **kwargs) on copies of args, the
    (name, value) pairs of its positional arguments in the order of the exercise's
    signature (see positional); -> (result, warnings caught)."""
    before = dict(args)
    given = {k: _copy(v) for k, v in args}
    # SIGALRM exists on Linux and macOS and works in the main thread, where a
    # notebook kernel runs cells; elsewhere the function simply runs unlimited.
    timed = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    used, undo = [], []  # references the student called; how to restore them
    limit = sys.modules[__package__].TIME_LIMIT  # check.TIME_LIMIT, set or not
    if timed:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        block_references(name, fn, used, undo)
        run = stand_in_for(fn, undo)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run(*(given[k] for k, _ in args), **kwargs)
    except UsedReference as e:
        raise _own_work_failure(name, str(e), e.__traceback__) from None
    except _TookTooLong:
        raise Fail(
            f"{name} ran for more than {limit:g} s on the small hidden case "
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
        where = student_line(e.__traceback__, name)
        raise Fail(
            f"{name} raised {type(e).__name__}: {e}\n  on the hidden case {label}"
            + (f",\n  {where}" if where else "")
            + "."
            + _exception_hint(e, where, line_shapes(e.__traceback__))
        ) from None
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        restore(undo)
    if used:  # the student caught the reference's error and went on
        raise _own_work_failure(name, used[0], None)
    _untouched(name, given, before)
    return result, [w for w in caught if issubclass(w.category, RuntimeWarning)]


def _exception_hint(e, where="", shapes=""):
    """A hint for an exception of the student's code. where: the student's line
    (from student_line); shapes: the arrays named on it (from line_shapes)."""
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
                raise Fail(f"{name} added or removed keys of {arg}; leave it as given.")
            for key, v in value.items():
                if not np.array_equal(after[arg][key], v):
                    raise Fail(
                        f"{name} changed {arg}[{key!r}] in place (for example with "
                        "`+=` on it or on a slice of it). Compute new arrays "
                        "instead, so that the caller's parameters stay as they were."
                    )
        elif isinstance(value, np.ndarray) and not np.array_equal(after[arg], value):
            raise Fail(
                f"{name} changed its argument {arg} in place. Compute a new array "
                f"(h_next = ...) instead of updating {arg}."
            )
