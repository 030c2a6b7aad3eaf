"""The bad-input catalogue: every bad input tried, the exception it must raise, and its message.

Each ``Row`` is a test and a row of ``docs/bad-inputs.md`` (written by
``docs/gen_bad_inputs.py`` from this same table, with the exact message each
input gets). A row passes when the code raises the expected type, the message
contains the expected fragment, and the error comes from a ``raise`` statement
inside tinygrad_nn: never an AttributeError from deep inside, never numpy's
own error surfacing through us. A row with ``issue`` set is a known problem,
marked ``xfail(strict=True)`` until the named owner fixes it.

The same check runs on random junk fed to public constructors and ops
(``test_random_junk_*``), with hypothesis.
"""

from __future__ import annotations

import linecache
import os
import tempfile
import zipfile
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import tinygrad_nn as tg
import tinygrad_nn.nn.functional as F
from tinygrad_nn import data, nn, optim, reference, viz

PACKAGE_DIR = os.path.dirname(os.path.abspath(tg.__file__)) + os.sep
DOCUMENTED = (TypeError, ValueError, RuntimeError, IndexError, FileNotFoundError)

@dataclass(frozen=True)
class Row:
    """One bad input: ``code``, run in ``namespace()``; the error and message fragment it gives."""

    code: str
    error: type[BaseException] | tuple[type[BaseException], ...]
    fragment: str
    issue: str = ""

    @property
    def error_name(self) -> str:
        errors = self.error if isinstance(self.error, tuple) else (self.error,)
        return " or ".join(e.__name__ for e in errors)


