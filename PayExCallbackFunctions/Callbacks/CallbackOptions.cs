using System.ComponentModel.DataAnnotations;

namespace PayExCallbackFunctions.Callbacks;

public sealed class CallbackOptions
{
    public const string Section = "Callbacks";

    /// <summary>PayEx callbacks are a few hundred bytes; anything far larger is not from PayEx.</summary>
    // Bounded so that the envelope of an ordinary body fits a 64 KiB queue message (an unusual one gets 413).
    [Range(256, 20 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Seconds PayEx is asked to wait before delivering again when the queue is unreachable.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 30;

    /// <summary>Days a rejected callback is kept in the rejected-callbacks table.</summary>
    [Range(1, 3650)]
    public int RejectedRetentionDays { get; set; } = 30;

    /// <summary>Distinct rejections kept a day; repeats of one only count up its row.</summary>
    [Range(1, 100_000)]
    public int MaxRejectedPerDay { get; set; } = 1000;
}
