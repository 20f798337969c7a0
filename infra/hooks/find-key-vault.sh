#!/usr/bin/env sh
# azd preprovision hook. main.parameters.json reads the signing secrets back from the vault named by
# AZURE_KEY_VAULT_NAME; without that name azd would make up new secrets and the provision would
# overwrite the vault's, breaking every callback URL already given out. The name is an output of the
# last provision, so a new machine, a CI runner or a failed first run lacks it: find the vault.
set -eu
[ -n "${AZURE_KEY_VAULT_NAME:-}" ] && exit 0
group="rg-${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set}"
[ "$(az group exists --name "$group")" = "true" ] || exit 0
vault=$(az keyvault list --resource-group "$group" --query "[0].name" --output tsv)
if [ -n "$vault" ]; then
  azd env set AZURE_KEY_VAULT_NAME "$vault"
  echo "The signing secrets are read back from Key Vault $vault"
fi
