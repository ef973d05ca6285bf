"""Question analysis: kind, focus, unit and qualifiers (no models)."""

from __future__ import annotations

import pytest

from rag.answer.names import asks_for_person, named_subjects, names_in
from rag.answer.question import analyse, asked_topic, point_numbers
from rag.answer.wording import normalise_question
from rag.text import stem


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What are the ten points in the plan?", "list"),
        ("Which areas of support did leaders say would help reduce health inequalities?", "list"),
        ("List the report's asks on regulation.", "list"),
        ("What practical steps are local NHS organisations taking on health inequalities?", "list"),
        ("Summarise the report in a few sentences", "summary"),
        ("Give me the gist of the workforce chapter", "summary"),
        ("Who published this report, and when?", "document"),
        ("When was the report published?", "document"),
        ("Who wrote this report?", "document"),
        ("How many NHS staff vacancies were there?", "figure"),
        ("How many people are on the waiting list according to the headline summary?", "figure"),
        ("In the PDF edition, which month do the 93,806 vacancies refer to?", "figure"),
        ("How does the funding the NHS says it needs next year compare with what the government will give?", "comparison"),
        ("What does the report say about social care funding?", "narrative"),
        ("Why do leaders want a lighter regulatory culture?", "narrative"),
        # Contractions, a date for "when", a preposition before "which", breakdowns and places for plural things.
        ("What's the name of this report?", "document"),
        ("On what date did the manifesto come out?", "document"),
        ("For which services do leaders expect demand to climb?", "list"),
        ("Can you break down the extra funding requirement?", "list"),
        ("Where are the new diagnostic hubs meant to go?", "list"),
        ("What are the panel's concerns about the bill?", "list"),
        ("What help do trusts say they need with capital?", "list"),
        ("Where is the NHS Confederation based?", "narrative"),
        ("What is the report about?", "summary"),
        ("Give me the headline messages of the manifesto in a few bullets", "summary"),
        ("What is the size of the mental health funding gap?", "figure"),
        ("Confident versus not confident: what are the two percentages?", "comparison"),
        ("On funding, what share were confident, what share were not?", "comparison"),
        ("What is the report calling on ministers to do about social care?", "narrative"),
        # A preamble before the question, "sum up", "what %" and a figure for each item of a list.
        ("I'm a trust chair - what are leaders asking government for on staffing?", "list"),
        ("In the conclusion, what are the things leaders want fixed?", "list"),
        ("When asked what would help, which options did leaders choose?", "list"),
        ("Sum up the regulation chapter.", "summary"),
        ("What's the short version of the workforce chapter?", "summary"),
        ("What % of leaders agree, and what % disagree?", "comparison"),
        ("Which worries more leaders: vacancies, or burnout? Give both percentages.", "comparison"),
        ("Which services expect the biggest rises, and what share predicted one for each?", "list"),
        # A chapter's conclusion is summarised; a conclusion on one subject is a narrative.
        ("What's the overall conclusion of the manifesto?", "summary"),
        ("What is the main conclusion of the workforce chapter?", "summary"),
        ("What's the conclusion on regulation?", "narrative"),
        # A topic's findings asked in a few words, with no question word, are that topic's list of findings.
        ("workforce findings from the survey pls", "list"),
        ("survey results on funding", "list"),
        ("In the headline survey results, is it 82 or 83 per cent?", "figure"),
        # "by when" asks for a date only as a question of its own, not in "broken down by when looking at ...".
        ("Which characteristics are leaders breaking their data down by when looking at inequalities?", "list"),
        ("By when must integrated care systems be statutory?", "figure"),
        ("ICSs become statutory bodies by when?", "figure"),
        # The Confederation's address is a question about the document; "address" the verb is not.
        ("What's the Confed's address and phone number?", "document"),
        ("How do I contact the NHS Confederation?", "document"),
        ("What's the subtitle of the report?", "document"),
        ("How can local systems address health inequalities?", "narrative"),
        # Things asked for with their figures are a list; one figure is not.
        ("Which services did most leaders expect a jump in demand for? give me the percentages", "list"),
        ("which services do leaders expect the steepest jumps in demand for? percentages please", "list"),
        ("Which service did most leaders expect a jump in demand for? what percentage?", "figure"),
        # How the report was made is a question about the document; what a survey found is not.
        ("What is the report based on?", "document"),
        ("How did the Confed collect leaders' opinions for this report?", "document"),
        ("Was the July 2021 panel survey carried out online or by phone?", "narrative"),
        ("How did trusts collect data by ethnicity?", "narrative"),
        ("Why are the survey results on funding so gloomy?", "narrative"),
        # "In the summary of survey results" names a place in the report; a summary asked for is still one.
        ("What did the panel say about staffing in the summary of survey results? Give me all the percentages.", "list"),
        ("Give me a summary of the survey results", "summary"),
        ("Give me all the bullet points from the summary at the top of the report.", "summary"),
        # Asks put as what someone is asked to do; a run-through of issues; headings wanted.
        ("What is the Confed asking govt and NHSE/I to do to speed up integrated care?", "list"),
        ("workforce chapter - what is it asking ministers to deliver?", "list"),
        ("What's on the wish list in the mental health chapter?", "list"),
        ("How do leaders rate their ICS's relationships? numbers please", "list"),
        ("What share of leaders feel supported by national bodies? percentage please", "figure"),
        ("all the things leaders say they need on regulation", "list"),
        ("Can you run me through the big issues flagged in the report's key points?", "list"),
        ("What would help most with the backlog? Just the headings is fine", "list"),
        ("How does the extra money the NHS is getting stack up against what the Confed says is needed?", "comparison"),
        ("What did the survey find on the white paper reforms and on regulation?", "list"),
    ],
)
def test_kind(question, kind):
    assert analyse(question).kind == kind


