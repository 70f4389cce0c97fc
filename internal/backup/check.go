package backup

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
)

// CheckTarget is one account to check. Connect returns a logged-in client
// and, when the connection uses TLS and it is known, the TLS state.
type CheckTarget struct {
	Name string
	Host string
	// TLSMode is how the connection is secured: implicit, starttls or none.
	TLSMode string
	Connect func(ctx context.Context) (*imap.Client, *tls.ConnectionState, error)
}

// CheckThresholds turn measurements into warnings; zero disables one.
type CheckThresholds struct {
	// QuotaPercent warns when a quota resource is used at or above it.
	QuotaPercent float64
	// CertDays warns when the server certificate expires within it.
	CertDays int
}

// Check statuses.
const (
	CheckOK          = "ok"
	CheckWarning     = "warning"     // a threshold was crossed
	CheckAuthFailed  = "auth-failed" // the server refused the login
	CheckUnreachable = "unreachable" // no connection, TLS failure, dropped
	CheckError       = "error"       // anything else
)

// CheckResult is the report on one account (one NDJSON line).
type CheckResult struct {
	Account string `json:"account"`
	Host    string `json:"host,omitempty"`
	Status  string `json:"status"`
	Error   string `json:"error,omitempty"`
	TLSMode string `json:"tls_mode,omitempty"`
	// LoginSeconds is the time from dialing to logged in.
	LoginSeconds float64 `json:"login_seconds"`
	TLSVersion   string  `json:"tls_version,omitempty"`
	// CertNotAfter is the server certificate's expiry; CertDaysLeft the
	// whole days until then.
	CertNotAfter time.Time `json:"cert_not_after,omitzero"`
	CertDaysLeft *int      `json:"cert_days_left,omitempty"`
	Capabilities []string  `json:"capabilities,omitempty"`
	// Quota is the INBOX quota root's resources (RFC 9208), with the
	// percentage used.
	Quota         []QuotaUse `json:"quota,omitempty"`
	InboxMessages uint32     `json:"inbox_messages"`
	InboxUnseen   uint32     `json:"inbox_unseen"`
	Warnings      []string   `json:"warnings,omitempty"`
	// Err is the error behind Status, for the exit status.
	Err error `json:"-"`
}

// QuotaUse is one quota resource and how full it is.
type QuotaUse struct {
	Root    string  `json:"root"`
	Name    string  `json:"resource"`
	Usage   uint64  `json:"usage"`
	Limit   uint64  `json:"limit"`
	Percent float64 `json:"percent"`
}

// CheckAccounts checks the targets, jobs at a time, and returns one result
// per target in their order.
func CheckAccounts(ctx context.Context, targets []CheckTarget, jobs int, th CheckThresholds, now func() time.Time) []CheckResult {
	if jobs < 1 {
		jobs = 1
	}
	if now == nil {
		now = time.Now
	}
	out := make([]CheckResult, len(targets))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = checkOne(ctx, t, th, now)
		}()
	}
	wg.Wait()
	return out
}

func checkOne(ctx context.Context, t CheckTarget, th CheckThresholds, now func() time.Time) CheckResult {
	r := CheckResult{Account: t.Name, Host: t.Host, TLSMode: t.TLSMode, Status: CheckOK}
	start := time.Now()
	c, state, err := t.Connect(ctx)
	r.LoginSeconds = time.Since(start).Seconds()
	if err != nil {
		r.Status, r.Error, r.Err = classify(err), err.Error(), err
		return r
	}
	defer logout(c)
	if state != nil {
		r.TLSVersion = tls.VersionName(state.Version)
		if len(state.PeerCertificates) > 0 {
			cert := state.PeerCertificates[0]
			r.CertNotAfter = cert.NotAfter.UTC()
			days := int(cert.NotAfter.Sub(now()).Hours() / 24)
			r.CertDaysLeft = &days
			if th.CertDays > 0 && days < th.CertDays {
				r.Warnings = append(r.Warnings, fmt.Sprintf("certificate expires in %d days (on %s)", days, r.CertNotAfter.Format("2006-01-02")))
			}
		}
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		r.Status, r.Error, r.Err = classify(err), err.Error(), err
		return r
	}
	for cp := range caps {
		r.Capabilities = append(r.Capabilities, cp)
	}
	sort.Strings(r.Capabilities)
	if caps["QUOTA"] {
		_, quotas, err := c.GetQuotaRoot(ctx, "INBOX")
		if err == nil {
			for _, q := range quotas {
				for _, res := range q.Resources {
					u := QuotaUse{Root: q.Root, Name: res.Name, Usage: res.Usage, Limit: res.Limit}
					if res.Limit > 0 {
						u.Percent = float64(res.Usage) * 100 / float64(res.Limit)
					}
					r.Quota = append(r.Quota, u)
					if th.QuotaPercent > 0 && res.Limit > 0 && u.Percent >= th.QuotaPercent {
						r.Warnings = append(r.Warnings, fmt.Sprintf("quota %s %s at %.0f%% (%d of %d)", q.Root, res.Name, u.Percent, res.Usage, res.Limit))
					}
				}
			}
		}
	}
	st, err := c.Status(ctx, "INBOX", []string{"MESSAGES", "UNSEEN"})
	if err != nil {
		r.Status, r.Error, r.Err = classify(err), err.Error(), err
		return r
	}
	r.InboxMessages, r.InboxUnseen = st.Messages, st.Unseen
	if len(r.Warnings) > 0 {
		r.Status = CheckWarning
	}
	return r
}

// AuthFailure marks a connection error as a refused login; Connect
// functions wrap login errors in it.
type AuthFailure struct{ Err error }

func (e *AuthFailure) Error() string { return "authentication failed: " + e.Err.Error() }
func (e *AuthFailure) Unwrap() error { return e.Err }

// classify names the kind of failure err is. A failed STARTTLS (not
// offered, refused, or a PREAUTH greeting in clear) is an unreachable
// account like any other TLS failure: without TLS there is no session
// (RFC 3501 §6.2.1), whatever the server would answer to a login.
func classify(err error) string {
	var auth *AuthFailure
	var abort *imap.AbortError
	var netErr net.Error
	var opErr *net.OpError
	var server *imap.Error
	var capErr *imap.CapabilityError
	switch {
	case errors.As(err, &auth):
		return CheckAuthFailed
	case errors.As(err, &server) && (server.Code == "AUTHENTICATIONFAILED" || server.Code == "AUTHORIZATIONFAILED"):
		return CheckAuthFailed
	case errors.As(err, &capErr) && capErr.Command == "STARTTLS",
		errors.As(err, &server) && server.Command == "STARTTLS":
		return CheckUnreachable
	case errors.As(err, &abort), errors.As(err, &netErr), errors.As(err, &opErr):
		return CheckUnreachable
	}
	return CheckError
}
