"""Bringing outside content in as articles.

`fetch`: fetching pages and feeds over HTTP without letting a URL reach private networks.
`extract`: turning web pages, pasted text and uploaded documents into `ExtractedArticle`s.
"""
