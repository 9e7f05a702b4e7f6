#!/usr/bin/env bash
# Mutation check: tools/mutants.sh [--work DIR] [--only ID,ID] [--list] [--full] [--add FILE,...]
# Applies each mutant of tools/mutants.txt to a copy of the COMMITTED tree (git archive HEAD),
# rebuilds it incrementally, runs the tests that should catch the mutant and prints which
# survived; the table also goes to WORK/mutants.md. All the work is in tools/mutants.py (python3,
# standard library only); --help there says more.
set -euo pipefail
exec python3 "$(cd "$(dirname "$0")" && pwd)/mutants.py" "$@"
