#!/usr/bin/env python3
"""Decoding samples for the codecs of codec_*.go, from CPython 3.11.7.

    python3 internal/policy/testdata/gen_codec_samples.py | gzip -n -9 > internal/policy/testdata/codec-decode.jsonl.gz

Each line is JSON: codec (Python's codec name), in (the bytes as
latin-1 text), header (what email._encoded_words.decode does with the
bytes: [text, undecodable] where text is the str as UTF-8 with
surrogatepass, read as latin-1, and undecodable tells whether the strict
decode failed and the surrogateescape retry gave the text; null when it
raises), and replace (bytes.decode(codec, 'replace') the same way, null
when it raises; absent for idna, whose bodies are not re-encoded); either is "runtime" where Python's codec fails with
RuntimeError. codec_extra_test.go compares the Go decoders with both.
"""
import codecs
import json
import random

SBCS = ["cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140", "cp864"]
JIS = ["euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213"]
ISO2022 = ["iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_3", "iso2022_jp_2004", "iso2022_kr"]

TEXT = ("日本語のテキスト漢字かなカナｶﾅ①№¥‾é€ÄöüßÀ中文邮件测试 한국어 메일 ㄱㅏ 丂 俱 "
        "か゚ ㇷ゚ 𠀋 𪚲 ǽ ɑ̀ ˥˩ ΑΩαω Привет ©®™ abc XYZ 123 +-~\\")


def header(b, cs):
    try:
        return [b.decode(cs), False]
    except UnicodeDecodeError:
        try:
            return [b.decode(cs, "surrogateescape"), True]
        except RuntimeError:
            return "runtime"
        except (UnicodeError, ValueError):
            return None
    except RuntimeError:
        return "runtime"
    except (UnicodeError, ValueError):
        return None


def replace(b, cs):
    try:
        return b.decode(cs, "replace")
    except (UnicodeError, ValueError):
        return None
    except RuntimeError:
        return "runtime"


def show(s):
    return s.encode("utf-8", "surrogatepass").decode("latin-1")


def emit(cs, b):
    h = header(b, cs)
    name = codecs.lookup(cs).name
    # "runtime": CPython's MBERR_INTERNAL (iso2022_jp_2 after ESC N with a
    # G2 set it cannot shift to), a RuntimeError; not modelled.
    rec = {"codec": name, "in": b.decode("latin-1"),
           "header": h if h in (None, "runtime") else [show(h[0]), h[1]]}
    if cs != "idna":
        r = replace(b, cs)
        rec["replace"] = r if r in (None, "runtime") else show(r)
    print(json.dumps(rec, sort_keys=True))


def encodable(cs):
    out = []
    for ch in TEXT:
        try:
            out.append(ch.encode(cs))
        except UnicodeEncodeError:
            pass
    return out


