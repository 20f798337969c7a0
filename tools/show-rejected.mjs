// Prints the callbacks refused for their content (after authentication), one line per distinct rejection,
// the latest first:
//   npm run rejected [-- <yyyy-mm-dd>]          (default: today, UTC)
// Reads AzureWebJobsStorage and Storage__RejectedCallbacksTable like the app (defaults: Azurite, PayExRejectedCallbacks).
import { TableClient } from "@azure/data-tables";

const connection = process.env.AzureWebJobsStorage || "UseDevelopmentStorage=true";
const tableName = process.env.Storage__RejectedCallbacksTable || "PayExRejectedCallbacks";
const day = process.argv[2] || new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
  console.error(`'${day}' is not a day as yyyy-mm-dd`);
  process.exit(2);
}

const table = TableClient.fromConnectionString(connection, tableName, { allowInsecureConnection: true });
const columns = ["LastReceivedAt", "Count", "CallbackId", "LastCallbackId", "Status", "ClientAddress", "Reason", "Errors", "BodyLength", "Body"];
const found = [];
try {
  // Row keys are content hashes; the day's ~tally row has no CallbackId.
  for await (const row of table.listEntities({ queryOptions: { select: columns, filter: `PartitionKey eq '${day}' and RowKey ne '~tally'` } })) {
    found.push(row);
  }
} catch (e) {
  if (e.statusCode !== 404) throw e;
}
const at = (row) => new Date(row.LastReceivedAt ?? 0).getTime();
found.sort((a, b) => at(b) - at(a));
const show = (value) => (value instanceof Date ? value.toISOString() : String(value ?? "").slice(0, 200));
for (const row of found) {
  console.log(columns.map((c) => `${c}=${show(row[c])}`).join("  "));
}
const total = found.reduce((sum, row) => sum + (Number(row.Count) || 1), 0);
console.error(`${found.length} distinct rejected callback(s), ${total} received, on ${day} in ${tableName}`);
