#!/usr/bin/env bash
# Switchyard lab smoke test: proves each installed component for real, on loopback only.
#
#   scripts/lab/install.sh && scripts/lab/smoke.sh            # everything
#   scripts/lab/smoke.sh --only envoy,prometheus               # a subset
#
# envoy      --version, --mode validate on configs/lab/envoy-smoke.yaml, a short real run
# phoenix    serve on 127.0.0.1, wait for /readyz, POST one OTLP/HTTP protobuf trace to
#            /v1/traces, read it back from GET /v1/projects/lab-smoke/spans
# otelcol    validate configs/otel-collector.yaml, run it, send a trace through it into
#            Phoenix and read it back; send one OTLP metric (checked by the prometheus step)
# prometheus promtool check config, run with a temp TSDB scraping loopback targets,
#            query /api/v1/query (its own `up`, and the OTLP metric via the collector)
# wrk        a 2 s, 2-connection run against the envoy listener (selects envoy too)
#
# (otelcol selects phoenix too: its trace goes there.)
# Every process started here is stopped (by PID) on exit. Ports can be moved with
# SMOKE_*_PORT variables (see below). Prints "N passed, N failed" last; exits 1 on
# any failure. Requires curl.
set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAB="${SWITCHYARD_LAB_DIR:-$REPO/.lab}"
BIN="$LAB/bin"
PY="$LAB/venv-phoenix/bin/python"

ALL="envoy phoenix otelcol prometheus wrk"
ONLY="$ALL"
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="${2//,/ }"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; ONLY="${ONLY//,/ }"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "smoke.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
# otelcol's trace check needs Phoenix; wrk needs the envoy listener.
if want otelcol && ! want phoenix; then ONLY="$ONLY phoenix"; fi
if want wrk && ! want envoy; then ONLY="$ONLY envoy"; fi

