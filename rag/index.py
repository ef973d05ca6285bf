"""The on-disk index: FAISS vectors, a BM25 index and the chunks, with a manifest.

Layout under `index/`:
    manifest.json          what was built from what, and the checksum of every file
    build-<id>/chunks.jsonl, vectors.faiss, bm25/, twins.json, footnotes.json

A build is written into a fresh `build-<id>/` and only then made current by
renaming a new manifest into place, so an interrupted build leaves the previous
index usable. A lock file keeps two builders from writing at once. Nothing is
pickled: chunks and metadata are JSON, vectors are FAISS's own format and the
BM25 arrays are saved by bm25s with `allow_pickle=False`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag import embed, onnx_embed, sentence_table
from rag.chunk import CHUNKER_VERSION, chunk_edition
from rag.files import atomic_write
from rag.model_files import count_tokens, max_seq_length
from rag.schema import Chunk, Section
from rag.settings import Settings
from rag.store import bm25_index, sync_store

MANIFEST = "manifest.json"
FORMAT_VERSION = 3  # 2: sentences.jsonl + sentences.npy for the answer stage; 3: sentences a pull quote restates
# Exact (flat) search up to this many chunks, HNSW above: measured in bench/growth.py, see docs/speed.md.
HNSW_MIN_CHUNKS = 100_000
# 32/80/128 gave recall@10 0.966 against flat at 100x the report (synthetic vectors); these give > 0.98 there.
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 48, 200, 256


class IndexError_(RuntimeError):
    """The index on disk is missing, damaged or stale; the message says which."""


@dataclass
class Index:
    chunks: list[Chunk]
    vectors: object  # faiss.Index
    bm25: object  # bm25s.BM25
    manifest: dict
    twins: dict[str, list[str]] = field(default_factory=dict)
    footnotes: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # edition -> full text
    pages: dict[str, dict[str, str]] = field(default_factory=dict)  # edition -> section -> first page
    sentences: sentence_table.SentenceTable | None = None

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.chunks}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _expected(settings: Settings) -> dict:
    return {
        "format": FORMAT_VERSION,
        "chunker_version": CHUNKER_VERSION,
        "settings": settings.index_fingerprint(),
        "sources": {str(p.name): sha256_file(p) for p in settings.sources},
        "documents": _documents(settings),
    }


def _documents(settings: Settings) -> dict[str, str]:
    from rag import corpus

    return corpus.fingerprints(settings)


def staleness(settings: Settings) -> str | None:
    """Why the index must be (re)built, or None when it is current and intact."""
    path = settings.index_dir / MANIFEST
    if not path.exists():
        return "no index has been built yet"
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return f"the index manifest is unreadable ({exc})"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        return "the index manifest is unreadable (not a JSON object of the expected shape)"
    for src in settings.sources:
        if not src.exists():
            raise IndexError_(f"source file {src} does not exist")
    want = _expected(settings)
    for key in ("format", "chunker_version", "settings"):
        if manifest.get(key) != want[key]:
            return f"the index was built with another {key.replace('_', ' ')} ({manifest.get(key)} != {want[key]})"
    if manifest.get("sources") != want["sources"]:
        return "a source file changed since the index was built"
    if manifest.get("documents", {}) != want["documents"]:
        return "an added document changed since the index was built"
    build = settings.index_dir / manifest.get("build", "")
    for rel, digest in manifest.get("files", {}).items():
        f = build / rel
        if not f.exists():
            return f"index file {rel} is missing"
        if sha256_file(f) != digest:
            return f"index file {rel} is damaged or from another build (checksum mismatch)"
    return None


def build(settings: Settings, progress: bool = True, reuse: bool = True,
          vectors: dict[str, np.ndarray] | None = None) -> dict:
    """Build the index from the sources; returns the new manifest.

    With `reuse`, chunks the current intact build already holds keep their
    vectors (chunk ids are content hashes), so adding a document embeds only it.
    `vectors` are chunk vectors made elsewhere (Ray workers, rag.ray_ingest), by chunk id.
    """
    given = vectors or {}
    from filelock import FileLock
    from tqdm import tqdm

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(settings.index_dir / ".lock"), timeout=600):
        t0 = time.perf_counter()
        steps = tqdm(total=5, desc="rag index", unit="step", disable=not progress)
        chunks, footnotes, pages, sections = _parse_and_chunk(settings)
        steps.update(1)
        steps.set_postfix_str(f"{len(chunks)} chunks")

        onnx_embed.ensure(settings)  # once per model: queries and builds then skip importing torch
        vectors = _reuse_or_encode(settings, chunks, reuse, given)
        steps.update(1)
        build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        build_dir = settings.index_dir / f"build-{build_id}"
        tmp_dir = settings.index_dir / f".tmp-{build_id}"
        tmp_dir.mkdir()
        _write_jsonl(tmp_dir / "chunks.jsonl", [c.__dict__ for c in chunks])
        _save_faiss(tmp_dir / "vectors.faiss", vectors)
        rows = sentence_table.build_rows(sections, chunks)
        sentence_table.save(tmp_dir, rows, _sentence_vectors(settings, rows, reuse))
        steps.update(1)
        _save_bm25(tmp_dir / "bm25", chunks)
        (tmp_dir / "twins.json").write_text(json.dumps(_twins(chunks, vectors), indent=1))
        (tmp_dir / "footnotes.json").write_text(json.dumps({"footnotes": footnotes, "pages": pages}, indent=1))
        steps.update(1)
        files = {
            str(f.relative_to(tmp_dir)): sha256_file(f) for f in sorted(tmp_dir.rglob("*")) if f.is_file()
        }
        os.replace(tmp_dir, build_dir)
        manifest = {
            **_expected(settings),
            "build": build_dir.name,
            "model": settings.embed_model,
            "dimension": int(vectors.shape[1]),
            "counts": {
                "chunks": len(chunks),
                **{ed: sum(c.edition == ed for c in chunks) for ed in sorted({c.edition for c in chunks})},
            },
            "files": files,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - t0, 2),
        }
        stats = sync_store(settings, chunks, vectors)  # a store outside the build: unchanged chunks keep their rows
        if stats is not None:
            manifest["store"] = {"name": settings.store, **stats}
        atomic_write(settings.index_dir / MANIFEST, json.dumps(manifest, indent=1))
        _remove_old_builds(settings.index_dir, keep=build_dir.name)
        steps.update(1)
        steps.close()
        return manifest


def _parse_and_chunk(settings: Settings) -> tuple[list[Chunk], dict, dict, list[Section]]:
    from rag.ingest import parse_edition

    limit = max_seq_length(settings.embed_model)
    if settings.chunk_max_tokens > limit:
        raise ValueError(f"chunk_max_tokens {settings.chunk_max_tokens} exceeds the model window ({limit})")
    chunks: list[Chunk] = []
    footnotes: dict[str, dict[str, str]] = {}
    pages: dict[str, dict[str, str]] = {}
    sections: list[Section] = []
    for src in settings.sources:
        ed = parse_edition(src)
        sections += ed.sections
        chunks += chunk_edition(
            ed, lambda t: count_tokens(settings.embed_model, t), settings.chunk_max_tokens
        )
        footnotes[ed.name] = {str(k): v for k, v in ed.footnotes.items()}
        pages[ed.name] = ed.pages
    from rag import corpus

    chunks += corpus.chunks(settings, lambda t: count_tokens(settings.embed_model, t), settings.chunk_max_tokens)
    return chunks, footnotes, pages, sections


def _sentence_vectors(settings: Settings, rows: list, reuse: bool) -> np.ndarray:
    """Embed every sentence, reusing the current build's vectors for sentences it already holds."""
    known: dict[str, np.ndarray] = {}
    if reuse and staleness_of_files(settings) is None:
        try:
            old = sentence_table.load(settings.index_dir / json.loads((settings.index_dir / MANIFEST).read_text())["build"])
            known = {r.text: old.vectors[i] for i, r in enumerate(old.rows)}
        except (OSError, ValueError, KeyError, TypeError):
            known = {}
    known.update(_encode_once(settings, [r.text for r in rows if r.text not in known]))
    dim = len(next(iter(known.values()))) if known else 0
    return np.vstack([known[r.text] for r in rows]).astype("float32") if rows else np.zeros((0, dim), "float32")


