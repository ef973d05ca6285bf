"""Finding and normalising figures."""

from __future__ import annotations

import pytest

from rag import figures
from rag.figures import find_figures


def one(text: str):
    found = [f for f in find_figures(text) if not figures.is_trivial(f)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "a, b",
    [
        ("82 per cent", "82%"),
        ("93,806", "93806"),
        ("£10 billion", "£10bn"),
        ("seven in ten", "70%"),
        ("7 in 10", "70 per cent"),
        ("£500 million", "£0.5 billion"),
        ("5.6 million", "5,600,000"),
    ],
)
def test_equivalent_forms_are_the_same_figure(a, b):
    assert figures.same(one(a), one(b))


@pytest.mark.parametrize("a, b", [("82%", "83%"), ("£10 billion", "£10 million"), ("82%", "82"), ("93,806", "93,000")])
def test_different_figures_differ(a, b):
    assert not figures.same(one(a), one(b))


def test_range_and_hedges():
    r = one("the £6.5-7 billion that it will get")
    assert (r.kind, r.value, r.high, r.unit) == ("range", 6.5e9, 7e9, "GBP")
    b = one("between £4 and £5 billion")
    assert (b.value, b.high) == (4e9, 5e9)
    assert one("more than 93,000 vacancies").approx == "more than"
    assert one("around 34 per cent").approx == "around"


def test_rates_fractions_dates():
    rate = one("3.1 deaths per 100,000 population")
    assert (rate.value, rate.unit) == (3.1, "per 100,000")
    assert one("two thirds of leaders").value == pytest.approx(66.67, abs=0.01)
    assert one("a quarter of them").value == 25.0
    assert one("half of respondents").value == 50.0
    apr = one("by April 2022")
    assert apr.unit == "date" and figures.appears_in(apr, "statutory organisations by April 2022.")
    assert not figures.appears_in(apr, "from April 2021")
    assert one("up to 2023/24").unit == "financial year"


def test_appears_in_normalises():
    text = "more than four in five (82 per cent) respondents did not feel confident"
    assert figures.appears_in(one("82%"), text)
    assert figures.appears_in(one("80%"), text)  # "four in five"
    assert not figures.appears_in(one("83%"), text)


def test_citation_markers_are_not_figures():
    text = figures.strip_citation_markers("Vacancies stood at 93,806 [1] and [2, 3].")
    assert [f.text for f in find_figures(text)] == ["93,806"]


def test_compare_rounding_and_hedges():
    report = one("93,806")
    assert figures.compare(one("more than 93,000"), report) == "rounded"
    assert figures.compare(one("over 100,000"), report) == "different"
    assert figures.compare(one("nine in ten"), one("91%")) == "approximate"
    assert figures.compare(one("around a third"), one("34 per cent")) == "approximate"
    assert figures.compare(one("£7 billion"), one("£6.5-7 billion")) == "approximate"
    assert figures.compare(one("82%"), one("82 per cent")) == "exact"
