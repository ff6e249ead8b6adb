#!/usr/bin/env python3
"""Decodes the debugger's screenshot (8-bit RGBA PNG, as stb writes it) with
the standard library and checks that it shows something: a window-sized
image with many colours, a good share of lit pixels, and the VGA pane's
black screen with light glyph pixels on it."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype == 6, "expected 8-bit RGBA"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, bpp, stride = zlib.decompress(idat), 4, w * 4
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def main():
    w, h, rows = read_png(sys.argv[1])
    assert w >= 800 and h >= 600, f"image too small: {w}x{h}"
    colours, lit = set(), 0
    for y in range(0, h, 3):
        r = rows[y]
        for x in range(0, w * 4, 12):
            px = r[x:x + 3]
            colours.add(px)
            lit += sum(px) > 200
    samples = (h // 3 + 1) * (w // 3 + 1)
    assert len(colours) > 20, f"only {len(colours)} colours"
    assert lit > samples // 100, f"only {lit} of {samples} sampled pixels lit"
    # The VGA text (firmware banner in light grey on black) is drawn: count
    # pure VGA light-grey (0xaaaaaa) pixels anywhere.
    grey = sum(r.count(b"\xaa\xaa\xaa\xff") for r in rows)
    assert grey > 500, f"no VGA text pixels ({grey})"
    print(f"check_png: {w}x{h}, {len(colours)} colours, {grey} VGA text pixels: ok")


main()
