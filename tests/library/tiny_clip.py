"""A CLIP-shaped model small enough to make in a test: the real loading and inference path of
library.semantic runs on it (ONNX Runtime, a `tokenizers` tokenizer), no download needed.

Both towers map into the same 4-dimensional space: the image tower averages the pixels (red,
green, blue → the first three axes), the text tower sums word vectors where "red"/"红色" point
along the first axis, "green"/"绿色" the second, "blue"/"蓝色" the third.
"""

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, pre_tokenizers

VOCAB = ["[PAD]", "[UNK]", "red", "green", "blue", "红色", "绿色", "蓝色", "poster"]
AXES = {"red": 0, "红色": 0, "green": 1, "绿色": 1, "blue": 2, "蓝色": 2}


def _image_tower() -> onnx.ModelProto:
    weights = np.eye(3, 4, dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["pixels"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"]),
            helper.make_node("MatMul", ["flat", "weights"], ["embedding"]),
        ],
        "image_tower",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["n", 3, 32, 32])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", 4])],
        [numpy_helper.from_array(weights, "weights")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _text_tower() -> onnx.ModelProto:
    table = np.zeros((len(VOCAB), 4), dtype=np.float32)
    table[VOCAB.index("[UNK]"), 3] = 1.0
    table[VOCAB.index("poster"), 3] = 0.2
    for word, axis in AXES.items():
        table[VOCAB.index(word), axis] = 1.0
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["vectors"]),
            helper.make_node("ReduceSum", ["vectors", "axes"], ["embedding"], keepdims=0),
        ],
        "text_tower",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["n", 8])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", 4])],
        [
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axes"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def make(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(_image_tower(), folder / "image.onnx")
    onnx.save(_text_tower(), folder / "text.onnx")
    tokenizer = Tokenizer(
        models.WordLevel({word: i for i, word in enumerate(VOCAB)}, unk_token="[UNK]")
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "clip.json").write_text(
        json.dumps(
            {"image_size": 32, "context_length": 8, "mean": [0, 0, 0], "std": [1, 1, 1],
             "pad_id": 0}
        )
    )  # fmt: skip
    return folder
