"""Pure functions the features share: no storage, no I/O, the current time passed in.

`formatting`: articles as Telegram HTML that always parses and fits, escaping and
truncation; `multipart`: the digest and long lists split into messages that each fit.
`sentences`: a language-agnostic sentence splitter. `summarize`: extractive summaries.
`tags`: one spelling for tags. `sections`: which of the publisher's SECTIONS fit an article.
`timeutil`: local-time rules for schedules, digests and admin-facing times.
"""