def test_focus_drops_the_asking_words_and_keeps_the_subject():
    plan = analyse("How many NHS staff vacancies were there?")
    assert stem("vacancy") in plan.terms and stem("staff") in plan.terms
    assert "how" not in plan.focus.lower().split()
    assert plan.unit == "count"


def test_units():
    assert analyse("What share of leaders are not confident about waiting times?").unit == "%"
    assert analyse("How much extra funding does the NHS need next year?").unit == "GBP"
    assert analyse("When did the government announce the £5.4 billion?").unit == "date"
    # "When ... asked ..., what % ...": an aside first, then the question.
    assert analyse("When leaders were asked what would help, what % picked more funding?").unit == "%"
    # A year asked for about money is a year.
    assert analyse("Capital funding was promised in which financial year?").unit == "date"
    assert analyse("How much funding came, and in which month?").unit == "GBP"
    # "How many months": a length of time in months, not a count.
    assert analyse("For how many months had staff been under pressure?").unit == "month"


def test_qualifiers_of_time_group_and_edition():
    plan = analyse("What share of mental health leaders in the PDF edition expected demand to rise at the end of 2020?")
    kinds = {(q.kind, q.text) for q in plan.qualifiers}
    assert ("edition", "pdf") in kinds
    assert ("group", "mental health leaders") in kinds
    assert any(k == "time" and "2020" in t for k, t in kinds)


def test_comparison_has_two_sides():
    plan = analyse("Compare the share predicting more demand for children's mental health services with community mental health services")
    assert plan.kind == "comparison" and len(plan.sides) == 2


def test_summary_names_its_chapter():
    assert analyse("Summarise the chapter on workforce").chapter == "workforce"
    assert analyse("Summarise the report in a few sentences").chapter is None


@pytest.mark.parametrize(
    "question",
    [
        "How many trusts were confident and how many were not?",
        "Which do more leaders worry about: staff shortages or funding?",
    ],
)
def test_two_figures_asked_at_once_are_a_comparison(question):
    assert analyse(question).kind == "comparison"


def test_a_choice_between_two_names_both_sides():
    assert analyse("Which do more leaders worry about: staff shortages or funding?").sides == ["staff shortages", "funding"]
    assert analyse("Compare the share lacking the staff to ensure wellbeing with the share worried about burnout").sides == [
        "share lacking the staff to ensure wellbeing", "the share worried about burnout"]


def test_a_length_of_time_is_a_qualifier():
    plan = analyse("How many people had been waiting more than 18 months for surgery?")
    assert [(q.kind, q.text) for q in plan.qualifiers] == [("duration", "more than 18 months")]


def test_named_subjects_leave_out_the_report_and_its_background():

    assert named_subjects("How much funding did the Peterborough Mental Health Exemplar pilot receive?") == [
        "Peterborough Mental Health Exemplar"]
    assert named_subjects("In the PDF edition, how many NHS Confederation members were there in July 2021?") == []
    assert names_in("ONS", "figures from the Office for National Statistics (2020)")
    assert names_in("Test Trace", "the bill for NHS Test and Trace")
    assert not names_in("Peterborough", "the £500 million made available to mental health services")
    # In Title Case or capitals every word is capitalised, and none of them is taken for a name.
    assert named_subjects("How Many Staff Vacancies Were There In June 2021?") == []
    assert named_subjects("HOW MANY NHS STAFF VACANCIES WERE THERE?") == []
    # "general practice" is read as the survey's "general practice (GP)", but the user named no GP.
    assert named_subjects("What rise in demand are PCNs reporting in general practice?") == ["PCNs"]
    # The Secretary of State, by any of its titles, is an office the report speaks of throughout.
    assert named_subjects("What do leaders think of the Health Secretary's new powers?") == []
    assert named_subjects("Is the Secretary of State for Health and Social Care's workforce duty enough?") == []


