"""The harness every check runs in: its exceptions, the wrapper that turns a failure
into the student's AssertionError, the short traceback in IPython, the report.
"""

import functools
import os


class NotAttempted(Exception):
    """Raised by a check whose exercise still holds its NotImplementedError stub."""


class CheckFailed(AssertionError):
    """Raised by a check when the student's function is wrong; carries the hint."""


class Fail(Exception):
    """A failed check; its message becomes the student's AssertionError."""


def exercise(check):
    """Wrap a check: validate the argument, turn Fail into a short AssertionError."""

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
        except Fail as e:
            raise CheckFailed(str(e)) from None

    return wrapper


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _is_checker(filename):
    """Whether filename is one of utils/check's own modules."""
    return os.path.dirname(os.path.abspath(filename)) == _PACKAGE_DIR


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    """IPython handler: show a check's error without the checker's own frames."""
    node = tb
    while node is not None and node.tb_next is not None:
        if _is_checker(node.tb_next.tb_frame.f_code.co_filename):
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


def report(name, labels):
    """Print the success report: every hidden case passed."""
    print(f"check.{name}: {len(labels)} hidden cases")
    for label in labels:
        print(f"  ok  {label}")
    print(f"All correct: {name} passes.")