def _twins(chunks: list[Chunk], vectors: np.ndarray) -> dict[str, list[str]]:
    """Pair each chunk with the other edition's chunks that say nearly the same thing."""
    twins: dict[str, list[str]] = {}
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(chunks):
        by_doc.setdefault(c.doc_id, []).append(i)
    for rows in by_doc.values():
        if len({chunks[i].edition for i in rows}) < 2:
            continue  # an added document has one edition: nothing to twin, and all-pairs would be quadratic
        sims = vectors[rows] @ vectors[rows].T
        for x, i in enumerate(rows):
            a = chunks[i]
            best = [
                (float(sims[x, y]), chunks[j].id)
                for y, j in enumerate(rows)
                if chunks[j].edition != a.edition and chunks[j].section.split(" › ")[0] == a.section.split(" › ")[0]
            ]
            best = [b for b in sorted(best, reverse=True)[:2] if b[0] >= 0.85]
            if best:
                twins[a.id] = [cid for _, cid in best]
    return twins


def all_chunks(settings: Settings) -> list[Chunk]:
    """Every chunk a build of these sources and stored documents would hold (for embedding elsewhere, on Ray)."""
    return _parse_and_chunk(settings)[0]


def current_chunks(settings: Settings) -> list[Chunk]:
    """The chunks of the current build when its files are intact (its sources may have changed), else none."""
    if staleness_of_files(settings) is not None:
        return []
    try:
        return _read(settings).chunks
    except (IndexError_, OSError, ValueError, KeyError):
        return []


