"""Answers and checks as Markdown to take away: the text with its numbered citations written out as references.

A reference names the section, the edition, the PDF pages (the PDF edition's own, or its twin's for a web
passage) and quotes the cited sentence, so a pasted answer can be traced to the report without this tool.
"""

from __future__ import annotations

from rag.render import edition_name
from rag.schema import Answer, Chunk, Citation, TextCheck, Verdict

REPORT = "NHS Confederation, \"Manifesto for recovery: The health and care system after COVID-19\" (September 2021)"
EDITIONS = ("web", "pdf")  # the report's two editions; an added document is its own "edition" (its id)
VERDICT_WORDS = {"supported": "Supported", "contradicted": "Contradicted", "not_found": "Not found",
                 "nothing_to_check": "Nothing to check"}


def _quote(text: str) -> str:
    return "> " + " ".join(text.split())


def pdf_pages(citation: Citation, chunks: dict[str, Chunk]) -> str | None:
    """The PDF pages of a cited passage: its own when it is the PDF edition's, else its PDF twin's."""
    for chunk_id in [citation.chunk_id, *citation.also]:
        chunk = chunks.get(chunk_id)
        if chunk is not None and chunk.pages:
            return chunk.pages
    return None


def _of_report(citation: Citation) -> bool:
    return citation.edition in EDITIONS


def reference(citation: Citation, chunks: dict[str, Chunk]) -> str:
    pages = pdf_pages(citation, chunks)
    if _of_report(citation):
        where = f"{citation.section}; {edition_name(citation.edition)}" + (f"; PDF pages {pages}" if pages else "")
    else:  # an added document has no editions: its title names it
        where = f"{citation.section}; {citation.document or citation.chunk_id.split(':')[0]}"
    return f"[{citation.n}] {where}\n\n{_quote(citation.quote)}"


def answer_markdown(answer: Answer, chunks: dict[str, Chunk]) -> str:
    """One answer: the question, the answer text with its [n] markers, notes, then the references."""
    parts = [f"**Question:** {' '.join(answer.question.split())}", ""]
    if answer.error:
        return "\n".join(parts + [f"Error: {answer.error}"]) + "\n"
    parts += [answer.answer.strip(), ""]
    verified = list(dict.fromkeys(f.text for f in answer.figures if f.supported))
    if verified:
        parts += ["Figures checked against the cited passages: " + ", ".join(verified), ""]
    parts += [f"Note: {note}" for note in answer.notes]
    if answer.notes:
        parts.append("")
    if answer.abstained and answer.see_also:
        parts += ["See also:", ""] + [f"- {c.section} ({edition_name(c.edition)})" for c in answer.see_also] + [""]
    if answer.citations:
        parts += ["**References**", ""]
        for c in answer.citations:
            parts += [reference(c, chunks), ""]
    cited = answer.citations or answer.see_also
    others = sorted({c.document or c.chunk_id.split(":")[0] for c in cited if not _of_report(c)})
    sources = ([REPORT] if not cited or any(_of_report(c) for c in cited) else []) + [f'"{d}"' for d in others]
    parts.append(f"*Source: {'; '.join(sources)}. Mode: {answer.mode}.*")
    return "\n".join(parts) + "\n"


def verdict_markdown(verdict: Verdict, n: int | None = None) -> str:
    label = VERDICT_WORDS.get(verdict.verdict, verdict.verdict)
    head = f"**Claim {n}:** " if n is not None else "**Claim:** "
    parts = [head + " ".join(verdict.claim.split()), "", f"**Verdict: {label}**", ""]
    if verdict.error:
        return "\n".join(parts + [f"Error: {verdict.error}"]) + "\n"
    for m in verdict.figures:
        parts.append(f"- claimed {m.claim}; report {m.report if m.report is not None else '—'} ({m.match})")
    if verdict.figures:
        parts.append("")
    for note in verdict.notes:
        parts += [f"Note: {note}", ""]
    for i, ev in enumerate(verdict.evidence, 1):
        pages = f"; PDF pages {ev.pages}" if ev.pages else ""
        parts += [f"Evidence {i}: {ev.section}; {edition_name(ev.edition)}{pages}", "", _quote(ev.quote), ""]
    return "\n".join(parts)


def check_markdown(result: Verdict | TextCheck) -> str:
    """A claim's verdict, or a whole text's: the count per verdict, then each claim with its evidence."""
    if isinstance(result, Verdict):
        return f"# Figure check\n\n{verdict_markdown(result)}\n*Checked against {REPORT}.*\n"
    counts = ", ".join(f"{VERDICT_WORDS.get(k, k).lower()} {n}" for k, n in result.summary.items() if n)
    parts = ["# Figure check of a text", "", f"{len(result.claims)} claims: {counts}", ""]
    for n, v in enumerate(result.claims, 1):
        parts.append(verdict_markdown(v, n))
    parts.append(f"*Checked against {REPORT}.*")
    return "\n".join(parts) + "\n"
