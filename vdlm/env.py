"""Run-time environment: cache directory, profile (quick/full), device and precision.

Environment variables (all optional):

* ``VDLM_CACHE``: cache directory (default ``~/.cache/vdlm``): stdlib pairs, stand-in weights.
* ``VDLM_PROFILE``: ``quick`` (CI: small data, few steps) or ``full`` (what made the committed outputs).
* ``VDLM_DEVICE``: ``cuda``, ``cuda:1``, ``mps`` or ``cpu``; default: CUDA, else MPS, else CPU.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import torch

PROFILES = ("quick", "full")


def cache_dir() -> Path:
    """Cache directory from ``VDLM_CACHE`` (default ``~/.cache/vdlm``); created if missing."""
    path = Path(os.environ.get("VDLM_CACHE") or Path.home() / ".cache" / "vdlm").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def profile() -> str:
    """The run profile from ``VDLM_PROFILE``: ``"quick"`` or ``"full"`` (default ``"full"``).

    Raises:
        ValueError: for any other value.
    """
    value = os.environ.get("VDLM_PROFILE", "full").strip().lower()
    if value not in PROFILES:
        raise ValueError(f"VDLM_PROFILE={value!r}: expected one of {PROFILES}")
    return value


def pick(quick, full):
    """``quick`` in the quick profile, else ``full`` (sizes, step counts)."""
    return quick if profile() == "quick" else full


def get_device() -> torch.device:
    """CUDA if available, else Apple MPS, else CPU; ``VDLM_DEVICE`` overrides.

    Raises:
        RuntimeError: ``VDLM_DEVICE`` names a device type this machine does not have.
    """
    name = os.environ.get("VDLM_DEVICE", "").strip()
    if name:
        dev = torch.device(name)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"VDLM_DEVICE={name} but CUDA is not available")
        if dev.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError(f"VDLM_DEVICE={name} but MPS is not available")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def autocast_dtype(device: torch.device | None = None) -> torch.dtype:
    """Compute dtype: bfloat16 on CUDA that supports it, else float16 on CUDA/MPS, float32 on CPU."""
    device = device or get_device()
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def autocast(device: torch.device | None = None):
    """Context manager: mixed precision on GPU (see :func:`autocast_dtype`), nothing on CPU.

    Weights stay float32; only the matmuls run in the lower precision.
    """
    device = device or get_device()
    dtype = autocast_dtype(device)
    if dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def to_device(batch: dict, device: torch.device) -> dict:
    """Move every tensor in a tokenizer batch to ``device`` (other values unchanged)."""
    return {k: (v.to(device) if hasattr(v, "to") else v) for k, v in batch.items()}