ENVOY_PORT="${SMOKE_ENVOY_PORT:-10080}"              # from configs/lab/envoy-smoke.yaml
ENVOY_ADMIN_PORT="${SMOKE_ENVOY_ADMIN_PORT:-19901}"  # idem
PHOENIX_PORT="${SMOKE_PHOENIX_PORT:-16006}"
PHOENIX_GRPC_PORT="${SMOKE_PHOENIX_GRPC_PORT:-16007}"
OTELCOL_OTLP_GRPC_PORT="${SMOKE_OTELCOL_OTLP_GRPC_PORT:-14317}"
OTELCOL_OTLP_HTTP_PORT="${SMOKE_OTELCOL_OTLP_HTTP_PORT:-14318}"
OTELCOL_HEALTH_PORT="${SMOKE_OTELCOL_HEALTH_PORT:-13133}"
OTELCOL_PROM_PORT="${SMOKE_OTELCOL_PROM_PORT:-18889}"
OTELCOL_SELF_METRICS_PORT="${SMOKE_OTELCOL_SELF_METRICS_PORT:-18888}"
PROM_PORT="${SMOKE_PROMETHEUS_PORT:-19090}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-lab-smoke.XXXXXX")"
LOGS="$LAB/logs/smoke"
mkdir -p "$LOGS"
PIDS=()
PASS=0
FAIL=0

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
secs() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN{printf "%.1f", (b-a)/1000}'; }
ok() { PASS=$((PASS + 1)); printf 'ok    %-11s %s\n' "$1" "$2"; }
bad() { FAIL=$((FAIL + 1)); printf 'FAIL  %-11s %s\n' "$1" "$2"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need_ports() {  # need_ports COMPONENT PORT...
  local c="$1" p; shift
  for p in "$@"; do port_free "$p" || { bad "$c" "port 127.0.0.1:$p already in use"; return 1; }; done
}

# wait_http URL SECONDS: poll until URL answers 2xx.
wait_http() {
  local url="$1" limit="$2" end
  end=$(( $(date +%s) + limit ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

start_bg() {  # start_bg NAME CMD... : start in background, log to $LOGS/NAME.log, remember PID
  local name="$1"; shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  PIDS+=("$!")
}

# phoenix_spans PROJECT TRACE_ID EXPECTED SECONDS: poll the REST API until the trace has
# EXPECTED spans; leaves the JSON in $TMP/spans.json.
phoenix_spans() {
  local project="$1" trace="$2" expected="$3" limit="$4" end n
  end=$(( $(date +%s) + limit ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if curl -fsS --max-time 5 -o "$TMP/spans.json" \
        "http://127.0.0.1:$PHOENIX_PORT/v1/projects/$project/spans?trace_id=$trace&limit=100" 2>/dev/null; then
      n="$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["data"]))' "$TMP/spans.json")"
      [ "$n" -ge "$expected" ] && return 0
    fi
    sleep 0.5
  done
  return 1
}

# check_llm_span TRACE_JSON: the LLM child span must be there with kind, parent and attributes.
check_llm_span() {
  "$PY" - "$TMP/spans.json" "$1" <<'EOF'
import json, sys
spans = json.load(open(sys.argv[1]))["data"]
sent = json.loads(sys.argv[2])
by_id = {s["context"]["span_id"]: s for s in spans}
llm, root = by_id[sent["llm_span_id"]], by_id[sent["root_span_id"]]
assert llm["span_kind"] == "LLM", llm
assert llm["parent_id"] == sent["root_span_id"], llm
assert root["parent_id"] is None and root["span_kind"] == "CHAIN", root
assert llm["context"]["trace_id"] == sent["trace_id"], llm
assert llm["attributes"]["llm.model_name"] == "smoke-model", llm
assert llm["attributes"]["llm.token_count.prompt"] == 12, llm
assert "openinference.span.kind" not in llm["attributes"], llm
EOF
}

# ---------------------------------------------------------------------------
smoke_envoy() {
  local t0 v
  t0="$(now_ms)"
  v="$("$BIN/envoy" --version | sed -n 's|.*version: [0-9a-f]*/\([^/]*\)/.*|\1|p')"
  [ -n "$v" ] && ok envoy "--version -> $v" || { bad envoy "--version"; return; }
  if "$BIN/envoy" --mode validate -c "$REPO/configs/lab/envoy-smoke.yaml" >"$LOGS/envoy-validate.log" 2>&1; then
    ok envoy "--mode validate configs/lab/envoy-smoke.yaml"
  else bad envoy "validate (see $LOGS/envoy-validate.log)"; return; fi
  need_ports envoy "$ENVOY_PORT" "$ENVOY_ADMIN_PORT" || return
  start_bg envoy "$BIN/envoy" -c "$REPO/configs/lab/envoy-smoke.yaml" --disable-hot-restart --log-level warn
  if wait_http "http://127.0.0.1:$ENVOY_ADMIN_PORT/ready" 30 &&
     [ "$(curl -fsS --max-time 5 "http://127.0.0.1:$ENVOY_PORT/")" = "envoy-ok" ]; then
    ok envoy "served 127.0.0.1:$ENVOY_PORT (ready in $(secs "$t0")s incl. validate)"
  else bad envoy "listener did not answer (see $LOGS/envoy.log)"; fi
}

smoke_phoenix() {
  local t0 sent
  need_ports phoenix "$PHOENIX_PORT" "$PHOENIX_GRPC_PORT" || return
  t0="$(now_ms)"
  PHOENIX_WORKING_DIR="$TMP/phoenix" PHOENIX_PORT="$PHOENIX_PORT" PHOENIX_GRPC_PORT="$PHOENIX_GRPC_PORT" \
    start_bg phoenix "$BIN/phoenix" serve
  if wait_http "http://127.0.0.1:$PHOENIX_PORT/readyz" 120; then
    ok phoenix "serve ready on 127.0.0.1:$PHOENIX_PORT (/readyz after $(secs "$t0")s)"
  else bad phoenix "not ready after 120s (see $LOGS/phoenix.log)"; return; fi
  if sent="$("$PY" "$REPO/scripts/lab/send_otlp.py" traces \
        --endpoint "http://127.0.0.1:$PHOENIX_PORT/v1/traces" --project lab-smoke)"; then
    ok phoenix "POST /v1/traces (OTLP protobuf) trace_id=$(echo "$sent" | sed 's/.*"trace_id": "\([0-9a-f]*\)".*/\1/')"
  else bad phoenix "OTLP export to /v1/traces failed"; return; fi
  t0="$(now_ms)"
  local trace; trace="$(echo "$sent" | sed 's/.*"trace_id": "\([0-9a-f]*\)".*/\1/')"
  if phoenix_spans lab-smoke "$trace" 2 30 && check_llm_span "$sent"; then
    ok phoenix "GET /v1/projects/lab-smoke/spans: 2 spans, LLM child with parent_id (visible after $(secs "$t0")s)"
    cp "$TMP/spans.json" "$LOGS/phoenix-spans.json"
  else bad phoenix "spans not readable/as expected (see $TMP/spans.json)"; fi
  # OTLP/gRPC listener: bound to loopback by the launcher, same ingestion path.
  if sent="$("$PY" "$REPO/scripts/lab/send_otlp.py" traces --protocol grpc \
        --endpoint "127.0.0.1:$PHOENIX_GRPC_PORT" --project lab-smoke-grpc)" &&
     trace="$(echo "$sent" | sed 's/.*"trace_id": "\([0-9a-f]*\)".*/\1/')" &&
     phoenix_spans lab-smoke-grpc "$trace" 2 30 && check_llm_span "$sent"; then
    ok phoenix "OTLP/gRPC on 127.0.0.1:$PHOENIX_GRPC_PORT ingested and read back"
  else bad phoenix "OTLP/gRPC ingest on 127.0.0.1:$PHOENIX_GRPC_PORT failed"; fi
  if ! command -v ss >/dev/null 2>&1; then ok phoenix "(ss not installed: loopback check skipped)"
  elif ss -ltn 2>/dev/null | awk '{print $4}' | grep -E ":($PHOENIX_PORT|$PHOENIX_GRPC_PORT)\$" | grep -vqE '^(127\.|\[::ffff:127\.|\[::1\])'; then
    bad phoenix "a Phoenix port listens on a non-loopback address: $(ss -ltn | grep -E ":($PHOENIX_PORT|$PHOENIX_GRPC_PORT) ")"
  else ok phoenix "listeners are loopback-only (HTTP $PHOENIX_PORT, gRPC $PHOENIX_GRPC_PORT)"; fi
}

smoke_otelcol() {
  local cfg="$REPO/configs/otel-collector.yaml" t0 sent trace
  export PHOENIX_PORT OTELCOL_OTLP_GRPC_PORT OTELCOL_OTLP_HTTP_PORT OTELCOL_HEALTH_PORT OTELCOL_PROM_PORT OTELCOL_SELF_METRICS_PORT
  if "$BIN/otelcol-switchyard" validate --config "$cfg" >"$LOGS/otelcol-validate.log" 2>&1; then
    ok otelcol "validate --config configs/otel-collector.yaml"
  else bad otelcol "validate (see $LOGS/otelcol-validate.log)"; return; fi
  need_ports otelcol "$OTELCOL_OTLP_GRPC_PORT" "$OTELCOL_OTLP_HTTP_PORT" "$OTELCOL_HEALTH_PORT" \
    "$OTELCOL_PROM_PORT" "$OTELCOL_SELF_METRICS_PORT" || return
  t0="$(now_ms)"
  start_bg otelcol "$BIN/otelcol-switchyard" --config "$cfg"
  if wait_http "http://127.0.0.1:$OTELCOL_HEALTH_PORT/" 30; then
    ok otelcol "running, health_check ready after $(secs "$t0")s"
  else bad otelcol "not healthy (see $LOGS/otelcol.log)"; return; fi
  if sent="$("$PY" "$REPO/scripts/lab/send_otlp.py" traces \
        --endpoint "http://127.0.0.1:$OTELCOL_OTLP_HTTP_PORT/v1/traces" --project lab-smoke-otelcol)"; then
    trace="$(echo "$sent" | sed 's/.*"trace_id": "\([0-9a-f]*\)".*/\1/')"
  else bad otelcol "OTLP export to the collector failed"; return; fi
  t0="$(now_ms)"
  if phoenix_spans lab-smoke-otelcol "$trace" 2 30 && check_llm_span "$sent"; then
    ok otelcol "trace $trace went collector -> Phoenix (readable after $(secs "$t0")s)"
  else bad otelcol "trace did not arrive in Phoenix (see $LOGS/otelcol.log)"; fi
  if "$PY" "$REPO/scripts/lab/send_otlp.py" metrics \
        --endpoint "http://127.0.0.1:$OTELCOL_OTLP_HTTP_PORT/v1/metrics" >/dev/null &&
     curl -fsS --max-time 5 "http://127.0.0.1:$OTELCOL_PROM_PORT/metrics" | grep -q '^lab_smoke_requests'; then
    ok otelcol "OTLP metric exposed by the prometheus exporter on 127.0.0.1:$OTELCOL_PROM_PORT/metrics"
  else bad otelcol "OTLP metric not on the prometheus exporter"; fi
}

smoke_prometheus() {
  local cfg="$TMP/prometheus.yml" t0
  cat >"$cfg" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 5s }
scrape_configs:
  - job_name: prometheus
    static_configs: [ { targets: ["127.0.0.1:$PROM_PORT"] } ]
  - job_name: otelcol-exporter
    static_configs: [ { targets: ["127.0.0.1:$OTELCOL_PROM_PORT"] } ]
EOF
  if "$BIN/promtool" check config "$cfg" >"$LOGS/promtool.log" 2>&1; then
    ok prometheus "promtool check config"
  else bad prometheus "promtool check config (see $LOGS/promtool.log)"; return; fi
  "$BIN/promtool" check config "$REPO/configs/prometheus.yml" >>"$LOGS/promtool.log" 2>&1 &&
    ok prometheus "promtool check config configs/prometheus.yml" || bad prometheus "configs/prometheus.yml"
  need_ports prometheus "$PROM_PORT" || return
  t0="$(now_ms)"
  start_bg prometheus "$BIN/prometheus" --config.file="$cfg" --web.listen-address="127.0.0.1:$PROM_PORT" \
    --storage.tsdb.path="$TMP/prometheus-data" --log.level=warn
  if wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 60; then
    ok prometheus "ready on 127.0.0.1:$PROM_PORT after $(secs "$t0")s"
  else bad prometheus "not ready (see $LOGS/prometheus.log)"; return; fi
  # Poll until the first scrape of itself landed.
  local end=$(( $(date +%s) + 30 )) got=""
  while [ "$(date +%s)" -lt "$end" ]; do
    got="$(curl -fsS --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode 'query=up{job="prometheus"}' 2>/dev/null || true)"
    case "$got" in *'"value":['*'"1"]'*) break ;; esac
    sleep 0.5
  done
  case "$got" in *'"value":['*'"1"]'*) ok prometheus "/api/v1/query up{job=\"prometheus\"} = 1" ;;
    *) bad prometheus "query up did not return 1: $got" ;; esac
  if want otelcol; then
    end=$(( $(date +%s) + 30 )); got=""
    while [ "$(date +%s)" -lt "$end" ]; do
      got="$(curl -fsS --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode 'query=lab_smoke_requests_total' 2>/dev/null || true)"
      case "$got" in *'"value":['*'"7"]'*) break ;; esac
      sleep 0.5
    done
    case "$got" in *'"value":['*'"7"]'*) ok prometheus "OTLP metric via collector: lab_smoke_requests_total = 7" ;;
      *) bad prometheus "lab_smoke_requests_total not scraped: $got" ;; esac
  fi
}

smoke_wrk() {
  local out
  if out="$(timeout 20 "$BIN/wrk" -t1 -c2 -d2s "http://127.0.0.1:$ENVOY_PORT/" 2>&1)" &&
     echo "$out" | grep -q 'Requests/sec'; then
    ok wrk "2s against envoy: $(echo "$out" | grep 'Requests/sec' | tr -s ' ')"
  else bad wrk "run failed: $out"; fi
}

for c in envoy phoenix otelcol prometheus wrk; do
  want "$c" || continue
  if [ "$c" != wrk ] && [ ! -x "$BIN/${c/otelcol/otelcol-switchyard}" ]; then
    bad "$c" "$BIN/${c/otelcol/otelcol-switchyard} missing: run scripts/lab/install.sh --only $c"; continue
  fi
  "smoke_$c"
done

echo "logs: $LOGS"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
