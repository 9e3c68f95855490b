# Gongyak — the two commands a new machine needs are `make run` and
# `make test`; everything else here is what they are made of.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BIN       := $(CURDIR)/.bin
BUF       := $(CURDIR)/tools/node_modules/.bin/buf
PLUGINS   := $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/protoc-gen-grpc-gateway $(BIN)/protoc-gen-openapiv2
NPM_STAMP := tools/node_modules/.installed
CONSOLE   := web/console
CONSOLE_STAMP := $(CONSOLE)/node_modules/.installed
MODULES    = $(shell go list -m -f '{{.Path}}/...')

export PATH := $(BIN):$(PATH)

.PHONY: help
help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

.PHONY: run
run: run-prerequisites build ## Start the whole suite on this machine; Ctrl-C stops it.
	bin/gongyak run

.PHONY: demo-scale
demo-scale: run-prerequisites build ## make run, with 243 districts × 150 pledges of synthetic data loaded (kept in .data-scale); Ctrl-C stops it.
	bin/gongyak run --data .data-scale --scale full

.PHONY: test
test: prerequisites proto-lint generated-check console ## Run every check and every test, on a PostgreSQL of its own.
	@unformatted=$$(gofmt -l cmd deploy e2e pkg services bench); if [ -n "$$unformatted" ]; then echo "not gofmt-ed (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	go vet $(MODULES)
	go run ./cmd/withpg -- go test -race -count=1 -timeout 30m $(MODULES)
	# The load harness is a module outside go.work (make bench): its own checks.
	cd bench && GOWORK=off go vet ./... && GOWORK=off go test -count=1 ./...
	# So is deploy (BuildKit's parser asks for a newer Go than go.work names):
	# the Dockerfile and compose checks, the db-init SQL on a PostgreSQL of its own.
	cd deploy && GOWORK=off go vet ./...
	go run ./cmd/withpg -- bash -c 'cd deploy && GOWORK=off go test -count=1 ./...'

IMAGE_ARCH ?= amd64,arm64

.PHONY: images
images: console ## Build every binary's container image, without a container engine, as OCI layouts in .artifacts/images/ (IMAGE_ARCH=amd64,arm64).
	cd deploy && GOWORK=off go run ./image --root .. --out ../.artifacts/images --arch $(IMAGE_ARCH)

.PHONY: test-images
test-images: prerequisites images ## make images, then inspect the layouts (user, entrypoint, labels, no shell, the binaries run) and check deploy/Dockerfile and deploy/compose.yaml.
	cd deploy && GOWORK=off go vet -tags images ./...
	go run ./cmd/withpg -- bash -c 'cd deploy && GOWORK=off go test -tags images -count=1 ./...'

.PHONY: test-faults
test-faults: prerequisites ## Break a running suite on purpose (kill, stop, restart its parts) and check nothing is lost; one test at a time.
	go test -tags faults -count=1 -p 1 -v -timeout 20m ./e2e/faults/

# The chart's tools, built from the module proxy at pinned versions into
# .cache/chart/bin (Go's build cache keeps a second build short).
CHART_BIN   := $(CURDIR)/.cache/chart/bin
HELM_VERSION        := v3.22.0
KUBECONFORM_VERSION := v0.7.0

.PHONY: test-chart
test-chart: ## The Helm chart: helm lint, helm template (default and production values), kubeconform -strict against schemas generated offline from the Kubernetes API and CloudNativePG's CRD, and what the manifests must say.
	@mkdir -p $(CHART_BIN)
	GOWORK=off GOBIN=$(CHART_BIN) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	GOWORK=off GOBIN=$(CHART_BIN) go install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)
	HELM=$(CHART_BIN)/helm KUBECONFORM=$(CHART_BIN)/kubeconform go test -tags chart -count=1 -v -timeout 15m ./deploy/helm/

AXE_STAMP := e2e/browser/node_modules/.installed

$(AXE_STAMP): e2e/browser/package.json e2e/browser/package-lock.json
	npm ci --prefix e2e/browser --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: test-browser
test-browser: browser-prerequisites $(AXE_STAMP) build ## The pages in a real browser (Debian's chromium, headless, installed when missing) against the whole suite: sign-in, axe-core, 375-px width; screenshots in .artifacts/browser/.
	go test -tags browser -count=1 -p 1 -timeout 20m ./e2e/browser/

.PHONY: bench-report
bench-report: prerequisites ## Time the all-district implementation report at full synthetic scale (243 × 150, loaded once into .data-bench): median of 20 runs, under 200 ms.
	go test -tags bench -count=1 -run '^$$' -bench BenchmarkImplementationReport -benchtime 20x -timeout 90m ./e2e/bench/

.PHONY: bench
bench: prerequisites ## Throughput and p50/p99 of the suite's paths at 32 connections beside this machine's ceilings (pgbench, a bare gRPC + gateway path), with the targets; data in .data-bench-20x150, table also in its bench.md.
	cd bench && GOWORK=off go run . -scale 20x150 -c 32 -d 8s -warmup 2s

.PHONY: mutants
mutants: prerequisites ## Apply each deliberate bug in scripts/mutants/ to a scratch copy and show the tests catch it.
	@scripts/mutants.sh

.PHONY: prerequisites run-prerequisites browser-prerequisites
prerequisites:
	@scripts/prerequisites.sh test
browser-prerequisites:
	@scripts/prerequisites.sh browser
run-prerequisites:
	@scripts/prerequisites.sh run

# --- code generation -------------------------------------------------------

$(NPM_STAMP): tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch $@

$(PLUGINS) &: tools/go.mod tools/go.sum
	cd tools && GOWORK=off GOBIN=$(BIN) go install tool

.PHONY: tools
tools: $(NPM_STAMP) $(PLUGINS) ## Install the pinned generators (buf, protoc plugins).

.PHONY: protodeps
protodeps: $(NPM_STAMP) ## Fetch the Google API protos ours import into build/protodeps.
	@scripts/protodeps.sh

.PHONY: generate
generate: tools protodeps $(CONSOLE_STAMP) ## Regenerate Go code and OpenAPI from proto/, and the console's API client from that.
	$(BUF) lint
	rm -rf pkg/api pkg/openapi/*.json
	$(BUF) generate
	npm run --silent --prefix $(CONSOLE) generate:api

.PHONY: proto-lint
proto-lint: tools protodeps ## buf lint.
	$(BUF) lint

.PHONY: generated-check
generated-check: tools protodeps $(CONSOLE_STAMP) ## Fail when the committed generated code differs from a fresh generation.
	@scripts/check-generated.sh $(BUF)

# --- build -----------------------------------------------------------------

# The admin console: npm ci again only when its lockfile changes; the build
# lands where the gateway embeds it, so it comes before go build.
$(CONSOLE_STAMP): $(CONSOLE)/package.json $(CONSOLE)/package-lock.json
	npm ci --prefix $(CONSOLE) --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: console
console: $(CONSOLE_STAMP) ## Build the admin console (web/console) into services/gateway/internal/console/dist.
	npm run --silent --prefix $(CONSOLE) build

.PHONY: build
build: console ## Build every binary into bin/ (the gateway with the console).
	go build -o bin/ $(wildcard ./services/*/cmd/*) ./cmd/gongyak

.PHONY: clean
clean: ## Remove build output (not the data of make run).
	rm -rf bin build .bin tools/node_modules $(CONSOLE)/node_modules $(CONSOLE)/build
	find services/gateway/internal/console/dist -mindepth 1 ! -name README -delete
