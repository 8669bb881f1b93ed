"""/articles, /unpublish and /edit (admins): what was published and corrections to it."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.handlers.common import get_services, reply, require_admin
from bot.services.publishing.corrections import MessagesChanged
from bot.services.publishing.drafts import PublishError
from bot.services.text.formatting import button_title, escape
from bot.services.text.timeutil import format_local

EDIT_USAGE = (
    "Correct an article already sent:\n"
    "<code>/edit 12 title New headline</code>\n"
    "<code>/edit 12 summary New summary text</code>"
)
UNPUBLISH_USAGE = "Withdraw an article: <code>/unpublish 12</code> (/articles shows the numbers)."
_EDIT = re.compile(r"^/edit(?:@\w+)?\s+#?(\d{1,18})\s+(\w+)\s*(.*)$", re.IGNORECASE | re.DOTALL)
_STATUS = {"scheduled": "⏰ scheduled", "published": "✅ published", "withdrawn": "🗑 withdrawn"}


async def articles_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/articles: scheduled articles first, then the latest published ones."""
    if not await require_admin(update, context):
        return
    services = get_services(context)
    tz = services.settings.timezone
    lines = []
    for article in await services.publishing.listing():
        moment = article.published_at or article.scheduled_at or article.created_at
        status = _STATUS.get(article.status, article.status)
        lines.append(
            f"<b>#{article.id}</b> {status} · {escape(format_local(moment, tz))}\n"
            f"    {escape(button_title(article.title, 80))}"
        )
    if not lines:
        await reply(update, "No articles yet. /publish sends the first one.")
        return
    await reply(update, "📰 <b>Articles</b>\n\n" + "\n".join(lines))


def _digest_note(changed: MessagesChanged) -> str:
    if not changed.digests:
        return ""
    return (
        f"\n{changed.digests} daily digest message(s) listing it were left as they are, "
        "because each lists several articles."
    )


async def unpublish_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unpublish <id>: withdraw an article and its messages."""
    if not await require_admin(update, context):
        return
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdecimal():
        await reply(update, UNPUBLISH_USAGE)
        return
    services = get_services(context)
    try:
        changed = await services.corrections.withdraw(int(args[0].lstrip("#")))
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}")
        return
    text = (
        f"🗑 Withdrew #{changed.article.id} “{escape(changed.article.title)}”.\n"
        f"Pending deliveries cancelled: {changed.cancelled}\n"
        f"Messages deleted: {changed.deleted}\n"
        f"Messages too old to delete, marked as withdrawn: {changed.edited}"
    )
    if changed.failed:
        text += f"\nMessages that could not be changed: {changed.failed}"
    await reply(update, text + _digest_note(changed))


async def edit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/edit <id> title|summary <text>: correct an article and its sent messages."""
    if not await require_admin(update, context):
        return
    message = update.effective_message
    match = _EDIT.match(message.text or "") if message else None
    if match is None:
        await reply(update, EDIT_USAGE)
        return
    services = get_services(context)
    article_id, field, text = int(match[1]), match[2].lower(), match[3]
    try:
        changed = await services.corrections.edit(article_id, field, text)
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}\n\n{EDIT_USAGE}")
        return
    answer = f"✏️ Updated the {field} of #{article_id}. Messages updated: {changed.edited}"
    if changed.failed:
        answer += f"\nMessages that could not be updated: {changed.failed}"
    await reply(update, answer + _digest_note(changed))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Register /articles, /unpublish and /edit."""
    app.add_handler(CommandHandler("articles", articles_command))
    app.add_handler(CommandHandler("unpublish", unpublish_command))
    app.add_handler(CommandHandler("edit", edit_command))
