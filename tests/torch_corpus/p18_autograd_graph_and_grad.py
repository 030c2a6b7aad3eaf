"""Looking at the graph (grad_fn, next_functions, AccumulateGrad) and asking autograd for
gradients directly: torch.autograd.grad with create_graph, Hessian-vector products,
torch.autograd.functional.jacobian / hessian."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import torch
from torch.autograd import grad
from torch.autograd.functional import hessian, jacobian

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
w = torch.tensor([1.5, 0.25, -0.75], requires_grad=True)
y = (x * w).sum()
print(y.grad_fn, y.grad_fn.name())
next_nodes = [node for node, _ in y.grad_fn.next_functions]
mul_node = next_nodes[0]
leaf_nodes = [node for node, _ in mul_node.next_functions]
assert all(type(node).__name__ == "AccumulateGrad" for node in leaf_nodes)
assert leaf_nodes[0].variable is x and leaf_nodes[1].variable is w
assert x.grad_fn is None and x.is_leaf and not y.is_leaf

f = (x**3).sum()
(df_dx,) = grad(f, x, create_graph=True)
(d2f,) = grad(df_dx.sum(), x)
assert torch.allclose(df_dx, 3 * x**2) and torch.allclose(d2f, 6 * x)

v = torch.tensor([1.0, 0.0, -1.0])
loss = (x.sin() * w).sum() + (x**2 * w**2).sum()
(gx,) = torch.autograd.grad(loss, x, create_graph=True)
(hvp,) = torch.autograd.grad(gx, x, grad_outputs=v)

dw_unused = torch.autograd.grad((x**2).sum(), [x, w], allow_unused=True)
assert dw_unused[1] is None


def f_vec(inp):
    return torch.stack([inp[0] * inp[1], inp[1].exp(), inp[2] ** 2 * inp[0]])


def f_scalar(inp):
    return (inp**2 * inp.roll(1)).sum()


point = torch.tensor([1.0, 2.0, 3.0])
J = jacobian(f_vec, point)
H = hessian(f_scalar, point)

results = {
    "grad_fn_name": y.grad_fn.name(), "df_dx": df_dx, "d2f": d2f, "hvp": hvp,
    "dw_unused0": dw_unused[0], "J": J, "H": H,
}  # fmt: skip
