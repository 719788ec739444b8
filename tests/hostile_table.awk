# The table of tests/hostile_long.sh, from its results.txt: one line a run,
#   <kind> <seed> hostile: ok|FAIL outcome=... status=... cmdline="..." why="..."
function field(name) {
    if (match($0, name "=[^ ]*")) return substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1)
    return ""
}
function quoted(name,   rest) {
    rest = substr($0, index($0, name "=\"") + length(name) + 2)
    return substr(rest, 1, index(rest, "\"") - 1)
}
{
    kind = $1; outcome = field("outcome"); verdict = $4
    runs[kind]++
    kinds[kind] = 1
    base = outcome
    if (match(outcome, /\(.*\)/)) base = substr(outcome, RSTART + 1, RLENGTH - 2)
    count[kind, base]++
    if (outcome ~ /^death/) count[kind, "death"]++
    if (outcome ~ /^wrongstatus/) count[kind, "wrongstatus"]++
    # one line per kind of ending: no addresses, operands or bytes
    key = outcome ": " quoted("why")
    gsub(/ \([0-9a-f ]+\)/, "", key)
    while (match(key, /'[a-z0-9]+ [^']*'/)) {
        inner = substr(key, RSTART + 1, RLENGTH - 2)
        sub(/ .*/, "", inner)
        key = substr(key, 1, RSTART - 1) "'" inner "'" substr(key, RSTART + RLENGTH)
    }
    gsub(/0x[0-9a-fA-F]+/, "0x_", key)
    gsub(/EIP=[0-9a-fx_]+/, "EIP=_", key)
    if (verdict != "FAIL") { # how the passing runs whose machine died ended
        if (outcome == "exit2") { if (!(key in ended)) eorder[++ekeys] = key; ended[key]++ }
        next
    }
    fails[kind]++
    if (!(key in seen)) {
        seen[key] = quoted("cmdline")
        order[++keys] = key
        if (reproducers != "") print seen[key] > reproducers
    }
    nkey[key]++
}
END {
    cols = "exit0 exit1 exit2 exit3 exit124 exitport crash hang slow badstatus death wrongstatus"
    ncol = split(cols, c, " ")
    printf "%-6s %6s %6s", "kind", "runs", "fail"
    for (i = 1; i <= ncol; i++) printf " %s", c[i]
    printf "\n"
    for (k in kinds) {
        printf "%-6s %6d %6d", k, runs[k], fails[k]
        for (i = 1; i <= ncol; i++) printf " %*d", length(c[i]), count[k, c[i]]
        printf "\n"
    }
    if (ekeys) print "\nstatus 2 in runs that passed (a machine random CPL-0 code wrecked):"
    for (i = 1; i <= ekeys; i++) printf "%5d: %s\n", ended[eorder[i]], eorder[i]
    if (keys) print "\nfailures (count: what; the command line of the first run that showed it):"
    for (i = 1; i <= keys; i++) printf "%5d: %s\n       \"%s\"\n", nkey[order[i]], order[i], seen[order[i]]
}
