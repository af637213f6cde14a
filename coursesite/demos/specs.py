"""The demos a page can place with ``/// demo | <name>``: their titles, options and the files they need.

Each :class:`DemoSpec` names the browser script that registers the demo (``assets/demos/<script>``, see
``coursesite/demos/assets/demos.js``) and the files under the demos folder (``demos/`` in the repository)
without which it cannot run: when one is missing, the page shows, in place of the widget, a note saying how
to make it (``make demos``), never a broken widget. The model demos are in :mod:`.model_specs`; :mod:`.catalog` has both.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Option:
    """One option of a demo block: ``kind`` is ``"text"``, ``"int"``, ``"choice"`` (one of ``choices``) or
    ``"list"`` (comma-separated items of ``choices``);
    ``low``/``high`` bound an ``"int"`` (inclusive)."""

    kind: str
    default: object = None
    choices: tuple = ()
    low: int | None = None
    high: int | None = None
    help: str = ""


@dataclasses.dataclass(frozen=True)
class DemoSpec:
    """A demo: ``title`` (Chinese, shown in the widget), ``script`` (file under ``assets/demos/``), the
    text box's label and first text, one-click ``examples`` as (button label, text), ``options`` by name, and
    ``requires``: paths under the demos folder that must exist (else the note ``missing_note`` is shown)."""

    name: str
    title: str
    script: str
    input_label: str
    text: str = ""
    examples: tuple = ()
    options: dict = dataclasses.field(default_factory=dict)
    requires: tuple = ()
    missing_note: str = ""
    multiline: bool = False


TOKENIZER_IDS = ("bert-uncased", "cased-wp", "cased-wp-lower", "biomed-wp", "bytelevel-bpe")

_EXAMPLES = (
    ("Immunoglobulin", "Immunoglobulin"),
    ("BRCA1", "BRCA1 mutations"),
    ("去标识化占位符", "[**Patient Name**] was seen on [**2151-7-14**]."),
    ("一行代码", "def read_json(path): return json.load(open(path))"),
)

DEMOS: dict[str, DemoSpec] = {
    "tokenizer": DemoSpec(
        name="tokenizer", title="分词器对比", script="tokenizer-demos.js",
        input_label="输入一个词或一句话（英文）", text="Immunoglobulin BRCA1 mutations", examples=_EXAMPLES,
        options={"text": Option("text", help="the text in the box at first"),
                 "tokenizers": Option("list", default=TOKENIZER_IDS, choices=TOKENIZER_IDS,
                                      help="comma-separated tokenizer ids")},
        requires=tuple(f"tokenizers/{t}/tokenizer.json" for t in TOKENIZER_IDS),
        missing_note="分词器文件缺失（它们本应随仓库提供）：运行 `make demos DEMOS_ARGS=\"--only tokenizers\"`（会安装 demo 依赖；训练分词器只需几秒），然后重新构建网站。",
    ),
    "masking": DemoSpec(
        name="masking", title="掩码与替换：MLM 与 RTD", script="tokenizer-demos.js",
        input_label="输入一句英文", text="The patient was treated with aspirin for chest pain.",
        examples=(("生物医学句子", "BRCA1 mutations increase the risk of breast cancer."),
                  ("代码注释", "Return the number of lines in the given file.")),
        options={"text": Option("text", help="the text in the box at first"),
                 "rate": Option("int", default=15, low=1, high=50, help="masking rate in percent")},
        requires=("tokenizers/bert-uncased/tokenizer.json",),
        missing_note="分词器文件缺失：运行 `make demos`，然后重新构建网站。",
    ),
    "window": DemoSpec(
        name="window", title="长文本滑窗", script="tokenizer-demos.js",
        input_label="粘贴一段长的临床笔记（英文）", text="", multiline=True,
        examples=(("示例：合成的长篇出院小结", "@long-note"),),
        options={"text": Option("text", help="the text in the box at first (empty: the example note)"),
                 "max_length": Option("int", default=512, low=16, high=4096, help="tokens per window"),
                 "stride": Option("int", default=128, low=0, high=2048,
                                  help="tokens shared by two neighbouring windows")},
        requires=("tokenizers/bert-uncased/tokenizer.json", "tokenizers/examples.json"),
        missing_note="分词器文件缺失：运行 `make demos`，然后重新构建网站。",
    ),
}
