#!/usr/bin/env python3
"""Golden outputs of cte_type=7bit re-encoding for multibyte charsets (CPython 3.11.7).

    python3 internal/policy/testdata/gen_reencode_cjk.py | gzip -n -9 > internal/policy/testdata/reencode-cjk.jsonl.gz

For each charset of email.charset's CHARSETS/ALIASES tables (and the
other CJK mail charsets) whose codec is multibyte, builds text/plain
messages with 8-bit bodies (valid text, long lines, half-width kana,
invalid bytes; every character several sequences of the codec decode
to, in each of its sequences; invalid sequences of every shape, inside a
line and cut by the end of the body; euc_kr make-up sequences; big5hkscs
letters with combining marks and supplementary characters; and random
ones whose name starts "random"), parses them with
message_from_binary_file and writes them with
BytesGenerator under SMTP and default with cte_type=7bit, as
policy_oracle.py does. Each line is JSON: name, charset, policy, input
(base64), and output (base64) or error (Python's exception class).
"""
import base64
import codecs
import email
import email.generator
import email.policy
import io
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gen_cjk_encode_choices import CODECS, sequences  # noqa: E402
from gen_cjk_encode_replace import invalid_pieces  # noqa: E402

POLICIES = {
    "SMTP,cte_type=7bit": email.policy.SMTP.clone(cte_type="7bit"),
    "default,cte_type=7bit": email.policy.default.clone(cte_type="7bit"),
}

TEXT = "日本語のテキスト、漢字とかな。ABC abc 123\n第二行：中文字符，한국어?\n" * 3
HAN = "中文邮件正文，测试。汉字和ASCII混合 text.\n这是一条很长的行" + "长" * 60 + "\n"
KO = "한국어 본문 테스트입니다. ASCII mixed.\n" + "가" * 50 + "\n"
JA = "こんにちは、世界。漢字カタカナ ASCII.\n" + "あ" * 45 + "\nend\n"

CHARSETS = [
    ("gb2312", HAN), ("GB2312", HAN), ("gbk", HAN), ("gb18030", HAN),
    ("big5", "中文郵件正文，測試。\n" + "長" * 40 + "\n"),
    ("big5hkscs", "中文郵件正文，測試。\n"),
    ("euc-kr", KO), ("euc_kr", KO), ("ks_c_5601-1987", KO), ("cp949", KO),
    ("euc-jp", JA), ("euc_jp", JA), ("shift_jis", JA), ("Shift_JIS", JA),
    ("cp932", JA), ("iso-2022-jp", JA),
    # Charsets outside email.charset's tables: written in their own codec.
    ("big5-hkscs", "中文郵件正文，測試。\n"), ("uhc", KO), ("eucjp", JA), ("sjis", JA), ("ms932", JA),
    ("euc-cn", HAN), ("cp936", HAN),
]


def body_codec(charset):
    """The codec the generator decodes the body with: the charset
    parameter's (Message.get_payload), not Charset's input codec (cp949
    has euc_kr there)."""
    return codecs.lookup(charset).name


def bodies(charset, text):
    codec = body_codec(charset)
    try:
        good = text.encode(codec)
    except (UnicodeEncodeError, LookupError):
        good = None
    out = []
    if good is not None:
        out.append(("valid", good))
        out.append(("valid-crlf", good.replace(b"\n", b"\r\n")))
        out.append(("trailing-lead", good.rstrip(b"\n") + b"\xb0"))
    out.append(("invalid-ff", b"abc \xff\xfe def\n"))
    out.append(("lone-high", b"x \x80 y \xa1\n"))
    # An escape sequence the codec does not know, then 8-bit bytes.
    out.append(("unknown-escape", b"abc\x1bx\xa7Z\n"))
    for name, s in [("kana", "ｶﾀｶﾅ ok\n"), ("yen", "¥100 and ‾\n"), ("sym", "①②③ №\n"),
                    ("tilde-backslash", "a~b\\c 漢\n")]:
        try:
            out.append((name, s.encode(codec)))
        except (UnicodeEncodeError, LookupError):
            pass
    return out + shape_bodies(charset)


