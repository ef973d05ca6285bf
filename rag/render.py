"""HTML for the web page: the library's Answer, Verdict and figure rows as markup.

Everything that came from a user or the report goes through `esc` before it
reaches markup. `esc` also turns markdown punctuation into character
references, so a typed "[link](javascript:...)" stays text even where a
component renders markdown.
"""

from __future__ import annotations

import json
import re

from rag.schema import Answer, Citation, Verdict

# HTML specials and markdown/LaTeX punctuation, shown as the same characters but never parsed as syntax.
_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'[]()*_`#!~|\\${}:"})
_MARKER = re.compile(r"\[(\d+)\]")

VERDICT_LABELS = {
    "supported": ("Supported", "The report states this."),
    "contradicted": ("Contradicted", "The report states something different."),
    "not_found": ("Not found", "The report does not say this either way."),
    "nothing_to_check": ("Nothing to check", "This states no figure, date or share."),
}
MATCH_LABELS = {
    "exact": "same figure",
    "rounded": "rounded from the report's figure",
    "approximate": "approximately the report's figure",
    "different": "differs from the report",
}
EDITION_NAMES = {"web": "web edition", "pdf": "PDF edition"}

VERIFICATION = (
    "Every answer is built from the report's own passages. The extractive mode quotes the report's "
    "sentences word for word; the model modes write an answer from the retrieved passages, and every "
    "figure in that answer is then checked against the passages it cites: a figure no cited passage "
    "states is removed, and so is a sentence the figure checker does not support (a real figure put on the "
    "wrong subject, a dropped \"not\"); if nothing is left, or a question asking for a figure gets none, the "
    "answer falls back to quoting. Figures marked ✓ were found in the cited "
    "passage. When the report does not answer a question, the assistant says so and lists the closest "
    "passages. Where the web and PDF editions differ, the answer notes it."
)


def esc(text: object) -> str:
    """Escape text for any HTML or markdown component: shown as typed, never interpreted."""
    return str(text).translate(_ESCAPES)


def edition_name(edition: str) -> str:
    return EDITION_NAMES.get(edition, f"{edition} edition")


def user_html(question: str, limit: int = 600) -> str:
    """The user's message as shown in the chat: plain text, shortened when very long."""
    shown = question if len(question) <= limit else question[:limit] + f"… ({len(question):,} characters)"
    return f'<span class="user-text">{esc(shown)}</span>'


def error_html(message: str) -> str:
    return f'<div class="rr-error" role="alert">⚠ {esc(message)}</div>'


def streaming_html(text: str) -> str:
    """Partial generated text while it streams; verified and replaced when it ends."""
    return f'<div class="rr-streaming">{esc(text)}<span class="rr-cursor">▍</span></div>'


def _answer_body(answer: Answer) -> str:
    """The answer text, escaped, with citation markers as superscripts and verified figures marked."""
    text = answer.answer
    cited = {c.n for c in answer.citations}
    spans = []
    for fig in sorted(answer.figures, key=lambda f: f.start):
        if not fig.supported or text[fig.start:fig.end] != fig.text:
            continue
        if spans and fig.start < spans[-1][1]:
            continue  # overlapping figure ("four in five (82 per cent)"): keep the first
        spans.append((fig.start, fig.end))

    def plain(segment: str) -> str:
        parts, pos = [], 0
        for m in _MARKER.finditer(segment):
            n = int(m.group(1))
            if n not in cited:
                continue
            parts.append(esc(segment[pos:m.start()]))
            parts.append(f'<sup class="rr-cite"><a href="#rr-source-{n}">[{n}]</a></sup>')
            pos = m.end()
        parts.append(esc(segment[pos:]))
        return "".join(parts)

    out, pos = [], 0
    for a, b in spans:
        out.append(plain(text[pos:a]))
        out.append(f'<span class="rr-fig" title="verified in a cited passage">{esc(text[a:b])}<span class="rr-ok">✓</span></span>')
        pos = b
    out.append(plain(text[pos:]))
    return "".join(out)


