"""The table of every figure in the report, and the discrepancies: where the report disagrees with itself.

`rag figures` lists every figure of both editions with its sentence, section, source and pages; `rag figures
--discrepancies` the figures the web and PDF editions state differently and the statistics stated twice with
different values. Answers and verdicts that cite such a passage get a note (`discrepancy_notes`).
"""

from __future__ import annotations

import csv
import json
import re
from typing import IO

from rag import figures
from rag.files import atomic_write
from rag.report_sentences import Report, Sentence, coverage, figure_words, load_report, pages_of
from rag.settings import Settings
from rag.text import STOPWORDS, stem, words

# ---------------------------------------------------------------------------
# The figure table


def figure_table(settings: Settings, query: str | None) -> list[dict]:
    """Every non-trivial figure of both editions, with its sentence, section, source and pages."""
    rep = load_report(settings)
    wanted = [stem(w) for w in words(query or "") if w not in STOPWORDS]
    rows = []
    for s in rep.sentences:
        if wanted:
            have = {stem(w) for w in words(s.text + " " + s.chunk.section)}
            if not all(w in have or any(h.startswith(w[:5]) and len(w) >= 5 for h in have) for w in wanted):
                continue
        for f in figures.find_figures(s.text):
            if figures.is_trivial(f):
                continue
            rows.append({
                "value": f.value, "high": f.high, "unit": f.unit, "kind": f.kind, "text": f.text,
                "approx": f.approx, "sentence": s.text, "section": s.chunk.section, "edition": s.chunk.edition,
                "chunk_id": s.chunk.id, "source": s.source, "pages": pages_of(s.chunk, rep),
            })
    return rows


_CSV_FIELDS = ["value", "high", "unit", "kind", "text", "approx", "edition", "section", "pages", "chunk_id",
               "source_kind", "source_footnote", "source_reference", "sentence"]


def write_csv(rows: list[dict], fh: IO[str]) -> None:
    w = csv.DictWriter(fh, fieldnames=_CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        src = r.get("source") or {}
        w.writerow({**{k: r.get(k) for k in _CSV_FIELDS if k in r},
                    "source_kind": src.get("kind"), "source_footnote": src.get("footnote"),
                    "source_reference": src.get("reference")})


def describe_source(src: dict | None) -> str:
    if not src:
        return "unknown"
    kind = {"survey_panel": "Health Leaders Panel survey (July 2021)",
            "trust_ceo_survey": "trust chief executives' survey with NHS Providers (August 2021)",
            "external": "external statistic", "report": "the report's own statement"}.get(src["kind"], src["kind"])
    if src.get("footnote"):
        return f"{kind}, footnote {src['footnote']}: {src.get('reference') or '(entry not found)'}"
    return kind + (" (no reference given)" if src["kind"] == "external" else "")


def render_table(rows: list[dict]) -> str:
    if not rows:
        return "no figures match"
    out = []
    for r in rows:
        pages = f", pp. {r['pages']}" if r.get("pages") else ""
        out.append(f"{r['text']:<22} {r['kind']:<8} {r['edition']:<4} {r['section']}{pages}  ({r['chunk_id']})")
        out.append(f"    “{r['sentence']}”")
        out.append(f"    source: {describe_source(r.get('source'))}")
    out.append(f"{len(rows)} figures")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Discrepancies


def _loc(s: Sentence, rep: Report) -> dict:
    return {"chunk_id": s.chunk.id, "edition": s.chunk.edition, "section": s.chunk.section, "quote": s.text,
            "source": s.source, "pages": pages_of(s.chunk, rep)}


def _find_sentence(rep: Report, edition: str, text: str) -> Sentence | None:
    return next((s for s in rep.sentences if s.chunk.edition == edition and s.text == text), None)


def _between_editions(rep: Report) -> list[dict]:
    from rag.retrieve import differing_sentences

    out, seen = [], set()
    tops = sorted({c.section.split(" › ")[0] for c in rep.chunks})
    for top in tops:
        texts = {ed: " ".join(c.text for c in rep.chunks if c.edition == ed and c.section.split(" › ")[0] == top)
                 for ed in ("web", "pdf")}
        pairs = [(a, b, oa, ob) for a, b, oa, ob in differing_sentences(texts["web"], texts["pdf"])]
        pairs += [(b, a, ob, oa) for a, b, oa, ob in differing_sentences(texts["pdf"], texts["web"])]
        for a, b, only_a, only_b in pairs:
            if (a, b) in seen:
                continue
            seen.add((a, b))
            sa, sb = _find_sentence(rep, "web", a), _find_sentence(rep, "pdf", b)
            if sa is None or sb is None:
                continue
            out.append({
                "kind": "between_editions",
                "summary": f"web edition: {', '.join(only_a)}; PDF edition: {', '.join(only_b)}",
                "a": _loc(sa, rep), "b": _loc(sb, rep),
            })
    for n in sorted(set(rep.footnotes.get("web", {})) & set(rep.footnotes.get("pdf", {})), key=int):
        # The PDF adds "accessed April 2021" to its references: a date of reading, not of the data.
        web_ref, pdf_ref = (re.sub(r",?\s*accessed \w+ \d{4}\.?", "", rep.footnotes[ed][n]) for ed in ("web", "pdf"))
        for a, b, only_a, only_b in differing_sentences(web_ref, pdf_ref):
            if "nothing" in only_a or "nothing" in only_b:
                continue  # one edition names a date the other leaves out: not a conflict
            out.append({
                "kind": "between_editions",
                "summary": f"footnote {n}: web edition: {', '.join(only_a)}; PDF edition: {', '.join(only_b)}",
                "a": {"footnote": int(n), "edition": "web", "quote": a},
                "b": {"footnote": int(n), "edition": "pdf", "quote": b},
            })
    return out


def _within_report(rep: Report) -> list[dict]:
    """The same survey statistic stated with a different value elsewhere in the same edition.

    Each statement of the survey findings page is looked for in the rest of its
    edition: a sentence that covers the statement's words and has a percentage
    measuring the same thing (`figure_words`) with another value is a discrepancy.
    """
    out = []
    for s in rep.sentences:
        if s.chunk.section.split(" › ")[0] != "Survey findings":
            continue
        stated = [f for f in figures.find_figures(s.text) if f.unit == "%"]
        if len(stated) != 1:
            continue
        f = stated[0]
        want = figure_words(s.text, f, stated)
        found = []  # (how well the figure's own words match, how well the sentence matches, sentence, figure)
        for t in rep.sentences:
            if t.chunk.edition != s.chunk.edition or t.chunk.section.split(" › ")[0] == "Survey findings":
                continue
            cov = coverage(want, t.stems, rep)
            if cov < 0.75:
                continue
            figs = [g for g in figures.find_figures(t.text) if g.unit == "%"]
            found += [(coverage(want, figure_words(t.text, g, figs), rep), cov, t, g) for g in figs]
        found = [x for x in found if x[0] >= 0.3]
        if not found:
            continue
        best = max(x[0] + x[1] for x in found)
        # Restatements ("four in five (80 per cent)") tie: any consistent figure among the best clears it.
        top = [x for x in found if x[0] + x[1] >= best - 0.1]
        if any(figures.compare(f, g) != "different" for _, _, _, g in top):
            continue
        _, _, t, g = max(top, key=lambda x: x[0] + x[1])
        out.append({
            "kind": "within_report",
            "summary": f"{s.chunk.edition} edition: {f.text} in the survey findings but {g.text} in "
                       f"{t.chunk.section.split(' › ')[0]}",
            "a": _loc(s, rep), "b": _loc(t, rep),
        })
    return out


def discrepancies_for(rep: Report) -> list[dict]:
    if rep.discrepancies is None:
        rep.discrepancies = _between_editions(rep) + _within_report(rep)
    return rep.discrepancies


def discrepancies(settings: Settings) -> list[dict]:
    """Figures or dates that differ between the editions, and statistics stated twice with different values."""
    # Finding them takes seconds and every `rag ask` needs them: keep them on disk,
    # keyed by the index build and by this code, so a cold ask reads a small JSON file.
    cache = _discrepancy_cache(settings)
    if cache is not None and cache.exists():
        try:
            return json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    rows = discrepancies_for(load_report(settings))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, json.dumps(rows, ensure_ascii=False))
    return rows


