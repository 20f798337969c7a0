// Log Analytics and Application Insights (Entra authentication only), with the app's workbook.
param suffix string
param location string
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-payex-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-payex-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // No instrumentation-key ingestion: telemetry comes from the app's identity (Monitoring Metrics Publisher).
    DisableLocalAuth: true
  }
}

// infra/monitoring/workbook.json, opened from the Application Insights resource.
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(applicationInsights.id, 'payex-callbacks-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'PayEx callbacks'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: loadTextContent('../monitoring/workbook.json')
  }
}

output applicationInsightsName string = applicationInsights.name
output connectionString string = applicationInsights.properties.ConnectionString
