"""Readers: what a subscriber does with the articles they receive.

`subscriptions`: subscribing, unsubscribing, schedule, time zone and topics of a chat.
`comments`: readers' comments, their rate limit and paged lists; `moderation`: the admins'
notices of comments, their decisions and bans; `prompts`: Comment prompts
between being sent and being recorded. `related`: related-article suggestions, scored by
`similarity`. `buttons`: the reader buttons under each article message. `search`:
/search and inline queries. Which article a message shows, and opening one for a reader, is
`messaging.shown_articles` (publishing asks it too).
"""
