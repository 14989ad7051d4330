# fuzz.mk - libFuzzer harnesses (fuzz/fuzz_<name>.c), see PAPER.md section 5.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_ONLY="attr record"]
#                         every harness for FUZZ_SECONDS each, seeded from
#                         fuzz/corpus/<name>, with fuzz/dict/<name>.dict;
#                         fails on any crash, leak, timeout, sanitizer report
#                         or broken invariant (artifacts in build/fuzz/crash)
#   make fuzz-regress     every committed seed and regression input, once
#   make fuzz-coverage    line coverage of each harness's target code over
#                         its corpus (clang source-based coverage)
#   make fuzz-merge       keep what a campaign found: add the inputs of
#                         build/fuzz/work/<name> that add coverage to the
#                         committed corpus (then review and commit)
#   make fuzz-build       only build the harnesses
#
# The project's sources are compiled here with clang and the sanitizers
# (not the gcc libraries of build/<variant>) into build/fuzz/lib/libsluice.a;
# programs' *_main.c files are left out.

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS    = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
                 $(FUZZ_SAN) $(WARN) \
                 -Isrc/util -Isrc/mail -Isrc/server -Isrc/cleanup \
                 -Isrc/smtpd -Isrc/smtp -Isrc/master -Ifuzz -MMD -MP
FUZZ_LIBS      = -lssl -lcrypto -lresolv
FUZZ_DIRS      = util mail cleanup smtpd smtp master
FUZZ_SRCS      = $(filter-out %_main.c,$(wildcard $(foreach d,$(FUZZ_DIRS),src/$(d)/*.c)))
FUZZ_NAMES     = $(sort $(patsubst fuzz/fuzz_%.c,%,$(filter-out fuzz/fuzz_common.c,$(wildcard fuzz/fuzz_*.c))))
FUZZ_ONLY     ?= $(FUZZ_NAMES)
FZ             = build/fuzz

# Two builds: sanitizers (fuzzing, regressions) and coverage (no sanitizer).
FZ_OBJS  = $(patsubst src/%.c,$(FZ)/obj/%.o,$(FUZZ_SRCS))
FZ_COBJS = $(patsubst src/%.c,$(FZ)/cov/obj/%.o,$(FUZZ_SRCS))
FZ_BINS  = $(addprefix $(FZ)/bin/fuzz_,$(FUZZ_NAMES))
FZ_CBINS = $(addprefix $(FZ)/cov/bin/fuzz_,$(FUZZ_NAMES))
FZ_COV   = -fprofile-instr-generate -fcoverage-mapping

.PHONY: fuzz fuzz-build fuzz-regress fuzz-coverage fuzz-merge
.PRECIOUS: $(FZ)/hobj/%.o $(FZ)/cov/hobj/%.o

$(FZ)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/hobj/%.o: fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/lib/libsluice.a: $(FZ_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(FZ)/bin/fuzz_%: $(FZ)/hobj/fuzz_%.o $(FZ)/hobj/fuzz_common.o $(FZ)/lib/libsluice.a
	@mkdir -p $(@D)
	$(FUZZ_CC) -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

$(FZ)/cov/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out $(FUZZ_SAN),$(FUZZ_CFLAGS)) $(FZ_COV) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/cov/hobj/%.o: fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(filter-out $(FUZZ_SAN),$(FUZZ_CFLAGS)) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/cov/lib/libsluice.a: $(FZ_COBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(FZ)/cov/bin/fuzz_%: $(FZ)/cov/hobj/fuzz_%.o $(FZ)/cov/hobj/fuzz_common.o $(FZ)/cov/lib/libsluice.a
	@mkdir -p $(@D)
	$(FUZZ_CC) -g $(FZ_COV) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

fuzz-build: $(FZ_BINS)

fuzz: fuzz-build
	@sh fuzz/run.sh run $(FUZZ_SECONDS) $(FUZZ_ONLY)

fuzz-regress: fuzz-build
	@sh fuzz/run.sh regress 0 $(FUZZ_ONLY)

fuzz-coverage: $(FZ_CBINS)
	@sh fuzz/run.sh coverage 0 $(FUZZ_ONLY)

fuzz-merge: fuzz-build
	@sh fuzz/run.sh merge 0 $(FUZZ_ONLY)
