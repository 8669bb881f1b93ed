"""The Telegram adapter: what sits between python-telegram-bot and the services.

It owns the services' `Notifier` implemented with a PTB bot (`notifier`), the mapping of
Telegram's errors onto the services' `SendError` kinds (`errors`), and the PTB rate limiter
that sends every call through the shared `Pacer` (`rate_limiter`). Handlers, jobs and
`bot/app.py` use it; services never import it (they see only `bot.services.messaging`).
"""
