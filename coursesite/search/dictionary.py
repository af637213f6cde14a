"""The jieba user dictionary for Chinese search, made from the course glossary (the search room).

Material's search plugin segments Chinese text with jieba; without our terms, jieba splits 预训练 into
预/训练 and a search for 预训练 finds nothing. This hook reads the first column of every table row in
``docs/glossary.md`` (one term per cell), adds the model names and Chinese terms listed in
the plugin's ``search_terms`` (default :data:`EXTRA_TERMS`), and writes ``build/jieba_user_dict.txt``
(jieba format: ``word frequency``) before the search plugin loads it (the site plugin's ``on_config`` runs
at priority 100, before Material's search plugin).
"""

from __future__ import annotations

import re
from pathlib import Path

EXTRA_TERMS = [
    "预训练", "微调", "垂直领域", "大模型", "命名实体识别", "关系抽取", "代码搜索", "代码补全", "临床",
    "临床笔记", "生物医学", "去标识化", "掩码语言模型", "替换词检测", "领域自适应", "持续预训练",
    "词表", "子词", "分词", "注意力机制", "编码器", "解码器", "再入院", "问答系统", "文本挖掘",
]
FREQUENCY = 100000  # high enough that jieba keeps the term whole


def glossary_terms(glossary: Path) -> list[str]:
    """Return the first-column cells of the Markdown tables in ``glossary`` (header and rule rows skipped)."""
    terms: list[str] = []
    if not glossary.is_file():
        return terms
    for line in glossary.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        first = re.sub(r"[*`]", "", cells[0]) if cells else ""
        if not first or set(first) <= set("-: ") or first in ("术语", "中文"):
            continue
        # "数据泄漏（评测泄漏）", "微调 / fine-tuning": each Chinese part is a term of its own
        for part in re.split(r"[（）()、/，,；;]+", first):
            part = part.strip()
            if re.search(r"[\u4e00-\u9fff]", part):
                terms.append(part)
    return terms


def write_user_dict(glossary: Path, extra_terms: list[str], out: Path) -> list[str]:
    """Write the jieba user dictionary ``out`` (``word frequency`` per line) from the glossary's terms and
    ``extra_terms``; leave the file untouched when its text would not change (no needless reload).

    Returns the terms, in file order (glossary first, duplicates dropped).
    """
    terms = list(dict.fromkeys(glossary_terms(glossary) + list(extra_terms)))
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{t.replace(' ', '')} {FREQUENCY}\n" for t in terms)
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return terms
