"""Messages as services see them, with no Telegram types.

`notifier`: the `Notifier` protocol services send through, `OutgoingMessage`, `Button` and
the `SendError` kinds (implemented for Telegram in `bot/telegram_adapter`).
`callback_data`: every button's data as a typed kind (`pack()`, `parse()`, `pattern()`).
`article_messages`: `ArticleComposer`, the cached message of one stored article with the
reader buttons a `KeyboardProvider` adds (the HTML itself comes from `text.formatting`).
`shown_articles`: `ShownArticles`, which article a bot message shows (replies, buttons,
previews), and opening an article for a reader.
"""
