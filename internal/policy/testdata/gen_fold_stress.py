#!/usr/bin/env python3
"""Generate fold-stress.jsonl.gz: Python's fold_binary on synthetic headers.

Produced with CPython 3.11.7.  Regenerate from the repository root with:

    python3 internal/policy/testdata/gen_fold_stress.py | gzip -n -9 > internal/policy/testdata/fold-stress.jsonl.gz

(optional arguments SEED COUNT make other, larger sets for exploring, e.g.
with FOLD_EXTRA_GOLDEN in fold_test.go).

The values are built from a fixed random seed out of the pieces real
headers are made of (words, long tokens, RFC 2047 encoded words in several
charsets, raw 8-bit bytes, quoted strings, comments, addresses and groups,
MIME parameters with RFC 2231 sections, dates in many formats, message-ids)
and folded under policies with narrow and wide line limits.  Same record
format as gen_fold_golden.py; a call that does not return within 2 seconds
is recorded as {"error": "NoReturn: ..."}.
"""
import base64
import email.policy as P
import json
import random
import signal
import sys

POLICIES = {
    "default,refold_source=all": P.default.clone(refold_source="all"),
    "default,refold_source=all,max_line_length=30": P.default.clone(refold_source="all", max_line_length=30),
    "default,refold_source=all,max_line_length=50": P.default.clone(refold_source="all", max_line_length=50),
    "default,utf8=true,refold_source=all,max_line_length=40": P.default.clone(utf8=True, refold_source="all", max_line_length=40),
    "SMTP,cte_type=7bit": P.SMTP.clone(cte_type="7bit"),
    "HTTP,refold_source=all": P.HTTP.clone(refold_source="all"),
    "compat32,cte_type=7bit,max_line_length=30": P.compat32.clone(cte_type="7bit", max_line_length=30),
    "compat32,max_line_length=50": P.compat32.clone(max_line_length=50),
}

R = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 20261202)
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 1400
UNICODE = ["café", "naïve", "Jörg", "Ñandú", "日本語", "Привет", "😀", "ß", "e\u0301", "\u00a0nbsp", "x\u2028y"]
WORDS = ["hello", "world", "a", "re:", "Fwd:", "x", "ok", "test", "foo.bar", "1.0", "—"]


def raw(b):
    return b.decode("ascii", "surrogateescape")


def word():
    k = R.random()
    if k < 0.5:
        return R.choice(WORDS)
    if k < 0.6:
        return "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789-_.") for _ in range(R.randint(25, 90)))
    if k < 0.8:
        return ew()
    if k < 0.9:
        return raw(R.choice(["caf\xe9", "na\xefve", "Jörg", "日本"]).encode(R.choice(["latin-1", "utf-8"]), "replace"))
    return R.choice([";", ",", "(c)", "\"q\"", "<x>", "@", "=?", "?=", "a=b", "\\"])


def ew():
    text = " ".join(R.choice(UNICODE + WORDS) for _ in range(R.randint(1, 4)))
    cs = R.choice(["utf-8", "utf-8", "iso-8859-1", "koi8-r", "unknown-8bit", "bogus-cs", "us-ascii"])
    try:
        if cs in ("unknown-8bit", "bogus-cs"):
            b = text.encode("utf-8")
        else:
            b = text.encode(cs)
    except UnicodeEncodeError:
        cs, b = "utf-8", text.encode("utf-8")
    if R.random() < 0.5:
        enc = "q"
        body = "".join(chr(c) if chr(c).isalnum() and c < 128 else ("_" if c == 32 else "=%02X" % c) for c in b)
    else:
        enc = "b"
        body = base64.b64encode(b).decode()
        if R.random() < 0.1:
            body = body.rstrip("=")
    s = "=?%s?%s?%s?=" % (cs, R.choice([enc, enc.upper()]), body)
    if R.random() < 0.05:
        s = s.replace("?=", "", 1)
    return s


def sep():
    return R.choice([" ", " ", " ", "  ", "\t", "\n ", "\r\n\t", ""])


def unstructured():
    return sep().join(word() for _ in range(R.randint(0, 14))).strip(" \t")


def addr_spec():
    lp = R.choice(["user", "first.last", "\"quoted user\"", "a+b", "x" * R.randint(20, 60), "j\xf6rg".encode("latin-1").decode("ascii", "surrogateescape")])
    dom = R.choice(["example.com", "mail.example.org", "[192.0.2.1]", "a" * R.randint(20, 50) + ".net", "host"])
    return lp + "@" + dom


def mailbox():
    k = R.random()
    a = addr_spec()
    if k < 0.3:
        return a
    name = R.choice(["Jane Doe", "\"Doe, Jane\"", ew(), "J. R. Smith", "Jörg Müller",
                     raw("J\xf6rg".encode("latin-1")), "A Very Long Display Name That Goes On And On", "(comment) Bob"])
    if k < 0.9:
        return "%s <%s>" % (name, a)
    return R.choice(["<>", "foo", "a@", "@b", "x y <z", "<a@b> junk", ". <u@example.com>", "name (c) <a@b.c>"])


