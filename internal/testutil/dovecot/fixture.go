package dovecot

import (
	"sync"
	"testing"
)

// Fixture shares one server among the tests of a package: the first Get
// starts it with Options, and Stop, called from TestMain after m.Run,
// stops it. Tests that share it should keep to accounts of their own
// (Server.NewUser).
//
//	var dovecotServer = dovecot.Fixture{Options: []dovecot.Option{dovecot.All()}}
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		dovecotServer.Stop()
//		os.Exit(code)
//	}
type Fixture struct {
	Options []Option

	once sync.Once
	srv  *Server
	err  error
}

// Get returns the shared server, starting it on first use. It skips tb
// when Dovecot is not available, or fails it under CI=true (SkipOrFail).
func (f *Fixture) Get(tb testing.TB) *Server {
	tb.Helper()
	f.once.Do(func() {
		if f.err = Available(); f.err == nil {
			f.srv, f.err = New(f.Options...)
		}
	})
	SkipOrFail(tb, f.err)
	return f.srv
}

// Stop stops the server if Get started one.
func (f *Fixture) Stop() error {
	if f.srv == nil {
		return nil
	}
	return f.srv.Stop()
}
