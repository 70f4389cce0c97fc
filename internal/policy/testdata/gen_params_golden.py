#!/usr/bin/env python3
"""Golden Content-Type parameters as Python's Message sees them (CPython 3.11.7).

    python3 internal/policy/testdata/gen_params_golden.py | gzip -n -9 > internal/policy/testdata/params-golden.jsonl.gz

For Content-Type values (fixed cases, then random ones built from
pieces: 8-bit bytes, RFC 2231 sections in any order and mix, odd
quoting, comments, bare attributes, misplaced specials), parsed with
message_from_binary_file under compat32 and default, each record holds
what Message.get_params() returns, or the class of the exception it
raises (compat32: utils.decode_params on the header fetched as text,
each 8-bit byte U+FFFD; default: the same on str() of the header
object, which the header registry renders from the parameters it
parsed), and the text set_param("charset", "utf-8") leaves in the
header, and whether it replaced the header (it does not when the new
text equals the old). Each line is JSON: policy, input (the header
value, base64), params ([name, value] or [name, [charset, language,
value]]) or error, set (or set_error), changed.
"""
import base64
import email
import email.policy
import io
import json
import random

POLICIES = {"compat32": email.policy.compat32, "default": email.policy.default}

FIXED = [
    b"text/plain; charset=iso-8859-1; \xe9bare; delsp=yes",
    b"text/plain; charset=iso-8859-1; bare; delsp=yes",
    b"text/pl\xe4in; charset=iso-8859-1",
    b"text/pl\xe4in; charset=\"iso-8859-1\"",
    b"text/plain; charset=iso-8859-1; title*=a; title*0=b",
    b"text/plain; charset=iso-8859-1; title*=a",
    b"text/plain; title*=a; charset=iso-8859-1",
    b"text/plain; title*0=a; title*=b; charset=x",
    b"text/plain; charset=x; title*=utf-8''%E4%B8%AD",
    b"text/plain; charset=x; title*0*=utf-8''%E4; title*1=\xe9",
    b"text/plain; charset=x; name=\"a\\\\\"; y=z",
    b"text/plain; charset=x; name=\"a\\\"b\"; y=z",
    b"text/plain; charset*=utf-8''x; y=z",
    b"text/plain; charset*=x",
    b"text/plain; charset=\"\"; y=z",
    b"text/plain; charset=; y=z",
    b"text/plain; Charset=a; charset=b",
    b"text/plain (comment) ; charset=x",
    b"text/plain; charset=x (c); y=\"1\" (d)",
    b"text/plain; charset=x; y=a b",
    b"text/plain; \xc3\xa9=v; charset=x",
    b"text/plain; x=\xc3\xa9; charset=x",
    b"text/plain garbage; charset=x",
    b"text; charset=x",
    b"text/; charset=x",
    b"=?utf-8?q?text/plain?=; charset=x",
    b"\"text/plain\"; charset=x",
    b"text/plain; charset=x; title*=iso-8859-1'fr'caf%E9",
    b"text/plain; charset=x; title*=x-unknown''abc",
    b"text/plain; charset=x; a=\"x;y\"; b=<z>; c=\"\xe9;\"",
    b"text/plain; charset=x; title*2=c; title*0=a; title*1=b",
    b"text/plain; charset=x; title*0*=''%41; title*1*=%42; title*3=d",
    b"text/plain; charset=x; title*0=\"a\"; title*1*=%E9",
    b"text/plain;; charset=x;",
    b"text/plain; charset=x; =v; a==b",
    b"text/plain; charset = x ; y = \"z\"",
    b"text/plain; charset=x\xe9y",
    b"text/plain; charset=\"utf-8\"; name*=\"utf-8''%E4\"",
    b"text/plain; charset=x; name*=\"''abc\"",
    b"text/plain; charset=x; name*0*=\"us-ascii'en'abc\"; name*1*=\"%41\"",
    # set_param("charset", "utf-8") writes these again as they were.
    b"text/plain; charset=\"utf-8\"",
    b"text/pl\xe4in; charset=\"utf-8\"",
    b"text/plain; charset=\"utf-8\"; \xe9bare",
    b"text/plain; charset=\"utf-8\"; x=\"\xc3\xa9\"",
]

TYPES = [b"text/plain", b"text/pl\xe4in", b"t\xe9xt/plain", b"text", b"text/", b" text / plain (c) ", b"TEXT/Plain",
         b"text/plain x", b"\"q\"/x", b"text/plain (a;b)", b"text/plain \"a;b\""]
NAMES = [b"charset", b"name", b"title", b"Name", b"x", b"\xe9", b"a b", b"title*", b"title*0", b"title*1", b"title*0*",
         b"title*1*", b"title**", b"title*00", b"title*2", b"CHARSET", b"charset*", b"charset*0", b"x(c)", b"", b"\xc3\xa9"]
EQUALS = [b"=", b" = ", b"", b"==", b"=(c)", b"= "]
VALUES = [b"iso-8859-1", b"utf-8", b"\"quoted\"", b"\"a;b\"", b"\"a\\\"b\"", b"\"a\\\\\"", b"caf\xe9", b"\"caf\xe9\"", b"%E9",
          b"utf-8''%E4%B8%AD", b"iso-8859-1'en'caf%E9", b"'", b"a'b", b"''", b"\"unclosed", b"<x>", b"", b"a b",
          b"\"utf-8''%C3%A9\"", b"''%41%42", b"koi8-r''%E9", b"x-unknown''%E9", b"(c)v", b"v(c)", b"\"\"", b"\xc3\xa9",
          b"utf-8'en'", b"%", b"%4", b"a\"b", b"gb2312''%D6%D0"]
SEPS = [b";", b"; ", b" ;", b";\t", b" ; ", b";;"]


def random_ctype(rng):
    parts = [rng.choice(TYPES)]
    for _ in range(rng.randint(0, 5)):
        parts.append(rng.choice(SEPS))
        parts.append(rng.choice(NAMES) + rng.choice(EQUALS) + rng.choice(VALUES))
    return b"".join(parts)


def text(v):
    return list(v) if isinstance(v, tuple) else v


def record(pname, pol, ctype):
    msg_bytes = b"From: a@example.com\nContent-Type: " + ctype + b"\n\nbody\n"
    rec = {"policy": pname, "input": base64.b64encode(ctype).decode()}
    try:
        msg = email.message_from_binary_file(io.BytesIO(msg_bytes), policy=pol)
    except Exception as e:  # the header registry's parser can raise (IndexError)
        rec["parse_error"] = type(e).__name__
        return json.dumps(rec, sort_keys=True)
    try:
        rec["params"] = [[k, text(v)] for k, v in msg.get_params()]
    except Exception as e:  # recorded: the Go parser must fail too
        rec["error"] = type(e).__name__
    try:
        before = list(msg._headers)
        msg.set_param("charset", "utf-8")
        rec["set"] = str(msg["content-type"])
        rec["changed"] = len(before) != len(msg._headers) or any(a is not b for a, b in zip(before, msg._headers))
    except Exception as e:
        rec["set_error"] = type(e).__name__
    return json.dumps(rec, sort_keys=True)


def main():
    rng = random.Random(2231)
    ctypes = FIXED + [random_ctype(rng) for _ in range(3000)]
    for ctype in ctypes:
        for pname, pol in POLICIES.items():
            print(record(pname, pol, ctype))


if __name__ == "__main__":
    main()
