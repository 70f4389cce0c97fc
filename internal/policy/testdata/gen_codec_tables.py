#!/usr/bin/env python3
"""Generate the tables of the codecs in codec_*.go from CPython 3.11.7.

    python3 internal/policy/testdata/gen_codec_tables.py > internal/policy/codec_tables.go
    python3 internal/policy/testdata/gen_codec_tables.py exhaustive > internal/policy/testdata/codec-exhaustive.json

"exhaustive" writes, per codec, SHA-256 digests that codec_extra_test.go
recomputes from the Go code: "pairs", of the decoding
(errors='replace') of every byte pair (and for EUC every 0x8F triple;
for the iso2022 codecs every pair after each designation the codec
knows); "units", of the table the Go encoder inverts (units());
"encode", of the encodings of chosen texts (the iso2022 codecs: every
character of their sets; hz: every BMP character) and of strings for the
encoder's state, b"\xff" where Python raises UnicodeEncodeError.

Every table is read from Python's own codecs by decoding byte sequences,
and the model the Go decoders use is checked here against Python for
every byte pair (or triple) the table covers, so a wrong assumption
stops the generator instead of producing a wrong table.

Tables (each zlib-compressed and base64 encoded, uint16/uint32
little-endian):

  sbcs      the non-ASCII-compatible single-byte codecs (EBCDIC pages
            cp037, cp273, cp424, cp500, cp875, cp1026, cp1140, and cp864):
            256 uint16 per codec in SBCS order, 0xFFFE where Python cannot
            decode the byte.
  johab     the johab Hangul area: leads 0x80-0xD7, trails 0x00-0xFF, the
            uint16 character of each pair, stored as the difference from
            the character before (mod 2**16; never 0), or 0 where the pair
            does not decode.
            Other johab pairs map to KS X 1001 by arithmetic and use the
            euc_kr table.
  jisx0213  JIS X 0213:2004 plane 1 then plane 2, rows and cells
            0x21-0x7E, as iso2022_jp_2004 decodes them: uint32, 0 = none,
            a code point, or 0x80000000 | first<<16 | second for the
            codes that decode to two characters; stored as differences
            from the entry before (mod 2**32).

Go maps (literals):

  cp950Pairs     the cp950 pairs that decode differently from big5.
  jisOverrides   per codec and plane, the JIS X 0213 codes a codec decodes
                 differently from the jisx0213 table (0 = undecodable).
"""
import base64
import codecs
import json
import struct
import sys
import zlib

SBCS = ["cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140", "cp864"]


def dec(b, cs):
    try:
        return b.decode(cs)
    except UnicodeDecodeError:
        return None


def blob(b):
    s = base64.b64encode(zlib.compress(bytes(b), 9)).decode()
    return "\"\" +\n\t\t" + " +\n\t\t".join('"%s"' % s[i:i + 100] for i in range(0, len(s), 100))


def sbcs_table():
    data = bytearray()
    for cs in SBCS:
        for c in range(256):
            s = dec(bytes([c]), cs)
            assert s is None or len(s) == 1
            data += struct.pack("<H", 0xFFFE if s is None else ord(s))
    return data


# --- johab -----------------------------------------------------------------

def ksx1001(t1, t2):
    """KS X 1001 as the euc_kr table holds it (gen_cjk.py)."""
    if not (0x21 <= t1 <= 0x7E and 0x21 <= t2 <= 0x7E):
        return None
    if (t1, t2) == (0x24, 0x54):
        # HANGUL FILLER: euc_kr reads A4 D4 as the start of a KS X 1001
        # Annex 3 make-up sequence, so the table has no entry for it.
        return "\u3164"
    s = dec(bytes([t1 | 0x80, t2 | 0x80]), "euc_kr")
    return s if s is not None and len(s) == 1 else None


def johab_model(c, c2, hangul):
    """The Go decoder's johab pair model: (text or None)."""
    if c < 0xD8:
        v = hangul[(c - 0x80) * 256 + c2]
        return chr(v) if v else None
    if c == 0xDF or c > 0xF9 or c2 < 0x31 or 0x80 <= c2 < 0x91 or (c2 & 0x7F) == 0x7F or \
            (c == 0xDA and 0xA1 <= c2 <= 0xD3):
        return None
    t1 = (2 * (c - 0xD9) if c < 0xE0 else 2 * c - 0x197) & 0xFF
    t2 = c2 - 0x31 if c2 < 0x91 else c2 - 0x43
    t1 = (t1 + (0 if t2 < 0x5E else 1) + 0x21) & 0xFF
    t2 = (t2 if t2 < 0x5E else t2 - 0x5E) + 0x21
    return ksx1001(t1, t2)


