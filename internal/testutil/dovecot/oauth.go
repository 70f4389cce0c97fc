package dovecot

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"sync"
)

// oauthIntrospection is a minimal OAuth 2.0 token introspection endpoint
// (RFC 7662 §2) for Dovecot's oauth2 passdb: POST token=... answers
// {"active": true, "username": ...} for tokens it issued, {"active": false}
// otherwise.
type oauthIntrospection struct {
	url    string
	server *http.Server
	mu     sync.Mutex
	tokens map[string]string // token -> user name
}

func startIntrospection() (*oauthIntrospection, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o := &oauthIntrospection{url: "http://" + ln.Addr().String() + "/introspect", tokens: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /introspect", o.introspect)
	o.server = &http.Server{Handler: mux}
	go o.server.Serve(ln)
	return o, nil
}

func (o *oauthIntrospection) introspect(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	user, ok := o.tokens[r.PostFormValue("token")]
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		json.NewEncoder(w).Encode(map[string]any{"active": false})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user})
}

func (o *oauthIntrospection) newToken(user string) string {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	o.mu.Lock()
	o.tokens[token] = user
	o.mu.Unlock()
	return token
}

func (o *oauthIntrospection) close() { o.server.Close() }
