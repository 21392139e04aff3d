using Microsoft.Extensions.Logging;

namespace Serverless.Host.Logging;

/// <summary>The host's logging: its own request line instead of ASP.NET Core's (which carries keys), the framework at warnings, one line an entry.</summary>
internal static class LoggingDefaults
{
    /// <summary>Defaults a user's Logging settings override (added before host.json and the environment).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings { get; } =
    [
        new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
    ];

    /// <summary>
    /// ASP.NET Core's request start and finish lines print the URL with its <c>?code=</c> key:
    /// off whatever the settings say; <see cref="RequestLogMiddleware"/> writes a redacted line instead.
    /// </summary>
    public static ILoggingBuilder WithoutKeyedRequestLines(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            // One line per entry: container logs are read line by line, and a request is one line.
            .AddSimpleConsole(console => console.SingleLine = true);
}
