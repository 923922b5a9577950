# connectsync: the commands a contributor and CI run.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/connectsync/connectsync/pkg/cli.Version=$(VERSION) -X github.com/connectsync/connectsync/pkg/cli.Commit=$(COMMIT)
# Leaves urfave/cli's markdown and man rendering out of the binary: connectsync
# embeds its man page, and that code's init costs every command about 1.5 ms.
TAGS    := urfave_cli_no_docs
# Empty: each fuzz target runs its own execution count (see fuzz below).
FUZZTIME ?=
# Tools `make lint` and the release targets run (.ci/run installs them with go install).
STATICCHECK ?= staticcheck
GORELEASER  ?= goreleaser
DOCKER_ARCH ?= $(shell $(GO) env GOARCH)

.PHONY: build test lint fuzz bench conformance release-check release-snapshot docker clean

## build: the connectsync binary in ./bin
build:
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o bin/connectsync .

## test: every test, with the race detector (what CI runs)
# -timeout 30m: go test's default of 10 min per package is too close for
# pkg/cli's journeys (about 100 s) on a slow, shared CI machine.
test:
	$(GO) test -race -timeout 30m ./...

## lint: go vet, gofmt and staticcheck (go install honnef.co/go/tools/cmd/staticcheck@v0.8.2)
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(STATICCHECK) ./...

## fuzz: a short bounded run of every fuzz target (a fixed number of executions each; FUZZTIME=10m overrides)
# Counts, not durations: with a -fuzztime duration, go1.26's fuzz coordinator can
# fail a clean run with "context deadline exceeded" when the time is up
# (golang/go#75804, fixed in go1.27). A count has no deadline to race. Each count
# is about 5 s on 2 cores; -timeout still stops a target that really hangs.
FUZZ_ONE = $(GO) test $(1) -run '^$$' -fuzz '^$(2)$$' -fuzztime $(or $(FUZZTIME),$(3)) -timeout 10m
fuzz:
	$(call FUZZ_ONE,./pkg/config,FuzzLoad,6000x)
	$(call FUZZ_ONE,./pkg/config,FuzzInterpolate,60000x)
	$(call FUZZ_ONE,./pkg/plan,FuzzApplyThenPlanIsEmpty,4000x)
	$(call FUZZ_ONE,./pkg/docusign,FuzzConfigurationCodec,15000x)
	$(call FUZZ_ONE,./pkg/config,FuzzSyntaxScan,30000x)
	$(call FUZZ_ONE,./pkg/cli,FuzzEverythingStorableIsAdoptable,200x)
	$(call FUZZ_ONE,./pkg/yamlfile,FuzzFormat,1000x)

## bench: issue 16's performance targets, each beside its floor (figures in docs/benchmarks.md)
bench:
	$(GO) test ./pkg/config -run '^$$' -bench . -benchtime 10x
	$(GO) test ./pkg/emulator -run '^$$' -bench . -benchtime 3x
	$(GO) test ./pkg/cli -run '^$$' -bench 'PlanVsBareClient|PlanMemory|ValidateStartup|^BenchmarkAudit$$|^BenchmarkPlan$$' -benchtime 5x -timeout 30m
	$(GO) test ./pkg/cli -run '^$$' -bench 'ApplyBurst|ApplyUnderBurstLimit' -benchtime 1x -timeout 30m

## conformance: drive the emulator with DocuSign's official Node SDK (needs node and npm)
conformance:
	cd testdata/conformance/node && npm ci --no-audit --no-fund
	CONNECTSYNC_REQUIRE_NODE=1 $(GO) test -run TestNodeSDKConformance -v ./pkg/emulator/

## release-check: is .goreleaser.yaml valid (go install github.com/goreleaser/goreleaser/v2@v2.15.1)
release-check:
	$(GORELEASER) check

## release-snapshot: what a tag would release, built locally into dist/ and checked (no image, nothing published)
release-snapshot:
	$(GORELEASER) release --snapshot --clean --skip=docker,sign
	CONNECTSYNC_RELEASE_DIST=dist $(GO) test -count=1 -run '^TestReleaseSnapshot$$' .

## docker: the image from the Dockerfile, for this machine's arch (needs a docker engine)
docker:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(DOCKER_ARCH) $(GO) build -trimpath -tags $(TAGS) -ldflags "-s -w $(LDFLAGS)" -o build/docker/linux/$(DOCKER_ARCH)/connectsync .
	docker build --platform linux/$(DOCKER_ARCH) -f Dockerfile -t connectsync:dev build/docker

clean:
	rm -rf bin build dist completions manpages .connectsync
