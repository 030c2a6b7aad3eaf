"""The Tensor's public surface (API.md sections 1, 8 and 9): dtypes, errors, repr,
attributes, PyTorch spellings, numpy interop, creation functions, seeding and devices."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor

# ---------------------------------------------------------------- dtype rules


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([[1, 2.5]], np.float32),
        (np.array([1.0, 2.0]), np.float64),
        (np.array([1.0], dtype=np.float32), np.float32),
        (np.float64(2.0), np.float64),
        (3, np.int64),
        ([1, 2], np.int64),
        (np.array([1, 2], dtype=np.int32), np.int64),
        (True, np.bool_),
        ([True, False], np.bool_),
    ],
    ids=["float", "float-list", "mixed-list", "numpy-float64", "numpy-float32",
         "numpy-scalar-float64", "int", "int-list", "numpy-int32", "bool", "bool-list"],
)  # fmt: skip
def test_constructor_picks_the_dtype_of_the_contract(data: Any, expected: Any) -> None:
    assert Tensor(data).dtype == expected
    assert tg.tensor(data).dtype == expected


@pytest.mark.parametrize(
    ("data", "dtype"),
    [([1, 2], tg.float64), (np.ones(2), tg.float32), ([1.5], np.float64), (1, "float32")],
)
def test_dtype_argument_forces_the_dtype(data: Any, dtype: Any) -> None:
    assert Tensor(data, dtype=dtype).dtype == np.dtype(dtype)


def test_dtype_float64_keeps_the_precision_of_python_floats() -> None:
    assert Tensor([0.2, 0.1], dtype=tg.float64).tolist() == [0.2, 0.1]
    assert tg.tensor(0.2, dtype=tg.float64).item() == 0.2


def test_numpy_array_is_used_without_a_copy() -> None:
    array = np.ones(3)
    assert Tensor(array).numpy() is array


def test_float32_tensor_times_python_float_stays_float32() -> None:
    x = Tensor([1.0, 2.0])
    for result in (x * 2.5, 2.5 * x, x / 3.0, x + 1, x**2.0, 1.0 - x):
        assert result.dtype == np.float32


def test_float32_graph_stays_float32_through_forward_and_backward() -> None:
    tg.manual_seed(0)
    x = tg.randn(4, 3, requires_grad=True)
    w = tg.randn(3, 5, requires_grad=True)
    hidden = (x @ w).gelu() + 0.5 * (x @ w).tanh()
    loss = hidden.log_softmax(-1).mean() + hidden.var(axis=0).sum() + (hidden**2).sqrt().max()
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_integer_tensor_with_python_int_stays_int64() -> None:
    assert (Tensor([1, 2]) * 2).dtype == np.int64
    assert (Tensor([1, 2]) * 2).tolist() == [2, 4]


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t * 0.5,
        lambda t: 0.5 + t,
        lambda t: t / 2,
        lambda t: t / Tensor([2, 4]),
        lambda t: t**0.5,
        lambda t: t.sqrt(),
        lambda t: t.exp(),
    ],
    ids=[
        "times-float",
        "float-plus",
        "divide-int",
        "divide-int-tensor",
        "pow-float",
        "sqrt",
        "exp",
    ],
)
def test_integer_tensor_in_a_float_op_gives_float32_like_torch(op: Callable) -> None:
    assert op(Tensor([1, 2])).dtype == np.float32


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([[1.0, 2.0], [3.0]], "ragged"),
        (["a", "b"], "string"),
        (np.array([1, None], dtype=object), "object"),
        (1 + 2j, "complex"),
        ([1j, 2.0], "complex"),
        (np.array([1j]), "complex"),
        ({"a": 1}, "dict"),
        (None, "NoneType"),
    ],
    ids=["ragged", "strings", "object-array", "complex", "complex-list", "complex-array", "dict",
         "none"],
)  # fmt: skip
def test_unsupported_data_raises_naming_what_was_given(data: Any, named: str) -> None:
    with pytest.raises((TypeError, ValueError), match=named):
        Tensor(data)


@pytest.mark.parametrize("data", ["abc", "cuda"])
def test_a_string_raises_typeerror_naming_str(data: str) -> None:
    with pytest.raises(TypeError, match="str"):
        Tensor(data)


def test_adding_a_string_raises_naming_str() -> None:
    with pytest.raises(TypeError, match="str"):
        _ = Tensor([1.0]) + "a"


@pytest.mark.parametrize("data", [[1, 2], [True], 3])
def test_requires_grad_on_a_non_floating_tensor_raises(data: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="float"):
        Tensor(data, requires_grad=True)
    with pytest.raises((TypeError, ValueError), match="float"):
        Tensor(data).requires_grad_()


@pytest.mark.parametrize(
    ("left", "right"), [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4, 5)), ((2, 2, 3), (3, 3, 4))]
)
def test_matmul_shape_mismatch_raises_valueerror_naming_both_shapes(
    left: tuple[int, ...], right: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError) as info:
        _ = Tensor(np.ones(left)) @ Tensor(np.ones(right))
    assert str(left) in str(info.value) and str(right) in str(info.value)


def test_backward_on_a_non_scalar_without_gradient_raises() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="gradient"):
        y.backward()


def test_backward_on_a_non_scalar_with_gradient_works() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    (x * 2.0).backward(gradient=Tensor(np.full((2, 3), 3.0)))
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 6.0))


def test_backward_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="requires_grad"):
        Tensor([1.0]).sum().backward()


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(axis=0, dim=0),
        lambda t: t.mean(keepdims=True, keepdim=True),
        lambda t: t.max(axis=1, dim=1),
        lambda t: t.var(axis=0, dim=0),
        lambda t: t.logsumexp(axis=0, dim=0),
        lambda t: t.softmax(axis=0, dim=0),
        lambda t: t.argmax(axis=0, dim=0),
        lambda t: t.flatten(start_axis=0, start_dim=0),
        lambda t: t.transpose(0, 1, dim0=0),
        lambda t: t.squeeze(axis=0, dim=0),
        lambda t: t.unsqueeze(axis=0, dim=0),
        lambda t: tg.cat([t, t], axis=0, dim=0),
    ],
    ids=["sum", "mean", "max", "var", "logsumexp", "softmax", "argmax", "flatten", "transpose",
         "squeeze", "unsqueeze", "cat"],
)  # fmt: skip
def test_both_spellings_of_one_argument_raise_typeerror(call: Callable[[Tensor], Any]) -> None:
    with pytest.raises(TypeError, match="both"):
        call(Tensor(np.ones((2, 3))))


@pytest.mark.parametrize(
    "call",
    [lambda t: t.sum(0), lambda t: t.softmax(), lambda t: t.log_softmax(),
     lambda t: t.max(-1).values],
    ids=["sum", "softmax", "log_softmax", "max"],
)
def test_axis_0_of_a_0d_tensor_reduces_nothing_like_torch(call: Callable[[Tensor], Any]) -> None:
    x = Tensor(np.array(0.5), requires_grad=True)
    out = call(x)
    assert out.shape == ()
    out.backward()
    assert x.grad.shape == ()


def test_reshape_to_a_wrong_size_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)


# ---------------------------------------------------------------- repr and attributes


def test_repr_of_a_leaf_that_requires_grad() -> None:
    assert (
        repr(Tensor([[1.0, 2.0]], requires_grad=True)) == "tensor([[1., 2.]], requires_grad=True)"
    )


def test_repr_of_an_op_output_names_its_grad_fn() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2.0) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert "grad_fn=<AddBackward0>" in repr(x + x)


def test_attributes_of_a_tensor() -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.shape == (2, 3) and isinstance(t.shape, tuple)
    assert t.ndim == 2 and t.dim() == 2
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-2) == 2
    assert t.numel() == 6
    assert t.device == "cpu" and t.is_leaf and t.grad is None and t.name is None
    assert t.T.shape == (3, 2)
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert isinstance(t.numpy(), np.ndarray)
    assert not (t * 2.0).is_leaf


def test_item_returns_a_python_number_and_rejects_many_elements() -> None:
    assert Tensor(2.5).item() == 2.5 and isinstance(Tensor(2.5).item(), float)
    assert Tensor([7]).item() == 7 and isinstance(Tensor([7]).item(), int)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_conversions_long_bool_float_double() -> None:
    t = Tensor([[1.5, 0.0]])
    assert t.long().dtype == np.int64 and t.long().tolist() == [[1, 0]]
    assert t.bool().dtype == np.bool_ and t.bool().tolist() == [[True, False]]
    assert t.double().dtype == np.float64 and t.double().float().dtype == np.float32
    assert t.astype(tg.float64).dtype == np.float64


def test_conversion_to_an_integer_dtype_is_not_differentiable() -> None:
    x = Tensor([1.5, 2.5], requires_grad=True)
    assert not x.long().requires_grad


def test_view_is_reshape() -> None:
    x = Tensor(np.arange(6.0), requires_grad=True)
    v = x.view(2, -1)
    assert v.shape == (2, 3)
    (v * Tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0))


def test_detach_shares_data_and_leaves_the_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    assert x.detach().numpy() is x.numpy()


def test_data_assignment_takes_the_new_dtype() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    t.data = np.array([5.0, 6.0])
    assert t.dtype == np.float64 and t.tolist() == [5.0, 6.0] and t.requires_grad


def test_data_assignment_of_another_shape_raises_naming_both() -> None:
    t = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        t.data = np.ones(3)


def test_requires_grad_flag_and_in_place_setter() -> None:
    t = Tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


# ---------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    "compare",
    [lambda a, b: a == b, lambda a, b: a != b, lambda a, b: a < b, lambda a, b: a <= b,
     lambda a, b: a > b, lambda a, b: a >= b],
    ids=["eq", "ne", "lt", "le", "gt", "ge"],
)  # fmt: skip
def test_comparisons_give_bool_tensors_outside_the_graph(compare: Callable) -> None:
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([2.0, 2.0, 2.0])
    result = compare(a, b)
    assert isinstance(result, Tensor) and result.dtype == np.bool_
    assert not result.requires_grad
    np.testing.assert_array_equal(result.numpy(), compare(a.numpy(), b.numpy()))
    assert compare(a, 2.0).dtype == np.bool_


def test_accuracy_idiom_computes_the_fraction_of_correct_predictions() -> None:
    pred = Tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], requires_grad=True)
    labels = Tensor([1, 0, 0, 0])
    accuracy = (pred.argmax(1) == labels).float().mean().item()
    assert accuracy == 0.75 and isinstance(accuracy, float)


def test_argmax_and_argmin_give_int64_indices() -> None:
    t = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    assert t.argmax().item() == 3 and t.argmin(dim=1).tolist() == [0, 1]
    assert t.argmax(axis=0, keepdims=True).shape == (1, 3)
    assert t.argmax(1).dtype == np.int64 and not t.argmax(1).requires_grad


# ---------------------------------------------------------------- numpy interop


def test_np_asarray_returns_the_data() -> None:
    t = Tensor(np.arange(3.0))
    np.testing.assert_array_equal(np.asarray(t), [0.0, 1.0, 2.0])
    assert np.asarray(t).dtype == np.float64


def test_ndarray_on_the_left_gives_a_tensor_that_keeps_the_graph() -> None:
    w = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    scale = np.array([[2.0, 3.0], [4.0, 5.0]])
    product, matrix = scale * w, scale @ w
    assert isinstance(product, Tensor) and isinstance(matrix, Tensor)
    (product.sum() + matrix.sum()).backward()
    expected = scale + scale.T @ np.ones((2, 2))
    np.testing.assert_allclose(w.grad.numpy(), expected)


def test_ndarray_compared_with_a_tensor_gives_a_bool_tensor() -> None:
    result = np.array([1.0, 5.0]) < Tensor([2.0, 2.0])
    assert isinstance(result, Tensor) and result.dtype == np.bool_
    assert result.tolist() == [True, False]


# ---------------------------------------------------------------- creation


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda **kw: tg.zeros(2, 3, **kw), (2, 3)),
        (lambda **kw: tg.zeros((2, 3), **kw), (2, 3)),
        (lambda **kw: tg.ones(4, **kw), (4,)),
        (lambda **kw: tg.full((2, 2), 1.5, **kw), (2, 2)),
        (lambda **kw: tg.zeros_like(Tensor(np.ones((3, 1))), **kw), (3, 1)),
        (lambda **kw: tg.ones_like(Tensor(np.ones((3, 1))), **kw), (3, 1)),
        (lambda **kw: tg.arange(0.0, 2.0, 0.5, **kw), (4,)),
        (lambda **kw: tg.eye(3, **kw), (3, 3)),
        (lambda **kw: tg.randn(2, 3, **kw), (2, 3)),
        (lambda **kw: tg.rand(5, **kw), (5,)),
    ],
    ids=["zeros", "zeros-tuple", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
         "randn", "rand"],
)  # fmt: skip
def test_creation_functions_take_dtype_and_requires_grad(make: Callable, shape: tuple) -> None:
    default = make()
    assert default.shape == shape and not default.requires_grad
    made = make(dtype=tg.float64, requires_grad=True)
    assert made.shape == shape and made.dtype == np.float64 and made.requires_grad
    assert made.is_leaf
    assert make(dtype=tg.float32).dtype == np.float32


def test_creation_functions_default_to_float32_for_floats_and_int64_for_ints() -> None:
    assert tg.zeros(2).dtype == np.float32 and tg.randn(2).dtype == np.float32
    assert tg.arange(5).dtype == np.int64 and tg.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert tg.full((2,), 3).dtype == np.int64 and tg.full((2,), 3.0).dtype == np.float32
    np.testing.assert_array_equal(tg.eye(2).numpy(), np.eye(2))


def test_manual_seed_reproduces_the_same_numbers() -> None:
    tg.manual_seed(123)
    first = (tg.randn(3, 2).numpy(), tg.rand(4).numpy())
    tg.manual_seed(123)
    second = (tg.randn(3, 2).numpy(), tg.rand(4).numpy())
    tg.manual_seed(124)
    other = tg.randn(3, 2).numpy()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], other)


def test_rand_lies_in_the_unit_interval() -> None:
    tg.manual_seed(0)
    values = tg.rand(1000).numpy()
    assert values.min() >= 0.0 and values.max() < 1.0


# ---------------------------------------------------------------- devices


def test_cuda_without_cupy_raises_runtimeerror_saying_why(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` now fails everywhere
    with pytest.raises(RuntimeError, match="CuPy"):
        Tensor([1.0], device="cuda")
    with pytest.raises(RuntimeError, match="CuPy"):
        Tensor([1.0]).to("cuda")
    with pytest.raises(RuntimeError, match="CuPy"):
        tg.zeros(2, device="cuda")


def test_unknown_device_raises_naming_it() -> None:
    with pytest.raises(ValueError, match="tpu"):
        Tensor([1.0], device="tpu")


def test_mixing_devices_in_one_op_raises_naming_both() -> None:
    a, b = Tensor([1.0]), Tensor([2.0])
    b.device = "cuda"  # a stand-in: only the device label is compared before any math
    with pytest.raises(RuntimeError, match=r"cpu.*cuda"):
        _ = a + b


def test_a_full_reduction_holds_a_0d_array_as_torch_gives_a_0d_tensor() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    assert isinstance(loss.numpy(), np.ndarray) and loss.numpy().shape == ()
    assert isinstance((loss * 2).numpy(), np.ndarray)  # ops on 0-d tensors too
    with tg.no_grad():
        loss += 1  # a numpy scalar would be read-only
    assert loss.item() == 6.0 and loss._version == 1


def test_data_is_a_detached_tensor_sharing_memory_as_pytorch() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert isinstance(d, tg.Tensor) and not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), w.numpy())
    w.data -= 0.5 * tg.tensor([2.0, 2.0])  # the update of a hand-written SGD step
    d.add_(1.0)
    w.data.mul_(2.0)
    np.testing.assert_array_equal(w.numpy(), [2.0, 4.0])
    assert w.requires_grad and w.is_leaf


def test_grad_fn_is_a_node_with_pytorch_names_and_next_functions() -> None:
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0])
    loss = (a * b).sum()
    assert a.grad_fn is None and loss.grad_fn.name() == "SumBackward0"
    ((mul, index),) = loss.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and index == 0
    (leaf, _), (constant, _) = mul.next_functions
    assert leaf.name() == "torch::autograd::AccumulateGrad" and leaf.variable is a
    assert constant is None  # b needs no gradient
    assert repr(mul).startswith("<MulBackward0 object at 0x")
    assert "grad_fn=<SumBackward0>" in repr(loss)


def test_format_spec_formats_a_one_element_tensor_as_pytorch() -> None:
    loss = tg.tensor(0.123456, dtype=tg.float64)
    assert f"{loss:.4f}" == "0.1235" and f"{tg.tensor([3.0]):.1f}" == "3.0"
    assert f"{tg.tensor([1.0, 2.0])}" == repr(tg.tensor([1.0, 2.0]))


def test_to_takes_device_and_dtype_as_pytorch() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu", tg.float64).dtype == tg.float64
    assert x.to(device="cpu", dtype=tg.float64).dtype == tg.float64
    assert x.to(tg.zeros(1, dtype=tg.float64)).dtype == tg.float64
    x.to("cpu", tg.float64).sum().backward()
    assert x.grad.dtype == tg.float32 and x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="unknown device 'mps'"):
        x.to("mps")


def test_grad_fn_nodes_are_the_same_objects_each_time() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    doubled = x * 2
    loss = doubled.sum()
    assert loss.grad_fn is loss.grad_fn
    assert loss.grad_fn.next_functions[0][0] is doubled.grad_fn
    assert doubled.grad_fn.next_functions[0][0] is doubled.grad_fn.next_functions[0][0]


def test_an_update_through_data_is_not_an_in_place_change_autograd_sees() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.data -= 0.5 * w.data  # PyTorch's manual SGD idiom: no version bump, no error
    assert w._version == 0
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])  # 2 w with w's new values
