"""Comment moderation for admins: /ban, /unban and the buttons under new comments."""

from __future__ import annotations

import html

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers.permissions import require_admin
from bot.handlers.replies import callback_is_genuine, edit_query_message, user_id
from bot.handlers.replies import reply as answer_message
from bot.i18n import _
from bot.services.messaging.callback_data import ModerateComment
from bot.services.messaging.notifier import EXPIRED
from bot.telegram_adapter.context import BotApplication, BotContext


def _target_user(args: list[str]) -> int | None:
    if len(args) == 1 and args[0].lstrip("-").isdecimal() and len(args[0]) <= 20:
        return int(args[0])
    return None


async def _ban_or_unban(update: Update, context: BotContext, ban: bool) -> None:
    if not await require_admin(update, context):
        return
    command = "/ban" if ban else "/unban"
    target = _target_user(context.args or [])
    if target is None:
        given = html.escape(" ".join(context.args or [])[:64])
        what = _("{given} is not a user id.").format(given=repr(given)) + " " if given else ""
        usage = _(
            "Usage: <code>{command} &lt;user id&gt;</code> — the id is shown in each "
            "new-comment notice."
        ).format(command=command)
        await answer_message(update, what + usage)
        return
    service = context.services.moderation
    outcome = await (service.ban(target, user_id(update)) if ban else service.unban(target))
    await answer_message(update, outcome.text)


async def ban_command(update: Update, context: BotContext) -> None:
    """/ban <user id>: refuse the user's future comments."""
    await _ban_or_unban(update, context, ban=True)


async def unban_command(update: Update, context: BotContext) -> None:
    """/unban <user id>: let the user comment again."""
    await _ban_or_unban(update, context, ban=False)


async def moderation_button(update: Update, context: BotContext) -> None:
    """Approve, Reject, Hide and Ban under a new-comment notice."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not await require_admin(update, context):
        return
    button = ModerateComment.parse(query.data)
    message = query.message
    if button is None or not isinstance(message, Message) or not callback_is_genuine(query):
        await query.answer(_(EXPIRED))
        return
    name = update.effective_user.full_name if update.effective_user else ""
    outcome = await context.services.moderation.moderate(button.action, button.comment_id, name)
    await query.answer(outcome.text if not outcome.ok else None)
    # The buttons go either way: the comment is settled, or the notice was stale.
    note = f"\n\n{outcome.text}" if outcome.ok else ""
    await edit_query_message(query, message.text_html + note, None)


def register(app: BotApplication) -> None:
    """Register moderation handlers."""
    app.add_handler(CommandHandler("ban", ban_command))
    app.add_handler(CommandHandler("unban", unban_command))
    app.add_handler(CallbackQueryHandler(moderation_button, pattern=ModerateComment.pattern()))
