#!/usr/bin/env python3
"""Golden outputs for the Content-Type that cte_type=7bit re-encoding rewrites under compat32 (CPython 3.11.7).

    python3 internal/policy/testdata/gen_cjk_encode_ctype.py | gzip -n -9 > internal/policy/testdata/cjk-encode-ctype.jsonl.gz

Text parts with an 8-bit body whose Content-Type holds 8-bit bytes (in
parameter values, quoted or not, in RFC 2231 sections, in a bare
parameter, in the type itself, long enough to fold) or none (RFC 2231
values, continuations, odd quoting, one set_param writes again as it
was), also inside a multipart/signed, parsed with message_from_binary_file
and written with BytesGenerator under compat32 with cte_type=7bit: the
generator's set_param fetches the header as text (each 8-bit byte
U+FFFD), writes non-ASCII parameter values as RFC 2231 utf-8 and a
non-ASCII remainder as utf-8 encoded words; and under default and SMTP,
where the header object's text has the decoded values (undecodable bytes
as UTF-8 with U+FFFD). Multiparts without a boundary show set_boundary's
rewrite. The records have the format of gen_reencode_cjk.py.
"""
import email.policy
import random
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from gen_reencode_cjk import print_records  # noqa: E402

POLICIES = {
    "compat32,cte_type=7bit": email.policy.compat32.clone(cte_type="7bit"),
    "compat32,cte_type=7bit,max_line_length=40": email.policy.compat32.clone(cte_type="7bit", max_line_length=40),
    "compat32,cte_type=7bit,max_line_length=0,linesep=\\r\\n": email.policy.compat32.clone(cte_type="7bit", max_line_length=0,
                                                                                           linesep="\r\n"),
}
# EmailPolicy: set_param on the header object's text (values decoded,
# undecodable bytes as UTF-8 with U+FFFD), refolded.
EMAIL_POLICIES = {
    "default,cte_type=7bit": email.policy.default.clone(cte_type="7bit"),
    "SMTP,cte_type=7bit,max_line_length=40": email.policy.SMTP.clone(cte_type="7bit", max_line_length=40),
    "SMTPUTF8,cte_type=7bit": email.policy.SMTPUTF8.clone(cte_type="7bit"),
}
# Content types also written inside a multipart/signed.
SIGNED = [0, 3, 9, 10, 11]

CONTENT_TYPES = [
    b'text/plain; charset="%s"; name="caf\xc3\xa9.txt"',
    b"text/plain; charset=%s; name=caf\xe9",
    b'text/plain; name="\xe4\xb8\xad\xe6\x96\x87"; charset=%s',
    b"text/pl\xe4in; charset=%s",
    b"t\xe9xt/plain; charset=%s; format=flowed",
    b"text/plain; charset=%s; title*=utf-8''%%E4%%B8%%AD; x=\"a\xff b\"",
    b"text/plain; charset=%s; title*=iso-8859-1'fr'caf%%E9",
    b"text/plain; charset=%s; title*0*=utf-8''%%E4; title*1=\xe9",
    b"text/plain; charset=%s; \xe9bare; delsp=yes",
    b'text/plain; charset="%s"; name="' + b"\xe9" * 60 + b'"',
    b"text/plain;\n charset=%s;\n name=\"r\xc3\xa9sum\xc3\xa9 " + b"long " * 12 + b"\"",
    b"text/pl\xe4in; charset=%s; name=\"" + b"x\xe9y " * 20 + b"\"",
    b"text/plain; charset=%s; name=\"a\\\"\xe9\\\\b\"",
    b"text/plain; CHARSET=%s; Name=\"\xe9\"",
    b"text/plain; charset=%s; name=\"\xe9\"; name=\"second\"",
    b"text/plain; charset=%s; name=\"unclosed \xe9",
    b"text/plain; charset=%s; format=flowed",
    b"text/plain; charset=\"%s\"; title*=utf-8''%%E4%%B8%%AD%%E6%%96%%87",
    b"text/plain; charset=%s; title*=koi8-r''%%E9%%FF",
    b"text/plain; charset=%s; title*=x-unknown''abc",
    b"text/plain; charset=%s; title*=''%%E9",
    b"text/plain; charset=%s; title*=noquotes%%41",
    b"text/plain; charset=%s; title*=noquotes%%E9",
    b"text/plain; charset=%s; title*=utf-8'en'%%E4%%B8%%AD",
    b"text/plain; charset=%s; title*=a; title*0=b",
    b"text/plain; charset=%s; title*1=b; title*0*=iso-8859-1''%%E9; title*2*=%%41",
    b"text/plain; charset=%s; title*=gb2312''%%D6%%D0%%CE%%C4; x=y",
    b"text/plain; charset=%s; a=\"x;y\"; b=<z>; c=\"\xe9;\"",
    b"text/plain; charset=%s; title*=utf-7''%%E9%%41",
    b"text/plain; charset=%s; title*=cp037''%%C1%%E9",
    b"text/plain; charset=%s; x*=johab''%%88%%61",
    b"text/plain; charset=%s; x*=iso-8859-7''%%E1",
    b"text/plain; charset=%s; title*=utf-16''%%E9%%41; x*=utf-32-be''%%00%%00%%00%%7A",
    # set_param leaves a header whose text it would write again as it is.
    b'text/pl\xe4in; charset="%s"',
    b'text/plain; charset="%s"; \xe9bare',
    b'text/plain; charset="%s"; x="\xc3\xa9"',
    # RFC 2231 sections with and without a number, a charset in RFC 2231,
    # an empty charset, bare and odd parameters.
    b"text/plain; title*0=a; title*=b; charset=%s",
    b"text/plain; charset*=%s",
    b"text/plain; charset*0=%s",
    b"text/plain; charset=%s; title*=a",
    b"text/plain; charset=%s; \xc3\xa9=v; bare",
    b"text/plain; charset=%s; Charset=other",
    b"text/plain (c) ; charset=%s; x=\"a\\\\\"; y=z",
    b"t\xc3\xa9xt/plain; charset=%s",
    b"text/plain; charset=%s; title*0*=\"utf-8''%%E4%%B8\"; title*1*=%%AD",
    # RFC 2231 values in hz (RFC 1843), which set_param encodes again:
    # "~{" and "~}" around GB 2312, "~~", a newline, text hz cannot encode.
    b"text/plain; charset=%s; title*=hz''~{VPND~}; x=\"\xe9\"",
    b"text/plain; charset=%s; title*=hz''a~~b~{VP~}%%0A~{ND~}x; y=\xe9",
    b"text/plain; charset=%s; title*=hz''~{VP~}~~~{ND~}%%20z; title*=utf-8''%%E9",
    b"text/plain; charset=%s; title*=hz''%%80a; y=\xe9",
    b"text/plain; charset=%s; title*0*=hz''~{VP~}; title*1*=~{ND~}a; y=\xe9",
    b"text/plain; charset=%s; title*=hz''~{VP~}; x*=HZ-GB-2312''a~{ND~}; \xe9bare",
]

