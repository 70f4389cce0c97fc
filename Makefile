GO ?= go
BIN := bin/imapctl

.PHONY: build test lint fuzz demo bench clean

build:
	$(GO) build -o $(BIN) .

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# Each fuzz target runs for FUZZTIME (default 10s).
FUZZTIME ?= 10s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
