"""Every demo the block syntax knows: the tokenizer demos (:mod:`.specs`) and the model demos
(:mod:`.model_specs`), by name. No MkDocs import."""

from __future__ import annotations

from .model_specs import MODEL_DEMOS
from .specs import DEMOS, DemoSpec


def all_demos() -> dict[str, DemoSpec]:
    """Every demo by name (``/// demo | <name>``): the tokenizer demos and the model demos."""
    return {**DEMOS, **MODEL_DEMOS}
