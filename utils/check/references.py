"""The student's own work: the references in utils that compute an exercise's
answer are unavailable while the student's function runs.
"""

import functools
import inspect
import sys

# For each check, the references in utils (as "module.attribute", the module below
# utils) that compute the whole answer: the same-named one and any other. While the
# student's function runs they raise, wherever the student reaches them
# (utils.rnn_step, utils.cells.rnn_step, utils.cells.rnn.rnn_step, `from utils import
# rnn_step as ref`): every module of utils holding the same function is covered. The
# check's own computations run outside and are unaffected. Wrappers that look a
# reference up when called (charlm.run, training.train, cells.forward,
# gradients.hidden_state_gradients) are covered by the entry of what they call. A
# check not listed has no reference to block. In the check modules a variant with
# every mistake left at its default is the correct answer, so it is blocked only
# when called so.
# Not blocked, on purpose: references that compute a part the exercise builds on
# (utils.sigmoid inside a cell, utils.rnn_forward in rnn_backward, which exercise
# 2.2 allows, charlm.correlations in line_position_cell).
REFERENCES = {
    "stable_sigmoid": ("cells.sigmoid",),
    "rnn_step": (
        "cells.rnn_step",
        "cells.rnn_forward",
        "check.nb01_vanilla_rnn.rnn_variant",
    ),
    "rnn_forward": ("cells.rnn_forward",),
    "lstm_step": (
        "cells.lstm_step",
        "cells.lstm_forward",
        "cells.lstm_cell",
        "variants.forward",
        "check.nb03_mistakes.lstm_variant",
    ),
    "gru_step": (
        "cells.gru_step",
        "cells.gru_forward",
        "cells.gru_cell",
        "check.nb05_mistakes.gru_variant",
    ),
    "rnn_step_backward": (
        "cells.rnn_backward",
        "gradients.numerical_gradient",
        "check.nb02_mistakes.rnn_step_backward_variant",
    ),
    "rnn_backward": (
        "cells.rnn_backward",
        "gradients.numerical_gradient",
        "check.nb02_mistakes.rnn_backward_variant",
    ),
    "clip_by_norm": ("training.clip_grad_norm", "check.nb02_clipping.clip_variant"),
    "lstm_forward": (
        "cells.lstm_forward",
        "variants.forward",
        "check.nb03_mistakes.masked_variant",
    ),
    "lstm_backward": (
        "cells.lstm_backward",
        "variants.backward",
        "gradients.numerical_gradient",
        "check.nb04_lstm_backward.lstm_backward_variant",
    ),
    "gru_step_backward": (
        "cells.gru_backward",
        "gradients.numerical_gradient",
        "check.nb05_mistakes.gru_step_backward_variant",
    ),
    "param_count": ("cells.init_params",),
    "flip_interpolation": ("check.nb05_mistakes.flip_variant",),
    "cifg_step": ("check.nb06_lstm_vs_gru.cifg_variant",),
    "gru_jacobian": (
        "cells.gru_jacobian",
        "cells.gru_step",
        "cells.gru_forward",
        "cells.gru_cell",
        "cells.gru_backward",
        "gradients.numerical_gradient",
        "gradients.jacobian_products",
        "check.nb06_mistakes.gru_jacobian_variant",
    ),
    "softmax_temperature": (
        "charlm.softmax_temperature",
        "cells.softmax",
        "cells.log_softmax",
    ),
    "bits_per_char": (
        "charlm.bits_per_char",
        "cells.log_softmax",
        "check.nb07_mistakes.log2_softmax_at",
    ),
    "line_position_cell": ("charlm.line_position",),
    "peephole_step": ("variants.forward", "check.nb08_lstm_ablation.peephole_variant"),
    "bigru_forward": (
        "cells.multi_forward",
        "cells.reverse_padded",
        "check.nb09_mistakes.bigru_variant",
    ),
    "deep_bigru_backward": (
        "cells.multi_forward",
        "cells.multi_backward",
        "gradients.numerical_gradient",
        "gradients.multi_gradient_errors",
        "check.nb09_mistakes.deep_backward_variant",
    ),
    "sequence_nll": (
        "training.seq2seq.loss_and_grads",
        "check.nb10_mistakes.nll_variant",
    ),
    "beam_step": (
        "training.decoding.beam_search",
        "check.nb10_mistakes.beam_step_variant",
    ),
}

# Arguments of a check module's variant that choose a case, not a mistake.
_NEUTRAL = frozenset({"reset_after", "axis", "dh_n", "dc_n"})


# The package the references live in: utils (this module is utils.check.references).
_TOP = __package__.rpartition(".")[0]


class UsedReference(BaseException):
    """Raised by a blocked reference; a BaseException, so that a student's
    `except Exception` cannot swallow it."""


def _utils_modules():
    return [
        m
        for key, m in list(sys.modules.items())
        if m is not None and (key == _TOP or key.startswith(_TOP + "."))
    ]


def _public_name(module, attr, obj):
    """How a student reaches a reference: utils.rnn_step rather than utils.cells.."""
    top = sys.modules.get(_TOP)
    if top is not None and getattr(top, attr, None) is obj:
        return f"{_TOP}.{attr}"
    return f"{_TOP}.{module}.{attr}"


def _names_a_mistake(ref, args, kwargs):
    """Whether a call of a check module's variant asks for a mistake (any argument that
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
        raise UsedReference(public)

    return blocked


def block_references(name, fn, used, undo):
    """Replace the references of check `name`, in utils and in the student's
    namespace, by stand-ins that raise; undo collects how to restore them."""
    modules = _utils_modules()
    for entry in REFERENCES.get(name, ()):
        module, attr = entry.rsplit(".", 1)
        owner = sys.modules.get(f"{_TOP}.{module}")
        ref = getattr(owner, attr, None)
        if ref is None:
            continue
        blocked = _stand_in(
            ref, _public_name(module, attr, ref), used, module.startswith("check.")
        )
        spaces = [vars(m) for m in modules]
        for space in (*_student_globals(fn), *_student_kwdefaults(fn)):
            if all(space is not s for s in spaces):
                spaces.append(space)
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
        for f in _student_functions(fn):  # def f(x, _ref=utils.rnn_step): ...
            defaults = getattr(f, "__defaults__", None) or ()
            if any(d is ref for d in defaults):
                f.__defaults__ = tuple(blocked if d is ref else d for d in defaults)
                undo.append((f, "__defaults__", ref, blocked))


def stand_in_for(fn, undo):
    """fn itself, or the stand-in of the reference fn is (a student who hands the
    check utils.rnn_step, or a functools.partial of it, has not written it)."""
    for _, _, ref, blocked in undo:
        if fn is ref:
            return blocked
        if isinstance(fn, functools.partial) and fn.func is ref:
            return functools.partial(blocked, *fn.args, **fn.keywords)
    return fn


def restore(undo):
    """Put back every reference that block_references replaced, as undo records."""
    while undo:
        space, key, ref, blocked = undo.pop()
        if key is None:
            if space.cell_contents is blocked:
                space.cell_contents = ref
        elif key == "__defaults__":
            kept = space.__defaults__
            space.__defaults__ = tuple(ref if d is blocked else d for d in kept)
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


def _student_kwdefaults(fn):
    """The keyword-only defaults of fn and what it wraps (dicts, like globals)."""
    return [
        f.__kwdefaults__
        for f in _student_functions(fn)
        if isinstance(getattr(f, "__kwdefaults__", None), dict)
    ]


def _student_cells(fn):
    found = []
    for f in _student_functions(fn):
        found.extend(getattr(f, "__closure__", None) or ())
    return found
