#!/usr/bin/env bash
# Runs the app on this machine: Azurite, a PayEx stand-in unless PayEx__Token is set, and the app
# itself in standalone mode (its own queue listener) on http://127.0.0.1:7071.
set -euo pipefail
cd "$(dirname "$0")"

[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
mkdir -p .azurite
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait' EXIT INT TERM

node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location .azurite \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
# Keys for this machine only; under the Functions host, its own function and master keys apply.
export Access__CallbackKeys="${Access__CallbackKeys:-local-callback-key}"
export Access__AdminKey="${Access__AdminKey:-local-admin-master-key}"
if [ -z "${PayEx__Token:-}" ]; then
  echo "No PayEx__Token set: using the local PayEx stand-in on http://127.0.0.1:5071"
  dotnet run --project PayExCallbackFunctions.PayExStandIn -- --urls http://127.0.0.1:5071 &
  pids+=($!)
  export PayEx__BaseUrl=http://127.0.0.1:5071 PayEx__Token=stand-in-token
fi

echo "Status page: http://127.0.0.1:7071/api/payex/status?code=$Access__AdminKey"
dotnet run --project PayExCallbackFunctions -- --urls http://127.0.0.1:7071 &
pids+=($!)
wait -n
