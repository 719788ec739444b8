#!/usr/bin/env bash
# suite_shards.sh BT86 MANIFEST OUT: --shard K/N splits the suite (here
# --filter'ed to what ends quickly) into N parts that together run every
# guest once; --list shows each guest's command with the manifest's and
# --clock's settings.
set -u
bt86=$1 manifest=$2 out=$3
fail() { echo "suite_shards: FAIL: $*" >&2; exit 1; }
filter='^(?!hang$)'  # ECMAScript lookahead: every guest but hang

all=$("$bt86" suite --list --filter "$filter" "$manifest" | cut -d: -f1 | sort)
[ "$(wc -l <<<"$all")" -eq 9 ] || fail "--filter: expected 9 guests, got: $all"
seen=
for k in 1 2 3; do
  rm -rf "$out/$k"
  "$bt86" suite -j2 --shard "$k/3" --filter "$filter" --out "$out/$k" "$manifest" >"$out.$k.txt" 2>&1
  cat "$out.$k.txt"
  grep -q "(shard $k/3)" "$out.$k.txt" || fail "shard $k/3 does not say so"
  seen+=$(sed -n 's/^\[ *[0-9]*\/[0-9]*\] [A-Z]* \([^ :]*\).*/\1/p' "$out.$k.txt")$'\n'
done
seen=$(grep -v '^$' <<<"$seen" | sort)
[ "$seen" = "$all" ] || fail "the shards ran: $(echo $seen), expected each of: $(echo $all) once"

list=$("$bt86" suite --list --clock wall "$manifest")
grep -q "^dev_pit: .* --clock virtual " <<<"$list" || fail "--list: dev_pit's own clock"
grep -q "^hello: .* --append 'from the suite' .* --clock wall " <<<"$list" || fail "--list: hello with --clock wall"
grep -q "^paging_tlb: .* --memory 64M " <<<"$list" || fail "--list: paging_tlb's memory"
grep -q "^later: skipped: waits for a disk image loader$" <<<"$list" || fail "--list: later is skipped"
echo "suite_shards: ok"
