"""Tests for the rule-based, language-agnostic sentence splitter."""

# Fixtures are written in Cyrillic, Hebrew and with typographic quotes on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.text.sentences import split_sentences

ENGLISH = [
    ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
    ("She asked 'Why?' Nobody knew.", ["She asked 'Why?'", "Nobody knew."]),
    ("(It was late.) We went home.", ["(It was late.)", "We went home."]),
    ('"Run!" he shouted. They ran.', ['"Run!" he shouted.', "They ran."]),
    ("The U.S. economy grew. Markets rose.", ["The U.S. economy grew.", "Markets rose."]),
    ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
    ("Use tools, e.g. hammers. Then rest.", ["Use tools, e.g. hammers.", "Then rest."]),
    (
        "It opened on Jan. 5 this year. Crowds came.",
        ["It opened on Jan. 5 this year.", "Crowds came."],
    ),
    ("J. K. Rowling wrote it. Fans cheered.", ["J. K. Rowling wrote it.", "Fans cheered."]),
    ("Growth was 3.5 per cent. Prices fell.", ["Growth was 3.5 per cent.", "Prices fell."]),
    ("Wait... what? Yes.", ["Wait... what?", "Yes."]),
    ("It ended… Then silence.", ["It ended…", "Then silence."]),
    ("Visit www.example.com for more. Thanks.", ["Visit www.example.com for more.", "Thanks."]),
    ("Mail jane.doe@example.org today! Bye.", ["Mail jane.doe@example.org today!", "Bye."]),
    (
        "He ranked No. 1 in 2020. No. He did not.",
        ["He ranked No. 1 in 2020.", "No.", "He did not."],
    ),
    ("Really?! Yes.", ["Really?!", "Yes."]),
    ("The 2014 season began. 20 teams entered.", ["The 2014 season began.", "20 teams entered."]),
]

RUSSIAN = [
    ("В г. Москве тепло. Завтра дождь.", ["В г. Москве тепло.", "Завтра дождь."]),
    ("Это важно, т.е. срочно. Начнём.", ["Это важно, т.е. срочно.", "Начнём."]),
    ("Театр им. Пушкина открыт. Билеты есть.", ["Театр им. Пушкина открыт.", "Билеты есть."]),
    ("Писал А. С. Пушкин. Читали все.", ["Писал А. С. Пушкин.", "Читали все."]),
    ("Купили хлеб, молоко и т.д. Потом ушли.", ["Купили хлеб, молоко и т.д.", "Потом ушли."]),
    ("«Стоп!» — сказал он. Все замерли.", ["«Стоп!» — сказал он.", "Все замерли."]),
    ("Он сказал: «Всё.» Потом ушёл.", ["Он сказал: «Всё.»", "Потом ушёл."]),
    ("Рост составил 2.5%. Это много.", ["Рост составил 2.5%.", "Это много."]),
]

HEBREW = [
    ("הוא אמר שלום. היא ענתה.", ["הוא אמר שלום.", "היא ענתה."]),
    ("מה קרה? כלום!", ["מה קרה?", "כלום!"]),
    ('הוא אמר "די." ואז הלך.', ['הוא אמר "די."', "ואז הלך."]),
    ("המחיר עלה ב-3.5 אחוזים. זה הרבה.", ["המחיר עלה ב-3.5 אחוזים.", "זה הרבה."]),
    ("ראש הממשלה ביקר בארה״ב. הוא חזר.", ["ראש הממשלה ביקר בארה״ב.", "הוא חזר."]),
    ("הסופר א. ב. יהושע כתב ספר. הוא זכה.", ["הסופר א. ב. יהושע כתב ספר.", "הוא זכה."]),
]

