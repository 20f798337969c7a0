#!/usr/bin/env bash
# Runs the app on this machine under the Functions host (`func start`): Azurite, a PayEx stand-in
# unless PayEx__Token is set, the sample order system consuming the app's events queue, and the app on
# http://127.0.0.1:7071 (README, Run).
# func is the Core Tools where they work (npm's optional azure-functions-core-tools, or on PATH),
# else the source-built host beside this repository (../shared/functions-host/func).
set -euo pipefail
cd "$(dirname "$0")"
repo=$(pwd)
app=http://127.0.0.1:7071
started=$SECONDS

# What run.sh itself says stands out from what the host and the app log.
step() { printf '==> %s\n' "$*"; }

if [ ! -x node_modules/.bin/azurite ]; then
  step "Installing Azurite and the dev tools (npm ci, the first time only)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

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

# Built here, so that func starts what was built (--no-build); the build's output only if it fails.
build() {
  local out
  if ! out=$(dotnet build "$@" --nologo 2>&1); then
    printf '%s\n' "$out" >&2
    echo "The build failed: see above." >&2
    exit 1
  fi
}
standIn=""
[ -n "${PayEx__Token:-}" ] || standIn=PayExCallbackFunctions.PayExStandIn
step "Building the app${standIn:+, the PayEx stand-in} and the sample order system"
build PayExCallbackFunctions --output PayExCallbackFunctions/bin/output
[ -z "$standIn" ] || build "$standIn"
build PayExCallbackFunctions.OrderSystem

mkdir -p .azurite
# Each child in a process group of its own, so that Ctrl-C reaches this script alone, which stops each
# once (SIGTERM: background jobs ignore SIGINT) and in order: the app first, while storage and the
# stand-in still answer it, then the rest. (A second signal made func kill the host, Azurite say
# "Cannot close server", and a host stopping without storage waited for it.)
pids=()
names=()
stop() {
  trap - EXIT INT TERM
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    # Said before the signal, so that it comes before what the child says as it stops.
    if kill -0 -- "-${pids[i]}" 2>/dev/null; then
      step "Stopping ${names[i]}"
      kill -TERM -- "-${pids[i]}" 2>/dev/null || true
    fi
    wait "${pids[i]}" 2>/dev/null || true
  done
  step "Stopped"
}
trap stop EXIT INT TERM

step "Starting Azurite on 127.0.0.1:10000-10002 (data in .azurite/)"
setsid node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location .azurite \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)
names+=(Azurite)

if [ -n "$standIn" ]; then
  step "Starting the PayEx stand-in on http://127.0.0.1:5071 (no PayEx__Token set)"
  # Its scripted payments send their callbacks to the app, as PayEx does (see the README's quick start).
  setsid dotnet run --no-build --project "$standIn" -- --urls http://127.0.0.1:5071 --callbackUrl "$app/api/payex/callbacks" &
  pids+=($!)
  names+=("the PayEx stand-in")
  # The environment wins over local.settings.json.
  export PayEx__BaseUrl=http://127.0.0.1:5071 PayEx__Token=stand-in-token
else
  step "Using PayEx at ${PayEx__BaseUrl:-the PayEx__BaseUrl of local.settings.json}"
fi

step "Starting the sample order system on http://127.0.0.1:5072 (orders in .order-system/, from the events queue)"
# It consumes the queue the app sends its events to (Events__Queue), as an order system on Azure would. It also
# takes signed webhooks, with the secret of the app's first webhook if one is set (README, The sample order system),
# else one of this run's.
OrderSystem__WebhookSecrets__0="${Events__Webhooks__0__Secret:-whsec_$(head -c 32 /dev/urandom | base64)}" \
  OrderSystem__StorageConnection=UseDevelopmentStorage=true OrderSystem__Queue="${Events__Queue:-payex-payment-events}" \
  OrderSystem__DataDirectory="$repo/.order-system" \
  setsid dotnet run --no-build --project PayExCallbackFunctions.OrderSystem -- --urls http://127.0.0.1:5072 &
pids+=($!)
names+=("the sample order system")

step "Starting the Functions host: $("$func" --version | head -1)"
# The host's own start-up and each invocation's Executing/Executed lines are not news here: the console
# shows the functions, the app's lines (callbacks acknowledged, stored, retried) and failures.
export AzureFunctionsJobHost__logging__Console__LogLevel__Function=Warning
# Tracked payments checked every 10 s, so that a payment can be watched settling without a callback
# (deployed: 1, 5, 15 minutes, 1 and 6 hours, then daily; the environment wins, as above).
export PayExTrackingSweep="${PayExTrackingSweep:-*/5 * * * * *}" Tracking__Schedule="${Tracking__Schedule:-00:00:10}"
(cd PayExCallbackFunctions/bin/output && exec setsid "$func" start --no-build --port 7071) &
pids+=($!)
names+=("the Functions host")

# Ready once the status page answers: the host, the worker and storage are all up.
warned=""
until curl -fs -o /dev/null --max-time 5 "$app/api/payex/status/"; do
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then
    echo "The Functions host stopped before it was ready: see its output above." >&2
    exit 1
  fi
  if [ -z "$warned" ] && [ $((SECONDS - started)) -ge 180 ]; then
    warned=1
    # The host keeps restarting a worker that refuses its settings; the reason is in the output above.
    echo "Not ready after 180 s: look above for a setting the app refused (local.settings.json), or a port in use." >&2
  fi
  sleep 1
done
step "Ready in $((SECONDS - started)) s: callbacks to POST $app/api/payex/callbacks, payments API $app/api/payments, status page $app/api/payex/status/, orders http://127.0.0.1:5072/orders (Ctrl-C stops all)"
wait -n
