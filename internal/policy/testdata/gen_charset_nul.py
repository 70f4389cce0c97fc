#!/usr/bin/env python3
"""Messages with a NUL in a charset name, and Python's output for them.

    python3 internal/policy/testdata/gen_charset_nul.py

Python's codec lookup (bytes.decode, str.encode, codecs.lookup) raises
ValueError("embedded null character") for a charset name with U+0000,
not LookupError, and its callers differ in what they do with it: an
encoded word stays literal text (get_encoded_word), an RFC 2231
parameter raises (MimeParameters.params), a cte_type=7bit re-encoding
raises. This writes the messages to testdata/charset-nul/messages and
runs /work/shared/tools/policy_oracle.py (CPython 3.11.7) on them with
the policies below; its output (expected/<policy>/, expected/manifest.json)
is what TestCharsetNUL compares with.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "charset-nul")
ORACLE = "/work/shared/tools/policy_oracle.py"
POLICIES = [
    "default",
    "default,refold_source=all",
    "compat32",
    "compat32,max_line_length=20",
    "SMTP+SMTPUTF8",
    "SMTP,cte_type=7bit",
    "compat32,cte_type=7bit",
]

MESSAGES = {
    # From the differential review (/tmp/rv2/repro).
    "ew_nul_charset.eml": b"Subject: =?a\x00b?q?x?= y\n\nbody\n",
    "ew_nul_charset_long.eml": b"Subject: =?a\x00b?q?x?= " + b"word " * 18 + b"\n\nbody\n",
    "ew_nul_charset_to.eml": b"To: =?a\x00b?q?x?= <a@b>\n\nbody\n",
    "rfc2231_nul_charset.eml": b"Content-Type: text/plain; name*=a\x00''x\n\nbody\n",
    "ct_nul_charset.eml": b'Content-Type: text/plain; charset="a\x00b"\n\n\xe9\n',
    # Variants.
    "ew_nul_charset_empty.eml": b"Subject: =?a\x00b?q??= y\n\nbody\n",
    "ew_nul_utf8.eml": b"Subject: =?utf-8\x00?b?w6k=?= tail\n\nbody\n",
    "ew_nul_surrogate_charset.eml": b"Subject: =?a\x00\xffb?q?x?= y\n\nbody\n",
    "ew_nul_lang.eml": b"Subject: =?a*b\x00?q?x?= y\n\nbody\n",
    "ew_nul_unstructured_mid.eml": b"Subject: hello =?a\x00b?q?x?= =?utf-8?q?ok?=\n\nbody\n",
    "rfc2231_nul_surrogate_charset.eml": b"Content-Type: text/plain; name*=a\x00\xff''x\n\nbody\n",
    "rfc2231_nul_cont.eml": b"Content-Type: text/plain; name*0*=a\x00''x; name*1=y\n\nbody\n",
    "rfc2231_nul_disposition.eml": b"Content-Disposition: attachment; filename*=utf-8\x00''x%41\n\nbody\n",
    "ct_nul_charset_ascii.eml": b'Content-Type: text/plain; charset="a\x00b"\n\nplain\n',
    "ct_nul_8bit_charset.eml": b'Content-Type: text/plain; charset="a\x00\xffb"\n\n\xe9\n',
    "ct_nul_utf8.eml": b'Content-Type: text/plain; charset="utf-8\x00"\n\n\xc3\xa9\n',
    # Not a NUL, but raised at the same place (the Content-Type header
    # object the feed parser builds): a value that decodes to a lone
    # surrogate, UnicodeEncodeError.
    "rfc2231_lone_surrogate.eml": b"Content-Type: text/plain; name*=utf-7''+2D8-\n\nbody\n",
    "rfc2231_lone_surrogate_part.eml": b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; name*=utf-7''+2D8-\n\nbody\n--b--\n",
    # set_param (new boundary, cte_type=7bit charset) re-quotes an RFC 2231
    # parameter with its charset: str.encode raises ValueError.
    "setparam_nul_boundary.eml": b"Content-Type: multipart/mixed; title*=a\x00''x\n\nbody\n",
    "setparam_nul_boundary_empty.eml": b"Content-Type: multipart/mixed; title*=a\x00''\n\nbody\n",
    "setparam_nul_reencode.eml": b"Content-Type: text/plain; charset=utf-8; title*=a\x00''x\n\n\xc3\xa9\n",
}


def main():
    shutil.rmtree(DIR, ignore_errors=True)
    os.makedirs(os.path.join(DIR, "messages"))
    for name, data in MESSAGES.items():
        with open(os.path.join(DIR, "messages", name), "wb") as f:
            f.write(data)
    subprocess.run([sys.executable, ORACLE, "--batch", os.path.join(DIR, "messages"),
                    "--policies", ";".join(POLICIES),
                    "--expected-out", os.path.join(DIR, "expected"),
                    "--timeout", "20"], check=True)


if __name__ == "__main__":
    main()
