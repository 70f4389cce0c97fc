#!/usr/bin/env python3
"""Generate fold-random.jsonl.gz: Python's fold_binary on random header values.

Produced with CPython 3.11.7.  Regenerate from the repository root with:

    python3 internal/policy/testdata/gen_fold_random.py 3 3000 | gzip -n -9 > internal/policy/testdata/fold-random.jsonl.gz

Arguments: SEED COUNT.  Values are random strings of the characters and
fragments that steer the header parsers (specials, comments, quotes,
encoded-word pieces, RFC 2231 markers, 8-bit bytes, line breaks), so
malformed input, including where Python itself raises, is covered.  Same
record format as gen_fold_golden.py; a call that does not return within
2 seconds is recorded as {"error": "NoReturn"}; errors carry only the
exception class.
"""
import email.policy as P, json, random, signal, sys
R = random.Random(int(sys.argv[1]))
alpha = ["a", "b", " ", "\t", "(", ")", "<", ">", "@", ",", ";", ":", ".", "\"", "\\", "[", "]", "=?", "?=", "=?utf-8?q?", "=?x?b?", "'", "*", "%", "=", "/", "\udce9", "\udcff", "\r\n ", "\n", "0", "9", "abcdefghijklmnopqrstuvwxyz", "*0*=", "name", "?", "=?utf-8?q?a=C3=A9?=", "=?utf-8?b?w6k=?=", "utf-8''", "%E2%82"]
names = ["Subject", "To", "From", "Cc", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "X-Other"]
POL = {"default,refold_source=all": P.default.clone(refold_source="all"),
       "default,refold_source=all,max_line_length=20": P.default.clone(refold_source="all", max_line_length=20),
       "default,utf8=true,refold_source=all,max_line_length=30": P.default.clone(utf8=True, refold_source="all", max_line_length=30),
       "SMTP,cte_type=7bit": P.SMTP.clone(cte_type="7bit"),
       "compat32,cte_type=7bit,max_line_length=20": P.compat32.clone(cte_type="7bit", max_line_length=20)}
class NoReturn(Exception): pass
def alarm(s, f): raise NoReturn("python did not return within 2s")
signal.signal(signal.SIGALRM, alarm)
seen=set()
for i in range(int(sys.argv[2])):
    v = "".join(R.choice(alpha) for _ in range(R.randint(0, 16))).strip(" \t").rstrip("\r\n")
    name = R.choice(names)
    if (name, v) in seen: continue
    seen.add((name, v))
    fold = {}
    for spec, pol in POL.items():
        signal.alarm(2)
        try: fold[spec] = pol.fold_binary(name, v).decode("latin-1")
        except Exception as e: fold[spec] = {"error": type(e).__name__}
        finally: signal.alarm(0)
    print(json.dumps({"name": name, "value": v.encode("ascii", "surrogateescape").decode("latin-1"), "fold": fold}, sort_keys=True))
