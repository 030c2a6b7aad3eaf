"""PyTorch's top-level names: ``tg.<method>`` functions, dtype aliases, devices, autograd names.

Every function in the table is checked three ways in float64: against the Tensor
method it delegates to, and against ``torch.<name>``. A row runs once the method
exists on ``Tensor`` (methods are being added; the row then needs no change).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor

torch = pytest.importorskip("torch")

rng = np.random.default_rng(13)
DATA = {
    "x": rng.standard_normal((3, 4)),
    "pos": np.abs(rng.standard_normal((3, 4))) + 0.5,
    "bool": rng.standard_normal((3, 4)) > 0,
    "col": rng.standard_normal((3, 1, 4)),
    "y": rng.standard_normal((3, 4)),
    "row": rng.standard_normal(4),
    "index": np.array([[0, 1], [3, 3], [2, 0]]),
    "select": np.array([2, 0]),
}


class Arg:
    """A tensor argument, made for each library from the same ``DATA`` entry."""

    def __init__(self, key: str) -> None:
        self.key = key

    def make(self, lib: Any) -> Any:
        value = DATA[self.key]
        return tg.tensor(value) if lib is tg else torch.from_numpy(value.copy())


Y, ROW, BOOLS, INDEX, SELECT = Arg("y"), Arg("row"), Arg("bool"), Arg("index"), Arg("select")

# (function name, input key, positional args, keyword args)
CASES = [
    ("abs", "x", (), {}), ("absolute", "x", (), {}), ("neg", "x", (), {}),
    ("negative", "x", (), {}), ("exp", "x", (), {}), ("expm1", "x", (), {}),
    ("log", "pos", (), {}), ("log10", "pos", (), {}), ("log2", "pos", (), {}),
    ("log1p", "pos", (), {}), ("sqrt", "pos", (), {}), ("rsqrt", "pos", (), {}),
    ("reciprocal", "pos", (), {}), ("square", "x", (), {}), ("sin", "x", (), {}),
    ("cos", "x", (), {}), ("tanh", "x", (), {}), ("sigmoid", "x", (), {}),
    ("relu", "x", (), {}), ("erf", "x", (), {}), ("sign", "x", (), {}), ("floor", "x", (), {}),
    ("ceil", "x", (), {}), ("round", "x", (), {}),
    ("add", "x", (Y,), {}), ("add", "x", (Y,), {"alpha": 2.5}), ("add", "x", (ROW,), {}),
    ("sub", "x", (Y,), {}), ("subtract", "x", (Y,), {}), ("mul", "x", (Y,), {}),
    ("multiply", "x", (1.5,), {}), ("div", "x", (Y,), {}), ("divide", "x", (Y,), {}),
    ("true_divide", "x", (Y,), {}), ("pow", "pos", (2.5,), {}), ("pow", "pos", (Y,), {}),
    ("clamp", "x", (), {"min": -0.5, "max": 0.5}), ("clamp", "x", (), {"min": 0.0}),
    ("clip", "x", (-0.3, 0.2), {}),
    ("sum", "x", (), {}), ("sum", "x", (), {"dim": 1}), ("sum", "x", (), {"dim": (0, 1),
                                                                      "keepdim": True}),
    ("mean", "x", (), {}), ("mean", "x", (0,), {}), ("prod", "x", (), {"dim": 1}),
    ("cumsum", "x", (), {"dim": 1}), ("max", "x", (), {}), ("min", "x", (), {}),
    ("amax", "x", (), {"dim": 1}), ("amin", "x", (0,), {}), ("argmax", "x", (), {}),
    ("argmax", "x", (), {"dim": 1}), ("argmin", "x", (), {"dim": 0, "keepdim": True}),
    ("var", "x", (), {"dim": 1, "correction": 1}), ("std", "x", (0,), {"correction": 1}),
    ("norm", "x", (), {}), ("logsumexp", "x", (), {"dim": 1}),
    ("softmax", "x", (), {"dim": -1}), ("log_softmax", "x", (0,), {}),
    ("any", "bool", (), {}), ("all", "bool", (), {}),
    ("topk", "x", (2,), {}), ("sort", "x", (), {"dim": 1}), ("argsort", "x", (), {"dim": 0}),
    ("eq", "x", (Y,), {}), ("ne", "x", (Y,), {}), ("lt", "x", (Y,), {}), ("le", "x", (Y,), {}),
    ("gt", "x", (Y,), {}), ("ge", "x", (0.0,), {}), ("less", "x", (Y,), {}),
    ("less_equal", "x", (Y,), {}), ("greater", "x", (Y,), {}), ("greater_equal", "x", (Y,), {}),
    ("equal", "x", (Y,), {}), ("allclose", "x", (Y,), {}), ("isclose", "x", (Y,), {}),
    ("isnan", "x", (), {}), ("isinf", "x", (), {}), ("isfinite", "x", (), {}),
    ("reshape", "x", ((4, 3),), {}), ("flatten", "col", (), {}), ("flatten", "col", (1,), {}),
    ("transpose", "x", (0, 1), {}), ("swapaxes", "x", (0, 1), {}), ("permute", "x", ((1, 0),), {}),
    ("squeeze", "col", (), {}), ("squeeze", "col", (1,), {}), ("unsqueeze", "x", (1,), {}),
    ("t", "x", (), {}), ("flip", "x", ((0,),), {}), ("tril", "x", (), {}), ("triu", "x", (1,), {}),
    ("split", "x", (2,), {"dim": 1}), ("chunk", "x", (3,), {}),
    ("repeat_interleave", "x", (2,), {}), ("masked_fill", "x", (BOOLS, 0.0), {}),
    ("gather", "x", (1, INDEX), {}), ("index_select", "x", (1, SELECT), {}),
    ("numel", "x", (), {}), ("clone", "x", (), {}), ("detach", "x", (), {}),
]  # fmt: skip

ALIASES = {
    "absolute": "abs", "negative": "neg", "subtract": "sub", "multiply": "mul",
    "divide": "div", "true_divide": "div", "less": "lt", "less_equal": "le", "greater": "gt",
    "greater_equal": "ge", "swapaxes": "transpose",
}


def _method(name: str) -> str:
    return ALIASES.get(name, name)


def _arrays(result: Any) -> list[Any]:
    """A result of either library as a list of numpy arrays / Python values."""
    if isinstance(result, tuple | list):
        return [value for item in result for value in _arrays(item)]
    if isinstance(result, Tensor):
        return [result.numpy()]
    if isinstance(result, torch.Tensor):
        return [result.detach().numpy()]
    return [result]


def _args(args: tuple, lib: Any) -> tuple:
    return tuple(a.make(lib) if isinstance(a, Arg) else a for a in args)


AVAILABLE = [case for case in CASES if hasattr(Tensor, _method(case[0]))]


def _id(case: tuple) -> str:
    name, key, args, kwargs = case
    return f"{name}-{key}-{len(args)}-{'-'.join(kwargs)}"


def test_every_row_names_a_function_of_tg():
    for name, *_ in CASES:
        assert callable(getattr(tg, name)), name


@pytest.mark.parametrize("case", AVAILABLE, ids=[_id(c) for c in AVAILABLE])
def test_function_equals_method_and_torch(case):
    name, key, args, kwargs = case
    x = tg.tensor(DATA[key])
    by_function = getattr(tg, name)(x, *_args(args, tg), **kwargs)
    by_method = getattr(x, _method(name))(*_args(args, tg), **kwargs)
    by_torch = getattr(torch, name)(torch.from_numpy(DATA[key].copy()), *_args(args, torch),
                                    **kwargs)
    ours, method, theirs = _arrays(by_function), _arrays(by_method), _arrays(by_torch)
    assert len(ours) == len(method) == len(theirs)
    for a, b, c in zip(ours, method, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)
        if isinstance(c, np.ndarray):
            assert np.asarray(a).dtype == c.dtype, (name, np.asarray(a).dtype, c.dtype)


def test_functions_are_differentiable_through_their_methods():
    x = tg.tensor(DATA["x"], requires_grad=True)
    (grad_x,) = tg.grad(tg.sum(tg.tanh(x) * tg.sigmoid(x), dim=1).mean(), x)
    xt = torch.from_numpy(DATA["x"].copy()).requires_grad_(True)
    (expected,) = torch.autograd.grad(torch.sum(torch.tanh(xt) * torch.sigmoid(xt), dim=1).mean(),
                                      xt)
    np.testing.assert_allclose(grad_x.numpy(), expected.numpy(), rtol=1e-10)


def test_input_given_by_keyword_or_as_numbers_lists_arrays():
    assert tg.exp(input=tg.tensor([0.0])).item() == 1.0
    for data in ([0.0, 1.0], np.array([0.0, 1.0])):
        np.testing.assert_allclose(tg.exp(data).numpy(), np.exp([0.0, 1.0]), rtol=1e-6)
    assert tg.sqrt(4.0).item() == 2.0
    assert tg.numel([[1, 2, 3]]) == 3


def test_a_function_carries_its_method_docstring():
    assert tg.exp.__name__ == "exp" and "input.exp" in tg.exp.__doc__
    assert Tensor.exp.__doc__ in tg.exp.__doc__
    assert "input.abs" in tg.absolute.__doc__


# ---------------------------------------------------------------- written-out functions


def _pair(shape_a: tuple, shape_b: tuple) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.default_rng(sum(shape_a) + 7 * sum(shape_b))
    return gen.standard_normal(shape_a), gen.standard_normal(shape_b)


@pytest.mark.parametrize("name, shape_a, shape_b", [
    ("matmul", (3, 4), (4, 2)), ("matmul", (4,), (4, 2)), ("matmul", (2, 3, 4), (4,)),
    ("matmul", (2, 1, 3, 4), (5, 4, 2)), ("mm", (3, 4), (4, 2)), ("bmm", (2, 3, 4), (2, 4, 5)),
    ("dot", (4,), (4,)),
])
def test_matrix_products_match_torch(name, shape_a, shape_b):
    a, b = _pair(shape_a, shape_b)
    ours = getattr(tg, name)(tg.tensor(a), tg.tensor(b))
    theirs = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_matmul_takes_pytorchs_keywords():
    a, b = _pair((2, 3), (3, 2))
    np.testing.assert_allclose(tg.matmul(input=tg.tensor(a), other=tg.tensor(b)).numpy(), a @ b,
                               rtol=1e-12)


@pytest.mark.parametrize("name, shape_a, shape_b", [
    ("mm", (2, 3, 4), (4, 2)), ("bmm", (3, 4), (4, 2)), ("dot", (2, 2), (2,)),
])
def test_strict_products_refuse_other_ranks(name, shape_a, shape_b):
    a, b = _pair(shape_a, shape_b)
    with pytest.raises(ValueError, match=f"{name} needs two"):
        getattr(tg, name)(tg.tensor(a), tg.tensor(b))


def test_maximum_minimum_and_where_take_pytorchs_keywords():
    x, y = tg.tensor(DATA["x"]), tg.tensor(DATA["y"])
    xt, yt = torch.from_numpy(DATA["x"].copy()), torch.from_numpy(DATA["y"].copy())
    np.testing.assert_array_equal(tg.maximum(input=x, other=y).numpy(),
                                  torch.maximum(xt, yt).numpy())
    np.testing.assert_array_equal(tg.minimum(x, other=y).numpy(), torch.minimum(xt, yt).numpy())
    np.testing.assert_array_equal(tg.where(x > 0, input=x, other=y).numpy(),
                                  torch.where(xt > 0, xt, yt).numpy())


def test_where_with_the_condition_alone_gives_indices():
    ours = tg.where(tg.tensor(DATA["bool"]))
    theirs = torch.where(torch.from_numpy(DATA["bool"]))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == tg.int64
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(TypeError, match="both"):
        tg.where(tg.tensor(DATA["bool"]), 1.0)


@pytest.mark.parametrize("name", ["cat", "concat", "concatenate", "stack"])
def test_joining_functions_match_torch(name):
    parts = [DATA["x"], DATA["y"]]
    ours = getattr(tg, name)([tg.tensor(p) for p in parts], dim=1)
    theirs = getattr(torch, name)([torch.from_numpy(p.copy()) for p in parts], dim=1)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_type_questions():
    assert tg.is_tensor(tg.ones(1)) and not tg.is_tensor(np.ones(1))
    assert tg.is_floating_point(tg.ones(1)) and not tg.is_floating_point(tg.tensor([1]))


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij->j", [(3, 3, 2)]), ("ij->", [(3, 4)]),
    ("ij->ji", [(3, 4)]), ("i,j->ij", [(3,), (4,)]), ("i,i->", [(3,), (3,)]),
    ("ij,ij->i", [(3, 4), (3, 4)]), ("ba,ca", [(3, 4), (2, 4)]), ("ij,j", [(3, 4), (4,)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("i...->...", [(2, 3, 4)]), ("...", [(2, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("bn,anm,bm->ba", [(2, 3), (5, 3, 4), (2, 4)]), ("bij,bjk->bik", [(1, 3, 4), (2, 4, 5)]),
    ("ij, jk -> ik", [(2, 3), (3, 2)]),
]  # fmt: skip


@pytest.mark.parametrize("equation, shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_matches_torch_with_gradients(equation, shapes):
    gen = np.random.default_rng(len(equation))
    arrays = [gen.standard_normal(shape) for shape in shapes]
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
    out, out_t = tg.einsum(equation, *ours), torch.einsum(equation, *theirs)
    assert out.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = gen.standard_normal(out.shape)
    grads = tg.grad(out, ours, tg.tensor(upstream))
    grads_t = torch.autograd.grad(out_t, theirs, torch.from_numpy(upstream))
    for g, g_t in zip(grads, grads_t, strict=True):
        np.testing.assert_allclose(g.numpy(), g_t.numpy(), rtol=1e-10, atol=1e-12)


def test_einsum_takes_a_list_and_differentiates_twice():
    gen = np.random.default_rng(3)
    a, b = (tg.tensor(gen.standard_normal(s), requires_grad=True) for s in ((2, 3), (3, 3)))
    assert tg.gradgradcheck(lambda x, y: tg.einsum("ij,jk,ik->i", [x, y, x]), (a, b))


@pytest.mark.parametrize("equation, shapes, match", [
    ("ij,jk->ik", [(2, 3)], "2 operands"), ("ij->ik", [(2, 3)], "output subscript 'k'"),
    ("ijk->i", [(2, 3)], "2 dimensions"), ("ij,jk->ik", [(2, 3), (4, 2)], r"\(2, 3\), \(4, 2\)"),
    ("i1->i", [(2,)], "'i1'"),
])
def test_einsum_refuses_bad_equations(equation, shapes, match):
    with pytest.raises(ValueError, match=match):
        tg.einsum(equation, *(tg.ones(s) for s in shapes))


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("name, numpy_dtype", [
    ("float", np.float32), ("double", np.float64), ("half", np.float16), ("long", np.int64),
    ("int", np.int32), ("short", np.int16), ("bool", np.bool_), ("float32", np.float32),
    ("float64", np.float64), ("float16", np.float16), ("int64", np.int64), ("int32", np.int32),
    ("int16", np.int16), ("int8", np.int8), ("uint8", np.uint8),
])
def test_dtype_aliases_are_numpy_dtypes_named_as_torchs(name, numpy_dtype):
    ours = getattr(tg, name)
    assert ours == numpy_dtype and ours is np.dtype(numpy_dtype)
    assert str(getattr(torch, name)) == f"torch.{ours.name}"
    made = tg.zeros(2, dtype=ours)
    assert made.dtype == ours


def test_default_dtype_round_trip():
    assert tg.get_default_dtype() == tg.float32
    try:
        tg.set_default_dtype(tg.float64)
        assert tg.get_default_dtype() == tg.float64
        assert tg.dtypes.default_float_dtype() == tg.float64
        assert tg.tensor([1.5]).dtype == tg.float64 and tg.zeros(1).dtype == tg.float64
        assert tg.tensor([1]).dtype == tg.int64
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.tensor([1.5]).dtype == tg.float32
    with pytest.raises(TypeError, match="floating"):
        tg.set_default_dtype(tg.int64)


def test_finfo_and_iinfo_answer_as_torchs():
    assert tg.finfo(tg.float32).eps == torch.finfo(torch.float32).eps
    assert tg.finfo().tiny == torch.finfo().tiny
    assert tg.iinfo(tg.int64).max == torch.iinfo(torch.int64).max


# ---------------------------------------------------------------- devices


def test_device_behaves_as_pytorchs():
    cpu = tg.device("cpu")
    assert cpu == "cpu" and cpu.type == "cpu" and cpu.index is None
    assert repr(cpu) == repr(torch.device("cpu"))
    cuda1 = tg.device("cuda", 1)
    assert cuda1 == "cuda:1" and cuda1.type == "cuda" and cuda1.index == 1
    assert repr(tg.device("cuda:1")) == repr(torch.device("cuda:1"))
    assert str(cuda1) == str(torch.device("cuda:1"))
    assert tg.device(cpu) is cpu and hash(cpu) == hash("cpu")
    assert tg.ones(2).to(cpu).device == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        tg.device("tpu")
    with pytest.raises(ValueError, match="index"):
        tg.device("cuda:x")


def test_availability_questions_never_raise():
    has_gpu = tg.cuda.is_available()
    assert isinstance(has_gpu, bool)
    assert tg.cuda.device_count() == (tg.cuda.device_count() if has_gpu else 0)
    assert tg.accelerator.is_available() == has_gpu
    assert tg.accelerator.current_accelerator() == ("cuda" if has_gpu else None)
    tg.cuda.synchronize()
    tg.cuda.empty_cache()


def test_cuda_manual_seed_seeds_the_stream_cuda_tensors_draw_from():
    tg.cuda.manual_seed_all(8)
    first = tg.rand(3).numpy()
    tg.manual_seed(8)
    np.testing.assert_array_equal(tg.rand(3).numpy(), first)


def test_set_default_device_takes_a_gpu_only_where_there_is_one():
    try:
        if tg.cuda.is_available():
            tg.set_default_device("cuda")
            assert tg.zeros(1).device == "cuda"
        else:
            with pytest.raises(RuntimeError, match="cuda"):
                tg.set_default_device("cuda")
            assert tg.get_default_device() == "cpu"
    finally:
        tg.set_default_device(None)
