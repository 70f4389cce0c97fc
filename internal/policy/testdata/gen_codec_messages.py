#!/usr/bin/env python3
"""Whole-message goldens for the codecs of codec_*.go (CPython 3.11.7).

    python3 internal/policy/testdata/gen_codec_messages.py | gzip -n -9 > internal/policy/testdata/codec-messages.jsonl.gz

For each charset name (in each codec of codec_extra.go, as mail names
them), builds messages with RFC 2047 encoded words (Subject, From,
To) and RFC 2231 parameters (Content-Type name*, Content-Disposition
filename*) in that charset, some with undecodable or truncated bytes, and
messages with an 8-bit text/plain body in that charset; parses each with
message_from_binary_file and writes it with BytesGenerator, as
policy_oracle.py does, under the policies below (bodies only under the
cte_type=7bit ones, where they are re-encoded). Each line is JSON: name,
policy, input (base64), and output (base64) or error (Python's exception
class).
"""
import base64
import email
import email.generator
import email.policy
import io
import json
import random

HEADER_POLICIES = {
    "default": email.policy.default,
    "SMTP": email.policy.SMTP,
    "default,refold_source=all": email.policy.default.clone(refold_source="all"),
    "default,refold_source=all,max_line_length=40": email.policy.default.clone(refold_source="all", max_line_length=40),
    "default,utf8=true,refold_source=all": email.policy.default.clone(utf8=True, refold_source="all"),
    "compat32": email.policy.compat32,
    "SMTP,cte_type=7bit": email.policy.SMTP.clone(cte_type="7bit"),
}
BODY_POLICIES = {
    "SMTP,cte_type=7bit": email.policy.SMTP.clone(cte_type="7bit"),
    "default,cte_type=7bit": email.policy.default.clone(cte_type="7bit"),
}

JA = "日本語の件名 テスト ｶﾀｶﾅ か゚ 𠀋 №"
CHARSETS = [
    # (charset name in the message, Python codec, text)
    ("utf-7", "utf-7", "Grüße aus Köln — 日本 😀 a+b ~\\"),
    ("UNICODE-1-1-UTF-7", "utf-7", "Ünïcödé"),
    ("hz-gb-2312", "hz", "中文邮件测试 abc ~ 你好"),
    ("iso-2022-kr", "iso2022_kr", "한국어 메일 테스트"),
    ("johab", "johab", "한국어 메일 ㄱ 漢字 똠방각하"),
    ("cp950", "cp950", "中文郵件測試 ㄅ 碁 兀 嗀"),
    ("euc-jis-2004", "euc_jis_2004", JA),
    ("euc_jisx0213", "euc_jisx0213", JA),
    ("shift_jis_2004", "shift_jis_2004", JA),
    ("shift_jisx0213", "shift_jisx0213", JA),
    ("iso-2022-jp-1", "iso2022_jp_1", "日本語 丂 鑑"),
    ("iso-2022-jp-2", "iso2022_jp_2", "日本語 中文 한국어 Grüße Ωμέγα"),
    ("iso-2022-jp-3", "iso2022_jp_3", JA),
    ("iso-2022-jp-2004", "iso2022_jp_2004", JA),
    ("iso2022_jp_ext", "iso2022_jp_ext", "日本語 ｶﾀｶﾅ"),
    ("ibm037", "cp037", "Grüße, Señor! [x] {y}"),
    ("cp273", "cp273", "Grüße aus Köln"),
    ("ebcdic-cp-he", "cp424", "שלום abc"),
    ("cp500", "cp500", "Ça va? ¡Sí!"),
    ("cp875", "cp875", "Καλημέρα abc"),
    ("cp1026", "cp1026", "Günaydın çiçek"),
    ("cp1140", "cp1140", "Preis: 10 € Grüße"),
    ("cp864", "cp864", "مرحبا 123"),
    ("unicode-escape", "unicode_escape", "caf\\u00e9 \\U0001F600 \\x41 tab\\t"),
    ("raw-unicode-escape", "raw_unicode_escape", "caf\\u00e9 \\U0001F600"),
    ("punycode", "punycode", "bücher"),
    ("idna", "idna", "example.com"),
    ("utf-16", "utf-16", "Grüße 日本 😀"),
    ("UTF-16LE", "utf-16-le", "Grüße 日本"),
    ("utf-16be", "utf-16-be", "Grüße"),
    ("utf-32", "utf-32", "Grüße 😀"),
    ("UTF-32BE", "utf-32-be", "日本"),
    ("unicodelittleunmarked", "utf-16-le", "x"),
]


def source_bytes(codec, text):
    if codec in ("unicode_escape", "raw_unicode_escape", "idna"):
        return text.encode("latin-1")
    return text.encode(codec, "ignore")


def ew(cs, b, rng):
    if rng.random() < 0.5:
        return "=?%s?B?%s?=" % (cs, base64.b64encode(b).decode())
    return "=?%s?Q?%s?=" % (cs, "".join(chr(c) if chr(c).isalnum() and c < 128 else "=%02X" % c for c in b))


