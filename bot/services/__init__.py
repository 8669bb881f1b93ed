"""Domain logic, with no Telegram types (ruff's TID251 keeps `telegram` out).

One package per capability; each package's docstring says what it owns:

- `messaging`: what services need from a messenger (`Notifier`, `OutgoingMessage`, `Button`,
  the send errors), every button's typed callback data, the cached article messages readers
  receive, and which article a bot message shows.
- `delivery`: from a published article to messages in chats: fan-out into the outbox, the
  engine that sends it, pacing, the record of what was sent, statistics.
- `publishing`: how articles come to exist and change: drafts and previews, publishing now
  or at a time, corrections and withdrawals, importing an archive.
- `readers`: what readers do with articles: subscriptions, comments, related articles and the
  buttons under each article.
- `engagement`: what readers do with each article (reactions, taps, opened comments), the
  statistics chart, and the deep links that bring new readers.
- `feeds`: RSS/Atom feeds: parsing, polling, turning entries into articles.
- `ingest`: bringing outside content in: fetching URLs without reaching private networks, and
  extracting articles from pages, pasted text and documents.
- `text`: pure functions with no storage or I/O: Telegram HTML formatting, sentences,
  summaries, tag spelling, local-time rules.
- `operations`: running unattended: daily backups, and retention (compacting old records into
  per-article totals and pruning what expired, so the database stays bounded).

Services talk to storage through the repositories in `storage/` and to Telegram only through
the `Notifier` protocol, which `bot/telegram_adapter` implements.
"""
