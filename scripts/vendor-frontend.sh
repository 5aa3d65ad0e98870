#!/usr/bin/env bash
# Re-fetches the three front-end files the web app embeds (htmx, Pico CSS, uPlot) from
# their published npm packages at the pinned versions, keeps only the built file and
# its licence under crates/milepost-server/static/vendor/, and checks each file's
# sha256 against static/vendor/VENDOR.md. `--update` rewrites the checksums instead
# (after changing a version here, review the diff of VENDOR.md).
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=crates/milepost-server/static/vendor
update=${1:-}

# package@version  file in the package  name kept  licence file in the package
files=(
    "htmx.org@2.0.11 dist/htmx.min.js htmx.min.js LICENSE"
    "@picocss/pico@2.1.1 css/pico.classless.min.css pico.classless.min.css LICENSE.md"
    "uplot@1.6.32 dist/uPlot.iife.min.js uPlot.iife.min.js LICENSE"
    "uplot@1.6.32 dist/uPlot.min.css uPlot.min.css LICENSE"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${files[@]}"; do
    read -r package file kept licence <<<"$entry"
    name=${package%@*}
    folder="$work/${name//\//_}"
    if [ ! -d "$folder" ]; then
        mkdir -p "$folder"
        (cd "$folder" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz)
    fi
    cp "$folder/package/$file" "$vendor/$kept"
    safe=${name#@}; cp "$folder/package/$licence" "$vendor/LICENSE.${safe//\//-}"
done

status=0
for entry in "${files[@]}"; do
    read -r package _ kept _ <<<"$entry"
    sum=$(sha256sum "$vendor/$kept" | cut -d' ' -f1)
    if [ "$update" = "--update" ]; then
        echo "| $kept | $package | $sum |"
    elif ! grep -q "| $kept | $package | $sum |" "$vendor/VENDOR.md"; then
        echo "error: $vendor/$kept ($package) has sha256 $sum, which VENDOR.md does not record" >&2
        status=1
    fi
done
[ "$update" = "--update" ] || [ $status -ne 0 ] || echo "vendored files match VENDOR.md"
exit $status
