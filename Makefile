# Borgerbudget: the participatory budgeting voting server.
#   make run    install missing packages, build, start a private PostgreSQL and serve on :8080
#   make test   the same set-up, then every test (SAN=1 for AddressSanitizer + UBSan)

PORT ?= 8080
# serving processes for make run: 0 is one per core
PROCESSES ?= 0
SAN ?= 0
V ?= 0

CC ?= cc
PG_BINDIR := $(shell pg_config --bindir 2>/dev/null)
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -MMD -MP \
	-I server -I $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql) \
	-DPG_BINDIR='"$(PG_BINDIR)"'
# the picture codecs of lib/imagestrip (metadata is removed by decoding and encoding again)
IMAGE_LIBS := -lturbojpeg -lexif -lpng -lwebpdemux -lwebp
LDLIBS := -levent -levent_pthreads -levent_openssl -lpq -lcurl -lcjose -lssl -lcrypto -lcjson -lcsv -lgmp -lz -lpthread -lm \
	$(IMAGE_LIBS)

ifeq ($(SAN),1)
VARIANT := san
CFLAGS_BASE += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
VARIANT := release
endif
CFLAGS := $(CFLAGS_BASE) $(EXTRA_CFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

OBJ := build/obj-$(VARIANT)
# server/lib is pure (no libevent, no libpq): unit tests, fuzzers and pbtally link it alone.
PURE_SRC := $(wildcard server/lib/*.c server/lib/*/*.c)
SERVER_SRC := $(filter-out server/start/main.c,$(wildcard server/core/*.c server/api/*.c server/start/*.c))
UNIT_SRC := $(wildcard tests/unit/*.c)

PURE_OBJ := $(PURE_SRC:%.c=$(OBJ)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(OBJ)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(OBJ)/%.o)

BINS := build/pbserver build/pbtally build/pbgen build/pbload build/unit_tests

.PHONY: all deps build web run test bench clean fmt screenshots fuzz
all: build

deps:
	$(Q)scripts/deps.sh

build: $(BINS)

# Browser libraries from npm into web/vendor/ (git ignores it): the pages never load a CDN.
web:
	$(Q)scripts/vendor-web.sh

# The variant stamp makes a switch between SAN=1 and a plain build relink the binaries.
build/.variant-$(VARIANT):
	$(Q)mkdir -p build && rm -f build/.variant-* && touch $@

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

build/pbserver: $(OBJ)/server/start/main.o $(SERVER_OBJ) $(PURE_OBJ) build/.variant-$(VARIANT)
	@[ "$(V)" = 1 ] || echo "  LD $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

build/pbtally: $(OBJ)/tools/pbtally.o $(OBJ)/tools/pbcount.o $(OBJ)/tools/pbtally_report.o $(PURE_OBJ) build/.variant-$(VARIANT)
	@[ "$(V)" = 1 ] || echo "  LD $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

build/pbgen: $(OBJ)/tools/pbgen.o $(PURE_OBJ) build/.variant-$(VARIANT)
	@[ "$(V)" = 1 ] || echo "  LD $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

build/pbload: $(OBJ)/loadtest/pbload.o $(OBJ)/server/lib/util.o build/.variant-$(VARIANT)
	@[ "$(V)" = 1 ] || echo "  LD $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -levent -lcjson -lm

build/unit_tests: $(UNIT_OBJ) $(PURE_OBJ) build/.variant-$(VARIANT)
	@[ "$(V)" = 1 ] || echo "  LD $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

run: deps
	$(Q)$(MAKE) --no-print-directory build web
	exec build/pbserver --port $(PORT) --data-dir var --demo --processes $(PROCESSES)

test: deps
	$(Q)$(MAKE) --no-print-directory build web
	$(Q)cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	$(Q)cd tests/contract && npm ci --no-audit --no-fund --loglevel=error
	$(Q)cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	$(Q)python3 tests/run.py

# Refreshes the screenshots in docs/screenshots from the browser tests.
screenshots: deps
	$(Q)$(MAKE) --no-print-directory build web
	$(Q)cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	$(Q)PB_SCREENSHOTS=$(CURDIR)/docs/screenshots python3 tests/run.py -k browser

bench: deps
	$(Q)command -v wrk >/dev/null && command -v nginx >/dev/null || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light
	$(Q)$(MAKE) --no-print-directory build
	$(Q)python3 tests/bench.py

fmt:
	clang-format -i server/*/*.c server/*/*.h server/*/*/*.c server/*/*/*.h tools/*.c tests/unit/*.c

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# libFuzzer targets (clang): request bodies and ballot validation, the pabulib reader and
# the tally, request paths and the router, voter session tokens, OpenID Connect ID tokens and JWKS, the register and proposal spreadsheets (CSV), picture headers, pictures decoded and encoded again. FUZZ_SECONDS per target; corpora in tests/fuzz/.
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I server
FUZZ_PURE := $(PURE_SRC)
fuzz: deps
	$(Q)command -v clang >/dev/null || apt-get install -y -qq clang
	$(Q)mkdir -p build/fuzz
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/ballot tests/fuzz/fuzz_ballot.c $(FUZZ_PURE) -lcjose -lcjson -lcsv -lgmp -lcrypto -lm $(IMAGE_LIBS)
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/pbfile tests/fuzz/fuzz_pbfile.c $(FUZZ_PURE) -lcjose -lcjson -lcsv -lgmp -lcrypto -lm $(IMAGE_LIBS)
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/router tests/fuzz/fuzz_router.c server/core/router.c server/lib/util.c server/lib/log.c \
		-levent -lpthread
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/token tests/fuzz/fuzz_token.c $(FUZZ_PURE) -lcjose -lcjson -lcsv -lgmp -lcrypto -lm $(IMAGE_LIBS)
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/idtoken tests/fuzz/fuzz_idtoken.c $(FUZZ_PURE) -lcjose -lcjson -lcsv -lgmp -lcrypto -lm $(IMAGE_LIBS)
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/csvimport tests/fuzz/fuzz_csvimport.c $(FUZZ_PURE) -lcjose -lcjson -lcsv -lgmp -lcrypto -lm $(IMAGE_LIBS)
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/imagehdr tests/fuzz/fuzz_imagehdr.c server/lib/imagehdr.c
	$(Q)clang $(FUZZ_CFLAGS) -o build/fuzz/imagestrip tests/fuzz/fuzz_imagestrip.c server/lib/imagehdr.c \
		server/lib/imagestrip.c $(IMAGE_LIBS)
	$(Q)for t in ballot pbfile router token idtoken csvimport imagehdr imagestrip; do \
		mkdir -p build/fuzz/corpus-$$t && \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=0 \
			build/fuzz/corpus-$$t tests/fuzz/corpus/$$t 2>&1 | tail -2 || exit 1; \
	done