def johab_table():
    hangul = []
    for c in range(0x80, 0xD8):
        for c2 in range(256):
            s = dec(bytes([c, c2]), "johab")
            if s is not None and len(s) == 2:
                s = None  # the lead byte decoded alone: not a pair
            assert s is None or len(s) == 1
            hangul.append(ord(s) if s else 0)
    for c in range(0x80, 0x100):
        for c2 in range(256):
            s = dec(bytes([c, c2]), "johab")
            if s is not None and len(s) != 1:
                s = None
            assert johab_model(c, c2, hangul) == s, (hex(c), hex(c2), s)
    data = bytearray()
    prev = 0
    for v in hangul:
        if v:
            assert v != prev
            data += struct.pack("<H", (v - prev) & 0xFFFF)
            prev = v
        else:
            data += struct.pack("<H", 0)
    return data


# --- cp950 -----------------------------------------------------------------

def cp950_pairs():
    diff = {}
    for c in range(0x80, 0x100):
        assert dec(bytes([c]), "cp950") is None
        for t in range(0x00, 0x100):
            a = dec(bytes([c, t]), "cp950")
            if a is not None and len(a) != 1:
                a = None
            b = dec(bytes([c, t]), "big5") if c >= 0x81 and 0x40 <= t <= 0xFE else None
            if b is not None and len(b) != 1:
                b = None
            if a != b:
                assert c >= 0x81 and 0x40 <= t <= 0xFE, (hex(c), hex(t))
                diff[c << 8 | t] = ord(a) if a else 0
    return diff


# --- JIS X 0213 ------------------------------------------------------------

def iso_plane(cs, final, a, b):
    s = dec(b"\x1b$(" + final + bytes([a, b]) + b"\x1b(B", cs)
    return s if s else None


def enc_code(s):
    if s is None:
        return 0
    if len(s) == 1:
        return ord(s)
    assert len(s) == 2 and ord(s[0]) < 0x8000 and ord(s[1]) < 0x10000
    return 0x80000000 | ord(s[0]) << 16 | ord(s[1])


def jis_planes():
    p1 = [iso_plane("iso2022_jp_2004", b"Q", a, b) for a in range(0x21, 0x7F) for b in range(0x21, 0x7F)]
    p2 = [iso_plane("iso2022_jp_2004", b"P", a, b) for a in range(0x21, 0x7F) for b in range(0x21, 0x7F)]
    return p1, p2


def jisx0212(a, b):
    s = dec(bytes([0x8F, a | 0x80, b | 0x80]), "euc_jp")
    return s if s is not None and len(s) == 1 else None


def sjis_to_jis(c, c2):
    """shift_jis_2004's arithmetic: (plane, row, cell) or None."""
    if not (0x81 <= c <= 0x9F or 0xE0 <= c <= 0xFC):
        return None
    if c2 < 0x40 or 0x7F <= c2 < 0x80 or c2 > 0xFC:
        return None
    c1 = c - 0x81 if c < 0xE0 else c - 0xC1
    c2 = c2 - 0x40 if c2 < 0x80 else c2 - 0x41
    c1 = 2 * c1 + (0 if c2 < 0x5E else 1)
    c2 = (c2 if c2 < 0x5E else c2 - 0x5E) + 0x21
    if c1 < 0x5E:
        return 1, c1 + 0x21, c2
    if c1 >= 0x67:
        c1 += 0x07
    elif c1 >= 0x63 or c1 == 0x5F:
        c1 -= 0x37
    else:
        c1 -= 0x3D
    return 2, c1, c2


