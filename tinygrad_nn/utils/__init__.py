"""``tinygrad_nn.utils``: where PyTorch programs look for ``torch.utils.data``.

``tinygrad_nn.utils.data`` is the module ``tinygrad_nn.data`` itself (one
module object, registered under both names), so ``import
tinygrad_nn.utils.data``, ``from tinygrad_nn.utils.data import DataLoader``
and ``tinygrad_nn.utils.data.DataLoader`` all reach the same classes.
"""

import sys

from .. import data

sys.modules[__name__ + ".data"] = data

__all__ = ["data"]