def copy_html(markdown: str, what: str) -> str:
    """A button that copies `markdown` (kept in a hidden <pre> beside it) to the clipboard: ui.py's COPY_SCRIPT."""
    return (f'<div class="rr-actions"><button type="button" class="rr-copy">Copy {esc(what)} as Markdown</button> '
            '<span class="rr-copy-status" role="status" aria-live="polite"></span>'
            f'<pre class="rr-md" hidden>{esc(markdown)}</pre></div>')


def answer_html(answer: Answer, markdown: str | None = None, turn: int | None = None) -> str:
    """The assistant's chat message for a finished Answer, with a copy button when its Markdown is given."""
    if answer.error:
        return error_html(answer.error)
    parts = [f'<div class="rr-answer">{_answer_body(answer)}</div>']
    if answer.abstained and answer.see_also:
        parts.append('<div class="rr-muted">See also: ' + "; ".join(
            f"{esc(c.section)} ({esc(edition_name(c.edition))})" for c in answer.see_also) + "</div>")
    verified = [f for f in answer.figures if f.supported]
    if verified:
        parts.append('<div class="rr-verified">Figures checked against the cited passages: '
                     + ", ".join(f"{esc(f.text)} ✓" for f in verified) + "</div>")
    for note in answer.notes:
        parts.append(f'<div class="rr-note">Note: {esc(note)}</div>')
    if answer.removed:
        parts.append(f'<div class="rr-note">{len(answer.removed)} statement(s) were left out because no cited '
                     "passage supports their figures.</div>")
    if answer.fallback:
        parts.append(f'<div class="rr-note">Fell back to quoting the report: {esc(answer.fallback)}</div>')
    if answer.citations:
        parts.append(f'<div class="rr-muted">Mode: {esc(answer.mode)} · {len(answer.citations)} cited passage(s) '
                     "shown below the chat</div>")
    if markdown:
        parts.append(copy_html(markdown, f"answer {turn}" if turn else "answer"))
    return "\n".join(parts)


def highlight(passage: str, quote: str) -> str:
    """The passage, escaped, with the quoted sentence inside <mark>; the quote alone if it is not there."""
    pos = passage.find(quote) if quote else -1
    if pos < 0 and quote:
        pos = passage.lower().find(quote.lower())
    if pos < 0:
        shown = f'<mark>{esc(quote)}</mark>' if quote else ""
        return f'<p class="rr-passage">{shown}</p><p class="rr-passage rr-muted">{esc(passage)}</p>'
    end = pos + len(quote)
    return (f'<p class="rr-passage">{esc(passage[:pos])}<mark>{esc(passage[pos:end])}</mark>'
            f"{esc(passage[end:])}</p>")


def _source_card(c: Citation, chunks: dict, figures_here: list[str], anchor: bool = True) -> str:
    chunk = chunks.get(c.chunk_id)
    passage = chunk.text if chunk is not None else ""
    pages = f" · pages {esc(chunk.pages)}" if chunk is not None and chunk.pages else ""
    also = ""
    if c.also:
        twins = [chunks[i].edition for i in c.also if i in chunks]
        if twins:
            also = " · also in the " + ", ".join(esc(edition_name(e)) for e in twins)
    ident = f' id="rr-source-{c.n}"' if anchor else ""
    document = f'<span class="rr-doc">{esc(c.document)}</span> · ' if c.document else ""
    figs = ""
    if figures_here:
        figs = '<div class="rr-verified">Verified here: ' + ", ".join(f"{esc(f)} ✓" for f in figures_here) + "</div>"
    return (
        f'<div class="rr-source"{ident} tabindex="-1"><div class="rr-source-head"><b>[{c.n}]</b> {esc(c.section)}</div>'
        f'<div class="rr-muted">{document}{esc(edition_name(c.edition))}{pages}{also} · {esc(c.chunk_id)}</div>'
        f"{highlight(passage, c.quote)}{figs}</div>"
    )


