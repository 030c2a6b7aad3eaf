"""Book preliminaries: data manipulation and linear algebra with tensors: arange/reshape,
indexing and slice assignment, elementwise operators, cat along both axes, broadcasting,
memory (in-place updates keep id), numpy conversion, reductions with axis=, dot/mv/mm/norm."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch

x = torch.arange(12, dtype=torch.float32)
numel = x.numel()
X = x.reshape(3, 4)
X_inferred = x.reshape(-1, 4)
zeros = torch.zeros((2, 3, 4))
ones = torch.ones((2, 3, 4))
R = torch.randn(3, 4)
assert R.shape == (3, 4)
given = torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])

last, middle = X[-1], X[1:3]
X[1, 2] = 17
X[:2, :] = 12

x2 = torch.tensor([1.0, 2, 4, 8])
y2 = torch.tensor([2, 2, 2, 2])
ops = [x2 + y2, x2 - y2, x2 * y2, x2 / y2, x2**y2, torch.exp(x2)]

X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
cat0, cat1 = torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1)
equal, total = X == Y, X.sum()

a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
broadcast = a + b

before = id(Y)
Y = Y + X
assert id(Y) != before
Z = torch.zeros_like(Y)
id_z = id(Z)
Z[:] = X + Y
assert id(Z) == id_z
before = id(X)
X += Y
assert id(X) == before

A = X.numpy()
B = torch.from_numpy(A)
assert type(A) is np.ndarray and isinstance(B, torch.Tensor)
s = torch.tensor([3.5])
scalars = (s.item(), float(s), int(s))

A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
B = A.clone()
sum_axis0 = A.sum(axis=0)
sum_axis01 = A.sum(axis=[0, 1])
mean = A.mean()
mean_axis0 = A.mean(axis=0)
sum_keep = A.sum(axis=1, keepdims=True)
normalised = A / sum_keep
cumsum = A.cumsum(axis=0)
hadamard = A * B
xv = torch.arange(4, dtype=torch.float32)
yv = torch.ones(4, dtype=torch.float32)
dot = torch.dot(xv, yv)
mv = torch.mv(A, xv)
mm = torch.mm(A, torch.ones(4, 3))
u = torch.tensor([3.0, -4.0])
norms = (torch.norm(u), torch.abs(u).sum(), torch.norm(torch.ones((4, 9))))
AT = A.T
sym = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
assert bool((sym == sym.T).all())

results = {
    "numel": numel, "X_inferred": X_inferred, "zeros": zeros, "ones": ones, "given": given,
    "last": last, "middle": middle, "ops": ops, "cat0": cat0, "cat1": cat1, "equal": equal,
    "total": total, "broadcast": broadcast, "Z": Z, "X": X, "scalars": list(scalars),
    "sum_axis0": sum_axis0, "sum_axis01": sum_axis01, "mean": mean, "mean_axis0": mean_axis0,
    "normalised": normalised, "cumsum": cumsum, "hadamard": hadamard, "dot": dot, "mv": mv,
    "mm": mm, "norms": list(norms), "AT": AT,
}  # fmt: skip
