#!/usr/bin/env sh
# Elastic Premium only (HOSTING_PLAN=ElasticPremium): deploys the package where the app runs it from
# (WEBSITE_RUN_FROM_PACKAGE, a blob read with the app's identity), then restarts the app and has the
# host read the functions again. Flex Consumption deploys with `azd deploy` instead.
# Needs: `azd provision` done, and `az login` as the principal azd provisioned with (it may upload).
set -eu
cd "$(dirname "$0")/.."
eval "$(azd env get-values)"

dotnet publish PayExCallbackFunctions -c Release -p:FunctionApp=true
az storage blob upload --auth-mode login --overwrite \
  --account-name "$AZURE_STORAGE_ACCOUNT_NAME" --container-name "$AZURE_DEPLOYMENT_CONTAINER" \
  --name functionapp.zip --file artifacts/functionapp.zip
az functionapp restart --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME"
az resource invoke-action --action syncfunctiontriggers --resource-type Microsoft.Web/sites \
  --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME"