def test_an_acronym_is_named_by_its_words_even_in_lower_case():
    assert names_in("FTE", "total full-time equivalent staff vacancies stood at 93,806")
    assert not names_in("FTE", "total staff vacancies stood at 93,806")
    # An acronym's word that is an acronym itself keeps its letters: NHSE is NHS England.
    assert names_in("NHSE", "supported by national bodies, including NHS England and NHS Improvement")
    assert not names_in("NHSE", "supported by national bodies")


def test_who_asks_is_not_what_is_asked_about():

    plan = analyse("I'm an ICS lead - what are leaders asking for on health inequalities?")
    assert plan.kind == "list" and "ic" not in plan.terms
    assert named_subjects("As a GP partner, how many vacancies were there?") == []


def test_a_group_of_respondents_is_a_qualifier():
    plan = analyse("What share of primary care network clinical directors say understaffing is a risk?")
    assert ("group", "primary care network clinical directors") in {(q.kind, q.text) for q in plan.qualifiers}


def test_a_range_of_years_is_a_length_in_years():
    from rag.answer.features import states_length

    assert states_length("Clearing the backlog alone will take five-to-seven, not two-to-three, years.", "year")
    assert not states_length("Clearing the backlog alone will take five-to-seven, not two-to-three, years.", "month")


def test_how_much_of_a_sum_names_what_it_is_for():
    assert analyse("How much of the £3 billion was set aside for GP practices?").counted == "GP practices"
    assert analyse("How much does the King's Fund estimate a new hospital will cost?").counted == "a new hospital"
    assert analyse("How much extra funding does the NHS need next year?").counted is None


def test_what_a_part_or_a_cost_is_of_must_be_named():
    assert analyse("How many of those vacancies were in mental health trusts?").counted == "in mental health trusts"
    assert analyse("What has the vaccine programme cost so far?").counted == "the vaccine programme"


def test_people_counted_by_what_they_did():
    assert analyse("How many patients phoned the 111 line?").counted == "patients phoned the 111 line"


def test_a_question_for_a_person_is_told_from_one_for_a_group():
    assert asks_for_person("Who chairs the Health Leaders Panel?")
    assert asks_for_person("Who's the chief executive of the Confederation?")
    assert asks_for_person("Which minister is responsible for the bill?")
    assert not asks_for_person("Who has the Confederation been convening since 2020?")
    assert not asks_for_person("Who are the members of the panel?")


def test_an_aside_with_a_given_figure_does_not_make_a_list_question_a_figure_one():
    assert analyse("Apart from the 93,806 vacancies, which other workforce problems does the report name?").kind == "list"


def test_abbreviations_frequencies_and_what_a_number_is_for():
    assert "confeder" in analyse("What does the Confed want from ministers?").terms  # the Confederation
    assert analyse("How often did the citizens' panel meet?").unit == "frequency"
    assert analyse("The report says 93,806 overall - what's the number for nursing vacancies specifically?").counted == (
        "nursing vacancies")
    assert analyse("How much of the £5.4bn is ring-fenced for elective recovery?").counted == "elective recovery"
    # "Members of the public" are not the panel's members, whose counts are survey shares.
    assert analyse("How many members of the public sat on the citizens' panel?").unit == "count"


def test_the_nhs_is_not_a_plural_thing_to_list():
    assert analyse("Despite the fears, what did the NHS manage to achieve?").kind == "narrative"


def test_a_second_ask_that_names_nothing_is_still_a_side():
    assert analyse("What share of members were confident, and what share were not?").sides == [
        "share of members were confident", "what share were not"]


def test_a_named_role_is_a_person():
    assert asks_for_person("Who is the 'health inclusion champion GP' the report mentions?")
    assert asks_for_person("Who is the clinical lead of the pilot?")


def test_more_ways_of_asking_for_a_whole_list():
    assert analyse("What's on the list of key points?").kind == "list"
    assert analyse("What is the workforce chapter's to-do list for ministers?").kind == "list"
    assert analyse("Which of the backlog chapter's asks are about money?").kind == "list"


def test_how_many_leaders_make_up_a_panel_is_a_count_and_funding_for_a_thing_names_it():
    assert analyse("How many leaders make up the panel?").unit == "count"
    assert analyse("How many leaders say staff will leave?").unit == "%"
    assert analyse("How much funding is there for discharge to assess in 2022/23?").counted == "discharge to assess"


def test_a_share_is_not_a_count():
    from rag.answer.features import states_count

    for text in ("Four in five of our leaders panel (80 per cent) disagreed.", "More than three-quarters (77 per cent) agreed.",
                 "Not a single member was very confident of the goals up to 2023/24."):
        assert not states_count(text, "How many leaders make up the panel?"), text
    assert states_count("It comprises 100 leaders from across the whole healthcare system", "How many leaders make up the panel?")


