"""Publishing an article to subscribers: fan-out into the outbox and progress reports."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import _, current_language, using
from bot.services.delivery.channel import ChannelService
from bot.services.delivery.engine import DeliveryEngine
from bot.services.messaging.notifier import (
    ChatUnavailable,
    LanguageOf,
    Notifier,
    OutgoingMessage,
    PermanentError,
    SendError,
)
from bot.services.text.formatting import button_title, escape
from bot.services.text.timeutil import next_digest_time
from storage.articles import ArticleRepository
from storage.broadcasts import Broadcast
from storage.deliveries import DeliveryRepository
from storage.models import DeliveryCounts

log = logging.getLogger(__name__)


def progress_text(
    title: str, counts: DeliveryCounts | None, digest_pending: int, done: bool
) -> str:
    """The admin's one message about a publication: the confirmation (no counts yet), then
    the live progress, then the outcome."""
    shown = escape(button_title(title, 80))
    if done:
        lines = [_("✅ Delivered <b>{title}</b>").format(title=shown)]
    else:
        lines = [_("📤 Sending <b>{title}</b>").format(title=shown)]
    if counts is None:
        lines.append(_("Published. Queuing it for subscribers; progress follows here."))
        return "\n".join(lines)
    remaining = counts.pending - digest_pending
    lines.append(
        _("Sent: {sent} · Failed: {failed} · Remaining: {remaining}").format(
            sent=counts.sent, failed=counts.failed, remaining=remaining
        )
    )
    if digest_pending:
        lines.append(_("Waiting for daily digests: {n}").format(n=digest_pending))
    if counts.ambiguous:
        lines.append(
            _("Resent after a restart (a reader may have two): {n}").format(n=counts.ambiguous)
        )
    return "\n".join(lines)


class BroadcastService:
    """Queues published articles for every matching subscriber and reports progress."""

    def __init__(
        self,
        articles: ArticleRepository,
        deliveries: DeliveryRepository,
        engine: DeliveryEngine,
        notifier: Notifier,
        clock: Clock,
        channel: ChannelService | None = None,
        language_of: LanguageOf | None = None,
    ) -> None:
        self.channel = channel
        # Progress is written in the admin's language (the job that edits it has none).
        self.language_of = language_of
        self.articles = articles
        self.deliveries = deliveries
        self.engine = engine
        self.notifier = notifier
        self.clock = clock
        self._shown: dict[int, str] = {}
        # Confirmations on their way: the progress job must not send a second message.
        self._confirming: set[int] = set()

    async def publish(self, article_id: int, admin_chat_id: int | None = None) -> int | None:
        """Mark the article published and queue it; return how many deliveries were queued,
        or None when it is no longer publishable (withdrawn, or published already)."""
        if not await self.deliveries.start_broadcast(article_id, admin_chat_id, self.clock.now()):
            log.warning("article %s was not published: it is no longer a draft", article_id)
            return None
        reachable = admin_chat_id is None or await self._confirm(article_id, admin_chat_id)
        added = await self._fanout(article_id)
        if not reachable:  # after the fan-out: an open broadcast is what resume() completes
            await self.deliveries.update_broadcast(article_id, finished_at=self.clock.now())
        return added

    async def _confirm(self, article_id: int, admin_chat_id: int) -> bool:
        """Tell the admin at once, in the message that then shows the progress: one message
        per publication, so the admin's chat never meets Telegram's per-chat limit."""
        article = await self.articles.get(article_id)
        with using(await self._language(admin_chat_id)):
            text = progress_text(article.title if article else f"#{article_id}", None, 0, False)
        message = OutgoingMessage(chat_id=admin_chat_id, text=text, disable_preview=True)
        self._confirming.add(article_id)
        try:
            message_id = await self.notifier.send(message, broadcast=True)
            self._shown[article_id] = text
            await self.deliveries.update_broadcast(article_id, progress_message_id=message_id)
        except SendError as exc:
            log.warning("could not confirm article %s to the admin: %s", article_id, exc)
            # A chat that cannot take it gets no progress either; otherwise the job retries.
            return not isinstance(exc, ChatUnavailable | PermanentError)
        finally:
            self._confirming.discard(article_id)
        return True

    async def _language(self, chat_id: int) -> str:
        return await self.language_of(chat_id) if self.language_of else current_language()

    async def _fanout(self, article_id: int) -> int:
        now = self.clock.now()
        due = {
            (zone, hour): next_digest_time(now, hour, ZoneInfo(zone))
            for zone, hour in await self.deliveries.digest_slots()
        }
        added = await self.deliveries.fanout(article_id, now, due)
        if self.channel is not None:
            await self.channel.queue(article_id, now)
        await self.deliveries.update_broadcast(article_id, fanout_done=True)
        log.info("article %s queued for %s subscribers", article_id, added)
        self.engine.wake()
        return added

    async def resume(self) -> None:
        """Finish fan-outs a crash interrupted (the fan-out is idempotent)."""
        for broadcast in await self.deliveries.open_broadcasts():
            if not broadcast.fanout_done:
                await self._fanout(broadcast.article_id)

    async def report_progress(self) -> None:
        """Send or edit each running broadcast's progress message; close finished ones."""
        for broadcast in await self.deliveries.open_broadcasts():
            if broadcast.article_id in self._confirming:
                continue
            try:
                await self._report(broadcast)
            except (ChatUnavailable, PermanentError) as exc:
                # The admin's chat cannot take it (never opened, blocked, message deleted):
                # stop reporting instead of failing every few seconds. Delivery goes on.
                log.warning(
                    "no more progress reports for article %s: %s", broadcast.article_id, exc
                )
                await self.deliveries.update_broadcast(
                    broadcast.article_id, finished_at=self.clock.now()
                )
            except SendError as exc:
                log.warning("progress report for article %s failed: %s", broadcast.article_id, exc)

    async def _report(self, broadcast: Broadcast) -> None:
        counts = await self.deliveries.counts(broadcast.article_id)
        instant_pending = await self.deliveries.pending_instant(broadcast.article_id)
        done = broadcast.fanout_done and instant_pending == 0
        if done or broadcast.admin_chat_id is None:
            await self.deliveries.update_broadcast(
                broadcast.article_id, finished_at=self.clock.now() if done else None
            )
        if done:
            log.info(
                "article %s delivered: %s sent, %s failed, %s waiting for digests",
                broadcast.article_id,
                counts.sent,
                counts.failed,
                counts.pending,
            )
        if broadcast.admin_chat_id is None:
            return
        article = await self.articles.get(broadcast.article_id)
        title = article.title if article else f"#{broadcast.article_id}"
        with using(await self._language(broadcast.admin_chat_id)):
            text = progress_text(title, counts, counts.pending - instant_pending, done)
        message = OutgoingMessage(chat_id=broadcast.admin_chat_id, text=text, disable_preview=True)
        if self._shown.get(broadcast.article_id) == text:
            return  # Telegram refuses an edit that changes nothing
        self._shown[broadcast.article_id] = text
        if done:
            self._shown.pop(broadcast.article_id, None)
        # Background traffic: a person waiting for an answer goes first, and the admin's chat
        # gets at most one message a second.
        if broadcast.progress_message_id is None:
            message_id = await self.notifier.send(message, broadcast=True)
            await self.deliveries.update_broadcast(
                broadcast.article_id, progress_message_id=message_id
            )
        else:
            await self.notifier.edit(message, broadcast.progress_message_id, broadcast=True)