CATALOGUE: dict[str, list[Row]] = {
    "Making a tensor": [
        Row("tg.tensor([[1, 2], [3]])", ValueError, "ragged"),
        Row("tg.tensor([[[1.0]], [2.0]])", ValueError, "ragged"),
        Row('tg.tensor("abc")', TypeError, "str"),
        Row('tg.tensor(["a", "b"])', TypeError, "strings"),
        Row('tg.tensor([1, "a"])', TypeError, "strings"),
        Row("tg.tensor(1 + 2j)", TypeError, "complex"),
        Row("tg.tensor([1 + 2j])", TypeError, "complex"),
        Row("tg.tensor(np.array([None, 1], dtype=object))", TypeError, "object array"),
        Row("tg.tensor([[1.0], [None]])", TypeError, "object array"),
        Row("tg.tensor(None)", TypeError, "NoneType"),
        Row('tg.tensor({"a": 1})', TypeError, "dict"),
        Row("tg.tensor({1, 2})", TypeError, "set"),
        Row('tg.tensor(np.datetime64("2020-01-01"))', TypeError, "unsupported dtype"),
        Row("tg.tensor([1, 2], requires_grad=True)", TypeError, "floating-point"),
        Row("tg.tensor([True], requires_grad=True)", TypeError, "floating-point"),
        Row('tg.tensor([1.0], dtype="banana")', TypeError, "unknown dtype"),
        Row("tg.tensor([1.0], dtype=np.complex64)", TypeError, "unsupported dtype"),
        Row("tg.tensor([1.0], dtype=x)", TypeError, "not a Tensor"),
        Row('tg.tensor([1.0], device="tpu")', ValueError, "unknown device"),
    ],
    "Creation functions": [
        Row("tg.zeros(2.5)", TypeError, "shape entries must be ints"),
        Row('tg.ones("3")', TypeError, "shape entries must be ints"),
        Row("tg.zeros(-1)", ValueError, "negative"),
        Row("tg.ones((2, -3))", ValueError, "negative"),
        Row("tg.full(-2, 1.0)", ValueError, "negative"),
        Row("tg.randn(-1)", ValueError, "negative"),
        Row("tg.eye(-1)", ValueError, "negative"),
        Row("tg.eye(2.5)", TypeError, "int"),
        Row("tg.full((2,), None)", TypeError, "NoneType"),
        Row("tg.full((2,), [1.0, 2.0, 3.0])", (TypeError, ValueError), "(3,)"),
        Row("tg.arange(0, 10, 0)", ValueError, "step"),
        Row('tg.arange("a")', TypeError, "number"),
        Row('tg.arange(float("nan"))', ValueError, "finite"),
        Row("tg.randint(5, 2, (3,))", ValueError, "low"),
        Row('tg.manual_seed("a")', TypeError, "int"),
        Row("tg.manual_seed(-1)", ValueError, "non-negative"),
        Row("tg.zeros_like([1, 2])", TypeError, "Tensor"),
    ],
    "Arithmetic and broadcasting": [
        Row("x + tg.ones(3, 2)", ValueError, "(3, 2)"),
        Row("x * tg.ones(4)", ValueError, "(4,)"),
        Row("x ** tg.ones(5)", ValueError, "(5,)"),
        Row("x == tg.ones(4)", ValueError, "(4,)"),
        Row("tg.where(x > 0, x, tg.ones(3, 2))", ValueError, "(3, 2)"),
        Row("tg.maximum(x, tg.ones(3, 2))", ValueError, "(3, 2)"),
        Row("x + None", TypeError, "NoneType"),
        Row("x - object()", TypeError, "object"),
        Row('x + "a"', TypeError, "str"),
        Row("x @ tg.ones(2, 2)", ValueError, "(2, 3) and (2, 2)"),
        Row("x @ 3.0", ValueError, "at least 1-D"),
        Row("x.clip()", ValueError, "min= and max="),
        Row('x.clip("a", 1)', TypeError, "number"),
        Row("x.clip(tg.zeros(3))", TypeError, "number"),
        Row('x.leaky_relu("a")', TypeError, "negative_slope"),
        Row('x.gelu(approximate="fast")', ValueError, "'none' or 'tanh'"),
        Row("~x", TypeError, "bool"),
        Row("np.arctan(w)", TypeError, "not differentiable"),
    ],
    "Reductions and axes": [
        Row("x.sum(axis=5)", ValueError, "out of range"),
        Row("x.sum(axis=1.5)", TypeError, "axis must be an int"),
        Row("x.sum(axis=(0, 0))", ValueError, "repeats"),
        Row("x.sum(axis=1, dim=1)", TypeError, "both axis= and dim="),
        Row("x.mean(keepdims=True, keepdim=True)", TypeError, "both keepdims="),
        Row("tg.ones(0).max()", ValueError, "empty"),
        Row("x.argmax(axis=(0, 1))", ValueError, "single axis"),
        Row('x.std(ddof="a")', TypeError, "ddof"),
        Row("x.softmax(axis=2)", ValueError, "out of range"),
        Row("x.log_softmax(dim=5)", ValueError, "out of range"),
    ],
    "Shapes": [
        Row("x.reshape(4, 2)", ValueError, "cannot reshape"),
        Row("x.reshape(-1, -1)", ValueError, "cannot reshape"),
        Row("x.reshape(2.0, 3)", TypeError, "ints"),
        Row("x.flatten(1, 0)", ValueError, "comes after"),
        Row("x.flatten(None)", TypeError, "axis"),
        Row("x.transpose(0, 5)", ValueError, "out of range"),
        Row("x.transpose(0)", TypeError, "two axes"),
        Row("x.transpose([], 0)", TypeError, "axis"),
        Row("x.unsqueeze(())", TypeError, "axis"),
        Row("x.permute(0, 0)", ValueError, "permutation"),
        Row("x.unsqueeze()", TypeError, "needs an axis"),
        Row("x.expand(3, 3)", ValueError, "cannot expand"),
        Row("x.expand(3)", ValueError, "fewer dimensions"),
        Row("x.pad(((1, 1), (1, 1), (1, 1)))", ValueError, "pair per axis"),
        Row("x.pad(((-1, 0), (0, 0)))", ValueError, "non-negative"),
        Row("x.pad(None)", (TypeError, ValueError), "pad_width"),
        Row("x.pad(((1.5, 0), (0, 0)))", TypeError, "int"),
        Row('x.pad(((1, 0), (0, 0)), value="a")', TypeError, "value"),
        Row("tg.cat([])", ValueError, "at least one"),
        Row("tg.cat([x, tg.ones(3, 2)])", ValueError, "do not match"),
        Row("tg.stack([x, tg.ones(3, 3)])", ValueError, "stack"),
        Row("tg.stack([])", ValueError, "at least one"),
    ],
    "Indexing": [
        Row("x[5]", IndexError, "shape (2, 3)"),
        Row("x[0, 0, 0]", IndexError, "too many indices"),
        Row("x[1.5]", IndexError, "only integers"),
        Row("x[tg.tensor([0.5])]", TypeError, "integer or bool"),
        Row("x[[True]]", IndexError, "boolean index"),
        Row("x[:, [5]]", IndexError, "out of bounds"),
        Row("x[[[0], [1, 0]]]", IndexError, "index"),
        Row("x[7] = 1.0", IndexError, "shape (2, 3)"),
        Row('x[0] = "a"', (TypeError, ValueError), "str"),
        Row("x[0] = tg.ones(4)", ValueError, "(4,)"),
    ],
    "Conversions": [
        Row("x.item()", ValueError, "one element"),
        Row("bool(x)", ValueError, "ambiguous"),
        Row("len(tg.tensor(1.0))", TypeError, "0-d"),
        Row('x.astype("banana")', TypeError, "unknown dtype"),
        Row('x.to("tpu")', ValueError, "unknown device 'tpu'"),
        Row("x.size(5)", ValueError, "out of range"),
    ],
    "Autograd": [
        Row("x.backward()", RuntimeError, "does not require grad"),
        Row("(w * 2).backward()", RuntimeError, "gradient argument"),
        Row("(w * 2).backward(gradient=tg.ones(4))", ValueError, "shape (4,)"),
        Row("loss = (w * w).sum(); loss.backward(); loss.backward()", RuntimeError,
            "retain_graph=True"),
        Row("i.requires_grad_()", TypeError, "floating-point"),
        Row("(w * 2).requires_grad_(False)", RuntimeError, "leaf"),
        Row("x.retain_grad()", RuntimeError, "does not require grad"),
        Row("x.register_hook(print)", RuntimeError, "does not require grad"),
        Row("tg.grad((w * w).sum(), x)", RuntimeError, "requires grad"),
        Row("tg.grad((w * w).sum(), [tg.ones(2, requires_grad=True)])", RuntimeError,
            "allow_unused=True"),
        Row("tg.grad([(w * w).sum(), w.sum()], w, grad_outputs=[None])", ValueError,
            "1 entries"),
        Row("tg.grad(None, w)", TypeError, "Tensor"),
        Row('tg.grad("a", w)', TypeError, "Tensor"),
        Row("tg.gradcheck(lambda a: a * 2, [x])", ValueError, "requires_grad=True"),
        Row("tg.gradcheck(lambda a: 3, [w])", TypeError, "must return a Tensor"),
        Row('type("Bad", (tg.Function,), {"forward": staticmethod(lambda ctx, a: 1)}).apply(w)',
            TypeError, "must return a Tensor"),
        Row('type("Bad", (tg.Function,), {"forward": staticmethod(lambda ctx, a: a * 2), '
            '"backward": staticmethod(lambda ctx, g: (g, g))}).apply(w).sum().backward()',
            RuntimeError, "returned 2 gradients"),
        Row("with tg.detect_anomaly(): (w - 2).log()", RuntimeError, "'log'"),
        Row("loss = (w * w).sum(); w.data = np.zeros(3); loss.backward()", RuntimeError,
            "modified in place"),
    ],
    "In-place changes": [
        Row("w += 1", RuntimeError, "no_grad"),
        Row("w.zero_()", RuntimeError, "no_grad"),
        Row("i += 0.5", TypeError, "int64"),
        Row("x += tg.ones(3, 3)", ValueError, "(3, 3)"),
        Row("x.data = np.ones(3)", ValueError, "shape (3,)"),
        Row("w.data = np.array([1, 2, 3])", TypeError, "int64"),
        Row("w[0] = 1.0", RuntimeError, "no_grad"),
        Row('x.fill_("a")', TypeError, "number"),
        Row("y = w.exp(); y.data = np.zeros(3); y.sum().backward()", RuntimeError,
            "output of op 'exp'"),
    ],
    "Layers": [
        Row("nn.Linear(3, 2)(tg.ones(2, 4))", ValueError, "(2, 4)"),
        Row("nn.Linear(-1, 2)", ValueError, "in_features"),
        Row("nn.Linear(2.5, 2)", TypeError, "in_features"),
        Row("nn.Conv2d(1, 2, 3)(tg.ones(1, 2, 5, 5))", ValueError, "channels"),
        Row("nn.Conv2d(1, 2, 3)(tg.ones(1, 1, 2, 2))", ValueError, "kernel size 3"),
        Row("nn.Conv2d(1, 2, 0)", ValueError, "kernel_size"),
        Row("nn.Conv2d(1, 2, 3, padding=-1)", ValueError, "padding"),
        Row("nn.Conv2d(1, 2, 3, stride=0)", ValueError, "stride"),
        Row("nn.MaxPool2d(2)(tg.ones(2, 2))", ValueError, "(N, C, H, W)"),
        Row("nn.BatchNorm1d(3)(tg.ones(2, 4))", ValueError, "(2, 4)"),
        Row("nn.BatchNorm1d(3)(tg.ones(1, 3))", ValueError, "more than 1 value"),
        Row("nn.BatchNorm1d(3)([[1.0, 2.0]])", ValueError, "(1, 2)"),
        Row("nn.LayerNorm(3)(tg.ones(2, 4))", ValueError, "normalized_shape"),
        Row("nn.Embedding(5, 2)(tg.tensor([7]))", IndexError, "out of range"),
        Row("nn.Embedding(5, 2)(tg.tensor([0.5]))", ValueError, "integers"),
        Row("nn.Dropout(1.5)", ValueError, "[0, 1]"),
        Row("nn.Dropout(None)", TypeError, "p must be a number"),
        Row("nn.Flatten()(tg.ones(3))", ValueError, "out of range"),
        Row("nn.Sequential(1)", TypeError, "not a Module"),
        Row("nn.Sequential(nn.Linear(2, 2))[5]", IndexError, "out of range"),
        Row('nn.Sequential(nn.Linear(2, 2))["a"]', TypeError, "index"),
        Row("nn.Parameter([1, 2])", TypeError, "floating-point"),
        Row("model.weight = tg.ones(3)", TypeError, "nn.Parameter"),
        Row("nn.Module()(1)", NotImplementedError, "forward"),
        Row("nn.init.xavier_uniform_(tg.ones(3))", ValueError, "at least 2 dimensions"),
        Row('nn.init.uniform_("a")', TypeError, "Tensor"),
        Row("nn.Linear(2, 2).to(np.complex64)", TypeError, "floating"),
    ],
    "Losses": [
        Row("nn.CrossEntropyLoss()(tg.ones(4, 3), tg.tensor([0, 1]))", ValueError, "(2,)"),
        Row("nn.CrossEntropyLoss()(tg.ones(4, 3), tg.tensor([0.0, 1.0, 2.0, 0.0]))",
            ValueError, "integers"),
        Row("nn.CrossEntropyLoss()(tg.ones(4, 3), tg.tensor([0, 1, 5, 0]))", ValueError,
            "out of bounds"),
        Row('nn.CrossEntropyLoss(reduction="avg")', ValueError, "reduction"),
        Row("nn.MSELoss()(tg.ones(3), tg.ones(4))", ValueError, "(4,)"),
        Row("nn.BCELoss()(tg.ones(3) * 2, tg.ones(3))", ValueError, "probabilities"),
        Row("nn.BCEWithLogitsLoss()(tg.ones(3), tg.ones(4))", ValueError, "(4,)"),
        Row("nn.NLLLoss()(tg.ones(4, 3), tg.tensor([0, 1, 2, 9]))", ValueError,
            "out of bounds"),
        Row("F.mse_loss(tg.ones(3), None)", TypeError, "NoneType"),
    ],
    "Module state": [
        Row('model.load_state_dict({"weight": np.ones((2, 2))})', RuntimeError,
            "Missing key(s)"),
        Row('model.load_state_dict({"weight": np.ones((3, 2)), "bias": np.ones(2)})',
            RuntimeError, "size mismatch"),
        Row('model.load_state_dict({**model.state_dict(), "extra": np.ones(1)})',
            RuntimeError, "Unexpected key(s)"),
        Row('model.load_state_dict("a")', TypeError, "mapping"),
        Row('model.load_state_dict({"weight": np.array([["a", "b"], ["c", "d"]]), '
            '"bias": np.ones(2)})', (TypeError, ValueError), "'weight'"),
    ],
    "Optimizers and schedules": [
        Row("optim.SGD(w, lr=0.1)", TypeError, "wrap it in a list"),
        Row("optim.SGD([], lr=0.1)", ValueError, "empty"),
        Row("optim.SGD([w], lr=-1)", ValueError, "learning rate"),
        Row("optim.Adam([w], betas=(1.5, 0.9))", ValueError, "beta"),
        Row("optim.SGD([w], lr=0.1, nesterov=True)", ValueError, "Nesterov"),
        Row("optim.SGD([w * 2], lr=0.1)", ValueError, "non-leaf"),
        Row("optim.SGD([w, w], lr=0.1)", ValueError, "more than once"),
        Row("optim.SGD([1.0], lr=0.1)", TypeError, "Tensors"),
        Row('optim.SGD([{"lr": 0.1}], lr=0.1)', ValueError, "'params'"),
        Row("optim.SGD([w], lr=0.1).load_state_dict({})", ValueError, "state dict"),
        Row("optim.lr_scheduler.StepLR(optim.SGD([w], lr=0.1), step_size=0)", ValueError,
            "step_size"),
        Row("optim.lr_scheduler.CosineAnnealingLR(optim.SGD([w], lr=0.1), T_max=0)",
            ValueError, "T_max"),
    ],
    "Data": [
        Row("data.TensorDataset(np.ones(3), np.ones(4))", ValueError, "same first dimension"),
        Row("data.TensorDataset()", ValueError, "at least one"),
        Row("data.DataLoader(data.TensorDataset(np.ones(3)), batch_size=0)", ValueError,
            "at least 1"),
        Row("data.DataLoader(data.TensorDataset(np.ones(3)), batch_size=1.5)", TypeError,
            "int"),
        Row("data.make_moons(-5)", ValueError, "at least 1"),
        Row("data.make_spirals(10, classes=0)", ValueError, "classes"),
        Row('reference.forward(np.ones((2, 3)), [np.ones((2, 2))], [np.ones((2, 1))], '
            '["banana"])', ValueError, "unknown activation"),
    ],
    "Saving and loading": [
        Row('tg.save({"a": object()}, tmp + "/s")', TypeError, "obj['a'] is a object"),
        Row('tg.save({(1, frozenset()): 1}, tmp + "/s")', TypeError, "has the key"),
        Row('tg.save({"m": nn.Linear(2, 2)}, tmp + "/s")', TypeError, "not the model"),
        Row('tg.save({"a": np.array([None])}, tmp + "/s")', TypeError, "object"),
        Row('tg.save({"a": np.ones(2)}, tmp + "/no_such_folder/s")', FileNotFoundError,
            "no_such_folder/s'"),
        Row("tg.save(model.state_dict(), 5)", TypeError, "path"),
        Row('tg.load(tmp + "/missing.npz")', FileNotFoundError, "no such file"),
        Row('tg.load(bad_file("truncated"))', ValueError, "truncated"),
        Row('tg.load(bad_file("text"))', ValueError, "not an .npz"),
        Row('tg.load(bad_file("pickled"))', ValueError, "pickle"),
        Row('tg.load(bad_file("npy"))', ValueError, "not an .npz"),
        Row('tg.load(bad_file("zip"))', ValueError, "not a .npy array"),
        Row("tg.load(5)", TypeError, "path"),
    ],
    "Pictures": [
        Row('viz.draw_graph("a")', TypeError, "Tensor"),
        Row('viz.draw_graph(x, rankdir="XX")', ValueError, "rankdir"),
        Row("viz.draw_graph(w * 2, params=5)", TypeError, "params"),
        Row('viz.render(w * 2, tmp + "/g", format="nope")', ValueError, "format"),
    ],
}

