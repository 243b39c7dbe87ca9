"""Splitting a chained Ogg stream into its links, so that each is decoded on its own.

An Ogg file may be several complete streams one after the other (a "chained" stream: `cat a.ogg b.ogg`,
internet radio recordings). When a later link differs (another codec, sample rate or channel count), the Ogg
demuxer of the FFmpeg PyAV bundles gives up at the boundary, although each link is a valid file by itself. A
link starts at a page marked "beginning of stream" that follows a page that is not: the pages of one link's
first (BOS) pages come together, before any data page.

Only the page headers are read (27 bytes plus the segment table); nothing is decoded here. Bytes that are not
an Ogg page end the walk: they stay with the last link, for the demuxer to judge.
"""

from __future__ import annotations

import struct

MAX_LINKS = 256
"""Most links a chained Ogg stream may have; more are refused (each is opened as a file of its own, and
recordings have a handful)."""

_CAPTURE = b"OggS"
_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, sequence, CRC, segments
_BEGINNING_OF_STREAM = 0x02


class TooManyLinks(ValueError):
    """A chained Ogg stream with more than MAX_LINKS links."""


def ogg_links(body: bytes) -> list[bytes]:
    """The links of `body` when it is a chained Ogg stream of two or more links, else `[body]`.

    Raises TooManyLinks beyond MAX_LINKS.
    """
    if not body.startswith(_CAPTURE):
        return [body]
    starts = [0]
    offset = 0
    previous_began = True
    view = memoryview(body)
    while offset + _HEADER.size <= len(body):
        capture, version, flags, *_, segments = _HEADER.unpack_from(view, offset)
        table_end = offset + _HEADER.size + segments
        if capture != _CAPTURE or version != 0 or table_end > len(body):
            break
        begins = bool(flags & _BEGINNING_OF_STREAM)
        if begins and not previous_began and offset > 0:
            starts.append(offset)
            if len(starts) > MAX_LINKS:
                raise TooManyLinks(f"a chained Ogg stream of more than {MAX_LINKS} parts")
        previous_began = begins
        offset = table_end + sum(view[offset + _HEADER.size : table_end])
    if len(starts) == 1:
        return [body]
    ends = [*starts[1:], len(body)]
    return [body[start:end] for start, end in zip(starts, ends, strict=True)]
