"""The differentiable ops, grouped by kind, each forward beside one gradient rule per input.

- ``arithmetic``: ``+ - * / **``, ``abs``, ``clip``, ``maximum``, ``minimum``, ``where``
- ``elementwise``: ``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``tanh``, ``sigmoid``,
  ``relu``, ``leaky_relu``, ``softplus``, ``erf``, ``gelu``
- ``reduce``: ``sum``, ``mean``, ``max``, ``min``, ``var``, ``std``, ``logsumexp``,
  ``softmax``, ``log_softmax``, ``argmax``, ``argmin``
- ``shape``: ``reshape``, ``flatten``, ``transpose``, ``permute``, ``squeeze``,
  ``unsqueeze``, ``expand``, ``pad``, ``cat``, ``stack``
- ``index``: ``t[index]`` and its gradient, the scatter
- ``linalg``: ``matmul``
- ``compare``: ``== != < <= > >=`` and the logical ops (no gradient)
- ``dual``: the helpers that let one rule run on arrays and on Tensors

``tinygrad_nn/tensor.py`` binds them to the Tensor as methods and operators.
"""