def _discrepancy_cache(settings: Settings):
    import hashlib
    from pathlib import Path

    from rag import index

    if index.staleness(settings) is not None:
        return None
    build = json.loads((settings.index_dir / index.MANIFEST).read_text())["build"]
    code = hashlib.sha1()
    for module in ("figure_table", "report_sentences", "claims", "figures", "text", "ingest"):
        code.update((Path(__file__).parent / f"{module}.py").read_bytes())
    return settings.cache_dir / "discrepancies" / f"{build}-{code.hexdigest()[:12]}.json"


def render_discrepancies(rows: list[dict]) -> str:
    if not rows:
        return "no discrepancies found"
    out = []
    for i, r in enumerate(rows, 1):
        label = "between editions" if r["kind"] == "between_editions" else "within the report"
        out.append(f"[{i}] {label}: {r['summary']}")
        for side in (r["a"], r["b"]):
            where = side.get("section") or f"footnote {side.get('footnote')}"
            pages = f", pp. {side['pages']}" if side.get("pages") else ""
            cid = f", {side['chunk_id']}" if side.get("chunk_id") else ""
            out.append(f"    {side['edition']}: {where}{pages}{cid}")
            out.append(f"      “{side['quote']}”")
    return "\n".join(out)


def notes_for(chunk_ids: list[str], rows: list[dict], quotes: set[str] | None = None) -> list[str]:
    notes = []
    ids = set(chunk_ids)
    for r in rows:
        sides = [side for side in (r["a"], r["b"]) if side.get("chunk_id") in ids]
        if quotes is not None:
            sides = [side for side in sides if side["quote"] in quotes]
        if sides:
            label = "The editions differ here" if r["kind"] == "between_editions" else "The report states this statistic differently elsewhere"
            note = f"{label}: {r['summary']}."
            if note not in notes:
                notes.append(note)
    return notes


def discrepancy_notes(chunk_ids: list[str], settings: Settings, quotes: list[str] | None = None) -> list[str]:
    """One note per known discrepancy that involves any of these chunks (and, if given, these quoted sentences)."""
    return notes_for(chunk_ids, discrepancies(settings), set(quotes) if quotes is not None else None)
