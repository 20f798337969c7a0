// The function app: the host, its plan, and the app settings (no secrets: Key Vault references).
param name string
param planName string
param location string
param tags object
param hostingPlan string
param flexRuntime string
param maximumInstanceCount int
param instanceMemoryMB int
param identityId string
param identityClientId string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param deploymentContainer string
param applicationInsightsConnectionString string
param payExBaseUrl string
param payExTokenUri string
param signingSecretUri string
param previousSigningSecretUri string
param allowedCallbackNetworks string
param callbackQueue string
param paymentsTable string
param deadLettersTable string
param rejectedCallbacksTable string

var flex = hostingPlan == 'FlexConsumption'

// Where Elastic Premium runs the package from (Flex Consumption keeps its own in the same container).
var packageUrl = '${blobEndpoint}${deploymentContainer}/functionapp.zip'

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: flex ? 'functionapp' : 'elastic'
  sku: flex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: 'EP1', tier: 'ElasticPremium' }
  properties: {
    reserved: true
    maximumElasticWorkerCount: flex ? null : 20
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  // azd deploys the service "api" (azure.yaml) to the site with this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: flex
      ? {
          deployment: {
            storage: {
              type: 'blobContainer'
              value: '${blobEndpoint}${deploymentContainer}'
              authentication: {
                type: 'UserAssignedIdentity'
                userAssignedIdentityResourceId: identityId
              }
            }
          }
          scaleAndConcurrency: {
            maximumInstanceCount: maximumInstanceCount
            instanceMemoryMB: instanceMemoryMB
          }
          runtime: flexRuntime == 'custom' ? { name: 'custom', version: '1.0' } : { name: 'dotnet-isolated', version: '10.0' }
        }
      : null
  }
}

// No publishing passwords: deployment goes through Microsoft Entra (azd) or the package blob.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

var appSettings = {
  // The host's storage and the app's, through the managed identity (no connection string, no key).
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  Storage__CallbackQueue: callbackQueue
  Storage__PaymentsTable: paymentsTable
  Storage__DeadLettersTable: deadLettersTable
  Storage__RejectedCallbacksTable: rejectedCallbacksTable
  PayEx__BaseUrl: payExBaseUrl
  PayEx__Token: '@Microsoft.KeyVault(SecretUri=${payExTokenUri})'
  // Per-order signed callback URLs, required (Access__RequireSignature follows the secret).
  Access__SigningSecret: '@Microsoft.KeyVault(SecretUri=${signingSecretUri})'
  Access__PreviousSigningSecret: '@Microsoft.KeyVault(SecretUri=${previousSigningSecretUri})'
  Access__AllowedNetworks: allowedCallbackNetworks
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Flex Consumption takes its runtime from functionAppConfig. Under dotnet-isolated, this flag makes
// the host run host.json's custom handler and load the extension bundle (for the queue trigger).
var flexSettings = flexRuntime == 'dotnet-isolated' ? { AzureWebJobsFeatureFlags: 'EnableMcpCustomHandlerPreview' } : {}

// Elastic Premium without Azure Files (which has no identity-based access): the package runs from its blob.
var premiumSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'custom'
  WEBSITE_RUN_FROM_PACKAGE: packageUrl
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identityId
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, flex ? flexSettings : premiumSettings)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
