"""Tests for the extractive summarizer and its JSON Lines front end."""

# Fixtures are written in Cyrillic and Hebrew on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.text.summarize import summarize, summarize_jsonl

LEAD = "The city council approved a new budget for public transport on Monday evening."
SECOND = "The budget adds twelve new bus routes and extends the tram line to the airport."
THIRD = "Council members said the transport budget would be paid for by a parking levy."
FILLER = [
    "A local bakery also celebrated its fiftieth anniversary with free pastries.",
    "The weather stayed mild for most of the week across the whole region.",
    "A football match in the nearby town ended in a goalless draw on Sunday.",
    "Several schools reported a record number of pupils joining chess clubs.",
]
ARTICLE = " ".join([LEAD, SECOND, THIRD, *FILLER])
TITLE = "Council approves transport budget"


def test_picks_the_lead_in_original_order() -> None:
    assert summarize(TITLE, ARTICLE) == f"{LEAD} {SECOND} {THIRD}"


def test_max_sentences_is_respected() -> None:
    assert summarize(TITLE, ARTICLE, max_sentences=1) == LEAD


@pytest.mark.parametrize(
    ("prefix", "kept"),
    [
        ("(CNN)", LEAD),
        ("LONDON, England (Reuters) -- ", LEAD),
        ("WASHINGTON — ", LEAD),
        ("Scroll down for video ", LEAD),
    ],
)
def test_agency_and_dateline_prefixes_are_removed(prefix: str, kept: str) -> None:
    summary = summarize(TITLE, prefix + ARTICLE, max_sentences=1)
    assert summary == kept


@pytest.mark.parametrize(
    "boilerplate",
    [
        "By . Daily Mail Reporter . PUBLISHED: . 10:01 EST, 1 May 2013 . | . "
        "UPDATED: . 11:02 EST, 1 May 2013 .",
        "Last updated at 9:14 AM on 3rd March 2014.",
        "Follow us on social media for all the latest stories.",
        "Click here to read the full council report and its appendices.",
    ],
)
def test_boilerplate_sentences_are_skipped(boilerplate: str) -> None:
    assert summarize(TITLE, f"{boilerplate} {ARTICLE}") == f"{LEAD} {SECOND} {THIRD}"


def test_short_fragments_are_skipped() -> None:
    assert summarize(TITLE, f"Watch. Breaking! {ARTICLE}", max_sentences=1) == LEAD


def test_near_duplicate_caption_is_not_repeated() -> None:
    caption = "The city council approved a new budget for public transport on Monday."
    body = " ".join([LEAD, caption, SECOND, THIRD, *FILLER])
    # Either copy of the lead may win, but never both.
    assert summarize(TITLE, body) in {f"{LEAD} {SECOND} {THIRD}", f"{caption} {SECOND} {THIRD}"}


def _whole_sentence_summaries(sentences: list[str], most: int) -> set[str]:
    """Every in-order choice of up to ``most`` whole sentences, joined as a summary."""
    found = {""}
    for sentence in sentences:
        found |= {f"{s} {sentence}".strip() for s in found if s.count(".") < most}
    return found - {""}


@pytest.mark.parametrize("slack", [-40, -1, 0, 25])
def test_cuts_at_sentence_boundaries(slack: int) -> None:
    limit = len(f"{LEAD} {SECOND} {THIRD}") + slack
    summary = summarize(TITLE, ARTICLE, max_chars=limit)
    assert len(summary) <= limit
    assert summary in _whole_sentence_summaries([LEAD, SECOND, THIRD, *FILLER], 3)
    assert (summary == f"{LEAD} {SECOND} {THIRD}") == (slack >= 0)


def test_long_first_sentence_is_cut_at_a_word_with_ellipsis() -> None:
    body = "Officials announced " + "a very long list of measures " * 20 + "today."
    summary = summarize("Measures", body, max_chars=50)
    assert summary == "Officials announced a very long list of measures…"


def test_cut_keeps_a_word_that_ends_exactly_at_the_limit() -> None:
    body = "Officials announced " + "a very long list of measures " * 20 + "today."
    assert summarize("Measures", body, max_chars=32) == "Officials announced a very long…"


