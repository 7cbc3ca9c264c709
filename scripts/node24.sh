# Provides Node 24 when the machine's node is older than 22.12: source it (`. scripts/node24.sh`) before npm.
#
# Node 22 (from 22.12, which loads ES modules with require(): rewardkit's lazy parts need it) and 24 are
# what rewardkit supports; a machine with either needs none of this and the script
# changes nothing. On an older node it fetches Node itself from the npm registry (the package
# node-linux-<arch>, binary and headers) into .tools/ inside this checkout, puts it first on PATH and
# points npm_config_nodedir at its headers so native addons (isolated-vm) build against Node 24.
# Sourced, not run: the PATH change must reach the shell that runs npm. Also runnable as
# `bash scripts/node24.sh CMD ARGS...` to run one command under it.

_rk_node24() {
  local version="24.22.3" root major arch dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  # major * 1000 + minor: 22012 is Node 22.12.
  major="$(node -p 'const [a, b] = process.versions.node.split("."); a * 1000 + Number(b)' 2>/dev/null || echo 0)"
  if [ "${RK_FORCE_NODE24:-}" != "1" ] && [ "$major" -ge 22012 ]; then
    return 0
  fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "node24.sh: no Node package for $(uname -m); install Node 22.12+ or 24 yourself" >&2; return 1 ;;
  esac
  dir="$root/.tools/node-v$version-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp="$(mktemp -d "$root/.tools.XXXXXX")" || return 1
    echo "node24.sh: fetching Node $version (node-linux-$arch) into .tools/" >&2
    if ! (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar xzf ./*.tgz); then
      echo "node24.sh: could not fetch node-linux-$arch@$version from the npm registry" >&2
      rm -rf "$tmp"
      return 1
    fi
    mkdir -p "$root/.tools"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  hash -r 2>/dev/null || true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as a program: set up, then run the command given.
  set -e
  _rk_node24
  [ "$#" -gt 0 ] && exec "$@"
  node --version
else
  _rk_node24
fi
unset -f _rk_node24
