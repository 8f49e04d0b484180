#!/usr/bin/env python3
"""Independent PNG checker for the Swift tests (standard library only: zlib, struct, json).

Parses a PNG, checks the signature, every chunk's CRC-32, the IHDR fields and the chunk
order, inflates the IDAT data, undoes the per-row filters (None, Sub, Up, Average, Paeth)
and prints one JSON object:

  width, height, bit_depth, colour_type, interlace, chunks (types in order), filters (count of
  rows per filter type), pixels (RGBA of the requested coordinates), histogram (every colour
  as "#rrggbbaa" with its pixel count, most frequent first), colour_count, and pixel_crc32
  (zlib.crc32 of all pixels expanded to RGBA, rows from the top).

Usage:  png_check.py FILE [X,Y ...]      coordinates as arguments, or
        png_check.py FILE -              coordinates as a JSON list of [x, y] on stdin.
Exit status 1 with a message on stderr when the file is not a valid PNG of the supported kind
(8-bit greyscale, grey+alpha, RGB or RGBA, not interlaced).
"""
import json
import struct
import sys
import zlib
from collections import Counter

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def fail(message):
    sys.stderr.write(f"png_check: {message}\n")
    sys.exit(1)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def parse(data):
    if data[:8] != SIGNATURE:
        fail("bad signature")
    pos = 8
    chunks = []
    header = None
    idat = bytearray()
    idat_closed = False
    while pos < len(data):
        if len(data) - pos < 12:
            fail(f"truncated chunk at byte {pos}")
        length, = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length or len(data) < pos + 12 + length:
            fail(f"chunk {ctype!r} runs past the end of the file")
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            fail(f"bad CRC in chunk {ctype!r} at byte {pos}")
        name = ctype.decode("latin-1")
        chunks.append(name)
        if name == "IHDR":
            if len(chunks) != 1 or length != 13:
                fail("IHDR must come first and hold 13 bytes")
            header = struct.unpack(">IIBBBBB", body)
        elif name == "IDAT":
            if idat_closed:
                fail("IDAT chunks must be consecutive")
            idat += body
        elif name == "IEND":
            if length != 0:
                fail("IEND must be empty")
            if pos + 12 != len(data):
                fail("bytes after IEND")
        if name != "IDAT" and idat:
            idat_closed = True
        pos += 12 + length
    if header is None or not chunks or chunks[-1] != "IEND":
        fail("missing IHDR or IEND")
    if "IDAT" not in chunks:
        fail("no IDAT chunk")
    return header, chunks, bytes(idat)


def main():
    if len(sys.argv) < 2:
        fail("usage: png_check.py FILE [X,Y ...] | FILE -")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    (width, height, depth, colour, compression, filter_method, interlace), chunks, idat = parse(data)
    if width == 0 or height == 0:
        fail("zero width or height")
    if depth != 8 or colour not in CHANNELS:
        fail(f"unsupported bit depth {depth} / colour type {colour}")
    if compression != 0 or filter_method != 0 or interlace != 0:
        fail("unsupported compression, filter method or interlace")
    bpp = CHANNELS[colour]
    stride = width * bpp
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        fail(f"IDAT does not inflate: {e}")
    if len(raw) != height * (stride + 1):
        fail(f"IDAT inflates to {len(raw)} bytes, expected {height * (stride + 1)}")

    rows = []
    filters = Counter()
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        filters[ftype] += 1
        if ftype == 0:
            pass
        elif ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + previous[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = previous[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + paeth(left, previous[i], upleft)) & 0xFF
        else:
            fail(f"row {y} has unknown filter type {ftype}")
        rows.append(line)
        previous = line

    def rgba(line, x):
        p = line[x * bpp:(x + 1) * bpp]
        if bpp == 1:
            return (p[0], p[0], p[0], 255)
        if bpp == 2:
            return (p[0], p[0], p[0], p[1])
        if bpp == 3:
            return (p[0], p[1], p[2], 255)
        return tuple(p)

    expanded = bytearray()
    histogram = Counter()
    for line in rows:
        if bpp == 4:
            row = bytes(line)
        else:
            row = b"".join(bytes(rgba(line, x)) for x in range(width))
        expanded += row
        histogram.update(row[i:i + 4] for i in range(0, len(row), 4))

    if len(sys.argv) >= 3 and sys.argv[2] == "-":
        wanted = json.load(sys.stdin)
    else:
        wanted = [list(map(int, arg.split(","))) for arg in sys.argv[2:]]
    pixels = []
    for x, y in wanted:
        if not (0 <= x < width and 0 <= y < height):
            fail(f"requested pixel {x},{y} is outside the {width}x{height} image")
        pixels.append({"x": x, "y": y, "rgba": list(rgba(rows[y], x))})

    print(json.dumps({
        "width": width,
        "height": height,
        "bit_depth": depth,
        "colour_type": colour,
        "interlace": interlace,
        "chunks": chunks,
        "filters": {str(k): v for k, v in sorted(filters.items())},
        "pixels": pixels,
        "histogram": {"#" + k.hex(): n for k, n in histogram.most_common()},
        "colour_count": len(histogram),
        "pixel_crc32": zlib.crc32(bytes(expanded)) & 0xFFFFFFFF,
    }))


if __name__ == "__main__":
    main()
