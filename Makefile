GO ?= go
BIN := bin/imapctl

.PHONY: build test lint fuzz demo bench clean

# A static binary (no cgo, pure-Go DNS resolver) starts faster: no dynamic
# loader, fewer pages touched. CGO_ENABLED=1 make build links with libc.
CGO_ENABLED ?= 0
build:
	CGO_ENABLED=$(CGO_ENABLED) $(GO) build -o $(BIN) .

test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 10m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# Each fuzz target runs for FUZZTIME (default 10s).
FUZZTIME ?= 10s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

# demo starts go-imap's in-memory server (in the demo program, never linked
# into imapctl) and runs the built binary against it. Go only.
demo: build
	$(GO) run ./demo -imapctl $(BIN)

# bench compares imapctl with a raw client, Python's imaplib and mbsync on a
# private Dovecot (root needed); not part of make test. BENCH_PROFILES picks
# profiles (default "small wide big"; "medium" is the 1 GB one).
bench: build
	./bench/bench.sh

clean:
	rm -rf bin
