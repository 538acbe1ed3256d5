"""How much of an exercise's solution a student could copy from a cell shown earlier.

Test-only code (the course's package does not need it): tests/test_similarity.py
holds the measure to its calibration and applies it to every exercise of the course.

The measure compares computations, not text. Each piece of code is evaluated
symbolically, statement by statement, into expression trees:

- a name stands for the expression it was assigned, so ``W_ih = params[...]``
  then ``x @ W_ih.T`` is the same tree as ``x @ params[...].T``, and
  ``i_t = sigmoid(a_i); c = f_t * c_prev + i_t * g_t`` the same as writing the
  sigmoid inline; names themselves never matter;
- what the code starts from is a leaf: a function's arguments, the names an earlier
  cell did not define, random draws, loaded data and allocations (``rng.*``,
  ``init_params``, ``load_fixture``, ``np.zeros``, ... see ``SOURCES``); sizes
  (``x.shape[1]``, ``len(x)``, a name bound to a number) are one leaf kind, the
  parameter keys (``"weight_ih_l0"``, ...) are leaves of their own, so a weight is
  told from a bias however it was reached;
- slices are dropped (``a[:, :H]``, ``np.split(a, 4, axis=1)`` unpacked, ``W[2 * H:]``
  all stand for ``a`` or ``W``): which block a gate takes is bookkeeping that a
  copier changes freely, and it is what differs most between two ways of writing
  the same step (slicing the product or the weight);
- ``+`` and ``*`` are flattened and sorted (``a - b`` is ``a + (-b)``), so the order
  and grouping of terms do not matter; a method and the numpy function of the same
  name are one call (``a.sum(axis=0)`` is ``np.sum(a, axis=0)``), and a call is
  known by its last name (``utils.lstm_step`` and a student's ``lstm_step`` alike);
- ``out[t] = h`` and ``states.append(h)`` are one "collect h" node; indexing by a
  loop counter and iterating over an array are one "element of" node; a name
  assigned inside a loop is a "carried" leaf inside its body;
- an ``if``/``else`` keeps both branches' values (everything downstream is built
  for each), and a solution that calls a function written in an earlier exercise
  of its notebook is also read with that function's body inlined.

A piece of code's fingerprint is the set of every compound subtree it builds. The
score of a solution region against a cell is the share of the solution's subtrees
that the cell also builds (containment, not symmetric similarity: a cell that also
prints and plots is still the source of a copy), taken over the solution read
plainly and with earlier exercises inlined, whichever is higher. A cell is
evaluated after the code cells shown before it in its notebook, so that its names
mean what they mean in the kernel.

Calibration (tests/fixtures/similarity/, taken from the notebooks at commit 41db79b;
tests/test_similarity.py asserts these bounds): the seven exercises issue 15 names
as copies score 0.73 to 1.00 against the cells they copy (six of them 1.00; the
lowest is 5.1, whose solution slices the weights where notebook 05's cell slices the
products, and adds the other reset placement, which the cell does not show); the
genuine exercises score at most 0.39 against their nearest earlier cell (8.1, the
peephole step, against notebook 03's LSTM step: the pre-activation is shared, every
gate and the cell update differ). Plain token overlap cannot separate the two groups
(3.2's loop shares 8% of its token trigrams with the loop it copies, 8.1 39% with a
cell it does not). The threshold is set in the gap:

    THRESHOLD = 0.55   (copies >= 0.73, genuine <= 0.39: margins of 0.18 and 0.16)

An exercise whose best score against every cell shown earlier in the course
exceeds THRESHOLD can be answered by copying that cell.
"""

import ast
import itertools
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

THRESHOLD = 0.55

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+):\s*(.+?)\s*$", re.M)
HEADING = re.compile(r"^#{1,4}\s+(.+?)\s*$", re.M)

