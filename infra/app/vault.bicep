// Key Vault: the PayEx token and the callback signing secrets. App settings hold references to
// them, never the values; the app refuses to start on a reference that did not resolve.
param name string
param location string
param tags object
@secure()
param payExToken string

// The callback signing secrets are not made here: a Key Vault secret resource sets its value on every
// deployment, and a provision that could not read the old value back would replace it, breaking every
// callback URL signed with it. The postprovision hook (hooks/create-signing-secrets.sh) creates each one
// only where the vault has none; the app settings name them without a version.
var signingSecretName = 'access-signing-secret'
var previousSigningSecretName = 'access-previous-signing-secret'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    publicNetworkAccess: 'Enabled'
  }
}

resource token 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'payex-token'
  properties: {
    value: payExToken
    contentType: 'PayEx bearer token'
  }
}

output name string = vault.name
// With its version: a changed token changes the app setting, and the app restarts with it.
output payExTokenUri string = token.properties.secretUriWithVersion
// Without a version (and with the trailing slash, which the versionless form needs): App Service reads
// the newest version within a day, or at once when a setting changes (infra/README.md, "Secrets").
output signingSecretUri string = '${vault.properties.vaultUri}secrets/${signingSecretName}/'
output previousSigningSecretUri string = '${vault.properties.vaultUri}secrets/${previousSigningSecretName}/'
