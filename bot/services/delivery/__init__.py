"""Delivery: getting a published article to every subscriber, paced and crash-safe.

`fanout`: `BroadcastService` turns a published article into outbox rows (one per chat) and
reports progress to the admin. `engine`: `DeliveryEngine` streams due outbox rows to the
Notifier, through `sending` (`Sender`: one message to one chat) and `outcomes` (`Outcomes`:
sent, retried or given up). `pacing`: the global send budget shared with replies to people,
and per-chat gaps. `recorder`: group commit of sent rows. `stats`: subscriber and delivery
figures for /stats. `channel`: the publisher's channel as one more delivery target, and
which article a discussion-group copy of a channel post shows.
Publishing decides what goes out and when (`services.publishing`); delivery only sends it.
"""
