"""Bringing outside content in as articles.

`fetch`: fetching pages and feeds over HTTP without letting a URL reach private networks.
`extract`: turning web pages, pasted text and uploaded documents into `ExtractedArticle`s.
`problems`: why a page could not be used, as a reason code worded when an admin reads it.
"""