def jis_overrides(p1, p2):
    """Per codec and plane: {row<<8|cell: code} where the codec differs."""
    out = {}

    def put(cs, plane, a, b, got, base):
        if got != base:
            out.setdefault((cs, plane), {})[a << 8 | b] = enc_code(got)

    for cs, final1 in [("iso2022_jp_3", b"O"), ("iso2022_jp_2004", b"Q")]:
        for a in range(0x21, 0x7F):
            for b in range(0x21, 0x7F):
                i = (a - 0x21) * 94 + b - 0x21
                put(cs, 1, a, b, iso_plane(cs, final1, a, b), p1[i])
                put(cs, 2, a, b, iso_plane(cs, b"P", a, b), p2[i])
    for cs in ["euc_jis_2004", "euc_jisx0213"]:
        for a in range(0x21, 0x7F):
            for b in range(0x21, 0x7F):
                i = (a - 0x21) * 94 + b - 0x21
                s = dec(bytes([a | 0x80, b | 0x80]), cs)
                put(cs, 1, a, b, s, p1[i])
                s = dec(bytes([0x8F, a | 0x80, b | 0x80]), cs)
                put(cs, 2, a, b, s, p2[i] or jisx0212(a, b))
    for cs in ["shift_jis_2004", "shift_jisx0213"]:
        seen = set()
        for c in range(0x80, 0x100):
            for c2 in range(0x100):
                s = dec(bytes([c, c2]), cs)
                if s is not None and len(s) == 2 and s[1] == dec(bytes([c2]), cs) and dec(bytes([c]), cs):
                    s = None  # two single bytes
                j = sjis_to_jis(c, c2)
                if j is None:
                    assert s is None or (c2 < 0x80 and len(s) == 2), (cs, hex(c), hex(c2), s)
                    continue
                plane, a, b = j
                assert (plane, a, b) not in seen
                seen.add((plane, a, b))
                i = (a - 0x21) * 94 + b - 0x21
                put(cs, plane, a, b, s, (p1 if plane == 1 else p2)[i])
    return out


def jis_table(p1, p2):
    data = bytearray()
    prev = 0
    for s in p1 + p2:
        v = enc_code(s)
        data += struct.pack("<I", (v - prev) & 0xFFFFFFFF)
        prev = v
    return data


def dec_code(v):
    if v == 0:
        return None
    if v & 0x80000000:
        return chr(v >> 16 & 0x7FFF) + chr(v & 0xFFFF)
    return chr(v)


def units(cs, p1, p2, ov):
    """The codec's table in the order the Go encoders read it
    (codec_dbcs.go, codec_jis.go): (bytes, text)."""
    if cs in SBCS:
        for c in range(256):
            t = dec(bytes([c]), cs)
            if t is not None:
                yield bytes([c]), t
        return
    if cs in ("cp950", "johab"):
        for c in range(0x80):
            yield bytes([c]), chr(c)
        leads, trails = (range(0x81, 0xFF), range(0x40, 0xFF)) if cs == "cp950" else (range(0x80, 0x100), range(0x100))
        for c in leads:
            for t in trails:
                s = dec(bytes([c, t]), cs)
                if s is not None and len(s) == 1:
                    yield bytes([c, t]), s
        return

    def jis_text(plane, a, b):
        m = ov.get((cs, plane), {})
        code = a << 8 | b
        if code in m:
            return dec_code(m[code])
        return (p1 if plane == 1 else p2)[(a - 0x21) * 94 + b - 0x21]

    removed = {k for k, v in ov.get((cs, 1), {}).items() if v == 0} if cs.endswith("x0213") else set()
    if cs.startswith("euc"):
        for c in range(0x80):
            yield bytes([c]), chr(c)
        for c in range(0xA1, 0xE0):
            yield bytes([0x8E, c]), chr(0xFEC0 + c)
        # Plane 1, plane 2 (JIS X 0213), then plane 2's JIS X 0212 fallback.
        for plane, fallback in ((1, False), (2, False), (2, True)):
            for a in range(0x21, 0x7F):
                for b in range(0x21, 0x7F):
                    t = jis_text(plane, a, b)
                    if fallback:
                        t = jisx0212(a, b) if t is None else None
                    if t is None or plane == 1 and (a << 8 | b) in removed:
                        continue
                    seq = bytes([a | 0x80, b | 0x80])
                    if plane == 2:
                        seq = b"\x8f" + seq
                    assert dec(seq, cs) == t, (cs, seq, t)
                    yield seq, t
        return
    for c in range(256):
        t = dec(bytes([c]), cs)
        if t is not None:
            yield bytes([c]), t
    for c in list(range(0x81, 0xA0)) + list(range(0xE0, 0xFD)):
        for t2 in range(0x40, 0xFD):
            j = sjis_to_jis(c, t2)
            if j is None:
                continue
            plane, a, b = j
            if plane == 1 and (a << 8 | b) in removed:
                continue
            t = jis_text(plane, a, b)
            if t is not None:
                assert dec(bytes([c, t2]), cs) == t
                yield bytes([c, t2]), t


