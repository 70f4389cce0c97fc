#!/usr/bin/env python3
"""Read a mailbox with Python's imaplib, the reference the e2e scripts
compare imapctl with. The password comes from IMAPLIB_PASSWORD (never argv).

  imaplib_helper.py --host H --port P --user U --ca-file CA fetch MAILBOX UID FILE
      writes BODY[] of UID to FILE and prints "size: <RFC822.SIZE>"
  ... append MAILBOX FILE [FLAGS]
      appends FILE's bytes (imaplib sends them as they are) and prints the
      server's reply
  ... compare MAILBOX UID FILE
      exits 1 unless FILE holds BODY[] of UID exactly and its length is RFC822.SIZE
  ... comparedir MAILBOX DIR [lf]
      exits 1 unless the files under DIR (tmp/ and a Maildir's .imapctl-origin
      left out) are the messages of
      MAILBOX, BODY[] byte for byte (with lf: CRLF turned into LF), in any order
  ... comparesrc MAILBOX DIR...
      exits 1 unless the messages of MAILBOX are the .eml files of DIRs with
      bare LF turned into CRLF, byte for byte, in any order
  ... search MAILBOX KEY...
      prints the UIDs UID SEARCH returns, one per line
  ... sort MAILBOX 'KEYS' / thread MAILBOX ALGORITHM
      prints the UIDs UID SORT (KEYS) UTF-8 ALL returns, one per line; or each
      conversation UID THREAD ALGORITHM UTF-8 ALL returns, one per line
  ... flags MAILBOX UID
      prints "flags: f..." (lower case, sorted: servers differ in case) and "internaldate: YYYY-MM-DD" (local time)
  ... section MAILBOX UID SECTION FILE [decode]
      writes BODY[SECTION] of UID to FILE (with decode: that part's payload
      decoded by Python's email package instead)
  ... select MAILBOX
      prints "exists: N", "uidvalidity: N" and "uidnext: N" as imaplib reads them (EXAMINE)
  ... list
      prints the server's LIST lines, as imaplib returns them
"""
import argparse
import email
import email.policy
import imaplib
import os
import re
import ssl
import sys


