"""Figure checking: the verdict on a claim, against the report's sentences (rag.report_sentences).

The claim checker is rule-based on purpose: a journalist must be able to read
why a verdict was given. It finds the report sentences that speak to the
claim's subject (content-word coverage weighted by rarity in the report),
compares figures with `figures.compare`, and checks polarity, dates, ratios and
quantifiers. The two thresholds are calibrated on the dev half of
evals/claims.jsonl (even-numbered ids), see docs/check.md.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

from rag import figures
from rag.figure_table import describe_source, discrepancies_for, notes_for
from rag.report_sentences import (
    DATE_UNITS,
    Report,
    Sentence,
    coverage,
    date_figures,
    figure_words,
    pages_of,
    report_for,
    sentence_stems,
    value_figures,
)
from rag.schema import Chunk, Evidence, Figure, FigureMatch, Verdict
from rag.text import STOPWORDS, stem, words

# Calibrated on the dev split (even ids) of evals/claims.jsonl; see docs/check.md.
MIN_COVERAGE = 0.55  # below this, nothing in the report speaks to the claim's subject
NEAR_BEST = 0.2
RETRIEVED_BONUS = 0.05
SAME_MEASURE = 0.44  # a differing figure whose own words cover less of the claim measures something else  # a tie-breaker for sentences of the passages the retriever found  # a sentence this close to the best coverage speaks to the same subject

_NEGATIONS = {"not", "no", "never", "none", "nor", "cannot", "neither", "don't", "didn't", "doesn't", "isn't",
              "aren't", "won't", "wasn't", "weren't"}
_COMPARISON = re.compile(
    r"\b(?:(?P<h>more than|over|almost|nearly|around|about|at least|less than|roughly)\s+)?"
    r"(?P<c>doubl(?:e|ed|es|ing)|twice|tripl(?:e|ed|es|ing)|trebl(?:e|ed|es|ing)|"
    r"(?P<n>two|three|four|five|six|ten|\d+(?:\.\d+)?)\s+times)\b",
    re.I,
)
_TIMES = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
_INCREASE = re.compile(r"(?P<a>\d+(?:\.\d+)?)\s?(?:%|per\s?cent)\s+(?:increase|rise|growth)", re.I)
_QUANTIFIER = re.compile(
    r"\b(?:(?P<maj>(?:a|the) majority|most(?= (?:of )?(?:the )?(?:nhs |healthcare |health |panel |trust |their )?"
    r"(?:leaders|respondents|members|people|staff|trusts|organisations|providers)))|(?P<min>a minority))\b",
    re.I,
)


# ---------------------------------------------------------------------------
# Claim verdicts


_SKIP_AFTER_NEGATION = {"feel", "think", "believe", "be", "been", "being", "yet", "always", "fully", "currently"}


def _negated(text: str) -> set[str]:
    """The word each negation governs: the first content word after "not", "no", "never"...

    "not the £6.5-7 billion" contrasts figures, not meanings, and is left to the figure comparison.
    """
    toks = words(text)
    out: set[str] = set()
    for i, w in enumerate(toks):
        if w not in _NEGATIONS:
            continue
        for t in toks[i + 1:i + 5]:
            if t[:1].isdigit():
                break
            if t in STOPWORDS or t in _SKIP_AFTER_NEGATION:
                continue
            out.add(stem(t))
            break
    return out


# What the report asks for, estimates or expects, said around a figure ("the NHS will need £10 billion").
_NEED = re.compile(r"\b(needs?|needed|requires?|required|requirement|calls? for|called for|should|must|asks? for|asked for|"
                   r"estimates?|estimated|forecasts?|predicts?|predicted|expects?|expected|wants?|wanted|recommends?|"
                   r"recommended|urges?|urged|would|could)\b", re.I)
# A claim that the money or the decision has come: given, received, committed, pledged, agreed.
_GOT = re.compile(r"\b(gets?|got|getting|will get|gives?|giving|will give|receives?|received|receiving|will receive|(?:has|have|had|was|were|been|be) "
                  r"(?:given|allocated|granted|awarded|provided|handed)|allocated|granted|awarded|(?:has|have|had) "
                  r"(?:committed|pledged|agreed|promised|provided|secured|delivered|guaranteed)|committed|pledged|"
                  r"guaranteed|secured)\b", re.I)


def need_as_fact(claim: str, sentence: str, report_figures: list[Figure]) -> str | None:
    """Why a claim turns what the report asks for or estimates into something given or decided, or None.
    Read around each matched figure only: one sentence can say what the NHS needs and what it will get."""
    if not _GOT.search(claim) or _NEED.search(claim):
        return None
    for g in report_figures:
        clause = _clause_around(sentence, g)
        m = _NEED.search(clause)
        if m and not _GOT.search(clause):
            return (f"the report gives {g.text} as what is {_stance_word(m.group(0))}, not as something given or "
                    "decided")
    return None


def _clause_around(sentence: str, fig: Figure) -> str:
    """The clause of `sentence` that holds `fig`: up to the neighbouring figures, ; — or "not" on either side."""
    others = [f for f in figures.find_figures(sentence) if f.start != fig.start and not figures.is_trivial(f)]
    before = max((f.end for f in others if f.end <= fig.start), default=0)
    after = min((f.start for f in others if f.start >= fig.end), default=len(sentence))
    left = re.split(r"[;—–]|,\s(?:but|while|whereas|not)\b|\bnot\b", sentence[before: fig.start])[-1]
    right = re.split(r"[;—–]|,\s|\bnot\b", sentence[fig.end: after])[0]
    return f"{left} {fig.text} {right}"


def _stance_word(word: str) -> str:
    w = word.lower()
    if w.startswith(("estimat", "forecast", "predict", "expect")):
        return "estimated or expected"
    if w.startswith(("call", "ask", "recommend", "urge", "want", "should", "must")):
        return "asked for"
    return "needed"


def polarity_clash(claim: str, sentence: str) -> str | None:
    """The word one side negates and the other asserts, if any."""
    c_all, s_all = {stem(w) for w in words(claim)}, {stem(w) for w in words(sentence)}
    c_neg, s_neg = _negated(claim), _negated(sentence)
    # Stems match the words; the message shows the report's own word ("confident", not "confid").
    shown = {stem(w): w for w in words(claim) + words(sentence)}
    lost = sorted((s_neg & c_all) - c_neg)
    if lost:
        return f"the report says “not {shown.get(lost[0], lost[0])}” where the claim drops the “not”"
    added = sorted((c_neg & s_all) - s_neg)
    if added:
        return f"the claim says “not {shown.get(added[0], added[0])}” where the report states it without “not”"
    return None


@dataclass
class _Claimed:
    """A claimed figure: a number, a quantifier ("most") or a comparison ("more than double")."""

    fig: Figure
    ratio: float | None = None  # for comparisons
    hedge: str | None = None


def _claimed(text: str) -> list[_Claimed]:
    out = [_Claimed(f) for f in value_figures(text)]
    for m in _QUANTIFIER.finditer(text):
        hedge = "more than" if m.group("maj") else "less than"
        out.append(_Claimed(Figure(m.group(0), 50.0, "%", "quantifier", approx=hedge, start=m.start(), end=m.end())))
    for m in _COMPARISON.finditer(text):
        c = m.group("c").lower()
        n = m.group("n")
        ratio = 2.0 if c.startswith(("doubl", "twice")) else 3.0 if c.startswith(("tripl", "trebl")) else (
            float(_TIMES.get(n.lower(), 0) or n) if n else None)
        if ratio:
            fig = Figure(m.group(0), ratio, "times", "comparison", approx=(m.group("h") or "").lower() or None,
                         start=m.start(), end=m.end())
            out = [c2 for c2 in out if not (c2.fig.start >= fig.start and c2.fig.end <= fig.end)]
            out.append(_Claimed(fig, ratio, fig.approx))
    return out


def _report_ratio(s: Sentence) -> tuple[float, str] | None:
    """A ratio the report states or implies around a sentence: two rates, an increase, or words."""
    m = _INCREASE.search(s.text)
    if m:
        return 1 + float(m.group("a")) / 100, m.group(0)
    for unit in ("per 100,000", "per 1,000", "%"):
        figs = [f for f in figures.find_figures(s.context) if f.unit == unit and f.kind != "range"]
        if len(figs) >= 2 and min(f.value for f in figs[:2]) > 0:
            a, b = figs[0].value, figs[1].value
            return max(a, b) / min(a, b), f"{figs[0].text} vs {figs[1].text}"
    return None


def _compare_ratio(claimed: _Claimed, actual: float) -> str:
    c, h = claimed.ratio or 0.0, claimed.hedge or ""
    if h in ("more than", "over", "at least"):
        return "approximate" if actual > c else "different"
    if h in ("almost", "nearly", "less than"):
        return "approximate" if 0.85 * c <= actual < c else "different"
    return "approximate" if abs(actual - c) <= 0.1 * c else "different"


def _compare(claimed: _Claimed, g: Figure) -> str:
    f = claimed.fig
    if f.kind == "quantifier":
        if g.unit != "%" or g.value is None:
            return "different"
        below = g.approx in ("under", "just under", "less than", "fewer than", "almost", "nearly")
        majority = g.value > 50 or (g.value == 50 and g.approx in ("more than", "over", "just over"))
        minority = g.value < 50 or (g.value == 50 and below)
        return "approximate" if (majority if f.approx == "more than" else minority) else "different"
    return figures.compare(f, g)


def _counterpart(claimed: _Claimed, claim_words: frozenset, s: Sentence, rep: Report,
                 taken: tuple[int, ...] = ()) -> tuple[Figure | None, str, float]:
    """The sentence's figure that states what the claimed figure states, how they compare, and how sure.

    The last value is the coverage of the claim's words by the words the figure
    measures; a different figure that measures something else is no counterpart.
    """
    if claimed.fig.kind == "comparison":
        r = _report_ratio(s)
        if r is None:
            for m in _COMPARISON.finditer(s.text):
                said = _claimed(m.group(0))
                if said:
                    r = (said[0].ratio or 0.0, m.group(0))
                    if said[0].fig.approx in ("more than", "over"):
                        r = (r[0] + 0.01, m.group(0))
        if r is None:
            return None, "none", 0.0
        fig = Figure(f"{r[1]} = {r[0]:.2f} times", r[0], "times", "comparison")
        return fig, _compare_ratio(claimed, r[0]), 1.0
    unit = claimed.fig.unit
    figs = [g for g in figures.find_figures(s.text) if g.unit not in DATE_UNITS and not figures.is_trivial(g)]
    pool = [g for g in figs if g.unit == unit and g.start not in taken]
    if not pool:
        return None, "none", 0.0
    # A sentence that refers back carries its antecedent's words (build_sentences): they describe its figures too.
    inherited = s.stems - sentence_stems(s.text)
    scored = [(coverage(claim_words, figure_words(s.text, g, figs) | inherited, rep), _compare(claimed, g), g)
              for g in pool]
    best = max(x[0] for x in scored)
    near = [x for x in scored if x[0] >= best - 0.1]
    rank = {"exact": 0, "rounded": 1, "approximate": 2}
    match = min((x for x in near if x[1] in rank), key=lambda x: rank[x[1]], default=None)
    chosen = match or max(near, key=lambda x: x[0])
    if chosen[1] == "different" and chosen[0] < SAME_MEASURE:
        return chosen[2], "none", chosen[0]  # a figure, but of something else
    return chosen[2], chosen[1], chosen[0]


def _pair_up(claimed: list[_Claimed], want: frozenset, s: Sentence, rep: Report) -> list:
    """Each claimed figure's counterpart; a report figure that one claimed figure states exactly is not another's."""
    first = [(c, *_counterpart(c, want, s, rep)[:2]) for c in claimed]
    taken = tuple(g.start for c, g, m in first if m == "exact" and g is not None and c.fig.kind != "comparison")
    return [(c, g, m) if m == "exact" else (c, *_counterpart(c, want, s, rep, taken)[:2]) for c, g, m in first]


def _evidence(s: Sentence, rep: Report) -> Evidence:
    return Evidence(chunk_id=s.chunk.id, edition=s.chunk.edition, section=s.chunk.section, quote=s.text,
                    source=s.source, pages=pages_of(s.chunk, rep))


def _twin_sentence(s: Sentence, rep: Report, twins: dict[str, list[str]]) -> Sentence | None:
    mine = set(words(s.text))
    best, best_overlap = None, 0.6
    for tid in twins.get(s.chunk.id, []):
        for t in rep.by_chunk.get(tid, []):
            theirs = set(words(t.text))
            overlap = len(mine & theirs) / max(1, len(mine | theirs))
            if overlap >= best_overlap:
                best, best_overlap = t, overlap
    return best


# Who says it is not what it is about: "according to the Confederation", "the report says".
_ATTRIBUTION = re.compile(
    r",?\s*\b(?:according to (?:the |a )?(?:new |latest )?(?:nhs )?(?:confederation|report|manifesto)"
    r"(?:'s [\w ]+?| (?:from|by) (?:the )?(?:nhs )?confederation)?|"
    r"(?:the )?(?:nhs )?confederation(?:'s report)? (?:says|said|reports|found|finds)(?: that)?|"
    r"(?:says|said|according to) the (?:report|manifesto|confederation)|the report (?:says|finds|found|states)(?: that)?)\b",
    re.I)


def _claim_words(text: str, claimed: list[_Claimed], dates: list[Figure]) -> frozenset:
    # The figures are compared on their own; the words say what the claim is about.
    text = figures.cut_out(text, [c.fig for c in claimed] + dates, " ")
    return sentence_stems(_ATTRIBUTION.sub(" ", text))


def check_claim(assistant, claim: object, cid: str | None = None) -> Verdict:
    """Whether the report supports a claim, contradicts it, or does not address it."""
    from rag.answer import QuestionError, clean_question

    t0 = time.perf_counter()
    try:
        text = clean_question(claim, assistant.settings)
    except QuestionError as exc:
        msg = str(exc).replace("the question", "the claim")
        return Verdict(id=cid, claim=str(claim)[:200], verdict="not_found", error=msg, notes=[msg])
    rep = report_for(assistant)
    passages = assistant.search(text, max(assistant.settings.k, 8))
    t1 = time.perf_counter()
    verdict = judge(text, [c for p in passages for c in [p.chunk, *p.also]], rep, assistant.index.twins, cid)
    ids = [e.chunk_id for e in verdict.evidence]
    quotes = {e.quote for e in verdict.evidence}
    verdict.notes += [n for n in notes_for(ids, discrepancies_for(rep), quotes) if n not in verdict.notes]
    verdict.timings_ms = {"retrieve": round((t1 - t0) * 1000, 2), "total": round((time.perf_counter() - t0) * 1000, 2)}
    return verdict


def judge_sentence(assistant, text: str, chunks: list[Chunk]) -> Verdict:
    """The verdict on a clean sentence (a generated answer's), with `chunks` as its retrieved passages."""
    return judge(text, chunks, report_for(assistant), assistant.index.twins)


def judge(text: str, chunks: list[Chunk], rep: Report, twins: dict[str, list[str]], cid: str | None = None) -> Verdict:
    """The verdict for a cleaned claim over the sentences of the retrieved chunks."""
    v = Verdict(id=cid, claim=text, verdict="not_found")
    claimed = _claimed(text)
    dates = date_figures(text)
    want = _claim_words(text, claimed, dates)
    # Every sentence of the report is scored: the retriever's passages get a small
    # bonus, but a claim that says "vacant" must still reach "vacancies" when the
    # retriever misses it.
    retrieved = {c.id for c in chunks}
    cands = [(coverage(want, s.stems, rep) + (RETRIEVED_BONUS if s.chunk.id in retrieved else 0.0), s)
             for s in rep.sentences]
    cands.sort(key=lambda x: -x[0])
    if not cands or cands[0][0] < MIN_COVERAGE:
        best = f" (best match covers {cands[0][0]:.0%} of its subject)" if cands else ""
        v.notes.append(f"Not found: nothing in the report speaks to this claim's subject{best}.")
        if cands:
            v.evidence.append(_evidence(cands[0][1], rep))
        return v
    # A year after publication is beyond the report, unless the report itself looks ahead to it ("in 2022/23 the
    # NHS will need ..."): a forecast it states is checked like any other figure.
    future = [d for d in dates if rep.published and int(d.value if d.unit != "date" else d.value // 10000) > rep.published
              and not any(figures.appears_in(d, s.text) for _, s in cands[:20])]
    if future:
        v.notes.append(f"Not found: the report was published in {rep.published} and cannot speak to {future[0].text}.")
        return v
    near = [s for cov, s in cands if cov >= cands[0][0] - NEAR_BEST]

    def add_evidence(s: Sentence) -> None:
        for x in (s, _twin_sentence(s, rep, twins)):
            if x is not None and not any(e.chunk_id == x.chunk.id and e.quote == x.text for e in v.evidence):
                v.evidence.append(_evidence(x, rep))

    if claimed:
        results = []  # (sentence, [(claimed, counterpart, match)])
        for s in near:
            results.append((s, _pair_up(claimed, want, s, rep)))
        matched = [(s, r) for s, r in results if r[0][2] not in ("none", "different")]
        if matched:
            s, r = matched[0]
            v.figures = [FigureMatch(c.fig.text if not c.fig.approx or c.fig.approx in c.fig.text.lower()
                                     else figures.describe(c.fig), g.text if g is not None else None,
                                     m if m != "none" else "different")
                         for c, g, m in r]
            add_evidence(s)
            missing = [c for c, g, m in r if m == "none"]
            differ = [(c, g) for c, g, m in r if m == "different"]
            if differ:
                c, g = differ[0]
                v.verdict = "contradicted"
                v.notes.append(f"Contradicted: the report gives {g.text}, not {c.fig.text}.")
                return v
            if missing:
                v.notes.append(f"Not found: the report states {r[0][1].text} but gives no figure for "
                               f"{', '.join(c.fig.text for c in missing)}.")
                return v
            stance = need_as_fact(text, s.text, [g for _, g, _ in r if g is not None])
            if stance:
                v.verdict = "contradicted"
                v.notes.append(f"Contradicted: {stance}.")
                return v
            return _finish(v, text, s, dates, near, rep, add_evidence,
                           f"{r[0][0].fig.text} matches the report's {r[0][1].text} ({r[0][2]})")
        differing = [(s, r) for s, r in results if r[0][2] == "different"]
        # A precise statement ("93,806") speaks before a hedged restatement ("more than 93,000").
        differing.sort(key=lambda x: x[1][0][1].approx is not None)
        if differing:
            s, r = differing[0]
            c, g, _ = r[0]
            v.verdict = "contradicted"
            v.figures = [FigureMatch(figures.describe(c.fig), g.text, "different")]
            add_evidence(s)
            for s2, r2 in differing[1:]:
                g2 = r2[0][1]
                if all(f.report != g2.text for f in v.figures) and len(v.figures) < 3:
                    v.figures.append(FigureMatch(figures.describe(c.fig), g2.text, "different"))
                    add_evidence(s2)
            elsewhere = _stated_elsewhere(c, rep, exclude=s)
            note = f"Contradicted: on this subject the report gives {g.text}, not {c.fig.text}"
            if elsewhere is not None:
                note += f"; {c.fig.text} is the report's figure for something else (“{elsewhere.text[:120]}”)"
                v.evidence.append(_evidence(elsewhere, rep))
            v.notes.append(note + ".")
            return v
        v.notes.append(f"Not found: the report gives no figure for {claimed[0].fig.text} on this subject.")
        add_evidence(near[0])
        return v
    if _GOT.search(text) and not _NEED.search(text) and _NEED.search(near[0].text) and not _GOT.search(near[0].text):
        # "The government has committed to a funded workforce plan" where the report calls for one.
        add_evidence(near[0])
        v.verdict = "contradicted"
        v.notes.append("Contradicted: the report asks for this or says it is needed; it does not say it was given "
                       "or decided.")
        return v
    return _finish(v, text, near[0], dates, near, rep, add_evidence, "the report states this")


def _finish(v: Verdict, text: str, s: Sentence, dates: list[Figure], near: list[Sentence], rep: Report,
            add_evidence, why: str) -> Verdict:
    """Polarity and dates decide between supported and contradicted once the subject is found."""
    add_evidence(s)
    clash = polarity_clash(text, s.text)
    if clash:
        v.verdict = "contradicted"
        v.notes.append(f"Contradicted: {clash}.")
        return v
    if dates:
        if not date_figures(s.context):
            # The best sentence gives no date: the nearest one on the subject that does decides.
            dated = next((x for x in near if date_figures(x.context)), None)
            if dated is not None:
                s = dated
                add_evidence(s)
        mine = set(words(s.text))
        twins = [s] + [x for x in near if x.chunk.edition != s.chunk.edition
                       and len(mine & set(words(x.text))) / max(1, len(mine | set(words(x.text)))) >= 0.6]
        stated = [d for x in twins for d in date_figures(x.context)]
        for d in dates:
            if stated and not figures.appears_in(d, stated):
                v.verdict = "contradicted"
                v.figures.append(FigureMatch(d.text, ", ".join(sorted({x.text for x in stated})), "different"))
                v.notes.append(f"Contradicted: the report dates this {', '.join(sorted({x.text for x in stated}))}, "
                               f"not {d.text}.")
                return v
    v.verdict = "supported"
    v.notes.append(f"Supported: {why}.")
    return v


def _stated_elsewhere(c: _Claimed, rep: Report, exclude: Sentence) -> Sentence | None:
    if c.fig.kind in ("comparison", "quantifier"):
        return None
    for s in rep.sentences:
        if s.text != exclude.text and any(figures.compare(c.fig, g) == "exact" for g in value_figures(s.text)):
            return s
    return None


def render_verdict(v: Verdict) -> str:
    if v.error:
        return f"error: {v.error}"
    lines = [f"{v.verdict.upper().replace('_', ' ')}: {v.claim}"]
    for f in v.figures:
        lines.append(f"  figure: claim {f.claim} / report {f.report or '—'} ({f.match})")
    for n in v.notes:
        lines.append(f"  note: {n}")
    for e in v.evidence:
        pages = f", pp. {e.pages}" if e.pages else ""
        lines.append(f"  [{e.edition}] {e.section}{pages} ({e.chunk_id})")
        lines.append(f"    “{e.quote}”")
        if e.source:
            lines.append(f"    source: {describe_source(e.source)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Accuracy on gold claims (`rag check --accuracy evals/claims.jsonl`)

VERDICTS = ("supported", "contradicted", "not_found")


def claim_accuracy(assistant, path: str) -> dict:
    """Accuracy and confusion matrix (expected -> got) on a gold claims file, overall and per split.

    The dev split is the even-numbered ids, the one the thresholds above were chosen on.
    """
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    results = []
    for r in rows:
        v = assistant.check(r["claim"], r["id"])
        n = int(re.sub(r"\D", "", r["id"]) or 0)
        results.append({"id": r["id"], "split": "dev" if n % 2 == 0 else "test", "expected": r["expected_verdict"],
                        "got": v.verdict, "note": v.notes[0] if v.notes else ""})
    report = {}
    for split in ("all", "dev", "test"):
        sel = [x for x in results if split == "all" or x["split"] == split]
        matrix = {e: {g: sum(x["expected"] == e and x["got"] == g for x in sel) for g in VERDICTS} for e in VERDICTS}
        correct = sum(x["expected"] == x["got"] for x in sel)
        report[split] = {"n": len(sel), "correct": correct, "accuracy": round(correct / max(1, len(sel)), 3),
                         "confusion": matrix}
    report["wrong"] = [x for x in results if x["expected"] != x["got"]]
    return report

