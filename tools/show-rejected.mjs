// Prints the callbacks refused for their content (after authentication), newest first, one per line:
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
const columns = ["ReceivedAt", "CallbackId", "Status", "ClientAddress", "Reason", "Errors", "BodyLength", "Body"];
let rows = 0;
try {
  for await (const row of table.listEntities({ queryOptions: { select: columns, filter: `PartitionKey eq '${day}'` } })) {
    const show = (value) => (value instanceof Date ? value.toISOString() : String(value ?? "").slice(0, 200));
    console.log(columns.map((c) => `${c}=${show(row[c])}`).join("  "));
    rows++;
  }
} catch (e) {
  if (e.statusCode !== 404) throw e;
}
console.error(`${rows} rejected callback(s) on ${day} in ${tableName}`);
