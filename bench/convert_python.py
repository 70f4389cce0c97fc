"""Python side of the convert benchmark: parse each file with
email.parser.BytesParser(policy=email.policy.default) and flatten it with
BytesGenerator, as `imapctl convert --policy default` does. Output goes to
/dev/null. Prints the time spent in the loop (seconds), without the
interpreter's start-up."""
import sys
import time
from email import policy
from email.generator import BytesGenerator
from email.parser import BytesParser

start = time.perf_counter()
with open(sys.argv[1], "rb") as listing:
    paths = listing.read().decode().split("\n")
with open("/dev/null", "wb") as out:
    for path in paths:
        if not path:
            continue
        with open(path, "rb") as f:
            msg = BytesParser(policy=policy.default).parse(f)
        BytesGenerator(out, policy=policy.default).flatten(msg)
print("%.6f" % (time.perf_counter() - start))
