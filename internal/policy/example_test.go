package policy_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/imapctl/imapctl/internal/policy"
)

// A message written under the default policy with ">From " mangling, as
// Python's BytesGenerator(out, policy=default.clone(mangle_from_=True))
// writes it.
func ExamplePolicy_Write() {
	p, err := policy.ParseSpec("default,mangle_from_=true", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := "From: a@example.com\nSubject: hello\n\nFrom here on, the body.\n"
	report, err := p.Write(os.Stdout, strings.NewReader(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes, %d defects\n", report.Written, len(report.Defects))
	// Output:
	// From: a@example.com
	// Subject: hello
	//
	// >From here on, the body.
	// 61 bytes, 0 defects
}

// Specs combine named policies with "+" and override attributes after ",".
func ExampleParseSpec() {
	p, err := policy.ParseSpec(`SMTP+strict,max_line_length=100`, nil)
	fmt.Println(p.MaxLineLength, p.RaiseOnDefect, p.Linesep == "\r\n", err)
	_, err = policy.ParseSpec("compat32,utf8=true", nil)
	fmt.Println(err)
	// Output:
	// 100 true true <nil>
	// policy spec "compat32,utf8=true": "utf8=true" is not an attribute of the compat32 policy family
}
