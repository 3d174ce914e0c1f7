using System.Net;
using System.Text;

namespace RdsStack.Tool.Tests;

/// <summary>A one-route HTTP server on 127.0.0.1 that records the requests it gets and answers with a fixed response.</summary>
internal sealed class LocalHttpStub : IDisposable
{
    private HttpListener listener = new();
    private readonly Task loop;

    public LocalHttpStub(Func<Request, (int Status, string ContentType, string Body)> respond)
    {
        // A free port can be taken by another process between the probe and Start: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Url = new Uri($"http://127.0.0.1:{FreePort()}/");
            listener.Prefixes.Add(Url.ToString());
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
                listener = new HttpListener();
            }
        }

        loop = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var request = new Request(
                    context.Request.HttpMethod,
                    context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                    await reader.ReadToEndAsync());
                lock (Requests)
                {
                    Requests.Add(request);
                }

                var (status, contentType, body) = respond(request);
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = status;
                context.Response.ContentType = contentType;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    public Uri Url { get; private set; } = null!;

    public List<Request> Requests { get; } = new();

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    public static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public sealed record Request(string Method, IReadOnlyDictionary<string, string> Headers, string Body);
}
