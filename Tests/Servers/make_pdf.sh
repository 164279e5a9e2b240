#!/bin/sh
# make_pdf.sh TEXTFILE OUT.pdf [PAGES]
#
# Turns the lines of a plain-text file into a real PDF with ghostscript, for mlgym's
# tests (PDF download and text extraction). The lines are shown in order, top to
# bottom, in 11-point Courier on ghostscript's default paper size: ceil(LINES/PAGES)
# lines to a page (PAGES defaults to 1). Should that leave pages over, each of them
# holds just "page N", so the PDF always has at least PAGES pages; a page given more
# than about 50 lines spills onto extra pages. Bytes are shown as they are (Latin-1
# in the standard font): keep the text ASCII for a predictable round trip through
# pdftotext, which ends every page with a form feed. Needs gs (package ghostscript).
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 TEXTFILE OUT.pdf [PAGES]" >&2
    exit 2
fi
text=$1
out=$2
pages=${3:-1}
case $pages in
    ''|*[!0-9]*|0) echo "$0: PAGES must be a positive integer" >&2; exit 2 ;;
esac
[ -r "$text" ] || { echo "$0: cannot read $text" >&2; exit 2; }
command -v gs >/dev/null 2>&1 || { echo "$0: gs not found (apt-get install ghostscript)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
prog=$work/prog.ps

lines=$(awk 'END { print NR }' "$text")
per=$(( (lines + pages - 1) / pages ))
[ "$per" -gt 0 ] || per=1

{
    cat <<'EOF'
%!PS-Adobe-3.0
/Courier findfont 11 selectfont
/y 0 def
/startpage { /y 750 def } def
/line { y 40 lt { showpage startpage } if 50 y moveto show /y y 14 sub def } def
EOF
    # One PostScript string per line, with \ ( ) escaped; every PER lines a page ends.
    # A page that would be empty still gets a marker, so PAGES pages always come out.
    # (sed does the escaping: awk implementations disagree on backslashes in gsub.)
    sed -e 's/\r$//' -e 's/\\/\\\\/g' -e 's/(/\\(/g' -e 's/)/\\)/g' "$text" |
    awk -v per="$per" -v pages="$pages" '
        { if ((NR - 1) % per == 0) { if (NR > 1) print "showpage"; print "startpage"; done++ }
          print "(" $0 ") line" }
        END {
          if (NR == 0) { print "startpage"; done = 1 }
          print "showpage"
          for (p = done + 1; p <= pages; p++) print "startpage (page " p ") line showpage"
        }'
} >"$prog"

gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$out" "$prog"
