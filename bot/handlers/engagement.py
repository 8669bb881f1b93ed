"""Readers' reactions to article messages (Bot API `message_reaction` updates)."""

from __future__ import annotations

from telegram import ReactionType, ReactionTypeCustomEmoji, ReactionTypeEmoji, Update
from telegram.ext import MessageReactionHandler

from bot.telegram_adapter.context import BotApplication, BotContext


def reaction_key(reaction: ReactionType) -> str:
    """How a reaction is counted: its emoji, 'custom:<id>' for a custom emoji, else its type."""
    if isinstance(reaction, ReactionTypeEmoji):
        return str(reaction.emoji)
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return str(reaction.type)  # "paid" (a star reaction)


async def reaction_changed(update: Update, context: BotContext) -> None:
    """A reader added, changed or took back a reaction to one of our messages."""
    change = update.message_reaction
    if change is None:
        return
    await context.services.engagement.reaction_changed(
        change.chat.id,
        change.message_id,
        [reaction_key(r) for r in change.old_reaction],
        [reaction_key(r) for r in change.new_reaction],
    )


def register(app: BotApplication) -> None:
    """Register the reaction handler (only per-user updates: a message's anonymous totals,
    `message_reaction_count`, come from channels, which do not subscribe)."""
    per_user = MessageReactionHandler.MESSAGE_REACTION_UPDATED
    app.add_handler(MessageReactionHandler(reaction_changed, message_reaction_types=per_user))
