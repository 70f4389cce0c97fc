package policy

import (
	"strings"
	"testing"
)

// BenchmarkReencodeCJK measures the cte_type=7bit re-encoding of about
// 1 MiB of text in each codec (decoding with errors='replace', encoding
// back), after the tables are loaded.
func BenchmarkReencodeCJK(b *testing.B) {
	for _, bc := range []struct{ dec, enc, text string }{
		{"cp932", "cp932", "日本語のテキスト、漢字とかな。№ ABC abc 123\n"},
		{"gb18030", "gb18030", "中文邮件正文，测试。€ 𠀀 ḿ text\n"},
		{"cp949", "euc_kr", "한국어 본문 테스트입니다. 똠방각하 ASCII\n"},
		{"euc_jp", "iso2022_jp", "こんにちは、世界。漢字カタカナ ASCII.\n"},
	} {
		raw := string(mustEncodeForBench(b, bc.dec, strings.Repeat(bc.text, (1<<20)/len(bc.text))))
		if _, _, err := reencodeCJK(bc.dec, bc.enc, bc.enc, raw); err != nil {
			b.Fatal(err)
		}
		b.Run(bc.dec+"-"+bc.enc, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for range b.N {
				if _, _, err := reencodeCJK(bc.dec, bc.enc, bc.enc, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustEncodeForBench(b *testing.B, codec, text string) []byte {
	out, bad, ok := encodeCJK(codec, text)
	if !ok {
		b.Fatalf("encodeCJK(%s): %U", codec, bad)
	}
	return []byte(out)
}
