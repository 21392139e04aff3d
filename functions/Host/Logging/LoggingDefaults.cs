using Microsoft.Extensions.Logging;

namespace Serverless.Host.Logging;

/// <summary>The host's log filters: its own request line instead of ASP.NET Core's (which carries keys), the framework at warnings.</summary>
internal static class LoggingDefaults
{
    /// <summary>Defaults a user's Logging settings override (added before host.json and the environment).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings { get; } =
    [
        new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
        // One line per entry: container logs keep lines, and a request is one line.
        new("Logging:Console:FormatterOptions:SingleLine", "true"),
    ];

    /// <summary>
    /// ASP.NET Core's request start and finish lines print the URL with its <c>?code=</c> key:
    /// off whatever the settings say; <see cref="RequestLogMiddleware"/> writes a redacted line instead.
    /// </summary>
    public static ILoggingBuilder WithoutKeyedRequestLines(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
}
