"""Shared JAX set-up: import on first use with float64 enabled (jax_enable_x64, before any array
exists; float32 arrays stay float32), and whether JAX sees a GPU."""


def import_jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def no_gpu():
    if import_jax().default_backend() != "gpu":
        return "JAX sees no GPU here (no CUDA device, driver or CUDA-enabled jaxlib)"
    return None
