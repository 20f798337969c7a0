using System.Globalization;
using System.Text;

namespace PayExCallbackFunctions.Tests.Soak;

/// <summary>What one soak run did and found, for the test output and artifacts/soak.txt.</summary>
public sealed class SoakFigures
{
    public int Seed { get; init; }
    public int Payments { get; init; }
    public int CallbacksSent { get; set; }
    public int CallbacksPlanned { get; set; }
    public int Notifications { get; set; }
    public int Duplicates { get; set; }
    public int Late { get; set; }
    public int Traps { get; set; }
    public int TrapsTaken { get; set; }
    public int StaleAfterNewer { get; set; }
    public int StaleRefused { get; set; }
    public int StaleDecisive { get; set; }
    public int StaleFirst { get; set; }
    public int TrapsRetried { get; set; }
    public int Resources { get; set; }
    public int Gets { get; set; }
    public int InjectedFailures { get; set; }
    public int MaxConcurrentGets { get; set; }
    public int RetriedAttempts { get; set; }
    public int CallbacksRetried { get; set; }
    public int MostRetries { get; set; }
    public int OpenCircuitFailures { get; set; }
    public int ListenerFailures { get; set; }
    public int CallbacksStored { get; set; }
    public int ProcessedTwice { get; set; }
    public int RowsWritten { get; set; }
    public int RowsKept { get; set; }
    public int DeadLetters { get; set; }
    public int Poisoned { get; set; }
    public int StillQueued { get; set; }
    public int RowsStored { get; set; }
    public int RowsCompared { get; set; }
    public int Lost { get; set; }
    public int Extra { get; set; }
    public int Stale { get; set; }
    public double StartupSeconds { get; set; }
    public double SendingSeconds { get; set; }
    public double DrainSeconds { get; set; }
    public double TotalSeconds { get; set; }
    public double HeldBackSeconds { get; set; }
    public int MaxBacklog { get; set; }

    public string Format() => new StringBuilder()
        .AppendLine(CultureInfo.InvariantCulture, $"PayEx callback soak, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z, {Environment.ProcessorCount} cores, seed {Seed} (PAYEX_SOAK_SEED={Seed} replays the plan)")
        .AppendLine(CultureInfo.InvariantCulture, $"  callbacks sent     {CallbacksSent} of {CallbacksPlanned} planned: {Notifications} unique notifications, {Duplicates} duplicates, {Late} delivered after a newer one, {Traps} stale-answer traps")
        .AppendLine(CultureInfo.InvariantCulture, $"  payments           {Payments}, with {Resources} resources (payments and transactions)")
        .AppendLine(CultureInfo.InvariantCulture, $"  PayEx GETs         {Gets}, {InjectedFailures} failed by injection ({Percent(InjectedFailures, Gets)}), at most {MaxConcurrentGets} at once")
        .AppendLine(CultureInfo.InvariantCulture, $"  retries            {RetriedAttempts} failed attempts put back on the queue, for {CallbacksRetried} callbacks, at most {MostRetries} for one; {OpenCircuitFailures} failed by an open circuit; {ListenerFailures} unforeseen failures")
        .AppendLine(CultureInfo.InvariantCulture, $"  processed          {CallbacksStored} of {CallbacksSent} callbacks stored ({ProcessedTwice} twice); {RowsWritten} rows written, {RowsKept} kept because the stored state was as new or newer")
        .AppendLine(CultureInfo.InvariantCulture, $"  stale answers      {TrapsTaken} held back by traps: {StaleAfterNewer} came after the newer state was stored ({StaleRefused} refused, {StaleDecisive} of them the payment's last write), {StaleFirst} came before it, {TrapsRetried} unused (another GET failed)")
        .AppendLine(CultureInfo.InvariantCulture, $"  dead letters       {DeadLetters}; poisoned {Poisoned}; still queued {StillQueued}")
        .AppendLine(CultureInfo.InvariantCulture, $"  table              {RowsStored} rows, {RowsCompared} compared with PayEx's: {Lost} lost, {Extra} extra, {Stale} not the newest")
        .AppendLine(CultureInfo.InvariantCulture, $"  elapsed            {TotalSeconds:0.0} s: start {StartupSeconds:0.0} s, sending {SendingSeconds:0.0} s, draining {DrainSeconds:0.0} s; {CallbacksSent / Math.Max(0.001, SendingSeconds + DrainSeconds):0} callbacks/s; senders waited {HeldBackSeconds:0.0} s in all for the backlog to fall to {MaxBacklog}")
        .ToString();

    private static string Percent(int part, int whole) => whole == 0 ? "-" : (part / (double)whole).ToString("P1", CultureInfo.InvariantCulture);
}
