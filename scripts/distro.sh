#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make distro: build the series the way a distribution builds it, with
# Debian's own configs for the base's kernel (configs/distro.conf), plus
# what a distribution taking the series turns on (IOMMUFD=m,
# VFIO_DEVICE_CDEV=y). For each config:
#
#   1. compile drivers/iommu (AMD, Intel, Arm SMMUv3, iommufd),
#      drivers/vfio, drivers/pci and the directory of every C file the
#      series touches, with W=1;
#   2. run sparse (C=2) on every C file the series touches;
#   3. fail on a W=1 or sparse warning in a file the series touches
#      (C files and headers) that the base does not have: the base is
#      compiled the same way, its warnings cached by content;
#   4. run modpost over every module built, against the exports of
#      what was compiled here and, for the rest of the kernel, of the
#      kernel Debian built from that config (its Module.symvers): a
#      symbol a module uses that nothing exports fails here.
#
#   distro.sh [NAME...]    default: every check in configs/distro.conf
#
# Prints one "ok"/"FAILED" line per check; exits non-zero on a failure.
# Logs go to build/logs/distro-FLAVOUR/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$TOP/configs/distro.conf"

DCACHE=$CACHE/distro
BASE_SRC=$BUILD/base-src
mkdir -p "$DCACHE"
failed=0

ok() { echo "  ok      $*"; }
bad() { echo "  FAILED  $*"; failed=1; }

