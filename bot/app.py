"""Builds the PTB Application over our services and runs it (polling or webhook)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationBuilder, TypeHandler

from bot import handlers, jobs
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.container import Storage, build_services
from bot.handlers.channel import connect_channel
from bot.handlers.menus import set_command_menus
from bot.services.delivery.engine import EngineOptions
from bot.services.delivery.pacing import Pacer
from bot.services.operations.backups import prepare_dir
from bot.telegram_adapter.context import CONTEXT_TYPES, BotApplication, BotContext
from bot.telegram_adapter.lanes import BroadcastLanes
from bot.telegram_adapter.notifier import TelegramNotifier
from bot.telegram_adapter.rate_limiter import PacedRateLimiter
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    """Overrides used by tests and benchmarks; defaults are production's."""

    clock: Clock = field(default_factory=SystemClock)
    engine: EngineOptions | None = None
    poll_timeout: int = 10
    job_interval_scale: float = 1.0
    token_check_seconds: float = 300.0


def _job(callback: jobs.JobCallback) -> Callable[[BotContext], Coroutine[Any, Any, None]]:
    async def run(context: BotContext) -> None:
        try:
            await callback(context.services)
        except Exception:
            log.exception("scheduled job %s failed", callback.__name__)

    return run


async def _stamp(update: object, context: BotContext) -> None:
    if isinstance(update, Update):
        context.bot_data.update_started[update.update_id] = time.monotonic()


async def _log_latency(update: object, context: BotContext) -> None:
    if isinstance(update, Update):
        started = context.bot_data.update_started.pop(update.update_id, None)
        if started is not None:
            log.info(
                "update %s handled in %.0f ms",
                update.update_id,
                (time.monotonic() - started) * 1000,
            )


def build_app(
    settings: Settings, db: Database, options: RunOptions | None = None
) -> BotApplication:
    """The Application with services, handlers and jobs, not yet started."""
    opts = options or RunOptions()
    pacer = Pacer(settings.broadcast_rate)
    engine = opts.engine or EngineOptions()
    limiter = PacedRateLimiter(pacer)
    app = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(limiter)
        .concurrent_updates(True)
        # Two connections for getUpdates: PTB's shutdown clean-up call must not wait for the
        # long poll it is cancelling.
        .get_updates_connection_pool_size(2)
        .build()
    )
    # Every send in the delivery window may be on the network at once: broadcasts get lanes
    # of their own (small pools; see lanes.py), replies keep the main bot's connections.
    lanes = BroadcastLanes(
        settings.require_token(), settings.api_url, limiter, engine.max_in_flight
    )
    notifier = TelegramNotifier(app.bot, paid_broadcast=settings.paid_broadcast, lanes=lanes)
    storage = Storage.over(db)
    services = build_services(
        settings,
        storage,
        opts.clock,
        notifier,
        engine_options=engine,
        round_trips=pacer.round_trips,
    )
    app.bot_data.attach(services, storage)
    app.add_handler(TypeHandler(Update, _stamp), group=-100)
    handlers.register(app)
    app.add_handler(TypeHandler(Update, _log_latency), group=100)
    return app


async def on_startup(app: BotApplication, opts: RunOptions) -> None:
    services = app.bot_data.services
    await set_command_menus(app.bot, services.settings.admin_ids)
    await connect_channel(app, services)
    await services.broadcast.resume()
    services.engine.start()
    queue = app.job_queue
    if queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    for name, seconds, callback in jobs.JOBS:
        interval = max(0.05, seconds * opts.job_interval_scale)
        queue.run_repeating(
            _job(callback),
            interval=interval,
            first=interval / 2,
            name=name,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    log.info("newsbot started as @%s", app.bot.username)


async def on_shutdown(app: BotApplication) -> None:
    services = app.bot_data.services
    await services.engine.stop()
    if isinstance(services.notifier, TelegramNotifier):
        await services.notifier.close()


async def _connect(app: BotApplication, settings: Settings) -> None:
    """Connect to the Bot API; a wrong token or URL ends with one clear line, not a traceback."""
    try:
        await app.initialize()
    except (InvalidToken, NetworkError) as exc:
        # PTB leaves the connection of the failed getMe open when initialisation fails.
        await app.bot.request.shutdown()
        if isinstance(exc, InvalidToken):
            problem = f"TELEGRAM_BOT_TOKEN was rejected by the Bot API at {settings.api_url}"
        else:  # name the error type only: PTB's messages may quote request URLs
            problem = (
                f"TELEGRAM_API_URL {settings.api_url} cannot be reached ({type(exc).__name__})"
            )
        raise ConfigError(problem) from None


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    options: RunOptions | None = None,
    on_ready: Callable[[BotApplication], Any] | None = None,
) -> None:
    """Open the database, start the bot (polling, or webhook when WEBHOOK_URL is set), and
    run until `stop` is set. `newsbot run` and the end-to-end tests both use this."""
    opts = options or RunOptions()
    if settings.backup_dir is not None:
        await asyncio.to_thread(prepare_dir, settings.backup_dir)
    db = await Database.open(settings.database_path)
    try:
        app = build_app(settings, db, opts)
        await _connect(app, settings)
        async with app:
            await app.start()
            await on_startup(app, opts)
            assert app.updater is not None  # noqa: S101 - ApplicationBuilder always makes one
            if settings.webhook_url:
                await app.updater.start_webhook(
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=urlparse(settings.webhook_url).path.lstrip("/"),
                    webhook_url=settings.webhook_url,
                    # Telegram echoes the secret in a header, so forged updates are refused.
                    secret_token=settings.webhook_secret or secrets.token_urlsafe(32),
                    allowed_updates=Update.ALL_TYPES,
                )
            else:
                await app.updater.start_polling(
                    timeout=opts.poll_timeout, allowed_updates=Update.ALL_TYPES
                )
            if on_ready is not None:
                on_ready(app)
            revoked = asyncio.create_task(_token_revoked(app, opts.token_check_seconds))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({revoked, stopped}, return_when=asyncio.FIRST_COMPLETED)
            for task in (revoked, stopped):
                task.cancel()
            await asyncio.gather(revoked, stopped, return_exceptions=True)
            log.info("stopping")
            try:
                await app.updater.stop()
            except TelegramError as exc:  # e.g. the token was revoked: still stop cleanly
                log.warning("stopping the updater failed: %s", type(exc).__name__)
            await on_shutdown(app)
            await app.stop()
        if revoked.done() and not revoked.cancelled() and revoked.result():
            raise ConfigError("TELEGRAM_BOT_TOKEN was revoked while the bot was running")
    finally:
        await db.close()


async def _token_revoked(app: BotApplication, every: float) -> bool:
    """Return True once Telegram rejects the token.

    PTB's polling loop stops for good on a rejected token but leaves the process running,
    deaf; a periodic getMe turns that into a clean exit with a clear message."""
    while True:
        await asyncio.sleep(every)
        try:
            await app.bot.get_me()
        except InvalidToken:
            log.critical("the Bot API rejects the token now: stopping")
            return True
        except TelegramError as exc:  # a network hiccup is not a revoked token
            log.warning("token check failed: %s", type(exc).__name__)


def run_forever(settings: Settings) -> None:
    """`newsbot run`: serve until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    asyncio.run(main())
