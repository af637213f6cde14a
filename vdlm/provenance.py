"""Provenance lines: which weights, device, dtype and library versions produced a result.

Every number a notebook prints or plots carries :meth:`Provenance.line`; an offline stand-in also carries
:meth:`Provenance.label_zh`, a Chinese sentence saying which real checkpoint it stands in for and how it
differs, so students never mistake a stand-in's figures for the real model's.
"""
from __future__ import annotations

import platform
from dataclasses import dataclass, field

import torch
import transformers


def versions() -> str:
    """``python 3.11.7, torch 2.x, transformers 5.x``: the versions that matter for results."""
    return f"python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}"


@dataclass
class Provenance:
    """Where a model's weights came from and how it runs.

    Attributes:
        model_id: the registry id asked for (the real checkpoint's hub id).
        source: ``"local"`` (a directory the user named), ``"hub"`` (``from_pretrained`` from the Hugging Face
            cache or hub) or ``"standin"`` (offline stand-in made by :mod:`vdlm.standins`).
        weights: path, ``hub id@revision``, or the stand-in's recipe in a few words.
        device: e.g. ``"cpu"``, ``"cuda:0"``.
        dtype: parameter dtype, plus ``"+autocast bf16"`` on GPU.
        standin_for_zh: for stand-ins, the Chinese label (see :meth:`label_zh`).
        details: free-form extras (stand-in training steps, final loss, SHA-256 of the base weights...).
    """

    model_id: str
    source: str
    weights: str
    device: str
    dtype: str
    standin_for_zh: str = ""
    details: dict = field(default_factory=dict)

    @property
    def is_standin(self) -> bool:
        return self.source == "standin"

    def line(self) -> str:
        """One line for under a printed result or a figure caption."""
        kind = {"local": "本地目录", "hub": "HF hub/缓存", "standin": "离线替身"}.get(self.source, self.source)
        return (f"[来源] {self.model_id} ← {kind}: {self.weights} | 设备 {self.device}, {self.dtype} | {versions()}")

    def label_zh(self) -> str:
        """Chinese warning for stand-ins (empty for real checkpoints)."""
        return self.standin_for_zh

    def __str__(self) -> str:
        return self.line() + (f"\n[注意] {self.standin_for_zh}" if self.standin_for_zh else "")


def show(*provs: Provenance) -> None:
    """Print the provenance of each model behind a result (deduplicated), stand-in warnings included."""
    seen = set()
    for p in provs:
        text = str(p)
        if text not in seen:
            seen.add(text)
            print(text)


def wrap_to_width(text: str, width_pt: float, fontsize: float) -> list[str]:
    """Break ``text`` at spaces into lines that fit ``width_pt`` points at ``fontsize`` pt.

    Width estimate per character: 1 em for CJK (U+2E80 and above), 0.55 em otherwise (sans-serif average);
    a single word longer than the width stays on its own line.
    """
    def width(s: str) -> float:
        return sum(1.0 if ord(c) >= 0x2E80 else 0.55 for c in s) * fontsize

    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        cand = f"{cur} {word}" if cur else word
        if cur and width(cand) > width_pt:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


def caption(fig, *provs: Provenance, fontsize: float = 6.5) -> None:
    """Write the provenance lines at the bottom of a matplotlib figure (short form, one entry per model).

    Long entries are wrapped to the figure's width (the inline backend crops the saved image to what is
    drawn, so an unwrapped line would widen a narrow figure), and the bottom margin grows with the number of
    lines so the footer never overlaps the x-axis label.
    """
    entries = []
    for p in provs:
        tag = "离线替身" if p.is_standin else p.source
        text = f"{p.model_id} ← {tag}: {p.weights} | {p.device}, {p.dtype} | torch {torch.__version__}, transformers {transformers.__version__}"
        if text not in entries:
            entries.append(text)
    width_in, height_in = fig.get_size_inches()
    lines = [line for e in entries for line in wrap_to_width(e, 0.98 * width_in * 72, fontsize)]
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=fontsize, va="bottom", ha="left", color="#555")
    # bottom margin in points: the footer plus ~40 pt for the tick labels and the x-axis label above it;
    # and room between side-by-side panels for CJK y-axis labels
    bottom_pt = len(lines) * fontsize * 1.25 + 40
    fig.subplots_adjust(bottom=min(0.5, bottom_pt / (height_in * 72)),
                        wspace=max(fig.subplotpars.wspace, 0.3 if len(fig.axes) > 1 else 0.0))


def setup_matplotlib() -> None:
    """PNG figures at 100 dpi and a CJK font when one is installed (Noto Sans CJK / WenQuanYi / SimHei)."""
    import matplotlib
    from matplotlib import font_manager

    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "axes.unicode_minus": False})
    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [n for n in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
                       "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC") if n in installed]
    if cjk:
        matplotlib.rcParams["font.sans-serif"] = cjk + list(matplotlib.rcParams["font.sans-serif"])
