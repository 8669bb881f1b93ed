"""RSS/Atom feeds that publish automatically.

`parse`: RSS and Atom documents as plain, typed entries. `service`: `FeedService`, adding
feeds, polling those that are due and turning new entries into drafts or published articles
(through `publishing.workflow`).
"""
