"""Tests for bot.services.messaging.callback_data: every button kind packs within Telegram's
64 bytes, parses back to itself, and a forged or stale string parses to nothing."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import LANGUAGES
from bot.services.messaging.callback_data import (
    ALL_KINDS,
    LIMIT,
    MAX_ID,
    CallbackData,
    CallbackDataTooLong,
    CommentPage,
    ConfirmWithdrawal,
    DigestHour,
    LanguageChoice,
    ListComments,
    ModerateComment,
    ModerationChoice,
    OpenArticle,
    OpenSearchResult,
    PublishAction,
    PublishChoice,
    SettingsAction,
    SettingsMenu,
    ToggleSection,
    TopicToggle,
    WithdrawalChoice,
    WriteComment,
    ZoneChoice,
    parse_any,
)
from bot.services.text.tags import normalize_tag

BIGGEST = 2**63 - 1  # the largest id SQLite (and Telegram) can hand out


def largest() -> list[CallbackData]:
    """The longest button of every kind with a bounded size (TopicToggle has its own test)."""
    longest_publish = max(get_args(PublishChoice), key=len)
    return [
        OpenArticle(BIGGEST),
        OpenSearchResult(BIGGEST),
        WriteComment(BIGGEST),
        ListComments(BIGGEST),
        CommentPage(BIGGEST, BIGGEST),
        *(SettingsMenu(action) for action in get_args(SettingsAction)),
        DigestHour(BIGGEST),
        ZoneChoice(BIGGEST),
        PublishAction(longest_publish, BIGGEST),
        ToggleSection(BIGGEST, BIGGEST),
        *(ConfirmWithdrawal(action, BIGGEST) for action in get_args(WithdrawalChoice)),
        *(ModerateComment(action, BIGGEST) for action in get_args(ModerationChoice)),
        *(LanguageChoice(language) for language in LANGUAGES),  # type: ignore[arg-type]
    ]


def test_every_kind_is_covered_by_these_tests() -> None:
    assert {type(button) for button in largest()} | {TopicToggle} == set(ALL_KINDS)
    assert MAX_ID == BIGGEST


@pytest.mark.parametrize("button", largest(), ids=repr)
def test_largest_ids_pack_within_64_bytes_and_parse_back(button: CallbackData) -> None:
    data = button.pack()
    assert len(data.encode()) <= LIMIT
    assert type(button).parse(data) == button
    # No other kind takes it for its own.
    assert [kind for kind in ALL_KINDS if kind.parse(data) is not None] == [type(button)]
    assert re.match(type(button).pattern(), data)


def test_topics_fit_when_short_enough_and_refuse_to_pack_otherwise() -> None:
    ascii_tag = "t" * (LIMIT - len("st:t:"))
    assert TopicToggle(ascii_tag).fits()
    assert TopicToggle.parse(TopicToggle(ascii_tag).pack()) == TopicToggle(ascii_tag)
    for too_long in (ascii_tag + "t", "ж" * 30):  # Cyrillic letters are two bytes each
        assert not TopicToggle(too_long).fits()
        with pytest.raises(CallbackDataTooLong):
            TopicToggle(too_long).pack()


@given(article_id=st.integers(0, BIGGEST), page=st.integers(0, BIGGEST))
def test_any_id_round_trips(article_id: int, page: int) -> None:
    for button in (OpenArticle(article_id), CommentPage(article_id, page)):
        assert type(button).parse(button.pack()) == button


FORGED = [
    None,
    "",
    "ra",
    "ra:",
    "ra:x",
    "ra:-1",
    "ra:+1",
    "ra:01",  # not how pack() writes 1
    "ra: 1",
    "ra:1 ",
    "ra:1:2",
    "ra:¹²³",  # superscript digits are "decimal" to str.isdigit
    "ra:١٢٣",  # Arabic-Indic digits: int() would take them
    f"ra:{BIGGEST + 1}",
    "ra:99999999999999999999",
    "RA:1",
    "pb:publish:1",  # an action that does not exist (or no longer does)
    "pb:now:",
    "pb:now",
    "pb:now:1:1",
    "md:x:1",
    "uw:yes:1",
    "uw:y:",
    "md:a:",
    "md:a:1:2",
    "cm:zz",
    "cm:w:",
    "cm:p:1",
    "cm:p:abc:0",
    "cm:p:1:99999999999999999999",
    "cm:w:1:2",
    "st:",
    "st:nonsense",
    "st:h:",
    "st:h:-1",
    "st:z:x",
    "st:t:",
    "st:inst:1",
    "fd:1",  # a prefix no feature owns
    "ra:" + "1" * 70,  # over Telegram's 64 bytes
]


@pytest.mark.parametrize("data", FORGED)
def test_forged_or_stale_data_parses_to_nothing(data: str | None) -> None:
    assert [kind.__name__ for kind in ALL_KINDS if kind.parse(data) is not None] == []
    assert parse_any(data, ALL_KINDS) is None


@given(data=st.text(max_size=70))
def test_only_canonical_strings_parse(data: str) -> None:
    for kind in ALL_KINDS:
        parsed = kind.parse(data)
        assert parsed is None or parsed.pack() == data


@given(data=st.sampled_from(["ra:", "cm:w:", "cm:p:", "pb:now:", "md:b:", "st:h:", "st:t:"]))
def test_known_prefixes_with_junk_parse_to_nothing_or_round_trip(data: str) -> None:
    for suffix in ("", "0", "00", "1x", "1:", ":1", "\x00", "9" * 19):
        for kind in ALL_KINDS:
            parsed = kind.parse(data + suffix)
            assert parsed is None or parsed.pack() == data + suffix


def test_real_tags_toggle_round_trip() -> None:
    for raw in ("Covid-19", "Économie", "東京", "sport"):
        tag = normalize_tag(raw)
        assert TopicToggle.parse(TopicToggle(tag).pack()) == TopicToggle(tag)


def test_each_feature_registers_one_prefix() -> None:
    families = {kind.pattern() for kind in ALL_KINDS}
    assert families == {"^ra:", "^sr:", "^cm:", "^st:", "^pb:", "^uw:", "^md:"}
    prefixes = [kind.prefix for kind in ALL_KINDS]
    assert len(set(prefixes)) == len(prefixes)
