#!/usr/bin/env bash
# Runs the app on this machine under the Functions host (`func start`): Azurite, a PayEx stand-in
# unless PayEx__Token is set, and the app on http://127.0.0.1:7071 (README, Run).
# func is the Core Tools where they work (npm's optional azure-functions-core-tools, or on PATH),
# else the source-built host beside this repository (../shared/functions-host/func).
set -euo pipefail
cd "$(dirname "$0")"
repo=$(pwd)

[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error

func=""
for candidate in "$repo/node_modules/.bin/func" "$(command -v func || true)" "$repo/../shared/functions-host/func"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
    func=$candidate
    break
  fi
done
if [ -z "$func" ]; then
  echo "No func found: install the Azure Functions Core Tools 4 (README, Run)." >&2
  exit 1
fi

[ -f PayExCallbackFunctions/local.settings.json ] || cp PayExCallbackFunctions/local.settings.sample.json PayExCallbackFunctions/local.settings.json

mkdir -p .azurite
# Each child in a process group of its own, so that Ctrl-C reaches this script alone, which stops each
# once (SIGTERM: background jobs ignore SIGINT) and in order: the app first, while storage and the
# stand-in still answer it, then the rest. (A second signal made func kill the host, Azurite say
# "Cannot close server", and a host stopping without storage waited for it.)
pids=()
stop() {
  trap - EXIT INT TERM
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM -- "-${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop EXIT INT TERM

setsid node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location .azurite \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)

if [ -z "${PayEx__Token:-}" ]; then
  echo "No PayEx__Token set: using the local PayEx stand-in on http://127.0.0.1:5071"
  setsid dotnet run --project PayExCallbackFunctions.PayExStandIn -- --urls http://127.0.0.1:5071 &
  pids+=($!)
  # The environment wins over local.settings.json.
  export PayEx__BaseUrl=http://127.0.0.1:5071 PayEx__Token=stand-in-token
fi

echo "func: $func ($("$func" --version | head -1))"
echo "Status page: http://127.0.0.1:7071/api/payex/status/"
(cd PayExCallbackFunctions && exec setsid "$func" start --port 7071) &
pids+=($!)
wait -n
