"""/articles, /unpublish and /edit (admins): what was published and corrections to it.

/unpublish asks first: it shows the article and what withdrawing would do to readers'
messages, and only the confirmation button changes anything (a mistyped id must not
withdraw the wrong story from every chat).
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers.permissions import require_admin
from bot.handlers.replies import edit_query_message, reply
from bot.i18n import N_, _, ngettext
from bot.services.delivery.stats import status_label
from bot.services.messaging.callback_data import ConfirmWithdrawal
from bot.services.messaging.notifier import EXPIRED, Button
from bot.services.publishing.corrections import MessagesChanged, WithdrawalPlan
from bot.services.publishing.drafts import PublishError, describe
from bot.services.text.formatting import button_title, escape, quoted
from bot.services.text.timeutil import format_local
from bot.telegram_adapter.context import BotApplication, BotContext
from bot.telegram_adapter.notifier import to_markup

EDIT_USAGE = N_(
    "Correct an article already sent:\n"
    "<code>/edit 12 title New headline</code>\n"
    "<code>/edit 12 summary New summary text</code>"
)
UNPUBLISH_USAGE = N_(
    "Withdraw an article: <code>/unpublish 12</code> (/articles shows the numbers). "
    "You are asked to confirm first."
)
_EDIT = re.compile(r"^/edit(?:@\w+)?\s+#?(\d{1,18})\s+(\w+)\s*(.*)$", re.IGNORECASE | re.DOTALL)


async def articles_command(update: Update, context: BotContext) -> None:
    """/articles: scheduled articles first, then the latest published ones."""
    if not await require_admin(update, context):
        return
    services = context.services
    tz = services.settings.timezone
    lines = []
    for article in await services.publishing.listing():
        moment = article.published_at or article.scheduled_at or article.created_at
        status = status_label(article.status, article.published_at)
        lines.append(
            f"<b>#{article.id}</b> {status} · {escape(format_local(moment, tz))}\n"
            f"    {escape(button_title(article.title, 80))}"
        )
    if not lines:
        await reply(update, _("No articles yet. /publish sends the first one."))
        return
    await reply(update, _("📰 <b>Articles</b>") + "\n\n" + "\n".join(lines))


def _digest_note(changed: MessagesChanged) -> str:
    if not changed.digests:
        return ""
    return "\n" + ngettext(
        "{n} daily digest message listing it was left as it is, because it lists several "
        "articles.",
        "{n} daily digest messages listing it were left as they are, because each lists "
        "several articles.",
        changed.digests,
    ).format(n=changed.digests)


def _reach_note(out_of_reach: int) -> str:
    if not out_of_reach:
        return ""
    return "\n" + ngettext(
        "{n} older message is out of reach and stayed as sent: message records are kept "
        "for RETENTION_DAYS days.",
        "{n} older messages are out of reach and stayed as sent: message records are kept "
        "for RETENTION_DAYS days.",
        out_of_reach,
    ).format(n=out_of_reach)


def confirmation_text(plan: WithdrawalPlan, tz: ZoneInfo) -> str:
    """What /unpublish would do, for the admin to confirm."""
    article = plan.article
    head = f"<b>{escape(describe(article, tz))}</b>"
    if article.status == "scheduled":
        return _(
            "✖ Cancel the scheduled article {article}?\n"
            "It has not been sent to anyone yet; it will not be sent."
        ).format(article=head)
    lines = [_("🗑 Withdraw {article}?").format(article=head)]
    counted = (
        ngettext(
            "• {n} reader's message will be deleted",
            "• {n} readers' messages will be deleted",
            plan.to_delete,
        ),
        ngettext(
            "• {n} message older than 48 hours will be edited to say it was withdrawn",
            "• {n} messages older than 48 hours will be edited to say it was withdrawn",
            plan.to_edit,
        ),
        ngettext(
            "• {n} pending delivery will be cancelled",
            "• {n} pending deliveries will be cancelled",
            plan.pending,
        ),
        ngettext(
            "• {n} daily digest listing it will stay as it is",
            "• {n} daily digests listing it will stay as they are",
            plan.digests,
        ),
        ngettext(
            "• {n} older message can no longer be reached (past RETENTION_DAYS) and will "
            "stay as it is",
            "• {n} older messages can no longer be reached (past RETENTION_DAYS) and will "
            "stay as they are",
            plan.out_of_reach,
        ),
    )
    counts = (plan.to_delete, plan.to_edit, plan.pending, plan.digests, plan.out_of_reach)
    lines += [text.format(n=n) for text, n in zip(counted, counts, strict=True) if n]
    if len(lines) == 1:
        lines.append(_("• No reader has it yet; nothing more will be sent."))
    lines.append(_("This cannot be undone."))
    return "\n".join(lines)


def _confirm_keyboard(plan: WithdrawalPlan) -> tuple[tuple[Button, ...], ...]:
    article_id = plan.article.id
    if plan.article.status == "scheduled":
        action = _("✖ Cancel it #{id}").format(id=article_id)
    else:
        action = _("🗑 Withdraw #{id}").format(id=article_id)
    return (
        (
            Button(action, ConfirmWithdrawal("y", article_id).pack()),
            Button(_("Keep it"), ConfirmWithdrawal("n", article_id).pack()),
        ),
    )


def result_text(changed: MessagesChanged) -> str:
    """What withdrawing did."""
    article = changed.article
    title = f"#{article.id} {escape(quoted(article.title))}"
    if changed.was_scheduled:
        return _("✖ Cancelled the scheduled article {article}. It was never sent.").format(
            article=title
        )
    text = _(
        "🗑 Withdrew {article}.\n"
        "Pending deliveries cancelled: {cancelled}\n"
        "Messages deleted: {deleted}\n"
        "Messages too old to delete, marked as withdrawn: {edited}"
    ).format(
        article=title,
        cancelled=changed.cancelled,
        deleted=changed.deleted,
        edited=changed.edited,
    )
    if changed.failed:
        text += "\n" + _("Messages that could not be changed: {n}").format(n=changed.failed)
    return text + _digest_note(changed) + _reach_note(changed.out_of_reach)


async def unpublish_command(update: Update, context: BotContext) -> None:
    """/unpublish <id>: show what withdrawing would do and ask for confirmation."""
    if not await require_admin(update, context):
        return
    args = context.args or []
    message = update.effective_message
    if len(args) != 1 or not args[0].lstrip("#").isdecimal() or message is None:
        await reply(update, _(UNPUBLISH_USAGE))
        return
    services = context.services
    try:
        plan = await services.corrections.plan_withdrawal(int(args[0].lstrip("#")))
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}")
        return
    await message.reply_text(
        confirmation_text(plan, services.settings.timezone),
        parse_mode=ParseMode.HTML,
        reply_markup=to_markup(_confirm_keyboard(plan)),
        disable_web_page_preview=True,
    )


async def unpublish_button(update: Update, context: BotContext) -> None:
    """The confirmation's buttons: withdraw (or cancel the schedule), or keep the article."""
    query = update.callback_query
    if query is None or not await require_admin(update, context):
        return
    button = ConfirmWithdrawal.parse(query.data)
    if button is None:
        await query.answer(_(EXPIRED))
        return
    article_id = button.article_id
    if button.action == "n":
        await query.answer(_("Nothing changed."))
        await edit_query_message(
            query, _("Kept #{id}; nothing changed.").format(id=article_id), None
        )
        return
    try:
        changed = await context.services.corrections.withdraw(article_id)
    except PublishError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
        await edit_query_message(query, f"❌ {escape(str(exc))}", None)
        return
    await query.answer(_("Cancelled.") if changed.was_scheduled else _("Withdrawn."))
    await edit_query_message(query, result_text(changed), None)


