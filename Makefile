# ddbtrail: build, test, install.
#
#   make            build ./ddbtrail
#   make run        install missing packages, build, scan sample-logs/
#   make test       install missing packages, build, run every test
#   make check-asan the same tests against an ASan+UBSan build
#   make check-valgrind   CLI tests under valgrind
#   make check-tsan the threaded cases under ThreadSanitizer (clang)
#   make bench      benchmark (see docs/performance.md)
#   make completions  bash and zsh completion, from the commands' --help
#   make install PREFIX=/usr/local
#
# Your CFLAGS/LDFLAGS are kept; ours are appended.

PKGS    := zlib yajl sqlite3 libpcre2-8 libcrypto
PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) $(PKG_CFLAGS) \
             -DDDBTRAIL_VERSION='"$(VERSION)"' -DDDBTRAIL_RULES_DIR='"$(PREFIX)/share/ddbtrail/detections"' \
             $(CFLAGS)
ALL_LIBS   = $(PKG_LIBS) -lpthread -lm $(LDFLAGS)

# src/ is one folder per stage of the pipeline (README, "Layout"); every folder is on the
# include path, so a module includes another by its name alone
LIB_SRC := $(wildcard src/*.c src/*/*.c)
LIB_HDR := $(wildcard src/*.h src/*/*.h)
SRC_INC := $(patsubst %/,-I%,$(sort $(dir $(LIB_SRC))))
CMD_SRC := $(wildcard cmd/*.c)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/src/%.o)
CMD_OBJ := $(CMD_SRC:cmd/%.c=$(BUILD)/cmd/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)

BIN := $(if $(filter build,$(BUILD)),ddbtrail,$(BUILD)/ddbtrail)

.PHONY: all completions run test deps-test check check-asan check-tsan check-valgrind deps install clean bench bench-scale fuzz check-symbols

all: $(BIN)

$(BUILD)/src/%.o: src/%.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) $(SRC_INC) -c $< -o $@

$(BUILD)/cmd/%.o: cmd/%.c $(LIB_HDR) $(wildcard cmd/*.h)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) $(SRC_INC) -c $< -o $@

$(BUILD)/libddbtrail.a: $(LIB_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^

$(BIN): $(CMD_OBJ) $(BUILD)/libddbtrail.a
	@echo "LD $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libddbtrail.a $(ALL_LIBS)

$(BUILD)/unit: $(UNIT_SRC) $(wildcard tests/unit/*.h) $(BUILD)/libddbtrail.a
	@echo "LD $@"
	@$(CC) $(ALL_CFLAGS) $(SRC_INC) -o $@ $(UNIT_SRC) $(BUILD)/libddbtrail.a $(ALL_LIBS)

deps:
	@sh tests/install-deps.sh

deps-test:
	@sh tests/install-deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	./ddbtrail scan sample-logs/ --config sample-logs/ddbtrail.json

test:
	@echo "make test: installs what is missing (to build: zlib, yajl, SQLite, PCRE2 and OpenSSL"
	@echo "  -dev packages; for the tests: python3-distributed, strace, chromium, and"
	@echo "  puppeteer-core from npm into build/npm-browser), builds, then runs every test;"
	@echo "  about 5 minutes on 2 cores once installed, ending with 'N passed, N failed'"
	@sh tests/install-deps.sh test
	@$(MAKE) --no-print-directory all $(BUILD)/unit
	@DDBTRAIL=./$(BIN) UNIT=$(BUILD)/unit sh tests/run.sh

check: test

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(ASAN_FLAGS) $(CFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined $(LDFLAGS)" build-asan/ddbtrail build-asan/unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    DDBTRAIL=./build-asan/ddbtrail UNIT=build-asan/unit SUITE_NAME=asan sh tests/run.sh

# ThreadSanitizer over the cases that run the decoder threads, the writer and parallel rules
TSAN_CASES := cli/ingest_sample cli/ingest_forms cli/ingest_stdin cli/hostile cli/rules \
              cli/concurrency golden/scan-json golden/scan-text golden/report-csv-high \
              unit/rules_spill_not_rerun
check-tsan: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build-tsan CFLAGS="-fsanitize=thread -g -O1 $(CFLAGS)" \
	    LDFLAGS="-fsanitize=thread $(LDFLAGS)" build-tsan/ddbtrail build-tsan/unit
	@TSAN_OPTIONS=halt_on_error=1:exitcode=66 DDBTRAIL=./build-tsan/ddbtrail UNIT=build-tsan/unit \
	    SUITE_NAME=tsan ONLY="$(or $(ONLY),$(TSAN_CASES))" sh tests/run.sh

check-valgrind: deps
	@$(MAKE) --no-print-directory all $(BUILD)/unit
	@DDBTRAIL_NO_JIT=1 VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	    DDBTRAIL=./$(BIN) UNIT=$(BUILD)/unit SUITE_NAME=valgrind ONLY="$(ONLY)" sh tests/run.sh

check-symbols: $(BUILD)/libddbtrail.a
	@sh tests/check-symbols.sh $(BUILD)/libddbtrail.a

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/bench.sh $(or $(EVENTS),200000)

bench-scale: deps
	@$(MAKE) --no-print-directory all
	@RUNS=$(or $(RUNS),1) sh tests/bench/bench.sh 200000 2000000 10000000

completions: $(BIN)
	@mkdir -p $(BUILD)/completions
	sh cmd/ddbtrail-completion bash ./$(BIN) > $(BUILD)/completions/ddbtrail.bash
	sh cmd/ddbtrail-completion zsh ./$(BIN) > $(BUILD)/completions/_ddbtrail

install: $(BIN) completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ddbtrail/detections \
	    $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ddbtrail
	install -m 755 cmd/ddbtrail-dask $(DESTDIR)$(PREFIX)/bin/ddbtrail-dask
	install -m 644 detections/* $(DESTDIR)$(PREFIX)/share/ddbtrail/detections/
	install -m 644 ddbtrail.1 $(DESTDIR)$(PREFIX)/share/man/man1/ddbtrail.1
	install -m 644 $(BUILD)/completions/ddbtrail.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ddbtrail
	install -m 644 $(BUILD)/completions/_ddbtrail $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ddbtrail

clean:
	rm -rf build build-asan build-clang build-fuzz build-tsan ddbtrail tests/out

fuzz: deps
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) sh tests/fuzz/run.sh