def enc_overrides(p1, p2, ov):
    """Per codec: {text: bytes} where Python's encoding differs from the
    first unit that decodes to the text (b"": Python cannot encode it)."""
    out = {}
    for cs in SBCS + ["cp950", "johab", "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213"]:
        first = {}
        for seq, t in units(cs, p1, p2, ov):
            first.setdefault(t, seq)
        texts = set(first)
        m = {}
        for t in sorted(texts):
            try:
                want = t.encode(cs)
            except UnicodeEncodeError:
                want = b""
            if first.get(t, b"") != want:
                m[t] = want
        out[cs] = m
    return out


def more_codec_names():
    """Charset names Python's bytes.decode knows that gen_charsets.py
    leaves out of pythonCodecNames (its b"a" test fails for them): the
    UTF-16 and UTF-32 codecs and "undefined"."""
    import encodings
    import encodings.aliases
    import pkgutil
    import re
    mods = {m.name for m in pkgutil.iter_modules(encodings.__path__)}
    names = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()) | mods
    src = open(__file__.replace("testdata/gen_codec_tables.py", "header_charsets.go")).read()
    have = set(re.findall(r'^\t+"([^"]+)":\s+"[^"]+",$', src, re.M))
    out = {}
    for n in sorted(names):
        try:
            info = codecs.lookup(n)
        except LookupError:
            continue
        if not info._is_text_encoding:
            continue
        k = encodings.normalize_encoding(n.lower())
        if k not in have:
            out[k] = info.name
    return out


# The character sets each iso2022 codec encodes with, in CPython's order
# (its designation list; the JIS X 0213 plane 1 pair-only entry first):
# (mark, escape sequence that designates it, kind).
ISO_ENC_SETS = {
    "iso2022_kr": [("C", b"\x1b$)C\x0e", "double")],
    "iso2022_jp": [("B", b"\x1b$B", "double"), ("J", b"\x1b(J", "single"), ("@", b"\x1b$@", "double")],
    "iso2022_jp_1": [("B", b"\x1b$B", "double"), ("D", b"\x1b$(D", "double"), ("J", b"\x1b(J", "single"),
                     ("@", b"\x1b$@", "double")],
    "iso2022_jp_2": [("B", b"\x1b$B", "double"), ("D", b"\x1b$(D", "double"), ("C", b"\x1b$(C", "double"),
                     ("A", b"\x1b$A", "double"), ("J", b"\x1b(J", "single"), ("@", b"\x1b$@", "double")],
    "iso2022_jp_ext": [("B", b"\x1b$B", "double"), ("D", b"\x1b$(D", "double"), ("J", b"\x1b(J", "single"),
                       ("I", b"\x1b(I", "single"), ("@", b"\x1b$@", "double")],
    "iso2022_jp_3": [("O", b"\x1b$(O", "pairs"), ("B", b"\x1b$B", "double"), ("O", b"\x1b$(O", "double"),
                     ("P", b"\x1b$(P", "double")],
    "iso2022_jp_2004": [("Q", b"\x1b$(Q", "pairs"), ("B", b"\x1b$B", "double"), ("Q", b"\x1b$(Q", "double"),
                        ("P", b"\x1b$(P", "double")],
}
DOUBLE_MARKS = set("BDCA@OPQ")


def iso_units(cs):
    """(text, mark, code) in the order the Go encoder reads the sets."""
    for mark, esc, kind in ISO_ENC_SETS[cs]:
        codes = [bytes([a]) for a in range(0x21, 0x7F)] if kind == "single" else \
            [bytes([a, b]) for a in range(0x21, 0x7F) for b in range(0x21, 0x7F)]
        for code in codes:
            t = dec(esc + code + (b"\x0f" if esc.endswith(b"\x0e") else b"\x1b(B"), cs)
            if t is None or (len(t) != 2 if kind == "pairs" else len(t) != 1) or t < "\x80":
                continue
            yield t, mark, code


def iso_enc_escape(cs, mark):
    """The designation CPython's encoder writes for mark."""
    if cs == "iso2022_kr":
        return b"\x1b$)C\x0e"
    if mark in "JI":
        return b"\x1b(" + mark.encode()
    if mark == "B":
        return b"\x1b$B"
    return b"\x1b$(" + mark.encode()


def iso_parse(cs, b):
    """The (mark, code) of Python's encoding of one text."""
    for mark, _, _ in ISO_ENC_SETS[cs]:
        esc = iso_enc_escape(cs, mark)
        if b.startswith(esc):
            rest = b[len(esc):]
            for tail in (b"\x0f", b"\x1b(B"):
                if rest.endswith(tail):
                    rest = rest[:-len(tail)]
            return mark, rest
    raise AssertionError((cs, b))