def test_a_sum_of_money_is_not_a_count():
    from rag.answer.features import states_count

    assert not states_count("It included just under £500 million for discharge to assess.")
    assert states_count("There were 5.6 million people waiting.") and states_count("over a million people")


def test_verbs_ending_in_s_are_not_plurals_and_a_figure_asked_by_its_owner():
    assert analyse("What happens to the funding deal if covid does not die down?").kind == "narrative"
    assert analyse("The Health Foundation recommended more. What was their figure?").kind == "figure"
    assert analyse("What were the innovations it lists?").kind == "list"
    assert analyse("What is the takeaway from the conclusion?").kind == "summary"


def test_the_surveys_date_is_not_the_figures_and_terse_shares_ask_for_a_figure():
    plan = analyse("What share of leaders surveyed in summer 2021 said demand was back at pre-COVID levels?")
    assert not [q for q in plan.qualifiers if q.kind == "time" and "2021" in q.text], plan.qualifiers
    assert not [q for q in analyse("How many answered the July 2021 Health Leaders Panel survey?").qualifiers
                if q.kind == "time"]
    # A figure's own period stays a qualifier.
    assert ("time", "in July 2021") in {(q.kind, q.text) for q in analyse("How many were waiting in July 2021?").qualifiers}
    assert analyse("Share of panel members confident they can meet the goals?").kind == "figure"
    assert analyse("What was the response rate to the survey?").kind == "figure"


def test_a_list_asked_in_a_later_question_and_chapters_by_their_topic():
    from rag.answer.question import point_numbers, topic_aliases
    from rag.text import stem

    assert analyse("How did North East London raise uptake? What approaches did they use?").kind == "list"
    assert analyse("How did North East London raise uptake?").kind == "narrative"
    assert topic_aliases("the money chapter") == [stem("financial")]
    assert topic_aliases("on workforce and waiting lists") == [stem("staff"), stem("backlog")]
    assert topic_aliases("the chapter on health inequalities") == []
    assert point_numbers("the first point of the plan") == {"1"} and point_numbers("point 7") == {"7"}


def test_a_number_to_dial_is_no_count():
    from rag.answer.features import states_count

    text = "Patients can call 111 and press option 3 for specialist advice."
    assert not states_count(text, "How many calls has the line handled?", {"call"})
    assert states_count("The line took 400 calls in its first month.", "How many calls has the line handled?", {"call"})


def test_claims_rates_compared_budgets_and_shares_among_leaders():
    # A yes-or-no question giving a figure checks it; a year is not the figure checked.
    assert analyse("Fact check: were there 98,306 NHS vacancies in June 2021?").kind == "figure"
    assert analyse("Did leaders expect demand to rise in 2022?").kind == "narrative"
    plan = analyse("covid death rate poorest vs richest areas")
    assert plan.kind == "comparison" and "depriv" in plan.terms, plan
    assert analyse("How many full-time equivalent nursing vacancies were there?").counted == "full-time equivalent nursing vacancies"
    assert analyse("How many back the plan?").counted is None
    assert analyse("Among the leaders surveyed, how many support the white paper?").unit == "%"
    plan = analyse("What was the budget for the pilot?")
    assert plan.kind == "figure" and plan.unit == "GBP", plan
    assert ("group", "cancer services") in {(q.kind, q.text) for q in analyse("What share expect more demand for cancer services?").qualifiers}
    assert analyse("Is this report part of a series?").kind == "document"
    assert analyse("Overall, what did the panel tell the Confederation?").kind == "summary"


def test_names_shortened_possessive_or_with_small_words():
    from rag.answer.wording import normalise_question

    assert "West Yorkshire" in normalise_question("the West Yorks panel")
    assert "North East London ICS" in normalise_question("What did the NE London ICS do?")
    assert "the Secretary of State powers" in normalise_question("what about the SoS powers in the bill?")
    assert "the Secretary of State's powers" in normalise_question("the Health Secretary's powers")
    assert normalise_question("What topics came up?") == "What topics or themes came up?"
    assert normalise_question("what were the upsides?") == "what were the upsides (beneficial)?"
    assert normalise_question("How much came with the H2 budget?") == "How much came with the second half of the year budget?"
    assert "NE" in normalise_question("NE of the report")  # not before a place
    assert not names_in("York", "West Yorkshire and Harrogate Health and Care Partnership")
    assert names_in("Secretary of State", "powers for the Secretary of State for Health and Social Care")
    assert not names_in("Secretary of State", "the secretary of the board")
    assert not names_in("The", "anything at all")
    assert asks_for_person("who is the Confed's chief exec")
    # A date or "COVID-19" in a yes-or-no question is no figure to check.
    assert analyse("Is Covid-19 still a pressure on the NHS?").kind == "narrative"
    assert analyse("Were things better in 2021/22?").kind == "narrative"
    assert analyse("What series of steps did North East London take?").kind != "document"
    assert analyse("Overall, what does the report say about the Option 3 line?").kind != "summary"


