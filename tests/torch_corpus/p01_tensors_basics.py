"""Tensors tutorial: creation, attributes, indexing, joining, arithmetic, the numpy bridge."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)

x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
assert x_rand.shape == (2, 2) and x_rand.dtype == torch.float32
assert bool(((x_rand >= 0) & (x_rand < 1)).all())

shape = (2, 3)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
print(f"Random Tensor: \n {rand_tensor} \n")
print(f"Ones Tensor: \n {ones_tensor} \n")

tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
assert str(tensor.device) == "cpu"

device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
tensor = tensor.to(device)

tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
t1 = torch.cat([tensor, tensor, tensor], dim=1)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)

z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

print(f"{tensor} \n")
tensor.add_(5)

t = torch.ones(5)
n = t.numpy()
t.add_(1)
shared_after_add = n.copy()

n2 = np.ones(5)
t2 = torch.from_numpy(n2)
np.add(n2, 1, out=n2)

results = {
    "x_data": x_data, "x_np": x_np, "x_ones": x_ones, "dtype_is_int64": x_data.dtype == torch.int64,
    "ones": ones_tensor, "zeros": zeros_tensor, "t1": t1, "y1": y1, "y2": y2, "y3": y3,
    "z1": z1, "z2": z2, "z3": z3, "agg_item": agg_item, "tensor": tensor,
    "numpy_shares_memory": shared_after_add, "from_numpy_shares_memory": t2,
    "t2_dtype_is_float64": t2.dtype == torch.float64,
}  # fmt: skip
