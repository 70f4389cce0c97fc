"""Python imaplib contenders of imapctl's benchmark (bench/run).

usage: imaplib_fetch.py HOST PORT USER seed|batch MAILBOX...
The password is read from BENCH_PASSWORD.

seed:  the style of imaplib's documentation and most scripts: SEARCH ALL,
       then one FETCH (BODY.PEEK[]) per message, waiting for each answer.
batch: one UID FETCH 1:* (BODY.PEEK[]) per mailbox; imaplib keeps the
       whole answer in memory before returning it.

Bytes are counted and discarded. Prints "messages N bytes B".
"""
import imaplib
import os
import sys


def main():
    host, port, user, mode = sys.argv[1:5]
    mailboxes = sys.argv[5:] or ["INBOX"]
    m = imaplib.IMAP4(host, int(port))
    m.login(user, os.environ["BENCH_PASSWORD"])
    messages = total = 0
    for mailbox in mailboxes:
        typ, _ = m.select('"%s"' % mailbox, readonly=True)
        if typ != "OK":
            raise SystemExit("select %s: %s" % (mailbox, typ))
        if mode == "seed":
            typ, data = m.search(None, "ALL")
            for num in data[0].split():
                typ, data = m.fetch(num, "(BODY.PEEK[])")
                for item in data:
                    if isinstance(item, tuple):
                        messages += 1
                        total += len(item[1])
        elif mode == "batch":
            typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
            for item in data:
                if isinstance(item, tuple):
                    messages += 1
                    total += len(item[1])
            del data
        else:
            raise SystemExit("unknown mode " + mode)
    m.logout()
    print("messages %d bytes %d" % (messages, total))


if __name__ == "__main__":
    main()
