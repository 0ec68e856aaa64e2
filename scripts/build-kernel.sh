#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build a kernel, its uAPI headers and the static selftest
# binaries the VM runs.
#
#   build-kernel.sh CONFIG SRC OUT
#
# CONFIG names configs/CONFIG.fragments: tinyconfig plus those fragments.
# ARCH and CROSS_COMPILE come from the name (x86_64-*, arm64-*).
# Everything the build writes goes to OUT; SRC is left untouched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1 src=$(realpath "$2") out=$(realpath -m "$3")
frags=$TOP/configs/$name.fragments
[ -f "$frags" ] || die "no such config: $frags"

case $name in
x86_64-*) arch=x86_64 image=arch/x86/boot/bzImage cross= ;;
arm64-*) arch=arm64 image=arch/arm64/boot/Image cross=aarch64-linux-gnu- ;;
*) die "cannot tell the architecture of $name" ;;
esac
kmake() {
	make -s -C "$src" O="$out" ARCH=$arch CROSS_COMPILE=$cross \
		CC="$(ccache_cc "${cross}gcc")" HOSTCC="$(ccache_cc gcc)" \
		-j"$JOBS" "$@"
}

fragment_files() { sed "s|^|$TOP/configs/|" "$frags"; }

# Every option a fragment asks for must survive olddefconfig: a silently
# dropped option (a missing dependency) would test the wrong kernel. A
# later fragment overrides an earlier one, as in merge_config.sh.
verify_config() {
	local bad=0 line opt got
	local -A want=()
	while read -r line; do
		case $line in
		CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
		esac
	done < <(cat $(fragment_files))
	for opt in "${!want[@]}"; do
		got=$(sed -n "s/^$opt=//p" "$out/.config")
		[ -n "$got" ] || got=n
		[ "$got" = "${want[$opt]}" ] && continue
		# A symbol a later patch of the series adds (a bisect build)
		if ! grep -rqx --include='Kconfig*' "config ${opt#CONFIG_}" \
			"$src"; then
			echo "config: $opt is not in this tree yet" >&2
			continue
		fi
		echo "config: $opt=${want[$opt]} requested, got $got" >&2
		bad=1
	done
	return $bad
}

configure() {
	log "configuring $name in $out"
	mkdir -p "$out"
	kmake tinyconfig >/dev/null
	KCONFIG_CONFIG="$out/.config" "$src/scripts/kconfig/merge_config.sh" \
		-m -O "$out" "$out/.config" $(fragment_files) >/dev/null
	kmake olddefconfig >/dev/null
	verify_config || die "configs/$name does not produce the kernel it asks for"
	cat $(fragment_files) | sha256sum > "$out/.fragments.sum"
}

if [ ! -f "$out/.config" ] ||
   ! cat $(fragment_files) | sha256sum | cmp -s - "$out/.fragments.sum"; then
	configure
else
	# The source may have new Kconfig symbols (a patch added one), which
	# olddefconfig would give their defaults: apply the fragments again.
	KCONFIG_CONFIG="$out/.config" "$src/scripts/kconfig/merge_config.sh" \
		-m -O "$out" "$out/.config" $(fragment_files) >/dev/null
	kmake olddefconfig >/dev/null
	verify_config || die "configs/$name does not produce the kernel it asks for"
fi

log "building $name ($(git -C "$src" log -1 --format=%s 2>/dev/null || echo "$src"))"
targets=("${image#arch/*/boot/}")
grep -q '^CONFIG_MODULES=y' "$out/.config" && targets+=(modules)
kmake "${targets[@]}"
kmake headers >/dev/null
if grep -q '^CONFIG_MODULES=y' "$out/.config"; then
	rm -rf "$out/modules-install"
	kmake INSTALL_MOD_PATH="$out/modules-install" INSTALL_MOD_STRIP=1 \
		modules_install >/dev/null
fi

# SELFTESTS=0: the base's own selftests do not build (patch 1 fixes them)
[ "${SELFTESTS:-1}" = 1 ] || { echo "$out/$image"; exit 0; }
log "building selftests for $name"
# Every alarm() of the tests is scaled by $KSFT_TIMEOUT_SCALE in the guest
# (guest/lib/ksft_timeout_scale.c says why).
scale_obj=$out/selftests/ksft_timeout_scale.o
mkdir -p "$out/selftests"
"${cross}gcc" -O2 -Wall -c -o "$scale_obj" "$TOP/guest/lib/ksft_timeout_scale.c"
# The binaries depend on their sources only: link them again when what
# the harness links in changes.
link_key=$(cat "$TOP/guest/lib/ksft_timeout_scale.c" "$0" | sha256sum)
if ! echo "$link_key" | cmp -s - "$out/selftests/.link-key"; then
	for dir in $(cat "$TOP/configs/selftests.list"); do
		find "$out/selftests/$dir" -maxdepth 1 -type f -perm -u+x \
			-delete 2>/dev/null || true
	done
	echo "$link_key" > "$out/selftests/.link-key"
fi
for dir in $(cat "$TOP/configs/selftests.list"); do
	mkdir -p "$out/selftests/$dir"
	make -s -C "$src/tools/testing/selftests/$dir" \
		OUTPUT="$out/selftests/$dir" CC="${cross}gcc" \
		KHDR_INCLUDES="-isystem $out/usr/include" \
		LDFLAGS="-static -Wl,--wrap=alarm $scale_obj" -j"$JOBS"
done
echo "$out/$image"
