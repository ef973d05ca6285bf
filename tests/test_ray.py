"""Ingestion on Ray: a real two-node Ray cluster on this machine (ray.cluster_utils.Cluster), documents read,
chunked and embedded by its workers, the vectors the same as in-process ones, and `rag index add --engine ray`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import run_rag

from rag import corpus, embed, ray_ingest
from rag.model_files import count_tokens

TOPICS = {
    "community-pharmacy": ("Community pharmacy after the pandemic", [
        ("Prescriptions", "Community pharmacies dispensed 1.1 billion items in the year. Pharmacists say demand for "
                          "advice rose sharply while funding stayed flat."),
        ("Workforce", "Locum costs doubled in two years and 48 pharmacies closed in one region. Owners want a "
                      "long-term workforce plan for pharmacy technicians."),
    ]),
    "ambulance-handovers": ("Ambulance handover delays", [
        ("The problem", "Crews waited more than an hour outside emergency departments on 13,000 occasions in "
                        "December. Each delay keeps an ambulance from the next call."),
        ("What trusts ask for", "Trusts ask for more beds in social care so that patients can leave hospital and "
                                "handovers can be quick again."),
    ]),
    "digital-records": ("Shared digital records", [
        ("Progress", "Nine in ten GP practices now share records with local hospitals. Mental health trusts lag "
                     "behind at 60 per cent."),
    ]),
}


def _write_docs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, sections) in TOPICS.items():
        body = "\n\n".join(f"## {head}\n\n{text}" for head, text in sections)
        (folder / f"{name}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cluster():
    """A head and a worker node, one CPU each, as two raylets on this machine."""
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_TMPDIR", tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short socket paths
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    c.add_node(num_cpus=1)
    c.wait_for_nodes()
    yield c
    import ray

    ray.shutdown()
    c.shutdown()


def test_workers_on_two_nodes_make_the_in_process_vectors(cluster, index_copy, tmp_path):
    folder = _write_docs(tmp_path / "docs")
    done = ray_ingest.ingest(index_copy, [folder], address=cluster.address, workers=2)
    assert sorted(d.doc_id for d in done.documents) == sorted(TOPICS)
    assert len(done.nodes) == 2  # both nodes embedded
    # The same chunks as the in-process path, and the same vectors.
    expected = {}
    for path in corpus.expand([folder]):
        doc = corpus.read_document(path)
        for c in corpus.chunks_of(corpus.metadata(doc), doc.text,
                                  lambda t: count_tokens(index_copy.embed_model, t), index_copy.chunk_max_tokens):
            expected[c.id] = c.embedding_text()
    assert set(done.vectors) == set(expected) and done.chunks == len(expected) and done.reused == 0
    ids = sorted(expected)
    local = embed.encode_documents(index_copy, [expected[i] for i in ids])
    remote = np.vstack([done.vectors[i] for i in ids])
    assert np.allclose(remote, local, atol=1e-5)
    assert float(np.min(np.sum(remote * local, axis=1))) > 0.9999


def test_rag_index_add_engine_ray_on_the_cluster_then_docs_ask_and_remove(cluster, index_copy, tmp_path):
    folder = _write_docs(tmp_path / "library")
    env = {"RAG_INDEX_DIR": str(index_copy.index_dir), "RAG_RAY_ADDRESS": cluster.address}
    added = run_rag("index", "add", "--engine", "ray", str(folder), env=env, timeout=600)
    out = added.stdout.decode()
    assert added.returncode == 0, added.stderr.decode()[-3000:]
    assert out.count("added ") == 3 and "on 2 node(s)" in out and "0 kept their vectors" in out
    listed = json.loads(run_rag("docs", "--json", env=env).stdout)["documents"]
    assert [d["id"] for d in listed][0] == "manifesto" and {d["id"] for d in listed} >= set(TOPICS)
    assert all(d["chunks"] > 0 for d in listed)
    answer = json.loads(run_rag("ask", "--json", "--doc", "ambulance-handovers",
                                "How many times did crews wait more than an hour?", env=env).stdout)
    assert "13,000" in answer["answer"]
    assert {c["chunk_id"].split(":")[0] for c in answer["citations"]} == {"ambulance-handovers"}
    assert {c["document"] for c in answer["citations"]} == {"Ambulance handover delays"}
    # Adding the same folder again embeds nothing: unchanged chunks keep their vectors.
    again = run_rag("index", "add", "--engine", "ray", str(folder), env=env, timeout=600).stdout.decode()
    assert "0 embedded" in again
    # A full re-embed on the cluster: every chunk, the report's and the documents', spread over both nodes.
    rebuilt = run_rag("index", "--force", "--engine", "ray", env=env, timeout=900)
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()[-3000:]
    total = sum(d["chunks"] for d in listed)
    assert f"ray: {total} chunks embedded on 2 node(s)" in rebuilt.stdout.decode()
    assert "13,000" in json.loads(run_rag("ask", "--json", "--doc", "ambulance-handovers",
                                          "How many times did crews wait more than an hour?", env=env).stdout)["answer"]
    removed = run_rag("docs", "remove", "digital-records", env=env)
    assert removed.returncode == 0 and "removed document 'digital-records'" in removed.stdout.decode()
    assert "digital-records" not in run_rag("docs", env=env).stdout.decode()
    gone = run_rag("ask", "--doc", "digital-records", "What share of GP practices share records?", env=env)
    assert gone.returncode == 1 and "no document 'digital-records'" in (gone.stdout + gone.stderr).decode()
