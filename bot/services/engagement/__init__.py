"""Engagement and growth: what readers do with each article, and how new readers arrive.

`counters`: `EngagementService` counts reactions, taps on related suggestions and opened
comments, each in the write that records it. `chart`: the statistics chart (matplotlib,
imported on first use, drawn in a thread). `deeplinks`: the t.me start links that subscribe
a reader with a source, an article or a topic. The figures themselves are read by
`services.delivery.stats`.
"""
