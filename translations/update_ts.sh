#!/usr/bin/env bash
# Refreshes every translations/*.ts from the user-visible strings in ui/ and app/gui (lupdate):
# new strings are added as unfinished, strings gone from the sources are dropped, existing
# translations are kept (also for source strings that only moved). Then run check_ts.sh to list
# what still needs translating, translate those entries in the .ts (Qt Linguist or an editor),
# and rebuild. usage: translations/update_ts.sh [LUPDATE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# Qt 6's lupdate (a plain `lupdate` on PATH may be qtchooser's, pointing at Qt 5).
lupdate=${1:-}
if [ -z "$lupdate" ]; then
  for c in /usr/lib/qt6/bin/lupdate "$(command -v lupdate-qt6 2>/dev/null)" "$(command -v lupdate 2>/dev/null)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then lupdate=$c; break; fi
  done
fi
[ -n "$lupdate" ] && [ -x "$lupdate" ] || { echo "update_ts: lupdate not found (install qt6-l10n-tools, or pass its path)" >&2; exit 1; }
cd "$root"
for ts in translations/*.ts; do
  log=$("$lupdate" -no-obsolete -locations none -extensions cpp,h ui app/gui -ts "$ts" 2>&1) || { echo "$log" >&2; exit 1; }
  # lupdate 6.4 does not follow `namespace srs::ui {` and says so for every member function; the
  # contexts it writes lack the namespace, which ui/i18n.cpp's translator allows for.
  echo "$log" | grep -v -e '^Scanning' -e 'Qualifying with unknown namespace/class' || true
done
"$here/check_ts.sh" || true
