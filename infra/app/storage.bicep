// The storage account: the callback queue (and its poison queue), the app's tables, the host's blobs
// and the deployment container. Only Microsoft Entra identities get in: shared keys are off.
param name string
param location string
param tags object
param sku string

// The app's defaults (StorageOptions); the app settings name them explicitly all the same.
var callbackQueue = 'payex-callbacks'
var tables = {
  payments: 'PayExPayments'
  deadLetters: 'PayExDeadLetters'
  rejectedCallbacks: 'PayExRejectedCallbacks'
  paymentReferences: 'PayExPaymentReferences'
  paymentChecks: 'PayExPaymentChecks'
}
var deploymentContainer = 'app-package'

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobs
  name: deploymentContainer
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource callbacks 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = {
  parent: queues
  name: callbackQueue
}

// The host creates it on the first poison message; made here so that it can be watched from the start.
resource poison 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = {
  parent: queues
  name: '${callbackQueue}-poison'
}

// The payments' events for the order system (Events__Queue).
resource events 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = {
  parent: queues
  name: 'payex-payment-events'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource appTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [for table in items(tables): {
  parent: tableService
  name: table.value
}]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainer string = packages.name
output callbackQueue string = callbacks.name
output paymentsTable string = tables.payments
output deadLettersTable string = tables.deadLetters
output rejectedCallbacksTable string = tables.rejectedCallbacks
output paymentReferencesTable string = tables.paymentReferences
output paymentChecksTable string = tables.paymentChecks