def variants(codec, b, rng):
    """The valid bytes, and damaged ones: truncated, with an 8-bit byte
    inserted, with an ASCII byte inserted."""
    out = [("valid", b)]
    if len(b) > 2:
        out.append(("cut", b[:rng.randint(1, len(b) - 1)]))
    k = rng.randint(0, len(b))
    out.append(("8bit", b[:k] + bytes([rng.choice([0x80, 0xA1, 0xE9, 0xFF, 0x8F])]) + b[k:]))
    k = rng.randint(0, len(b))
    out.append(("ascii", b[:k] + rng.choice([b"+", b"~", b"\x1b", b"\\", b"-"]) + b[k:]))
    return out


def random_bodies(codec, rng, n):
    """Random 8-bit bodies: characters from random byte sequences that
    decode in the codec (pairs, triples, single bytes), JIS X 0213 letters
    followed by combining marks, ASCII words and newlines; every third
    with a random 8-bit byte."""
    chars = []
    for _ in range(20000):
        if len(chars) >= 200:
            break
        k = rng.random()
        if k < 0.1:
            b = bytes([rng.randint(0x80, 0xFF)])
        elif k < 0.2:
            b = bytes([0x8F, rng.randint(0xA1, 0xFE), rng.randint(0xA1, 0xFE)])
        else:
            b = bytes([rng.randint(0x80, 0xFF), rng.randint(0x00, 0xFF)])
        try:
            c = b.decode(codec)
        except (UnicodeDecodeError, UnicodeError):
            continue
        if all(ord(x) >= 0x80 for x in c):
            chars.append(c)
    if codec == "utf-7":
        chars = list("éü日本語😀ÄΩ") + ["\ud800", "\udc80", "+", "-", "~", "\\", "A"]
    if codec.startswith(("euc_jis", "shift_jis")):
        chars += ["か\u309a", "\u02e9\u02e5", "\u00e6\u0300", "か", "\u309a"] * 5
    if not chars:
        return []
    out = []
    for i in range(n):
        parts = [rng.choice(chars) if rng.random() < 0.7 else rng.choice(["a", "ab ", " ", "\n", "+", "-", "~", "\\"])
                 for _ in range(rng.randint(1, 80))]
        body = "".join(parts).encode(codec, "replace")
        if i % 3 == 2:
            k = rng.randint(0, len(body))
            body = body[:k] + bytes([rng.randint(0x80, 0xFF)]) + body[k:]
        out.append(("random%d" % i, body + b"\n"))
    return out


def write(name, pname, pol, msg_bytes):
    rec = {"name": name, "policy": pname, "input": base64.b64encode(msg_bytes).decode()}
    out = io.BytesIO()
    try:
        msg = email.message_from_binary_file(io.BytesIO(msg_bytes), policy=pol)
        email.generator.BytesGenerator(out, policy=pol).flatten(msg)
        rec["output"] = base64.b64encode(out.getvalue()).decode()
    except Exception as e:  # recorded: the Go writer must fail too
        rec["error"] = type(e).__name__
    print(json.dumps(rec, sort_keys=True))


def lone_surrogates():
    """Encoded words and RFC 2231 values that decode to lone surrogates:
    U+DC80-U+DCFF (what surrogateescape makes of a byte) and others."""
    cases = [("utf-7", b"a+3IA-b"), ("utf-7", b"+2AA-x"), ("utf-7", b"x+3/8-"), ("utf-7", b"+2D3cAA-"),
             ("unicode-escape", b"a\\udcff"), ("unicode-escape", b"\\ud800"), ("raw-unicode-escape", b"\\udc80z")]
    for i, (cs, b) in enumerate(cases):
        pct = "".join("%%%02X" % c for c in b)
        q = "".join(chr(c) if chr(c).isalnum() else "=%02X" % c for c in b)
        for kind, header in [("subject", "Subject: =?%s?q?%s?= tail\n" % (cs, q)),
                             ("from", "From: =?%s?b?%s?= <a@example.com>\n" % (cs, base64.b64encode(b).decode())),
                             ("param", "Content-Type: text/plain; name*=%s''%s\n" % (cs, pct)),
                             # Refolded by refold_source=long (a long line)
                             # and by cte_type=7bit (an 8-bit byte).
                             ("param-long", "Content-Type: text/plain; name*=%s''%s; x=\"%s\"\n" % (cs, pct, "y" * 80)),
                             ("param-8bit", "Content-Type: text/plain; name*=%s''%s; x=\xe9\n" % (cs, pct)),
                             ("subject-long", "Subject: =?%s?q?%s?= %s\n" % (cs, q, "tail " * 16))]:
            msg_bytes = (header + "MIME-Version: 1.0\n\nbody\n").encode("latin-1")
            for pname, pol in HEADER_POLICIES.items():
                write("%s/surrogate%d-%s" % (cs, i, kind), pname, pol, msg_bytes)


