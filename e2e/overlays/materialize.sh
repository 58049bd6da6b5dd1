#!/usr/bin/env bash
# materialize.sh VARIANT_DIR OUT_DIR
#
# Builds the full overlay of a broken variant (see e2e/overlays/README.md): copies the base
# overlay named on the first line of VARIANT_DIR/VARIANT (a sibling of this script), then
# lays the variant's files over it. A file whose whole content is the delete marker removes
# that path; VARIANT and expected.* are the case's own files and are not copied. Symlinks
# are copied as symlinks. OUT_DIR must not exist yet. Same semantics as
# checks/overlaytest.Materialize.
set -euo pipefail

readonly marker='# gfenroll-fixture: delete'

die() { echo "materialize.sh: $*" >&2; exit 2; }

[[ $# -eq 2 ]] || die "usage: materialize.sh VARIANT_DIR OUT_DIR"
variant=${1%/}
out=${2%/}
overlays=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[[ -f $variant/VARIANT ]] || die "$variant/VARIANT not found"
[[ ! -e $out && ! -L $out ]] || die "$out already exists"

base=$(head -n 1 "$variant/VARIANT" | tr -d '[:space:]')
[[ -n $base && $base != *[/\\]* && $base != . && $base != .. ]] \
  || die "line 1 of $variant/VARIANT must name a base overlay, got '$base'"
[[ -d $overlays/$base ]] || die "base overlay '$base' not found in $overlays"
second=$(sed -n 2p "$variant/VARIANT")
[[ $second == rules:* ]] || die "line 2 of $variant/VARIANT must be 'rules: <rule-id> ...'"

mkdir -p "$(dirname "$out")"
cp -RP "$overlays/$base" "$out"

is_marker() {
  # The marker, optionally followed by line breaks (as checks/overlaytest accepts).
  local size content
  size=$(wc -c <"$1")
  (( size >= ${#marker} && size <= ${#marker} + 8 )) || return 1
  content=$(<"$1")
  while [[ $content == *$'\r' || $content == *$'\n' ]]; do content=${content%?}; done
  [[ $content == "$marker" ]]
}

# Directories first (shallow to deep) so a directory replaces a base file, then files and
# links. find -P never follows links.
(cd "$variant" && find -P . -mindepth 1 -type d | LC_ALL=C sort) | while IFS= read -r d; do
  d=${d#./}
  if [[ -e $out/$d || -L $out/$d ]] && [[ ! -d $out/$d || -L $out/$d ]]; then
    rm -f "$out/$d"
  fi
  mkdir -p "$out/$d"
done
(cd "$variant" && find -P . -mindepth 1 ! -type d | LC_ALL=C sort) | while IFS= read -r f; do
  f=${f#./}
  case $f in
    VARIANT | expected.*) continue ;;
  esac
  dst=$out/$f
  if [[ -L $variant/$f ]]; then
    rm -rf "$dst"
    ln -s "$(readlink "$variant/$f")" "$dst"
  elif is_marker "$variant/$f"; then
    rm -rf "$dst"
  else
    rm -rf "$dst"
    mkdir -p "$(dirname "$dst")"
    cp -P "$variant/$f" "$dst"
  fi
done
