# Pith: one non-recursive Makefile. `make` builds build/pith.elf and prints
# what it loads; `make run` boots it in QEMU; `make test` runs every test.
# Dependencies come from Debian through tools/deps.sh, never from elsewhere.

CC := gcc
BUILD := build
PYTHON := /usr/bin/python3
MACHINE ?= microvm
SMP ?= 2
MEM ?= 128M
# `make run` starts the web server from the disk (the Monitor runs the
# program after --); `q` on the console stops it and the prompt follows.
# The guest's port 80 is 127.0.0.1:HTTP_PORT on the host.
CMDLINE ?= -- httpd
HTTP_PORT ?= 8080

# ---- kernel ---------------------------------------------------------------
KERNEL_C := $(wildcard kernel/*.c kernel/arch/x86_64/*.c kernel/drivers/*.c) lib/bmfs/bmfs.c
KERNEL_S := $(wildcard kernel/arch/x86_64/*.S)

# Unikernel mode (include/pith/app.h): the program linked into the image.
# By default the Monitor (apps/monitor) into build/pith.elf; `make APP=dir`
# links dir/*.c in its place, into build/app-<dir>/pith.elf.
APP ?=
APP_DIR := $(or $(patsubst %/,%,$(APP)),apps/monitor)
APP_NAME := $(notdir $(APP_DIR))
ifneq ($(APP),)
BUILD := build/app-$(APP_NAME)
endif
# lib/net and lib/http (docs/NETWORK.md); apps/httpd links them, the port
# and its compiled-in sites.
NET_SRC := $(filter-out lib/net/port_%.c,$(wildcard lib/net/*.c))
HTTP_SRC := $(wildcard lib/http/*.c)
APP_LIBS_httpd := $(NET_SRC) lib/net/port_pith.c $(HTTP_SRC) build/gen/site_demo.c \
	build/gen/site_bench.c
# A program may link libraries too: APP_LIBS_<name> (lib/net, lib/http, a
# generated file under build/gen), compiled with the program's flags.
APP_LIB_SRC = $(APP_LIBS_$(APP_NAME))
APP_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(APP_DIR)/*.c) $(APP_LIB_SRC))
KERNEL_OBJ = $(KERNEL_C:%.c=$(BUILD)/%.o) $(KERNEL_S:%.S=$(BUILD)/%.o) $(APP_OBJ)

# Freestanding, no SSE in the kernel (programs own those registers), frame
# pointers kept for stack traces, no red zone (interrupts share the stack),
# and low physical addresses (BIOS data at 0x40e) are not "NULL + offset".
KERNEL_CFLAGS := -std=gnu11 -Os -Wall -Wextra -Werror -g \
	-ffreestanding -fno-pic -fno-pie -mcmodel=small -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-unwind-tables --param=min-pagesize=0 \
	-ffunction-sections -fdata-sections \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) -Iinclude -MMD -MP \
	-DPITH_APP_NAME='"$(APP_NAME)"'
# Programs own the FPU/SSE registers, so only they may use them.
APP_CFLAGS := $(filter-out -mgeneral-regs-only -Os,$(KERNEL_CFLAGS)) -O2 -Ilib
KERNEL_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 \
	-z noexecstack --build-id=none --gc-sections -T kernel/kernel.ld

.PHONY: all kernel run debug iso test unit system check-layers clean deps-run deps-test
all: kernel
kernel: $(BUILD)/pith.elf

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(if $(filter $(APP_DIR)/% $(APP_LIB_SRC),$<),$(APP_CFLAGS),$(KERNEL_CFLAGS)) -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# Two links: the first gives function addresses, the second embeds them as
# the symbol table fault reports use. .ksyms follows all code, so the
# second link moves nothing; the cmp proves it.
$(BUILD)/ksyms0.S: tools/ksyms.sh
	@mkdir -p $(@D)
	tools/ksyms.sh > $@

$(BUILD)/pith.pass1.elf: $(KERNEL_OBJ) $(BUILD)/ksyms0.o kernel/kernel.ld
	ld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms0.o

$(BUILD)/ksyms.S: $(BUILD)/pith.pass1.elf tools/ksyms.sh
	tools/ksyms.sh $< > $@

$(BUILD)/pith.elf: $(BUILD)/pith.pass1.elf $(BUILD)/ksyms.o tools/size.sh
	ld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms.o
	@nm $< | grep ' [tT] ' > $(BUILD)/syms1.txt; nm $@ | grep ' [tT] ' > $(BUILD)/syms2.txt
	@cmp -s $(BUILD)/syms1.txt $(BUILD)/syms2.txt || { echo "ksyms: the second link moved code"; rm -f $@; exit 1; }
	@tools/size.sh $@

# ---- run ------------------------------------------------------------------
deps-run:
	@tools/deps.sh run

# The disk: build/pith-disk.img (make image), the monitor's programs on BMFS.
run: deps-run
	@$(MAKE) --no-print-directory kernel image
	@echo "Pith: http://127.0.0.1:$(HTTP_PORT)/ (try: curl http://127.0.0.1:$(HTTP_PORT)/status.json);" \
		"q stops the server, Ctrl-A X quits QEMU"
	$(PYTHON) tools/qemu.py run --machine $(MACHINE) --smp $(SMP) --mem $(MEM) \
		--cmdline "$(CMDLINE)" --drive $(IMAGE) --hostfwd $(HTTP_PORT):80 $(BUILD)/pith.elf

# QEMU stopped before its firmware runs, waiting for `gdb build/pith.elf`
# with `target remote :1234` (then `break kmain`, `continue`).
debug: deps-run kernel image
	$(PYTHON) tools/qemu.py run --machine $(MACHINE) --smp $(SMP) --mem $(MEM) \
		--cmdline "$(CMDLINE)" --drive $(IMAGE) $(BUILD)/pith.elf -- -s -S

# ---- ISO (GRUB, BIOS + UEFI) ------------------------------------------------
# pith.iso is for people (ISO_CMDLINE=... adds kernel options); the tests
# boot pith-test.iso, which powers off once ready.
iso: $(BUILD)/pith.iso
$(BUILD)/pith-test.iso: ISO_CMDLINE := then=shutdown
$(BUILD)/pith.iso $(BUILD)/pith-test.iso: $(BUILD)/pith.elf tools/mkiso.sh
	@tools/deps.sh iso
	@tools/mkiso.sh $< $@ "$(ISO_CMDLINE)"

# ---- tests ----------------------------------------------------------------
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -iquote kernel -Iinclude \
	-fno-sanitize-recover=all
UNIT_TESTS := printf cmdline bootinfo acpi wq_ring virtq mmio elf
# Each test and the kernel files it exercises on the host.
UNIT_SRC_printf := kernel/printf.c
UNIT_SRC_cmdline := kernel/cmdline.c
UNIT_SRC_bootinfo := kernel/bootinfo.c
UNIT_SRC_acpi := kernel/drivers/acpi.c kernel/drivers/mptable.c kernel/drivers/platform.c \
	kernel/printf.c tests/unit/kernel/host_console.c
UNIT_SRC_wq_ring := kernel/wq_ring.c
UNIT_SRC_virtq := kernel/drivers/virtq.c
UNIT_SRC_mmio := $(UNIT_SRC_acpi)
# The host C library's mem* (not kernel/string.c), so ASan checks the copies.
UNIT_SRC_elf := kernel/elf.c
# Sanitizers per test: the ring's test runs threads under ThreadSanitizer,
# which cannot be combined with AddressSanitizer. (The default is a variable
# of its own: $(or) would split a literal at its comma.)
UNIT_SAN_DEFAULT := -fsanitize=address,undefined
UNIT_SAN = $(or $(UNIT_SAN_$*),$(UNIT_SAN_DEFAULT))
UNIT_SAN_wq_ring := -fsanitize=thread -pthread
UNIT_BIN := $(UNIT_TESTS:%=$(BUILD)/tests/test_%)

# ---- BMFS: lib/bmfs, the host tool build/bmfs, its unit test, fuzzing ------
# The tool also builds lib/bmfs/bmfs.c with the kernel's flags (the
# $(BUILD)/%.o rule) to prove the library stays freestanding.
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib
BMFS_LIB := lib/bmfs/bmfs.c lib/bmfs/bmfs.h
BMFS_TOOL := tools/bmfs/bmfs.c tools/bmfs/tool.h
$(BUILD)/bmfs: tools/bmfs/main.c $(BMFS_TOOL) $(BMFS_LIB) $(BUILD)/lib/bmfs/bmfs.o
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

# tests/unit/bmfs/test_bmfs.c tests the library and the tool's commands.
UNIT_BIN += $(BUILD)/tests/test_bmfs
$(BUILD)/tests/test_bmfs: tests/unit/bmfs/test_bmfs.c $(BMFS_TOOL) $(BMFS_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN_DEFAULT) -Ilib -iquote tools/bmfs -o $@ \
		$(filter %.c,$^) -lcmocka

# libFuzzer targets (clang): `make fuzz` runs each FUZZ_TIME seconds,
# `make fuzz-quick` FUZZ_QUICK_TIME; tests/fuzz/README.md.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -Ilib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := bmfs elf
FUZZ_BIN := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_TIME ?= 300
FUZZ_QUICK_TIME ?= 15
$(BUILD)/fuzz/fuzz_bmfs: tests/fuzz/fuzz_bmfs.c $(BMFS_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c kernel/elf.c kernel/elf.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -iquote kernel -o $@ $(filter %.c,$^)

# ---- end of BMFS --------------------------------------------------------------

# ---- lib/net and lib/http: TCP/IP and HTTP (docs/NETWORK.md) -------------
# Portable C, built for the host (unit tests, fuzz targets, the packet
# runner) and into programs; port_pith.c alone calls the Pith API.
# tests/unit/net/test_X.c links all of lib/net plus the shared test helpers
# tests/unit/net/lib_*.c; tests/unit/http/test_X.c links lib/http.
NET_HDR := $(wildcard lib/net/*.h)
HTTP_HDR := $(wildcard lib/http/*.h)
NET_TEST_LIB := $(wildcard tests/unit/net/lib_*.c tests/unit/net/*.h)
NET_UNIT := $(patsubst tests/unit/net/test_%.c,$(BUILD)/tests/net/test_%, \
	$(wildcard tests/unit/net/test_*.c))
HTTP_UNIT := $(patsubst tests/unit/http/test_%.c,$(BUILD)/tests/http/test_%, \
	$(wildcard tests/unit/http/test_*.c))
UNIT_BIN += $(NET_UNIT) $(HTTP_UNIT)
$(BUILD)/tests/net/test_%: tests/unit/net/test_%.c $(NET_SRC) $(NET_HDR) $(NET_TEST_LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN_DEFAULT) -Ilib -iquote lib/net -iquote tests/unit/net \
		-o $@ $(filter %.c,$^) -lcmocka
$(BUILD)/tests/http/test_%: tests/unit/http/test_%.c $(HTTP_SRC) $(HTTP_HDR) $(wildcard tests/unit/http/*.h)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN_DEFAULT) -Ilib -iquote lib/http -o $@ \
		$(filter %.c,$^) -lcmocka

# apps/httpd's compiled-in sites (tools/mksite.py): apps/httpd/site as
# site_demo, the benchmark's 612-byte page as site_bench.
build/gen/site_demo.c: tools/mksite.py $(wildcard apps/httpd/site/*)
	@mkdir -p $(@D)
	$(PYTHON) tools/mksite.py apps/httpd/site $@ site_demo
build/gen/site_bench.c: tools/mksite.py $(wildcard apps/httpd/site-bench/*) bench/guest/index.html
	@mkdir -p $(@D)
	$(PYTHON) tools/mksite.py apps/httpd/site-bench $@ site_bench

# The scripted packet runner (tests/pkt/README.md): timed lines that inject
# a frame or expect one, against lib/net on a virtual clock.
PKT_SRC := $(wildcard tests/pkt/*.c tests/pkt/*.h)
$(BUILD)/pktrun: $(PKT_SRC) $(NET_SRC) $(NET_HDR)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN_DEFAULT) -Ilib -iquote lib/net -iquote tests/pkt \
		-o $@ $(filter %.c,$^)
.PHONY: pkt
pkt: $(BUILD)/pktrun
	@tests/pkt/run.sh $(BUILD)/pktrun tests/pkt/scripts/*.pkt

# Fuzz targets over lib/net (tests/fuzz/fuzz_net_*.c) and lib/http
# (tests/fuzz/fuzz_http*.c).
FUZZ_NET := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_net_*.c))
FUZZ_HTTP := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_http*.c))
FUZZ_TARGETS += $(FUZZ_NET) $(FUZZ_HTTP)
FUZZ_BIN := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
$(FUZZ_NET:%=$(BUILD)/fuzz/fuzz_%): $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(NET_SRC) $(NET_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -iquote lib/net -o $@ $(filter %.c,$^)
$(FUZZ_HTTP:%=$(BUILD)/fuzz/fuzz_%): $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(HTTP_SRC) $(HTTP_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -iquote lib/http -o $@ $(filter %.c,$^)

# Every target, bmfs's and elf's above included.
.PHONY: fuzz fuzz-quick
fuzz: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BIN)
fuzz-quick: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_QUICK_TIME) $(FUZZ_BIN)
# ---- end of lib/net and lib/http ------------------------------------------

# ---- loadable programs: lib/program, samples, disk image (docs/PROGRAMS.md) ----
# `make program SRC=dir` links dir/*.c with lib/program into
# build/programs/NAME.app (NAME: the directory's name), a static PIE: the
# program area starts at B_PROGRAM_BASE = 0xffff800000000000, outside the
# +-2 GiB that non-PIC code can address (it would need -mcmodel=large), so
# programs are position-independent and the kernel relocates them there
# (only R_X86_64_RELATIVE; the link checks). build/programs/NAME.app builds
# apps/NAME; build/programs/NAME.bin is the same code linked at
# B_PROGRAM_BASE and cut to a flat binary (BareMetal's form), bss included.
# `make image` writes IMAGE_PROGRAMS (and INIT=NAME as init.app) on a BMFS
# disk, build/pith-disk.img.
PROG_BUILD := build/programs
PROG_BASE := 0xffff800000000000
PROG_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fPIE -mno-red-zone -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-ffunction-sections -fdata-sections --param=min-pagesize=0 \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) -Iinclude -Ilib -MMD -MP
PROG_LD := lib/program/program.ld
PROG_LDFLAGS := -nostdlib -Wl,-T,$(PROG_LD) -Wl,--gc-sections -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,-z,text -Wl,--build-id=none
PROG_LIB_OBJ := $(patsubst %.c,$(PROG_BUILD)/obj/%.o,$(wildcard lib/program/*.c))
# A program's objects: apps/NAME/*.c, or SRC/*.c for `make program SRC=SRC`.
ifneq ($(SRC),)
PROG_NAME := $(notdir $(patsubst %/,%,$(SRC)))
PROG_DIR_$(PROG_NAME) := $(patsubst %/,%,$(SRC))
endif
prog_objs = $(patsubst %.c,$(PROG_BUILD)/obj/%.o,$(wildcard $(or $(PROG_DIR_$(1)),apps/$(1))/*.c) \
	$(APP_LIBS_$(1)))
IMAGE := build/pith-disk.img
IMAGE_SIZE ?= 64M
IMAGE_PROGRAMS := hello.app bmhello.app bmhello.bin faulty.app filetest.app httpd.app
INIT ?=
# The web server's site: apps/httpd/site/NAME as www/NAME (apps/httpd/site.c).
IMAGE_SITE := $(foreach f,$(wildcard apps/httpd/site/*),www/$(notdir $(f))=$(f))
IMAGE_FILES := $(IMAGE_PROGRAMS:%=$(PROG_BUILD)/%) $(IMAGE_SITE) \
	$(if $(INIT),init.app=$(PROG_BUILD)/$(INIT).app)

.PHONY: program image
program: $(if $(SRC),$(PROG_BUILD)/$(PROG_NAME).app)
	@test -n "$(SRC)" || { echo "usage: make program SRC=dir (builds dir/*.c, dir/*.cpp)"; exit 2; }

$(PROG_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -c $< -o $@
# Kept: make would delete them as intermediates of the pattern rules below.
.PRECIOUS: $(PROG_BUILD)/obj/%.o $(PROG_BUILD)/%.flat.elf

.SECONDEXPANSION:
$(PROG_BUILD)/%.app: $$(call prog_objs,$$*) $(PROG_LIB_OBJ) $(PROG_LD)
	$(CC) $(PROG_LDFLAGS) -static-pie -o $@ $(filter %.o,$^)
	@! readelf -rW $@ | grep -E '^[0-9a-f]+ ' | grep -v R_X86_64_RELATIVE || \
		{ echo "$@: a relocation other than R_X86_64_RELATIVE"; rm -f $@; exit 1; }

$(PROG_BUILD)/%.flat.elf: $$(call prog_objs,$$*) $(PROG_LIB_OBJ) $(PROG_LD)
	$(CC) $(PROG_LDFLAGS) -static -no-pie -Wl,-Ttext-segment=$(PROG_BASE) -o $@ \
		$(filter %.o,$^)

$(PROG_BUILD)/%.bin: $(PROG_BUILD)/%.flat.elf
	objcopy -O binary --set-section-flags .bss=alloc,load,contents $< $@

image: $(IMAGE)
# The disk also boots by itself under a PC BIOS (tools/mkimage.sh -k): GRUB
# in block 0 loads the default kernel, build/pith.elf (the Monitor), by
# multiboot2 with IMAGE_CMDLINE; with APP= a make of its own builds that kernel.
$(IMAGE): build/bmfs tools/mkimage.sh tools/bootsect.py build/pith.elf \
		$(PROG_BUILD)/image.list $(foreach f,$(IMAGE_FILES),$(lastword $(subst =, ,$(f))))
	@tools/deps.sh iso
	tools/mkimage.sh -k build/pith.elf -c "$(IMAGE_CMDLINE)" $@ $(IMAGE_SIZE) $(IMAGE_FILES)
ifneq ($(APP),)
build/pith.elf: FORCE
	@$(MAKE) --no-print-directory APP= $@
endif
# The size, kernel command line and file list, rewritten only when they
# change (INIT=, IMAGE_SIZE=, IMAGE_CMDLINE=).
$(PROG_BUILD)/image.list: FORCE
	@mkdir -p $(@D)
	@echo '$(IMAGE_SIZE) $(IMAGE_CMDLINE) $(IMAGE_FILES)' | cmp -s - $@ || \
		echo '$(IMAGE_SIZE) $(IMAGE_CMDLINE) $(IMAGE_FILES)' > $@

-include $(shell find $(PROG_BUILD)/obj -name '*.d' 2>/dev/null)
# ---- end of loadable programs -----------------------------------------------

# ---- C and C++ programs: lib/c over newlib and libstdc++ (lib/c/README.md) ----
# tools/build-libc.sh builds newlib 3.3 and libstdc++ 12 from Debian's
# source packages (tools/deps.sh libc) into build/libc/sysroot, once; after
# that it only checks its stamps. A C program links lib/c (crt0, the system
# calls), lib/program/api.c (the b_* calls) and newlib with
# lib/c/program.ld; a directory with *.cpp files is a C++ program and
# links libstdc++ too (built on demand, after newlib).
# Which programs: apps/NAME for NAME in LIBC_APPS, and `make program
# SRC=dir` for a dir without a Cargo.toml, unless LIBC=none (then
# lib/program alone, as for the bare samples hello, bmhello, faulty and
# filetest, and every NAME.bin).
LIBC_DIR := build/libc
LIBC_SYSROOT := $(LIBC_DIR)/sysroot
LIBC_CXX := g++
LIBC_CC_INC := $(shell $(CC) -print-file-name=include)
LIBC_CXX_INC := $(LIBC_SYSROOT)/include/c++/$(shell $(CC) -dumpversion)
LIBC_APPS := hello-c hello-cpp parprintf fileround libctest
ifneq ($(SRC),)
ifeq ($(wildcard $(SRC)/Cargo.toml)$(filter none,$(LIBC)),)
LIBC_APPS += $(PROG_NAME)
endif
endif
# Hosted C (newlib's headers, then the compiler's; never the host's) with
# the program flags of PROG_CFLAGS: -fPIE, no red zone, no stack protector;
# and not Linux: the host gcc's __linux__, __unix__ and the like go.
LIBC_FLAGS := -O2 -g -Wall -Wextra -Werror -fPIE -mno-red-zone -fno-stack-protector \
	-ffunction-sections -fdata-sections --param=min-pagesize=0 -Iinclude -MMD -MP \
	-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix
LIBC_CFLAGS := -std=gnu11 $(LIBC_FLAGS) -nostdinc \
	-isystem $(LIBC_SYSROOT)/include -isystem $(LIBC_CC_INC)
LIBC_CXXFLAGS := -std=gnu++17 $(LIBC_FLAGS) -nostdinc -nostdinc++ \
	-isystem $(LIBC_CXX_INC) -isystem $(LIBC_CXX_INC)/x86_64-elf \
	-isystem $(LIBC_SYSROOT)/include -isystem $(LIBC_CC_INC)
LIBC_LD := lib/c/program.ld
LIBC_LDFLAGS := -nostdlib -static-pie -Wl,-T,$(LIBC_LD) -Wl,--gc-sections \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,-z,text -Wl,--build-id=none \
	-L$(LIBC_SYSROOT)/lib
LIBC_LIBS_C := -Wl,--start-group -lc -lm -lgcc -Wl,--end-group
LIBC_LIBS_CXX := -Wl,--start-group -lstdc++ -lm -lc -lgcc -lgcc_eh -Wl,--end-group
LIBC_OBJ := $(PROG_BUILD)/libc-obj
LIBC_RT_OBJ := $(patsubst %.c,$(LIBC_OBJ)/%.o,$(wildcard lib/c/*.c) lib/program/api.c)
libc_dir = $(or $(PROG_DIR_$(1)),apps/$(1))
libc_is_cxx = $(wildcard $(call libc_dir,$(1))/*.cpp)
libc_objs = $(patsubst %,$(LIBC_OBJ)/%.o,$(basename $(wildcard \
	$(call libc_dir,$(1))/*.c $(call libc_dir,$(1))/*.cpp)))
libc_stamp = $(LIBC_DIR)/$(if $(call libc_is_cxx,$(1)),libstdcxx,newlib).stamp
LIBC_IMAGE_PROGRAMS := hello-c.app hello-cpp.app parprintf.app fileround.app libctest.app
IMAGE_PROGRAMS += $(LIBC_IMAGE_PROGRAMS)
IMAGE_FILES += $(LIBC_IMAGE_PROGRAMS:%=$(PROG_BUILD)/%)
$(IMAGE): $(LIBC_IMAGE_PROGRAMS:%=$(PROG_BUILD)/%)

.PHONY: libc deps-libc
deps-libc:
	@tools/deps.sh libc
# `make libc` builds both libraries (the tests' C++ programs need them).
libc: $(LIBC_DIR)/libstdcxx.stamp

$(LIBC_DIR)/newlib.stamp: tools/build-libc.sh | deps-libc
	tools/build-libc.sh newlib
$(LIBC_DIR)/libstdcxx.stamp: $(LIBC_DIR)/newlib.stamp tools/build-libc.sh | deps-libc
	tools/build-libc.sh libstdcxx

$(LIBC_OBJ)/%.o: %.c $(LIBC_DIR)/newlib.stamp
	@mkdir -p $(@D)
	$(CC) $(LIBC_CFLAGS) -c $< -o $@
$(LIBC_OBJ)/%.o: %.cpp $(LIBC_DIR)/libstdcxx.stamp
	@mkdir -p $(@D)
	$(LIBC_CXX) $(LIBC_CXXFLAGS) -c $< -o $@
.PRECIOUS: $(LIBC_OBJ)/%.o

# The link checks what the loader and the interrupts need: only
# R_X86_64_RELATIVE relocations, and no code using the red zone.
$(LIBC_APPS:%=$(PROG_BUILD)/%.app): $(PROG_BUILD)/%.app: $$(call libc_objs,$$*) \
		$(LIBC_RT_OBJ) $(LIBC_LD) $$(call libc_stamp,$$*)
	$(CC) $(LIBC_LDFLAGS) -o $@ $(filter %.o,$^) \
		$(if $(call libc_is_cxx,$*),$(LIBC_LIBS_CXX),$(LIBC_LIBS_C))
	@! readelf -rW $@ | grep -E '^[0-9a-f]+ ' | grep -v R_X86_64_RELATIVE || \
		{ echo "$@: a relocation other than R_X86_64_RELATIVE"; rm -f $@; exit 1; }
	@! objdump -d --no-show-raw-insn $@ | grep -E -- '-0x[0-9a-f]+\(%rsp\)' || \
		{ echo "$@: code above uses the red zone (below %rsp)"; rm -f $@; exit 1; }

-include $(shell find $(LIBC_OBJ) -name '*.d' 2>/dev/null)
# ---- end of C and C++ programs ----------------------------------------------

# ---- Rust programs: lib/rust/pith, apps/*-rust (docs/PROGRAMS.md, "Rust") ----
# A program directory holding a Cargo.toml is a Rust crate: a no_std
# staticlib depending on lib/rust/pith by path. `make program SRC=dir` and
# build/programs/NAME.app build it with cargo, offline, with Debian's
# toolchain only (tools/deps.sh rust: /usr/bin/cargo and /usr/bin/rustc,
# never ~/.cargo; CARGO_HOME is build's own), for the host target
# x86_64-unknown-linux-gnu, whose prebuilt core and alloc are all a no_std
# program needs. The staticlib is then linked like C objects: with
# lib/program, program.ld and -static-pie; only R_X86_64_RELATIVE.
# RUST_FLAGS: position-independent (the program area is outside +-2 GiB,
# as for C), no red zone (interrupts share the stack; the link also checks
# that no instruction, the prebuilt core's included, writes below %rsp),
# and abort on panic (there is no unwinder). RUSTC_BOOTSTRAP=pith lets the
# pith crate alone use #[alloc_error_handler], which Rust 1.63 requires
# of a no_std program with alloc (lib/rust/pith/src/lib.rs).
RUST_CARGO := /usr/bin/cargo
RUST_RUSTC := /usr/bin/rustc
RUST_FLAGS := -C relocation-model=pie -C code-model=small -C no-redzone=yes -C panic=abort
RUST_BUILD := $(PROG_BUILD)/rust
RUST_ENV_HOST := CARGO_HOME=$(CURDIR)/$(RUST_BUILD)/cargo-home RUSTC=$(RUST_RUSTC) \
	RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=pith
RUST_ENV := $(RUST_ENV_HOST) RUSTFLAGS='$(RUST_FLAGS)'
# The Rust programs: apps/*/Cargo.toml, and SRC when it has one.
RUST_APPS := $(sort $(patsubst apps/%/Cargo.toml,%,$(wildcard apps/*/Cargo.toml)) \
	$(if $(SRC),$(if $(wildcard $(SRC)/Cargo.toml),$(PROG_NAME))))
rust_dir = $(or $(PROG_DIR_$(1)),apps/$(1))
RUST_IMAGE_PROGRAMS := hello-rust.app panic-rust.app
IMAGE_PROGRAMS += $(RUST_IMAGE_PROGRAMS)
IMAGE_FILES += $(RUST_IMAGE_PROGRAMS:%=$(PROG_BUILD)/%)
$(IMAGE): $(RUST_IMAGE_PROGRAMS:%=$(PROG_BUILD)/%)

.PHONY: deps-rust
deps-rust:
	@tools/deps.sh rust

# cargo runs every time (FORCE) and decides itself what to rebuild; the
# staticlib is copied to build/programs/rust/NAME.a only when it changed,
# so the .app is relinked only then. One target directory per program.
$(RUST_APPS:%=$(RUST_BUILD)/%.a): $(RUST_BUILD)/%.a: FORCE | deps-rust
	@mkdir -p $(RUST_BUILD)/$*
	$(RUST_ENV) CARGO_TARGET_DIR=$(CURDIR)/$(RUST_BUILD)/$* $(RUST_CARGO) build \
		--offline --release --manifest-path $(call rust_dir,$*)/Cargo.toml
	@set -- $(RUST_BUILD)/$*/release/*.a; [ $$# = 1 ] && [ -f "$$1" ] || { echo \
		"$(call rust_dir,$*): want one staticlib, found: $$*" \
		'(Cargo.toml: [lib] crate-type = ["staticlib"])'; exit 1; }; \
		cmp -s "$$1" $@ || cp "$$1" $@

# The .app leaves out the debug information (2 MiB, mostly the prebuilt
# core's); build/programs/rust/NAME.elf keeps it for GDB.
$(RUST_APPS:%=$(PROG_BUILD)/%.app): $(PROG_BUILD)/%.app: $(RUST_BUILD)/%.a $(PROG_LIB_OBJ) $(PROG_LD)
	$(CC) $(PROG_LDFLAGS) -static-pie -o $(RUST_BUILD)/$*.elf $(PROG_LIB_OBJ) $<
	objcopy --strip-debug $(RUST_BUILD)/$*.elf $@
	@! readelf -rW $@ | grep -E '^[0-9a-f]+ ' | grep -v R_X86_64_RELATIVE || \
		{ echo "$@: a relocation other than R_X86_64_RELATIVE"; rm -f $@; exit 1; }
	@! objdump -d --no-show-raw-insn $@ | grep -E -- '-0x[0-9a-f]+\(%rsp\)' || \
		{ echo "$@: code above uses the red zone (below %rsp)"; rm -f $@; exit 1; }

$(RUST_APPS:%=$(PROG_BUILD)/%.flat.elf): $(PROG_BUILD)/%.flat.elf: $(RUST_BUILD)/%.a \
		$(PROG_LIB_OBJ) $(PROG_LD)
	$(CC) $(PROG_LDFLAGS) -static -no-pie -Wl,-Ttext-segment=$(PROG_BASE) -o $@ \
		$(PROG_LIB_OBJ) $<

# The crate's host tests (cargo test, on the host's std): the allocator,
# threads included, the calendar, the error codes.
.PHONY: rust-unit
rust-unit: deps-rust
	$(RUST_ENV_HOST) CARGO_TARGET_DIR=$(CURDIR)/$(RUST_BUILD)/host $(RUST_CARGO) test \
		--offline --manifest-path lib/rust/pith/Cargo.toml
# ---- end of Rust programs ---------------------------------------------------

# $$(UNIT_SRC_$$*) needs secondary expansion, which must be on before the rule.
.SECONDEXPANSION:
$(BUILD)/tests/test_%: tests/unit/kernel/test_%.c $$(UNIT_SRC_$$*)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN) -o $@ $^ -lcmocka

deps-test:
	@tools/deps.sh test rust

unit: deps-test $(UNIT_BIN)
	@tests/run_unit.sh $(UNIT_BIN)

# `make app-NAME` builds apps/NAME into build/app-NAME/pith.elf; the system
# tests boot the programs in TEST_APPS.
TEST_APPS := wqtest primes mandelbrot nettest blktest httpd
TEST_APP_IMAGES := $(TEST_APPS:%=app-%)
app-%: FORCE
	@$(MAKE) --no-print-directory APP=apps/$* kernel
FORCE:
.PHONY: FORCE

system: deps-test kernel image $(BUILD)/pith-test.iso $(TEST_APP_IMAGES)
	@tests/run_system.sh

# ---- benchmarks (bench/README.md) ------------------------------------------
# Pith's twins of the Linux guest's programs: bench/pith/NAME -> build/app-NAME.
BENCH_APPS := empty noise dispatch netbench blkbench
BENCH_APP_IMAGES := $(BENCH_APPS:%=bench-app-%)
.PHONY: bench bench-quick bench-deps
bench-app-%: FORCE
	@$(MAKE) --no-print-directory APP=bench/pith/$* kernel

bench-deps:
	@tools/deps.sh bench
	@bench/linux/build.sh

# METRIC=boot (or size, minram, noise, dispatch, net, blk) runs one metric alone.
bench: bench-deps kernel $(BENCH_APP_IMAGES) app-httpd
	$(PYTHON) bench/run.py $(METRIC)

bench-quick: bench-deps kernel $(BENCH_APP_IMAGES) app-httpd
	$(PYTHON) bench/run.py --quick $(METRIC)

# lib/ must never include kernel headers (docs/ARCHITECTURE.md).
check-layers:
	@! grep -rnE '#include *"[^"]*(kernel|arch|drivers)/' lib apps 2>/dev/null || \
		{ echo "layering: lib/ or apps/ includes a kernel header"; exit 1; }

test: deps-test
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory check-layers kernel image $(BUILD)/pith-test.iso $(UNIT_BIN) \
		$(TEST_APP_IMAGES)
	@tests/run_all.sh $(UNIT_BIN)

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJ:.o=.d)