def test_items_the_question_counts_are_a_list_unless_it_asks_for_a_summary_or_figures():
    assert analyse("what are the six main themes of the report").kind == "list"
    assert analyse("What are the two figures for vacancies?").kind != "list"
    assert analyse("What are the ten things leaders ask for? Short summary please").kind == "summary"


def test_how_big_a_group_or_list_is_a_count_and_whats_is_what_is():
    assert analyse("how big is the Health Leaders Panel?").unit == "count"
    assert analyse("How big was the rise in demand?").unit != "count"
    plan = analyse("Whats the size of the waiting list the report quotes?")
    assert plan.kind == "figure" and plan.unit == "count", plan


def test_what_rate_did_asks_for_a_figure():
    assert analyse("What vaccination uptake rate did the ICS reach?").kind == "figure"
    assert analyse("What did the ICS do to raise its vaccination uptake rate?").kind != "figure"


def test_asks_as_a_noun_are_a_list_and_the_topic_asked_about():
    assert analyse("staff asks?").kind == "list"
    assert analyse("only the asks about money in the backlog section pls").kind == "list"
    assert analyse("Why does the report ask for a workforce plan?").kind != "list"
    assert asked_topic("What does the report say about dementia care?") == ["dementia", "care"]
    assert asked_topic("Summarise what it says about the cancer backlog, in a couple of sentences") == ["cancer", "backlog"]
    assert asked_topic("How many staff left?") == []


def test_a_person_asked_for_by_role_or_by_name():
    assert asks_for_person("Which Chancellor did the Confederation write to, by name?")
    assert asks_for_person("What's the name of the health inclusion champion GP?")
    assert not asks_for_person("Which GP practices are mentioned?")
    assert not asks_for_person("Which leaders said this?")


def test_how_many_in_ten_is_a_share_and_twelve_months_is_a_year():
    assert analyse("how many in ten leaders want inequalities to count in reviews?").unit == "%"
    assert "next year" in normalise_question("Who will quit over the next 12 months?")


def test_a_figure_question_asking_two_things_is_two_asks():
    from rag.answer.question import figure_asks

    first, second = figure_asks("How often did the citizens' panel meet and over what months?")
    assert analyse(first).unit == "frequency" and analyse(second).unit == "date", (first, second)
    assert "citizens' panel" in second
    assert figure_asks("Of the £3.5-4.5 billion a year, how much is for cancer?") == ["Of the £3.5-4.5 billion a year, how much is for cancer?"]


def test_review_fixes_everyday_topics_verbs_and_plural_acronyms_and_person_and_asks_guards():
    assert asked_topic("What does the report say about money?") == []
    assert asked_topic("What does the report say on fixing the backlog?") == ["backlog"]
    assert asked_topic("What do leaders say on average about pressure?") == ["pressure"]
    assert not asks_for_person("Which trusts or ICSs are mentioned by name?")
    assert not asks_for_person("What is the name of the new body that will lead on workforce planning?")
    assert analyse("Is the report realistic in what it asks?").kind != "list"
    assert analyse("Who asks?").kind != "list"
    assert analyse("How many in ten years' time will have retired?").unit != "%"


def test_a_sentence_about_the_asker_is_a_preamble():
    assert analyse("I work in public health at a council. When local systems were asked what help they need to reduce "
                   "health inequalities, which options came out and in what order?").kind == "list"
    q = ("As a trust CEO I want to know where leaders expect the sharpest rises in demand. Which service areas did they "
         "pick out, with the percentages?")
    assert analyse(q).kind == "list" and named_subjects(q) == []
    # A sentence about the report is not about the asker: it says what the question is about, and the question
    # after it ("What were the actual changes ...?") asks for a list.
    plan = analyse("The report reckons innovation was a defining feature of the NHS's pandemic. What were the actual "
                   "changes it points to?")
    assert plan.kind == "list" and "innov" in plan.terms, plan


def test_more_ways_of_asking_for_a_list():
    assert analyse("What should the government do about regulation, according to NHS leaders?").kind == "list"
    assert analyse("journalist here - what did the leaders panel say about demand for care? all the findings pls").kind == "list"
    assert analyse("what are NHS orgs doing on inequalities? the leaders mention a few things").kind == "list"


def test_more_ways_of_asking_about_a_topic():
    assert asked_topic("Does the report mention pension tax rules?") == ["pension", "tax", "rules"]
    assert asked_topic("is NHS dentistry covered anywhere in this report?") == ["dentistry"]
    assert asked_topic("Where does the Confed stand on mandatory vaccination?") == ["mandatory", "vaccination"]
    assert asked_topic("What role does the manifesto see for community pharmacies?") == ["community", "pharmacies"]
    assert asked_topic("Is it covered anywhere?") == []