def connect(args):
    if args.tls == "none":
        conn = imaplib.IMAP4(args.host, args.port)
    else:
        ctx = ssl.create_default_context(cafile=args.ca_file)
        conn = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=ctx)
    password = os.environ["IMAPLIB_PASSWORD"]
    if password.isascii():
        conn.login(args.user, password)
    else:
        # imaplib's LOGIN only sends ASCII; AUTHENTICATE PLAIN sends UTF-8.
        conn.authenticate("PLAIN", lambda _: b"\0" + args.user.encode() + b"\0" + password.encode())
    return conn


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_all(conn, mailbox, uids="1:*"):
    """Returns {uid: (rfc822_size, body)} of the messages in uids."""
    typ, _ = conn.select(quote(mailbox), readonly=True)
    if typ != "OK":
        sys.exit("select %s failed" % mailbox)
    typ, data = conn.uid("FETCH", uids, "(UID RFC822.SIZE BODY.PEEK[])")
    if typ != "OK":
        sys.exit("fetch failed: %r" % (data,))
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        uid = re.search(rb"UID (\d+)", head)
        size = re.search(rb"RFC822\.SIZE (\d+)", head)
        if uid is None or size is None:
            sys.exit("cannot parse %r" % head)
        out[int(uid.group(1))] = (int(size.group(1)), body)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--ca-file")
    p.add_argument("--tls", default="implicit")
    p.add_argument("op")
    p.add_argument("rest", nargs="*")
    args = p.parse_args()
    conn = connect(args)
    if args.op == "fetch":
        mailbox, uid, out = args.rest
        typ, _ = conn.select(quote(mailbox), readonly=True)
        if typ != "OK":
            sys.exit("select failed")
        typ, data = conn.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[])")
        if typ != "OK" or not data or data[0] is None:
            sys.exit("fetch failed: %r" % (data,))
        head, body = data[0]
        m = re.search(rb"RFC822\.SIZE (\d+)", head)
        if m is None:
            # The size may come after the literal.
            m = re.search(rb"RFC822\.SIZE (\d+)", b"".join(x for x in data[1:] if isinstance(x, bytes)))
        with open(out, "wb") as f:
            f.write(body)
        print("size: %s" % (m.group(1).decode() if m else "?"))
        print("body: %d" % len(body))
    elif args.op == "compare":
        mailbox, uid, path = args.rest
        msgs = fetch_all(conn, mailbox, uid)
        size, body = msgs[int(uid)]
        with open(path, "rb") as f:
            data = f.read()
        if len(body) != size:
            sys.exit("server: BODY[] has %d bytes, RFC822.SIZE says %d" % (len(body), size))
        if data != body:
            sys.exit("%s (%d bytes) differs from BODY[] of UID %s (%d bytes)" % (path, len(data), uid, len(body)))
        print("same: UID %s, %d bytes" % (uid, size))
    elif args.op == "comparedir":
        mailbox, top = args.rest[:2]
        lf = "lf" in args.rest[2:]
        msgs = fetch_all(conn, mailbox)
        want = []
        for uid, (size, body) in sorted(msgs.items()):
            if len(body) != size:
                sys.exit("server: UID %d: BODY[] has %d bytes, RFC822.SIZE says %d" % (uid, len(body), size))
            want.append(body.replace(b"\r\n", b"\n") if lf else body)
        got = []
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d != "tmp"]
            for name in files:
                if root == top and name == ".imapctl-origin":
                    continue  # a Maildir's record of where its messages came from
                with open(os.path.join(root, name), "rb") as f:
                    got.append(f.read())
        if sorted(got) != sorted(want):
            sys.exit("%s holds %d files that are not the %d messages of %s" % (top, len(got), len(want), mailbox))
        print("same: %d messages" % len(want))
    elif args.op == "comparesrc":
        # BODY[] of every message equals a source .eml file with its bare
        # LFs turned into CRLF (what IMAP requires on the wire).
        mailbox, dirs = args.rest[0], args.rest[1:]
        msgs = fetch_all(conn, mailbox)
        want = []
        for d in dirs:
            for name in sorted(os.listdir(d)):
                if name.endswith(".eml"):
                    with open(os.path.join(d, name), "rb") as f:
                        want.append(re.sub(rb"(?<!\r)\n", b"\r\n", f.read()))
        got = [body for _, body in msgs.values()]
        if sorted(got) != sorted(want):
            missing = len([w for w in want if w not in got])
            sys.exit("%s: %d messages, %d source files, %d sources not found as BODY[]" % (mailbox, len(got), len(want), missing))
        print("same as sources: %d messages" % len(got))
    elif args.op == "search":
        mailbox = args.rest[0]
        typ, _ = conn.select(quote(mailbox), readonly=True)
        if typ != "OK":
            sys.exit("select %s failed" % mailbox)
        typ, data = conn.uid("SEARCH", *args.rest[1:])
        if typ != "OK":
            sys.exit("search failed: %r" % (data,))
        for uid in data[0].split():
            print(uid.decode())
    elif args.op in ("sort", "thread"):
        # imaplib's own SORT and THREAD (RFC 5256): UIDs in the server's
        # order, one per line; or each conversation of the THREAD response
        # on a line of its own, as the server wrote it.
        mailbox, spec = args.rest[0], args.rest[1]
        typ, _ = conn.select(quote(mailbox), readonly=True)
        if typ != "OK":
            sys.exit("select %s failed" % mailbox)
        if args.op == "sort":
            typ, data = conn.uid("SORT", "(%s)" % spec, "UTF-8", "ALL")
        else:
            typ, data = conn.uid("THREAD", spec, "UTF-8", "ALL")
        if typ != "OK":
            sys.exit("%s failed: %r" % (args.op, data))
        text = (data[0] or b"").decode()
        if args.op == "sort":
            for uid in text.split():
                print(uid)
        else:
            depth, start = 0, 0
            for i, ch in enumerate(text):
                if ch == "(":
                    if depth == 0:
                        start = i
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        print(text[start:i + 1])
    elif args.op == "flags":
        mailbox, uid = args.rest
        typ, _ = conn.select(quote(mailbox), readonly=True)
        typ, data = conn.uid("FETCH", uid, "(FLAGS INTERNALDATE)")
        if typ != "OK" or not data or data[0] is None:
            sys.exit("fetch failed: %r" % (data,))
        flags = sorted(f.decode().lower() for f in imaplib.ParseFlags(data[0]))
        date = imaplib.Internaldate2tuple(data[0])
        print("flags: " + " ".join(flags))
        print("internaldate: %04d-%02d-%02d" % tuple(date[:3]) if date else "internaldate: ?")
    elif args.op == "section":
        mailbox, uid, section, out = args.rest[:4]
        decode = "decode" in args.rest[4:]
        typ, _ = conn.select(quote(mailbox), readonly=True)
        if decode:
            # The part's payload decoded by Python's email package.
            msgs = fetch_all(conn, mailbox, uid)
            part = email.message_from_bytes(msgs[int(uid)][1], policy=email.policy.compat32)
            for index in section.split("."):
                if part.is_multipart():
                    part = part.get_payload()[int(index) - 1]
            data = part.get_payload(decode=True)
        else:
            typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[%s])" % section)
            if typ != "OK" or not data or not isinstance(data[0], tuple):
                sys.exit("fetch failed: %r" % (data,))
            data = data[0][1]
        with open(out, "wb") as f:
            f.write(data)
        print("bytes: %d" % len(data))
    elif args.op == "select":
        mailbox = args.rest[0]
        typ, data = conn.select(quote(mailbox), readonly=True)
        if typ != "OK":
            sys.exit("select failed: %r" % (data,))
        print("exists: %s" % data[0].decode())
        for key in ("UIDVALIDITY", "UIDNEXT"):
            typ, value = conn.response(key)
            if value and value[0] is not None:
                print("%s: %s" % (key.lower(), value[0].decode()))
    elif args.op == "append":
        mailbox, path = args.rest[:2]
        flags = args.rest[2] if len(args.rest) > 2 else None
        with open(path, "rb") as f:
            data = f.read()
        typ, data = conn.append(quote(mailbox), flags, None, data)
        print(typ, data)
        if typ != "OK":
            sys.exit(1)
    elif args.op == "list":
        typ, data = conn.list()
        for line in data:
            print(line.decode("ascii", "replace"))
    else:
        sys.exit("unknown op " + args.op)
    conn.logout()


if __name__ == "__main__":
    main()
