using System.Net;
using System.Net.Sockets;

namespace Serverless.TestSupport;

/// <summary>Free TCP ports on the loopback interface, picked by the OS.</summary>
public static class FreePort
{
    /// <summary>One free port on 127.0.0.1.</summary>
    public static int Next() => Next(1)[0];

    /// <summary>
    /// <paramref name="count"/> distinct free ports. All listeners are held open together so
    /// the OS cannot hand out the same port twice. A port may still be taken by someone else
    /// before the caller binds it: callers that start servers retry on failure.
    /// </summary>
    public static int[] Next(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