def odd_words():
    """Empty encoded words, the "undefined" codec, UTF-16 and UTF-32."""
    words = ["=?undefined?q??=", "=?undefined?q?a?=", "=?utf-7?q??=", "=?hz?q??=", "=?utf-16?q??=", "=?idna?q??=",
             "=?utf-16?b?//5hAA==?=", "=?utf-32?b?//4AAGEAAAA=?=", "=?UTF-16BE?B?AOk=?=", "=?u16?b?/v8A6Q==?="]
    for i, w in enumerate(words):
        msg_bytes = ("Subject: %s tail\nFrom: %s <a@example.com>\nMIME-Version: 1.0\n\nbody\n" % (w, w)).encode("ascii")
        for pname, pol in HEADER_POLICIES.items():
            write("odd/word%d" % i, pname, pol, msg_bytes)


def main():
    rng = random.Random(20261202)
    lone_surrogates()
    odd_words()
    for cs, codec, text in CHARSETS:
        good = source_bytes(codec, text)
        for vname, b in variants(codec, good, rng):
            pct = "".join("%%%02X" % c for c in b)
            headers = (
                "From: %s <a@example.com>\n" % ew(cs, b, rng)
                + "To: %s <b@example.com>, c@example.com\n" % ew(cs, b[: max(1, len(b) // 2)], rng)
                + "Subject: %s %s tail words here\n" % (ew(cs, b, rng), ew(cs, b, rng))
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=us-ascii; name*=%s''%s\n" % (cs, pct)
                + "Content-Disposition: attachment; filename*=%s'en'%s\n" % (cs, pct)
            )
            msg_bytes = (headers + "\nbody\n").encode("ascii")
            for pname, pol in HEADER_POLICIES.items():
                write("%s/headers-%s" % (cs, vname), pname, pol, msg_bytes)
        for i, (_, body) in enumerate(random_bodies(codec, rng, 6)):
            b = body.replace(b"\n", b" ").strip()[:60]
            msg_bytes = ("Subject: %s\nFrom: %s <a@example.com>\nMIME-Version: 1.0\n"
                         "Content-Disposition: attachment; filename*=%s''%s\n\nbody\n" % (
                             ew(cs, b, rng), ew(cs, b[:20], rng), cs, "".join("%%%02X" % c for c in b))).encode("ascii")
            for pname, pol in HEADER_POLICIES.items():
                write("%s/headers-random%d" % (cs, i), pname, pol, msg_bytes)
        bodies = [("valid", good + b"\nsecond line\n")] + [(v, b + b"\n") for v, b in variants(codec, good, rng)[1:]]
        bodies.append(("high", bytes(range(0x80, 0x100)) + b"\n"))
        bodies += random_bodies(codec, rng, 12)
        if codec.startswith("iso2022"):
            # 8-bit bytes after an escape sequence the codec does not
            # know: Python reads them as Latin-1 up to a final byte.
            chars = [c for c in "日本語中文한국어ｶﾀéü¥‾か\u309aΩ丂" if c.encode(codec, "ignore")]
            for i in range(8):
                body = b""
                for _ in range(rng.randint(1, 5)):
                    body += "".join(rng.choice(chars) for _ in range(rng.randint(0, 4))).encode(codec)
                    body += b"\x1b" + rng.choice([b"x", b"", b"%"]) + bytes(rng.choice([0xE9, 0xA9, 0xFC, 0xB0, 0x80, 0xD7, 0xA5])
                                                                         for _ in range(rng.randint(1, 3))) + rng.choice([b"Z", b"@", b"Q"])
                bodies.append(("throughout%d" % i, body + b"\n"))
        if codec == "punycode":
            bodies += [("p%d" % i, s.encode("punycode") + b"\n") for i, s in enumerate(
                ["mañana-x", "日本語テキスト", "a\u00e9b\u00e9c\u4e2d", "😀😁x", "Grüße aus Köln"])]
            bodies += [("bad0", b"ab\xe9-kva\n"), ("bad1", b"abc-9999999999\n"), ("bad2", b"abc-!x\n"), ("bad3", b"\xe9")]
        if codec.startswith("utf-16"):
            bodies += [("bom-be", b"\xfe\xff\x00a\x00\xe9\n"), ("lone-high", good + b"\x00\xd8A\x00\x00"),
                       ("lone-low", b"\x00\xdcA\x00\xe9\x00"), ("pair", "😀\n".encode(codec))]
        if codec.startswith("utf-32"):
            bodies += [("bom-be", b"\x00\x00\xfe\xff\x00\x00\x00\xe9"), ("too-big", b"\x00\x00\x11\x00A"),
                       ("surrogate", b"\x00\xd8\x00\x00\xe9\x00\x00\x00")]
        for bname, body in bodies:
            msg_bytes = (b"From: a@example.com\nSubject: t\nMIME-Version: 1.0\n"
                         b"Content-Type: text/plain; charset=\"" + cs.encode() + b"\"\n"
                         b"Content-Transfer-Encoding: 8bit\n\n" + body)
            for pname, pol in BODY_POLICIES.items():
                write("%s/body-%s" % (cs, bname), pname, pol, msg_bytes)


if __name__ == "__main__":
    main()
