using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>
/// A loopback TCP server that is not a serverless host: it accepts connections and either never
/// answers (a hung host, a black hole behind a load balancer) or answers one canned HTTP response,
/// or the response a function gives for each request line (pages of a list).
/// </summary>
public sealed class CannedHttpServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> held = [];
    private readonly TaskCompletionSource firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="response">The whole HTTP response to send; null never answers.</param>
    public CannedHttpServer(string? response)
        : this(response is null ? null : _ => response)
    {
    }

    /// <param name="respond">The whole HTTP response to send for a request line ("GET /api/jobs?top=5 HTTP/1.1"); null never answers.</param>
    public CannedHttpServer(Func<string, string>? respond)
    {
        listener.Start();
        _ = AcceptAsync(respond);
    }

    /// <summary>A 200 response with a JSON body.</summary>
    public static string Json(string body) =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>Completes when the first connection has been accepted (a client is waiting for its answer).</summary>
    public Task FirstConnection => firstConnection.Task;

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        lock (held)
            foreach (var client in held)
                client.Dispose();
        stop.Dispose();
    }

    private async Task AcceptAsync(Func<string, string>? respond)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                lock (held)
                    held.Add(client);
                firstConnection.TrySetResult();
                if (respond is null)
                    continue;
                var stream = client.GetStream();
                // Read the request head, then answer and close.
                var buffer = new byte[8192];
                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n") && await stream.ReadAsync(buffer, stop.Token) is > 0 and var n)
                    head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                var requestLine = head.ToString().Split("\r\n")[0];
                await stream.WriteAsync(Encoding.UTF8.GetBytes(respond(requestLine)), stop.Token);
                client.Close();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }
    }
}