# fetch_deb PACKAGE:ARCH: the pinned .deb in the cache, checksum checked
fetch_deb() {
	local spec=$1 pkg=${1%%:*} arch=${1##*:} sum deb got tmp
	sum=$(echo "$DISTRO_DEBS" | awk -v s="$spec" '$1 == s { print $2 }')
	[ -n "$sum" ] || die "configs/distro.conf pins no $spec"
	deb=$DCACHE/${pkg}_${DISTRO_VERSION//:/%3a}_$arch.deb
	if [ ! -f "$deb" ]; then
		tmp=$(mktemp -d)
		chmod 755 "$tmp"
		(cd "$tmp" && apt-get download -q "$pkg:$arch=$DISTRO_VERSION" \
			>/dev/null 2>&1) ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  (cd "$tmp" && apt-get download -q \
				"$pkg:$arch=$DISTRO_VERSION" >/dev/null 2>&1); } ||
			die "cannot download $pkg:$arch=$DISTRO_VERSION"
		mv "$tmp"/*.deb "$deb.tmp"
		rm -rf "$tmp"
		got=$(sha256sum "$deb.tmp" | cut -d' ' -f1)
		[ "$got" = "$sum" ] || { rm -f "$deb.tmp";
			die "sha256 mismatch for $spec: got $got, configs/distro.conf pins $sum"; }
		mv "$deb.tmp" "$deb"
	fi
	echo "$deb"
}

# deb_file DEB PATH: one file of a package, to stdout
deb_file() { dpkg-deb --fsys-tarfile "$1" | tar -xO "./$2"; }

# debian_config: the .config a linux-headers package ships, made back
# into the config.FLAVOUR that linux-config-6.12 ships for it. The
# headers carry the config Debian built with, which is that file plus
# four lines debian/rules adds at build time (the build salt and the
# module signing setup). Fails unless it finds exactly those four, so
# that a change in Debian's packaging shows here, not as a config that
# quietly differs from Debian's.
DEBIAN_BUILD_LINES='^CONFIG_(BUILD_SALT|MODULE_SIG_ALL|MODULE_SIG_KEY|SYSTEM_TRUSTED_KEYS)='
debian_config() {
	local config found

	config=$(cat) || return 1
	found=$(grep -cE "$DEBIAN_BUILD_LINES" <<< "$config")
	[ "$found" = 4 ] || {
		echo "expected the 4 lines debian/rules adds to the config, found $found" >&2
		return 1
	}
	grep -vE "$DEBIAN_BUILD_LINES" <<< "$config"
}

# The base as a work tree of its own, for the warnings it already has.
base_src() {
	if [ "$(git -C "$BASE_SRC" rev-parse HEAD 2>/dev/null)" != \
	     "$(git -C "$TREE" rev-parse base)" ]; then
		rm -rf "$BASE_SRC"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q -f --detach "$BASE_SRC" base
	fi
	echo "$BASE_SRC"
}

# in_dirs NAME: DIR/NAME for every directory of DISTRO_DIRS that has it
# (relative to the current directory)
in_dirs() {
	local d
	for d in $DISTRO_DIRS; do
		[ -e "$d/$1" ] && echo "$d/$1"
	done
}

# warning_keys TREE OUT: W=1/sparse warnings on stdin as "FILE: MESSAGE"
# (no line numbers: patches move lines), relative to TREE (OUT's source
# tree, which kbuild names relative to OUT when it can), sorted
warning_keys() {
	local rel
	rel=$(realpath --relative-to="$2" "$1")
	sed -nE "s@^($rel/|$1/)?([^: ]+):[0-9]+(:[0-9]+)?: (warning|error): (.*)\$@\\2: \\4: \\5@p" |
		LC_ALL=C sort -u
}

# check_flavour NAME CONFIG ARCH HEADERS_FLAVOUR [OPTION...]
check_flavour() {
	local flavour=$1 cfgname=$2 darch=$3 hflavour=$4 extra=${5:-}
	local arch cross out logs cfg symvers src touched dirs objs base_objs
	local key base_keys new w headers_deb

	case $darch in
	amd64) arch=x86_64 cross= ;;
	arm64) arch=arm64 cross=aarch64-linux-gnu- ;;
	esac
	src=$TREE
	out=$BUILD/out/distro-$flavour
	logs=$BUILD/logs/distro-$flavour
	mkdir -p "$out" "$logs"
	echo "-- $flavour (Debian $DISTRO_VERSION config.$cfgname${extra:+ with $extra}, $arch)"

	cfg=$DCACHE/config.$DISTRO_ABI-$hflavour
	symvers=$DCACHE/Module.symvers.$DISTRO_ABI-$hflavour
	if [ ! -s "$cfg" ] || [ ! -s "$symvers" ]; then
		headers_deb=$(fetch_deb "linux-headers-$DISTRO_ABI-$hflavour:$darch") ||
			{ bad "$flavour: download the pinned headers"; return; }
		deb_file "$headers_deb" \
			"usr/src/linux-headers-$DISTRO_ABI-$hflavour/.config" |
			debian_config > "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
		deb_file "$headers_deb" \
			"usr/src/linux-headers-$DISTRO_ABI-$hflavour/Module.symvers" \
			> "$symvers.tmp" && mv "$symvers.tmp" "$symvers"
	fi

	dmake() {
		local tree=$1 o=$2
		shift 2
		make -s -C "$tree" O="$o" ARCH=$arch CROSS_COMPILE=$cross \
			CC="$(ccache_cc "${cross}gcc")" HOSTCC="$(ccache_cc gcc)" \
			-j"$JOBS" "$@"
	}
	# configure TREE OUT: Debian's config, what a distribution adds
	configure() {
		local tree=$1 o=$2 opt
		mkdir -p "$o"
		cp "$cfg" "$o/.config" || return 1
		for opt in $DISTRO_DISABLE; do
			"$tree/scripts/config" --file "$o/.config" -d "$opt"
		done
		"$tree/scripts/config" --file "$o/.config" -e DEBUG_INFO_NONE \
			--set-str SYSTEM_TRUSTED_KEYS "" \
			--set-str SYSTEM_REVOCATION_KEYS ""
		for opt in $DISTRO_ENABLE $extra; do
			case ${opt#*=} in
			m) "$tree/scripts/config" --file "$o/.config" -m "${opt%=*}" ;;
			y) "$tree/scripts/config" --file "$o/.config" -e "${opt%=*}" ;;
			esac
		done
		dmake "$tree" "$o" olddefconfig > /dev/null || return 1
		for opt in $DISTRO_ENABLE $extra; do
			grep -qx "CONFIG_$opt" "$o/.config" ||
				{ echo "CONFIG_$opt did not survive olddefconfig" >&2;
				  return 1; }
		done
		dmake "$tree" "$o" prepare > /dev/null
	}

	if configure "$src" "$out" > "$logs/configure.log" 2>&1; then
		ok "$flavour: config (+ $DISTRO_ENABLE${extra:+ $extra})"
	else
		bad "$flavour: config"; tail -n 20 "$logs/configure.log"
		return
	fi

	# Everything the series touches, the C files among them as objects
	touched=$(git -C "$src" diff --name-only base HEAD)
	dirs=$DISTRO_DIRS
	for f in $(echo "$touched" | grep -E '^(drivers|include|lib|kernel)/.*\.c$'); do
		dirs+=" $(dirname "$f")"
	done
	# A directory under another one is built by it (and kbuild's
	# modules.order breaks when both are goals).
	dirs=$(printf '%s\n' $dirs | LC_ALL=C sort -u |
		awk '{ for (i = 1; i <= n; i++) if (index($0 "/", d[i] "/") == 1) next;
		       d[++n] = $0; printf "%s/ ", $0 }')

	# Warnings are printed only when a file is compiled: compile them
	# all every time (ccache replays a cached compile's warnings).
	for d in $dirs $DISTRO_OBJS; do
		case $d in
		*/) [ -d "$out/$d" ] && find "$out/$d" -name '*.o' -delete ;;
		*) rm -f "$out/$d" ;;
		esac
	done
	if dmake "$src" "$out" W=1 $dirs $DISTRO_OBJS > "$logs/build.log" 2>&1; then
		ok "$flavour: W=1 build of $dirs($(cd "$out" && cat $(in_dirs modules.order) | wc -l) modules)"
	else
		bad "$flavour: W=1 build of $dirs"
		grep -E 'error|Error' "$logs/build.log" | head -n 20
		return
	fi

	# The touched C files this config builds, and sparse over them
	objs=
	for f in $(echo "$touched" | grep '\.c$'); do
		[ -f "$out/${f%.c}.o" ] && objs+=" ${f%.c}.o"
	done
	if dmake "$src" "$out" W=1 C=2 $objs > "$logs/sparse.log" 2>&1; then
		ok "$flavour: sparse (C=2) over the $(echo $objs | wc -w) touched C files it builds"
	else
		bad "$flavour: sparse over the touched C files"
		tail -n 20 "$logs/sparse.log"
	fi

	# The base's warnings in the same files, cached by everything they
	# depend on: the base, the config, the objects and the tools.
	base_objs=
	for o in $objs; do
		git -C "$src" cat-file -e "base:${o%.o}.c" 2>/dev/null &&
			base_objs+=" $o"
	done
	key=$( { echo "$BASE_TARBALL_SHA256 $flavour $DISTRO_ENABLE $DISTRO_DISABLE $extra";
		 cat "$cfg" "$0" | sha256sum; echo "$base_objs";
		 "${cross}gcc" --version | head -n1; sparse --version; } |
		sha256sum | cut -c1-16)
	base_keys=$DCACHE/base-warnings.$flavour.$key
	if [ ! -f "$base_keys" ]; then
		local bsrc bout=$BUILD/out/distro-$flavour-base
		bsrc=$(base_src)
		for o in $base_objs; do rm -f "$bout/$o"; done
		if ! configure "$bsrc" "$bout" > "$logs/base.log" 2>&1; then
			bad "$flavour: the base's config"
			tail -n 20 "$logs/base.log"
			return
		fi
		# A file this config builds only with the series (the series
		# selects its option) fails here: its warnings are all new.
		dmake "$bsrc" "$bout" -k W=1 C=2 $base_objs >> "$logs/base.log" 2>&1
		warning_keys "$bsrc" "$bout" < "$logs/base.log" |
			grep -v ': error: ' > "$base_keys.tmp"
		for o in $base_objs; do
			[ -f "$bout/$o" ] || echo "# not built in the base: $o"
		done >> "$base_keys.tmp"
		mv "$base_keys.tmp" "$base_keys"
	fi
	grep '^# not built' "$base_keys" | sed "s/^# /  note    $flavour: /"

	cat "$logs/build.log" "$logs/sparse.log" | warning_keys "$src" "$out" |
		grep -F -f <(echo "$touched" | sed 's/$/: /') > "$logs/warnings" || true
	new=$(LC_ALL=C comm -23 "$logs/warnings" <(grep -v "^#" "$base_keys"))
	w=$(wc -l < "$logs/warnings")
	if [ -z "$new" ]; then
		ok "$flavour: no new W=1/sparse warning in the $(echo "$touched" | wc -l) files the series touches ($w there, all in the base too)"
	else
		bad "$flavour: new W=1/sparse warnings in files the series touches"
		echo "$new" | sed 's/^/  | /'
	fi

	modpost_check "$src" "$out" "$symvers" "$logs" "$flavour"
}

