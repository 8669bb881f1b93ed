"""Names, figures and dates that tell one story from its siblings (pure functions)."""

# Fixtures are written in Cyrillic on purpose.

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.readers.similarity import entity_words
from bot.services.text.entities import entity_features


def names(title: str, body: str) -> set[str]:
    """The name features only, without their prefix."""
    return {k[2:] for k in entity_features(title, body) if k.startswith("n:")}


def test_capitalised_runs_are_names_with_each_word() -> None:
    found = names("", "The team fired coach Maurice Cheeks on Saturday in Viña del Mar.")
    assert found == {"maurice", "cheeks", "maurice_cheeks", "vina", "mar", "vina_del_mar"}


def test_a_word_capitalised_only_at_a_sentence_start_is_not_a_name() -> None:
    body = "Hundreds of fans came. Police said he left. Cheeks was replaced by DiLeo."
    assert names("", body) == {"dileo"}
    # ...unless the article also capitalises it mid-sentence.
    assert "cheeks" in names("", body + " Fans cheered Cheeks.")
    assert names("", "Yesterday Maurice Cheeks left.") == {"maurice", "cheeks", "maurice_cheeks"}


def test_commas_and_possessives_end_names() -> None:
    assert names("", "He met Tony DiLeo, Maurice Cheeks and Chile's president.") == {
        "tony", "dileo", "tony_dileo", "maurice", "cheeks", "maurice_cheeks", "chile",
    }  # fmt: skip


def test_title_case_headline_counts_only_names_the_body_confirms() -> None:
    found = names("Sixers Hire Maurice Cheeks As Head Coach", "They hired Maurice Cheeks.")
    assert found == {"maurice", "cheeks", "maurice_cheeks"}
    assert "storm" in names("Storm hits Kent", "Rain in Kent. The Storm Centre warned.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A 6.1 magnitude quake hit.", {"f:6.1"}),
        ("It cost 48,500 dollars.", {"f:48500_dollars"}),
        ("They lost 88-72 at home.", {"f:88-72"}),
        ("It happened on Sept. 29, 2008.", {"d:09-29", "d:2008"}),
        ("It happened on 29 September.", {"d:09-29"}),
        ("Это случилось 12 сентября 2022 года.", {"d:09-12", "d:2022"}),
        ("In 2008 the team won.", {"d:2008"}),
    ],
)
def test_figures_with_units_and_dates(text: str, expected: set[str]) -> None:
    assert {k for k in entity_features("", text) if k[0] in "fd"} == expected


def test_the_articles_own_date_is_a_date_feature() -> None:
    found = entity_features("Quake", "It struck on 29 September.", date(2008, 9, 29))
    assert found["d:09-29"] == 2 and found["d:2008"] == 1


def test_cyrillic_names() -> None:
    assert names("", "Вчера Владимир Путин посетил Ташкент.") == {
        "владимир", "путин", "владимир_путин", "ташкент",
    }  # fmt: skip


def test_entity_words_are_the_indexed_words() -> None:
    assert entity_words("n:vina_del_mar") == ["vina", "del", "mar"]
    assert entity_words("f:6.1") == ["6", "1"]
    assert entity_words("d:09-29") == ["9", "29"]


@given(st.text(max_size=300), st.text(max_size=60))
def test_features_never_fail_and_are_storable(body: str, title: str) -> None:
    for key, count in entity_features(title, body).items():
        assert key[:2] in ("n:", "f:", "d:") and len(key) > 2 and count > 0
        assert not any(ch.isspace() for ch in key)  # signatures are space-separated
