#!/usr/bin/env python3
"""Write the hand-made edge-case messages of testdata/policy-edge/messages."""
import os

MESSAGES = {
    '7bit-utf-8-001.eml': b'Subject: cs test\nContent-Type: text/plain;\n\tcharset=utf-8; delsp=yes\nContent-Transfer-Encoding: 8bit\nMIME-Version: 1.0\n\n\xc3\xa8y=\ta\xc3\xa9\xc5\x93\xc3\x9fc\xc3\xa9b\xc3\xa0\t\xc3\x9f\xc3\xbc\t\txb =\xc5\x93c\xc3\xa0 z.x\xc3\xbccy.\xc3\xa0y\xc3\xa9b.a\xc3\xbcb\xc3\xa0\xe2\x82\xac=ax\xc3\xbc a ..\xc3\xa9ac=a\xc5\x93c\xe2\x82\xac.\xc3\xbcc\xc3\xa0.c=\tbby=yb \xc3\xa0x\t\xc5\x93b\xc3\xa8\xc5\x93c\xc3\xa8 \xc3\xa8\xc3\x9f.\xc3\xa0.a\xc3\xa0\xc3\xa9a\xc3\xbc .x\xc3\x9fy\xc3\xa9czz \xc5\x93ba\xc3\xa0\xc3\xbc\xe2\x82\xac\xc3\xa8xc\xc3\xbcx \xc3\xa0\xc5\x93\xc3\xa8\xc3\xa8=z\tyab\ty\t =abb\xc3\x9f.\xc3\xa0za\xc3\xa8z=\xe2\x82\xacy=cz c\xc3\xbc\xc3\x9f=\xc3\xa0\ty\xe2\x82\xac\n\xc5\x93=\tc\txa.\t\xe2\x82\xac\xc3\x9f\xc3\xa0c\t\xe2\x82\xacyca\xc3\xbcz\xc5\x93\xc5\x93czcx=  \xe2\x82\xac\xc3\x9fb\xe2\x82\xacba\xc3\xa8x\xc3\x9fx\xc3\xa8\xe2\x82\xacxbcb\xc3\xbc\xc3\xbccc.b\tcca\xc3\xa8\xe2\x82\xac\xe2\x82\xacac\xc3\xa9c\xc3\xa9a\xc3\x9f\xc3\x9f=\xc3\xa0\xe2\x82\xac=\t\n=.x  b cc\xc3\xa8 a\xc3\x9f\xc5\x93.\xc3\xa8cxay\xc5\x93.a\xc3\x9fya \xc5\x93\xc3\xbcby\xe2\x82\xac\xc3\xa9xby=zb\t\xc3\xa8\xc3\xa0az a\xc3\xa9\xc3\x9fx\xc3\xbc\xc3\xa9\xe2\x82\xac\xc3\xa8\xc3\xa0\xc3\xbc.cyz\xc3\x9f\xc3\x9f\xc3\x9f\xc3\x9f\xc3\xa0\t\xc3\xa9\xc3\xa0b\xc3\xa9c\t\xc3\xa9a..\xc3\xa8=c\xc3\xa9\xc3\x9f\xc3\xa0.\xc3\xa9ca\xc3\xbc\xe2\x82\xacx\xc3\xa9\xc5\x93\xc5\x93 \xc3\x9faz.cxa\xc3\xa9bc=\xc3\xa9\t \xc5\x93\xc3\xa0\xc3\xa0\xc3\xa0\xc5\x93=\xc5\x93\xc3\xa8\xc3\xa8\n\xc3\xa0\t\t\tazay\xe2\x82\xac\xc5\x93\xc3\xbccyz=\xc5\x93\xc3\x9f\xe2\x82\xacx\t\xc3\xa9=\xc3\xa8by\xc3\xa8a\t \xc3\x9f=\xc3\xa9.=\xc3\xbc.\xc5\x93.\xc3\xbcab\xc3\xa8\xe2\x82\xac\xc3\xa8b\xc3\xa8\xc3\xa0\xc3\x9f\xc3\xbc. \tc\xc3\xa8yx\xe2\x82\xac\xc5\x93\t\xc5\x93a\xc3\xa9x\tab.\xc3\xa9z=\xc3\xa9z\xc3\xa0bc\xc3\xa0x\xc3\x9f\xc3\x9fb\xc3\xa9\t\n',
    '7bit-iso-8859-1-017.eml': b'Subject: cs test\nContent-Type: text/plain;\n\tcharset=iso-8859-1; delsp=yes\nContent-Transfer-Encoding: 8bit\nMIME-Version: 1.0\n\n\xe8b\xe8=.bz\xe8 \xe9\xe0\xe8a b b \r\n\xe8\xe9\xe9\xe9zx=ba\xdf\xe8\xe9\xe8\xe0y\xe0\xfc\xe8\xe0c\xfcxab\xfc\xdf.\t\xe8c=y\xfc\xe0.a  b c\xdfa\ty=\xe9\xdfc.ccy\xfcybby\t a\ta\xdf\t.\xe8cx \xfcb  \t= \xfca.\xe8.=za\xdf\xe8c\xe0yy=y\xe9 \xdfba\xe8\t\t\xe8=\xe9ay\xe0xa\xe8 \xdf\xfc\xdf\tyacz\xdfbz\tzbz \xe0\xe8.b.x\xfcc =x.ab\t c\t\n\xdf\xe8ya\xfcb.xc\t \xe9ycb= az\xe8\t\t \xe0\xe0bxc\t\xe0\xfc\t\ty .=\xdf\xe8\t\t=zcb\xdf\xe8\xe9.x .y\xe8y \xe0.\xe0\xdfxcz.xz\xdf=\xe9ca\xfc\xfc\t\xdf\xe8a\xe0\xfcx\xe8 a\xe8 \xdfxb\xe0\xe8\xe0.\r\n',
    '7bit-iso-8859-5-033.eml': b'Subject: cs test\nContent-Type: text/plain; charset=iso-8859-5\nMIME-Version: 1.0\n\nxczazyca=zyz\tz=a .x.a  xyzyy\tbyyxz=z\tzacx.  =z.= x.y=',
    '7bit-latin1-049.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=latin1\n\na\xe8b\xfc.z\xfc.\xe8.b..\tax\xfc\xdf c=.b\xe9\xfc\t.b\xdfb=bcbc\xe8.ab=ccy\xfc\xe0=.\xdf\xe9\xfc.z\tb\xe0\t \t\xe8c=a\xe0a\xe0.b\xfc\xe8.yzxy.\xfc\xfcxa\t\xfc\xfc=\n--b--\n',
    '7bit-Windows-1251-065.eml': b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain;\n\tcharset=Windows-1251; delsp=yes\n\nFrom x\n.zbaaz\x88\x88\t\x88xyz..yy\taa\x88xb yazbb\t \x88y cbx=\x88axz\x88ayy\x88a.\t\ta.x\x88czcyx\x88z\x88==b\x88\x88.yx. \x88c\x88cy.z.y=zbc \x88yzzc\t\x88 a. xya=z=.b\x88\t.yy \t bb.=\nbx\tyaxzbzyzz\tzb=\x88c\tcxa.cay. .=c=\n\t\x88z=x\t\t aayb==axcyb=\x88y ybbx= ya  .\t\tx=.ac=x\tz \x88 \x88.z.z.ax.cb\x88\x88c=azy\ty\x88ayzb=yb\t\n\n--b--\n',
    '7bit-cp437-081.eml': b'Subject: cs test\nContent-Type: text/plain;\n\tcharset=cp437; delsp=yes\nContent-Transfer-Encoding: quoted-printable\nMIME-Version: 1.0\n\nb\x85  y\x8a=  \xe1b.\t\x81 y \x8azb\x8a \xe1\x8aabb.\x8ax\x85 \r\n\x81.x\x8a bz=y\ta.bx\t\x82a \x85a=c.azyb\x81z\t\ty yz\x85\xe1c\x85 \t\x85c a.\t=zxa\x8ab\xe1\xe1z \x82\nxxx\xe1a=z=\t=zx.=.\t\r\na  zaab=z\x82a.\x85=x\x8aa\x8ay\x8a\n\x81\t\x85x\x82\x82z z\x8a..\x8a\x81 y\x85a\x8a\tb=a\x85\x85\x85xa\x82\xe1\tb.b.\x85\x85b\x8a  y\x82yxx=y..\x81ab\tz.\xe1xz\x82b\x82\x82b\x82\x8a=\t\na=\xe1ca\x82cac.z\x8a\t \xe1cy\x85zyxz\x82\x81a.\t=axxc\x81\x8aa\x8a\xe1 \x82\x81=z x\x81yy\x81b.x\x8a\x81.\x85\xe1 b\xe1caa \x81bc \xe1yba\x85 \x85 \t.\x82\x82=\x8aa=b \t\x8a\x82 zz\xe1\x85zcz= byzca a\x81y \xe1c \t\xe1\x85\xe1z\x81\x81z\xe1\x81\x82.b=\tz a\xe1.=.\t\x85\x82\ta.\x81= \tzx\x85a\tx\t=zb=\x82=\xe1x\x82\xe1a\x8a\x81b\x85\t\r\nx\x8ayz\x85 xa\x82a\x81.=\x82\x85\xe1 \xe1xb. y\xe1yca .\x85\x82 \x85\x8aa\tya\x85z\x85 .zcz\x8a\x82\x82x.z\x8a \x82y\x82\x81cxyzca\x82y\x85ac x=\xe1.\x81\x81\x81\x85\xe1\t=a\x81bac',
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