# calls whose result is something to start from, not a computation to copy
SOURCES = {
    "standard_normal",
    "uniform",
    "normal",
    "integers",
    "random",
    "permutation",
    "choice",
    "default_rng",
    "init_params",
    "load_fixture",
    "load_text",
    "load_model",
    "load_comparison",
    "load_ablation",
    "verified_path",
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "array",
    "asarray",
    "arange",
    "linspace",
    "logspace",
    "eye",
    "copy",
}
SIZE_ATTRS = {"shape", "dtype", "size", "ndim"}
PARAM_KEY = re.compile(r"^(weight|bias)_(ih|hh)_l\d+(_reverse)?$|^peep_[a-z]+$")
MAX_ALTERNATIVES = 8
# containers are built (so that unpacking them is followed) but not counted
PACKAGING = {"tuple"}
MODULES = {"np", "numpy", "utils", "plt", "math", "check", "time", "warnings"}


class Fingerprinter:
    """Evaluates code into interned expression trees and records what it builds."""

    def __init__(self):
        self._ids = {}
        self._nodes = []
        self._data = []  # does the node depend on data (not only sizes, constants)?
        self.LEAF = self._intern(("leaf",))
        self.SIZE = self._intern(("size",))
        self.CARRY = self._intern(("carry",))
        self.INDEX = self._intern(("index",))
        self.NONE = self._intern(("const", "None"))
        self._record = None

    # -- the interned trees -------------------------------------------------------

    def _intern(self, key):
        node = self._ids.get(key)
        if node is None:
            node = self._ids[key] = len(self._nodes)
            self._nodes.append(key)
            self._data.append(
                key[0] in ("leaf", "carry", "key")
                or any(self._data[c] for c in children(key))
            )
        return node

    def make(self, *key):
        """A compound node; recorded if it computes on data (not only on sizes)."""
        node = self._intern(key)
        if self._record is not None and self._data[node] and key[0] not in PACKAGING:
            self._record.add(node)
        return node

    def is_leaf(self, node):
        return self._nodes[node][0] in (
            "leaf",
            "size",
            "carry",
            "index",
            "const",
            "key",
        )

    def kind(self, node):
        return self._nodes[node][0]

    def const(self, value):
        return self._intern(("const", repr(value)))

    def nary(self, op, operands):
        flat = []
        for node in operands:
            key = self._nodes[node]
            flat.extend(key[1] if key[0] == op else (node,))
        return self.make(op, tuple(sorted(flat)))

    def neg(self, node):
        key = self._nodes[node]
        if key[0] == "neg":
            return key[1]
        return self.make("neg", node)

    def item(self, node, index):
        key = self._nodes[node]
        if key[0] == "tuple" and index < len(key[1]):
            return key[1][index]
        if key[0] == "split":  # np.split(a, k) unpacked: every block stands for a
            return key[1]
        if self.is_leaf(node):
            return node
        return self.make("item", node, index)

    # -- evaluation ---------------------------------------------------------------

    def fingerprints(self, cells, known=None):
        """One fingerprint per piece of code, evaluated in order in one namespace."""
        env, out = {}, []
        for code in cells:
            self._record = set()
            tree = parse(code)
            if tree is not None:
                Evaluator(self, env, known or {}).block(tree.body)
            out.append(frozenset(self._record))
            self._record = None
        return out

    def solution(self, region, known):
        """The fingerprints of a solution region: read plainly, and inlined."""
        plain = self.fingerprints([region])[0]
        inlined = self.fingerprints([region], known)[0] if known else plain
        return plain, inlined


def children(key):
    """The node ids a node's key refers to."""
    out = []
    for part in key[1:]:
        if isinstance(part, tuple):
            out.extend(
                p for p in part if isinstance(p, int) and not isinstance(p, bool)
            )
    if key[0] in ("neg", "split", "elem", "collect", "comp"):
        out.append(key[1])
    elif key[0] in ("attr", "unary"):
        out.append(key[2])
    elif key[0] in ("item", "sub"):
        out.append(key[1])
        if key[0] == "sub":
            out.append(key[2])
    elif key[0] == "bin":
        out.extend(key[2:4])
    return out


def parse(code):
    lines = [ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse(textwrap.dedent("\n".join(lines)))
    except SyntaxError:
        return None


def product(options):
    return list(itertools.islice(itertools.product(*options), MAX_ALTERNATIVES))


def assigned_names(statements):
    names = set()
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


@dataclass
class Evaluator:
    fp: Fingerprinter
    env: dict
    known: dict
    depth: int = 0
    returns: list = field(default_factory=list)

    # -- statements ---------------------------------------------------------------

    def block(self, statements):
        for stmt in statements:
            self.statement(stmt)

    def statement(self, s):
        fp = self.fp
        if isinstance(s, ast.Assign):
            values = self.expr(s.value)
            for target in s.targets:
                self.bind(target, values, s.value)
        elif isinstance(s, ast.AnnAssign) and s.value is not None:
            self.bind(s.target, self.expr(s.value), s.value)
        elif isinstance(s, ast.AugAssign):
            values = self.binop(s.op, self.expr(s.target), self.expr(s.value))
            self.bind(s.target, values, None)
        elif isinstance(s, ast.Return):
            values = self.expr(s.value) if s.value is not None else [fp.NONE]
            self.returns.extend(values)
        elif isinstance(s, ast.Expr):
            self.expr(s.value)
        elif isinstance(s, ast.Assert):
            self.expr(s.test)
        elif isinstance(s, (ast.For, ast.AsyncFor, ast.While)):
            for name in assigned_names(s.body):
                self.env[name] = [fp.CARRY]
            if isinstance(s, ast.While):
                self.expr(s.test)
            else:
                self.bind_loop(s.target, s.iter)
            self.block(s.body)
            self.block(s.orelse)
        elif isinstance(s, ast.If):
            self.expr(s.test)
            before = dict(self.env)
            self.block(s.body)
            after_body = self.env
            self.env = dict(before)
            self.block(s.orelse)
            for name in set(after_body) | set(self.env):
                merged = list(after_body.get(name, [])) + list(self.env.get(name, []))
                self.env[name] = list(dict.fromkeys(merged))[:MAX_ALTERNATIVES]
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, [fp.LEAF], None)
            self.block(s.body)
        elif isinstance(s, ast.Try):
            self.block(s.body)
            for handler in s.handlers:
                self.block(handler.body)
            self.block(s.orelse)
            self.block(s.finalbody)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(s, [fp.LEAF] * len(s.args.args))
            self.env[s.name] = [fp.LEAF]
        elif isinstance(s, ast.ClassDef):
            for stmt in s.body:
                if isinstance(stmt, ast.FunctionDef):
                    self.function(stmt, [fp.LEAF] * len(stmt.args.args))
            self.env[s.name] = [fp.LEAF]
        # imports, pass, break, continue, del, global: nothing computed

    def function(self, fn, args):
        """Evaluate a function body with its arguments bound; -> its return values."""
        env = dict(self.env)
        names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        for name in names + [a.arg for a in fn.args.kwonlyargs]:
            env[name] = [self.fp.LEAF]
        for name, value in zip(names, args, strict=False):
            env[name] = value if isinstance(value, list) else [value]
        inner = Evaluator(self.fp, env, self.known, self.depth + 1)
        inner.block(fn.body)
        return inner.returns or [self.fp.NONE]

    def bind(self, target, values, source):
        fp = self.fp
        if isinstance(target, ast.Name):
            self.env[target.id] = values
        elif isinstance(target, (ast.Tuple, ast.List)):
            if source is not None and isinstance(source, (ast.Tuple, ast.List)):
                if len(source.elts) == len(target.elts):
                    for t, v in zip(target.elts, source.elts, strict=True):
                        self.bind(t, self.expr(v), v)
                    return
            for i, t in enumerate(target.elts):
                if isinstance(t, ast.Starred):
                    t = t.value
                self.bind(t, [fp.item(v, i) for v in values], None)
        elif isinstance(target, ast.Subscript):
            for v in values:
                fp.make("collect", v)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, values, None)
        # attribute targets: nothing to bind

    def bind_loop(self, target, iterable):
        fp = self.fp
        is_range = (
            isinstance(iterable, ast.Call)
            and self.call_name(iterable) in ("range", "reversed")
            and (
                self.call_name(iterable) == "range"
                or (
                    iterable.args
                    and isinstance(iterable.args[0], ast.Call)
                    and self.call_name(iterable.args[0]) == "range"
                )
            )
        )
        if is_range:
            self.expr(iterable)
            self.bind(target, [fp.INDEX], None)
        elif isinstance(target, ast.Name):
            self.bind(target, [self.element(v) for v in self.expr(iterable)], None)
        else:
            self.expr(iterable)
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    self.env[node.id] = [fp.LEAF]

    def element(self, node):
        if self.fp.kind(node) in ("leaf", "size"):
            return self.fp.LEAF
        return self.fp.make("elem", node)

    # -- expressions --------------------------------------------------------------

    def expr(self, e):
        """The alternatives an expression can evaluate to (a list of node ids)."""
        fp = self.fp
        if e is None:
            return [fp.NONE]
        if isinstance(e, ast.Name):
            if e.id in self.env:
                return self.env[e.id]
            return [fp.LEAF]  # an argument, a module, or defined in an earlier cell
        if isinstance(e, ast.Constant):
            return [fp.const(e.value)]
        if isinstance(e, ast.JoinedStr):
            for part in e.values:
                if isinstance(part, ast.FormattedValue):
                    self.expr(part.value)
            return [fp.const("<f-string>")]
        if isinstance(e, ast.BinOp):
            return self.binop(e.op, self.expr(e.left), self.expr(e.right))
        if isinstance(e, ast.UnaryOp):
            values = self.expr(e.operand)
            if isinstance(e.op, ast.USub):
                return [fp.neg(v) for v in values]
            if isinstance(e.op, ast.UAdd):
                return values
            return [fp.make("unary", type(e.op).__name__, v) for v in values]
        if isinstance(e, ast.BoolOp):
            options = [self.expr(v) for v in e.values]
            return [fp.make("bool", type(e.op).__name__, c) for c in product(options)]
        if isinstance(e, ast.Compare) and all(
            isinstance(o, (ast.Is, ast.IsNot)) for o in e.ops
        ):
            return [fp.const("<is>")]  # "h0 is None": handling an optional argument
        if isinstance(e, ast.Compare):
            options = [self.expr(e.left)] + [self.expr(c) for c in e.comparators]
            ops = tuple(type(o).__name__ for o in e.ops)
            return [fp.make("compare", ops, c) for c in product(options)]
        if isinstance(e, ast.IfExp):
            self.expr(e.test)
            merged = self.expr(e.body) + self.expr(e.orelse)
            return list(dict.fromkeys(merged))[:MAX_ALTERNATIVES]
        if isinstance(e, (ast.Tuple, ast.List, ast.Set)):
            options = [self.expr(v) for v in e.elts]
            return [fp.make("tuple", c) for c in product(options)]
        if isinstance(e, ast.Dict):
            for k in e.keys:
                if k is not None:
                    self.expr(k)
            options = [self.expr(v) for v in e.values]
            return [fp.make("tuple", c) for c in product(options)]
        if isinstance(e, ast.Attribute):
            if e.attr in SIZE_ATTRS:
                self.expr(e.value)
                return [fp.SIZE]
            values = self.expr(e.value)
            return [fp.make("attr", e.attr, v) for v in values]
        if isinstance(e, ast.Subscript):
            return self.subscript(e)
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            saved = dict(self.env)
            for gen in e.generators:
                self.bind_loop(gen.target, gen.iter)
                for cond in gen.ifs:
                    self.expr(cond)
            if isinstance(e, ast.DictComp):
                self.expr(e.key)
                values = self.expr(e.value)
            else:
                values = self.expr(e.elt)
            self.env = saved
            return [fp.make("comp", v) for v in values]
        if isinstance(e, ast.Starred):
            return self.expr(e.value)
        if isinstance(e, ast.NamedExpr):
            values = self.expr(e.value)
            self.bind(e.target, values, None)
            return values
        return [fp.LEAF]  # lambda, await, yield, slices on their own: opaque

    def binop(self, op, left, right):
        fp = self.fp
        out = []
        for a, b in product([left, right]):
            if isinstance(op, ast.Add):
                out.append(fp.nary("add", (a, b)))
            elif isinstance(op, ast.Sub):
                out.append(fp.nary("add", (a, fp.neg(b))))
            elif isinstance(op, ast.Mult):
                out.append(fp.nary("mul", (a, b)))
            else:
                out.append(fp.make("bin", type(op).__name__, a, b))
        return out

    def subscript(self, e):
        fp = self.fp
        values = self.expr(e.value)
        index = e.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        if any(
            isinstance(p, ast.Slice)
            or (isinstance(p, ast.Constant) and p.value in (None, Ellipsis))
            for p in parts
        ):
            for p in parts:  # the bounds are evaluated, then dropped with the slice
                if isinstance(p, ast.Slice):
                    for bound in (p.lower, p.upper, p.step):
                        if bound is not None:
                            self.expr(bound)
            return values
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            key = index.value
            out = []
            for v in values:
                if fp.kind(v) in ("leaf", "size", "carry", "key", "const"):
                    if PARAM_KEY.match(key):
                        out.append(fp._intern(("key", key)))
                    else:
                        out.append(fp.LEAF)
                else:
                    out.append(fp.make("sub", v, fp.const(key)))
            return out
        if isinstance(index, ast.Constant) and fp.kind(values[0]) == "size":
            return [fp.SIZE]
        for p in parts:
            self.expr(p)
        return [self.element(v) for v in values]

    @staticmethod
    def call_name(e):
        f = e.func
        if isinstance(f, ast.Name):
            return f.id
        if isinstance(f, ast.Attribute):
            return f.attr
        return "<call>"

    def call(self, e):
        fp = self.fp
        name = self.call_name(e)
        receiver = []
        if isinstance(e.func, ast.Attribute):
            receiver = self.expr(e.func.value)
        elif not isinstance(e.func, ast.Name):
            self.expr(e.func)
        args = [self.expr(a) for a in e.args]
        kwargs = [(k.arg or "**", self.expr(k.value)) for k in e.keywords]
        if name in SOURCES:
            return [fp.LEAF]
        if name == "len":
            return [fp.SIZE]
        if name in ("append", "extend") and receiver and args:
            return [fp.make("collect", v) for v in args[0]]
        if (
            name in self.known
            and isinstance(e.func, ast.Name)
            and self.depth < 2
            and not kwargs
        ):
            out = []
            for combo in product(args):
                out.extend(self.inline(name, list(combo)))
            return list(dict.fromkeys(out))[:MAX_ALTERNATIVES]
        if name == "split" and args:
            return [fp.make("split", v) for v in args[0]]
        # a method is the function of the same name applied to its receiver
        method_like = isinstance(e.func, ast.Attribute) and not self.module(
            e.func.value
        )
        positional = ([receiver] if method_like else []) + args
        keys = tuple(k for k, _ in kwargs)
        options = positional + [v for _, v in kwargs]
        return [
            fp.make(
                "call", name, combo[: len(positional)], keys, combo[len(positional) :]
            )
            for combo in product(options)
        ]

    def module(self, e):
        """Is e a module (np, utils.cells, ...) rather than a value?"""
        while isinstance(e, ast.Attribute):
            e = e.value
        return isinstance(e, ast.Name) and e.id in MODULES and e.id not in self.env

    def inline(self, name, args):
        """The values an earlier exercise's function returns for these arguments.

        What its body builds is not counted: that is the earlier exercise's work.
        """
        record, self.fp._record = self.fp._record, None
        try:
            return self.function(self.known[name], args)
        finally:
            self.fp._record = record


