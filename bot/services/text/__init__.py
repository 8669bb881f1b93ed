"""Pure functions the features share: no storage, no I/O, the current time passed in.

`formatting`: articles and digests as Telegram HTML that always parses and fits, escaping
and truncation. `sentences`: a language-agnostic sentence splitter. `summarize`: extractive
summaries. `tags`: one spelling for tags. `sections`: which of the publisher's SECTIONS fit
an article. `timeutil`: local-time rules for schedules, digests and admin-facing times.
"""
