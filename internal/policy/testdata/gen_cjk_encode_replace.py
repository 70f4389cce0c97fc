#!/usr/bin/env python3
"""Python's decoding with errors='replace' and strict encoding for the multibyte codecs (CPython 3.11.7).

    python3 internal/policy/testdata/gen_cjk_encode_replace.py | gzip -n -9 > internal/policy/testdata/cjk-encode-replace.jsonl.gz

"decode" records: random byte strings built from valid sequences, invalid
sequences of every shape (bad lead, bad trail, ASCII trail, gb18030
four-byte sequences out of range or cut short, euc_kr make-up sequences
invalid or cut short, euc_jp JIS X 0212 triples invalid or cut short) and
cut endings, with bytes.decode(codec, 'replace') and, as "escaped", the
UTF-8 (surrogatepass) of bytes.decode(codec, 'surrogateescape') as
latin-1.

"encode" records: random text of the characters the codec (and the codecs
whose text it encodes under cte_type=7bit: cp949 for euc_kr, euc_jp and
shift_jis for iso2022_jp) decodes to, every character several sequences
decode to, big5hkscs letters with combining marks, and characters the
codec cannot encode, with str.encode(codec) (null when it raises).

Each line is JSON: op, codec, in (latin-1 for bytes), out (the text, or
the bytes as latin-1, or null).
"""
import json
import random
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gen_cjk_encode_choices import CODECS, SOURCES, sequences  # noqa: E402

R = random.Random(20261202)


def invalid_pieces(cs):
    """Byte strings that hold an error in codec cs (alone or followed by
    more text)."""
    p = [b"\x80", b"\xff", b"\xfe", b"\xa1", b"\xa1A", b"\xa1\n", b"\x81\x20", b"\xa1\x7f", b"\xfe\xff", b"\x81"]
    if cs == "gb18030":
        p += [b"\x81\x30", b"\x81\x30\x81", b"\x81\x30\x20\x30", b"\x81\x30\xff\x30", b"\x85\x30\x81\x30",
              b"\x84\x31\xa5\x30", b"\xe3\x32\x9a\x36", b"\xe3\x32\x9a\x35", b"\xff\x30\x81\x30", b"\x80\x30\x81\x30",
              b"\x90\x30\x81", b"\x81\x39\xfe\x39"]
    if cs == "euc_kr":
        p += [b"\xa4\xd4", b"\xa4\xd4\xa4", b"\xa4\xd4\xa4\xa1\xa4\xbf\xa4", b"\xa4\xd4\xa4\xa3\xa4\xbf\xa4\xd4",
              b"\xa4\xd4\xa4\xa1\xa4\xbe\xa4\xd4", b"\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xa8", b"\xa4\xd4\xa5\xa1\xa4\xbf\xa4\xd4",
              b"\xa4\xd4\xa4\xbe\xa4\xd3\xa4\xbe", b"\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xd4"]
    if cs == "euc_jp":
        p += [b"\x8f", b"\x8f\xa1", b"\x8f\xa1\xa1", b"\x8f\xb0\xa1", b"\x8f\x41\xa1", b"\x8e", b"\x8e\x41", b"\x8e\xe0"]
    if cs in ("shift_jis", "cp932"):
        p += [b"\x81\x7f", b"\xa0", b"\xeb\x40", b"\xf0\x40", b"\xfc\xfc", b"\x85\x40"]
    if cs == "big5hkscs":
        p += [b"\x88\x62", b"\x88\x66", b"\x87\x40", b"\xc6\xa1", b"\xc8\xa4", b"\xfe\xfe"]
    return p


def decode_records(cs):
    seqs = [b for bs in sequences(cs).values() for b in bs]
    bad = invalid_pieces(cs)
    for _ in range(700):
        seq = b""
        for _ in range(R.randint(1, 8)):
            k = R.random()
            if k < 0.4:
                seq += R.choice(seqs)
            elif k < 0.7:
                seq += R.choice(bad)
            elif k < 0.85:
                seq += bytes([R.randint(0x80, 0xFF)])
            else:
                seq += R.choice([b"a", b" ", b"\n", b"0", b"\x7f", b"\x1b"])
        if R.random() < 0.3:
            seq = seq[:R.randint(0, len(seq))]
        escaped = seq.decode(cs, "surrogateescape").encode("utf-8", "surrogatepass").decode("latin-1")
        yield {"op": "decode", "codec": cs, "in": seq.decode("latin-1"), "out": seq.decode(cs, "replace"), "escaped": escaped}


def encode_records(cs):
    seqs = sequences(cs)
    texts = set(t for t in seqs)
    for src in SOURCES.get(cs, []):
        texts |= set(sequences(src))
    texts = sorted(texts)
    dups = [t for t, bs in seqs.items() if len(bs) > 1]
    others = ["\ufffd", "\U0001f600", "\u00e9", "\u20ac", "\uac01", "\ud7a3", "\u3164", "\u00ca\u0304", "\u00ea\u030c",
              "\u00ca", "\u00ea", "\u0304", "\u00a5", "\u203e", "~", "\\", "\x80", "\uff3c", "\uff5e", "\u2225"]
    if dups:
        # Every character several sequences decode to, in one text.
        yield {"op": "encode", "codec": cs, "in": "".join(dups), "out": enc(cs, "".join(dups))}
    for _ in range(400):
        t = ""
        for _ in range(R.randint(1, 10)):
            k = R.random()
            if k < 0.6:
                t += R.choice(texts)
            elif k < 0.75 and dups:
                t += R.choice(dups)
            elif k < 0.85:
                t += R.choice(others)
            else:
                t += R.choice(["a", " ", "\n"])
        yield {"op": "encode", "codec": cs, "in": t, "out": enc(cs, t)}


def enc(cs, t):
    try:
        return t.encode(cs).decode("latin-1")
    except UnicodeEncodeError:
        return None


def main():
    for cs in CODECS:
        for rec in decode_records(cs):
            print(json.dumps(rec, sort_keys=True))
    for cs in CODECS + ["iso2022_jp"]:
        for rec in encode_records(cs):
            print(json.dumps(rec, sort_keys=True))


if __name__ == "__main__":
    main()
