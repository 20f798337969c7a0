using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// Begins and stops tracking a payment at the order system's word. Registering a payment the app does not know stores
/// it as pending (version 0) with its first check scheduled; registering a tracked one changes nothing; registering one
/// whose tracking ended begins it again, from the first delay.
/// </summary>
public sealed class PaymentRegistration(
    PaymentLookup lookup,
    PaymentWriter writer,
    ScheduledChecks checks,
    EndedTracking ended,
    IOptions<TrackingOptions> options,
    TimeProvider time)
{
    /// <summary>Reads and conditional writes before giving up on a payment that others keep changing.</summary>
    private const int MaxRounds = 5;

    public async Task<Registration> RegisterAsync(PayExPath path, string? orderReference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var round = 0; round < MaxRounds; round++)
        {
            var now = time.GetUtcNow();
            var firstCheck = now + options.Value.Delays[0];
            var found = await lookup.FindAsync(path.Id, cancellationToken);
            if (found?.Status is not { } status)
            {
                // Unknown (or stored before payments had a status): pending, read at the first check. A payment order is read as Checkout v3.1.
                var snapshot = new PaymentSnapshot
                {
                    Status = PaymentStatus.Pending,
                    PaymentOrder = path.Kind == PayExResourceKind.PaymentOrder ? path.Value : found?.PaymentOrder,
                    Payment = path.Kind == PayExResourceKind.Payment ? path.Value : found?.Payment,
                    OrderReference = orderReference,
                };
                var api = found?.Api ?? (path.Kind == PayExResourceKind.PaymentOrder ? PaymentApi.PaymentOrderV31 : PaymentApi.Payment);
                if (await writer.RegisterAsync(found?.Key ?? path.Id, snapshot, api, firstCheck, hasRows: found is not null, cancellationToken) is { } registered)
                {
                    await ended.RemoveAsync(found?.Key ?? path.Id, cancellationToken);
                    return new Registration(found?.Key ?? path.Id, registered, Begun: true);
                }

                continue;
            }

            if (status.Tracking.IsTracked)
            {
                return new Registration(found.Key, status, Begun: false);
            }

            // Known and not tracked (ended, stopped, or stored before tracking): begun again from the first delay.
            await checks.AddAsync(found.Key, firstCheck, cancellationToken);
            if (await writer.SetTrackingAsync(found.Key, PaymentTracking.StartedAt(now), status.ETag, cancellationToken))
            {
                await ended.RemoveAsync(found.Key, cancellationToken);
                return new Registration(found.Key, status with { Tracking = PaymentTracking.StartedAt(now) }, Begun: true);
            }
        }

        throw new PaymentStateConflictException($"Payment {path.Id:D} kept changing during {MaxRounds} attempts to register it.");
    }

    /// <summary>Stops tracking the payment <paramref name="id"/> names; null if no such payment is stored.</summary>
    public async Task<Registration?> StopAsync(Guid id, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            var found = await lookup.FindAsync(id, cancellationToken);
            if (found?.Status is not { } status)
            {
                return null;
            }

            if (!status.Tracking.IsTracked)
            {
                return new Registration(found.Key, status, Begun: false);
            }

            var now = time.GetUtcNow();
            var stopped = status.Tracking.EndedBecause(PaymentTracking.StoppedReason, now);
            if (await writer.SetTrackingAsync(found.Key, stopped, status.ETag, cancellationToken))
            {
                // The reminder where the plan puts it goes now; one elsewhere (pushed out since) goes when it comes due.
                if (CheckPlan.For(status, options.Value, now) is CheckPlan.Check plan)
                {
                    await checks.RemoveAsync(new ScheduledCheck(found.Key, plan.At), cancellationToken);
                }

                return new Registration(found.Key, status with { Tracking = stopped }, Begun: false);
            }
        }

        throw new PaymentStateConflictException($"Payment {id:D} kept changing during {MaxRounds} attempts to stop tracking it.");
    }
}

/// <summary>The payment registered (its partition's key and status row), and whether tracking began with this call.</summary>
public sealed record Registration(Guid Key, StatusRow Status, bool Begun);