ROWS = [row for rows in CATALOGUE.values() for row in rows]


def _bad_file(folder: str, kind: str) -> str:
    """Write a damaged or foreign file of the given kind into ``folder``; return its path."""
    path = os.path.join(folder, f"{kind}.npz")
    if kind == "truncated":
        good = tg.save({"w": np.ones((4, 4))}, os.path.join(folder, "good"))
        with open(good, "rb") as f:
            content = f.read()
        with open(path, "wb") as f:
            f.write(content[: len(content) // 2])
    elif kind == "text":
        with open(path, "w") as f:
            f.write("weight,bias\n1.0,2.0\n")
    elif kind == "pickled":
        np.savez(path, w=np.array([None, 1], dtype=object))
    elif kind == "npy":
        path = os.path.join(folder, "weights.npy")
        np.save(path, np.ones(3))
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
    return path


def namespace(folder: str) -> dict:
    """The names a row's code may use: fresh tensors, a model, modules, and a temp folder."""
    tg.manual_seed(0)
    return {
        "tg": tg, "np": np, "nn": nn, "F": F, "optim": optim, "data": data, "viz": viz,
        "reference": reference,
        "x": tg.ones(2, 3), "w": tg.tensor([1.0, 2.0, 3.0], requires_grad=True),
        "i": tg.tensor([1, 2, 3]), "model": nn.Linear(2, 2), "tmp": folder,
        "bad_file": lambda kind: _bad_file(folder, kind),
    }  # fmt: skip


def run_row(row: Row) -> tuple[BaseException | None, str]:
    """Run the row's code in a fresh namespace: the exception it raised (or None), its message.

    In the message the temporary folder's path reads ``<tmp>``.
    """
    with tempfile.TemporaryDirectory() as folder, np.errstate(all="ignore"):
        try:
            exec(row.code, namespace(folder))  # noqa: S102 - the catalogue's own code
        except Exception as error:  # noqa: BLE001 - any exception is what we examine
            return error, str(error).replace(folder, "<tmp>")
    return None, ""


def raise_site(error: BaseException) -> tuple[bool, str]:
    """Whether ``error`` is ours, and where it was raised.

    Ours: raised by a ``raise`` statement inside tinygrad_nn, or by Python itself before
    any tinygrad_nn code ran (``t < None`` once ``__lt__`` returns NotImplemented).
    """
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    if not frames:
        return False, "<no traceback>"
    filename, lineno = frames[-1]
    line = linecache.getline(filename, lineno).strip()
    ours = [os.path.abspath(f).startswith(PACKAGE_DIR) for f, _ in frames]
    clean = (ours[-1] and line.startswith("raise")) or not any(ours)
    return clean, f"{filename}:{lineno}: {line}"


def check_clean(error: BaseException | None, message: str, expected, fragment: str) -> None:
    """Assert the error has the expected type, names the fragment, and was raised by us."""
    assert error is not None, "no error was raised"
    assert isinstance(error, expected), f"{type(error).__name__}: {message}"
    assert fragment in message, f"{fragment!r} not in the message {message!r}"
    clean, site = raise_site(error)
    assert clean, f"not raised by tinygrad_nn itself but at {site}"


def _param(row: Row):
    marks = [pytest.mark.xfail(strict=True, reason=row.issue)] if row.issue else []
    return pytest.param(row, id=row.code[:80], marks=marks)


@pytest.mark.parametrize("row", [_param(row) for row in ROWS])
def test_bad_input_raises_documented_error_with_clear_message(row: Row):
    error, message = run_row(row)
    check_clean(error, message, row.error, row.fragment)


def test_catalogue_has_no_duplicate_rows():
    codes = [row.code for row in ROWS]
    assert len(codes) == len(set(codes))


def _load_generator():
    import importlib.util

    path = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "gen_bad_inputs.py")
    spec = importlib.util.spec_from_file_location("gen_bad_inputs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogue_page_is_up_to_date():
    generator = _load_generator()
    with open(generator.PAGE, encoding="utf-8") as f:
        on_disk = f.read()
    assert on_disk == generator.render(), (
        "docs/bad-inputs.md is stale: run `python docs/gen_bad_inputs.py`"
    )


# ---------------------------------------------------------------- random junk


def _junk() -> st.SearchStrategy:
    """Values a learner might pass by mistake: wrong types, shapes, dtypes and numbers."""
    shapes = st.lists(st.integers(0, 3), max_size=3).map(tuple)
    arrays = st.builds(
        lambda shape, dtype: np.ones(shape, dtype=dtype),
        shapes,
        st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.complex64, object]),
    )
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-10, 10),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(max_magnitude=10),
        st.text(max_size=3),
        st.lists(st.integers(-3, 3), max_size=3),
        st.lists(st.lists(st.integers(0, 2), max_size=2), max_size=2),
        st.tuples(st.integers(-4, 4), st.integers(-4, 4)),
        st.just(slice(None, 2)),
        st.just(Ellipsis),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
        arrays,
        arrays.filter(lambda a: a.dtype.kind in "fib").map(tg.tensor),
    )


