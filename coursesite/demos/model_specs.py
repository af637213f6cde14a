"""The model demos (代码搜索 ``codesearch``, 实体识别 ``ner``): int8 ONNX stand-ins run in the reader's browser
(``assets/demos/model-demos.js``); their files come from ``make demos`` (:mod:`coursesite.demos.model_files`).
See :mod:`coursesite.demos.specs` for the fields."""
from __future__ import annotations

from .specs import Option, DemoSpec

_MISSING = ("此演示所需的模型文件尚未生成（模型文件由构建步骤生成，不在仓库里）：在仓库根目录运行 "
            "`make demos`（会安装 torch；从缓存的离线替身微调并导出 ONNX，首次约几分钟），"
            "再重新运行 `make build`；正在运行 `make serve` 的话，停下（Ctrl+C）再启动一次。页面其余内容不受影响。")

_CODE_EXAMPLES = (
    ("样本标准差", "compute the standard deviation of a sample"),
    ("URL 解码", "decode percent-encoded characters in a URL"),
    ("打包目录", "create a zip archive of a directory"),
    ("并发协程", "run several coroutines concurrently and collect their results"),
)
_NER_EXAMPLES = (
    ("FBN1 与马方综合征", "Mutations in FBN1 weaken connective tissue in Marfan syndrome."),
    ("异烟肼与肝毒性", "Isoniazid should be stopped at once if signs of hepatotoxicity appear."),
    ("二甲双胍", "Metformin is prescribed for patients with type 2 diabetes."),
    ("替身会出错的一句", "Patients with chronic myeloid leukemia were treated with imatinib."),
)

MODEL_DEMOS: dict[str, DemoSpec] = {
    "codesearch": DemoSpec(
        name="codesearch", title="代码搜索", script="model-demos.js", input_label="用英文描述你要找的函数",
        text="read exactly n bytes from a stream", examples=_CODE_EXAMPLES,
        options={"text": Option("text", help="the query in the box at first")},
        requires=("models/codesearch/onnx/model_quantized.onnx", "models/codesearch/pool.json"),
        missing_note=_MISSING),
    "ner": DemoSpec(
        name="ner", title="实体识别", script="model-demos.js", input_label="输入一句生物医学英文",
        text="Women who carry a BRCA2 mutation have a higher lifetime risk of ovarian cancer.", examples=_NER_EXAMPLES,
        options={"text": Option("text", help="the sentence in the box at first")},
        requires=("models/ner/onnx/model_quantized.onnx", "models/ner/demo.json"), missing_note=_MISSING),
}
