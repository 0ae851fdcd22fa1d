# mdmforge: `make test` is what CI runs (.ci/run); `make bench` measures.
GO       ?= go
# Each fuzzer runs a count of inputs, about 10 s of work on 2 cores: a
# duration (-fuzztime=10s) can fail with "context deadline exceeded" and no
# crasher, a race in Go's fuzzing coordinator (go.dev/issue/75804, fixed in
# Go 1.27). FUZZTIME overrides every count, e.g. FUZZTIME=5m for a long run.
FUZZTIME ?=
fuzztime = -fuzztime=$(or $(FUZZTIME),$(1))
# Minimizing each new corpus entry can take a minute, during which a short
# run finds nothing new; keep it brief.
FUZZFLAGS ?= -fuzzminimizetime=2s
# The race detector needs cgo and a C compiler; with Go alone, tests run without it.
RACE     ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC)" >/dev/null 2>&1 && echo -race)

.PHONY: all build test fuzz bench schema update vet man completion

all: build

build:
	$(GO) build -o bin/mdmforge ./cmd/mdmforge

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...

# Unit, golden, interop and end-to-end tests, then a short run of each fuzzer.
test: vet
	$(GO) test $(RACE) ./...
	$(MAKE) fuzz

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' $(call fuzztime,50000x) $(FUZZFLAGS) ./profiles
	$(GO) test -run='^$$' -fuzz='^FuzzReadXML$$' $(call fuzztime,250000x) $(FUZZFLAGS) ./internal/propertylist
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' $(call fuzztime,60000x) $(FUZZFLAGS) ./signing
	$(GO) test -run='^$$' -fuzz='^FuzzParseDeep$$' $(call fuzztime,100000x) $(FUZZFLAGS) ./signing
	$(GO) test -run='^$$' -fuzz='^FuzzLint$$' $(call fuzztime,10000x) $(FUZZFLAGS) ./profiles
	$(GO) test -run='^$$' -fuzz='^FuzzImport$$' $(call fuzztime,10000x) $(FUZZFLAGS) ./profiles
	$(GO) test -run='^$$' -fuzz='^FuzzReadPlan$$' $(call fuzztime,30000x) $(FUZZFLAGS) ./deploy
	$(GO) test -run='^$$' -fuzz='^FuzzReadState$$' $(call fuzztime,5000x) $(FUZZFLAGS) ./deploy/nanomdm

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# Regenerate the embedded Apple schema from ../shared/apple-device-management,
# ProfileManifests' facts from ../shared/profile-manifests,
# and the trimmed Graph metadata of the fake Graph (internal/fakegraph) from ../shared/graph-metadata.
schema:
	$(GO) generate ./profiles/schema ./internal/graphmeta

# Rewrite golden files from the current output; review the diff before committing.
# Only the packages whose tests check goldens (internal/golden) know -update.
update:
	$(GO) test $$($(GO) list -f '{{.ImportPath}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}' ./... | awk '/internal\/(golden|plantest)( |$$)/ {print $$1}') -update

# Man pages and shell completions, generated from the command tree.
man:
	$(GO) run ./cmd/mdmforge man man

completion:
	mkdir -p completion
	for sh in bash zsh fish powershell; do $(GO) run ./cmd/mdmforge completion $$sh > completion/mdmforge.$$sh; done