UZBEK = [
    (
        "Oʻzbekiston poytaxti Toshkent. Bu katta shahar.",
        ["Oʻzbekiston poytaxti Toshkent.", "Bu katta shahar."],
    ),
    ("Narx 2.5 foizga oshdi. Bu koʻp!", ["Narx 2.5 foizga oshdi.", "Bu koʻp!"]),
    ("U «Keldim.» dedi. Hamma kuldi.", ["U «Keldim.» dedi.", "Hamma kuldi."]),
    ("Qaror 2020 y. qabul qilindi. G'alaba!", ["Qaror 2020 y. qabul qilindi.", "G'alaba!"]),
    (
        "Ўзбекистон пойтахти Тошкент. Бу катта шаҳар.",
        ["Ўзбекистон пойтахти Тошкент.", "Бу катта шаҳар."],
    ),
    ("Нима бўлди? Ҳеч нарса!", ["Нима бўлди?", "Ҳеч нарса!"]),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH + RUSSIAN + HEBREW + UZBEK)
def test_splits_tricky_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("First paragraph\n\nSecond paragraph", ["First paragraph", "Second paragraph"]),
        ("A heading\nThe text starts here.", ["A heading", "The text starts here."]),
        ("A line that was\nhard wrapped here.", ["A line that was hard wrapped here."]),
        ("  Spaced   out\ttext.  ", ["Spaced out text."]),
        ("", []),
        (" \n\n \t ", []),
        ("No terminal punctuation", ["No terminal punctuation"]),
    ],
)
def test_paragraphs_lines_and_whitespace(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_cjk_punctuation_splits_without_spaces() -> None:
    assert split_sentences("今天下雨。明天晴天！") == ["今天下雨。", "明天晴天！"]


# Pieces chosen to hit every rule: terminals, closers, openers, abbreviations, newlines.
_PIECES = [*"abc XYZ.!?\"'«»()\n\t…,5ש", "Mr.", "U.S.", "Жук", "e.g.", " — ", "\n\n"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)


@given(_TEXT)
def test_no_text_is_lost_or_invented(text: str) -> None:
    sentences = split_sentences(text)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())


@given(_TEXT)
def test_sentences_are_trimmed_non_empty_and_deterministic(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() and "\n" not in s for s in sentences)
    assert split_sentences(text) == sentences


@given(st.lists(st.sampled_from(["Alpha beta.", "Gamma delta?", "Всё хорошо!", "שלום לכם."])))
def test_well_formed_sentences_round_trip(parts: list[str]) -> None:
    assert split_sentences(" ".join(parts)) == parts


# The seed article's shape: a paragraph that ends without a full stop, then the next one.
PARAGRAPH_ENDS = [
    (
        "Migrants were told to enlist in the army and fight against the Ukrainians\n"
        "Hundreds of thousands of Russian citizens have fled the country.",
        [
            "Migrants were told to enlist in the army and fight against the Ukrainians",
            "Hundreds of thousands of Russian citizens have fled the country.",
        ],
    ),
    (
        "Мигрантов призвали воевать против украинцев\n\nсотни тысяч россиян уехали из страны.",
        ["Мигрантов призвали воевать против украинцев", "сотни тысяч россиян уехали из страны."],
    ),
    (
        "Muhojirlarni ukrainlarga qarshi jang qilishga chaqirishdi\n"
        "Yuz minglab Rossiya fuqarolari mamlakatni tark etdi.",
        [
            "Muhojirlarni ukrainlarga qarshi jang qilishga chaqirishdi",
            "Yuz minglab Rossiya fuqarolari mamlakatni tark etdi.",
        ],
    ),
    (
        "Мигрантларни украинларга қарши жанг қилишга чақиришди\n\n"
        "юз минглаб Россия фуқаролари мамлакатни тарк этди.",
        [
            "Мигрантларни украинларга қарши жанг қилишга чақиришди",
            "юз минглаб Россия фуқаролари мамлакатни тарк этди.",
        ],
    ),
    # A title-case heading ends its line even before a lower-case one.
    (
        "How Uzbeks Escaped The Conscription\nofficials in Tashkent said so.",
        ["How Uzbeks Escaped The Conscription", "officials in Tashkent said so."],
    ),
    (
        "the conscription”\nThe government of Uzbekistan warned.",
        ["the conscription”", "The government of Uzbekistan warned."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), PARAGRAPH_ENDS)
def test_paragraph_breaks_and_headings_end_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected
