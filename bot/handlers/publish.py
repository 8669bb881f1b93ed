"""/publish (admins): a link, text, a replied-to message or a document becomes a draft.

The admin gets the article exactly as subscribers will see it, with buttons to publish now,
schedule or cancel; nothing reaches subscribers before one of them is pressed. `/publish`
works as a reply to any message (admins only), so replying to a forwarded text or file
publishes it; a document can also carry `/publish` as its caption.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import CallbackQuery, Document, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.container import Services
from bot.handlers.permissions import require_admin
from bot.handlers.replies import reply
from bot.i18n import N_, _
from bot.services.ingest.extract import ExtractedArticle
from bot.services.messaging.callback_data import PublishAction, ToggleSection
from bot.services.messaging.notifier import EXPIRED, OutgoingMessage, SendError
from bot.services.publishing.drafts import (
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    PublishError,
    describe,
    load_document,
    load_text,
    load_url,
)
from bot.services.publishing.workflow import DuplicateFound
from bot.services.text.formatting import escape
from bot.services.text.timeutil import (
    ACCEPTED_FORMS,
    TimeParseError,
    format_local,
    parse_local_datetime,
)
from bot.telegram_adapter.context import BotApplication, BotContext

log = logging.getLogger(__name__)

USAGE = N_(
    "How to publish:\n"
    "<code>/publish https://…</code> — an article from a web page\n"
    "<code>/publish Headline</code>, then the article text on the next lines\n"
    "<code>/publish</code> as a reply to a message, or to a .txt, .md or .html file\n"
    "<code>/publish at 2026-12-01 08:00 …</code> — any of these, scheduled\n\n"
    "<b>Topics.</b> Readers who follow topics get only articles tagged with one of them; "
    "an article with no tag reaches only readers who follow everything. Tag pasted text with a "
    "last line <code>tags: politics, town hall</code> or with #hashtags in the text; web "
    "pages bring their own tags.\n"
    "{sections}\n\n"
    "You get a preview first, saying how many readers it reaches; nothing is sent before you "
    "confirm."
)
NO_SECTIONS = N_(
    "<b>Sections.</b> None are set: with <code>SECTIONS=politics, sport, …</code> in the "
    "settings, readers choose among those and you pick an article's sections on its preview."
)
WITH_SECTIONS = N_(
    "<b>Sections:</b> {names}. The preview suggests sections from the text and tags; tap "
    "them to change before publishing. Readers choose among these."
)
_COMMAND = re.compile(r"^/publish(?:@\w+)?", re.IGNORECASE)
# Lower-case only: a headline may well start with "At".
_AT = re.compile(r"^at\s")


def usage(sections: tuple[str, ...]) -> str:
    """How to publish, including tags and the publisher's sections."""
    names = ", ".join(f"#{escape(s)}" for s in sections)
    note = _(WITH_SECTIONS).format(names=names) if sections else _(NO_SECTIONS)
    return _(USAGE).format(sections=note)


def _after_command(text: str) -> str:
    match = _COMMAND.match(text)
    return (text[match.end() :] if match else text).strip()


def _is_url(text: str) -> bool:
    return len(text.split()) == 1 and text.lower().startswith(("http://", "https://"))


def split_schedule(rest: str, services: Services) -> tuple[datetime | None, str]:
    """Take a leading "at <time>" off the command's text; return (time or None, the rest)."""
    if not _AT.match(rest):
        return None, rest
    first, _newline, remainder = rest.partition("\n")
    tokens = first.split()[1:]
    errors: list[TimeParseError] = []
    # The time is one to three words ("08:00", "tomorrow 08:00", "in 2 hours"): longest first.
    for count in (3, 2, 1):
        if len(tokens) < count:
            continue
        try:
            when = parse_local_datetime(
                " ".join(tokens[:count]), services.settings.timezone, services.clock.now()
            )
        except TimeParseError as exc:
            errors.append(exc)
            continue
        return when, (" ".join(tokens[count:]) + "\n" + remainder).strip()
    specific = [e for e in errors if not e.unreadable]
    if specific or errors:
        raise PublishError(str((specific or errors)[0]))
    raise PublishError(_("Put a time after “at”.") + " " + _(ACCEPTED_FORMS))


async def _from_document(document: Document, context: BotContext) -> ExtractedArticle:
    name = document.file_name or ""
    if not name.lower().endswith(DOCUMENT_TYPES):
        raise PublishError(_("Unsupported file type: send a .txt, .md or .html file."))
    if document.file_size and document.file_size > MAX_DOCUMENT_BYTES:
        raise PublishError(
            _("The file is larger than {size} MB.").format(size=MAX_DOCUMENT_BYTES // 1_000_000)
        )
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        raise PublishError(
            _("I could not download the file ({error}).").format(error=exc)
        ) from exc
    return load_document(name, data)


async def _source(message: Message, rest: str, context: BotContext) -> ExtractedArticle | None:
    """The article the admin means, or None when the command says nothing to publish."""
    allow_private = context.services.settings.allow_private_urls
    if rest:
        return (
            await load_url(rest, allow_private=allow_private) if _is_url(rest) else load_text(rest)
        )
    if message.document is not None:
        return await _from_document(message.document, context)
    replied = message.reply_to_message
    if replied is None:
        return None
    if replied.document is not None:
        return await _from_document(replied.document, context)
    text = (replied.text or replied.caption or "").strip()
    if not text:
        raise PublishError(_("That message has no text to publish."))
    return await load_url(text, allow_private=allow_private) if _is_url(text) else load_text(text)


async def publish_command(update: Update, context: BotContext) -> None:
    """/publish in any of its forms: answer with a preview and the admin's buttons."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await require_admin(update, context):
        return
    services = context.services
    try:
        when, rest = split_schedule(
            _after_command(message.text or message.caption or ""), services
        )
        extracted = await _source(message, rest, context)
        if extracted is None:
            await reply(update, usage(services.settings.sections))
            return
        outcome = await services.publishing.create_draft(
            extracted,
            created_by=update.effective_user.id if update.effective_user else None,
            schedule_at=when,
        )
        if isinstance(outcome, DuplicateFound):
            earlier = describe(outcome.earlier, services.settings.timezone)
            await reply(
                update,
                _("⚠️ This was published before: {article}. Nothing new was stored.").format(
                    article=escape(earlier)
                ),
            )
            return
        await services.publishing.send_preview(outcome.article.id, chat.id)
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}")


async def publish_button(update: Update, context: BotContext) -> None:
    """The preview's buttons: publish now, schedule, or cancel."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not await require_admin(update, context):
        return
    button, section = PublishAction.parse(query.data), ToggleSection.parse(query.data)
    target = button or section
    if target is None:
        await query.answer(_(EXPIRED))
        return
    services = context.services
    article_id = target.article_id
    # Only a live preview of this very draft may act on it (ids of deleted drafts get reused).
    shown = query.message.message_id if query.message else 0
    if not await services.shown.shows(chat.id, shown, article_id):
        await query.answer(_(EXPIRED))
        return
    if button is None:
        if section is not None:
            await _toggle_section(services, query, chat.id, article_id, section.index)
        return
    action = button.action
    tz = services.settings.timezone
    try:
        if action == "now":
            article = await services.publishing.publish_now(article_id, chat.id)
            status = _("✅ Publishing #{id}. Delivery progress follows.").format(id=article.id)
        elif action == "x":
            article = await services.publishing.cancel(article_id)
            status = _("✖ Draft #{id} discarded; nothing was sent.").format(id=article.id)
        else:
            article = await services.publishing.schedule(article_id, action)
            when = format_local(article.scheduled_at or services.clock.now(), tz)
            status = _("⏰ #{id} is scheduled for {time}. /unpublish {id} cancels it.").format(
                id=article.id, time=when
            )
    except PublishError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
        return
    await query.answer(status[:200])
    # Publishing now says so in its progress message (one message per publication).
    note = None if action == "now" else status
    await _settle_preview(services, query.message, article.id, action == "x", note)


async def _toggle_section(
    services: Services, query: CallbackQuery, chat_id: int, article_id: int, index: int
) -> None:
    """A section button on the preview: flip it and show the preview again, counts and all."""
    try:
        article = await services.publishing.toggle_section(article_id, index)
        preview = await services.publishing.preview(article_id, chat_id)
    except PublishError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
        return
    chosen = [s for s in services.settings.sections if s in article.tags]
    shown = _("Sections: {names}").format(names=", ".join(chosen)) if chosen else _("No section")
    await query.answer(shown[:200])
    if query.message is not None:
        try:
            await services.notifier.edit(preview, query.message.message_id)
        except SendError as exc:
            log.warning("could not update preview %s: %s", query.message.message_id, exc)


async def _settle_preview(
    services: Services, preview: object, article_id: int, discarded: bool, status: str | None
) -> None:
    """Take the admin buttons off the preview and say what happened under it."""
    if not isinstance(preview, Message):
        return
    view = (
        None if discarded else await services.publishing.reader_view(article_id, preview.chat_id)
    )
    try:
        if view is not None:
            # Paced like background traffic: when publishing, the confirmation has just gone
            # to this chat, and Telegram allows about one message a second per chat.
            await services.notifier.edit(view, preview.message_id, broadcast=True)
        else:
            gone = OutgoingMessage(preview.chat_id, f"<i>{escape(status or '')}</i>")
            await services.notifier.edit(gone, preview.message_id)
            return
        if status is not None:
            note = OutgoingMessage(preview.chat_id, escape(status), reply_to=preview.message_id)
            await services.notifier.send(note)
    except SendError as exc:
        log.warning("could not update preview %s: %s", preview.message_id, exc)


def register(app: BotApplication) -> None:
    """Register /publish, documents captioned /publish, and the preview buttons."""
    app.add_handler(CommandHandler("publish", publish_command))
    app.add_handler(
        MessageHandler(
            filters.Document.ALL & filters.CaptionRegex(r"^/publish(@\w+)?(\s|$)"),
            publish_command,
        )
    )
    app.add_handler(CallbackQueryHandler(publish_button, pattern=PublishAction.pattern()))