def test_plain_text_is_not_escaped() -> None:
    body = 'Shares of AT&T rose <5% after the "merger" news. Analysts were surprised by it.'
    assert summarize("AT&T", body, max_sentences=1) == (
        'Shares of AT&T rose <5% after the "merger" news.'
    )


def test_falls_back_to_title_when_body_is_empty() -> None:
    assert summarize("  Breaking:   news  ", "   \n ") == "Breaking: news"


def test_body_with_only_fragments_still_gives_a_summary() -> None:
    assert summarize("Title", "Yes. No!") == "Yes. No!"


RUSSIAN = [
    "Правительство утвердило новый бюджет на развитие транспорта в регионе.",
    "Бюджет предусматривает двенадцать новых автобусных маршрутов в регионе.",
    "Погода на выходных будет тёплой и солнечной во всех районах.",
    "Местная команда выиграла кубок по хоккею в упорном матче.",
    "В г. Казани открылась выставка современного искусства для всех.",
]
HEBREW = [
    "הממשלה אישרה תקציב חדש לתחבורה ציבורית בעיר הגדולה.",
    "התקציב כולל קווי אוטובוס חדשים לתחבורה ציבורית בעיר.",
    "מזג האוויר בסוף השבוע יהיה נעים וחם ברוב האזורים.",
]


@pytest.mark.parametrize(
    ("title", "sentences"),
    [("Бюджет на транспорт", RUSSIAN), ("תקציב לתחבורה ציבורית", HEBREW)],
)
def test_other_languages(title: str, sentences: list[str]) -> None:
    assert summarize(title, " ".join(sentences), max_sentences=2) == " ".join(sentences[:2])


@pytest.mark.parametrize(("sentences", "chars"), [(0, 100), (3, 0), (3, 1)])
def test_invalid_limits_are_rejected(sentences: int, chars: int) -> None:
    with pytest.raises(ValueError, match="max_"):
        summarize(TITLE, ARTICLE, max_sentences=sentences, max_chars=chars)


def test_a_long_article_repeating_itself_gives_the_same_summary() -> None:
    # Speed on long articles is measured in benchmarks/summary_quality.py.
    body = "\n\n".join([ARTICLE] * 40)  # About 20,000 characters.
    assert summarize(TITLE, body) == summarize(TITLE, ARTICLE)


