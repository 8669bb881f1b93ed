"""Cleaning a copied page: headline, byline, own date, furniture (pure functions)."""

# Fixtures are written in Cyrillic and with typographic quotes on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.ingest.pasted import clean_page, parse_date, trim_quotes


@pytest.mark.parametrize(
    ("title", "trimmed"),
    [
        ("How Uzbeks escaped the conscription”", "How Uzbeks escaped the conscription"),
        ("“I’m not going to die”: how Uzbeks left”", "“I’m not going to die”: how Uzbeks left"),
        (
            "«Мы уехали»: как узбеки избежали мобилизации»",
            "«Мы уехали»: как узбеки избежали мобилизации",
        ),
        ("“Unclosed quote at the start", "Unclosed quote at the start"),
        ('"Straight" quotes stay "paired"', '"Straight" quotes stay "paired"'),
        ('A trailing straight quote"', "A trailing straight quote"),
        ("Putin’s war and the migrants", "Putin’s war and the migrants"),
        ("“Fully quoted headline”", "“Fully quoted headline”"),
    ],
)
def test_unmatched_quotes_around_a_headline_are_trimmed(title: str, trimmed: str) -> None:
    assert trim_quotes(title) == trimmed


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("November 28, 2022", date(2022, 11, 28)),
        ("Published: 28 November 2022, 10:45", date(2022, 11, 28)),
        ("Updated Nov. 28, 2022 at 10:45 am EST", date(2022, 11, 28)),
        ("2022-11-28", date(2022, 11, 28)),
        ("28.11.2022", date(2022, 11, 28)),
        ("28 ноября 2022 г.", date(2022, 11, 28)),
        ("Опубликовано: 28.11.2022 10:45", date(2022, 11, 28)),
        ("28-noyabr, 2022", date(2022, 11, 28)),
        ("2022-yil 28-noyabr", date(2022, 11, 28)),
        ("November 28, 2022 was the day the border closed.", None),
        ("31.02.2022", None),
        ("The council met on Tuesday.", None),
    ],
)
def test_date_lines(line: str, day: date | None) -> None:
    assert parse_date(line) == day


def test_russian_page() -> None:
    page = clean_page(
        [
            "Главная › Общество",
            "Как узбеки избежали мобилизации",
            "Автор: Анна Петрова",
            "28 ноября 2022",
            "Поделиться",
            "Правительство Узбекистана предупредило граждан.",
            "",
            "Сотни тысяч россиян уехали из страны.",
            "Читайте также",
            "Другая статья",
        ]
    )
    assert page is not None
    assert page.title == "Как узбеки избежали мобилизации"
    assert (page.author, page.published) == ("Анна Петрова", date(2022, 11, 28))
    assert page.body == (
        "Правительство Узбекистана предупредило граждан.\n\nСотни тысяч россиян уехали из страны."
    )


def test_uzbek_page() -> None:
    page = clean_page(
        [
            "Oʻzbeklar safarbarlikdan qanday qochdi",
            "Muallif: Dilnoza Karimova | 28-noyabr, 2022",
            "Oʻzbekiston hukumati fuqarolarni ogohlantirdi.",
            "Obuna boʻling",
            "Yuz minglab Rossiya fuqarolari mamlakatni tark etdi.",
            "Izoh qoldiring",
        ]
    )
    assert page is not None
    assert (page.author, page.published) == ("Dilnoza Karimova", date(2022, 11, 28))
    assert page.body.splitlines() == [
        "Oʻzbekiston hukumati fuqarolarni ogohlantirdi.",
        "Yuz minglab Rossiya fuqarolari mamlakatni tark etdi.",
    ]


def test_plain_text_is_left_alone() -> None:
    page = clean_page(["Home prices rise again", "Comments on the budget were mixed.", "By law."])
    assert page is not None and page.title == "Home prices rise again"
    assert page.body == "Comments on the budget were mixed.\nBy law."
    assert page.author is None and page.published is None


def test_a_trailing_section_marker_first_is_not_a_trailing_section() -> None:
    page = clean_page(["Headline", "Comments", "The article text.", "You may also like", "X"])
    assert page is not None and page.body == "Comments\nThe article text."


@given(st.lists(st.text(max_size=40).map(lambda s: s.replace("\n", " ")), max_size=12))
def test_cleaning_never_fails_and_keeps_only_input_lines(lines: list[str]) -> None:
    page = clean_page(lines)
    if page is None:
        assert not any(line.strip() for line in lines)
        return
    stripped = {line.strip() for line in lines}
    assert all(line in stripped for line in page.body.split("\n") if line)