# Public entry points fed one junk argument each; `x` is a (2, 3) float32 tensor,
# `w` a (3,) leaf that requires grad. (No tg.arange: a huge float is a valid stop that
# would allocate gigabytes; its bad inputs are in the catalogue instead.)
TARGETS = {
    "tensor": lambda j, x, w: tg.tensor(j),
    "tensor(dtype=)": lambda j, x, w: tg.tensor([1.0], dtype=j),
    "zeros": lambda j, x, w: tg.zeros(j),
    "full": lambda j, x, w: tg.full((2,), j),
    "add": lambda j, x, w: x + j,
    "rsub": lambda j, x, w: j - w,
    "mul": lambda j, x, w: w * j,
    "div": lambda j, x, w: x / j,
    "pow": lambda j, x, w: w**j,
    "matmul": lambda j, x, w: x @ j,
    "compare": lambda j, x, w: x < j,
    "where": lambda j, x, w: tg.where(x > 0, x, j),
    "maximum": lambda j, x, w: tg.maximum(w, j),
    "cat": lambda j, x, w: tg.cat([x, j]),
    "stack": lambda j, x, w: tg.stack([w, j]),
    "sum(axis)": lambda j, x, w: x.sum(axis=j),
    "max(axis)": lambda j, x, w: x.max(j),
    "softmax(axis)": lambda j, x, w: x.softmax(axis=j),
    "reshape": lambda j, x, w: x.reshape(j),
    "permute": lambda j, x, w: x.permute(j),
    "transpose": lambda j, x, w: x.transpose(j, 0),
    "unsqueeze": lambda j, x, w: x.unsqueeze(j),
    "expand": lambda j, x, w: x.expand(j),
    "pad": lambda j, x, w: x.pad(j),
    "getitem": lambda j, x, w: x[j],
    "astype": lambda j, x, w: x.astype(j),
    "backward(gradient)": lambda j, x, w: (w * 2).backward(gradient=j),
    "data=": lambda j, x, w: setattr(x, "data", j),
    "iadd": lambda j, x, w: x.__iadd__(j),
    "Linear()": lambda j, x, w: nn.Linear(3, 2)(j),
    "mse_loss": lambda j, x, w: F.mse_loss(w, j),
    "cross_entropy": lambda j, x, w: F.cross_entropy(x, j),
    "SGD(lr)": lambda j, x, w: optim.SGD([w], lr=j),
    "DataLoader(batch_size)": lambda j, x, w: data.DataLoader(
        data.TensorDataset(np.ones(3)), batch_size=j
    ),
    "save": lambda j, x, w: tg.save({"w": j}, os.path.join(tempfile.gettempdir(), "tg_junk")),
    "ones": lambda j, x, w: tg.ones(2, j),
    "randn": lambda j, x, w: tg.randn(j),
    "eye": lambda j, x, w: tg.eye(j),
    "clip": lambda j, x, w: x.clip(j, 1.0),
    "leaky_relu": lambda j, x, w: x.leaky_relu(j),
    "var(ddof)": lambda j, x, w: x.var(ddof=j),
    "flatten": lambda j, x, w: x.flatten(j),
    "squeeze": lambda j, x, w: x.squeeze(j),
    "fill_": lambda j, x, w: x.fill_(j),
    "setitem": lambda j, x, w: x.__setitem__(0, j),
    "grad(outputs)": lambda j, x, w: tg.grad(j, w),
    "Linear(in)": lambda j, x, w: nn.Linear(j, 2),
    "Conv2d(kernel)": lambda j, x, w: nn.Conv2d(1, 2, j),
    "Dropout(p)": lambda j, x, w: nn.Dropout(j),
    "BatchNorm1d()": lambda j, x, w: nn.BatchNorm1d(3)(j),
    "Embedding()": lambda j, x, w: nn.Embedding(4, 2)(j),
    "load_state_dict": lambda j, x, w: nn.Linear(2, 2).load_state_dict(j),
    "Adam(betas)": lambda j, x, w: optim.Adam([w], betas=j),
    "TensorDataset": lambda j, x, w: data.TensorDataset(j),
    "load": lambda j, x, w: tg.load(j),
    "Conv2d(stride)": lambda j, x, w: nn.Conv2d(1, 2, 3, stride=j),
    "Embedding(num)": lambda j, x, w: nn.Embedding(j, 2),
    "LayerNorm(shape)": lambda j, x, w: nn.LayerNorm(j),
    "Sequential[]": lambda j, x, w: nn.Sequential(nn.Identity())[j],
    "init.uniform_": lambda j, x, w: nn.init.uniform_(j),
}

# Targets where some junk still escapes as a raw numpy/Python error, as "target": "owner: what
# escapes": each is an xfail(strict) property of its own until its owner fixes it (then remove
# it here, so it joins the clean ones). None today; the xfail test exists only while one is.
PENDING: dict[str, str] = {}

JUNK_EXAMPLES = 800
PENDING_EXAMPLES = 100


def _settings(max_examples: int, shrink: bool = True):
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else []),
        report_multiple_bugs=False,
    )


def _check_junk(target: str, junk) -> None:
    """Feed ``junk`` to ``target``: it may work, or raise a documented error of ours."""
    x = tg.ones(2, 3)
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    try:
        with np.errstate(all="ignore"):
            TARGETS[target](junk, x, w)
    except Exception as error:  # noqa: BLE001 - any exception is what we examine
        assert isinstance(error, DOCUMENTED), f"{type(error).__name__}: {error}"
        assert str(error), "an error without a message"
        clean, site = raise_site(error)
        assert clean, f"{type(error).__name__}: {error} -- not raised by us but at {site}"


@_settings(JUNK_EXAMPLES)
@given(target=st.sampled_from(sorted(set(TARGETS) - set(PENDING))), junk=_junk())
def test_random_junk_raises_documented_errors_only(target: str, junk):
    _check_junk(target, junk)


if PENDING:  # an empty parametrize would be a skip, which CI counts as a failure

    @pytest.mark.parametrize(
        "target",
        [pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=PENDING[t])) for t in PENDING],
    )
    def test_random_junk_to_a_pending_target(target: str):
        @_settings(PENDING_EXAMPLES, shrink=False)  # known to fail: no time spent shrinking
        @given(junk=_junk())
        def check(junk):
            _check_junk(target, junk)

        check()