def sources_html(answer: Answer | None, chunks: dict) -> str:
    """The cited passages of an answer (or the see-also passages of an abstention), for under the chat."""
    if answer is None:
        return '<div class="rr-muted">Cited passages appear here after you ask a question.</div>'
    if answer.error:
        return ""
    parts = []
    if answer.abstained:
        parts.append('<div class="rr-note">The report does not answer this question. The closest passages:</div>')
        for c in answer.see_also:
            parts.append(_source_card(c, chunks, [], anchor=False))
        return "\n".join(parts)
    parts.append("<h2>Cited passages</h2>")
    for c in answer.citations:
        here = [f.text for f in answer.figures if f.supported and f.chunk_id == c.chunk_id]
        parts.append(_source_card(c, chunks, here))
    return "\n".join(parts)


def verdict_html(verdict: Verdict, describe_source=None, markdown: str | None = None) -> str:
    """The verdict card of the figure checker; `describe_source` names where an evidence figure comes from."""
    if verdict.error:
        return error_html(verdict.error)
    label, gloss = VERDICT_LABELS.get(verdict.verdict, (verdict.verdict, ""))
    css = verdict.verdict if verdict.verdict in VERDICT_LABELS else "unknown"
    parts = [
        f'<div class="rr-verdict rr-verdict-{css}">',
        f'<div class="rr-verdict-label">{esc(label)}</div><div>{esc(gloss)}</div>',
        f'<blockquote class="rr-claim">{esc(verdict.claim)}</blockquote>',
    ]
    if verdict.figures:
        rows = "".join(
            f"<tr><td>{esc(m.claim)}</td><td>{esc(m.report if m.report is not None else '—')}</td>"
            f"<td>{esc(MATCH_LABELS.get(m.match, m.match))}</td></tr>"
            for m in verdict.figures
        )
        parts.append('<table class="rr-table"><thead><tr><th>Claimed</th><th>Report</th><th>Comparison</th></tr>'
                     f"</thead><tbody>{rows}</tbody></table>")
    for ev in verdict.evidence:
        pages = f" · pages {esc(ev.pages)}" if ev.pages else ""
        source = ""
        if ev.source and describe_source:
            source = f'<div class="rr-muted">Source: {esc(describe_source(ev.source))}</div>'
        parts.append(
            f'<div class="rr-source"><div class="rr-source-head">{esc(ev.section)}</div>'
            f'<div class="rr-muted">{esc(edition_name(ev.edition))}{pages} · {esc(ev.chunk_id)}</div>'
            f'<p class="rr-passage"><mark>{esc(ev.quote)}</mark></p>{source}</div>'
        )
    for note in verdict.notes:
        parts.append(f'<div class="rr-note">Note: {esc(note)}</div>')
    if markdown:
        parts.append(copy_html(markdown, "the check"))
    parts.append("</div>")
    return "\n".join(parts)


def text_check_html(result, describe_source=None, markdown: str | None = None) -> str:
    """A whole text checked: the text with each claim marked by its verdict (a label in words as well as a colour,
    so it reads without colour), then a numbered card per claim."""
    parts, pos = ['<div class="rr-textcheck">'], 0
    counts = ", ".join(f"{VERDICT_LABELS[k][0].lower()} {n}" for k, n in result.summary.items() if n)
    parts.append(f'<div class="rr-summary" role="status">{len(result.claims)} claims: {esc(counts)}</div>')
    if markdown:
        parts.append(copy_html(markdown, "the check"))
    marked = ['<p class="rr-marked">']
    for n, v in enumerate(result.claims, 1):
        marked.append(esc(result.text[pos:v.start]))
        label = VERDICT_LABELS.get(v.verdict, (v.verdict, ""))[0]
        marked.append(f'<span class="rr-claim-mark rr-mark-{esc(v.verdict)}" id="rr-claim-{n}">'
                      f'{esc(result.text[v.start:v.end])}<sup class="rr-mark-label">'
                      f'<a href="#rr-card-{n}">[{n}] {esc(label)}</a></sup></span>')
        pos = v.end
    marked.append(esc(result.text[pos:]) + "</p>")
    parts.append("".join(marked).replace("\n", "<br>"))
    for n, v in enumerate(result.claims, 1):
        card = verdict_html(v, describe_source)
        parts.append(f'<section class="rr-claim-card" id="rr-card-{n}" aria-label="Claim {n}">'
                     f'<div class="rr-muted">Claim {n} · characters {v.start}–{v.end}</div>{card}</section>')
    parts.append("</div>")
    return "\n".join(parts)