def test_what_changed_and_what_is_costed_are_counted():
    assert "adults" in analyse("How much did urgent eating disorder referrals for adults go up during the pandemic?").counted
    assert "capital funding" in analyse("What figure does the report put on the capital funding the NHS needs next year?").counted


def test_document_questions_naming_the_report_by_title_or_asking_for_an_edition():
    assert analyse("When was the NHS Confed manifesto for recovery published? need the exact date").kind == "document"
    assert analyse("Is there a PDF version of this or is it only on the website?").kind == "document"
    assert analyse("what do they mean when they say the legislation is 'playing catch up'?").kind == "narrative"


def test_more_figure_asks_and_what_they_count():
    assert analyse("What's the exact full-time equivalent vacancy figure the report cites?").kind == "figure"
    assert analyse("Spending Round 2020 - what was the additional funding announced then?").kind == "figure"
    plan = analyse("What was the increase in adults accessing urgent support for eating disorders during 2020?")
    assert plan.kind == "figure" and plan.counted.startswith("adults accessing")
    assert analyse("Why does it need £10bn more - what are the components of that estimate?").kind != "figure"
    # The figure a claim gives says which kind of figure "what figure does it give?" asks for.
    assert analyse("Our draft says the waiting list hit 5.8 million. What figure does the report give?").unit == "count"
    assert asks_for_person("Which NHS Confederation chief executive is quoted in the report?")


def test_when_asks_for_a_date_only_where_a_question_starts():
    assert analyse("journalist here - when did the survey run?").kind == "figure"
    assert analyse("so when did it run").kind == "figure"
    assert analyse("What was lost when so much NHS work moved online during the pandemic?").kind != "figure"
    assert analyse("On top of the £10bn, what other costs does the report say still have to be met?").kind == "list"


def test_review_of_the_ninth_pass_rules_reaching_too_far():
    assert analyse("When was the government's guidance on discharge issued?").kind != "document"
    assert analyse("When was it published?").kind == "document"
    assert analyse("I'd like to know when the panel survey was carried out").kind == "figure"
    assert analyse("What is the funding model for social care?").kind != "figure"
    assert analyse("Do all the survey findings come from the same panel?").kind != "list"
    assert analyse("Is there a difference between the PDF version and the web version on vacancies?").kind != "document"


def test_a_claim_is_found_anywhere_and_about_a_figure_is_no_topic():
    from rag.answer.figure_question import CHECKS_A_FIGURE

    for q in ("Members employ around 1.3 million staff - can you confirm the number?",
              "We have 300,000 people waiting over a year - does the manifesto agree?",
              "Our draft says 90% of leaders. Is that the manifesto's number?",
              "Quick fact check: did eating disorder referrals go up by 113% or 13%?"):
        assert CHECKS_A_FIGURE.search(q), q
    assert not CHECKS_A_FIGURE.search("How many people were waiting over a year?")
    assert asked_topic("Our draft says about three quarters of leaders doubt it") == []
    assert asked_topic("What does it say about dementia care?") == ["dementia", "care"]


def test_what_a_size_or_a_named_figure_question_counts():
    assert analyse("How big is the elective waiting list in Scotland?").counted == "waiting list"
    assert analyse("How many additional nursing degree places does it want?").counted == "nursing degree places"
    assert analyse("What is the vacancy figure for district nurses in the report?").counted == "vacancy for district nurses"


def test_more_list_wordings_and_a_chapter_named_before_its_topic():
    for q in ("asks on workforce?", "Our board asks what capital is for. What are all the uses it names?",
              "what kinds of support does it list?", "what help do systems need, and what % picked each option?",
              "run me through the finance survey numbers"):
        assert analyse(q).kind == "list", q
    assert analyse("Every finding in the integrated care chapter about ICSs").chapter == "integrated care"
    assert analyse("Leaders will play their part on a fairer backlog. Which things do they need?").chapter is None


def test_what_a_rate_a_gap_a_change_or_a_share_of_a_sum_is_of():
    assert analyse("What bed occupancy rate will hospitals run at?").counted == "bed occupancy"
    assert analyse("What is the gap in life expectancy between rich and poor areas?").counted == "life expectancy"
    assert analyse("By what percentage did adults seeking eating disorder care go up?").counted == "adults seeking eating disorder care"
    assert analyse("Of the £5.4bn, how much is earmarked for mental health?").counted == "mental health"
    assert analyse("What is the vacancy figure for social care staff?").counted == "vacancy for social care"
    assert analyse("what is the covid death rate in the most deprived areas").kind == "figure"


