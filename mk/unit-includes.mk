# unit-includes.mk - a program directory's unit tests see its own headers.
#
# tests/unit/<prog>/test_*.c test the logic in src/<prog>/ (which links as
# lib<prog>.a); their objects get -Isrc/<prog> on top of the library
# include path, so they can #include "sendmail_args.h" like the program does.
$(foreach d,$(PROGDIRS),$(eval $(B)/tobj/unit/$(d)/%.o: INCLUDES += -Isrc/$(d)))
