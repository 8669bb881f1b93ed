"""What services need from a messenger, without any Telegram types."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.i18n import N_, current_language, using


@dataclass(frozen=True)
class Button:
    """An inline button: callback data (<= 64 bytes), a URL, or an inline query to share."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    # Opens "@bot <query>" in a chat the reader picks (the bot's inline mode).
    switch_inline_query: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]

log = logging.getLogger(__name__)

# The one answer to a button that is stale, forged, foreign or no longer applies.
EXPIRED = N_("This button has expired.")


@dataclass(frozen=True)
class OutgoingMessage:
    """An HTML message to one chat; with a caption it is a photo card (see as_text)."""

    chat_id: int
    text: str
    keyboard: Keyboard = ()
    link_preview_url: str | None = None  # shown as the preview when set
    disable_preview: bool = False
    reply_to: int | None = None
    # A photo card when photo_url is set: sent as that photo with `caption` (<= 1024 visible
    # units), while `text` carries the same content as a text message, for when Telegram
    # refuses the photo. The caption rides along on text messages too, for editing a message
    # that turns out to be a photo. Edits of a photo card change its caption.
    caption: str | None = None
    photo_url: str | None = None

    @property
    def is_photo(self) -> bool:
        """Whether this is a photo card (sent with sendPhoto, edited as a caption)."""
        return self.photo_url is not None

    def as_text(self) -> OutgoingMessage:
        """The same message as text with a link preview (the photo was refused)."""
        return replace(self, photo_url=None)

    def as_caption(self) -> OutgoingMessage:
        """The same content as a caption edit, for a message that turned out to be a photo
        (the empty photo_url means: keep the photo that is there)."""
        return replace(self, photo_url=self.photo_url or "", caption=self.caption or self.text)


class SendError(Exception):
    """A message could not be sent; subclasses say what to do about it."""


class ChatUnavailable(SendError):
    """The chat blocked the bot, is deleted, or cannot be found: stop sending to it."""


class ChatMigrated(SendError):
    """A group became a supergroup with a new id."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class RetryLater(SendError):
    """Telegram asked us to slow down (429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood control: retry after {retry_after:g} s")
        self.retry_after = retry_after


class TransientError(SendError):
    """Network trouble or a server error: worth another try."""


class PermanentError(SendError):
    """Telegram refused the request itself (400): retrying will not help."""


class PhotoRefused(PermanentError):
    """Telegram could not use the photo (bad link, not an image, wrong size)."""


class WrongMessageKind(PermanentError):
    """An edit of text hit a photo message, or an edit of a caption hit a text message."""


class Notifier(Protocol):
    """Sends, edits and deletes messages."""

    async def send(self, message: OutgoingMessage, *, broadcast: bool = False) -> int:
        """Send a message and return its message id."""
        ...

    async def edit(
        self, message: OutgoingMessage, message_id: int, *, broadcast: bool = False
    ) -> None:
        """Replace a sent message's text (its caption, for a photo card) and keyboard."""
        ...

    async def delete(self, chat_id: int, message_id: int, *, broadcast: bool = False) -> None:
        """Delete a sent message."""
        ...


# The language the bot writes to a chat in (LanguageService.of).
LanguageOf = Callable[[int], Awaitable[str]]


async def to_each_chat(
    chat_ids: Iterable[int],
    send: Callable[[int], Awaitable[object]],
    what: str,
    language_of: LanguageOf | None = None,
) -> int:
    """Run `send` for each chat (every admin, say); a chat that cannot be reached is logged
    and skipped so the others still hear. Return how many succeeded. With `language_of`,
    each `send` runs in that chat's language, so it should make its text inside."""
    done = 0
    for chat_id in sorted(chat_ids):
        language = await language_of(chat_id) if language_of else current_language()
        try:
            with using(language):
                await send(chat_id)
        except SendError as exc:
            log.warning("could not send %s to %s: %s", what, chat_id, exc)
        else:
            done += 1
    return done