def iso_enc_overrides():
    out = {}
    for cs in ISO_ENC_SETS:
        first = {}
        for t, mark, code in iso_units(cs):
            first.setdefault(t, (mark, code))
        texts = set(first) | {chr(c) for c in range(0x80, 0x100)}
        m = {}
        for t in sorted(texts):
            try:
                b = t.encode(cs)
            except UnicodeEncodeError:
                want = None
            else:
                want = iso_parse(cs, b)
            if first.get(t) != want:
                m[t] = "" if want is None else want[0] + want[1].decode("ascii")
        out[cs] = m
    return out


def go_string(b):
    return '"' + "".join("\\x%02x" % c for c in b) + '"'


def main():
    p1, p2 = jis_planes()
    ov = jis_overrides(p1, p2)
    w = sys.stdout.write
    w("// Code generated by internal/policy/testdata/gen_codec_tables.py from CPython 3.11.7; DO NOT EDIT.\n\n")
    w("package policy\n\n")
    w("import \"sync\"\n\n")
    w("// codecTableData holds the zlib-compressed, base64 encoded tables\n")
    w("// described in gen_codec_tables.py.\n")
    w("var codecTableData = sync.OnceValue(func() map[string]string {\n\treturn map[string]string{\n")
    w('\t"sbcs": %s,\n' % blob(sbcs_table()))
    w('\t"johab": %s,\n' % blob(johab_table()))
    w('\t"jisx0213": %s,\n' % blob(jis_table(p1, p2)))
    w("}\n})\n\n")
    w("// sbcsCodecs lists the codecs of the \"sbcs\" table in its order.\n")
    w("var sbcsCodecs = []string{%s}\n\n" % ", ".join('"%s"' % c for c in SBCS))
    w("// cp950Pairs holds the cp950 pairs (lead<<8 | trail) that decode\n")
    w("// differently from big5: the character, or 0 for none.\n")
    w("var cp950Pairs = sync.OnceValue(func() map[uint16]rune {\n\treturn map[uint16]rune{\n")
    for k, v in sorted(cp950_pairs().items()):
        w("\t0x%04X: 0x%04X,\n" % (k, v))
    w("}\n})\n\n")
    w("// jisOverrides holds, per codec and JIS X 0213 plane, the codes (row<<8\n")
    w("// | cell) the codec decodes differently from the jisx0213 table, in its\n")
    w("// encoding (0 = undecodable).\n")
    w("var jisOverrides = sync.OnceValue(func() map[string]map[uint16]uint32 {\n\treturn map[string]map[uint16]uint32{\n")
    width = max(len(cs) + 5 for cs, _ in ov)
    for (cs, plane), m in sorted(ov.items()):
        w('\t%s {' % ('"%s/%d":' % (cs, plane)).ljust(width))
        w(", ".join("0x%04X: 0x%X" % kv for kv in sorted(m.items())))
        w("},\n")
    w("}\n})\n\n")
    more = more_codec_names()
    w("// pythonCodecNamesMore extends pythonCodecNames with the text codecs\n")
    w("// gen_charsets.py leaves out (UTF-16, UTF-32, undefined).\n")
    w("var pythonCodecNamesMore = sync.OnceValue(func() map[string]string {\n\treturn map[string]string{\n")
    width = max(len(k) for k in more) + 3
    for k, v in sorted(more.items()):
        w('\t%s "%s",\n' % (('"%s":' % k).ljust(width), v))
    w("}\n})\n\n")
    w("// iso2022EncOverrides holds, per iso2022 codec, the text whose Python\n")
    w("// encoding is not the first code of the codec's sets (in CPython's\n")
    w("// order) that decodes to it: the set's final byte and the code, or\n")
    w("// \"\" where Python cannot encode it.\n")
    w("var iso2022EncOverrides = sync.OnceValue(func() map[string]map[string]string {\n\treturn map[string]map[string]string{\n")
    for cs, m in iso_enc_overrides().items():
        if not m:
            continue
        w('\t"%s": {\n' % cs)
        for t, v in sorted(m.items()):
            w("\t\t%s: %s,\n" % (go_string(t.encode("utf-8")), go_string(v.encode("ascii"))))
        w("\t},\n")
    w("}\n})\n\n")
    w("// encOverrides holds, per codec, the text whose Python encoding is not\n")
    w("// the first byte sequence of the codec's table that decodes to it (\"\":\n")
    w("// Python cannot encode it).\n")
    w("var encOverrides = sync.OnceValue(func() map[string]map[string]string {\n\treturn map[string]map[string]string{\n")
    for cs, m in enc_overrides(p1, p2, ov).items():
        if not m:
            continue
        w('\t"%s": {\n' % cs)
        for t, b in sorted(m.items()):
            w("\t\t%s: %s,\n" % (go_string(t.encode("utf-8")), go_string(b)))
        w("\t},\n")
    w("}\n})\n")


