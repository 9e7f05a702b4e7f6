#!/usr/bin/env bash
# Fails while any translation in translations/*.ts is missing: prints each source string that is
# untranslated, unfinished or empty (with its context), and a count per file. Registered as the
# ctest i18n_ts_complete. Fast: one pass of Python's XML parser, no build needed.
# usage: translations/check_ts.sh [FILE.ts...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then set -- "$here"/*.ts; fi
exec python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
bad_total = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except Exception as e:
        print(f"{path}: not readable as a Qt Linguist file: {e}")
        bad_total += 1
        continue
    total = bad = 0
    for ctx in root.iter("context"):
        name = ctx.findtext("name", "")
        for m in ctx.iter("message"):
            total += 1
            src = m.findtext("source", "")
            tr = m.find("translation")
            kind = tr.get("type", "") if tr is not None else "missing"
            if tr is not None and m.get("numerus") == "yes":
                forms = [f.text or "" for f in tr.iter("numerusform")]
                empty = not forms or any(not f.strip() for f in forms)
            else:
                empty = tr is None or not (tr.text or "").strip()
            if kind in ("unfinished", "missing") or empty:
                bad += 1
                why = kind if kind in ("unfinished", "missing") else "empty"
                print(f"{path}: [{name}] {why}: {src!r}")
    status = "complete" if bad == 0 else f"{bad} of {total} strings need a translation"
    print(f"{path}: {total} strings, {status}")
    bad_total += bad
if bad_total:
    print("translate the entries above (translations/update_ts.sh first when sources changed)")
sys.exit(1 if bad_total else 0)
PY
