using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.App.Tests.Support;

/// <summary>ASP.NET Core requests for the functions that take <c>HttpRequest</c>, and their <c>IResult</c> answers written out.</summary>
internal static class IResults
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    public static HttpRequest Request(string method, string pathAndQuery, byte[]? body = null, string? contentType = null)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        var uri = new Uri("http://localhost:7071" + pathAndQuery);
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(uri.Authority);
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Request.ContentType = contentType;
        }
        return context.Request;
    }

    /// <summary>Executes the result as the host would, and reads back status, headers and JSON body.</summary>
    public static async Task<(int Status, IHeaderDictionary Headers, JsonElement Body)> RunAsync(IResult result)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        var text = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        return (context.Response.StatusCode, context.Response.Headers, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text));
    }
}