def digest(parts):
    import hashlib
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p)
        h.update(b"\x00")
    return h.hexdigest()


ISO2022_SETS = {
    "iso2022_kr": [b"\x1b$)C\x0e"],
    "iso2022_jp_1": [b"\x1b$B", b"\x1b$(D", b"\x1b(J", b"\x1b$@"],
    "iso2022_jp_2": [b"\x1b$B", b"\x1b$(D", b"\x1b$(C", b"\x1b$A", b"\x1b(J", b"\x1b$@"],
    "iso2022_jp_ext": [b"\x1b$B", b"\x1b$(D", b"\x1b(J", b"\x1b(I", b"\x1b$@"],
    "iso2022_jp_3": [b"\x1b$(O", b"\x1b$B", b"\x1b$(P"],
    "iso2022_jp_2004": [b"\x1b$(Q", b"\x1b$B", b"\x1b$(P"],
}


def pair_inputs(cs):
    if cs in ISO2022_SETS:
        for esc in ISO2022_SETS[cs]:
            for a in range(0x20, 0x80):
                for b in range(0x20, 0x80):
                    yield esc + bytes([a, b])
        return
    if cs == "hz":
        for a in range(0x20, 0x80):
            for b in range(0x20, 0x80):
                yield b"~{" + bytes([a, b])
        return
    if cs in SBCS:
        for a in range(256):
            yield bytes([a])
        return
    for a in range(256):
        for b in range(256):
            yield bytes([a, b])
    if cs.startswith("euc"):
        for a in range(0xA1, 0xFF):
            for b in range(0xA1, 0xFF):
                yield bytes([0x8F, a, b])


# Strings for the encoders' state: designations, shifts, resets.
ISO_ENC_STRINGS = ["a日b", "日本", "日a本", "é日ü", "中文a한국", "¥a‾", "ｶﾀa", "か\u309aか", "か\u309a\u309a", "a\n가나\n다",
                   "\x1b\x0e\x0f日", "Ωé", "𠀋丂", "\u02e9\u02e5\u02e9"]


# Texts for the hz encoder: every BMP character but the surrogates, then
# strings for its mode switches ("~{", "~}", "~~", newlines, the end).
HZ_ENC_STRINGS = ["a~b中文\nx", "中文", "中\n文", "~", "中~", "~中", "中\n", "中 文", "中€", "a\r\n中", "~{~}", "中文~~",
                  "\x7f中\x00", "中" * 40 + "a", "", "abc", "中文a汉字", "·—", "\u3000", "\uff01\uff5e"]


def hz_texts():
    return [chr(c) for c in range(0x80, 0x10000) if not 0xD800 <= c <= 0xDFFF] + HZ_ENC_STRINGS


def iso_encode(t, cs):
    try:
        return t.encode(cs)
    except UnicodeEncodeError:
        return b"\xff"


def exhaustive():
    p1, p2 = jis_planes()
    ov = jis_overrides(p1, p2)
    out = {}
    for cs in SBCS + ["cp950", "johab", "hz", "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213"] + list(ISO2022_SETS):
        rec = {"pairs": digest(b.decode(cs, "replace") for b in pair_inputs(cs))}
        if cs in SBCS or cs in ("cp950", "johab") or cs.startswith(("euc", "shift")):
            rec["units"] = digest(x for seq, t in units(cs, p1, p2, ov) for x in (seq, t))
        if cs in ISO_ENC_SETS:
            texts = [t for t, _, _ in iso_units(cs)] + [chr(c) for c in range(0x80, 0x100)] + ISO_ENC_STRINGS
            rec["encode"] = digest(iso_encode(t, cs) for t in texts)
        if cs == "hz":
            rec["encode"] = digest(iso_encode(t, cs) for t in hz_texts())
        out[cs] = rec
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1:] == ["exhaustive"]:
        exhaustive()
    else:
        main()