def addresses():
    items = []
    for _ in range(R.randint(1, 6)):
        if R.random() < 0.15:
            items.append("Group %d: %s;" % (R.randint(1, 9), ", ".join(mailbox() for _ in range(R.randint(0, 3)))))
        else:
            items.append(mailbox())
    return ("," + sep()).join(items)


def param():
    name = R.choice(["charset", "name", "filename", "boundary", "format", "x-long-parameter-name"])
    k = R.random()
    if k < 0.3:
        val = R.choice(["utf-8", "us-ascii", "flowed", "----=_Part_%d" % R.randint(1, 10**9)])
        return "%s=%s" % (name, val)
    if k < 0.55:
        val = " ".join(word() for _ in range(R.randint(1, 6)))
        return '%s="%s"' % (name, val.replace('"', ""))
    if k < 0.7:
        return "%s*=utf-8''%s" % (name, "".join("%%%02X" % c for c in R.choice(UNICODE).encode()) + "doc.txt")
    if k < 0.85:
        return "%s*0=\"part one \";%s%s*1*=%%C3%%A9t%%C3%%A9;%s*2=end" % (name, sep(), name, sep())
    return R.choice(["junk", "=novalue", "name=", "a*=bad''x", "b*1=sec", "c=\"unterminated"])


def parameterized(kind):
    head = R.choice(["text/plain", "multipart/mixed", "application/octet-stream", "TEXT/HTML", "bad", "text/"]) \
        if kind == "Content-Type" else R.choice(["attachment", "inline", "form-data", ""])
    ps = [param() for _ in range(R.randint(0, 4))]
    return (";" + sep()).join([head] + ps)


def date():
    if R.random() < 0.2:
        return R.choice(["", "garbage", "32 Jan 2001 10:00", "Mon, 1 Jan 2001 25:00:00 +0000", "1 Jan 2001 10:00 -3000",
                         "Wednesday, April 03, 2002 5:56 AM", "Tue,  6 Mar 2001 09:29:58 -0800 (PST)"])
    day = R.choice(["Mon, ", "Tue,", "", "Sunday "])
    tz = R.choice(["+0000", "-0500", "GMT", "EST", "-0000", "+0530", "(CET)", "UT", "Z", ""])
    return "%s%d %s %s %02d:%02d%s %s" % (day, R.randint(1, 31), R.choice(["Jan", "feb", "March", "Dec"]),
                                          R.choice(["99", "2001", "68", "69", "1999"]), R.randint(0, 23), R.randint(0, 59),
                                          R.choice([":%02d" % R.randint(0, 59), ""]), tz)


def message_id():
    return R.choice(["<%d.%s@example.com>" % (R.randint(1, 10**12), "x" * R.randint(1, 80)), "no-brackets@host",
                     "<a@b> trailing", "<bad", "<[literal]@x>", "<a.b@[1.2.3.4]>", " (c) <c@d> ", "<\"q\"@x>", ""])


def value_for(name):
    if name in ("From", "To", "Cc", "Reply-To", "Sender", "Resent-From", "Bcc"):
        return addresses()
    if name in ("Content-Type", "Content-Disposition"):
        return parameterized(name)
    if name == "Date":
        return date()
    if name == "Message-ID":
        return message_id()
    if name == "MIME-Version":
        return R.choice(["1.0", "1.0 (generated)", "2", "abc", " 1 . 0", "1.0 x"])
    if name == "Content-Transfer-Encoding":
        return R.choice(["base64", " 8bit ", "Quoted-Printable", "x-uuencode junk", "", "7bit (c)"])
    return unstructured()


def latin(b):
    return b.decode("latin-1")


class NoReturn(Exception):
    pass


def alarm(signum, frame):
    raise NoReturn("python did not return within 2s")


def main():
    signal.signal(signal.SIGALRM, alarm)
    names = ["Subject", "X-Note", "From", "To", "Cc", "Reply-To", "Sender", "Content-Type", "Content-Disposition",
             "Date", "Message-ID", "MIME-Version", "Content-Transfer-Encoding", "References"]
    seen = set()
    for i in range(COUNT):
        name = names[i % len(names)]
        # As from a bytes parse: non-ASCII text becomes its UTF-8 bytes.
        value = value_for(name).encode("utf-8", "surrogateescape").decode("ascii", "surrogateescape")
        if (name, value) in seen:
            continue
        seen.add((name, value))
        fold = {}
        for spec, pol in POLICIES.items():
            signal.alarm(2)
            try:
                fold[spec] = latin(pol.fold_binary(name, value))
            except Exception as e:
                fold[spec] = {"error": "%s: %s" % (type(e).__name__, e)}
            finally:
                signal.alarm(0)
        rec = {"name": name, "value": latin(value.encode("ascii", "surrogateescape")), "fold": fold}
        sys.stdout.write(json.dumps(rec, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