def _reuse_or_encode(settings: Settings, chunks: list[Chunk], reuse: bool,
                     given: dict[str, np.ndarray] | None = None) -> np.ndarray:
    known: dict[str, np.ndarray] = {}
    if reuse and staleness_of_files(settings) is None:
        try:
            old = _read(settings)
            if old.manifest.get("settings") == settings.index_fingerprint():
                stored = old.vectors.reconstruct_n(0, old.vectors.ntotal)
                known = {c.id: stored[i] for i, c in enumerate(old.chunks)}
        except (IndexError_, OSError, ValueError, RuntimeError, KeyError):
            known = {}
    known.update(given or {})
    todo = [c for c in chunks if c.id not in known]
    by_text = _encode_once(settings, [c.embedding_text() for c in todo])
    known.update({c.id: by_text[c.embedding_text()] for c in todo})
    dim = next(iter(known.values())).shape[0]
    return np.vstack([known[c.id] for c in chunks]).astype("float32").reshape(len(chunks), dim)


def _encode_once(settings: Settings, texts: list[str]) -> dict[str, np.ndarray]:
    """A vector for each distinct text: the two editions often say exactly the same (174 chunk texts for 210
    chunks, 501 sentences for 831), and each is embedded once."""
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, embed.encode_documents(settings, unique))) if unique else {}


def staleness_of_files(settings: Settings) -> str | None:
    """Whether the current build's own files are all present and intact (sources may have changed)."""
    try:
        manifest = json.loads((settings.index_dir / MANIFEST).read_text())
        build_dir = settings.index_dir / manifest["build"]
        for rel, digest in manifest["files"].items():
            if sha256_file(build_dir / rel) != digest:
                return f"index file {rel} is damaged"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"no intact build ({exc})"
    return None


def _save_faiss(path: Path, vectors: np.ndarray) -> None:
    import faiss

    if len(vectors) >= HNSW_MIN_CHUNKS:
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH  # saved with the index
    else:
        index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(path))


def _save_bm25(path: Path, chunks: list[Chunk]) -> None:
    bm25_index(chunks).save(str(path), allow_pickle=False)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    for d in index_dir.iterdir():
        if d.is_dir() and d.name != keep and (d.name.startswith("build-") or d.name.startswith(".tmp-")):
            shutil.rmtree(d, ignore_errors=True)


def load(settings: Settings, rebuild: bool = True, progress: bool = False) -> Index:
    """Load the index, rebuilding it first when it is missing, stale or damaged."""
    reason = staleness(settings)
    if reason is not None:
        if not rebuild:
            raise IndexError_(f"index at {settings.index_dir} cannot be used: {reason}; run `rag index`")
        import sys

        print(f"rag: rebuilding the index: {reason}", file=sys.stderr)
        build(settings, progress=progress)
    return _read(settings)


def _read(settings: Settings) -> Index:
    import bm25s
    import faiss

    manifest = json.loads((settings.index_dir / MANIFEST).read_text())
    build_dir = settings.index_dir / manifest["build"]
    try:
        chunks = [
            Chunk.from_dict(json.loads(line))
            for line in (build_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        vectors = faiss.read_index(str(build_dir / "vectors.faiss"))
        bm25 = bm25s.BM25.load(str(build_dir / "bm25"), allow_pickle=False)
        twins = json.loads((build_dir / "twins.json").read_text())
        meta = json.loads((build_dir / "footnotes.json").read_text())
        sentences = sentence_table.load(build_dir)
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        raise IndexError_(f"index files under {build_dir} could not be read: {exc}") from exc
    if vectors.ntotal != len(chunks):
        raise IndexError_(f"index is inconsistent: {vectors.ntotal} vectors for {len(chunks)} chunks")
    sources = {}
    from rag.ingest import edition_name, read_source

    for src in settings.sources:
        sources[edition_name(src)] = read_source(src)
    from rag import corpus

    sources.update(corpus.texts(settings))
    return Index(chunks=chunks, vectors=vectors, bm25=bm25, manifest=manifest, twins=twins,
                 footnotes=meta["footnotes"], sources=sources, pages=meta.get("pages", {}), sentences=sentences)
