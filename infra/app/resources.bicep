// Everything in the resource group. Names end in a suffix unique to subscription, environment and region.
param location string
param tags object
param suffix string
param payExBaseUrl string
@secure()
param payExToken string
param allowedCallbackNetworks string
param principalId string
param principalType string
param storageSku string
param maximumInstanceCount int
param instanceMemoryMB int
param alwaysReadyInstances int

// The app's identity: storage, Key Vault and Application Insights know it by this, and by nothing else.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-payex-${suffix}'
  location: location
  tags: tags
}

module storage 'storage.bicep' = {
  name: 'storage'
  params: {
    name: 'stpayex${suffix}'
    location: location
    tags: tags
    sku: storageSku
  }
}

module monitoring 'monitoring.bicep' = {
  name: 'monitoring'
  params: {
    suffix: suffix
    location: location
    tags: tags
  }
}

module vault 'vault.bicep' = {
  name: 'vault'
  params: {
    name: 'kv-payex-${suffix}'
    location: location
    tags: tags
    payExToken: payExToken
  }
}

module access 'access.bicep' = {
  name: 'access'
  params: {
    identityPrincipalId: identity.properties.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: vault.outputs.name
    principalId: principalId
    principalType: principalType
  }
}

module functionApp 'functionapp.bicep' = {
  name: 'functionapp'
  // The app starts as soon as it exists: its identity must already reach storage and the vault.
  dependsOn: [access]
  params: {
    name: 'func-payex-${suffix}'
    planName: 'plan-payex-${suffix}'
    location: location
    tags: tags
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstances: alwaysReadyInstances
    identityId: identity.id
    identityClientId: identity.properties.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainer: storage.outputs.deploymentContainer
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    payExBaseUrl: payExBaseUrl
    payExTokenUri: vault.outputs.payExTokenUri
    signingSecretUri: vault.outputs.signingSecretUri
    previousSigningSecretUri: vault.outputs.previousSigningSecretUri
    allowedCallbackNetworks: allowedCallbackNetworks
    callbackQueue: storage.outputs.callbackQueue
    paymentsTable: storage.outputs.paymentsTable
    deadLettersTable: storage.outputs.deadLettersTable
    rejectedCallbacksTable: storage.outputs.rejectedCallbacksTable
    paymentReferencesTable: storage.outputs.paymentReferencesTable
    paymentChecksTable: storage.outputs.paymentChecksTable
  }
}

output functionAppName string = functionApp.outputs.name
output defaultHostName string = functionApp.outputs.defaultHostName
output keyVaultName string = vault.outputs.name
output storageAccountName string = storage.outputs.name
output deploymentContainer string = storage.outputs.deploymentContainer
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
