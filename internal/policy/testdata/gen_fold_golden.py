#!/usr/bin/env python3
"""Generate fold-golden.jsonl.gz: what Python's policy.fold_binary returns.

Produced with CPython 3.11.7 (its email package is the reference).
Regenerate from the repository root with:

    python3 internal/policy/testdata/gen_fold_golden.py | gzip -n -9 > internal/policy/testdata/fold-golden.jsonl.gz

Inputs: the (name, value) pairs of every part of every message under
testdata/corpus, taken from Python's own parser (msg.raw_items() after
email.message_from_binary_file, i.e. the value header_source_parse stores),
plus the hand-picked EDGE_CASES below.

Each output line is a JSON object
    {"name": N, "value": V, "fold": {SPEC: RESULT | {"error": "Class: msg"}}}
where N, V and RESULT are byte strings written as latin-1 text (one JSON
character per byte), so bytes >= 0x80 (Python's surrogate-escaped bytes)
survive exactly.  SPEC uses the policy_oracle.py grammar.
"""
import email
import email.policy as P
import json
import os
import sys

POLICIES = {
    "compat32": P.compat32,
    "compat32,cte_type=7bit": P.compat32.clone(cte_type="7bit"),
    "compat32,max_line_length=40,linesep=\\r\\n": P.compat32.clone(max_line_length=40, linesep="\r\n"),
    "compat32,max_line_length=none": P.compat32.clone(max_line_length=None),
    "default": P.default,
    "default,max_line_length=40": P.default.clone(max_line_length=40),
    "default,refold_source=all": P.default.clone(refold_source="all"),
    "default,refold_source=none": P.default.clone(refold_source="none"),
    "SMTP,cte_type=7bit": P.SMTP.clone(cte_type="7bit"),
    "SMTPUTF8": P.SMTPUTF8,
    "HTTP": P.HTTP,
    "default,utf8=true,refold_source=all": P.default.clone(utf8=True, refold_source="all"),
}

EDGE_CASES = [
    ("Subject", ""),
    ("Subject", "x" * 120),
    ("Subject", "short " + "y" * 100 + " tail words here"),
    ("Subject", "=?utf-8?q?caf=C3=A9?= and more text that goes on and on past the limit of the line"),
    ("Subject", "=?iso-8859-1?b?Y2Fm6Q==?= =?utf-8?q?na=C3=AFve?="),
    ("Subject", "caf\udce9 na\udcefve \udcc3\udca9t\udcc3\udca9 with eight bit bytes in a long enough subject line"),
    ("Subject", "line one\r\n continued\r\n\tand tabbed"),
    ("Subject", "line one\n continued\n and more"),
    ("Subject", "form\x0cfeed and \x0bvtab and \x1cfs"),
    ("X-Long", "a,b;c " * 30),
    ("X-Long", "\t leading tab word " * 8),
    ("From", "Jane Doe <jane@example.com>"),
    ("From", "\"Doe, Jane\" <jane@example.com>"),
    ("To", ", ".join("User Number %d <user%d@example.com>" % (i, i) for i in range(12))),
    ("To", "undisclosed-recipients:;"),
    ("Cc", "=?utf-8?q?J=C3=B6rg?= <joerg@example.com>, plain@example.com"),
    ("Reply-To", "group: a@b.c, d@e.f;"),
    ("From", "J\udcf6rg <joerg@example.com>"),
    ("Content-Type", "text/plain; charset=\"utf-8\"; format=flowed"),
    ("Content-Type", "multipart/mixed; boundary=\"----=_Part_0_123456789.1234567890123\""),
    ("Content-Type", "application/octet-stream; name=\"a very long file name that needs folding because it is long.pdf\""),
    ("Content-Type", "application/octet-stream; name=\"caf\udcc3\udca9.txt\""),
    ("Content-Type", "application/octet-stream; name*=utf-8''caf%C3%A9%20long%20long%20long%20long%20long%20name.txt"),
    ("Content-Disposition", "attachment; filename=\"r\udcc3\udca9sum\udcc3\udca9 with a long long long long name.pdf\""),
    ("Content-Disposition", "inline"),
    ("Content-Transfer-Encoding", "quoted-printable"),
    ("Content-Transfer-Encoding", "  base64  "),
    ("MIME-Version", "1.0"),
    ("MIME-Version", "1.0 (produced by a mailer)"),
    ("Message-ID", "<1234567890.abcdef@mail.example.com>"),
    ("Message-ID", "<" + "m" * 90 + "@example.com>"),
    ("Date", "Mon, 20 Nov 1995 19:12:08 -0500"),
    ("References", " ".join("<ref%d.%d@example.org>" % (i, i * 7) for i in range(10))),
    ("Subject", "=?utf-8-sig?b?77u/Y2Fmw6k=?= x"),
    ("Subject", "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?iso-2022-jp?q?=1B=24B0!=1B=28B?="),
    ("From", "=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?= <a@example.kr>"),
    ("Received", "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.org (Postfix) with ESMTPS id ABCDEF123 for <user@example.org>; Mon, 20 Nov 1995 19:12:08 -0500"),
]


def latin(b):
    return b.decode("latin-1")


def fold_all(name, value):
    out = {}
    for spec, pol in POLICIES.items():
        try:
            out[spec] = latin(pol.fold_binary(name, value))
        except Exception as e:  # Python itself fails: record how
            out[spec] = {"error": "%s: %s" % (type(e).__name__, e)}
    return out


def corpus_pairs(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            if not fn.endswith(".eml"):
                continue
            with open(os.path.join(dirpath, fn), "rb") as f:
                msg = email.message_from_binary_file(f, policy=P.compat32)
            for part in msg.walk():
                for name, value in part.raw_items():
                    yield name, value


def main():
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "testdata", "corpus")
    seen = set()
    pairs = list(EDGE_CASES) + list(corpus_pairs(root))
    for name, value in pairs:
        key = (name, value)
        if key in seen:
            continue
        seen.add(key)
        rec = {
            "name": latin(name.encode("ascii", "surrogateescape")),
            "value": latin(value.encode("ascii", "surrogateescape")),
            "fold": fold_all(name, value),
        }
        sys.stdout.write(json.dumps(rec, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