# modpost_check SRC OUT DEBIAN_SYMVERS LOGS FLAVOUR
#
# Modpost as the kernel build runs it, with what this build compiled
# standing in for vmlinux: "vmlinux.o" is the directories' built-in
# objects, linked. Symbols from the rest of the kernel come from the
# Module.symvers of Debian's build of the same config, less every symbol
# exported here (modpost refuses a symbol exported twice): the series
# changes nothing outside the directories compiled here.
modpost_check() {
	local src=$1 out=$2 debsyms=$3 logs=$4 flavour=$5 archives mods
	local ld=${cross}ld

	archives="$(cd "$out" && in_dirs built-in.a) $DISTRO_OBJS"
	mods=$(cd "$out" && cat $(in_dirs modules.order))
	(
		cd "$out" || exit 1
		rm -f vmlinux.o
		$ld -r -o vmlinux.o --whole-archive $archives || exit 1
		echo "vmlinux.o here: $archives"
		echo "$mods" > modpost-check.order
		${cross}nm vmlinux.o $(cat modpost-check.order) 2>/dev/null |
			sed -n 's/.* __export_symbol_//p' | sort -u > exported-here
		awk 'NR == FNR { here[$1] = 1; next } !($2 in here)' \
			exported-here "$debsyms" > debian-rest.symvers
		# -w: unresolved symbols are sorted below; any other modpost
		# error (a missing namespace import, ...) fails as it is.
		scripts/mod/modpost -M -w -i debian-rest.symvers \
			-o modpost-check.symvers -T modpost-check.order vmlinux.o
		rc=$?
		${cross}nm --defined-only vmlinux.o $(cat modpost-check.order) \
			2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > defined-here
		rm -f vmlinux.o
		exit $rc
	) > "$logs/modpost.log" 2>&1
	local rc=$? sym mod line ours=() others=()
	# An unresolved symbol is the series' when the module that uses it
	# has a file the series touches, or when the symbol is defined in
	# what was compiled here. Any other one comes from the rest of the
	# kernel not matching Debian's build of it: linux-source-6.12 does
	# not carry Debian's featureset patches (the rt flavour's lazy
	# preemption), so olddefconfig on this source drops options Debian's
	# rt vmlinux has. Those are listed, not failed: the base has them too.
	while read -r line; do
		sym=$(echo "$line" | sed -n 's/.*"\(.*\)" \[\(.*\)\.ko\] undefined!.*/\1/p')
		mod=$(echo "$line" | sed -n 's/.*"\(.*\)" \[\(.*\)\.ko\] undefined!.*/\2/p')
		[ -n "$sym" ] || continue
		if module_touched "$out" "$mod" || grep -qx "$sym" "$out/defined-here"; then
			ours+=("$sym [$mod.ko]")
		else
			others+=("$sym [$mod.ko]")
		fi
	done < <(grep 'undefined!' "$logs/modpost.log")
	for line in "${others[@]}"; do
		echo "  note    $flavour: unresolved outside the series (Debian's vmlinux differs from this source's): $line"
	done
	if [ $rc = 0 ] && [ ${#ours[@]} = 0 ]; then
		ok "$flavour: modpost over $(echo "$mods" | wc -l) modules (exports: $(wc -l < "$out/exported-here") compiled here, the rest from Debian's Module.symvers)"
	else
		bad "$flavour: modpost"
		printf '%s\n' "${ours[@]}" | sed 's/^/  | undefined: /'
		grep -E 'ERROR' "$logs/modpost.log" | head -n 20 | sed 's/^/  | /'
	fi
}

# module_touched OUT MODULE: does MODULE have a C file the series touches?
module_touched() {
	local o
	for o in $(cat "$1/$2.mod" 2>/dev/null); do
		echo "$touched" | grep -qx "${o%.o}.c" && return 0
	done
	return 1
}

[ -d "$TREE/.git" ] || die "no tree: run make tree"
wanted=("$@")
while IFS=: read -r flavour cfgname darch hflavour extra; do
	[ -n "$flavour" ] || continue
	if [ ${#wanted[@]} -gt 0 ] && [[ " ${wanted[*]} " != *" $flavour "* ]]; then
		continue
	fi
	t0=$(date +%s)
	check_flavour "$flavour" "$cfgname" "$darch" "$hflavour" "$extra"
	echo "   ($flavour: $(( $(date +%s) - t0 ))s)"
done <<< "$DISTRO_FLAVOURS"
exit $failed
