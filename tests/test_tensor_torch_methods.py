"""PyTorch's Tensor methods (API.md section 9) beside PyTorch itself.

The differentiable ops have rows in ``tests/opcases.py`` (gradcheck, second order, PyTorch
parity). Here: what a row cannot say — named tuples and their indices, ties, zeros in
``prod``, dtypes of the non-differentiable methods, the in-place methods (values, version
bumps, the no_grad rule, recorded gradients) and the errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_nn as tg

torch = pytest.importorskip("torch")


def pair(values: Any, requires_grad: bool = False) -> tuple[tg.Tensor, Any]:
    """The same float64 values as a tinygrad_nn tensor and a torch tensor."""
    array = np.array(values, dtype=np.float64)
    return (tg.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def same(ours: Any, theirs: Any) -> None:
    """Equal values, shape and dtype."""
    expected = theirs.detach().numpy()
    assert ours.numpy().dtype == expected.dtype
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- max(dim) and friends

TIES = [[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, -1.0, 2.0], [0.0, -4.0, 5.0, 5.0]]


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("keep", [False, True])
def test_max_along_a_dim_is_a_named_tuple_whose_gradient_goes_to_the_index(
    op: str, keep: bool
) -> None:
    x, tx = pair(TIES, requires_grad=True)
    result, expected = getattr(x, op)(1, keepdim=keep), getattr(tx, op)(1, keepdim=keep)
    values, indices = result
    assert values is result.values and indices is result.indices and result[0] is values
    same(values, expected.values)
    same(indices, expected.indices)
    weights = np.arange(1.0, 4.0).reshape(values.shape)
    (values * tg.tensor(weights)).sum().backward()
    (expected.values * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize(
    "call",
    [lambda t: t.max(1), lambda t: t.max(dim=1), lambda t: t.max(axis=1),
     lambda t: t.max(1, keepdims=False), lambda t: t.max(axis=-1, keepdim=False)],
    ids=["positional", "dim", "axis", "keepdims", "axis-keepdim"],
)  # fmt: skip
def test_every_spelling_of_the_axis_gives_values_and_indices(call: Any) -> None:
    values, indices = call(tg.tensor(TIES))
    np.testing.assert_array_equal(values.numpy(), [3.0, 2.0, 5.0])
    np.testing.assert_array_equal(indices.numpy(), torch.tensor(TIES).max(1).indices.numpy())


def test_max_over_everything_is_0d_and_shares_the_gradient_among_ties_like_torch() -> None:
    x, tx = pair(TIES, requires_grad=True)
    same(x.max(), tx.max())
    x.max().backward()
    tx.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())  # 0.5 at each 5.0


@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_shares_the_gradient_among_ties_like_torch(op: str) -> None:
    x, tx = pair(TIES, requires_grad=True)
    ours, theirs = getattr(x, op)(dim=1), getattr(tx, op)(dim=1)
    same(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15)


def test_max_of_another_tensor_is_the_elementwise_maximum() -> None:
    (a, ta), (b, tb) = pair([1.0, 5.0, 2.0]), pair([3.0, 4.0, 2.0])
    same(a.max(b), ta.max(tb))
    same(a.min(b), ta.min(tb))


def test_max_along_several_dims_says_to_use_amax() -> None:
    with pytest.raises(TypeError, match="amax"):
        tg.ones(2, 3).max(dim=(0, 1))


def test_argmax_keeps_working() -> None:
    x, tx = pair(TIES)
    same(x.argmax(1), tx.argmax(1))
    same(x.argmin(), tx.argmin())


# ---------------------------------------------------------------- var and std


@pytest.mark.parametrize(
    "call",
    [lambda t: t.var(), lambda t: t.std(), lambda t: t.var(1), lambda t: t.std(0, True),
     lambda t: t.var(1, unbiased=False), lambda t: t.std(dim=1, correction=0),
     lambda t: t.var(False), lambda t: t.var(1, True, True), lambda t: t.std(correction=2)],
    ids=["var", "std", "var-dim", "std-dim-unbiased", "var-unbiased-false", "std-correction0",
         "var-positional-unbiased", "var-dim-unbiased-keepdim", "std-correction2"],
)  # fmt: skip
def test_var_and_std_are_unbiased_by_default_like_torch(call: Any) -> None:
    x, tx = pair(TIES)
    same(call(x), call(tx))


def test_numpys_ddof_gives_the_population_variance() -> None:
    x, tx = pair(TIES)
    same(x.var(ddof=0), tx.var(correction=0))
    same(x.std(axis=1, ddof=1), tx.std(dim=1))


def test_two_corrections_at_once_raise() -> None:
    with pytest.raises(TypeError, match="unbiased.*ddof"):
        tg.ones(3).var(unbiased=True, ddof=0)


# ---------------------------------------------------------------- prod, cumsum


@pytest.mark.parametrize(
    ("values", "dim"),
    [([[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]], 1), ([[2.0, 0.0, 0.0], [0.0, -2.0, 4.0]], 1),
     ([[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]], 0), ([[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]], None),
     ([[0.0, 0.0], [1.0, 2.0]], None)],
    ids=["one-zero-a-row", "two-zeros-a-row", "along-dim0", "all-one-zero", "all-two-zeros"],
)  # fmt: skip
def test_prod_gradient_with_zeros_matches_torch(values: Any, dim: Any) -> None:
    x, tx = pair(values, requires_grad=True)
    ours = x.prod() if dim is None else x.prod(dim)
    theirs = tx.prod() if dim is None else tx.prod(dim)
    same(ours, theirs)
    weights = np.arange(1.0, ours.numel() + 1).reshape(ours.shape)
    (ours * tg.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_prod_second_derivative_with_a_zero_matches_central_differences() -> None:
    x = tg.tensor(np.array([[2.0, 0.0, 3.0], [0.5, -2.0, 0.0]]), requires_grad=True)
    assert tg.gradgradcheck(lambda t: t.prod(1) ** 2, [x])
    assert tg.gradgradcheck(lambda t: t.prod(), [x])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_], ids=["int64", "int32", "bool"])
def test_prod_and_cumsum_of_integers_give_int64_like_torch(dtype: Any) -> None:
    array = np.array([[1, 0, 1], [1, 1, 1]]).astype(dtype)
    x, tx = tg.tensor(array), torch.tensor(array)
    same(x.prod(1), tx.prod(1))
    same(x.cumsum(1), tx.cumsum(1))


# ---------------------------------------------------------------- sort, topk, argsort


def test_sort_and_topk_give_torchs_values_and_indices() -> None:
    values = [[0.5, -1.0, 2.0, 0.25], [3.0, 1.0, -2.0, 1.5]]
    x, tx = pair(values)
    for ours, theirs in [
        (x.sort(), tx.sort()), (x.sort(0, descending=True), tx.sort(0, descending=True)),
        (x.topk(2), tx.topk(2)), (x.topk(1, dim=0, largest=False),
                                  tx.topk(1, dim=0, largest=False)),
    ]:  # fmt: skip
        assert type(ours).__name__ == type(theirs).__name__.split(".")[-1]
        same(ours.values, theirs.values)
        same(ours.indices, theirs.indices)
    same(x.argsort(dim=0), tx.argsort(dim=0))
    same(x.argsort(descending=True), tx.argsort(descending=True))


def test_sort_keeps_ties_in_order_like_torchs_stable_sort() -> None:
    ties = [2.0, 1.0, 2.0, 1.0, 2.0]
    x, tx = pair(ties)
    same(x.sort().indices, tx.sort(stable=True).indices)
    same(x.sort(descending=True).indices, tx.sort(descending=True, stable=True).indices)


def test_sort_of_integers_keeps_the_dtype() -> None:
    x, tx = tg.tensor([3, 1, 2]), torch.tensor([3, 1, 2])
    same(x.sort(descending=True).values, tx.sort(descending=True).values)
    same(x.topk(2).indices, tx.topk(2).indices)


def test_0d_sort_and_topk_match_torch() -> None:
    x, tx = pair(1.5)
    for ours, theirs in [(x.sort(), tx.sort()), (x.topk(1), tx.topk(1))]:
        same(ours.values, theirs.values)
        same(ours.indices, theirs.indices)


# ---------------------------------------------------------------- einsum, norm


@pytest.mark.parametrize(
    ("equation", "shapes"),
    [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
     ("ii->", [(3, 3)]), ("i,j->ij", [(2,), (3,)]), ("ij,ij->i", [(2, 3), (2, 3)]),
     ("...ij->...ji", [(2, 3, 4)]), ("ba,ca", [(2, 3), (4, 3)])],
)  # fmt: skip
def test_einsum_matches_torch_values_and_gradients(equation: str, shapes: list) -> None:
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = tg.einsum(equation, *ours), torch.einsum(equation, *theirs)
    same(out, expected)
    seed = rng.standard_normal(out.shape)
    out.backward(tg.tensor(seed))
    expected.backward(torch.tensor(seed))
    for a, ta in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("equation", "shapes", "message"),
    [("ij,jk->ik", [(2, 3), (4, 4)], "does not fit"), ("ij,jk->ik", [(2, 3)], "operands"),
     ("ijk->i", [(2, 3)], "dimensions")],
)  # fmt: skip
def test_einsum_with_operands_that_do_not_fit_names_the_problem(
    equation: str, shapes: list, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        tg.einsum(equation, *[tg.ones(*shape) for shape in shapes])


def test_norm_of_zeros_has_gradient_zero_like_torch() -> None:
    x, tx = pair([[0.0, 0.0], [3.0, 4.0]], requires_grad=True)
    x.norm(dim=1).sum().backward()
    tx.norm(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("p", [0, 1, 2, 3, float("inf"), float("-inf"), "fro"])
def test_norm_values_match_torch(p: Any) -> None:
    x, tx = pair([[1.0, -2.0, 0.0], [0.5, 3.0, -1.0]])
    same(x.norm(p), tx.norm(p))
    if p != "fro":
        same(x.norm(p, dim=1, keepdim=True), tx.norm(p, dim=1, keepdim=True))


# ---------------------------------------------------------------- split, chunk, repeat


@pytest.mark.parametrize(
    "call",
    [lambda t: t.split(2), lambda t: t.split([1, 4, 1]), lambda t: t.chunk(4),
     lambda t: t.chunk(3, dim=1), lambda t: t.chunk(6, 1)],
    ids=["split-size", "split-sections", "chunk-fewer-pieces", "chunk-dim1", "chunk-too-many"],
)  # fmt: skip
def test_split_and_chunk_give_torchs_pieces(call: Any) -> None:
    x, tx = pair(np.arange(24.0).reshape(6, 4))
    ours, theirs = call(x), call(tx)
    assert len(ours) == len(theirs)
    for piece, expected in zip(ours, theirs, strict=True):
        same(piece, expected)


def test_repeat_and_flip_match_torch_on_integers() -> None:
    x, tx = tg.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 2], [3, 4]])
    same(x.repeat(2, 1, 3), tx.repeat(2, 1, 3))
    same(x.flip(1), tx.flip(1))
    same(x.tril(), tx.tril())
    same(x.triu(1), tx.triu(1))


# ---------------------------------------------------------------- not differentiable


@pytest.mark.parametrize("method", ["sign", "floor", "ceil", "round", "trunc"])
@pytest.mark.parametrize("kind", ["float", "int"])
def test_rounding_methods_match_torch_values_and_dtypes(method: str, kind: str) -> None:
    values = [-2.5, -1.5, -0.2, 0.0, 0.5, 1.5, 2.7] if kind == "float" else [-3, 0, 2]
    x = tg.tensor(values) if kind == "int" else tg.tensor(values, dtype=tg.float64)
    tx = torch.tensor(values) if kind == "int" else torch.tensor(values, dtype=torch.float64)
    same(getattr(x, method)(), getattr(tx, method)())


def test_rounding_methods_pass_a_zero_gradient_like_torch() -> None:
    x, tx = pair([-1.5, 0.3, 2.5], requires_grad=True)
    out = x.floor() + x.ceil() + x.round() + x.trunc() + x.sign()
    assert out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_round_to_decimals_matches_torch() -> None:
    x, tx = pair([1.2345, -2.5678])
    same(x.round(decimals=2), tx.round(decimals=2))


def test_isnan_isinf_isfinite_match_torch() -> None:
    x, tx = pair([1.0, np.nan, np.inf, -np.inf, 0.0])
    for method in ("isnan", "isinf", "isfinite"):
        same(getattr(x, method)(), getattr(tx, method)())


def test_comparison_and_logical_methods_match_torch() -> None:
    (a, ta), (b, tb) = pair([1.0, 0.0, 3.0]), pair([1.0, 2.0, 0.0])
    for method in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
                   "logical_xor"):  # fmt: skip
        same(getattr(a, method)(b), getattr(ta, method)(tb))
    same(a.eq(1.0), ta.eq(1.0))
    same(a.logical_not(), ta.logical_not())


def test_allclose_and_equal_give_python_bools_like_torch() -> None:
    (a, ta), (b, tb) = pair([1.0, 2.0]), pair([1.0, 2.0 + 1e-9])
    assert a.allclose(b) is True and ta.allclose(tb)
    assert a.equal(b) is False and not ta.equal(tb)
    assert a.equal(a.clone()) is True
    assert a.equal(tg.tensor([1.0, 2.0, 3.0])) is False
    assert a.allclose(b, rtol=0, atol=1e-12) is False


def test_div_rounding_modes_match_torch() -> None:
    (a, ta), (b, tb) = pair([7.0, -7.0, 7.5]), pair([2.0, 2.0, -2.0])
    for mode in ("trunc", "floor"):
        same(a.div(b, rounding_mode=mode), ta.div(tb, rounding_mode=mode))
    ints, tints = tg.tensor([7, -7]), torch.tensor([7, -7])
    same(ints.div(2, rounding_mode="floor"), tints.div(2, rounding_mode="floor"))
    same(ints.divide(2), tints.divide(2))


def test_type_names_the_tensor_type_and_converts_like_torch() -> None:
    for dtype, torch_dtype in ((tg.float32, torch.float32), (tg.float64, torch.float64),
                               (tg.int64, torch.int64), (tg.bool, torch.bool)):  # fmt: skip
        assert tg.zeros(2, dtype=dtype).type() == torch.zeros(2, dtype=torch_dtype).type()
    x = tg.tensor([1.5, 2.5])
    assert x.type(tg.float64).dtype == tg.float64
    assert x.type("torch.LongTensor").tolist() == torch.tensor([1.5, 2.5]).type(
        "torch.LongTensor").tolist()
    assert x.nelement() == 2


def test_t_of_more_than_two_dimensions_raises_like_torch() -> None:
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        tg.ones(2, 3, 4).t()
    assert tg.ones(3).t().shape == (3,)


def test_clone_is_a_copy_that_passes_the_gradient() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    copy = x.clone()
    with tg.no_grad():
        copy.add_(10.0)
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    (x.clone() * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [(lambda t: t.mm(tg.ones(2, 3, 4)), ValueError, "mm needs two matrices"),
     (lambda t: t.reshape(1, 2, 3).bmm(tg.ones(2, 3, 4)), ValueError, "same batch size"),
     (lambda t: t.gather(1, tg.tensor([[0, 5], [1, 1]])), IndexError, "5 is out of range"),
     (lambda t: t.gather(1, tg.tensor([[0.0]])), TypeError, "integers"),
     (lambda t: t.gather(1, tg.tensor([0, 1])), ValueError, "dimensions"),
     (lambda t: t.index_select(0, tg.tensor([[0]])), ValueError, "1-D"),
     (lambda t: t.index_select(1, tg.tensor([3])), IndexError, "3 is out of range"),
     (lambda t: t.masked_fill(tg.tensor([1, 0, 1]), 0.0), TypeError, "bool mask"),
     (lambda t: t.masked_fill(tg.ones(2, 3, dtype=tg.bool), tg.ones(2)), ValueError, "0-d"),
     (lambda t: t.split([1, 1], dim=1), ValueError, "add up"),
     (lambda t: t.chunk(0), ValueError, "positive"),
     (lambda t: t.topk(4), ValueError, "out of range"),
     (lambda t: t[0].tril(), ValueError, "at least 2"),
     (lambda t: t.repeat(2), ValueError, "one size per dimension"),
     (lambda t: t.norm(p="nuc"), ValueError, "'fro' or a number"),
     (lambda t: t.cumsum(), TypeError, "dimension"),
     (lambda t: t.prod(dim=(0, 1)), TypeError, "one dimension"),
     (lambda t: t.type("torch.ComplexFloatTensor"), TypeError, "unknown tensor type")],
    ids=["mm-3d", "bmm-batch", "gather-range", "gather-float-index", "gather-ndim",
         "index_select-2d", "index_select-range", "masked_fill-mask", "masked_fill-value",
         "split-sections", "chunk-0", "topk-k", "tril-1d", "repeat-sizes", "norm-p",
         "cumsum-dim", "prod-dims", "type-name"],
)  # fmt: skip
def test_bad_arguments_raise_naming_the_problem(call: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(tg.ones(2, 3))


# ---------------------------------------------------------------- in place


@pytest.mark.parametrize(
    "call",
    [lambda t, o: t.add_(o), lambda t, o: t.add_(o, alpha=-2), lambda t, o: t.sub_(o),
     lambda t, o: t.sub_(o, alpha=0.5), lambda t, o: t.mul_(o), lambda t, o: t.div_(o),
     lambda t, o: t.pow_(2), lambda t, o: t.neg_(), lambda t, o: t.clamp_(-0.5, 1.0),
     lambda t, o: t.clip_(min=0.0), lambda t, o: t.masked_fill_(o > 0, 7.0),
     lambda t, o: t.copy_(o), lambda t, o: t.fill_(3.0), lambda t, o: t.zero_()],
    ids=["add_", "add_-alpha", "sub_", "sub_-alpha", "mul_", "div_", "pow_", "neg_", "clamp_",
         "clip_", "masked_fill_", "copy_", "fill_", "zero_"],
)  # fmt: skip
def test_in_place_methods_change_the_same_array_and_bump_the_version(call: Any) -> None:
    rng = np.random.default_rng(5)
    start, other = rng.standard_normal((2, 3)), rng.standard_normal(3)
    x, tx = pair(start)
    o, to = pair(other)
    array, version = x.numpy(), x._version
    assert call(x, o) is x
    call(tx, to)
    same(x, tx)
    assert x._version == version + 1
    assert x._data is array  # changed in place, not replaced


def test_copy_casts_into_the_tensors_dtype_like_torch() -> None:
    x, tx = tg.zeros(2, 3, dtype=tg.int64), torch.zeros(2, 3, dtype=torch.int64)
    x.copy_(tg.tensor([1.7, -2.2, 3.0]))
    tx.copy_(torch.tensor([1.7, -2.2, 3.0]))
    same(x, tx)


def test_in_place_on_a_leaf_that_requires_grad_raises_saying_no_grad() -> None:
    w = tg.ones(3, requires_grad=True)
    for call in (lambda: w.add_(1.0), lambda: w.mul_(2.0), lambda: w.normal_(),
                 lambda: w.uniform_(), lambda: w.copy_(tg.zeros(3)), lambda: w.clamp_(0, 1)):
        with pytest.raises(RuntimeError, match="no_grad"):
            call()
    with tg.no_grad():
        w.add_(tg.tensor([1.0, 2.0, 3.0]), alpha=2).mul_(0.5)
    np.testing.assert_array_equal(w.numpy(), [1.5, 2.5, 3.5])


@pytest.mark.parametrize(
    "call",
    [lambda y, z: y.add_(z, alpha=3.0), lambda y, z: y.sub_(z), lambda y, z: y.mul_(z),
     lambda y, z: y.div_(z), lambda y, z: y.pow_(3), lambda y, z: y.clamp_(-1.0, 1.0),
     lambda y, z: y.masked_fill_(z > 0, 0.5), lambda y, z: y.copy_(z),
     lambda y, z: y.neg_()],
    ids=["add_", "sub_", "mul_", "div_", "pow_", "clamp_", "masked_fill_", "copy_", "neg_"],
)  # fmt: skip
def test_in_place_on_a_non_leaf_is_recorded_like_torch(call: Any) -> None:
    rng = np.random.default_rng(11)
    start, other = rng.uniform(0.5, 2.0, (2, 3)), rng.standard_normal(3)
    (x, tx), (z, tz) = pair(start, True), pair(other, True)
    y, ty = x * 1.5, tx * 1.5
    call(y, z)
    call(ty, tz)
    same(y, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    if tz.grad is not None:
        np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy(), rtol=1e-12)


def test_in_place_change_of_a_saved_input_makes_backward_raise() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    b = a * a  # saves a
    a.add_(1.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        b.sum().backward()


class _Seeded:
    """A stand-in for tg.Generator: what the in-place samplers use is its ``_rng``."""

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)


@pytest.mark.parametrize("method", ["normal_", "uniform_"])
def test_random_fills_are_reproducible_with_a_seed_or_a_generator(method: str) -> None:
    def draw(**kwargs: Any) -> np.ndarray:
        return getattr(tg.zeros(4, 5), method)(**kwargs).numpy()

    tg.manual_seed(3)
    first = draw()
    tg.manual_seed(3)
    np.testing.assert_array_equal(draw(), first)
    np.testing.assert_array_equal(draw(generator=_Seeded(9)), draw(generator=_Seeded(9)))
    assert not np.array_equal(draw(generator=_Seeded(9)), draw(generator=_Seeded(10)))


def test_a_generator_that_is_not_one_raises() -> None:
    with pytest.raises(TypeError, match="tg.Generator"):
        tg.zeros(3).normal_(generator=42)


def test_normal_and_uniform_fill_with_the_asked_distribution() -> None:
    samples = tg.zeros(100_000, dtype=tg.float64).normal_(2.0, 0.5, generator=_Seeded(1))
    assert abs(samples.numpy().mean() - 2.0) < 0.01
    assert abs(samples.numpy().std() - 0.5) < 0.01
    uniform = tg.zeros(100_000).uniform_(-1.0, 3.0, generator=_Seeded(2)).numpy()
    assert uniform.dtype == np.float32
    assert uniform.min() >= -1.0 and uniform.max() < 3.0
    assert abs(uniform.mean() - 1.0) < 0.02


def test_normal_through_a_detached_view_updates_the_parameter() -> None:
    w = tg.zeros(3, 4, requires_grad=True)
    version = w._version
    w.detach().normal_(0.0, 0.01, generator=_Seeded(4))
    assert w.numpy().std() > 0
    assert w._version == version + 1  # the view shares the version counter
