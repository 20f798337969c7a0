#!/usr/bin/env sh
# azd postprovision hook: creates the callback signing secrets in Key Vault where the vault has none, and
# never replaces one. Every callback URL given to PayEx is signed with the current secret, so a provision
# that replaced it would break them all; that is why the template holds no secret value (app/vault.bicep)
# and why this runs after every provision: the first creates both secrets, later ones change nothing, and a
# rotation done in the vault stays.
set -eu

vault="${AZURE_KEY_VAULT_NAME:-}"
if [ -z "$vault" ]; then
  # An output of the provision that just ran; found in the environment's group if azd did not pass it on.
  group="${AZURE_RESOURCE_GROUP:-rg-${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set}}"
  vault=$(az keyvault list --resource-group "$group" --query "[0].name" --output tsv)
  if [ -z "$vault" ]; then
    echo "No Key Vault in $group: the signing secrets were not created." >&2
    exit 1
  fi
fi

# The secrets the vault holds. A failure is retried and never read as 'none': the deployer's role on the
# vault, granted by this provision, can take minutes to apply, and to create over an existing secret is
# what this hook is for not doing.
tries=30
attempt=1
# Their ids (https://<vault>.vault.azure.net/secrets/<name>), which every az version lists.
until existing=$(az keyvault secret list --vault-name "$vault" --query "[].id" --output tsv); do
  if [ "$attempt" -ge "$tries" ]; then
    echo "Could not list the secrets of Key Vault $vault; none was created. The principal az is logged in as needs Key Vault Secrets Officer on it (azd grants it to AZURE_PRINCIPAL_ID); run 'azd provision' again once it has." >&2
    exit 1
  fi
  echo "Key Vault $vault does not list its secrets yet (a new role assignment can take minutes); trying again in 20 s"
  attempt=$((attempt + 1))
  sleep 20
done

umask 077
value=$(mktemp)
trap 'rm -f "$value"' EXIT
for name in access-signing-secret access-previous-signing-secret; do
  if printf '%s\n' "$existing" | grep -Eq "/secrets/$name(/[0-9a-f]*)?\$"; then
    echo "Key Vault $vault keeps its $name"
    continue
  fi

  # 48 letters and digits (about 285 bits; the app requires 32 characters), through a file, so that the
  # value is on no command line, and --output none, so that az does not print it.
  LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 48 >"$value"
  az keyvault secret set --vault-name "$vault" --name "$name" --file "$value" --encoding utf-8 \
    --content-type "callback URL signing secret" --output none
  echo "Created $name in Key Vault $vault"
done
