"""The HTTP API beside the page, through a real HTTP client against `python ui.py` (one process, one port)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from conftest import run_rag, ui_server

ROOT = Path(__file__).resolve().parent.parent
VACANCIES = "How many NHS staff vacancies were there?"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with ui_server(tmp_path_factory.mktemp("api") / "server.log", "/api/openapi.json") as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield client


def _without_timings(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "timings_ms"}


def test_ask_gives_the_same_json_as_the_cli(api):
    r = api.post("/api/ask", json={"question": VACANCIES})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    cli = run_rag("ask", "--json", VACANCIES)
    assert cli.returncode == 0, cli.stderr
    assert _without_timings(r.json()) == _without_timings(json.loads(cli.stdout))
    assert "93,806" in r.json()["answer"] and r.json()["citations"]


def test_check_gives_the_same_json_as_the_cli(api):
    claim = "The NHS has 150,000 vacancies."
    r = api.post("/api/check", json={"claim": claim})
    assert r.status_code == 200
    cli = run_rag("check", "--json", claim)
    assert _without_timings(r.json()) == _without_timings(json.loads(cli.stdout))
    assert r.json()["verdict"] == "contradicted"


def test_check_takes_a_whole_text_like_the_cli(api):
    text = "NHS leaders say more than 100,000 posts are vacant. The waiting list stands at 5.6 million."
    r = api.post("/api/check", json={"claim": text})
    assert r.status_code == 200
    cli = json.loads(run_rag("check", "--json", text).stdout)
    strip = [{k: v for k, v in c.items() if k != "timings_ms"} for c in r.json()["claims"]]
    assert strip == [{k: v for k, v in c.items() if k != "timings_ms"} for c in cli["claims"]]
    assert [c["verdict"] for c in r.json()["claims"]] == ["contradicted", "supported"]
    assert api.post("/api/check", json={"claim": "x. " * 10_000}).status_code == 400


def test_figures_are_filtered_by_words(api):
    rows = api.get("/api/figures", params={"q": "vacancies"}).json()["figures"]
    assert rows and any(row["text"] == "93,806" for row in rows)
    assert all("vacanc" in row["sentence"].lower() for row in rows)


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"question": ""}, 400, "empty"),
        ({"question": "x" * 100_000}, 400, "limit"),
        ({"question": "a\x00b"}, 400, "binary"),
        ({}, 422, "question"),
        ({"question": VACANCIES, "mode": "poetry"}, 422, "mode"),
    ],
)
def test_bad_requests_get_a_clear_error_not_a_crash(api, body, status, needle):
    r = api.post("/api/ask", json=body)
    assert r.status_code == status, r.text
    assert needle in r.text.lower()


def test_a_body_that_is_not_json_is_refused(api):
    r = api.post("/api/ask", content=b"\xff\xfe\x00garbage", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert api.post("/api/ask", json={"question": VACANCIES}).status_code == 200  # and the server is still up


def test_openapi_describes_every_route_and_the_page_is_still_served(api):
    spec = api.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/check", "/api/figures"} <= set(spec["paths"])
    assert "question" in json.dumps(spec["components"]["schemas"])
    page = api.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_the_library_and_asking_within_one_document(api):
    docs = api.get("/api/documents").json()["documents"]
    assert docs[0]["id"] == "manifesto" and docs[0]["chunks"] > 0
    answer = api.post("/api/ask", json={"question": "How many NHS staff vacancies were there?", "doc": "manifesto"})
    assert answer.status_code == 200 and "93,806" in answer.json()["answer"]
    assert all(c["document"].startswith("Manifesto for recovery") for c in answer.json()["citations"])
    missing = api.post("/api/ask", json={"question": "How many NHS staff vacancies were there?", "doc": "nope"})
    assert missing.status_code == 400 and "no document 'nope'" in missing.json()["error"]
