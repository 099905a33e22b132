# Hotswap — everyday commands. `make help` lists them. The README's two commands are
# `make run` (scripts/run.sh) and `make test` (scripts/test.sh).

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
CONFDIR     ?= /etc/hotswap
STATEDIR    ?= /var/lib/hotswap
# Models stay read-only and outside $(STATEDIR): systemd hands the unit's StateDirectory= to the
# service user at every start, which would let the service rewrite its own models.
MODELDIR    ?= $(PREFIX)/share/hotswap/models
DOCDIR      ?= $(PREFIX)/share/doc/hotswap
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= /etc/systemd/system
DESTDIR     ?=
URL         ?= http://127.0.0.1:8080
BENCH_SECONDS ?= 10
BENCH_CONNECTIONS ?= 32
SYSTEMCTL   ?= systemctl
# Release binaries link the Swift runtime statically, so the box needs no toolchain.
SWIFT_RELEASE_FLAGS ?= -c release --product hotswap --static-swift-stdlib
# `make install` and `make deb` use this binary; empty = build it first (build as yourself, then
# `sudo make install`, so that .build/ stays yours).
HOTSWAP_BINARY ?=
# hotswap(1), generated from the binary by swift-argument-parser's generate-manual (`make man`).
MANPAGE     ?= .build/man/hotswap.1
# `make deb`: the package's version (default: packaging/deb/changelog) and output folder.
DEB_VERSION ?=
DEB_OUTDIR  ?= .build/deb

.PHONY: help build run test test-deploy bench bench-quick models man deb install uninstall format lint \
        compose-up compose-nginx compose-monitoring compose-down

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  %-20s %s\n", $$1, $$2 }'

build: ## Build the release binary (.build/release/hotswap)
	swift build $(SWIFT_RELEASE_FLAGS)

run: ## Build and serve conf/active.toml on 127.0.0.1:8080 (scripts/run.sh)
	scripts/run.sh

test: ## Everything: deps, format check, build, swift test, pytest (scripts/test.sh)
	scripts/test.sh

test-deploy: ## Only the deployment suites (tests/deploy: systemd in nspawn, the .deb, podman, compose)
	scripts/test.sh --deploy-only

bench: ## The benchmarks in bench/ (server, ONNX runtime, gRPC, observability; results in bench/results/)
	scripts/deps.sh
	swift build $(SWIFT_RELEASE_FLAGS)
	swift build -c release --product hotswap-onnx
	@bin="$$(swift build -c release --show-bin-path)"; status=0; \
	for run in "bench/server/bench_server.py --bin-dir $$bin" "bench/onnx/bench_onnx.py --bin-dir $$bin" \
	    "bench/grpc/bench_grpc.py --bin $$bin/hotswap" "bench/observability/bench_observability.py --bin-dir $$bin"; do \
	  set -- $$run; [ -f "$$1" ] || continue; \
	  echo "== $$run"; .venv/bin/python "$$@" || status=1; \
	done; exit $$status

bench-quick: ## wrk POST /predict against a server already running at URL, for BENCH_SECONDS
	@command -v wrk >/dev/null || { echo "bench-quick: wrk is missing (scripts/deps.sh installs it)" >&2; exit 1; }
	@curl -fsS --max-time 2 $(URL)/health >/dev/null || { echo "bench-quick: nothing answers at $(URL); start it with 'make run'" >&2; exit 1; }
	@script=$$(mktemp --suffix=.lua) && \
	  printf '%s\n' 'wrk.method = "POST"' 'wrk.headers["Content-Type"] = "application/json"' \
	    'wrk.body = "{\"features\":[5.1,3.5,1.4,0.2]}"' > "$$script" && \
	  wrk -t 2 -c $(BENCH_CONNECTIONS) -d $(BENCH_SECONDS)s --latency -s "$$script" $(URL)/predict; \
	  status=$$?; rm -f "$$script"; exit $$status

models: ## Re-export models/ from scikit-learn's bundled datasets (reproducible)
	scripts/deps.sh
	.venv/bin/python tools/models/export_models.py

man: ## The man page hotswap(1), generated from the binary's own help (.build/man/hotswap.1)
	@binary="$(HOTSWAP_BINARY)"; \
	if [ -z "$$binary" ]; then swift build $(SWIFT_RELEASE_FLAGS) && binary="$$(swift build -c release --show-bin-path)/hotswap"; fi; \
	scripts/generate-manpage.sh "$$binary" $(dir $(MANPAGE))

