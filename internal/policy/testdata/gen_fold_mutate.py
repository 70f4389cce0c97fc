#!/usr/bin/env python3
"""Generate fold-mutate.jsonl.gz: Python's fold_binary on mutated corpus headers.

Produced with CPython 3.11.7.  Regenerate from the repository root with:

    python3 internal/policy/testdata/gen_fold_mutate.py 2 4000 | gzip -n -9 > internal/policy/testdata/fold-mutate.jsonl.gz

Arguments: SEED COUNT.  Each value is a header of testdata/corpus (as
Python's parser stores it) with one to three random edits: a special
character, quote, encoded-word fragment, 8-bit byte or line break
inserted, a character deleted, or a stretch repeated.  So the values are
nearly real and slightly broken.  Same record format as
gen_fold_golden.py; errors carry only the exception class.
"""
import email, email.policy as P, json, os, random, signal, sys
R = random.Random(int(sys.argv[1]))
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testdata", "corpus")
pairs = []
for d, ds, fs in os.walk(root):
    for f in sorted(fs):
        with open(os.path.join(d, f), "rb") as fh:
            m = email.message_from_binary_file(fh, policy=P.compat32)
        for part in m.walk():
            pairs.extend(part.raw_items())
ins = list('()<>@,:;."\\[] \t=?*\'%') + ["=?utf-8?q?", "?=", "\udce9", "\r\n ", "=?iso-8859-1?b?", "''"]
POL = {"default,refold_source=all": P.default.clone(refold_source="all"),
       "default,refold_source=all,max_line_length=40": P.default.clone(refold_source="all", max_line_length=40),
       "SMTP,cte_type=7bit": P.SMTP.clone(cte_type="7bit")}
class NoReturn(Exception): pass
def alarm(s, f): raise NoReturn()
signal.signal(signal.SIGALRM, alarm)
for _ in range(int(sys.argv[2])):
    name, v = R.choice(pairs)
    for _ in range(R.randint(1, 3)):
        k = R.random(); i = R.randint(0, len(v))
        if k < 0.5: v = v[:i] + R.choice(ins) + v[i:]
        elif k < 0.8: v = v[:i] + v[i+1:]
        else: j = R.randint(0, len(v)); v = v[:i] + v[min(i,j):max(i,j)] + v[i:]
    v = v.lstrip(" \t").rstrip("\r\n")
    fold = {}
    for spec, pol in POL.items():
        signal.alarm(2)
        try: fold[spec] = pol.fold_binary(name, v).decode("latin-1")
        except Exception as e: fold[spec] = {"error": type(e).__name__}
        finally: signal.alarm(0)
    print(json.dumps({"name": name, "value": v.encode("ascii", "surrogateescape").decode("latin-1"), "fold": fold}, sort_keys=True))
