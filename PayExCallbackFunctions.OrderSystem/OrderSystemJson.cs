using System.Text.Json;
using System.Text.Json.Serialization;
using PayExCallbackFunctions.OrderSystem.Events;
using PayExCallbackFunctions.OrderSystem.Orders;

namespace PayExCallbackFunctions.OrderSystem;

/// <summary>The sample's JSON, generated at build: events in, orders and receipts on disk and out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(PaymentEvent))]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(List<Order>))]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(List<Receipt>))]
public sealed partial class OrderSystemJson : JsonSerializerContext;