_WORDS = st.sampled_from(
    ["the", "Budget", "council", "tram", "Ж", "шолом", "שלום", "U.S.", "3.5", "«да»", "(CNN)"]
)
_SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_WORDS, min_size=1, max_size=15),
    st.sampled_from([".", "!", "?", "", "…", '."']),
)
_BODY = st.lists(_SENTENCE, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(_BODY, st.integers(min_value=1, max_value=5), st.integers(min_value=2, max_value=400))
def test_summary_properties(body: str, max_sentences: int, max_chars: int) -> None:
    summary = summarize("Budget", body, max_sentences=max_sentences, max_chars=max_chars)
    assert len(summary) <= max_chars
    assert summary == summarize("Budget", body, max_sentences=max_sentences, max_chars=max_chars)
    if body.strip():
        assert summary
        flat_body = " ".join(body.split())
        for word in summary.removesuffix("…").split():
            # A sentence that lacked its full stop gets one; every word is the body's.
            assert word in flat_body or word.removesuffix(".") in flat_body


def test_jsonl_round_trip_keeps_order_and_ids() -> None:
    records = [
        {"id": "a-1", "title": TITLE, "body": ARTICLE},
        {"title": "Без id", "body": "Правительство утвердило новый бюджет на развитие."},
        {"id": 7, "title": "Empty body", "body": ""},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    out = [json.loads(line) for line in summarize_jsonl([*lines, "\n"])]
    assert [o["id"] for o in out] == ["a-1", None, 7]
    assert out[0]["summary"] == f"{LEAD} {SECOND} {THIRD}"
    assert out[1]["summary"] == "Правительство утвердило новый бюджет на развитие."
    assert out[2]["summary"] == "Empty body"


def test_jsonl_output_is_not_ascii_escaped() -> None:
    line = json.dumps({"id": 1, "title": "t", "body": "Привет, мир и все вокруг."})
    assert "Привет" in next(summarize_jsonl([line]))


@pytest.mark.parametrize(
    "bad",
    ["{not json", "[1, 2]", '{"title": "t"}', '{"title": 1, "body": "text"}'],
)
def test_jsonl_malformed_line_names_its_number(bad: str) -> None:
    good = json.dumps({"id": 1, "title": TITLE, "body": ARTICLE})
    results = summarize_jsonl([good, "", bad, good])
    assert json.loads(next(results))["id"] == 1
    with pytest.raises(ValueError, match=r"^line 3: "):
        next(results)


CATHEDRAL_TITLE = "Cathedral roof repairs to cost 48.5 million euros"
CATHEDRAL = [
    "The storm last winter damaged the roof of the old cathedral, the diocese said.",
    "Volunteers and firefighters spent a week clearing glass from the square.",
    "Anna Weber, an architect from Munich, spoke to reporters on Tuesday.",
    "She said the cathedral roof repairs after the storm would cost 48.5 million euros.",
    "A choir concert raised money for the organ in the spring.",
    "Tourists can still visit the crypt and the museum meanwhile.",
]


def test_a_sentence_that_refers_back_comes_with_the_one_it_depends_on() -> None:
    body = "\n".join(CATHEDRAL)
    assert summarize(CATHEDRAL_TITLE, body) == " ".join([CATHEDRAL[0], *CATHEDRAL[2:4]])
    # No room for both: the sentence that names her stands in for "She said ...".
    assert summarize(CATHEDRAL_TITLE, body, max_sentences=2) == f"{CATHEDRAL[0]} {CATHEDRAL[2]}"


_STANDALONE = [
    "The council approved the new harbour budget on Monday evening.",
    "Engineers inspected the harbour bridge cables after the storm.",
    "Совет утвердил новый бюджет порта в понедельник вечером.",
    "Shahar kengashi dushanba kuni port byudjetini tasdiqladi.",
]
_DEPENDENT = [
    "She said the harbour repairs would cost about four million euros.",
    "But the harbour budget still needs the approval of the regional council.",
    "They expect the harbour bridge to reopen before the summer season.",
    "Она сказала, что ремонт порта обойдётся в четыре миллиона евро.",
    "Но бюджет порта ещё должен утвердить областной совет.",
    "U port taʼmiri toʻrt million evroga tushishini aytdi.",
    "Lekin port byudjetini viloyat kengashi ham tasdiqlashi kerak.",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_STANDALONE + _DEPENDENT), min_size=1, max_size=10, unique=True))
def test_no_sentence_that_refers_back_is_shown_without_its_predecessor(body: list[str]) -> None:
    summary = summarize("Harbour budget", "\n".join(body))
    for sentence in _DEPENDENT:
        if sentence in summary and body.index(sentence) > 0:
            assert body[body.index(sentence) - 1] in summary


SEED_TITLE = "How Uzbeks escaped the conscription"
SEED_BODY = (
    "The government of Uzbekistan warned its citizens against fighting in foreign wars.\n"
    "Russian recruiters called on migrants from Central Asia to enlist in the army and fight "
    "against the Ukrainians\n"
    "Hundreds of thousands of Russian citizens have fled the country since the mobilisation.\n"
    "Many of them crossed into Kazakhstan, Georgia and Uzbekistan within a few weeks."
)


def test_a_paragraph_without_a_full_stop_ends_its_sentence_in_the_summary() -> None:
    summary = summarize(SEED_TITLE, SEED_BODY)
    assert "Ukrainians Hundreds" not in summary
    assert "fight against the Ukrainians. Hundreds of thousands" in summary


def test_a_heading_line_is_not_a_summary_sentence() -> None:
    body = "Where The Recruits Come From\n" + SEED_BODY
    assert "Where The Recruits" not in summarize(SEED_TITLE, body)