def test_the_topic_of_a_recommendation_and_who_is_asked_for_by_name():
    from rag.answer.names import asked_names, asks_for_person

    assert asked_topic("What recommendations does the Confed make about maternity services?") == ["maternity", "services"]
    assert asked_topic("What does it recommend for the workforce?") == []
    assert asks_for_person("who are the 100 leaders on the panel? names please")
    assert not asks_for_person("Who sits on the Health Leaders Panel?")
    assert asked_names("Which boroughs had the highest death rates?") == "boroughs"
    assert asked_names("What are trusts doing on inequalities?") is None


@pytest.mark.parametrize(
    "question, count, chosen",
    [
        ("What are the first three points of the plan?", 10, [0, 1, 2]),
        ("And the last two?", 10, [8, 9]),
        ("Tell me points 8, 9 and 10", 10, [7, 8, 9]),
        ("What do numbers 3 to 5 say?", 10, [2, 3, 4]),
        ("What are the ten points in the plan?", 10, None),
        ("What happened in the first two years of the pandemic?", 10, None),  # years, not items
        ("What are points 9 to 12?", 10, None),  # past the end: not a choice to guess at
        ("What are the first six findings?", 6, None),  # the whole list
    ],
)
def test_items_chosen_by_position(question, count, chosen):
    from rag.answer.question import chosen_items

    assert chosen_items(question, count) == chosen


def test_a_question_choosing_items_asks_for_a_list():
    assert analyse("What are the first three points of the plan?").kind == "list"
    assert analyse("Give me points 8, 9 and 10").kind == "list"


def test_names_the_question_gives_do_not_answer_it():
    from rag.answer.names import asked_names, names_any

    question = "Which mosques in North East London are being used as vaccination sites?"
    assert asked_names(question) == "mosques"
    assert names_any("Mosques across North East London have opened their doors.", "mosques")
    assert not names_any("Mosques across North East London have opened their doors.", "mosques", question)
    assert names_any("The East London Mosque hosted a clinic.", "mosques", question)
    assert asked_names("List the trusts that took part") == "trusts"
    # After a preamble, too.
    assert asked_names("It calls the NHS one of the most centralised systems - which other countries does it compare?") == "countries"


def test_ethnic_groups_are_named_by_a_group_not_by_where_a_study_was_done():
    from rag.answer.names import asked_names, names_any

    kind = asked_names("Which specific ethnic groups had the highest covid death rates?")
    assert kind == "ethnic groups"
    assert not names_any("A study by Professor Michael Marmot found death rates a quarter higher in Greater Manchester.", kind)
    assert names_any("People with black and minority ethnic (BME) backgrounds have been disproportionately affected.", kind)


def test_colleges_unions_and_departments_are_named_by_a_bodys_name():
    from rag.answer.names import asked_names, names_any

    kind = asked_names("Which royal colleges, unions or patient groups have endorsed the manifesto?")
    assert kind == "royal colleges"
    assert not names_any("It brings together NHS Confederation members and partners across health and care.", kind)
    assert names_any("The Royal College of Nursing welcomed it.", kind)
    kind = asked_names("Which government departments would sit on the ministerial board?")
    assert kind == "government departments"
    assert not names_any("The Secretary of State would gain new powers over NHS England.", kind)
    # The national bodies the report speaks of throughout are the answer here, not its background.
    assert names_any("Guidance backed by HM Treasury and the Department of Health and Social Care.", kind)


def test_shortened_months_and_month_ranges_are_periods():
    assert normalise_question("Urgent eating disorder care, Apr-Nov 2020?") == "Urgent eating disorder care, April-November 2020?"
    assert normalise_question("Sept. 2021 vacancies") == "September 2021 vacancies"
    assert named_subjects("the rise in urgent care, April-November 2020?") == []


def test_a_noun_phrase_asking_for_a_change_is_a_figure_question():
    assert analyse("Increase in children and young people getting urgent eating disorder support, Apr-Nov 2020?").kind == "figure"
    assert analyse("Rise in mental health referrals since the pandemic?").kind == "figure"


def test_how_long_in_weeks_asks_for_a_length_of_time():
    assert analyse("How long, in weeks, do patients wait at the clinic?").unit == "week"
    assert analyse("How many months of pressure can staff take?").unit == "month"


def test_how_many_on_the_panel_asks_for_a_share():
    assert analyse("how many on the panel said understaffing is putting patient safety at risk?").unit == "%"
    assert analyse("How many among the leaders expect demand to rise?").unit == "%"


def test_what_is_the_waiting_list_asks_for_its_size():
    assert analyse("What's the waiting list in Wales?").kind == "figure"
    assert analyse("What is the current elective backlog?").kind == "figure"
    assert analyse("What is the waiting list for mental health like?").kind != "figure"


