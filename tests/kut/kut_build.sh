#!/usr/bin/env bash
# kut_build.sh TARBALL DIR: builds kvm-unit-tests for i386 from TARBALL into
# DIR/src (./configure --arch=i386 && make), once: a stamp names the tarball
# it was built from, so later runs reuse the build, and concurrent runs wait
# for the first (flock). The suite is never part of the repository.
set -euo pipefail
tarball=$1 dir=$2
mkdir -p "$dir"
stamp="$dir/built-from"
want="$(basename "$tarball") $(stat -c %s "$tarball")"
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0
exec 9>"$dir/.lock"
flock 9
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0
rm -rf "$dir/src" "$stamp"  # a build cut short leaves no stamp: start again
mkdir -p "$dir/src"
tar -xzf "$tarball" -C "$dir/src" --strip-components=1
cd "$dir/src"
echo "kut_build: building kvm-unit-tests ($want) for i386 in $dir/src" >&2
./configure --arch=i386 >configure.log 2>&1 || { cat configure.log >&2; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
echo "$want" >"$stamp"
