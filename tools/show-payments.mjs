// Prints the payments table, or one payment's partition, one row per line:
//   npm run payments [-- <payment or payment order GUID>]
// Reads AzureWebJobsStorage and Storage__PaymentsTable like the app (defaults: Azurite, PayExPayments).
import { TableClient } from "@azure/data-tables";

const connection = process.env.AzureWebJobsStorage || "UseDevelopmentStorage=true";
const tableName = process.env.Storage__PaymentsTable || "PayExPayments";
const partition = process.argv[2];
if (partition && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(partition)) {
  console.error(`'${partition}' is not a payment or payment order GUID`);
  process.exit(2);
}

// npm prints the command with the id masked (***): say here what is shown.
console.error(partition ? `Payment ${partition.toLowerCase()} in ${tableName}:` : `Every payment in ${tableName}:`);
const table = TableClient.fromConnectionString(connection, tableName, { allowInsecureConnection: true });
// The status row (rowKey=status) fills the last columns: the normalised status, its version and the money.
const columns = ["partitionKey", "rowKey", "ResourceId", "Number", "State", "Type", "Amount", "Currency", "Updated", "FetchedAt", "Status", "Version", "AuthorizedAmount", "CapturedAmount", "CancelledAmount", "ReversedAmount"];
const queryOptions = { select: columns, ...(partition ? { filter: `PartitionKey eq '${partition.toLowerCase()}'` } : {}) };
let rows = 0;
try {
  for await (const row of table.listEntities({ queryOptions })) {
    const show = (value) => (value instanceof Date ? value.toISOString() : value ?? "");
    console.log(columns.map((c) => `${c}=${show(row[c])}`).join("  "));
    rows++;
  }
} catch (e) {
  if (e.code === "ECONNREFUSED") {
    console.error(`Table storage does not answer (${e.message}): is ./run.sh (Azurite) running?`);
    process.exit(1);
  }
  if (e.statusCode !== 404) throw e;
}
console.error(`${rows} row(s)`);
