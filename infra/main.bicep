// PayExCallbackFunctions in Azure: `azd up` provisions this, then publishes PayExCallbackFunctions and
// deploys it to the function app. What each part is for, and why Flex Consumption: infra/README.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment: names the resource group and tags every resource.')
param environmentName string

// The regions Microsoft's Flex Consumption azd templates allow (Azure-Samples, functions-quickstart-*-azd
// and the templates after them), less the canary region eastus2euap: elsewhere the plan does not exist and
// ARM would fail halfway. `az functionapp list-flexconsumption-locations` is the live list, and
// `az functionapp list-flexconsumption-runtimes -l <region> --runtime dotnet-isolated` says whether a
// region has .NET 10 (infra/README.md).
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
@description('Azure region for every resource: one that offers Flex Consumption.')
param location string

@description('PayEx API host: https://api.externalintegration.payex.com (test) or https://api.payex.com (production).')
param payExBaseUrl string = 'https://api.externalintegration.payex.com'

@secure()
@description('The merchant\'s PayEx bearer token. Kept in Key Vault; the app setting is a reference.')
param payExToken string

// No parameter for the callback signing secrets: the postprovision hook (hooks/create-signing-secrets.sh)
// creates them in the vault only where absent, so that no provision can replace the secret every callback
// URL given to PayEx is signed with.

// Empty (any) until the first deployment's "Acknowledged callback ... from <address>" lines show that
// the address the app sees is PayEx's, and not a hop of the platform's: then Swedbank Pay's senders.
@description('Addresses and CIDR ranges callbacks may come from, comma-separated; empty: any (see the README).')
param allowedCallbackNetworks string = ''

@description('Object id of whoever runs azd (azd sets AZURE_PRINCIPAL_ID): may set the secrets in Key Vault, as the postprovision hook does. Empty: nobody.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('What kind of principal principalId is: AZURE_PRINCIPAL_TYPE; ServicePrincipal when a CI pipeline runs azd, else its role assignment is refused (UnmatchedPrincipalType).')
param principalType string = 'User'

@allowed(['Standard_ZRS', 'Standard_LRS', 'Standard_GZRS', 'Standard_RAGZRS'])
@description('Storage redundancy: the queue and the payments table are the system of record for callbacks in flight.')
param storageSku string = 'Standard_ZRS'

@minValue(40)
@maxValue(1000)
@description('Flex Consumption: most instances the app scales out to.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Flex Consumption: memory per instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(0)
@maxValue(10)
@description('Flex Consumption: instances kept warm for the HTTP functions, so that a callback never waits for a cold start; billed while idle. 0: scale to zero.')
param alwaysReadyInstances int = 0

var tags = { 'azd-env-name': environmentName }

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'app/resources.bicep' = {
  name: 'payex-callbacks'
  scope: group
  params: {
    location: location
    tags: tags
    suffix: toLower(uniqueString(subscription().id, environmentName, location))
    payExBaseUrl: payExBaseUrl
    payExToken: payExToken
    allowedCallbackNetworks: allowedCallbackNetworks
    principalId: principalId
    principalType: principalType
    storageSku: storageSku
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstances: alwaysReadyInstances
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output AZURE_DEPLOYMENT_CONTAINER string = resources.outputs.deploymentContainer
output APPLICATIONINSIGHTS_NAME string = resources.outputs.applicationInsightsName
output PAYEX_CALLBACK_ENDPOINT string = 'https://${resources.outputs.defaultHostName}/api/payex/callbacks'
