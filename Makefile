# The project's commands; each installs what it needs first (scripts/setup.sh) and is safe to run again.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: serve test bench lint build test-native test-wasm test-browser

serve:
	scripts/setup.sh build
	trunk serve --release

build:
	trunk build --release

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings

test-native:
	@echo "== tier 1: native tests (both crates)"
	cargo test --workspace

test-wasm:
	@echo "== tier 2: kernel tests as wasm32 + SIMD128 under Node"
	cargo test -p softscope-kernels --target wasm32-unknown-unknown

test-browser: build
	@echo "== tier 3: Playwright against the release build (and a copy built for the sub-path /softscope/)"
	trunk build --release --public-url /softscope/ --dist dist-subpath
	npm run --silent e2e

test:
	scripts/setup.sh test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory test-wasm
	$(MAKE) --no-print-directory test-browser

bench:
	scripts/setup.sh test
	$(MAKE) --no-print-directory build
	node tests/bench/run.mjs
