#!/usr/bin/env bash
# junit_schema.sh XSD JUNIT: validates bt86 suite's JUnit XML against
# tests/suite/junit.xsd with xmllint (Debian's libxml2-utils; skipped, 77,
# without it), and checks that the schema refuses two broken copies (a
# testcase without classname, a guest twice in a group), so that passing
# means something.
set -u
xsd=$1 junit=$2
command -v xmllint >/dev/null || { echo "SKIPPED: no xmllint (apt-get install libxml2-utils)"; exit 77; }
[ -s "$junit" ] || { echo "junit_schema: $junit is missing or empty" >&2; exit 1; }
xmllint --noout --schema "$xsd" "$junit" || { echo "junit_schema: FAIL: $junit does not validate" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed '0,/ classname="[^"]*"/s///' "$junit" >"$tmp/no-classname.xml"
first=$(sed -n 's/.*<testcase name="\([^"]*\)".*/\1/p' "$junit" | head -1)
second=$(sed -n 's/.*<testcase name="\([^"]*\)".*/\1/p' "$junit" | sed -n 2p)
sed "s/<testcase name=\"$second\"/<testcase name=\"$first\"/" "$junit" >"$tmp/twice.xml"
for bad in no-classname twice; do
  if xmllint --noout --schema "$xsd" "$tmp/$bad.xml" 2>/dev/null; then
    echo "junit_schema: FAIL: the schema accepts a broken file ($bad)" >&2
    exit 1
  fi
done
echo "junit_schema: ok: $junit validates against $xsd"
