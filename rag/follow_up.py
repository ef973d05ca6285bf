"""Follow-up questions: up to three, on the sections next to the ones an answer cites, each one the report answers.

A follow-up is worded from its section's heading ("What do NHS leaders need?" under the workforce chapter becomes
"What do NHS leaders need on action on staff shortages…?") and kept only when asking it gives an answer, not a
decline, whose first citation is that section. Each section's question is found once and cached.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from rag.schema import Answer

SEP = " › "
LIMIT = 3
# Sections that hold no content a member would follow up on.
SKIP = {"Front matter", "About", "Back matter"}


def _lower_first(title: str) -> str:
    """'A lighter, leaner regulatory culture' → 'a lighter, …'; 'NHS reforms' keeps its capitals."""
    first = title.split(" ", 1)[0]
    return title if len(first) > 1 and first.isupper() else title[:1].lower() + title[1:]


def question_forms(section: str) -> list[str]:
    """Ways to ask for a section's content, the most natural first."""
    parts = section.split(SEP)
    if len(parts) == 1:
        return [f"Summarise the {section} section", f"What does the {section} section of the report say?"]
    chapter, head = parts[0], parts[-1]
    topic = _lower_first(chapter)
    if chapter == "Survey findings":
        return [f"What did the survey find on {_lower_first(head)}?",
                f"What did the survey find about {_lower_first(head)}?",
                f"What do the survey findings say on {_lower_first(head)}?"]
    if chapter == "Ten-point plan":
        name = head.partition(". ")[2]
        name = f'"{name}"' if "'" in name else f"'{name}'"
        return [f"What does {name} in the ten-point plan involve?", f"Explain the {name} point",
                f"What does the report propose under {name}?"]
    if head == "What do NHS leaders need?":
        return [f"What do NHS leaders need on {topic}?", f"In the chapter '{chapter}', what do NHS leaders need?"]
    if head == "What have NHS leaders told us?":
        return [f"What have NHS leaders said about {topic}?",
                f"In the chapter '{chapter}', what have NHS leaders told us?"]
    if head == "The challenge":
        return [f"What is the challenge for {topic}?", f"In the chapter '{chapter}', what is the challenge?",
                f"Summarise the {section} section"]
    if head.startswith("Case study: "):
        return [f"What does the case study '{head.removeprefix('Case study: ')}' describe?"]
    return [f"Summarise the {section} section"]


def neighbours(order: list[str], cited: list[str]) -> list[str]:
    """Sections next to the cited ones, nearest first: the same chapter's other sections (reading on, then back),
    then the sections after it in the report. Cited and skipped sections are left out."""
    out: list[str] = []

    def add(section: str) -> None:
        if section not in out and section not in cited and section not in SKIP:
            out.append(section)

    for section in dict.fromkeys(cited):
        if section not in order:
            continue
        i = order.index(section)
        chapter = section.split(SEP)[0]
        same = [s for s in order if s.split(SEP)[0] == chapter and SEP in s]
        if SEP in section:
            j = same.index(section)
            for s in same[j + 1:] + same[:j]:
                add(s)
        for s in order[i + 1:i + 3]:
            add(s)
    return out


def _about(answer: Answer, section: str) -> bool:
    """An answer, not a decline, that cites `section` more than (or as much as) any other."""
    if answer.abstained or answer.error or not answer.citations:
        return False
    counts = Counter(c.section for c in answer.citations)
    return counts[section] > 0 and counts[section] == max(counts.values())


class FollowUps:
    """Finds and caches, per section, a question the report answers from that section."""

    def __init__(self, ask: Callable[[str], Answer], sections: list[str]):
        self._ask = ask
        self.order = list(dict.fromkeys(sections))
        self._cache: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def question_for(self, section: str) -> str | None:
        with self._lock:
            if section in self._cache:
                return self._cache[section]
        found = None
        for question in question_forms(section):
            answer = self._ask(question)
            if _about(answer, section):
                found = question
                break
        with self._lock:
            self._cache[section] = found
        return found

    def for_answer(self, answer: Answer, limit: int = LIMIT) -> list[str]:
        """Up to `limit` follow-ups for an answer (for a decline, around the passages it points to)."""
        if answer.error:
            return []
        cited = [c.section for c in (answer.see_also if answer.abstained else answer.citations)]
        asked = answer.question.strip().lower()
        out: list[str] = []
        for section in neighbours(self.order, cited):
            question = self.question_for(section)
            if question and question.lower() != asked and question not in out:
                out.append(question)
            if len(out) == limit:
                break
        return out
