#!/usr/bin/env python3
"""Generate Python's encoder choices for the multibyte codecs (CPython 3.11.7).

    python3 internal/policy/testdata/gen_cjk_encode_choices.py > internal/policy/cjk_encode_choices.go

The Go encoders of cjk_encode.go invert the decoding tables of
gen_cjk.py: ASCII encodes as itself, a character exactly one sequence of
the codec decodes to encodes as that sequence, a Hangul syllable euc_kr
has no pair for as the KS X 1001:1998 Annex 3 make-up sequence, any other
character is unencodable. This script checks that rule against Python's
str.encode for every character the codec (or a codec whose text it
encodes under cte_type=7bit: cp949 for euc_kr, euc_jp and shift_jis for
iso2022_jp) decodes to, and writes the exceptions: the characters several
sequences decode to (cp932 NEC/IBM duplicates, big5 ...) and any other
character Python encodes differently (every character of the BMP, and
for big5hkscs of plane 2, is checked), each with the bytes Python's
encoder writes ("-" when it raises).
"""
import collections
import sys

CODECS = ["gb2312", "gbk", "gb18030", "big5", "big5hkscs", "euc_kr", "cp949", "shift_jis", "cp932", "euc_jp"]
# Codecs whose decoded text each target encodes (Charset output codecs).
SOURCES = {"euc_kr": ["cp949"], "iso2022_jp": ["euc_jp", "shift_jis"]}

CHOSEONG = [0xa1, 0xa2, 0xa4, 0xa7, 0xa8, 0xa9, 0xb1, 0xb2, 0xb3, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe]
JUNGSEONG = list(range(0xbf, 0xd4))
JONGSEONG = [0xd4, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2,
             0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xba, 0xbb, 0xbc, 0xbd, 0xbe]


def alone(cs, b):
    try:
        return bytes([b]).decode(cs)
    except UnicodeDecodeError:
        return "\x00"


def sequences(cs):
    """Every byte sequence of the decoding tables gen_cjk.py writes, by
    the text it decodes to."""
    seqs = collections.defaultdict(list)
    for c in range(0x80, 0x100):
        try:
            seqs[bytes([c]).decode(cs)].append(bytes([c]))
        except UnicodeDecodeError:
            pass
    for c in range(0x81, 0xFF):
        for t in range(0x40, 0xFF):
            b = bytes([c, t])
            try:
                s = b.decode(cs)
            except UnicodeDecodeError:
                continue
            if len(s) == 2 and s == alone(cs, c) + alone(cs, t):
                continue  # each byte decodes on its own: not a pair
            seqs[s].append(b)
    if cs == "euc_jp":
        for a in range(0xA1, 0xFF):
            for b in range(0xA1, 0xFF):
                try:
                    seqs[bytes([0x8F, a, b]).decode(cs)].append(bytes([0x8F, a, b]))
                except UnicodeDecodeError:
                    pass
    if cs == "gb18030":
        for lin in range(39420):
            b = bytes([0x81 + lin // 12600, 0x30 + lin % 12600 // 1260, 0x81 + lin % 1260 // 10, 0x30 + lin % 10])
            seqs[b.decode(cs)].append(b)
    if cs == "iso2022_jp":
        seqs.clear()
        for a in range(0x21, 0x7F):
            for b in range(0x21, 0x7F):
                try:
                    s = (b"\x1b$B" + bytes([a, b]) + b"\x1b(B").decode(cs)
                except UnicodeDecodeError:
                    continue
                seqs[s].append(b"\x1b$B" + bytes([a, b]) + b"\x1b(B")
    return seqs


def default(cs, seqs, s):
    """The Go encoder's rule, before exceptions."""
    if len(s) == 1 and ord(s) < 0x80:
        return s.encode("ascii")
    if len(seqs.get(s, [])) == 1:
        return seqs[s][0]
    if cs == "gb18030" and len(s) == 1 and ord(s) >= 0x10000:
        lin = ord(s) - 0x10000
        return bytes([0x90 + lin // 12600, 0x30 + lin % 12600 // 1260, 0x81 + lin % 1260 // 10, 0x30 + lin % 10])
    if cs == "iso2022_jp" and s in ("\u00a5", "\u203e"):
        return b"\x1b(J" + (b"\\" if s == "\u00a5" else b"~") + b"\x1b(B"
    if cs == "euc_kr" and len(s) == 1 and 0xAC00 <= ord(s) <= 0xD7A3:
        c = ord(s) - 0xAC00
        return bytes([0xA4, 0xD4, 0xA4, CHOSEONG[c // 588], 0xA4, JUNGSEONG[c // 28 % 21], 0xA4, JONGSEONG[c % 28]])
    return None


def choices(cs):
    seqs = sequences(cs)
    texts = set(seqs)
    for src in SOURCES.get(cs, []):
        texts |= set(sequences(src))
    # Every other character too: an encoder maps some that no sequence
    # decodes to (shift_jis: U+00A5 to 0x5C).
    planes = range(0x80, 0x10000)
    if cs == "big5hkscs":
        planes = list(planes) + list(range(0x20000, 0x30000))
    texts |= set(chr(c) for c in planes if not 0xD800 <= c <= 0xDFFF)
    out = []
    for s in sorted(texts):
        try:
            enc = s.encode(cs)
        except UnicodeEncodeError:
            enc = None
        if len(s) != 1:
            # big5hkscs: the four pairs, which the encoder combines.
            assert cs == "big5hkscs" and enc == seqs[s][0], (cs, s)
            continue
        if enc != default(cs, seqs, s):
            assert cs != "iso2022_jp", (cs, s, enc)
            out.append("%04X=%s" % (ord(s), enc.hex().upper() if enc is not None else "-"))
    return out


def main():
    w = sys.stdout.write
    w("// Code generated by internal/policy/testdata/gen_cjk_encode_choices.py from CPython 3.11.7; DO NOT EDIT.\n\n")
    w("package policy\n\n")
    w("import \"sync\"\n\n")
    w("// cjkEncoderChoiceData lists, per codec, the characters Python's encoder\n")
    w("// writes other than as the one sequence of the codec's decoding table\n")
    w("// that decodes to them (gen_cjk_encode_choices.py): code point \"=\" the\n")
    w("// bytes in hex, \"-\" for none (the encoder raises).\n")
    w("var cjkEncoderChoiceData = sync.OnceValue(func() map[string]string {\n\treturn map[string]string{\n")
    for cs in CODECS + ["iso2022_jp"]:
        items = choices(cs)
        if not items:
            continue
        w('\t"%s": "" +\n' % cs)
        lines = [" ".join(items[i:i + 10]) for i in range(0, len(items), 10)]
        w(" +\n".join('\t\t"%s "' % l for l in lines))
        w(",\n")
    w("}\n})\n")


if __name__ == "__main__":
    main()
