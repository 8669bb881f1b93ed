"""Decoding a downloaded document's bytes as browsers do: byte-order mark, declared charset,
<meta> or XML declaration, UTF-8, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Only the start of the document is searched for a declared charset, as browsers do.
_SNIFF_BYTES = 4096
_DETECT_BYTES = 200_000
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)["']""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_body(body: bytes, declared: str | None = None) -> str:
    """Decode bytes: BOM, declared charset, meta/XML declaration, then UTF-8, then detection."""
    for candidate in (_bom_charset(body), declared, _sniff_charset(body)):
        codec = _codec(candidate)
        if codec is not None:
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:_DETECT_BYTES]).best()
    codec = _codec(best.encoding if best is not None else None)
    return body.decode(codec or "utf-8", errors="replace")


def _bom_charset(body: bytes) -> str | None:
    """Return the encoding named by a byte-order mark, which overrides any declaration."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def _sniff_charset(body: bytes) -> str | None:
    """Find a <meta charset> / http-equiv declaration or an XML encoding."""
    head = body[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(name: str | None) -> str | None:
    """Return a Python codec name for a charset label, or None if unknown."""
    if not name:
        return None
    label = name.strip().lower()
    # Browsers treat these labels as their supersets; so should we.
    label = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252"}.get(label, label)
    try:
        return str(codecs.lookup(label).name)
    except LookupError:
        return None
