"""Readers: what a subscriber does with the articles they receive.

`subscriptions`: subscribing, unsubscribing, schedule, time zone and topics of a chat.
`comments`: readers' comments, their rate limit and moderation. `reply_targets`: which
article a reply or a pressed button is about, from the records or, once retention pruned
them, from the bot's message itself. `related`: related-article
suggestions computed from content similarity. `buttons`: the reader buttons under each
article message, and opening an article from one.
"""
