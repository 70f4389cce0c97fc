#!/usr/bin/env python3
"""Write the hand-made edge-case messages of testdata/policy-edge/messages."""
import os

MESSAGES = {
    'long-line-in-preamble.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n --b\n\nFrom ' + b'x' * 65531 + b'--b--\nFrom end\n--b--\n',
    'mp-8bit-boundary.eml': b'Content-Type: multipart/mixed; boundary="b\xe9"\n\n--b\xe9\n\none\n--b\xe9--\n',
    'mp-8bit-boundary-utf8.eml': b'Content-Type: multipart/mixed; boundary="b\xc3\xa9"\n\n--b\xc3\xa9\n\none\n--b\xc3\xa9--\n',
    '8bit-long-ctype.eml': b'Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes;\n name="a-very-long-file-name-that-makes-the-header-long.txt"\nContent-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9\n',
    '8bit-long-ctype-no-cte.eml': b'Content-Type: text/plain; charset=iso-8859-15; name="another-rather-long-file-name-for-folding.txt"\n\ncaf\xe9\n',
    'mp-8bit-unparsed.eml': b'Content-Type: multipart/mixed; boundary="b"\n\npreamble\n--b--\xc3\xa9\xff\nlost epilogue\n',
    'long-lines.eml': b'Content-Type: multipart/mixed; boundary="b"\nX-Long: ' + b'y' * 70000 + b'\n\n--b\n\nFrom ' + b'x' * 65531 + b'--b--\n' + b'z' * 140000 + b'\nFrom end\n--b--\n',
    '8bit-ascii.eml': b'Content-Type: text/plain; charset=us-ascii\n\ncaf\xc3\xa9\n',
    '8bit-cp1252-undefined.eml': b'Content-Type: text/plain; charset=windows-1252\n\nbad \x81 byte\n',
    '8bit-cp1252.eml': b'Content-Type: text/plain; charset=windows-1252\n\ngood \x80 euro\n',
    '8bit-in-multipart.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\ncaf\xc3\xa9\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAAA\n--b--\n',
    '8bit-koi8.eml': b'Content-Type: text/plain; charset="koi8-r"\nContent-Transfer-Encoding: 8bit\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n',
    '8bit-latin1-alias.eml': b'Content-Type: text/plain; charset=latin1\nMIME-Version: 1.0\n\ncaf\xe9\n',
    '8bit-latin1-qp.eml': b'Content-Type: text/plain; charset=ISO-8859-1; format=flowed\nContent-Transfer-Encoding: 8bit\n\ncaf\xe9 x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y x=y \ntrailing space \ntrailing tab\t\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\t\n=3D\n\xe9',
    '8bit-no-charset.eml': b'Content-Type: text/plain\n\ncaf\xc3\xa9\n',
    '8bit-utf8.eml': b'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9 long line long line long line long line long line long line long line long line long line long line long line long line \nbad \xe2\x82 seq \xff end\nFrom here\n',
    'body-from-crlf.eml': b'Subject: x\r\n\r\nFrom start\r\n From not\r\nFrom end',
    'delivery-status-trailing.eml': b'Content-Type: message/delivery-status\n\nReporting-MTA: dns; a.example\n\n\nAction: failed\n\n\n',
    'delivery-status.eml': b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n--r\n\nhuman text\n--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; a.example\n\nFinal-Recipient: rfc822; x@example.com\nAction: failed\n\n--r--\n',
    'digest.eml': b'Content-Type: multipart/digest; boundary="d"\n\n--d\n\nSubject: one\n\nfirst\n--d\nSubject: two\n\nsecond\n--d--\n',
    'empty-body.eml': b'Subject: x\n\n',
    'envelope-misplaced.eml': b'From sender@example.com Mon Jan  1 00:00:00 2001\nSubject: x\nFrom bogus line\nTo: a@example.com\n\nFrom the body\nnot From here\n>From quoted\nFrom again\n',
    'first-continuation.eml': b' continued first\nSubject: x\n\nbody\n',
    'from-last-header.eml': b'Subject: x\nFrom someone\n\nbody\n',
    'header-weird-chars.eml': b'Subject: x\nX-Tab:\tvalue\nX-Empty:\nX-Spaces:    lots\n\nbody\n',
    'headers-only-no-newline.eml': b'Subject: only headers',
    'lone-cr.eml': b'Subject: lone cr\rX-A: b\r continued\r\rbody line 1\rline 2\r\nline 3\nlast\r',
    'missing-name.eml': b'Subject: x\n: no name\nTo: y\n\nbody\n',
    'missing-separator.eml': b'Subject: x\nthis is not a header\nbody\n',
    'mp-bad-cte.eml': b'Content-Type: multipart/mixed; boundary="b"\nContent-Transfer-Encoding: base64\n\n--b\n\nx\n--b--\n',
    'mp-boundary-param-quirks.eml': b'Content-Type: multipart/mixed; charset=x; BOUNDARY="q;b" (comment)\n\n--q;b\n\none\n--q;b--\n',
    'mp-boundary-rfc2231.eml': b'Content-Type: multipart/mixed; boundary*0="ab"; boundary*1="cd"\n\n--abcd\n\none\n--abcd--\n',
    'mp-boundary-token-junk.eml': b'Content-Type: multipart/mixed; boundary=----=_Part_1\n\n------=_Part_1\n\none\n------=_Part_1--\n',
    'mp-crlf.eml': b'Content-Type: multipart/alternative;\r\n\tboundary="=_x"\r\nMIME-Version: 1.0\r\n\r\n--=_x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--=_x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--=_x--\r\n',
    'mp-nested-no-epilogue.eml': b'Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain\n\ninner text\n--inner--\n--outer--',
    'mp-nested.eml': b'Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain\n\ninner text\n--inner--\ninner epilogue\n--outer\nContent-Type: text/plain\n\nsecond\n--outer--\n',
    'mp-no-boundary.eml': b'Content-Type: multipart/mixed\n\njust text\nFrom here\n',
    'mp-no-close.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nunterminated\n',
    'mp-no-start-close.eml': b'Content-Type: multipart/mixed; boundary="b"\n\npreamble\n--b--\nlost epilogue\n',
    'mp-no-start.eml': b'Content-Type: multipart/mixed; boundary="b"\n\nno boundary at all\nhere\n',
    'mp-preamble-epilogue.eml': b'Content-Type: multipart/mixed; boundary="b1"\n\npreamble line\nFrom preamble\n\n--b1\nContent-Type: text/plain\n\npart one\nFrom part\n\n--b1\n\npart two no headers\n--b1--\nepilogue\nFrom epilogue\n',
    'mp-repeated-boundary.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n--b\nContent-Type: text/plain\n\nafter double\n--b  \n\nws boundary\n--b--  \n\n',
    'mp-rfc822.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n\n--b--\n',
    'mp-signed.eml': b'Content-Type: multipart/signed; boundary="s"; protocol="application/pgp-signature"\n\n--s\nContent-Type: text/plain\nX-Long: word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word \n\nsigned\n--s\nContent-Type: application/pgp-signature\n\nSIG\n--s--\n',
    'no-final-newline.eml': b'Subject: x\n\nbody without newline',
    'rfc822.eml': b'Content-Type: message/rfc822\n\nFrom nested@example.com Mon\nSubject: inner\n\ninner body\nFrom inner\n',
}

if __name__ == "__main__":
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "messages")
    os.makedirs(here, exist_ok=True)
    for name, data in MESSAGES.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(data)