# -- notebooks ----------------------------------------------------------------------


def regions(source):
    """The solution regions of a cell's source (each as its own dedented code)."""
    out, current = [], None
    for line in source.splitlines():
        if line.strip() == BEGIN:
            current = []
        elif line.strip() == END:
            if current is not None:
                out.append(textwrap.dedent("\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return out


def strip_regions(source):
    """The code a student sees: each solution region left out."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass")
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def is_setup(source):
    return source.lstrip().startswith("# Setup:")


def is_check(source):
    tree = parse(source)
    if tree is None or not tree.body:
        return False
    return all(
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Attribute)
        and isinstance(s.value.func.value, ast.Name)
        and s.value.func.value.id == "check"
        for s in tree.body
    )


def functions(source):
    """{name: FunctionDef} for the functions a piece of code defines at top level."""
    tree = parse(source)
    if tree is None:
        return {}
    return {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}


@dataclass
class Exercise:
    label: str  # "3.1"
    notebook: str
    cell: int
    region: str
    known: dict  # functions of the notebook's earlier exercises, solved


@dataclass
class Shown:
    notebook: str
    cell: int
    heading: str
    source: str
    fingerprint: frozenset = frozenset()

    @property
    def name(self):
        return f"{self.notebook} cell {self.cell} ({self.heading})"


def read_notebook(path_or_text):
    import nbformat

    if isinstance(path_or_text, Path):
        return nbformat.read(path_or_text, as_version=4)
    return nbformat.reads(path_or_text, as_version=4)


def walk(name, nb):
    """-> (exercises, shown cells) of one solution notebook, in order."""
    exercises, shown, known = [], [], {}
    label, heading = None, ""
    for index, cell in enumerate(nb.cells):
        source = cell.source
        if cell.cell_type == "markdown":
            found = EXERCISE.findall(source)
            if found:
                label = found[-1][0]
            headings = HEADING.findall(source)
            if headings:
                heading = headings[-1]
            continue
        if cell.cell_type != "code":
            continue
        for region in regions(source):
            exercises.append(Exercise(label, name, index, region, dict(known)))
        if BEGIN in source:
            known.update(functions(source))
        if is_setup(source) or is_check(source):
            continue
        shown.append(Shown(name, index, heading, strip_regions(source)))
    return exercises, shown


class Course:
    """Every exercise of the course and every code cell shown before it."""

    def __init__(self, notebooks):
        """notebooks: [(name, nbformat notebook)] in the course's order."""
        self.fp = Fingerprinter()
        self.exercises, self.shown = [], []
        for order, (name, nb) in enumerate(notebooks):
            exercises, shown = walk(name, nb)
            prints = self.fp.fingerprints([s.source for s in shown])
            for s, f in zip(shown, prints, strict=True):
                s.fingerprint = f
                self.shown.append((order, s))
            self.exercises.extend((order, ex) for ex in exercises)

    def before(self, order, exercise):
        return [
            s
            for o, s in self.shown
            if o < order or (o == order and s.cell < exercise.cell)
        ]

    def matches(self):
        """-> [(exercise, best score, best cell)], one per solution region."""
        out = []
        for order, ex in self.exercises:
            variants = self.fp.solution(ex.region, ex.known)
            best, where = 0.0, None
            for s in self.before(order, ex):
                value = containment(variants, s.fingerprint)
                if value > best:
                    best, where = value, s
            out.append((ex, best, where))
        return out


def containment(variants, cell):
    """The share of a solution's subtrees the cell also builds (best variant)."""
    best = 0.0
    for solution in variants:
        if solution:
            best = max(best, len(solution & cell) / len(solution))
    return best


# -- the calibration fixtures ---------------------------------------------------------

SECTION = re.compile(r"^# %% (known|solution|context|cell)\b.*$", re.M)


def read_fixture(text):
    """A fixture's text -> {"known": [code], "solution": code, "context": [code],
    "cell": code}."""
    parts = {"known": [], "solution": None, "context": [], "cell": None}
    marks = list(SECTION.finditer(text))
    for mark, following in itertools.zip_longest(marks, marks[1:]):
        end = following.start() if following else len(text)
        body = text[mark.end() : end].strip("\n")
        kind = mark.group(1)
        if kind in ("known", "context"):
            parts[kind].append(body)
        else:
            parts[kind] = body
    return parts


def score_fixture(text):
    """The score of a fixture's solution against its cell (after its context)."""
    parts = read_fixture(text)
    fp = Fingerprinter()
    known = {}
    for code in parts["known"]:
        known.update(functions(code))
    cell = fp.fingerprints(parts["context"] + [parts["cell"]])[-1]
    return containment(fp.solution(parts["solution"], known), cell)
