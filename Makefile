# mdmforge: `make test` is what CI runs (.ci/run); `make bench` measures.
GO       ?= go
FUZZTIME ?= 10s
# Minimizing each new corpus entry can take a minute, during which a short
# run finds nothing new; keep it brief.
FUZZFLAGS ?= -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s
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
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' $(FUZZFLAGS) ./profiles
	$(GO) test -run='^$$' -fuzz='^FuzzReadXML$$' $(FUZZFLAGS) ./internal/propertylist
	@if [ -d signing ]; then $(GO) test -run='^$$' -fuzz='^FuzzParse$$' $(FUZZFLAGS) ./signing; fi
	@if [ -d signing ]; then $(GO) test -run='^$$' -fuzz='^FuzzParseDeep$$' $(FUZZFLAGS) ./signing; fi

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# Regenerate the embedded Apple schema from ../shared/apple-device-management.
schema:
	$(GO) generate ./profiles/schema

# Rewrite golden files from the current output; review the diff before committing.
update:
	$(GO) test ./... -update

# Man pages and shell completions, generated from the command tree.
man:
	$(GO) run ./cmd/mdmforge man man

completion:
	mkdir -p completion
	for sh in bash zsh fish powershell; do $(GO) run ./cmd/mdmforge completion $$sh > completion/mdmforge.$$sh; done