FIGURE_COLUMNS = ["figure", "value", "unit", "kind", "edition", "section", "pages", "source", "sentence"]


def figure_table(rows: list[dict], describe_source=None) -> list[list]:
    """Rows of figure_table.figure_table in the Figures tab's column order; values kept numeric to sort."""
    def source(r: dict) -> str:
        return describe_source(r.get("source")) if describe_source else _cell(r.get("source"))

    return [[_cell(r.get("text")), r.get("value"), _cell(r.get("unit")), _cell(r.get("kind")),
             _cell(r.get("edition")), _cell(r.get("section")), _cell(r.get("pages")), source(r),
             _cell(r.get("sentence"))]
            for r in rows]


def discrepancies_html(rows: list[dict]) -> str:
    """Figures the two editions state differently, and statistics the report states twice differently."""
    if not rows:
        return '<div class="rr-muted">No discrepancies found.</div>'
    parts = []
    for i, r in enumerate(rows, 1):
        label = "Between editions" if r.get("kind") == "between_editions" else "Within the report"
        sides = []
        for side in (r.get("a") or {}, r.get("b") or {}):
            where = side.get("section") or (f"footnote {side['footnote']}" if side.get("footnote") else "")
            pages = f" · pages {esc(side['pages'])}" if side.get("pages") else ""
            sides.append(f'<li><span class="rr-muted">{esc(edition_name(side.get("edition", "")))}: {esc(where)}'
                         f'{pages}</span><br>“{esc(side.get("quote", ""))}”</li>')
        parts.append(f'<div class="rr-source"><div class="rr-source-head"><b>{i}. {label}</b>: '
                     f'{esc(r.get("summary", ""))}</div><ul>{"".join(sides)}</ul></div>')
    return "\n".join(parts)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def about_html(notice: str, manifest: dict) -> str:
    """The About tab: the report, its licence, the editions, the index and how answers are checked."""
    lines = [ln.strip() for ln in notice.splitlines()]
    title = lines[0] if lines else ""
    copyright_par = " ".join(_paragraph_from(lines, "©"))
    counts = manifest.get("counts", {})
    editions = "".join(
        f"<li>{esc(edition_name(ed))}: {esc(name)} ({counts.get(ed, '?')} passages)</li>"
        for name in manifest.get("sources", {})
        for ed in [name.rsplit(".", 2)[-2] if name.count(".") >= 2 else name]
    )
    return (
        '<div class="rr-about">'
        f"<h2>The report</h2><p>{esc(title)}</p><p>{esc(copyright_par)}</p>"
        f"<h3>Editions</h3><ul>{editions}</ul>"
        "<h3>Index</h3><ul>"
        f"<li>Embedding model: {esc(manifest.get('model', '?'))} ({esc(manifest.get('dimension', '?'))} dimensions)</li>"
        f"<li>Passages: {esc(counts.get('chunks', '?'))}</li>"
        f"<li>Built: {esc(manifest.get('built_at', '?'))} in {esc(manifest.get('build_seconds', '?'))} s "
        f"({esc(manifest.get('build', ''))})</li></ul>"
        f"<h3>How answers are verified</h3><p>{esc(VERIFICATION)}</p></div>"
    )


def _paragraph_from(lines: list[str], start: str) -> list[str]:
    out: list[str] = []
    for ln in lines:
        if out and not ln:
            break
        if out or ln.startswith(start):
            out.append(ln)
    return out
