"""Bringing outside content in as articles.

`fetch`: fetching pages and feeds over HTTP without letting a URL reach private networks;
`charset`: decoding what was fetched as browsers do.
`extract`: turning web pages, pasted text and uploaded documents into `ExtractedArticle`s.
`problems`: why a page or feed could not be used: reason codes, and the one place they are
worded (when someone reads them, in their language).
"""
