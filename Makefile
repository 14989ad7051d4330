# Sluice - one entry point for building, testing, proving and running.
#
# Layout (see PAPER.md, "Design"):
#   src/util, src/mail, src/server  -> static libraries, dependencies downward
#   src/<prog>/*_main.c             -> one program each, into ./bin
#   src/<prog>/other .c files       -> lib<prog>.a, so that tests link the logic
#   tests/unit/<dir>/*.c            -> one CUnit binary per source directory
#
# Build variants live side by side under build/<variant>:
#   plain (gcc -O2), asan (gcc ASan+UBSan), clang (clang, warnings as errors),
#   cov (gcc --coverage).  ./bin is the plain variant.

VARIANT ?= plain
CC_plain = gcc
CC_asan  = gcc
CC_clang = clang
CC_cov   = gcc
CC       = $(CC_$(VARIANT))

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral
CFLAGS_plain = -O2 -g
CFLAGS_asan  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
CFLAGS_clang = -O2 -g
CFLAGS_cov   = -O0 -g --coverage
LDFLAGS_asan = -fsanitize=address,undefined
LDFLAGS_cov  = --coverage

PREFIX  ?= /usr/local
DESTDIR ?=
FI      ?= 0
# Debian's python3 (it sees Debian's python3-aiosmtpd); another python3 on PATH may not.
PYTHON  ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)

INCLUDES = -Isrc/util -Isrc/mail -Isrc/server
CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS_$(VARIANT)) $(INCLUDES) \
           -MMD -MP $(if $(filter 1,$(FI)),-DSLUICE_FAULT_INJECTION)
LDFLAGS  = $(LDFLAGS_$(VARIANT))
LDLIBS   = -lssl -lcrypto -lresolv

B        = build/$(VARIANT)$(if $(filter 1,$(FI)),-fi)
LIBDIRS  = util mail server
PROGDIRS = $(filter-out $(LIBDIRS),$(patsubst src/%/,%,$(wildcard src/*/)))

# lib<dir>.a holds every .c of src/<dir> that is not a program's main().
lib_srcs   = $(filter-out %_main.c,$(wildcard src/$(1)/*.c))
lib_objs   = $(patsubst src/%.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))
ALL_LIBS   = $(foreach d,$(LIBDIRS) $(PROGDIRS),$(B)/lib/lib$(d).a)
MAINS      = $(wildcard $(foreach d,$(PROGDIRS),src/$(d)/*_main.c))
PROG_NAMES = $(patsubst %_main.c,%,$(notdir $(MAINS)))
PROGS      = $(addprefix $(B)/bin/,$(PROG_NAMES))
CORE_LIBS  = $(B)/lib/libserver.a $(B)/lib/libmail.a $(B)/lib/libutil.a

TEST_DIRS  = $(patsubst tests/unit/%/,%,$(wildcard tests/unit/*/))
TEST_BINS  = $(foreach d,$(TEST_DIRS),$(B)/tests/test-$(d))

.PHONY: all build variant deps check unit-tests integration-tests clang-build \
        coverage install run clean proofs fuzz faultinject bench format
.DEFAULT_GOAL := all

all: build
	@mkdir -p bin
	@for p in $(PROG_NAMES); do ln -sf ../build/plain/bin/$$p bin/$$p; done
	@ln -sf sendmail bin/mailq

build:
	@$(MAKE) --no-print-directory VARIANT=plain variant

variant: $(PROGS) $(TEST_BINS)

# ---- compilation ----------------------------------------------------------

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tobj/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -c -o $@ $<

define lib_rule
$(B)/lib/lib$(1).a: $(call lib_objs,$(1)) $(B)/obj/empty.o
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS) $(PROGDIRS),$(eval $(call lib_rule,$(d))))

$(B)/obj/empty.o:
	@mkdir -p $(@D)
	echo 'extern int sluice_empty_unit; int sluice_empty_unit;' | $(CC) -x c -c -o $@ -

# A program links its own directory's library and everything below it.
define prog_rule
$(B)/bin/$(patsubst %_main.c,%,$(notdir $(1))): $(patsubst src/%.c,$(B)/obj/%.o,$(1)) \
		$(B)/lib/lib$(notdir $(patsubst %/,%,$(dir $(1)))).a $(CORE_LIBS)
	@mkdir -p $$(@D)
	$(CC) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach m,$(MAINS),$(eval $(call prog_rule,$(m))))

# A test binary links the runner, its suites, its directory's library and below.
test_objs = $(patsubst tests/%.c,$(B)/tobj/%.o,$(wildcard tests/unit/$(1)/*.c))
define test_rule
$(B)/tests/test-$(1): $(B)/tobj/unit/runner.o $(call test_objs,$(1)) \
		$(if $(filter $(1),$(LIBDIRS)),,$(B)/lib/lib$(1).a) $(CORE_LIBS)
	@mkdir -p $$(@D)
	$(CC) $(LDFLAGS) -o $$@ $$^ -lcunit $(LDLIBS)
endef
$(foreach d,$(TEST_DIRS),$(eval $(call test_rule,$(d))))

-include $(shell find build -name '*.d' -type f 2>/dev/null)

# ---- set-up ---------------------------------------------------------------

deps:
	@sh tools/deps.sh

# ---- tests ----------------------------------------------------------------

clang-build:
	@$(MAKE) --no-print-directory VARIANT=clang variant

unit-tests:
	@$(MAKE) --no-print-directory VARIANT=$(VARIANT) variant
	@sh tools/run-unit-tests.sh $(B)/tests

integration-tests:
	@$(MAKE) --no-print-directory VARIANT=$(VARIANT) variant
	@SLUICE_BIN=$(abspath $(B)/bin) $(PYTHON) tests/integration/run.py

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory clang-build
	@sh tools/check.sh

coverage: deps
	@rm -rf build/cov
	@$(MAKE) --no-print-directory VARIANT=cov unit-tests
	@gcovr --root . --filter 'src/' --object-directory build/cov \
	       --sort-percentage build/cov > build/coverage.txt
	@cat build/coverage.txt

# ---- running an instance --------------------------------------------------

run: deps all
	@sh tools/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/libexec/sluice
	for p in $(PROG_NAMES); do \
	  install -m 0755 build/plain/bin/$$p $(DESTDIR)$(PREFIX)/libexec/sluice/$$p; done
	ln -sf ../libexec/sluice/sendmail $(DESTDIR)$(PREFIX)/sbin/sendmail
	ln -sf ../libexec/sluice/sendmail $(DESTDIR)$(PREFIX)/sbin/mailq
	ln -sf ../libexec/sluice/sluice $(DESTDIR)$(PREFIX)/sbin/sluice
	@$(MAKE) --no-print-directory install-gate

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build bin

-include mk/*.mk
