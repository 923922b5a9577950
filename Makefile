# connectsync: the commands a contributor and CI run.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/connectsync/connectsync/pkg/cli.Version=$(VERSION) -X github.com/connectsync/connectsync/pkg/cli.Commit=$(COMMIT)
FUZZTIME ?= 15s

.PHONY: build test lint fuzz bench conformance clean

## build: the connectsync binary in ./bin
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/connectsync .

## test: every test, with the race detector (what CI runs)
test:
	$(GO) test -race ./...

## lint: go vet and gofmt
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## fuzz: a short bounded run of every fuzz target (FUZZTIME each)
fuzz:
	$(GO) test ./pkg/config -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pkg/config -run '^$$' -fuzz '^FuzzInterpolate$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pkg/plan -run '^$$' -fuzz '^FuzzApplyThenPlanIsEmpty$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pkg/docusign -run '^$$' -fuzz '^FuzzConfigurationCodec$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pkg/yamlfile -run '^$$' -fuzz '^FuzzFormat$$' -fuzztime $(FUZZTIME)

## bench: the performance benchmarks of SPEC §7 (figures in docs/benchmarks.md)
bench:
	$(GO) test ./pkg/config -run '^$$' -bench . -benchmem
	$(GO) test ./pkg/cli -run '^$$' -bench . -benchtime 1x

## conformance: drive the emulator with DocuSign's official Node SDK (needs node and npm)
conformance:
	cd testdata/conformance/node && npm ci --no-audit --no-fund
	CONNECTSYNC_REQUIRE_NODE=1 $(GO) test -run TestNodeSDKConformance -v ./pkg/emulator/

clean:
	rm -rf bin .connectsync
