#!/usr/bin/env bash
# Stand-in for a checker that crashes: it writes a diagnostic to stderr and dies from SIGSEGV.
echo "crash.sh: simulated checker crash (argv: $*)" >&2
kill -SEGV $$
