"""Readers: what a subscriber does with the articles they receive.

`subscriptions`: subscribing, unsubscribing, schedule, time zone and topics of a chat.
`comments`: readers' comments, their rate limit and moderation. `related`: related-article
suggestions computed from content similarity. `buttons`: the reader buttons under each
article message, and opening an article from one.
"""
