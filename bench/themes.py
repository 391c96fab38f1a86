"""Similar posts: how fast posts' meanings are worked out, and how well similar ones are found.

    .venv/bin/python bench/themes.py [--posts 5000]

No server or database: it runs the model (synthesis.embeddings) in this process. The
figures are measured with the process's memory before Django is set up.

Speed and memory:
  - embed_s: --posts posts of phone length (bench/population.py's generator), in one call,
    as the background refresh of a series does (target: 5,000 in at most 60 s);
  - one_post_ms: the median of 20 single new posts, one call each (target: at most 100 ms);
  - suggest_s: grouping those posts as synthesis.suggestions does (the clustering);
  - load_s and rss_mb: loading the model, and this process's resident memory before it is
    loaded, with it loaded, and after the run (what a web process or worker gains).

Quality, on bench/data/labelled_posts.yaml (100 posts people might write, in 10 themes, worded
so that posts of one theme share few words): nearest-neighbour precision, the share of posts
whose most similar other post is in the same theme, for the model and for a TF-IDF baseline
(word overlap, scikit-learn's TfidfVectorizer with English stop words, cosine), against the
chance level (a random other post). Target: the model at least 4 times chance, and above
TF-IDF. Also the adjusted Rand index of the groups synthesis.suggestions makes of the set
(at THEME_SUGGESTION_SIMILARITY) against its labels.

Stderr gets a readable summary; the last line of stdout is one JSON object.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import servers
import yaml
from common import emit, log
from population import post_text

sys.path.insert(0, str(servers.ROOT))  # the project's synthesis app, not bench/synthesis.py

LABELLED = Path(__file__).parent / "data" / "labelled_posts.yaml"
SEED = 2026
SINGLE_RUNS = 20
TARGETS = {"embed_s": 60.0, "one_post_ms": 100.0, "precision_over_chance": 4.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000, help="posts to embed (5000)")
    args = parser.parse_args()
    if args.posts < 1:
        parser.error("--posts must be positive")
    return args


def main():
    args = parse_args()
    process = psutil.Process()
    rss = {"before_mb": process.memory_info().rss // 2**20}
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # for the suggestions' settings; no database is used
    from synthesis import embeddings

    began = time.perf_counter()
    embeddings.model()
    load_s = time.perf_counter() - began
    rss["loaded_mb"] = process.memory_info().rss // 2**20

    rng = random.Random(SEED)
    texts = [post_text(rng) for _ in range(args.posts)]
    began = time.perf_counter()
    vectors = embeddings.embed(texts)
    embed_s = time.perf_counter() - began
    from synthesis.suggestions import clusters

    began = time.perf_counter()
    groups = clusters(vectors)
    suggest_s = time.perf_counter() - began
    singles = []
    for text in texts[:SINGLE_RUNS]:
        began = time.perf_counter()
        embeddings.embed([text])
        singles.append((time.perf_counter() - began) * 1000)
    rss["after_mb"] = process.memory_info().rss // 2**20

    quality = measure_quality(embeddings)
    result = {
        "posts": args.posts,
        "load_s": round(load_s, 2),
        "embed_s": round(embed_s, 1),
        "posts_per_s": round(args.posts / embed_s),
        "one_post_ms": round(statistics.median(singles), 1),
        "suggest_s": round(suggest_s, 1),
        "suggested_from_posts": len(groups),
        "rss_mb": rss,
        **quality,
        "targets": TARGETS,
    }
    result["met"] = {
        "embed_s": embed_s * 5000 / args.posts <= TARGETS["embed_s"],
        "one_post_ms": result["one_post_ms"] <= TARGETS["one_post_ms"],
        "precision": quality["precision_over_chance"] >= TARGETS["precision_over_chance"]
        and quality["precision_model"] > quality["precision_tfidf"],
    }
    log(
        f"Embedding: {args.posts} posts in {result['embed_s']} s "
        f"({result['posts_per_s']} a second; target 5,000 in ≤ 60 s), one new post "
        f"{result['one_post_ms']} ms (≤ 100), model loaded in {result['load_s']} s; "
        f"grouping them for suggestions {result['suggest_s']} s "
        f"({result['suggested_from_posts']} groups); "
        f"RSS {rss['before_mb']} → {rss['loaded_mb']} MB with the model → {rss['after_mb']} MB\n"
        f"Labelled set ({quality['labelled_posts']} posts, {quality['themes']} themes): "
        f"nearest-neighbour precision {quality['precision_model']} (model) against "
        f"{quality['precision_tfidf']} (TF-IDF) and {quality['chance']} (chance): "
        f"{quality['precision_over_chance']}× chance; suggested themes: "
        f"{quality['suggested_groups']} groups, adjusted Rand index {quality['suggestion_ari']}"
    )
    emit(result)


def measure_quality(embeddings):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score

    labelled = yaml.safe_load(LABELLED.read_text())
    texts = [text for posts in labelled.values() for text in posts]
    themes = np.array([theme for theme, posts in labelled.items() for _ in posts])
    vectors = embeddings.embed(texts)
    model = nearest_neighbour_precision(vectors, themes)
    words = TfidfVectorizer(stop_words="english").fit_transform(texts).toarray()
    words /= np.maximum(np.linalg.norm(words, axis=1, keepdims=True), 1e-12)
    tfidf = nearest_neighbour_precision(words, themes)
    sizes = np.array([len(posts) for posts in labelled.values()])
    chance = float(((sizes - 1) / (len(texts) - 1) * sizes).sum() / len(texts))
    grouped, groups = suggestion_labels(vectors)
    return {
        "labelled_posts": len(texts),
        "suggestion_ari": round(adjusted_rand_score(themes, grouped), 3),
        "suggested_groups": groups,
        "themes": len(labelled),
        "precision_model": round(model, 3),
        "precision_tfidf": round(tfidf, 3),
        "chance": round(chance, 3),
        "precision_over_chance": round(model / chance, 1),
    }


def suggestion_labels(vectors):
    """(each labelled post's suggested group, how many groups), as synthesis.suggestions
    clusters a series; posts in no group of two or more each count as a group of their own."""
    from synthesis.suggestions import clusters

    labels = np.arange(len(vectors)) + len(vectors)  # alone unless grouped
    groups = clusters(vectors)
    for number, rows in enumerate(groups):
        labels[rows] = number
    return labels, len(groups)


def nearest_neighbour_precision(vectors, themes):
    """The share of posts whose most similar other post (cosine) is in the same theme."""
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    return float((themes[similarity.argmax(axis=1)] == themes).mean())


if __name__ == "__main__":
    main()