def test_a_two_letter_acronym_is_named_by_two_long_words():
    assert names_in("GP", "the unknown backlog created by deferred presentation in general practice")
    assert not names_in("GP", "a great pressure on staff")  # "great" is too short to spell out a G
    assert not names_in("GP", "waiting lists in England")


@pytest.mark.parametrize(
    "question, read",
    [
        ("waiting at the end of july 21?", "waiting at the end of july 2021?"),
        ("their revenue settlement to 23/24?", "their revenue settlement to 2023/24?"),
        ("July 21, 2021", "July 21, 2021"),  # a day of the month, not a year
        ("open 24/7", "open 24/7"),
        ("what NHSEI said", "what NHS England and NHS Improvement said"),
        ("cyp eating disorders, how many ppl", "children and young people eating disorders, how many people"),
        ("demand for general practice?", "demand for general practice (GP)?"),
        ("demand for general practice (GP)?", "demand for general practice (GP)?"),
    ],
)
def test_short_years_and_abbreviations_are_read_as_the_report_writes_them(question, read):
    assert normalise_question(question) == read


def test_two_sides_sharing_the_words_after_them_each_get_those_words():
    assert analyse("covid death rates in the most vs least deprived areas - what numbers does it give?").sides == [
        "covid death rates in the most deprived areas", "least deprived areas"]
    # Sides that share nothing are left as written.
    assert analyse("Which do more leaders worry about: staff shortages or funding?").sides == ["staff shortages", "funding"]


def test_how_long_people_wait_asks_for_a_length_of_time_not_the_size_of_a_list():
    assert analyse("How long are children currently waiting for a first CAMHS appointment?").unit == "length"
    assert analyse("How long was the waiting list before the pandemic?").unit != "length"


def test_a_blurb_the_thrust_and_what_the_report_is_for_ask_for_a_summary():
    for q in ("Need a two-line blurb for our comms team - what is this manifesto actually for?",
              "what's the overall thrust of the ten point plan at the end?"):
        assert analyse(q).kind == "summary", q


def test_the_top_two_and_findings_with_their_percentages_ask_for_a_list():
    assert analyse("top two changes that drove improvement during covid, with the %s").kind == "list"
    assert analyse("regulation chapter - what did the panel say? findings with percentages").kind == "list"
    assert analyse("what share of leaders said the top priority was staff?").kind != "list"


def test_what_the_report_highlights_is_not_a_request_for_its_highlights():
    assert analyse("Could you give some examples of the whole-system pathway changes the report highlights?").kind != "summary"
    assert analyse("give me the highlights of the workforce chapter").kind == "summary"


def test_a_price_tag_asks_for_a_sum_of_money():
    plan = analyse("whats the price tag on the 40 new hospitals pledge?")
    assert plan.kind == "figure" and plan.unit == "GBP"


def test_a_terse_question_may_name_its_chapter_first():
    assert analyse("regulation chapter - what did the panel say? findings with percentages").chapter == "regulation"
    assert analyse("workforce chapter - what does it say leaders need? as bullets").chapter == "workforce"
    assert analyse("What does the workforce chapter say leaders need?").chapter == "workforce"


def test_a_point_numbered_no_or_hash_is_that_point_but_no_one_is_not():
    assert point_numbers("ten point plan no.4 - what are the reasons?") == {"4"}
    assert point_numbers("what does plan #7 say?") == {"7"}
    assert point_numbers("there is no one answer, is there?") == set()


def test_a_time_horizon_is_a_duration_the_figure_must_be_for():
    plan = analyse("What percentage of leaders thought clearing the backlog in five to seven years was realistic?")
    assert [q.text for q in plan.qualifiers if q.kind == "duration"] == ["in five to seven years"]


@pytest.mark.parametrize("question", ["How does the cash the NHS gets next year stack up against what it needs?",
                                      "How does the extra money for 2022/23 measure up to what is needed?"])
def test_stacking_up_against_compares(question):
    assert analyse(question).kind == "comparison"


def test_asks_worded_with_exactly_or_have_to_do_are_lists():
    for q in ("On workforce, what exactly is the Confed asking ministers to do?",
              "What does the report say ministers and NHS England have to do on regulation?",
              "The finance chapter names several asks of government - what are they exactly?",
              "Could you set out the steps the government needs to take on social care?"):
        assert analyse(q).kind == "list", q


def test_idioms_are_put_in_the_reports_words_for_retrieval():
    from rag.answer.wording import in_report_words

    assert "in the order they present" in in_report_words("Why not first-come-first-served?")
    assert "in the order they present" in in_report_words("seen in the order they joined the list")
    assert "NHS England and NHS Improvement" in in_report_words("How supported do leaders feel by NHSE/I?")
    assert "(beneficial)" in in_report_words("What were the upsides of lighter-touch regulation?")
    assert in_report_words("What are the ten points?") == "What are the ten points?"
