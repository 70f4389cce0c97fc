#!/usr/bin/env python3
"""Messages where more than one part would make Python raise, and Python's result.

    python3 internal/policy/testdata/gen_error_order.py

Python's Generator._write writes a part's payload (every sub-part, each
of them payload first) into a buffer before it writes the part's own
headers, so an exception in a sub-part, or in the string payload of a
multipart it could not split, wins over one in the headers of the part
around it. This writes the messages to testdata/error-order/messages and
runs /work/shared/tools/policy_oracle.py (CPython 3.11.7) on them; its
output (expected/manifest.json, with the exception Python raised) is
what TestErrorOrder compares with.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "error-order")
ORACLE = "/work/shared/tools/policy_oracle.py"
POLICIES = ["default", "SMTPUTF8", "SMTP+SMTPUTF8", "compat32", "default,utf8=true",
            "default,max_line_length=20"]
# Random messages of the review's generator (/tmp/rv2/gen.py, seeds 90,
# 1108, 1377, 1506; committed as messages/review_seed_N.eml) on which, under default,max_line_length=20, imapctl
# reported NoReturn (a header Python never finishes folding) although
# Python raises first in a sub-part.
REVIEW_SEEDS = [90, 1108, 1377, 1506]

# A To header whose refolding raises IndexError in Python (under the
# EmailPolicy policies with utf8=True), from the differential review.
BAD_TO = b"To: Last,<first.last@host>,,=?big5?b?W2JyYWNrZXRzXSBtZWV0aW5n?= john@m\xc3\xbcller.de\n"
# A header whose refolding raises UnicodeEncodeError (a lone surrogate).
BAD_X = b"X: \xaf " + b"w" * 90 + b"\n"

MESSAGES = {
    # From the differential review (/tmp/rv2/repro).
    "errorder1.eml": BAD_TO + b"Content-Type: message/rfc822\n\n" + BAD_X + b"\nbody\n",
    # A multipart: the sub-part's error comes first.
    "multipart_part_first.eml": BAD_TO + b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
        + BAD_X + b"\nbody\n--b--\n",
    # The second sub-part's error comes before the outer headers' too.
    "multipart_second_part.eml": BAD_TO + b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n"
        + BAD_X + b"\ntwo\n--b--\n",
    # A multipart without a boundary keeps its 8-bit body as a string,
    # which Python cannot write: UnicodeEncodeError before the headers.
    "multipart_string_payload.eml": BAD_TO + b"Content-Type: multipart/mixed\n\n\xe9t\xe9\n",
    # Nested: the innermost part first.
    "nested.eml": BAD_TO + b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
        + b"Content-Type: message/rfc822\n" + BAD_TO + b"\n" + BAD_X + b"\nbody\n--b--\n",
}


def main():
    # messages/review_seed_*.eml are kept: copies of the review's files.
    shutil.rmtree(os.path.join(DIR, "expected"), ignore_errors=True)
    os.makedirs(os.path.join(DIR, "messages"), exist_ok=True)
    for name, data in MESSAGES.items():
        with open(os.path.join(DIR, "messages", name), "wb") as f:
            f.write(data)
    for seed in REVIEW_SEEDS:
        src = "/tmp/rv2/gen/%d.eml" % seed
        if os.path.exists(src):
            shutil.copy(src, os.path.join(DIR, "messages", "review_seed_%d.eml" % seed))
    subprocess.run([sys.executable, ORACLE, "--batch", os.path.join(DIR, "messages"),
                    "--policies", ";".join(POLICIES),
                    "--expected-out", os.path.join(DIR, "expected"),
                    "--timeout", "20"], check=True)


if __name__ == "__main__":
    main()