BODIES = {"iso-8859-1": "h\xe9llo w\xf6rld\n".encode("iso-8859-1"), "utf-8": "h\xe9llo \u4e2d\u6587\n".encode("utf-8"),
          "gb2312": "\u4e2d\u6587\u90ae\u4ef6\n".encode("gb2312"), "koi8-r": "\u043f\u0440\u0438\u0432\u0435\u0442\n".encode("koi8-r")}


def main():
    rng = random.Random(4)
    for i, ct in enumerate(CONTENT_TYPES):
        for charset in sorted(BODIES) if i < 3 else [rng.choice(sorted(BODIES))]:
            msg_bytes = (b"From: a@example.com\nSubject: t\nMIME-Version: 1.0\nContent-Type: " + ct.replace(b"%s", charset.encode())
                         .replace(b"%%", b"%") + b"\nContent-Transfer-Encoding: 8bit\n\n" + BODIES[charset])
            print_records("ctype%d/%s" % (i, charset), charset, msg_bytes, dict(POLICIES, **EMAIL_POLICIES))
    # A lower-case header name, and Content-Type values folded over lines.
    for i, ct in enumerate([b"content-type: text/plain; charset=iso-8859-1; name=\"\xe9\"",
                            b"Content-Type: text/pl\xe4in;\n charset=iso-8859-1;\n\tname=\"" + b"long " * 20 + b"\""]):
        msg_bytes = b"From: a@example.com\nMIME-Version: 1.0\n" + ct + b"\nContent-Transfer-Encoding: 8bit\n\n" + BODIES["iso-8859-1"]
        print_records("header%d/iso-8859-1" % i, "iso-8859-1", msg_bytes, dict(POLICIES, **EMAIL_POLICIES))
    # A multipart without a boundary: set_boundary writes the parameters
    # as _get_params_preserve gives them.
    for i, ct in enumerate([b"multipart/mixed; foo=bar; x=\"q\"", b"multipart/mixed; title*=utf-8''%E9; a=\xe9",
                            b"multipart/m\xe9xed; name=\"\xc3\xa9\"", b"multipart/mixed; boundary=\"\"; c=d"]):
        msg_bytes = (b"From: a@example.com\nMIME-Version: 1.0\nContent-Type: " + ct + b"\n\n--x\n\nbody\n--x--\n")
        print_records("boundary%d" % i, "", msg_bytes, dict(POLICIES, **EMAIL_POLICIES))
    # The charset as get_param reads it: empty, bare, the type itself
    # (get_params splits the first element on "=" too), RFC 2231 sections.
    for i, ct in enumerate([b'text/plain; charset=""', b"text/plain; charset", b"charset=latin1",
                            b"text/plain; charset*0=latin1; charset*1=x", b"text/plain; charset*0=iso-8859-; charset*1=1"]):
        msg_bytes = b"From: a@example.com\nContent-Type: " + ct + b"\n\n" + BODIES["iso-8859-1"]
        print_records("charset%d" % i, "", msg_bytes, dict(POLICIES, **EMAIL_POLICIES))
    # The same text part inside a multipart/signed: Python writes its parts
    # with a clone of the policy that has max_line_length=0.
    for i in SIGNED:
        charset = "iso-8859-1"
        part = (b"Content-Type: " + CONTENT_TYPES[i].replace(b"%s", charset.encode()).replace(b"%%", b"%")
                + b"\nContent-Transfer-Encoding: 8bit\n\n" + BODIES[charset])
        msg_bytes = (b"From: a@example.com\nSubject: t\nMIME-Version: 1.0\nContent-Type: multipart/signed; boundary=\"b\";"
                     b" protocol=\"application/pgp-signature\"; micalg=pgp-sha256\n\n--b\n" + part
                     + b"--b\nContent-Type: application/pgp-signature\n\nsig\n--b--\n")
        print_records("signed-ctype%d/%s" % (i, charset), charset, msg_bytes, dict(POLICIES, **EMAIL_POLICIES))


if __name__ == "__main__":
    main()
