# programs.mk - unit tests of a program's logic see that program's headers:
# tests/unit/<prog>/*.c compile with -Isrc/<prog> (libraries are already on
# the include path).
$(foreach d,$(PROGDIRS),$(eval $(B)/tobj/unit/$(d)/%.o: CFLAGS += -Isrc/$(d)))