async def edit_command(update: Update, context: BotContext) -> None:
    """/edit <id> title|summary <text>: correct an article and its sent messages."""
    if not await require_admin(update, context):
        return
    message = update.effective_message
    match = _EDIT.match(message.text or "") if message else None
    if match is None:
        await reply(update, _(EDIT_USAGE))
        return
    services = context.services
    article_id, field, text = int(match[1]), match[2].lower(), match[3]
    try:
        changed = await services.corrections.edit(article_id, field, text)
    except PublishError as exc:
        await reply(update, f"❌ {escape(str(exc))}\n\n{_(EDIT_USAGE)}")
        return
    if field == "title":
        answer = _("✏️ Updated the title of #{id}. Messages updated: {n}")
    else:
        answer = _("✏️ Updated the summary of #{id}. Messages updated: {n}")
    answer = answer.format(id=article_id, n=changed.edited)
    if changed.failed:
        answer += "\n" + _("Messages that could not be updated: {n}").format(n=changed.failed)
    await reply(update, answer + _digest_note(changed) + _reach_note(changed.out_of_reach))


def register(app: BotApplication) -> None:
    """Register /articles, /unpublish and /edit."""
    app.add_handler(CommandHandler("articles", articles_command))
    app.add_handler(CommandHandler("unpublish", unpublish_command))
    app.add_handler(CallbackQueryHandler(unpublish_button, pattern=ConfirmWithdrawal.pattern()))
    app.add_handler(CommandHandler("edit", edit_command))
