#!/bin/sh
# Help, man page, README and completion never disagree: every command of
# 'ddbtrail --help' is in the README's usage and the man page's synopsis;
# every option of a command's --help is in the man page; the bash and zsh
# completions (cmd/ddbtrail-completion, generated from the same --help)
# complete exactly those commands and options; the README's links resolve.
. "$(dirname "$0")/../lib.sh"
cmds=$(ddb --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
ok_if '[ "$(echo "$cmds" | wc -l)" -ge 12 ]' "the command list read from --help"
for c in $cmds; do
    grep -q "^ddbtrail $c" README.md || fail "README's usage lacks '$c'"
    grep -q "^\.B ddbtrail $c" ddbtrail.1 || fail "the man page's synopsis lacks '$c'"
    ddb "$c" --help >"$T/help" 2>&1 || fail "$c --help fails"
    for o in $(grep -E '^ {1,4}(-[a-zA-Z], )?--[a-z]' "$T/help" | sed 's/^ *//' |
               awk -F'  ' '{ print $1 }' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        m=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
        grep -q -- "$m" ddbtrail.1 || fail "the man page lacks $c $o"
        echo "$c $o" >>"$T/want"
    done
done
# bash: run the generated function as bash would on a partial command line
sh cmd/ddbtrail-completion bash "$DDBTRAIL" >"$T/ddbtrail.bash" || fail "bash completion generated"
sh cmd/ddbtrail-completion zsh "$DDBTRAIL" >"$T/_ddbtrail" || fail "zsh completion generated"
if command -v bash >/dev/null 2>&1; then
    complete_words() { # complete_words WORD...: what bash offers for the last word
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ddbtrail;
                 printf "%s\n" "${COMPREPLY[@]}"' x "$T/ddbtrail.bash" ddbtrail "$@" | sort
    }
    eq "$(complete_words ev | tr '\n' ' ')" "events " "a command completes"
    eq "$(complete_words scan --fo | tr '\n' ' ')" "--follow --force --format " "scan's options complete"
    eq "$(complete_words events --al | tr '\n' ' ')" "--alert " "events' options complete"
    for c in $cmds; do
        complete_words "$c" -- | sed "s/^/$c /" >>"$T/got"
    done
    sort -u "$T/want" >"$T/want.s"
    sort -u "$T/got" | grep -v ' $' >"$T/got.s"
    diff "$T/want.s" "$T/got.s" >"$T/diff" || { fail "completion and --help differ"; cat "$T/diff"; }
fi
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$T/_ddbtrail" || fail "zsh completion parses"
fi
grep -q "^#compdef ddbtrail" "$T/_ddbtrail" || fail "zsh completion header"
# the README's links to docs/ resolve, and the docs link back
for f in $(grep -o '(docs/[a-z]*\.md)' README.md | tr -d '()' | sort -u); do
    [ -f "$f" ] || fail "README links to a missing $f"
    grep -q '(../README.md)' "$f" || fail "$f does not link back to the README"
done
done_case
