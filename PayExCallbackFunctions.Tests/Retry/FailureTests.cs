using System.Net;
using System.Net.Sockets;
using Azure;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Tests.Retry;

public class FailureTests
{
    private static PayExRequestException PayEx(HttpStatusCode? status, TimeSpan? retryAfter = null) =>
        new("GET /psp/x", status, retryAfter);

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public void PayEx_answers_that_can_change_are_transient(HttpStatusCode status)
    {
        Assert.Equal(FailureKind.Transient, Failure.Of(PayEx(status))!.Kind);
    }

    [Theory]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    public void A_redirect_is_transient_and_points_at_the_base_url(HttpStatusCode status)
    {
        var failure = Failure.Of(PayEx(status))!;
        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Contains("PayEx__BaseUrl", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_storage_access_failing_to_get_a_token_is_transient()
    {
        Assert.Equal(FailureKind.Transient, Failure.Of(new Azure.Identity.AuthenticationFailedException("no token"))!.Kind);
        Assert.Equal(FailureKind.Transient, Failure.Of(new Azure.Identity.CredentialUnavailableException("no identity"))!.Kind);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Gone)]
    [InlineData(HttpStatusCode.BadRequest)]
    public void PayEx_answers_that_will_not_change_are_permanent(HttpStatusCode status)
    {
        Assert.Equal(FailureKind.Permanent, Failure.Of(PayEx(status))!.Kind);
    }

    [Fact]
    public void No_answer_from_PayEx_is_transient()
    {
        Assert.Equal(FailureKind.Transient, Failure.Of(PayEx(null))!.Kind);
        Assert.Equal(FailureKind.Transient, Failure.Of(new HttpRequestException("refused", new SocketException()))!.Kind);
        Assert.Equal(FailureKind.Transient, Failure.Of(new TimeoutException())!.Kind);
    }

    [Fact]
    public void A_429_carries_PayEx_Retry_After()
    {
        var failure = Failure.Of(PayEx(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(42)))!;
        Assert.Equal(TimeSpan.FromSeconds(42), failure.RetryAfter);
    }

    [Fact]
    public void A_401_tells_the_operator_to_check_the_token()
    {
        Assert.Contains("PayEx__Token", Failure.Of(PayEx(HttpStatusCode.Unauthorized))!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_that_is_not_the_resource_and_an_unreadable_message_are_permanent()
    {
        Assert.Equal(FailureKind.Permanent, Failure.Of(new PayExResourceException("another id"))!.Kind);
        Assert.Equal(FailureKind.Permanent, Failure.Of(new InvalidCallbackMessageException("not JSON"))!.Kind);
    }

    [Theory]
    [InlineData(503, FailureKind.Transient)]
    [InlineData(500, FailureKind.Transient)]
    [InlineData(0, FailureKind.Transient)]
    [InlineData(403, FailureKind.Transient)]
    [InlineData(400, FailureKind.Permanent)]
    [InlineData(413, FailureKind.Permanent)]
    public void Storage_failures_are_transient_unless_storage_refuses_the_request_itself(int status, FailureKind kind)
    {
        Assert.Equal(kind, Failure.Of(new RequestFailedException(status, "storage"))!.Kind);
    }

    [Fact]
    public void Rows_that_keep_changing_under_a_write_are_transient()
    {
        Assert.Equal(FailureKind.Transient, Failure.Of(new PaymentStateConflictException("busy"))!.Kind);
    }

    [Fact]
    public void An_unforeseen_exception_is_left_to_the_queue_trigger()
    {
        Assert.Null(Failure.Of(new ArgumentException("a bug")));
        Assert.Null(Failure.Of(new InvalidOperationException()));
    }
}
