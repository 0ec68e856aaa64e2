# SPDX-License-Identifier: GPL-2.0
# The one entry point. See README.md.
#
#   make run      build the patched kernel, boot it, run the fault demo
#   make check    every gate: deps, tree, checkpatch, bisect builds, VM tests
#   make bench    patched vs unpatched base, same config, same binary
#   make distro   Debian's own configs with IOMMUFD=m: W=1, sparse, modpost
#   make tree     build/linux: a base commit, then one commit per patch
#   make export   write build/linux's commits back to patches/
#   make deps     install what the harness needs (root) or say how
#   make clean    remove build output (keeps the cached base and the tree)

SHELL := /bin/bash
S := scripts

.PHONY: run check bench distro tree export deps clean distclean

run:
	@$(S)/run.sh

check:
	@$(S)/check.sh

bench:
	@$(S)/bench.sh

distro: tree
	@$(S)/distro.sh

tree: deps
	@$(S)/make-tree.sh

export:
	@$(S)/export.sh

deps:
	@$(S)/deps.sh

clean:
	rm -rf build/out build/logs

distclean:
	rm -rf build .cache
	@echo "the cache outside the clone stays: rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/iommufd-faults"