def decodes(b, codec):
    try:
        b.decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def shape_bodies(charset):
    """Bodies for the decoder's and encoder's corner cases: every
    duplicate-encoded character in each of its sequences, invalid
    sequences of every shape (one per body where the output codec can
    write U+FFFD, so that each one's count of replacement characters
    shows), make-up sequences, big5hkscs pairs."""
    codec = body_codec(charset)
    if codec not in CODECS:
        return []
    out = []
    dups = [b for t, bs in sorted(sequences(codec).items()) if len(bs) > 1 for b in bs]
    if dups:
        out.append(("dups", b"\n".join(b" ".join(dups[i:i + 16]) for i in range(0, len(dups), 16)) + b"\n"))
    pieces = invalid_pieces(codec)
    if codec == "gb18030":
        for i, p in enumerate(pieces):
            out.append(("invalid%d" % i, b"x " + p + b" y\n\xd6\xd0" + p))
    else:
        out.append(("invalid", b"\n".join(b"x " + p + b" y" for p in pieces) + b"\n"))
        cut = [p for p in pieces if not decodes(p, codec)]
        out.append(("invalid-end", b"x\n" + max(cut, key=len)))
    if codec in ("euc_kr", "cp949"):
        makeup = [b"\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xd4", b"\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xa2",
                  b"\xa4\xd4\xa4\xbe\xa4\xd3\xa4\xbe", b"\xa4\xd4\xa4\xb1\xa4\xc5\xa4\xa9"]
        out.append(("makeup", b" ".join(makeup) + b"\n" + "똠방각하 햏 뷁 숖\n".encode(codec)))
        out.append(("syllables", "".join(chr(0xAC00 + i) for i in range(0, 11172, 37)).encode(codec, "replace") + b"\n"))
    if codec == "big5hkscs":
        supplementary = [b for t, bs in sorted(sequences(codec).items()) if len(t) == 1 and ord(t) > 0xFFFF for b in bs]
        out.append(("pairs", b"\x88\x62\x88\x64\x88\xa3\x88\xa5 \x88\x66\x88\xa7 \x88\x66\x88\x62\n"
                    + b"".join(supplementary[::40]) + b"\n"))
    return out


def random_bodies(charset, rng, n):
    """Random 8-bit bodies: characters decoded from random byte pairs
    (and single bytes) of the charset's codec, ASCII words, newlines;
    a few with a random invalid byte."""
    codec = body_codec(charset)
    seqs = [b for bs in sequences(codec).values() for b in bs] if codec in CODECS else []
    chars = []
    for _ in range(20000):
        if len(chars) >= 300:
            break
        b = bytes([rng.randint(0x81, 0xFE), rng.randint(0x40, 0xFE)])
        if rng.random() < 0.1:
            b = bytes([rng.randint(0x80, 0xFF)])
        elif rng.random() < 0.3 and seqs:
            b = rng.choice(seqs)  # also three- and four-byte sequences
        try:
            c = b.decode(codec)
        except UnicodeDecodeError:
            continue
        if all(ord(x) >= 0x80 for x in c):
            chars.append(c)
    if not chars:
        chars = ["?"]
    out = []
    for i in range(n):
        parts = []
        for _ in range(rng.randint(1, 120)):
            r = rng.random()
            parts.append(rng.choice(chars) if r < 0.7 else rng.choice(["a", "ab ", " ", "\n", "~", "\\", "=", "From "]))
        body = "".join(parts).encode(codec, "replace")
        if i % 5 == 4:
            k = rng.randint(0, len(body))
            body = body[:k] + bytes([rng.randint(0x80, 0xFF)]) + body[k:]
        if i % 7 == 6:
            body = body[:rng.randint(0, len(body))]  # cut, maybe mid-character
        out.append(("random%d" % i, body + b"\n"))
    return out


def main():
    import random
    rng = random.Random(20261202)
    for charset, text in CHARSETS:
        for bname, body in bodies(charset, text) + random_bodies(charset, rng, 25):
            msg_bytes = (b"From: a@example.com\nSubject: t\nMIME-Version: 1.0\n"
                         b"Content-Type: text/plain; charset=\"" + charset.encode() + b"\"\n"
                         b"Content-Transfer-Encoding: 8bit\n\n" + body)
            print_records(charset + "/" + bname, charset, msg_bytes, POLICIES)


def print_records(name, charset, msg_bytes, policies):
    """Prints a record per policy: the message parsed with
    message_from_binary_file and written with BytesGenerator, or the
    class of the exception Python raised."""
    for pname, pol in policies.items():
        rec = {"name": name, "charset": charset, "policy": pname, "input": base64.b64encode(msg_bytes).decode()}
        msg = email.message_from_binary_file(io.BytesIO(msg_bytes), policy=pol)
        out = io.BytesIO()
        try:
            email.generator.BytesGenerator(out, policy=pol).flatten(msg)
            rec["output"] = base64.b64encode(out.getvalue()).decode()
        except Exception as e:  # recorded: the Go writer must fail too
            rec["error"] = type(e).__name__
        print(json.dumps(rec, sort_keys=True))


if __name__ == "__main__":
    import email.charset
    main()
