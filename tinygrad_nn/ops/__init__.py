"""The differentiable ops, grouped by kind, each forward beside one gradient rule per input.

- ``arithmetic``: ``+ - * / **``, ``abs``, ``clip``, ``maximum``, ``minimum``, ``where``,
  and PyTorch's ``add(alpha=)``, ``sub(alpha=)``, ``div(rounding_mode=)``, ``clamp_min``...
- ``elementwise``: ``exp``, ``log``, ``log10``, ``log2``, ``log1p``, ``expm1``, ``sqrt``,
  ``rsqrt``, ``reciprocal``, ``square``, ``sin``, ``cos``, ``tanh``, ``sigmoid``, ``relu``,
  ``leaky_relu``, ``softplus``, ``erf``, ``gelu``; ``sign``, ``floor``, ``ceil``, ``round``,
  ``trunc`` (gradient 0)
- ``reduce``: ``sum``, ``mean``, ``max``, ``min`` (``(values, indices)`` along a dim),
  ``amax``, ``amin``, ``var``, ``std``, ``prod``, ``cumsum``, ``logsumexp``, ``softmax``,
  ``log_softmax``, ``argmax``, ``argmin``
- ``sort``: ``sort``, ``argsort``, ``topk``
- ``shape``: ``reshape``, ``flatten``, ``transpose``, ``permute``, ``squeeze``,
  ``unsqueeze``, ``expand``, ``pad``, ``cat``, ``stack``, ``repeat``, ``split``, ``chunk``,
  ``flip``, ``tril``, ``triu``, ``clone``
- ``index``: ``t[index]`` and its gradient, the scatter; ``gather``, ``index_select``,
  ``masked_fill``
- ``linalg``: ``matmul``, ``mm``, ``bmm``, ``einsum``, ``norm``
- ``compare``: ``== != < <= > >=``, the logical ops, ``isnan``, ``allclose``... (no gradient)
- ``convert``: ``type()`` in PyTorch's spelling
- ``dual``: the helpers that let one rule run on arrays and on Tensors

``tinygrad_nn/tensor.py`` binds them to the Tensor as methods and operators.
"""
