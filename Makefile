# eddy — build, test, benchmark.  `make run` and `make test` are the two commands a new user
# needs; both install missing Debian packages first (see `deps`).

CC        ?= cc
BUILD     ?= build
BIN       ?= bin
SANITIZE  ?=
OPT       ?= -O2

DEBIAN_PKGS := flex bison pkg-config liblmdb-dev libuv1-dev libcmocka-dev libjansson-dev \
               libhttp-parser-dev libedit-dev

CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers \
                 -Iinclude -I$(BUILD)/gen -g $(OPT) -pthread -MMD -MP
ifeq ($(SANITIZE),1)
CFLAGS_COMMON += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_SAN   := -fsanitize=address,undefined
endif
CFLAGS  := $(CFLAGS_COMMON) $(EXTRA_CFLAGS)
LDLIBS  := -llmdb -luv -ljansson -ledit -lhttp_parser -lpthread -lm
LDFLAGS := $(LDFLAGS_SAN) -pthread

# Library modules, in dependency order (architecture.md). cli/ holds main().
MODULES := common broker serde parser functions planner operators state engine server

LIB_SRC  := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LEX_SRC  := $(wildcard parser/*.l)
YACC_SRC := $(wildcard parser/*.y)
GEN_C    := $(patsubst parser/%.y,$(BUILD)/gen/parser/%.c,$(YACC_SRC)) \
            $(patsubst parser/%.l,$(BUILD)/gen/parser/%.c,$(LEX_SRC))
GEN_H    := $(patsubst parser/%.y,$(BUILD)/gen/parser/%.h,$(YACC_SRC))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(patsubst %.c,%.o,$(GEN_C))
LIB      := $(BUILD)/libeddy.a

CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
EDDY     := $(BIN)/eddy

TEST_SRC := $(wildcard tests/unit/*/test_*.c tests/unit/*/fault_*.c)
TEST_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))

BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all deps test unit e2e asan bench run clean conformance lint
# Keep generated parser sources between builds (make would delete them as intermediates).
.SECONDARY:
.DEFAULT_GOAL := all

all: deps $(EDDY)

# Install missing Debian packages (root), or say exactly what to run (not root).
deps:
	@missing=""; for p in $(DEBIAN_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else \
	    echo "missing packages; run: sudo apt-get update && sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi

$(BUILD)/obj/%.o: %.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Generated parser sources: bison before flex (the lexer includes the grammar's header).
$(BUILD)/gen/parser/%.c $(BUILD)/gen/parser/%.h: parser/%.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(BUILD)/gen/parser/$*.h -o $(BUILD)/gen/parser/$*.c $<

$(BUILD)/gen/parser/%.c: parser/%.l $(GEN_H)
	@mkdir -p $(dir $@)
	flex -o $@ $<

$(BUILD)/gen/parser/%.o: $(BUILD)/gen/parser/%.c $(GEN_H)
	$(CC) $(CFLAGS) -Iparser -Wno-unused-function -Wno-sign-compare -c $< -o $@

# Hand-written parser sources include the generated grammar header.
$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard parser/*.c)): $(GEN_H)

.PHONY: deps-quiet
deps-quiet: ;

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(EDDY): $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDFLAGS) -lcmocka $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB) $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# The whole suite: unit tests (cmocka) then end-to-end tests; ends with "N passed, M failed".
test: deps $(EDDY) $(TEST_BIN)
	@EDDY=$(abspath $(EDDY)) BUILD=$(BUILD) tests/run.sh $(TEST_BIN)

unit: deps $(EDDY) $(TEST_BIN)
	@EDDY=$(abspath $(EDDY)) BUILD=$(BUILD) SKIP_E2E=1 tests/run.sh $(TEST_BIN)

e2e: deps $(EDDY)
	@EDDY=$(abspath $(EDDY)) BUILD=$(BUILD) tests/run.sh

# Same suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build tree.
asan: deps
	$(MAKE) BUILD=build-asan BIN=build-asan/bin SANITIZE=1 OPT=-O1 test

bench: deps $(EDDY) $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

# Build, then start eddy on ./eddy-data with an example loaded.
run: deps $(EDDY)
	@EDDY=$(abspath $(EDDY)) examples/run.sh

conformance: deps $(EDDY)
	@if [ -x ../shared/conformance/run ]; then ../shared/conformance/run; \
	 else echo "../shared/conformance not present"; fi

# Library code must not print or exit (architecture.md).
lint:
	@! grep -nE '\b(exit|abort|printf|puts|perror)\s*\(|fprintf\s*\(\s*std(out|err)' \
	   $(LIB_SRC) | grep -v '^\s*/\?\*' || (echo "lint: printing or exiting in library code" && false)

clean:
	rm -rf build build-asan bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
