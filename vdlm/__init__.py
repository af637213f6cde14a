"""vdlm: the demo library of the lecture 垂直领域大模型 (CodeBERT, BioBERT, ClinicalBERT).

Notebooks import it so they stay short, like d2l.ai's ``d2l``:

* :mod:`vdlm.registry`: the real checkpoints and their facts;
* :mod:`vdlm.loading`: local dir → HF cache/hub → offline stand-in, tokenizer traps, SHA-256 pin;
* :mod:`vdlm.standins`: domain stand-ins made from all-MiniLM-L6-v2 by a short MLM pass;
* :mod:`vdlm.train`: Trainer-based MLM, NER, classification and contrastive fine-tuning;
* :mod:`vdlm.encode`, :mod:`vdlm.metrics`: embeddings, fill-mask, MRR/recall@k, seqeval;
* :mod:`vdlm.data`: stdlib code-search pairs, synthetic biomedical and clinical teaching sets;
* :mod:`vdlm.env`: cache dir, profile (``VDLM_PROFILE``), device (``VDLM_DEVICE``), precision.
"""
from .env import autocast, cache_dir, get_device, pick, profile, to_device
from .loading import Loaded, load
from .provenance import Provenance, caption, show
from .registry import REGISTRY, get_spec
from .provenance import setup_matplotlib

setup_matplotlib()

__all__ = ["autocast", "cache_dir", "get_device", "pick", "profile", "to_device", "Loaded", "load",
           "Provenance", "caption", "show", "REGISTRY", "get_spec"]
__version__ = "0.1.0"