deb: ## The Debian package .build/deb/hotswap_<version>_<arch>.deb (static Swift runtime; see docs/operations.md)
	@binary="$(HOTSWAP_BINARY)"; \
	if [ -z "$$binary" ]; then swift build $(SWIFT_RELEASE_FLAGS) && binary="$$(swift build -c release --show-bin-path)/hotswap"; fi; \
	scripts/generate-manpage.sh "$$binary" $(dir $(MANPAGE)) && \
	HOTSWAP_BINARY="$$binary" HOTSWAP_MANPAGE=$(MANPAGE) DEB_VERSION=$(DEB_VERSION) DEB_OUTDIR=$(DEB_OUTDIR) scripts/build-deb.sh

# The installed config names the models by absolute path (relative paths in conf/active.toml
# point into the repository's models/ folder, which on the box is $(MODELDIR)) and keeps its
# history in $(STATEDIR), where the service and the `hotswap` CLI both find it. The units name
# $(BINDIR)/hotswap and $(DOCDIR). The man page is installed when it was built (`make man`).
install: ## Install binary, config, models, units and docs (as root; see docs/operations.md)
	@binary="$(HOTSWAP_BINARY)"; \
	if [ -z "$$binary" ]; then swift build $(SWIFT_RELEASE_FLAGS) && binary="$$(swift build -c release --show-bin-path)/hotswap"; fi; \
	install -D -m 0755 "$$binary" $(DESTDIR)$(BINDIR)/hotswap
	install -d -m 0755 $(DESTDIR)$(CONFDIR) $(DESTDIR)$(MODELDIR)
	@if [ -e $(DESTDIR)$(CONFDIR)/active.toml ]; then \
	  echo "install: keeping the existing $(CONFDIR)/active.toml"; \
	else \
	  sed 's#"\.\./models/#"$(MODELDIR)/#' conf/active.toml \
	    | awk -v dir='$(STATEDIR)' '{ print } /^\[server\]/ && !done { print "state_directory = \"" dir "\""; done = 1 }' \
	    > $(DESTDIR)$(CONFDIR)/active.toml && \
	  chmod 0644 $(DESTDIR)$(CONFDIR)/active.toml; \
	fi
	cp -R models/. $(DESTDIR)$(MODELDIR)/
	chmod -R u=rwX,go=rX $(DESTDIR)$(MODELDIR)
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	@for unit in hotswap.service hotswap.socket; do \
	  sed -e 's#/usr/local/bin/hotswap#$(BINDIR)/hotswap#g' -e 's#/usr/local/share/doc/hotswap#$(DOCDIR)#g' \
	    systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit && chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit || exit 1; \
	done
	install -D -m 0644 docs/operations.md $(DESTDIR)$(DOCDIR)/operations.md
	@if [ -f "$(MANPAGE)" ]; then install -D -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/hotswap.1; fi
	@if [ -z "$(DESTDIR)" ]; then \
	  getent passwd hotswap >/dev/null || useradd --system --user-group --home-dir $(STATEDIR) \
	    --no-create-home --shell /usr/sbin/nologin hotswap; \
	  $(SYSTEMCTL) daemon-reload; \
	  echo "installed; start with: systemctl enable --now hotswap.socket hotswap.service"; \
	fi

uninstall: ## Remove binary, units, models and docs (config and history stay)
	-$(SYSTEMCTL) disable --now hotswap.service hotswap.socket
	rm -f $(DESTDIR)$(BINDIR)/hotswap $(DESTDIR)$(UNITDIR)/hotswap.service $(DESTDIR)$(UNITDIR)/hotswap.socket
	rm -f $(DESTDIR)$(MANDIR)/man1/hotswap.1
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(MODELDIR)
	-$(SYSTEMCTL) daemon-reload

format: ## Format the Swift sources in place
	swift format -i -r Sources Tests Package.swift

lint: ## Check formatting (as CI does) and the shell scripts' syntax
	swift format lint --strict -r Sources Tests Package.swift
	@for f in scripts/*.sh; do bash -n "$$f" || exit 1; done

compose-up: ## docker compose: the single process on :8080
	docker compose up -d --build

compose-nginx: ## docker compose: blue and green behind nginx (:80 HTTP, :50050 gRPC, :8001/:8002 direct)
	docker compose --profile nginx up -d --build

compose-monitoring: ## docker compose: + Prometheus (:9090) and Grafana (:3000)
	docker compose --profile monitoring up -d --build

compose-down: ## docker compose: stop everything
	docker compose --profile nginx --profile monitoring down
