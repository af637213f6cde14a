"""Loading a model: local directory → Hugging Face cache/hub → offline stand-in, never silently.

Order (:func:`load`):

1. **Local directory** the user names: the ``local_dir`` argument, else ``VDLM_LOCAL_<SLUG>``
   (e.g. ``VDLM_LOCAL_DMIS_LAB_BIOBERT_BASE_CASED_V1_2=/data/biobert``), else ``$VDLM_MODELS_DIR/<hub id>``.
   Any directory written by ``save_pretrained`` works.
2. **Hugging Face** ``from_pretrained(hub id)``: from the local HF cache, and from the hub only when
   ``HF_HUB_OFFLINE`` is not set *and* a 3-second TCP probe reaches the endpoint. Without network this step
   therefore fails in seconds instead of waiting on HTTP retries.
3. **Offline stand-in** (:mod:`vdlm.standins`): real pretrained weights (all-MiniLM-L6-v2, SHA-256 pinned)
   adapted to the domain by a short MLM pass, labelled as a stand-in in every output.

Tokenizer traps handled here (issues EmilyAlsentzer/clinicalBERT#26, dmis-lab/biobert-pytorch#24, dmis-lab/biobert#163):
cased WordPiece checkpoints are loaded with ``do_lower_case=False``; ``model_max_length`` is capped to the
registry's 512 (Bio_ClinicalBERT ships a huge value); prompts must use ``tokenizer.mask_token``.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
import urllib.request

import torch
import transformers
from transformers import AutoTokenizer

from .env import get_device
from .provenance import Provenance
from .registry import ModelSpec, get_spec
from .standins import load_standin
from .weights import (  # noqa: F401  (re-exported: vdlm.loading.minilm_dir etc. are public)
    MINILM_ID,
    MINILM_REVISION,
    MINILM_SHA256,
    TASKS,
    Loaded,
    ModelUnavailableError,
    WeightsMismatchError,
    _dtype_label,
    minilm_dir,
    sha256_file,
)

transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

def hub_reachable(timeout: float = 3.0) -> bool:
    """True when ``HF_HUB_OFFLINE`` is unset and the hub endpoint answers an HTTP HEAD with a status < 400
    within ``timeout`` seconds.

    The endpoint is ``HF_ENDPOINT`` (default https://huggingface.co). A plain TCP probe is not enough: behind
    a filtering proxy connections open but requests never reach the hub. The request runs in a daemon thread,
    so the call returns after at most ``timeout`` seconds even when DNS hangs.
    """
    if _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE")):
        return False
    url = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/") + "/"
    ok: list[bool] = []

    def probe() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout) as r:
                ok.append(r.status < 400)
        except (OSError, ValueError):
            pass

    t = threading.Thread(target=probe, daemon=True)
    t.start()
    t.join(timeout)
    return bool(ok and ok[0])


def _truthy(v: str | None) -> bool:
    return (v or "").strip().lower() in {"1", "true", "yes", "on"}


def local_dir_for(spec: ModelSpec, local_dir: str | Path | None = None) -> Path | None:
    """The user-named directory for ``spec``: argument, ``VDLM_LOCAL_<SLUG>``, or ``$VDLM_MODELS_DIR/<id>``.

    Returns None when none is named. Raises FileNotFoundError when a named directory has no config.json.
    """
    named = local_dir or os.environ.get(f"VDLM_LOCAL_{spec.env_slug}")
    if not named and os.environ.get("VDLM_MODELS_DIR"):
        cand = Path(os.environ["VDLM_MODELS_DIR"]) / spec.model_id
        named = cand if cand.exists() else None
    if not named:
        return None
    path = Path(named).expanduser()
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"{path}: no config.json (expected a save_pretrained directory for {spec.model_id})")
    return path


def load_tokenizer(spec: ModelSpec, where: str | Path, **kwargs):
    """Load the tokenizer of a *real* checkpoint with the traps handled.

    * cased WordPiece (BioBERT, Bio_ClinicalBERT, bert-base-cased): ``do_lower_case=False``, since their
      tokenizer configs omit it and BERT's tokenizer then lower-cases (https://github.com/EmilyAlsentzer/clinicalBERT/issues/26,
      https://github.com/dmis-lab/biobert-pytorch/issues/24);
    * ``model_max_length`` capped to ``spec.max_length`` (512): Bio_ClinicalBERT ships ~1e30, so
      ``truncation=True`` would otherwise not truncate and positions > 512 would crash the model.

    Args:
        spec: registry entry. where: hub id or directory. kwargs: passed to ``AutoTokenizer.from_pretrained``.
    """
    if spec.tokenizer == "WordPiece":
        kwargs.setdefault("do_lower_case", not spec.cased)
    tok = AutoTokenizer.from_pretrained(str(where), **kwargs)
    cap_max_length(tok, spec.max_length)
    return tok


def cap_max_length(tokenizer, max_length: int = 512):
    """Set ``tokenizer.model_max_length`` to ``max_length`` when it is missing or larger; returns the tokenizer."""
    if not tokenizer.model_max_length or tokenizer.model_max_length > max_length:
        tokenizer.model_max_length = max_length
    return tokenizer


def _revision_of(model) -> str:
    return getattr(model.config, "_commit_hash", None) or "?"


def load(
    name: str,
    task: str = "encoder",
    *,
    local_dir: str | Path | None = None,
    use_hub: bool = True,
    use_standin: bool = True,
    device: torch.device | str | None = None,
    verbose: bool = True,
    **model_kwargs,
) -> Loaded:
    """Load a registry model for ``task``, trying local directory → HF cache/hub → offline stand-in.

    Args:
        name: hub id or alias (``"codebert"``, ``"biobert"``, ``"clinicalbert"``, ``"bert"``, ``"roberta"``).
        task: ``"encoder"`` (AutoModel), ``"mlm"``, ``"token-cls"`` or ``"seq-cls"`` (pass ``num_labels``,
            ``id2label``... in ``model_kwargs``; the new head is randomly initialised).
        local_dir: a ``save_pretrained`` directory (overrides ``VDLM_LOCAL_<SLUG>``).
        use_hub, use_standin: allow steps 2 and 3.
        device: default :func:`vdlm.env.get_device` (``VDLM_DEVICE`` overrides).
        verbose: print the provenance line when done (and why earlier steps were skipped).

    Returns:
        :class:`Loaded`: model in eval mode on ``device``, float32 parameters.

    Raises:
        ModelUnavailableError: every allowed step failed (the message lists each reason).
        WeightsMismatchError: the stand-in base weights fail the SHA-256 pin.
        ValueError: unknown ``task``, or ``task="mlm"`` for a model whose stand-in has no MLM head.
    """
    spec = get_spec(name)
    if task not in TASKS:
        raise ValueError(f"task {task!r}: expected one of {sorted(TASKS)}")
    device = torch.device(device) if device is not None else get_device()
    cls = TASKS[task]
    reasons: list[str] = []
    loaded: Loaded | None = None

    path = local_dir_for(spec, local_dir)
    if path is not None:
        tok = load_tokenizer(spec, path)
        model = cls.from_pretrained(str(path), **model_kwargs)
        prov = Provenance(spec.model_id, "local", str(path), str(device), _dtype_label(device))
        loaded = Loaded(model, tok, spec, prov)
    else:
        reasons.append("未指定本地目录")

    if loaded is None and use_hub:
        t0 = time.perf_counter()
        local_only = not hub_reachable()
        rev = spec.pinned_revision()
        try:
            tok = load_tokenizer(spec, spec.model_id, revision=rev, local_files_only=local_only)
            model = cls.from_pretrained(spec.model_id, revision=rev, local_files_only=local_only, **model_kwargs)
            prov = Provenance(spec.model_id, "hub", f"{spec.model_id}@{_revision_of(model)}", str(device),
                              _dtype_label(device))
            loaded = Loaded(model, tok, spec, prov)
        except Exception as e:  # OSError / HF errors: not in cache and hub not reachable
            where = "HF 缓存 (离线)" if local_only else "HF hub"
            reasons.append(f"{where}: {type(e).__name__} ({time.perf_counter() - t0:.1f} s)")

    if loaded is None and use_standin:
        loaded = load_standin(spec, task, device=device, **model_kwargs)

    if loaded is None:
        raise ModelUnavailableError(f"{spec.model_id}: " + "; ".join(reasons))
    loaded.model.to(device).eval()
    if verbose:
        if loaded.provenance.is_standin:
            print(f"vdlm: {spec.model_id} 未找到真实权重 ({'; '.join(reasons)}) → 使用离线替身")
        print(loaded.provenance)
    return loaded
