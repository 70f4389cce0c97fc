package cmd

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// TestDovecotCheck checks an account on Dovecot over implicit TLS with a
// quota: the TLS version, the certificate's expiry, the quota use as
// Dovecot reports it in GETQUOTAROOT, and --warn-quota's exit status.
func TestDovecotCheck(t *testing.T) {
	srv := dovecot.Start(t, dovecot.WithQuota(64<<10), dovecot.WithUserPool(1), dovecot.WithCompress())
	user := srv.NewUser(t)
	ctx := context.Background()
	c, err := imap.Dial(ctx, srv.TLSAddr(), imap.Options{TLS: imap.TLSImplicit, CAFile: srv.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, user.Name, user.Password); err != nil {
		t.Fatal(err)
	}
	msg := "Subject: fill\r\n\r\n" + strings.Repeat("x", 40<<10) + "\r\n"
	if _, err := c.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
	_, quotas, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil || len(quotas) == 0 {
		t.Fatalf("GetQuotaRoot = %v, %v", quotas, err)
	}
	var storage imap.QuotaResource
	for _, r := range quotas[0].Resources {
		if r.Name == "STORAGE" {
			storage = r
		}
	}
	port := strconv.Itoa(srv.TLSPort)
	env := map[string]string{"IMAPCTL_HOST": "localhost", "IMAPCTL_PORT": port, "IMAPCTL_TLS": "implicit",
		"IMAPCTL_CA_FILE": srv.CAFile, "IMAPCTL_USER": user.Name, "IMAPCTL_PASSWORD": user.Password}
	code, out, errOut := runTest(t, env, "check", "--json", "--warn-quota", "0", "--warn-cert-days", "0")
	var r backup.CheckResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("check = %d, %q, %q", code, out, errOut)
	}
	if !strings.HasPrefix(r.TLSVersion, "TLS 1.") || r.CertDaysLeft == nil || r.InboxMessages != 1 {
		t.Errorf("check = %+v", r)
	}
	var got *backup.QuotaUse
	for i := range r.Quota {
		if r.Quota[i].Name == "STORAGE" {
			got = &r.Quota[i]
		}
	}
	if got == nil || got.Usage != storage.Usage || got.Limit != storage.Limit || got.Percent < 50 {
		t.Fatalf("quota = %+v, want STORAGE %d of %d", r.Quota, storage.Usage, storage.Limit)
	}
	code, out, errOut = runTest(t, env, "check", "--warn-quota", "50", "--warn-cert-days", "0")
	if code != ExitPartial || !strings.Contains(out, "warning: quota") {
		t.Errorf("check --warn-quota 50 = %d, %q, %q", code, out, errOut)
	}
	// STARTTLS: the TLS state is known there too; check connects as every
	// command does, so --compress always is honoured (RFC 4978).
	starttls := maps.Clone(env)
	starttls["IMAPCTL_TLS"], starttls["IMAPCTL_PORT"] = "starttls", strconv.Itoa(srv.PlainPort)
	code, out, errOut = runTest(t, starttls, "--compress", "always", "--debug", "3", "check", "--json", "--warn-quota", "0", "--warn-cert-days", "0")
	r = backup.CheckResult{}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || !strings.HasPrefix(r.TLSVersion, "TLS 1.") || r.CertDaysLeft == nil {
		t.Errorf("check over STARTTLS = %d, %+v, %q", code, r, errOut)
	}
	if !strings.Contains(errOut, "COMPRESS DEFLATE") {
		t.Errorf("check --compress always sent no COMPRESS DEFLATE; trace %q", errOut)
	}
	if strings.Contains(errOut, user.Password) {
		t.Errorf("the trace holds the password")
	}
	env["IMAPCTL_PASSWORD"] = "wrong"
	if code, _, errOut = runTest(t, env, "check"); code != ExitAuth {
		t.Errorf("check with a wrong password = %d, %q", code, errOut)
	}
}
