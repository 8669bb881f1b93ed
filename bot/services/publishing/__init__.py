"""Publishing: how articles come to exist, go out and change (the admin's side).

`drafts`: a link, pasted text or a document becomes a draft. `preview`: the admin's preview
of a draft (a header saying whom it reaches and where it came from, section toggles).
`workflow`: `PublishingService`, what /publish and its buttons do: drafts, duplicates,
publishing now or at a time (handing the article to `delivery.fanout`).
`corrections`: /edit and /unpublish of articles already sent. `archive`: importing an
article archive (JSON Lines) that is stored but never delivered.
"""
