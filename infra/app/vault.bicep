// Key Vault: the PayEx token and the callback signing secrets. App settings hold references to
// them, never the values; the app refuses to start on a reference that did not resolve.
param name string
param location string
param tags object
@secure()
param payExToken string
@secure()
param callbackSigningSecret string
@secure()
param previousCallbackSigningSecret string
@secure()
param signingSecretEntropy string
@secure()
param previousSigningSecretEntropy string

// azd's generated secrets can be shorter than the 32 characters the app requires; a secret read
// back from the vault is used as it is.
var signingSecret = length(callbackSigningSecret) >= 32 ? callbackSigningSecret : '${callbackSigningSecret}${signingSecretEntropy}'
var previousSigningSecret = length(previousCallbackSigningSecret) >= 32 ? previousCallbackSigningSecret : '${previousCallbackSigningSecret}${previousSigningSecretEntropy}'

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

resource signing 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'access-signing-secret'
  properties: {
    value: signingSecret
    contentType: 'callback URL signing secret'
  }
}

resource previousSigning 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'access-previous-signing-secret'
  properties: {
    value: previousSigningSecret
    contentType: 'callback URL signing secret before the last rotation'
  }
}

output name string = vault.name
// With their versions: a changed secret changes the app setting, and the app restarts with it.
output payExTokenUri string = token.properties.secretUriWithVersion
output signingSecretUri string = signing.properties.secretUriWithVersion
output previousSigningSecretUri string = previousSigning.properties.secretUriWithVersion
