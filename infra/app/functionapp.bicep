// The function app: a .NET isolated worker on Flex Consumption, its plan, and the app settings (no
// secrets: Key Vault references).
param name string
param planName string
param location string
param tags object
param maximumInstanceCount int
param instanceMemoryMB int
param alwaysReadyInstances int
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
param paymentReferencesTable string
param paymentChecksTable string

// The .NET the platform runs the worker on: the app's target framework (net10.0, Directory.Build.props),
// the newest Flex Consumption accepts for dotnet-isolated (infra/README.md).
var dotnetVersion = '10.0'

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
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
    // Only what Microsoft's Flex samples set. Flex Consumption refuses many siteConfig properties (ARM error
    // 51021 on newer stamps: ftpsState, alwaysOn, linuxFxVersion, ...; infra/README.md); FTP is off through
    // the publishing-credential policies below.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    // Flex Consumption takes the runtime from here, not from FUNCTIONS_WORKER_RUNTIME or linuxFxVersion.
    functionAppConfig: {
      // azd's deployment (and `az functionapp deployment source config-zip`) puts the package here;
      // the platform reads it with the app's identity.
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
        // Instances kept warm for the HTTP functions (billed while idle); none by default.
        alwaysReady: alwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyInstances }] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// No publishing passwords, and so no FTP: deployment goes through Microsoft Entra (azd, az).
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

// What the host and the app read. Not here, as Flex Consumption refuses or ignores them:
// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT*.
var appSettings = {
  // The host's storage and the app's, through the managed identity (no connection string, no key).
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  // The queue triggers resolve %PayExCallbackQueue% from this setting, and so does the platform's scale
  // controller, which needs a flat name; the app refuses to start without it.
  PayExCallbackQueue: callbackQueue
  Storage__PaymentsTable: paymentsTable
  Storage__DeadLettersTable: deadLettersTable
  Storage__RejectedCallbacksTable: rejectedCallbacksTable
  Storage__PaymentReferencesTable: paymentReferencesTable
  Storage__PaymentChecksTable: paymentChecksTable
  // The tracking sweep's timer resolves %PayExTrackingSweep% from this flat setting (as the queue's); the app refuses
  // to start without it. Every 30 seconds: a check is due at most that late, and an idle sweep is one query.
  PayExTrackingSweep: '*/30 * * * * *'
  // The order system's queue of payment events (base64 messages, as its own queue trigger reads by default).
  Events__Queue: 'payex-payment-events'
  PayEx__BaseUrl: payExBaseUrl
  PayEx__Token: '@Microsoft.KeyVault(SecretUri=${payExTokenUri})'
  // Per-order signed callback URLs, required (Access__RequireSignature follows the secret).
  Access__SigningSecret: '@Microsoft.KeyVault(SecretUri=${signingSecretUri})'
  Access__PreviousSigningSecret: '@Microsoft.KeyVault(SecretUri=${previousSigningSecretUri})'
  Access__AllowedNetworks: allowedCallbackNetworks
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The host's Azure Monitor exporter keeps 5 traces a second by default, its queue polls included:
  // past that, a callback's trace loses the host's request. The app's own spans are kept either way.
  OTEL_TRACES_SAMPLER: 'microsoft.fixed_percentage'
  OTEL_TRACES_SAMPLER_ARG: '1.0'
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
