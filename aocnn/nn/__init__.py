"""The neural toolkit shared by every puzzle: layers, one training loop, checkpoints.

Every network here carries integers on exact channels, so every matrix product must be computed in
full float32. JAX's default on NVIDIA GPUs rounds float32 matrix products through TensorFloat-32
(a 10-bit mantissa): integers above 2,048 come out wrong, and a solve that is exact on the CPU
answers wrong, and sure, on a GPU (seen on an H200: 2021/2 part 1). So importing the toolkit sets
JAX's default matrix-product precision to "highest", before JAX is imported (its environment
variable) or at once (when it already is). This is process-wide: aocnn's exactness needs it.
"""

import os as _os
import sys as _sys

MATMUL_PRECISION = "highest"

_os.environ["JAX_DEFAULT_MATMUL_PRECISION"] = MATMUL_PRECISION
if "jax" in _sys.modules:
    _sys.modules["jax"].config.update("jax_default_matmul_precision", MATMUL_PRECISION)
