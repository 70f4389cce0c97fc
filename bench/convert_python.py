"""Python side of the convert benchmark: parse each file with
email.parser.BytesParser(policy=email.policy.default) and flatten it with
BytesGenerator, as `imapctl convert --policy default` does. Output goes to
/dev/null. Prints the time spent in the loop (seconds), without the
interpreter's start-up.

usage: convert_python.py LISTING [OK-LISTING]
LISTING holds one path a line. Files Python cannot write (it raises) are
skipped; with OK-LISTING, the paths it wrote are saved there, so that
imapctl is timed on the same files."""
import sys
import time
from email import policy
from email.generator import BytesGenerator
from email.parser import BytesParser

start = time.perf_counter()
with open(sys.argv[1], "rb") as listing:
    paths = listing.read().decode().split("\n")
ok = []
with open("/dev/null", "wb") as out:
    for path in paths:
        if not path:
            continue
        with open(path, "rb") as f:
            msg = BytesParser(policy=policy.default).parse(f)
        try:
            BytesGenerator(out, policy=policy.default).flatten(msg)
        except Exception:
            continue
        ok.append(path)
elapsed = time.perf_counter() - start
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(ok))
print("%.6f" % elapsed)
