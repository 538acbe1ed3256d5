"""Where in the student's code an error happened: their own frames of a traceback,
their line, and the shapes of the arrays named on it.
"""

import linecache
import os
import re
import sysconfig

import numpy as np


def _library_dirs():
    """Where code that is not the student's lives: utils, numpy, the standard
    library and the installed packages."""
    utils = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = {utils, os.path.dirname(np.__file__)}
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


def student_line(tb, name):
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


def line_shapes(tb):
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
