"""Messages as services see them, with no Telegram types.

`notifier`: the `Notifier` protocol services send through, `OutgoingMessage`, `Button` and
the `SendError` kinds (implemented for Telegram in `bot/telegram_adapter`).
`article_messages`: `ArticleComposer`, the cached message of one stored article with the
reader buttons a `KeyboardProvider` adds (the HTML itself comes from `text.formatting`).
"""
