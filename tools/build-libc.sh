#!/bin/bash
# Builds the C and C++ libraries Pith programs link with, from Debian's
# source packages (tools/deps.sh libc), into build/libc/sysroot:
#
#   tools/build-libc.sh [newlib|libstdcxx|all]      (default: all)
#
#   sysroot/include           newlib's headers (+ c++/12: libstdc++'s)
#   sysroot/lib/libc.a libm.a newlib 3.3        (newlib-source)
#   sysroot/lib/libstdc++.a libsupc++.a          (gcc-12-source, libstdc++-v3)
#   sysroot/lib/libgcc.a libgcc_eh.a             the host gcc's, checked (below)
#   bin/x86_64-elf-gcc, -g++  the host gcc and g++ seeing only these headers
#
# Both are compiled for the program area (docs/PROGRAMS.md): -fPIE (the
# program is a static PIE placed at 0xffff800000000000), -mno-red-zone
# (interrupts run on the program's stack), -fno-stack-protector, -O2, and
# never a header or library of the host (-nostdinc, -nostdlib). newlib is
# configured without its own system calls (lib/c provides them), with
# retargetable locks (lib/c/lock.c: tasks call it from every core) and a
# _reent per core (__DYNAMIC_REENT__, lib/c/reent.c).
#
# Each library is rebuilt only when its stamp (this script's text and the
# source package's version) changes: a second run takes well under a
# second. Logs: build/libc/*.log.
set -euo pipefail

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."
what=${1:-all}
out=$PWD/${PITH_LIBC_DIR:-build/libc}
sysroot=$out/sysroot
jobs=$(nproc 2>/dev/null || echo 2)
newlib_tar=/usr/src/newlib/newlib-3.3.0.tar.xz
gcc_tar=/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
gcc_inc=$(gcc -print-file-name=include)
gcc_ver=$(gcc -dumpversion)
# The flags every library object is compiled with. The host gcc targets
# Linux; Pith is not Linux nor Unix, so its macros go (newlib's system()
# would think it has a shell).
not_linux="-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix"
target_flags="-O2 -fPIE -mno-red-zone -fno-stack-protector -ffunction-sections -fdata-sections"
target_flags="$target_flags -D__DYNAMIC_REENT__ $not_linux"

say() { echo "libc: $*"; }
die() { echo "libc: $*" >&2; exit 1; }

# stamp NAME SOURCE: the text that says what a library was built from.
stamp_text() {
	{ cat "$self"; dpkg-query -W -f '${Version}' "$2" 2>/dev/null || true; gcc --version; } |
		sha256sum | cut -d' ' -f1
}
# Whether NAME's stamp matches; touched if so, so make sees it as fresh.
up_to_date() {
	[ -f "$out/$1.stamp" ] && [ "$(cat "$out/$1.stamp")" = "$(stamp_text "$1" "$2")" ] &&
		touch "$out/$1.stamp"
}
mark_built() { stamp_text "$1" "$2" > "$out/$1.stamp"; }

# run LOG STAGE CMD...: runs CMD with its output in LOG, printing a line
# every 100 compiled files so a long build shows it is moving.
run() {
	local log=$1 stage=$2
	shift 2
	if ! "$@" 2>&1 | tee -a "$log" | awk -v s="$stage" \
		'/ -c /{ if (++n % 100 == 0) { printf "libc: %s: %d files compiled\n", s, n; fflush() } }'; then
		tail -n 30 "$log" >&2
		die "$stage failed (log: $log)"
	fi
}

elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# The compiler wrappers: gcc/g++ for x86_64-elf with only the sysroot's
# headers, and -nostdlib: nothing of the host's glibc is ever linked, so
# libstdc++'s configure cannot link test programs and takes its answers
# for a cross-compiled newlib target instead.
write_wrappers() {
	mkdir -p "$out/bin"
	local cc
	for cc in gcc g++; do
		cat > "$out/bin/x86_64-elf-$cc" <<-EOF
		#!/bin/sh
		# $cc for Pith programs (tools/build-libc.sh): the sysroot's headers
		# only. Its target has no threads: \`-v\` says "Thread model: single"
		# (libstdc++'s configure picks its gthr header from that line).
		if [ "\$*" = -v ]; then
			$cc -v 2>&1 | sed 's/^Thread model: .*/Thread model: single/' >&2
			exit 0
		fi
		exec $cc $not_linux -nostdinc $(test $cc = g++ && echo "-nostdinc++ \\
			-isystem $sysroot/include/c++/$gcc_ver \\
			-isystem $sysroot/include/c++/$gcc_ver/x86_64-elf") \\
			-isystem $sysroot/include -isystem $gcc_inc -nostdlib "\$@"
		EOF
		chmod +x "$out/bin/x86_64-elf-$cc"
	done
}

build_newlib() {
	up_to_date newlib newlib-source && { say "newlib 3.3 up to date"; return; }
	[ -f "$newlib_tar" ] || die "$newlib_tar missing: tools/deps.sh libc"
	local t0 log=$out/newlib.log src=$out/src/newlib obj=$out/obj/newlib
	t0=$(date +%s)
	rm -rf "$src" "$obj" "$out/prefix" "$sysroot" "$out"/*.stamp
	mkdir -p "$src" "$obj" "$sysroot/lib"
	: > "$log"
	say "newlib 3.3: unpacking $newlib_tar"
	tar xJf "$newlib_tar" -C "$src" --strip-components=1
	say "newlib 3.3: configuring (log: $log)"
	(cd "$obj" && run "$log" "newlib configure" "$src/configure" \
		--target=x86_64-elf --prefix="$out/prefix" --disable-multilib \
		--disable-newlib-supplied-syscalls --enable-newlib-retargetable-locking \
		--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
		--enable-newlib-io-long-double --disable-nls \
		CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld \
		NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib OBJDUMP_FOR_TARGET=objdump \
		READELF_FOR_TARGET=readelf \
		CFLAGS_FOR_TARGET="$target_flags -ffreestanding -nostdinc -isystem $gcc_inc")
	say "newlib 3.3: compiling on $jobs cores"
	run "$log" "newlib" make -C "$obj" -j"$jobs" all-target-newlib
	run "$log" "newlib install" make -C "$obj" install-target-newlib
	cp -a "$out/prefix/x86_64-elf/include" "$sysroot/"
	cp -a "$out/prefix/x86_64-elf/lib/libc.a" "$out/prefix/x86_64-elf/lib/libm.a" "$sysroot/lib/"
	# What Pith adds to newlib's configuration header, for programs and
	# for libstdc++: the same _REENT as the library (__getreent()), and
	# the POSIX clocks lib/c implements (clock_gettime, CLOCK_MONOTONIC,
	# CLOCK_PROCESS_CPUTIME_ID).
	cat >> "$sysroot/include/newlib.h" <<-'EOF'

	/* Pith (tools/build-libc.sh): one struct _reent per core, found by
	 * __getreent() (lib/c/reent.c), so errno and stdio are per core; and
	 * the clocks of lib/c/time.c. */
	#ifndef __DYNAMIC_REENT__
	#define __DYNAMIC_REENT__ 1
	#endif
	#define _POSIX_TIMERS 1
	#define _POSIX_MONOTONIC_CLOCK 200112L
	#define _POSIX_CPUTIME 200112L
	EOF
	add_libgcc
	rm -rf "$src" "$obj" "$out/prefix"
	mark_built newlib newlib-source
	say "newlib 3.3 built in $(elapsed "$t0"): $(du -sh "$sysroot/lib/libc.a" | cut -f1) libc.a"
}

# libgcc.a (integer helpers, soft-float) and libgcc_eh.a (the DWARF
# unwinder C++ exceptions use) come from the host gcc: building them would
# mean building gcc itself. They are position-independent (Debian's gcc
# defaults to PIE) but not built with -mno-red-zone, so every object is
# checked for stores below %rsp; those that use the red zone (complex and
# long double arithmetic, decimal float, __int128 division: see
# build/libc/libgcc-dropped.txt) are left out, and a program needing one
# fails to link instead of being corrupted by an interrupt.
# Prints "object function" for each function of an objdump -d listing
# that touches memory below its stack pointer: -N(%rsp), or -N(%rbp) in
# a function that never moves %rsp down nor calls (a leaf whose locals
# live in the red zone).
red_zone_awk='
function end_fn() {
	if (fn != "" && (rsp || (rbp && !moved)))
		print obj, fn
	rsp = rbp = moved = 0
}
/file format/ { end_fn(); fn = ""; obj = $1; sub(/:$/, "", obj); next }
/^[0-9a-f]+ <.*>:$/ { end_fn(); fn = $2; next }
/-0x[0-9a-f]+\(%rsp\)/ { rsp = 1 }
/-0x[0-9a-f]+\(%rbp\)/ { rbp = 1 }
/(sub|add|and) +\$-?0x[0-9a-f]+,%rsp|call/ { moved = 1 }
END { end_fn() }'

add_libgcc() {
	local lib host tmp
	rm -f "$out/libgcc-dropped.txt"
	for lib in libgcc.a libgcc_eh.a; do
		host=$(gcc -print-file-name=$lib)
		tmp=$out/obj/$lib.d
		rm -rf "$tmp" && mkdir -p "$tmp"
		(cd "$tmp" && ar x "$host")
		objdump -d --no-show-raw-insn "$host" | awk "$red_zone_awk" > "$tmp.dropped"
		(cd "$tmp" && awk '{ print $1 }' "$tmp.dropped" | sort -u | xargs -r rm -f)
		cat "$tmp.dropped" >> "$out/libgcc-dropped.txt"
		rm -f "$sysroot/lib/$lib"
		ar rcs "$sysroot/lib/$lib" "$tmp"/*.o
		rm -rf "$tmp" "$tmp.dropped"
	done
	say "host libgcc: left out $(cut -d' ' -f1 "$out/libgcc-dropped.txt" | sort -u | wc -l)" \
		"objects that use the red zone ($out/libgcc-dropped.txt)"
}

build_libstdcxx() {
	up_to_date libstdcxx gcc-12-source && { say "libstdc++ $gcc_ver up to date"; return; }
	[ -f "$gcc_tar" ] || die "$gcc_tar missing: tools/deps.sh libc"
	local t0 log=$out/libstdcxx.log src=$out/src/gcc obj=$out/obj/libstdcxx g=gcc-12.2.0
	t0=$(date +%s)
	rm -rf "$src" "$obj" "$sysroot/include/c++" "$sysroot"/lib/lib{stdc++,supc++}.a
	mkdir -p "$src" "$obj"
	: > "$log"
	say "libstdc++ $gcc_ver: unpacking what it needs from $gcc_tar"
	# The top-level helper scripts, libstdc++ without its test suite, and
	# the headers it borrows from libgcc, libiberty (the demangler) and gcc.
	tar xJf "$gcc_tar" -C "$src" --strip-components=1 --wildcards \
		--exclude="$g/libstdc++-v3/testsuite" \
		"$g/libstdc++-v3" "$g/libgcc" "$g/libiberty" "$g/include" "$g/config" \
		"$g/gcc/BASE-VER" "$g/gcc/DATESTAMP" "$g/gcc/DEV-PHASE" \
		"$g/config.guess" "$g/config.sub" "$g/config-ml.in" "$g/install-sh" \
		"$g/ltmain.sh" "$g/missing" "$g/mkinstalldirs" "$g/move-if-change" \
		"$g/depcomp" "$g/compile" "$g/config.rpath" "$g/libtool-ldflags" "$g/*.m4"
	mkdir -p "$src/libstdc++-v3/testsuite"
	printf 'all install install-strip check clean distclean mostlyclean:\n' \
		> "$src/libstdc++-v3/testsuite/Makefile.in"
	write_wrappers
	# Link tests cannot run (the wrappers cannot link): the two that
	# libstdc++'s configure would still try (for libbacktrace, which is
	# off) get their answers here.
	say "libstdc++ $gcc_ver: configuring (log: $log)"
	(cd "$obj" && run "$log" "libstdc++ configure" "$src/libstdc++-v3/configure" \
		--host=x86_64-elf --build="$(gcc -dumpmachine)" --prefix="$out/prefix" \
		--with-newlib --disable-shared --enable-static --disable-multilib \
		--enable-libstdcxx-threads=no --disable-libstdcxx-pch --disable-nls \
		--disable-libstdcxx-filesystem-ts --disable-libstdcxx-backtrace \
		--enable-cstdio=stdio --with-gxx-include-dir="$sysroot/include/c++/$gcc_ver" \
		CC="$out/bin/x86_64-elf-gcc" CXX="$out/bin/x86_64-elf-g++" \
		AR=ar RANLIB=ranlib NM=nm AS=as LD=ld \
		CFLAGS="$target_flags" CXXFLAGS="$target_flags" \
		ac_cv_func_fcntl=no ac_cv_func_getexecname=no)
	say "libstdc++ $gcc_ver: compiling on $jobs cores"
	run "$log" "libstdc++" make -C "$obj" -j"$jobs"
	run "$log" "libstdc++ install" make -C "$obj" install
	cp -a "$out/prefix/lib/libstdc++.a" "$out/prefix/lib/libsupc++.a" "$sysroot/lib/"
	rm -rf "$src" "$obj" "$out/prefix"
	mark_built libstdcxx gcc-12-source
	say "libstdc++ $gcc_ver built in $(elapsed "$t0"): $(du -sh "$sysroot/lib/libstdc++.a" | cut -f1) libstdc++.a"
}

mkdir -p "$out"
case $what in
newlib) build_newlib ;;
libstdcxx) build_newlib; build_libstdcxx ;;
all) build_newlib; build_libstdcxx ;;
*) die "usage: tools/build-libc.sh [newlib|libstdcxx|all]" ;;
esac
write_wrappers
