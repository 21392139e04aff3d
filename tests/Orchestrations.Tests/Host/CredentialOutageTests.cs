using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Host.Hosting;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>
/// Storage answering 403 to the host's own credentials (a rotated account key) is a 503 whose
/// reason names the credential problem, logged once a minute, not once per request.
/// </summary>
public sealed class CredentialOutageTests
{
    [Fact]
    public async Task A_403_from_storage_is_a_503_naming_the_credentials_logged_once()
    {
        var logs = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new ListLogger(logs));
        builder.Services.AddOutageResponses();
        await using var app = builder.Build();
        app.UseExceptionHandler();
        // What the Azure SDK throws when the account key was rotated under a running host.
        app.MapGet("/jobs", string () => throw new RequestFailedException(403, "Server failed to authenticate the request.", "AuthenticationFailed", null));
        app.MapGet("/bug", string () => throw new InvalidOperationException("a bug"));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        for (var i = 0; i < 5; i++)
        {
            using var response = await http.GetAsync("/jobs");
            var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(503, body.GetProperty("status").GetInt32());
            Assert.Contains("credentials", body.GetProperty("title").GetString());
            Assert.Contains("403 AuthenticationFailed", body.GetProperty("detail").GetString());
            Assert.Contains("AzureWebJobsStorage", body.GetProperty("detail").GetString());
        }

        using (var bug = await http.GetAsync("/bug"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, bug.StatusCode);
        }

        await app.StopAsync();
        Assert.Single(logs, l => l.Contains("refused the host's credentials", StringComparison.Ordinal));
        // The exception handler's own per-request error line is not written for them (it is for the bug).
        Assert.Single(logs, l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_log_says_again_after_a_minute_with_the_count_of_failures_between()
    {
        var logs = new ConcurrentQueue<string>();
        var clock = new ManualClock();
        var log = new CredentialFailureLog(new TypedLogger(new ListLogger(logs)), clock);

        log.Report("refused");
        log.Report("refused");
        clock.Advance(TimeSpan.FromSeconds(59));
        log.Report("refused");
        clock.Advance(TimeSpan.FromSeconds(2));
        log.Report("refused");

        Assert.Equal(2, logs.Count);
        Assert.Contains("(2 more requests", logs.Last());
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void Refused_credentials_are_503_and_other_client_errors_stay_500(int status)
    {
        Assert.Equal(503, OutageStatus.For(new RequestFailedException(status, "refused", "AuthorizationFailure", null)));
        Assert.Equal(503, OutageStatus.For(new AggregateException(new RequestFailedException(status, "refused"))));
        Assert.Equal(500, OutageStatus.For(new RequestFailedException(409, "conflict", "ContainerAlreadyExists", null)));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    private sealed class TypedLogger(ILogger inner) : ILogger<CredentialFailureLog>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private sealed class ListLogger(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                lines.Enqueue(formatter(state, exception));
        }

        public void Dispose()
        {
        }
    }
}