def main():
    R = random.Random(11)

    def rnd_bytes(lo=0, hi=255, n=None):
        return bytes(R.randint(lo, hi) for _ in range(n or R.randint(1, 3)))

    for cs in SBCS:
        for _ in range(150):
            emit(cs, rnd_bytes(n=R.randint(1, 12)))
    utf7 = [b"a", b"+", b"-", b"+-", b"~", b"\\", b" ", b"\r\n", b"AOk", b"2D3eAA", b"2AA", b"3AA", b"+2AA-", b"+2D3eAA-",
            b"+AOk", b"+AOkA6Q-", b"+AOkAf", b"+AOkAfw-", b"+ZeVnLIqe-", b"+/v8-", b"/", b"\x80", b"\xe9", b"+\x80",
            b"+!", b"A", b"+AAA", b"+AAAA", b"+2D3c", b"+2D3cAA"] + [s.encode("utf-7") for s in ["日本", "é", "😀", "a+b", "~\\"]]
    for _ in range(1500):
        emit("utf-7", b"".join(R.choice(utf7) for _ in range(R.randint(1, 6))))
    for cs in ["cp950", "johab"] + JIS:
        good = encodable(cs)
        for _ in range(700):
            seq = b""
            for _ in range(R.randint(1, 6)):
                k = R.random()
                if k < 0.45:
                    seq += R.choice(good)
                elif k < 0.55:
                    seq += bytes([R.choice([0x8E, 0x8F, 0x80, 0xA0, 0xFD, 0xFF, 0xD8, 0xDA, 0xDF, 0x84])])
                elif k < 0.8:
                    seq += rnd_bytes(0x80, 0xFF, 1)
                else:
                    seq += rnd_bytes(0x20, 0x7F, 1)
            emit(cs, seq)
        # Every pair of a lead byte with some trail bytes.
        for c in range(0x80, 0x100):
            for t in R.sample(range(256), 6):
                emit(cs, bytes([c, t]) + b"A")
            emit(cs, bytes([0x8F, c, R.randint(0xA1, 0xFE)]))
    hz = [b"~{", b"~}", b"~~", b"~\n", b"~", b"~x", b"<:", b"!!", b"0!", b"\x7f\x7f", b"a", b"\n", b"\x80", b"\xb0\xa1", b" "] + \
        ["中文".encode("hz"), "汉字 abc ~".encode("hz")]
    for _ in range(1500):
        emit("hz", b"".join(R.choice(hz) for _ in range(R.randint(1, 8))))
    esc = [b"\x1b(B", b"\x1b(J", b"\x1b(I", b"\x1b$@", b"\x1b$B", b"\x1b$A", b"\x1b$(C", b"\x1b$(D", b"\x1b$(O", b"\x1b$(P",
           b"\x1b$(Q", b"\x1b$)C", b"\x1b.A", b"\x1b.F", b"\x1bNa", b"\x1bN\xe9", b"\x1bN", b"\x1b&@\x1b$B", b"\x1b&@",
           b"\x0e", b"\x0f", b"\n", b"\r", b"0!", b"F|", b"$\"", b"!@", b"8l", b".!", b"~", b"\\", b"a", b" ", b"\x7f",
           b"\x80", b"\xb0", b"\x1b", b"\x1b(", b"\x1b$", b"\x1bx", b"\x1b(Z", b"\x1b$(Z", b"\x1b$)", b"!", b"\t", b"t&",
           b"\x1b.B", b"\x1b.J", b"\x1bNA"]
    for cs in ISO2022:
        good = encodable(cs)
        for _ in range(1200):
            emit(cs, b"".join(R.choice(esc + good) for _ in range(R.randint(1, 8))))
    ue = [b"\\", b"x41", b"\\x4", b"\\x41", b"\\u00e9", b"\\u00", b"\\U0001F600", b"\\U00110000", b"\\N{", b"\\N{}",
          b"\\N{DIGIT ONE}", b"\\N", b"abc", b"\xe9", b"\\777", b"\\0", b"\\q", b"\\\n", b"\\n", b"\\t", b"\\\\",
          b"\\'", b"\\ud800", b"\\udc80", b"}", b"0", b"g"]
    for cs in ["unicode_escape", "raw_unicode_escape"]:
        for _ in range(800):
            emit(cs, b"".join(R.choice(ue) for _ in range(R.randint(1, 5))))
    pc = [s.encode("punycode") for s in ["bücher", "日本語", "mañana", "ü", "😀x", "abc"]] + \
        [b"-", b"a", b"Z", b"9", b"99999999", b"zzzzzzzz", b"\xe9", b"-a", b"abc-", b"!", b"kva"]
    for _ in range(500):
        emit("punycode", b"".join(R.choice(pc) for _ in range(R.randint(1, 3))))
    idna = [b"example", b".", b"com", b"xn--bcher-kva", b"a", b"xn--", b"XN--abc", b"axn--b", b"\xe9", b"-", b"x" * 1030]
    for _ in range(300):
        emit("idna", b"".join(R.choice(idna) for _ in range(R.randint(1, 4))))


if __name__ == "__main__":
    main()
